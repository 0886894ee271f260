/**
 * Training on the native engine against the cpu backend: gradients of a small conv net,
 * the fused Adam update against tfjs's Adam, and a few training steps of a tiny model.
 * Skips when the addon is not built, unless VAE_GAN_REQUIRE_NATIVE=1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { nativeSkip, rand, relError } from "./native-helpers";

const skip = nativeSkip();
const native = (): typeof import("../lib/engine/native") => require("../lib/engine/native");

/** A small conv net with every layer kind the benchmark models use; weights from a seed. */
function convNet(): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
    tf.layers.batchNormalization(),
    tf.layers.conv2dTranspose({ filters: 3, kernelSize: 5, strides: 2, padding: "same" }),
    tf.layers.leakyReLU({ alpha: 0.2 }),
    tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: "valid", activation: "tanh" }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 5, activation: "elu" }),
    tf.layers.dense({ units: 1, activation: "sigmoid" }),
  ] });
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(rand(w.size, 50 + i, -0.5, 0.5), w.shape)));
  return m;
}

async function gradsOn(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = convNet();
  const x = tf.tensor(rand(3 * 12 * 12 * 2, 7), [3, 12, 12, 2]);
  const y = tf.tensor(rand(3, 8, 0, 1), [3, 1]);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => tf.losses.logLoss(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
  const out = [value.dataSync() as Float32Array, ...vars.map((v) => grads[v.name].dataSync() as Float32Array)];
  tf.dispose([value, x, y, ...Object.values(grads)]);
  model.dispose();
  return out;
}

test("a conv net has the same loss and gradients on native and cpu", { skip }, async () => {
  const n = await gradsOn("native");
  const c = await gradsOn("cpu");
  assert.equal(n.length, c.length);
  n.forEach((g, i) => assert.ok(relError(g, c[i]) <= 1e-4, `gradient ${i}: relative error ${relError(g, c[i])}`));
});

/** Trains a tiny dense autoencoder for `steps` Adam steps; returns losses and final weights. */
async function train(backend: string, steps: number, fused: boolean): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await tf.setBackend(backend);
  native().setFusedAdam(fused);
  try {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [20], units: 8, activation: "relu" }),
      tf.layers.dense({ units: 20, activation: "sigmoid" }),
    ] });
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(rand(w.size, 90 + i, -0.4, 0.4), w.shape)));
    const x = tf.tensor(rand(16 * 20, 3, 0, 1), [16, 20]);
    const opt = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const loss = opt.minimize(() => tf.losses.meanSquaredError(x, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    x.dispose();
    opt.dispose();
    model.dispose();
    return { losses, weights };
  } finally {
    native().setFusedAdam(undefined);
  }
}

test("fused Adam matches tfjs's Adam (1e-5) and training matches the cpu backend", { skip }, async () => {
  const fused = await train("native", 30, true);
  const stock = await train("native", 30, false);
  const cpu = await train("cpu", 30, false);
  fused.weights.forEach((w, i) => {
    assert.ok(relError(w, stock.weights[i]) <= 1e-5, `fused vs stock Adam, weight ${i}: ${relError(w, stock.weights[i])}`);
    assert.ok(relError(w, cpu.weights[i]) <= 1e-4, `native vs cpu, weight ${i}: ${relError(w, cpu.weights[i])}`);
  });
  assert.ok(fused.losses[29] < fused.losses[0] * 0.9, `loss decreases: ${fused.losses[0]} → ${fused.losses[29]}`);
  fused.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) <= 1e-4 * Math.abs(cpu.losses[i]) + 1e-7, `loss ${i}: ${l} vs ${cpu.losses[i]}`));
});

test("fused Adam never changes an array or tensor it has handed out", { skip }, async () => {
  await tf.setBackend("native");
  const v = tf.variable(tf.tensor([1, 2, 3, 4]));
  const alias = v.reshape([2, 2]);  // shares the buffer
  const snapshot = v.dataSync();    // the backend's own array on cpu-like backends
  const opt = tf.train.adam(0.1);
  const before = tf.memory().numTensors;
  opt.applyGradients([{ name: v.name, tensor: tf.tensor([1, 1, 1, 1]) }]);
  assert.deepEqual(Array.from(alias.dataSync()), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(snapshot), [1, 2, 3, 4]);
  assert.ok(v.dataSync()[0] < 1, "the variable moved");
  // Only the caller's gradient and the two moment slots (as with tfjs's Adam) outlive the call.
  assert.equal(tf.memory().numTensors, before + 3);
  // m, v and the iteration count are where tfjs keeps them (getWeights / setWeights keep working).
  const weights = await opt.getWeights();
  assert.equal(weights.length, 3);
  assert.equal(opt.iterations, 1);
  tf.dispose([v, alias]);
  opt.dispose();
});

test("a native training loop does not leak tensors", { skip }, async () => {
  await tf.setBackend("native");
  const model = convNet();
  const opt = tf.train.adam(1e-3);
  const x = tf.tensor(rand(2 * 12 * 12 * 2, 1), [2, 12, 12, 2]), y = tf.tensor([0, 1], [2, 1]);
  const step = (): void => { opt.minimize(() => tf.losses.logLoss(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar); };
  step();  // creates the optimizer slots
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
});

test("output buffers are reused only when no array or tensor can still see them", { skip }, async () => {
  await tf.setBackend("native");
  const pool = (): typeof import("../lib/engine/native/buffer-pool") => require("../lib/engine/native/buffer-pool");
  pool().drainPool();
  const x = tf.tensor(rand(4096, 11), [64, 64]);
  // A read hands out the backend's own array: its buffer must never be reused.
  const read = tf.mul(x, 2);
  const snapshot = read.dataSync();
  const copy = Float32Array.from(snapshot);
  read.dispose();
  assert.equal(pool().poolStats().buffers, 0, "a read buffer stays out of the pool");
  // An unread output returns to the pool on disposal and serves the next output of its length.
  tf.mul(x, 3).dispose();
  assert.equal(pool().poolStats().buffers, 1);
  const next = tf.add(x, 1);
  assert.equal(pool().poolStats().buffers, 0, "the next output took it");
  assert.deepEqual(snapshot, copy, "the array handed out earlier never changed");
  assert.deepEqual(next.dataSync(), Float32Array.from(x.dataSync(), (v) => Math.fround(v + 1)));
  // A view over a buffer (what a cpu kernel may return) keeps it out of the pool until the view goes too.
  const backend = tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(s: number[], d: string, v: Float32Array): { dataId: object; shape: number[]; dtype: "float32" } };
  const base = tf.sub(x, 1);
  const info = backend.makeTensorInfo([1024], "float32", backend.data.get(base.dataId).values.subarray(0, 1024));
  const view = tf.engine().makeTensorFromTensorInfo(info);
  base.dispose();
  assert.equal(pool().poolStats().buffers, 0, "a live view holds the buffer");
  view.dispose();
  assert.equal(pool().poolStats().buffers, 1, "free once the view is gone");
  tf.dispose([x, next]);
  pool().drainPool();
});

test("a GAN-style update computes only the convolution gradients it uses, with the same values", { skip }, async () => {
  // D's first layer (bias, linear activation: tfjs-layers' fused path) trained on constant images:
  // the images' gradient is never needed, so Conv2DBackpropInput must not run.
  const lossAndGrads = async (backend: string) => {
    await tf.setBackend(backend);
    const conv = tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, strides: 2, padding: "same" });
    const model = tf.sequential({ layers: [conv, tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] });
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(rand(w.size, 70 + i, -0.5, 0.5), w.shape)));
    const images = tf.tensor(rand(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    native().nativeKernelStats(true);
    const { value, grads } = tf.variableGrads(() => tf.mean(model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    const stats = native().nativeKernelStats();
    const out = [value.dataSync(), ...vars.map((v) => grads[v.name].dataSync())];
    tf.dispose([value, images, ...Object.values(grads)]);
    model.dispose();
    return { out, stats };
  };
  const n = await lossAndGrads("native");
  const c = await lossAndGrads("cpu");
  assert.equal(n.stats.Conv2DBackpropInput!.native + n.stats.Conv2DBackpropInput!.fallback, 0, "no gradient with respect to the images");
  assert.ok(n.stats.Conv2DBackpropFilter!.native > 0, "the filter gradient ran natively");
  n.out.forEach((g, i) => assert.ok(relError(g as Float32Array, c.out[i] as Float32Array) <= 1e-5, `value ${i}: ${relError(g as Float32Array, c.out[i] as Float32Array)}`));
});
