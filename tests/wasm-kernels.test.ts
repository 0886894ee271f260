import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectEngine } from "../lib/engine/ladder";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "../lib/engine/wasm-kernels";
import { makeRng } from "../lib/random";
import { makeM2 } from "../bench/models";

type Conv = { x: number[]; k: number[]; cout: number; stride: number; pad: "same" | "valid" };

/** Gradient of Σ w ⊙ conv2d(x, f) with respect to f, i.e. Conv2DBackpropFilter(x, w), on the active backend. */
function filterGrad(c: Conv, xv: Float32Array, fv: Float32Array, wv: Float32Array): { grad: Float32Array; leaked: number } {
  const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
  const f = tf.tensor4d(fv, [c.k[0]!, c.k[1]!, c.x[3]!, c.cout]);
  const outShape = tf.tidy(() => tf.conv2d(x, f, c.stride, c.pad).shape);
  const w = tf.tensor(wv.subarray(0, outShape.reduce((a, b) => a * b, 1)), outShape);
  const tensorsBefore = tf.memory().numTensors;
  const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, c.stride, c.pad), w)))(f);
  const leaked = tf.memory().numTensors - tensorsBefore - 1;
  const grad = g.dataSync() as Float32Array;
  tf.dispose([x, f, w, g]);
  return { grad, leaked };
}

function randoms(n: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

/** Switches backend without the cpu backend's one-time "install tfjs-node" banner. */
async function use(backend: string): Promise<void> {
  await tf.setBackend(backend);
  const active = tf.backend() as { firstUse?: boolean };
  if ("firstUse" in active) active.firstUse = false;
}

before(async () => {
  await selectEngine({ engine: "wasm", log: () => {} });
});

test("the wasm backend gets the training kernels it lacks, once", () => {
  for (const name of WASM_TRAINING_KERNELS) assert.ok(tf.getKernel(name, "wasm"), `${name} registered for wasm`);
  const count = tf.getKernelsForBackend("wasm").length;
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
  assert.equal(tf.getKernelsForBackend("wasm").length, count);
});

test("conv2d filter gradients on wasm match cpu within 1e-4 relative", async () => {
  const rng = makeRng(20240611);
  const cases: Conv[] = [];
  // Fixed corners (odd sizes, 1×1 and even kernels, a unit batch) plus random shapes.
  cases.push({ x: [1, 5, 5, 1], k: [1, 1], cout: 1, stride: 1, pad: "valid" });
  cases.push({ x: [3, 9, 7, 2], k: [4, 2], cout: 3, stride: 2, pad: "same" });
  cases.push({ x: [2, 8, 8, 3], k: [3, 3], cout: 4, stride: 2, pad: "valid" }); // a row and column left unused
  for (let i = 0; i < 12; i++) {
    const k = 1 + Math.floor(rng() * 5);
    const h = k + Math.floor(rng() * 10), w = k + Math.floor(rng() * 10);
    cases.push({
      x: [1 + Math.floor(rng() * 4), h, w, 1 + Math.floor(rng() * 6)],
      k: [k, Math.max(1, k - Math.floor(rng() * 2))],
      cout: 1 + Math.floor(rng() * 7),
      stride: 1 + Math.floor(rng() * 2),
      pad: rng() < 0.5 ? "same" : "valid",
    });
  }
  for (const c of cases) {
    const xv = randoms(c.x.reduce((a, b) => a * b, 1), rng);
    const fv = randoms(c.k[0]! * c.k[1]! * c.x[3]! * c.cout, rng);
    const wv = randoms(c.x[0]! * c.x[1]! * c.x[2]! * c.cout, rng); // at least the output's size
    await use("wasm");
    const dataIds = tf.engine().backend.numDataIds();
    const ours = filterGrad(c, xv, fv, wv);
    assert.equal(ours.leaked, 0, `no tensor left behind for ${JSON.stringify(c)}`);
    assert.equal(tf.engine().backend.numDataIds(), dataIds, `no wasm buffer left behind for ${JSON.stringify(c)}`);
    await use("cpu");
    const ref = filterGrad(c, xv, fv, wv);
    let maxDiff = 0, maxRef = 0;
    for (let i = 0; i < ref.grad.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ours.grad[i]! - ref.grad[i]!));
      maxRef = Math.max(maxRef, Math.abs(ref.grad[i]!));
    }
    assert.equal(ours.grad.length, ref.grad.length);
    assert.ok(maxDiff <= 1e-4 * Math.max(maxRef, 1e-6), `${JSON.stringify(c)}: max |wasm - cpu| = ${maxDiff}, max |cpu| = ${maxRef}`);
  }
  await use("wasm");
});

test("a conv autoencoder trains on wasm like on cpu", async () => {
  const losses: Record<string, number[]> = {};
  for (const backend of ["wasm", "cpu"]) {
    await use(backend);
    const model = makeM2(3);
    const [batch] = model.makeBatches(4, 1, 5);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) seen.push((await model.step(batch!)).loss!);
    losses[backend] = seen;
    tf.dispose(Object.values(batch!));
    model.dispose();
  }
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(losses.wasm![i]! - losses.cpu![i]!) <= 1e-4 * losses.cpu![i]!, `step ${i}: ${losses.wasm} vs ${losses.cpu}`);
  await use("wasm");
});
