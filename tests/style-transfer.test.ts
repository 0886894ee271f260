import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildFeatureNet, convLayerNames, featureExtractor } from "../lib/models/feature-net";
import { buildConvAutoencoder } from "../lib/models/conv-ae";
import { gramMatrix, styleLosses, styleTargets, disposeTargets, styleTransfer, totalVariation, styleDistance } from "../lib/train/style-transfer";
import * as fs from "fs";
import * as path from "path";
import { textureImage } from "../lib/data/textures";
import { loadEmojiByName } from "../lib/data/emoji";
import { loadUserStyleImages } from "../lib/experiments/style-transfer";
import { makeImageFolder } from "./helpers/fixtures";

tf.setBackend("cpu");

const tinyNet = () => buildFeatureNet({ imageShape: [8, 8, 3], numClasses: 3, blocks: [[4, 4], [6]], seed: 3 });

test("Gram matrix equals FᵀF / (h·w) computed by hand", () => {
  // Two positions per row, 2×2 positions, 2 channels: F = [[1,2],[3,4],[5,6],[7,8]].
  const f = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  const g = gramMatrix(f);
  // Σ c0² = 1+9+25+49 = 84; Σ c0·c1 = 2+12+30+56 = 100; Σ c1² = 4+16+36+64 = 120; divided by 4 positions.
  assert.deepEqual(Array.from(g.dataSync()), [21, 25, 25, 30]);
  assert.deepEqual(g.shape, [2, 2]);
  tf.dispose([f, g]);
  const batch = tf.zeros([2, 2, 2, 2]) as tf.Tensor4D;
  assert.throws(() => gramMatrix(batch), /one image at a time, got a batch of 2/);
  batch.dispose();
});

test("total variation: squared differences of neighbours, by hand", () => {
  // One channel 2×3: [[0, 1, 4], [3, 5, 5]]; pixels with both neighbours: (0,0) and (0,1).
  // (0,0): (3−0)² + (1−0)² = 10; (0,1): (5−1)² + (4−1)² = 25 → mean 17.5.
  const x = tf.tensor4d([0, 1, 4, 3, 5, 5], [1, 2, 3, 1]);
  assert.equal(totalVariation(x).dataSync()[0], 17.5);
  // Two channels: the mean over channels (the second is the first doubled: 4× the squares).
  const y = tf.tensor4d([0, 0, 1, 2, 4, 8, 3, 6, 5, 10, 5, 10], [1, 2, 3, 2]);
  assert.equal(totalVariation(y).dataSync()[0], (17.5 + 70) / 2);
  tf.dispose([x, y]);
});

test("the extractor reproduces the model's own layer outputs, at the training size and at another size", () => {
  const model = tinyNet();
  const fx = featureExtractor(model);
  assert.deepEqual(fx.layers, convLayerNames(model));
  assert.deepEqual(fx.layers, ["conv1_1", "conv1_2", "conv2_1"]);
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const probe = tf.model({ inputs: model.inputs, outputs: ["conv1_2", "conv2_1"].map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
  const want = probe.predict(x) as tf.Tensor[];
  const got = fx.extract(x, ["conv1_2", "conv2_1"]);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(got[i].shape, want[i].shape);
    assert.ok(tf.max(tf.abs(tf.sub(got[i], want[i]))).dataSync()[0] < 1e-5);
  }
  const sym = featureExtractor(model, { inputScale: "symmetric" });
  const wantSym = probe.predict(x.mul(2).sub(1)) as tf.Tensor[];
  assert.ok(tf.max(tf.abs(tf.sub(sym.extract(x, ["conv2_1"])[0], wantSym[1]))).dataSync()[0] < 1e-5, "symmetric: the model sees 2x − 1");
  sym.dispose();
  const big = fx.extract(tf.zeros([1, 20, 12, 3]) as tf.Tensor4D, ["conv2_1"])[0];
  assert.deepEqual(big.shape, [1, 10, 6, 6], "one pooling halves 20×12");
  assert.throws(() => fx.extract(x, ["conv9_9"]), /no layer conv9_9; its layers are conv1_1, conv1_2, conv2_1/);
  fx.dispose();
});

test("the extractor mirrors a conv autoencoder's encoder (stride-2 convs + ReLU layers)", () => {
  const { encoder } = buildConvAutoencoder({ imageShape: [16, 16, 3], filters: [4, 8], latentDim: 5, seed: 2 });
  const fx = featureExtractor(encoder);
  assert.deepEqual(fx.layers, ["enc_conv_0", "enc_conv_1"]);
  const x = tf.randomUniform([1, 16, 16, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const probe = tf.model({ inputs: encoder.inputs, outputs: encoder.getLayer("enc_act_1").output as tf.SymbolicTensor });
  const want = probe.predict(x) as tf.Tensor;
  const [got] = fx.extract(x, ["enc_conv_1"]);
  assert.deepEqual(got.shape, [1, 4, 4, 8]);
  assert.ok(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] < 1e-5);
  fx.dispose();
});

test("gradients of the content, style and TV losses match finite differences on a tiny image", () => {
  const fx = featureExtractor(tinyNet());
  const content = tf.randomUniform([1, 8, 8, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const style = tf.randomUniform([1, 8, 8, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const x = tf.randomUniform([1, 8, 8, 3], 0.2, 0.8, "float32", 6) as tf.Tensor4D;
  const v = tf.randomNormal([1, 8, 8, 3], 0, 1, "float32", 7) as tf.Tensor4D;
  const targets = styleTargets(fx, { content: "conv2_1", style: ["conv1_1", "conv2_1"] }, style, content);
  for (const key of ["content", "style", "tv"] as const) {
    const loss = (img: tf.Tensor4D) => {
      const l = styleLosses(img, fx, targets, { content: 1, style: 1, tv: 1 });
      const out = l[key];
      tf.dispose(Object.values(l).filter((t) => t !== out));
      return out;
    };
    // Directional derivative along v: analytic ∇L·v against the central difference (L(x+εv) − L(x−εv)) / 2ε.
    const analytic = tf.tidy(() => tf.grad((img: tf.Tensor) => loss(img as tf.Tensor4D))(x).mul(v).sum().dataSync()[0]);
    const eps = 1e-3;
    const numeric = tf.tidy(() => (loss(x.add(v.mul(eps))).dataSync()[0] - loss(x.sub(v.mul(eps))).dataSync()[0]) / (2 * eps));
    assert.ok(Math.abs(analytic) > 1e-6, `${key}: a non-trivial gradient`);
    assert.ok(Math.abs(analytic - numeric) <= 0.02 * Math.abs(analytic) + 1e-6, `${key}: analytic ${analytic} vs numeric ${numeric}`);
  }
  disposeTargets(targets);
  tf.dispose([content, style, x, v]);
  fx.dispose();
});

test("style transfer lowers the loss on a fixed seed, leaks no tensors, and repeats exactly", () => {
  const fx = featureExtractor(tinyNet());
  const content = tf.randomUniform([1, 16, 16, 3], 0, 1, "float32", 8) as tf.Tensor4D;
  const style = textureImage("stripes", { size: 16, seed: 1 }).toTensor([0]);
  const options = { content, style, features: fx, layers: { content: "conv2_1", style: ["conv1_1", "conv2_1"] }, weights: { content: 1, style: 10, tv: 0.1 }, steps: 25, learningRate: 0.02, seed: 1 };
  // Warm-up: the first call creates kernels' cached constants.
  styleTransfer({ ...options, steps: 1 }).image.dispose();
  const before = tf.memory().numTensors;
  const a = styleTransfer(options);
  assert.equal(tf.memory().numTensors, before + 1, "only the returned image survives");
  assert.equal(a.history.length, 26);
  assert.ok(a.history[25].total < 0.5 * a.history[0].total, `total ${a.history[0].total} → ${a.history[25].total}`);
  assert.ok(a.history[25].style < a.history[0].style);
  const [lo, hi] = [a.image.min().dataSync()[0], a.image.max().dataSync()[0]];
  assert.ok(lo >= 0 && hi <= 1, "pixels stay in [0, 1]");
  const b = styleTransfer(options);
  assert.deepEqual(b.history.map((h) => h.total), a.history.map((h) => h.total));
  // From noise with the style loss alone: texture synthesis also converges.
  const t = styleTransfer({ style, features: fx, layers: options.layers, weights: { content: 0, style: 1, tv: 0 }, steps: 25, learningRate: 0.05, size: [12, 12], seed: 2 });
  assert.deepEqual(t.image.shape, [1, 12, 12, 3]);
  assert.ok(t.history[25].style < 0.5 * t.history[0].style);
  assert.ok(styleDistance(t.image, style, fx, ["conv1_1"]) >= 0);
  tf.dispose([a.image, b.image, t.image, content, style]);
  fx.dispose();
});

test("style transfer rejects bad input with a clear message", () => {
  const fx = featureExtractor(tinyNet());
  const style = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  const layers = { content: "conv2_1", style: ["conv1_1"] };
  const weights = { content: 1, style: 1, tv: 0 };
  assert.throws(() => styleTransfer({ content: tf.zeros([8, 8, 3]) as unknown as tf.Tensor4D, style, features: fx, layers, weights, steps: 1, learningRate: 0.1, seed: 0 }), /content must be one RGB image \[1, h, w, 3\]/);
  assert.throws(() => styleTransfer({ style, features: fx, layers, weights, steps: 1, learningRate: 0.1, seed: 0 }), /give the output size as size/);
  assert.throws(() => styleTransfer({ style, features: fx, layers, weights: { ...weights, tv: -1 }, steps: 1, learningRate: 0.1, size: [8, 8], seed: 0 }), /weights.tv must be ≥ 0/);
  style.dispose();
  fx.dispose();
});

test("procedural textures: deterministic, RGB, distinct, and a clear error for unknown kinds", () => {
  const a = textureImage("noise", { size: 32, seed: 3 });
  const b = textureImage("noise", { size: 32, seed: 3 });
  assert.deepEqual(a.imageShape, [32, 32, 3]);
  assert.deepEqual(a.images, b.images);
  assert.notDeepEqual(textureImage("noise", { size: 32, seed: 4 }).images, a.images);
  for (const kind of ["stripes", "checks"] as const) {
    const t = textureImage(kind, { size: 32, seed: 3 });
    assert.ok(new Set(t.images).size > 4, `${kind} has several colours`);
  }
  assert.throws(() => textureImage("dots" as never, { size: 32, seed: 0 }), /Unknown texture "dots"; valid: stripes, checks, noise/);
});

test("content emoji by name, and the user's own images from a folder (or how to provide them)", async () => {
  const emoji = await loadEmojiByName(["cat", "house"], { size: 96 });
  assert.deepEqual([emoji.size, ...emoji.imageShape], [2, 96, 96, 3]);
  await assert.rejects(loadEmojiByName(["no_such_emoji"]), /No Google emoji named "no_such_emoji"/);
  const dir = await makeImageFolder(2, { width: 40, height: 30 });
  const missing = await loadUserStyleImages(16, dir);
  assert.ok("missing" in missing && /put a photo named content\.jpg .* or set VAE_GAN_STYLE_DIR/.test(missing.missing), JSON.stringify(missing));
  fs.renameSync(path.join(dir, "img-000.png"), path.join(dir, "content.png"));
  fs.renameSync(path.join(dir, "img-001.png"), path.join(dir, "style.png"));
  const user = await loadUserStyleImages(16, dir);
  assert.ok(!("missing" in user));
  assert.deepEqual(user.content.imageShape, [16, 16, 3]);
  assert.equal(user.style.images[2], 200, "the style file's blue channel");
});
