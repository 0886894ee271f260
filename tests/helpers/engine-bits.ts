/**
 * Prints the native engine's gemm level, its thread count and a SHA-256 of convolution and dense
 * products with their gradients, and of a few Adam steps of a small generator-like network, for
 * tests that run it under VAE_GAN_GEMM_ISA=avx2|scalar and VAE_GAN_NATIVE_THREADS and compare.
 */
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { rand, randTensor } from "../native-helpers";

const native = require("../../lib/engine/native") as typeof import("../../lib/engine/native");
native.registerNativeBackend();

/** Output, input gradient and weight gradient of `op` against a fixed random cotangent. */
function withGrads(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Tensor, b: tf.Tensor, seed: number): tf.Tensor[] {
  const y = op(a, b);
  const g = tf.tensor(rand(y.size, seed), y.shape);
  return [y, ...tf.grads((p: tf.Tensor, q: tf.Tensor) => op(p, q).mul(g).sum())([a, b])];
}

/** Three Adam steps of dense → batch norm → transposed conv → conv, batch 32: every kernel a GAN step uses. */
function training(): tf.Tensor[] {
  const v = (shape: number[], seed: number) => tf.variable(randTensor(shape, seed, -0.3, 0.3));
  const w = { dense: v([16, 7 * 7 * 16], 1), up: v([3, 3, 8, 16], 2), conv: v([3, 3, 8, 32], 3), gamma: tf.variable(tf.ones([16])), beta: v([16], 4) };
  const z = randTensor([32, 16], 5);
  const optimizer = tf.train.adam(1e-2, 0.5);
  const losses: tf.Tensor[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push(optimizer.minimize(() => {
      const h = z.matMul(w.dense).reshape([32, 7, 7, 16]);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      const n = tf.batchNorm(h, mean, variance, w.beta, w.gamma, 1e-3).relu() as tf.Tensor4D;
      const img = tf.conv2dTranspose(n, w.up as tf.Tensor4D, [32, 14, 14, 8], 2, "same").tanh() as tf.Tensor4D;
      const f = tf.leakyRelu(tf.conv2d(img, w.conv as tf.Tensor4D, 1, "same"), 0.2);
      return f.square().mean() as tf.Scalar;
    }, true)!);
  }
  return [...losses, ...Object.values(w)];
}

void tf.setBackend("native").then(() => {
  const hash = createHash("sha256");
  const t = (shape: number[], seed: number): tf.Tensor4D => randTensor(shape, seed) as tf.Tensor4D;
  // Edges of every kind: rows not a multiple of the tile, 13 and 45 columns, K blocks (700 > 512).
  const convs: Array<{ x: number[]; f: number[]; s: number; pad: "same" | "valid" }> = [
    { x: [2, 7, 5, 37], f: [1, 1, 37, 45], s: 1, pad: "valid" },
    { x: [3, 9, 9, 5], f: [3, 3, 5, 13], s: 2, pad: "same" },
    { x: [1, 3, 4, 700], f: [1, 1, 700, 3], s: 1, pad: "valid" },
    { x: [2, 24, 24, 2], f: [5, 5, 2, 33], s: 1, pad: "same" },
  ];
  // Dense layers' shapes: a thin output (1 column), odd sizes, a K block edge, both transposes.
  const dense: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [64, 100], b: [100, 1], ta: false, tb: false },
    { a: [13, 700], b: [45, 700], ta: false, tb: true },
    { a: [37, 29], b: [37, 31], ta: true, tb: false },
    { a: [3, 17, 9], b: [3, 9, 5], ta: false, tb: false },
  ];
  const outs = tf.tidy(() => [
    ...convs.flatMap((c, i) => withGrads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), t(c.x, 10 + i), t(c.f, 20 + i), 30 + i)),
    ...dense.flatMap((d, i) => withGrads((a, b) => tf.matMul(a, b, d.ta, d.tb), randTensor(d.a, 40 + i), randTensor(d.b, 50 + i), 60 + i)),
  ]);
  const trained = training();
  for (const o of [...outs, ...trained]) hash.update(new Uint8Array((o.dataSync() as Float32Array).buffer));
  tf.dispose([...outs, ...trained]);
  const info = native.nativeInfo();
  process.stdout.write(JSON.stringify({ gemm: info.gemm, threads: info.threads, hash: hash.digest("hex") }) + "\n");
});
