/**
 * Prints the native engine's gemm level and a SHA-256 of convolution outputs and gradients, for
 * tests that run it under VAE_GAN_GEMM_ISA=avx2|scalar and compare with the default level.
 */
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { rand, randTensor } from "../native-helpers";

const native = require("../../lib/engine/native") as typeof import("../../lib/engine/native");
native.registerNativeBackend();
void tf.setBackend("native").then(() => {
  const hash = createHash("sha256");
  const t = (shape: number[], seed: number): tf.Tensor4D => randTensor(shape, seed) as tf.Tensor4D;
  // Edges of every kind: rows not a multiple of the tile, 13 and 45 columns, K blocks (700 > 512).
  const cases: Array<{ x: number[]; f: number[]; s: number; pad: "same" | "valid" }> = [
    { x: [2, 7, 5, 37], f: [1, 1, 37, 45], s: 1, pad: "valid" },
    { x: [3, 9, 9, 5], f: [3, 3, 5, 13], s: 2, pad: "same" },
    { x: [1, 3, 4, 700], f: [1, 1, 700, 3], s: 1, pad: "valid" },
    { x: [2, 24, 24, 2], f: [5, 5, 2, 33], s: 1, pad: "same" },
  ];
  for (const [i, c] of cases.entries()) {
    const outs = tf.tidy(() => {
      const x = t(c.x, 10 + i), f = t(c.f, 20 + i);
      const y = tf.conv2d(x, f, c.s, c.pad);
      const g = tf.tensor(rand(y.size, 30 + i), y.shape);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad).mul(g).sum())([x, f]);
      return [y, dx, df];
    });
    for (const o of outs) hash.update(new Uint8Array((o.dataSync() as Float32Array).buffer));
    tf.dispose(outs);
  }
  process.stdout.write(JSON.stringify({ gemm: native.nativeInfo().gemm, hash: hash.digest("hex") }) + "\n");
});
