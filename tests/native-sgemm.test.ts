/**
 * The native engine's sgemm (lib/engine/native/src/sgemm.cc), behind convolutions and dense layers:
 * every output element is one in-order chain of fused multiply-adds, so AVX-512, AVX2, the scalar
 * fallback and any thread count give the same bits. Checked against a float32 fma emulated exactly in JavaScript.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { nativeSkip, randTensor } from "./native-helpers";

const skip = nativeSkip();
const native = (): typeof import("../lib/engine/native") => require("../lib/engine/native");

/** float32 fma(a, b, c) rounded once. a*b is exact in float64; TwoSum makes p + c = s + e exactly. */
function fmaf(a: number, b: number, c: number): number {
  const p = a * b, s = p + c;
  const bv = s - p, e = (p - (s - bv)) + (c - bv);
  const f = Math.fround(s);
  if (e === 0 || f === s) return f;
  // s was rounded once already: only a tie between two floats can round the wrong way.
  const g = 2 * s - f;
  if (Math.fround(g) !== g) return f;
  return e > 0 ? Math.max(f, g) : Math.min(f, g);
}

function same(label: string, got: Float32Array, want: Float32Array): void {
  assert.equal(got.length, want.length, label);
  const gb = new Uint32Array(got.buffer, got.byteOffset, got.length), wb = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < gb.length; i++) {
    if (gb[i] !== wb[i]) assert.fail(`${label}: element ${i} is ${got[i]}, the in-order fma chain gives ${want[i]}`);
  }
}

const tensor = (shape: number[], seed: number): tf.Tensor4D => randTensor(shape, seed) as tf.Tensor4D;

test("fmaf emulation rounds once", () => {
  assert.equal(fmaf(1 + 2 ** -23, 1 - 2 ** -23, 0), Math.fround(1 - 2 ** -46));
  assert.equal(fmaf(3, 5, -15), 0);
  // a*b + c = 1 + 2^-23 + 2^-24 - 2^-64: float64 rounds it to a tie, which float32 would round up to 1 + 2^-22.
  const a = 2 ** -24 * (1 + 2 ** -20), b = 1 - 2 ** -20, c = 1 + 2 ** -23;
  assert.equal(Math.fround(a * b + c), 1 + 2 ** -22);
  assert.equal(fmaf(a, b, c), 1 + 2 ** -23);
  assert.equal(fmaf(-a, b, -c), -(1 + 2 ** -23));
});

test("convolution products are in-order fma chains: forward, input and filter gradients", { skip }, async () => {
  await tf.setBackend("native");
  // 1x1 convolutions are one product each: y = x W (NN), dx = dy W^T (NT), dW = x^T dy (TN).
  // 70 rows (not a multiple of the row tile), 37 and 45 columns (edge strips), 1152 pixels (K blocks of 512).
  for (const [n, h, w, c, oc] of [[2, 7, 5, 37, 45], [2, 24, 24, 3, 13]]) {
    const x = tensor([n, h, w, c], c), f = tensor([1, 1, c, oc], oc), dy = tensor([n, h, w, oc], 7);
    const [y, dx, df] = tf.tidy(() => {
      const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid").mul(dy).sum())([x, f]);
      return [tf.conv2d(x, f, 1, "valid"), gx, gf];
    });
    const X = x.dataSync() as Float32Array, F = f.dataSync() as Float32Array, D = dy.dataSync() as Float32Array;
    const P = n * h * w;
    const wantY = new Float32Array(P * oc), wantDx = new Float32Array(P * c), wantDf = new Float32Array(c * oc);
    for (let p = 0; p < P; p++) {
      for (let j = 0; j < oc; j++) { let s = 0; for (let k = 0; k < c; k++) s = fmaf(X[p * c + k], F[k * oc + j], s); wantY[p * oc + j] = s; }
      for (let j = 0; j < c; j++) { let s = 0; for (let k = 0; k < oc; k++) s = fmaf(D[p * oc + k], F[j * oc + k], s); wantDx[p * c + j] = s; }
    }
    for (let i = 0; i < c; i++) {
      for (let j = 0; j < oc; j++) { let s = 0; for (let p = 0; p < P; p++) s = fmaf(X[p * c + i], D[p * oc + j], s); wantDf[i * oc + j] = s; }
    }
    same(`y ${x.shape}`, y.dataSync() as Float32Array, wantY);
    same(`dx ${x.shape}`, dx.dataSync() as Float32Array, wantDx);
    same(`dW ${x.shape}`, df.dataSync() as Float32Array, wantDf);
    tf.dispose([x, f, dy, y, dx, df]);
  }
  // A 3x3 "same" convolution: the chain runs over (kh, kw, c) of the im2col row, padding zeros included.
  const [n, h, w, c, oc] = [2, 6, 5, 4, 9];
  const x = tensor([n, h, w, c], 3), f = tensor([3, 3, c, oc], 4);
  const y = tf.conv2d(x, f, 1, "same");
  const X = x.dataSync() as Float32Array, F = f.dataSync() as Float32Array;
  const want = new Float32Array(n * h * w * oc);
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let o = 0; o < oc; o++) {
    let s = 0;
    for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) for (let k = 0; k < c; k++) {
      const r = i + kh - 1, q = j + kw - 1;
      const v = r < 0 || r >= h || q < 0 || q >= w ? 0 : X[((b * h + r) * w + q) * c + k];
      s = fmaf(v, F[((kh * 3 + kw) * c + k) * oc + o], s);
    }
    want[((b * h + i) * w + j) * oc + o] = s;
  }
  same("3x3 same", y.dataSync() as Float32Array, want);
  tf.dispose([x, f, y]);
});

test("convolution bits do not depend on the thread count", { skip }, async () => {
  await tf.setBackend("native");
  const before = native().nativeInfo();
  // The GAN's 14x14x32 -> 64 layer at batch 64: 115 MFLOP, above the two-thread threshold.
  const x = tensor([64, 14, 14, 32], 1), f = tensor([3, 3, 32, 64], 2);
  const run = (threads: number): Float32Array[] => {
    native().setNativeThreads(threads);
    return tf.tidy(() => {
      const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").square().sum())([x, f]);
      return [tf.conv2d(x, f, 1, "same"), gx, gf];
    }).map((t) => { const v = t.dataSync() as Float32Array; t.dispose(); return v; });
  };
  try {
    const one = run(1), two = run(2);
    for (let i = 0; i < one.length; i++) same(`output ${i} at 2 threads`, two[i], one[i]);
  } finally {
    native().setNativeThreads(before.threads);
    tf.dispose([x, f]);
  }
});

test("AVX-512, AVX2 and scalar paths, on one thread or two, give the same bits: products, gradients, training", { skip }, () => {
  const run = (isa: string | undefined, threads: number): { gemm: string; threads: number; hash: string } => {
    const env: NodeJS.ProcessEnv = { ...process.env, VAE_GAN_NATIVE_THREADS: String(threads) };
    if (isa) env.VAE_GAN_GEMM_ISA = isa;
    else delete env.VAE_GAN_GEMM_ISA;
    const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "helpers", "engine-bits.ts")], { env, encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").pop()!) as { gemm: string; threads: number; hash: string };
  };
  const best = run(undefined, 1);
  const levels = ["avx512", "avx2", "scalar"];
  assert.ok(levels.includes(best.gemm), `unknown gemm level ${best.gemm}`);
  const two = run(undefined, 2);
  assert.equal(two.threads, 2);
  assert.equal(two.hash, best.hash, `two threads differ from one (${best.gemm})`);
  // Every level at or below the CPU's: the override only lowers it.
  for (const isa of levels.slice(levels.indexOf(best.gemm) + 1)) {
    const r = run(isa, 2);
    assert.equal(r.gemm, isa);
    assert.equal(r.hash, best.hash, `${isa} differs from ${best.gemm}`);
  }
});
