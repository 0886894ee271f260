import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildDcgan } from "../lib/models/dcgan";
import { buildVae } from "../lib/models/vae";
import { transferWeights } from "../lib/models/transfer";
import { ganStep } from "../lib/train/gan";
import { trainLoop } from "../lib/train/loop";
import * as fs from "fs";
import * as path from "path";
import { fitGan } from "../lib/train/fit-gan";
import { buildCgan } from "../lib/models/cgan";
import { ImageDataset } from "../lib/data/dataset";
import { loadModel, saveModel } from "../lib/train/model-io";
import { blobs, tempDir } from "./helpers/fixtures";

tf.setBackend("cpu");

const cfg = { imageShape: [16, 16, 1] as [number, number, number], latentDim: 4, generatorFilters: [16, 8], discriminatorFilters: [8, 16], seed: 1 };
const snapshot = (m: tf.LayersModel) => m.trainableWeights.map((w) => Array.from(w.read().dataSync()));

test("DCGAN shapes: generator z → [-1, 1] image, discriminator image → logit", () => {
  const { generator, discriminator } = buildDcgan(cfg);
  const x = tf.tidy(() => generator.predict(tf.randomNormal([3, 4], 0, 1, "float32", 1)) as tf.Tensor);
  const logit = discriminator.predict(x) as tf.Tensor;
  assert.deepEqual(x.shape, [3, 16, 16, 1]);
  assert.deepEqual(logit.shape, [3, 1]);
  assert.ok(Math.max(...x.dataSync().map(Math.abs)) <= 1);
  tf.dispose([x, logit]);
});

test("a VAE decoder transfers into the generator: same images, rescaled from [0, 1] to [-1, 1]", () => {
  const vae = buildVae({ imageShape: [16, 16, 1], filters: [8, 16], latentDim: 4, batchNorm: true, outputActivation: "sigmoid", seed: 3 });
  const { generator } = buildDcgan(cfg);
  const copied = transferWeights(vae.decoder, generator, { sigmoidToTanh: "dec_output" });
  assert.ok(copied.includes("dec_project") && copied.includes("dec_output") && copied.includes("dec_bn_0"));
  const [a, b] = tf.tidy(() => {
    const z = tf.randomNormal([5, 4], 0, 1, "float32", 2);
    return [(vae.decoder.predict(z) as tf.Tensor).mul(2).sub(1), generator.predict(z) as tf.Tensor];
  });
  const diff = tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
  assert.ok(diff < 1e-5, `max difference ${diff}`);
  tf.dispose([a, b]);
});

test("a transfer between different architectures names the layer", () => {
  const vae = buildVae({ imageShape: [16, 16, 1], filters: [8, 32], latentDim: 4, batchNorm: true, seed: 3 });
  const { generator } = buildDcgan(cfg);
  assert.throws(() => transferWeights(vae.decoder, generator), /layer "dec_project" has weights \[\[4,512\]\] in vae_decoder but \[\[4,256\]\] in generator/);
  assert.throws(() => transferWeights(vae.decoder, generator, { layers: ["nope"] }), /layer "nope" is missing/);
});

test("the generator step leaves the discriminator unchanged, and the discriminator step the generator", async () => {
  const data = blobs(32, 1, 16);
  for (const frozen of ["discriminator", "generator"] as const) {
    const gan = buildDcgan(cfg);
    const before = snapshot(gan[frozen]);
    const other = frozen === "generator" ? "discriminator" : "generator";
    const otherBefore = snapshot(gan[other]);
    const optimizers = { discriminator: tf.train.adam(frozen === "discriminator" ? 0 : 1e-3), generator: tf.train.adam(frozen === "generator" ? 0 : 1e-3) };
    await trainLoop({ data, batchSize: 8, numEpochs: 1, seed: 0, scale: "symmetric", step: ganStep(gan, optimizers, { seed: 1 }) });
    assert.deepEqual(snapshot(gan[frozen]), before, `${frozen} frozen`);
    assert.notDeepEqual(snapshot(gan[other]), otherBefore, `${other} trained`);
  }
});

test("the discriminator learns to tell real from fake when the generator stands still; no tensor leaks", async () => {
  const data = blobs(64, 2, 16);
  const gan = buildDcgan(cfg);
  const optimizers = { discriminator: tf.train.adam(2e-3), generator: tf.train.adam(0) };
  const counts: number[] = [];
  const epochs = await trainLoop({ data, batchSize: 16, numEpochs: 4, seed: 0, scale: "symmetric", step: ganStep(gan, optimizers, { seed: 1, labelSmoothing: 0.1 }), callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
  assert.ok(epochs[3].logs.d_loss < epochs[0].logs.d_loss, `d_loss ${epochs.map((e) => e.logs.d_loss)}`);
  assert.ok(epochs[3].logs.d_acc_real > 0.9 && epochs[3].logs.d_acc_fake > 0.9, JSON.stringify(epochs[3].logs));
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts ${counts}`);
  for (const k of ["d_loss", "g_loss", "d_acc_real", "d_acc_fake", "g_fool"]) assert.ok(Number.isFinite(epochs[0].logs[k]), k);
});

test("the least-squares loss runs too", async () => {
  const gan = buildDcgan(cfg);
  const epochs = await trainLoop({ data: blobs(16, 3, 16), batchSize: 8, numEpochs: 1, seed: 0, scale: "symmetric", step: ganStep(gan, { discriminator: tf.train.adam(1e-3), generator: tf.train.adam(1e-3) }, { seed: 1, loss: "least-squares" }) });
  assert.ok(Number.isFinite(epochs[0].logs.g_loss));
});

test("conditional GAN: the label changes the image, a step trains on labelled data, the model saves and loads", async () => {
  const cgan = buildCgan({ ...cfg, numClasses: 3 });
  const [a, b] = tf.tidy(() => {
    const z = tf.randomNormal([1, 4], 0, 1, "float32", 5);
    return [0, 2].map((c) => cgan.generator.predict([z, tf.oneHot(tf.tensor1d([c], "int32"), 3).cast("float32")]) as tf.Tensor);
  });
  assert.deepEqual(a.shape, [1, 16, 16, 1]);
  assert.notDeepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  tf.dispose([a, b]);
  const unlabelled = blobs(16, 1, 16);
  const data = new ImageDataset({ name: "labelled blobs", imageShape: unlabelled.imageShape, images: unlabelled.images, labels: Uint8Array.from({ length: 16 }, (_, i) => i % 3) });
  const opt = () => ({ discriminator: tf.train.adam(1e-3), generator: tf.train.adam(1e-3) });
  const epochs = await trainLoop({ data, batchSize: 8, numEpochs: 1, seed: 0, scale: "symmetric", step: ganStep(cgan, opt(), { seed: 1 }) });
  assert.ok(Number.isFinite(epochs[0].logs.d_loss));
  await assert.rejects(trainLoop({ data: unlabelled, batchSize: 8, numEpochs: 1, seed: 0, step: ganStep(cgan, opt(), { seed: 1 }) }), /conditional GAN needs labelled data/);
  const dir = path.join(tempDir("cgan"), "d");
  await saveModel(cgan.discriminator, dir);
  const loaded = await loadModel(dir);
  const [x, y] = [tf.zeros([2, 16, 16, 1]), tf.oneHot(tf.tensor1d([0, 1], "int32"), 3).cast("float32")];
  const [p, q] = [cgan.discriminator.predict([x, y]) as tf.Tensor, loaded.predict([x, y]) as tf.Tensor];
  assert.deepEqual(Array.from(q.dataSync()), Array.from(p.dataSync()));
  tf.dispose([x, y, p, q]);
});

test("fitGan starts the generator from a saved VAE decoder, evaluates from step 0, and caches the run", async () => {
  const vae = buildVae({ imageShape: [16, 16, 1], filters: [8, 16], latentDim: 4, batchNorm: true, outputActivation: "sigmoid", seed: 3 });
  const decoderDir = path.join(tempDir("vae"), "decoder");
  await saveModel(vae.decoder, decoderDir);
  const z = tf.randomNormal([4, 4], 0, 1, "float32", 11);
  const expected = tf.tidy(() => (vae.decoder.predict(z) as tf.Tensor).mul(2).sub(1));
  const metrics = (g: tf.LayersModel, step: number) => {
    const d = tf.tidy(() => (g.predict(z) as tf.Tensor).sub(expected).abs().max().dataSync()[0]);
    return { distance_to_vae: d, at: step };
  };
  const options = {
    name: `test-gan-${Date.now()}`,
    model: { kind: "dcgan" as const, config: cfg },
    init: { decoder: decoderDir, sigmoidToTanh: true },
    train: blobs(32, 4, 16),
    training: { batchSize: 8, numEpochs: 2, learningRateD: 2e-4, learningRateG: 2e-4, beta1: 0.5, seed: 1 },
    evaluate: { every: 2, metrics },
  };
  const run = await fitGan(options);
  assert.equal(run.source, "trained");
  assert.deepEqual(run.evaluations.map((e) => e.step), [0, 2, 4, 6, 8]);
  assert.ok(run.evaluations[0].distance_to_vae < 1e-5, "at step 0 the generator is the VAE decoder");
  assert.ok(run.evaluations[4].distance_to_vae > 1e-3, "then training moves it");
  const again = await fitGan(options);
  assert.equal(again.source, "cache");
  assert.deepEqual(again.evaluations, run.evaluations);
  tf.dispose([z, expected]);
  fs.rmSync(run.dir, { recursive: true, force: true });
  await assert.rejects(fitGan({ ...options, name: `test-gan-bad-${Date.now()}`, model: { kind: "dcgan", config: { ...cfg, generatorFilters: [32, 8] } } }), /layer "dec_project" has weights/);
});

test("fitGan can start the discriminator's convolutions from the VAE's encoder, and measures the last step too", async () => {
  const vae = buildVae({ imageShape: [16, 16, 1], filters: [8, 16], latentDim: 4, batchNorm: true, outputActivation: "sigmoid", seed: 4 });
  const dir = tempDir("vae-gd");
  await saveModel(vae.decoder, path.join(dir, "decoder"));
  await saveModel(vae.encoder, path.join(dir, "encoder"));
  const convs = ["enc_conv_0", "enc_conv_1"];
  const weightsOf = (m: tf.LayersModel) => convs.map((n) => m.getLayer(n).getWeights().map((w) => Array.from(w.dataSync())));
  let atStart: number[][][] = [];
  let logitAtStart: number[][] = [];
  const run = await fitGan({
    name: `test-gan-gd-${Date.now()}`,
    model: { kind: "dcgan", config: cfg },
    init: { decoder: path.join(dir, "decoder"), sigmoidToTanh: true, encoder: path.join(dir, "encoder") },
    train: blobs(32, 4, 16),
    // 4 steps an epoch, 2 epochs: evaluations at 0, 3, 6 and the last step, 8.
    training: { batchSize: 8, numEpochs: 2, learningRateD: 2e-4, learningRateG: 2e-4, beta1: 0.5, seed: 1 },
    evaluate: { every: 3, metrics: () => ({}) },
    callbacks: (models) => [{ onTrainBegin: () => {
      atStart = weightsOf(models.discriminator);
      logitAtStart = models.discriminator.getLayer("logit").getWeights().map((w) => Array.from(w.dataSync()));
    } }],
  });
  assert.deepEqual(atStart, weightsOf(vae.encoder), "D's convolutions start as the encoder's");
  const fresh = buildDcgan(cfg).discriminator;
  assert.deepEqual(logitAtStart, fresh.getLayer("logit").getWeights().map((w) => Array.from(w.dataSync())), "D's logit keeps its own initialisation");
  assert.deepEqual(run.evaluations.map((e) => e.step), [0, 3, 6, 8]);
  assert.notDeepEqual(weightsOf(run.discriminator), atStart, "then training moves them");
  fs.rmSync(run.dir, { recursive: true, force: true });
});
