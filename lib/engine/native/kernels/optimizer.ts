/**
 * Fused Adam for the native backend.
 *
 * tfjs's AdamOptimizer.applyGradients runs ~13 elementwise kernels per variable, each allocating
 * a tensor. On the native backend we replace it (by patching AdamOptimizer.prototype once) with
 * one native loop per variable that computes the new parameter and both moments together, in
 * the same float32 operation order as tfjs, so results match the stock optimizer to rounding.
 *
 * Like tfjs, it assigns a fresh buffer to each trained variable: arrays a caller got from
 * dataSync() earlier and tensors sharing a variable's old buffer never change. The moment slots
 * m and v (private to the optimizer) are updated in place when nothing shares their buffer, which
 * saves two multi-MB allocations per variable per step, and with them V8 GC work.
 *
 * The patch only acts while the active backend is "native" and every tensor involved is float32
 * and already lives on it; otherwise (and when VAE_GAN_NATIVE_ADAM=0) the stock method runs.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "../addon";
import { alloc } from "./util";

/** Environment switch: VAE_GAN_NATIVE_ADAM=0 keeps tfjs's own Adam. */
export const FUSED_ADAM_ENV = "VAE_GAN_NATIVE_ADAM";

interface Slot { originalName: string; variable: tf.Variable }
interface AdamState {
  learningRate: number; beta1: number; beta2: number; epsilon: number;
  accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[]; accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}
type Grads = tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>;

let enabledOverride: boolean | undefined;

/** Turns the fused update on or off at run time (tests compare both); undefined → env default. */
export function setFusedAdam(enabled: boolean | undefined): void {
  enabledOverride = enabled;
}

export function fusedAdamEnabled(): boolean {
  return enabledOverride ?? process.env[FUSED_ADAM_ENV] !== "0";
}

const PATCHED = Symbol.for("vae-gan.native.fusedAdam");

function onBackend(backend: MathBackendCPU, t: tf.Tensor): Float32Array | null {
  if (t.dtype !== "float32" || !backend.data.has(t.dataId)) return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/** The slot's own buffer when nothing else shares it, else a new one (assigned after the update). */
function slotTarget(backend: MathBackendCPU, v: tf.Variable, values: Float32Array): Float32Array {
  return backend.refCount(v.dataId) === 1 ? values : alloc(values.length);
}

/** Gives the variable a new buffer, exactly as tfjs's `assign(newTensor)` does. */
function assignValues(v: tf.Variable, values: Float32Array): void {
  const t = tf.tensor(values, v.shape, "float32");
  v.assign(t);
  t.dispose();
}

interface Item { value: tf.Variable; p: Float32Array; g: Float32Array; m: tf.Variable; mv: Float32Array; v: tf.Variable; vv: Float32Array }

function fusedApply(addon: NativeAddon, opt: AdamState, grads: Grads): boolean {
  const engine = tf.engine();
  const backend = engine.backend as unknown as MathBackendCPU;
  const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
  const items: Item[] = [];
  // Check everything before changing anything, so a fallback sees untouched state.
  for (let i = 0; i < names.length; i++) {
    const value = engine.registeredVariables[names[i]];
    if (!value) return false;
    // Slots are created exactly as tfjs does, so getWeights/setWeights stay compatible.
    opt.accumulatedFirstMoment[i] ??= { originalName: `${names[i]}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    opt.accumulatedSecondMoment[i] ??= { originalName: `${names[i]}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    const grad = Array.isArray(grads) ? grads[i].tensor : grads[names[i]];
    if (grad == null) continue;
    const m = opt.accumulatedFirstMoment[i].variable, v = opt.accumulatedSecondMoment[i].variable;
    const g = onBackend(backend, grad), p = onBackend(backend, value), mv = onBackend(backend, m), vv = onBackend(backend, v);
    if (!g || !p || !mv || !vv || g.length !== p.length || mv.length !== p.length || vv.length !== p.length) return false;
    items.push({ value, p, g, m, mv, v, vv });
  }
  const a1 = onBackend(backend, opt.accBeta1), a2 = onBackend(backend, opt.accBeta2);
  if (!a1 || !a2) return false;
  const f = Math.fround;
  // tfjs: oneMinusAccBeta = sub(1, accBeta) in float32; every scalar is a float32 tensor.
  const c1 = f(1 - a1[0]), c2 = f(1 - a2[0]);
  const b1 = f(opt.beta1), b2 = f(opt.beta2);
  for (const it of items) {
    const n = it.p.length;
    const p = alloc(n), m = slotTarget(backend, it.m, it.mv), v = slotTarget(backend, it.v, it.vv);
    if (n > 0) addon.adam(it.p, it.mv, it.vv, it.g, p, m, v, f(opt.learningRate), b1, f(1 - opt.beta1), b2, f(1 - opt.beta2), f(opt.epsilon), c1, c2);
    if (m !== it.mv) assignValues(it.m, m);
    if (v !== it.vv) assignValues(it.v, v);
    assignValues(it.value, p);
  }
  assignValues(opt.accBeta1, Float32Array.of(a1[0] * b1));
  assignValues(opt.accBeta2, Float32Array.of(a2[0] * b2));
  opt.incrementIterations();
  return true;
}

/** Patches tf.AdamOptimizer once; the patch defers to the stock method off the native backend. */
export function installFusedAdam(addon: NativeAddon, backendName: string): void {
  const proto = tf.AdamOptimizer.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[PATCHED]) return;
  const stock = proto.applyGradients as (this: tf.AdamOptimizer, g: Grads) => void;
  proto[PATCHED] = stock;
  proto.applyGradients = function (this: tf.AdamOptimizer, grads: Grads): void {
    if (fusedAdamEnabled() && tf.getBackend() === backendName && fusedApply(addon, this as unknown as AdamState, grads)) return;
    stock.call(this, grads);
  };
}
