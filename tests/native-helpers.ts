/** Shared by the native-engine tests: availability gate, seeded data, cross-backend comparison. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

/** CI sets this so a missing addon fails instead of skipping. */
export const REQUIRE_ENV = "VAE_GAN_REQUIRE_NATIVE";

let reason: string | undefined;
let checked = false;

/** Registers the native backend; returns a skip message when it cannot (or throws under VAE_GAN_REQUIRE_NATIVE=1). */
export function nativeSkip(): string | false {
  if (!checked) {
    checked = true;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      (require("../lib/engine/native") as typeof import("../lib/engine/native")).registerNativeBackend();
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
  }
  if (reason === undefined) return false;
  if (process.env[REQUIRE_ENV] === "1") throw new Error(`native engine required (${REQUIRE_ENV}=1) but unavailable: ${reason}`);
  return `native engine unavailable: ${reason}`;
}

/** Deterministic uniform values in [lo, hi). */
export function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}

/** A tensor of `shape` holding rand(size, seed, lo, hi). */
export function randTensor(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(rand(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

export type Values = Float32Array | Int32Array | Uint8Array;

/**
 * Runs f on "native" and on "cpu" and returns both results as flat arrays with shapes.
 * f receives a fresh tensor maker on the active backend; everything is tidied.
 */
export async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ native: Array<{ shape: number[]; dtype: string; values: Values }>; cpu: Array<{ shape: number[]; dtype: string; values: Values }> }> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const outs = tf.tidy(() => { const r = f(); return Array.isArray(r) ? r : [r]; });
    const res = outs.map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync() as Values }));
    tf.dispose(outs);
    return res;
  };
  const native = await run("native");
  const cpu = await run("cpu");
  return { native, cpu };
}

/** Norm-wise relative error max|a-b| / max|b| (absolute when b is ~0). */
export function relError(a: Values, b: Values): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (!Number.isNaN(d)) num = Math.max(num, d);
    if (Number.isFinite(b[i])) den = Math.max(den, Math.abs(b[i]));
  }
  return den > 1e-6 ? num / den : num;
}

/** Asserts that native and cpu agree on f within tol (shapes and dtypes exactly). */
export async function assertSame(label: string, f: () => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  const { native, cpu } = await onBoth(f);
  assert.equal(native.length, cpu.length, `${label}: output count`);
  native.forEach((n, i) => {
    const c = cpu[i];
    assert.deepEqual(n.shape, c.shape, `${label}[${i}]: shape`);
    assert.equal(n.dtype, c.dtype, `${label}[${i}]: dtype`);
    const err = relError(n.values, c.values);
    assert.ok(err <= tol, `${label}[${i}]: relative error ${err} > ${tol}`);
  });
}
