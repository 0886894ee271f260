/**
 * Leaner gradients on the native backend: the same values, bit for bit, with less work.
 *
 * 1. Only the convolution gradients a step needs. tfjs-layers runs a convolution with a bias
 *    through `tf.fused.conv2d`. With a linear activation the fused op stays fused even while a
 *    gradient is recorded, and its gradient (a `customGrad`) computes dx, dfilter and dbias
 *    together whether or not they are used. A GAN step pays for that twice: the D update computes
 *    the gradient of D's first layer with respect to the images (no variable there), and the G
 *    update computes every D filter gradient (D is frozen): ~14% of the convolution work of the
 *    conditional GAN of notebook 06. While a gradient is recorded, the patch runs tfjs's own
 *    unfused path (Conv2D, then Add of the bias), whose registered gradient is lazy: the tape
 *    evaluates only inputs on a path to the requested variables. The fused kernel adds the bias
 *    in float32 exactly as Add does, and the bias gradient is the same Sum over the same axes.
 * 2. Mean's gradient without a tensor of ones. tfjs multiplies the upstream gradient by
 *    `ones(x.shape)`, filled element by element in JS (~0.4 ms for one batch-norm input of the
 *    conditional GAN, four per step), to broadcast it; broadcasting it directly gives the same
 *    values (x · 1 = x exactly).
 *
 * 3. One native pass where tfjs composes a gradient from several kernels: LeakyRelu (Greater,
 *    Multiply, Select), Tanh (Square, Sub, Multiply) and training batch norm (FusedBatchNorm's
 *    gradient: eleven full-size products, a Tile and four Sums). src/gradients.cc rounds every
 *    product to float32 in tfjs's order and sums each channel's rows in float64 in order, as the
 *    native Sum does, so the values are the same bit for bit; the per-channel factors
 *    (rsqrt(variance + eps) and its cube) are still formed by tfjs's own ops. Batch norm over a
 *    single channel keeps the stock gradient (the native Sum reduces a lone column another way).
 *
 * Off the native backend, and outside a recorded gradient, the stock ops and gradients run;
 * `setLeanGradients(false)` turns parts 2 and 3 off (the tests compare both ways).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "../addon";
import { alloc, f32, output, recordingGradient, type KernelArgs, type KernelTable } from "./util";

const PATCHED = Symbol.for("vae-gan.native.leanGradients");

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];

/** True when recording a gradient of a linear (bias-only) fused conv on `backendName`. */
function unfuse(args: FusedConv2dArgs, backendName: string): boolean {
  const linear = (args.activation ?? "linear") === "linear" && args.preluActivationWeights == null;
  return recordingGradient() && linear && (args.dataFormat ?? "NHWC") === "NHWC" && tf.getBackend() === backendName;
}

function patchFusedConv(backendName: string): void {
  const fused = tf.fused as unknown as Record<string, unknown>;
  const stock = tf.fused.conv2d;
  fused.conv2d = (args: FusedConv2dArgs): tf.Tensor => {
    if (!unfuse(args, backendName)) return stock(args);
    const y = tf.conv2d(args.x as tf.Tensor4D, args.filter as tf.Tensor4D, args.strides, args.pad, "NHWC", args.dilations, args.dimRoundingMode);
    return args.bias == null ? y : tf.add(y, args.bias);
  };
}

let enabled = true;

/** Turns the native gradients (Mean, LeakyRelu, Tanh, batch norm) on or off; on by default. */
export function setLeanGradients(on: boolean): void {
  enabled = on;
}

/**
 * True when a native gradient may run: on `backendName`, enabled, not itself being recorded (a
 * gradient of a gradient needs the stock ops, which have gradients), and every tensor float32.
 */
function lean(backendName: string, ...ts: Array<tf.Tensor | undefined>): boolean {
  if (!enabled || tf.getBackend() !== backendName) return false;
  if (recordingGradient()) return false;
  const backend = tf.backend() as MathBackendCPU;
  return ts.every((t) => t != null && f32(backend, t) != null);
}

/** Native-only kernels the gradients below call through the engine. */
const LEAKY_RELU_GRAD = "VaeGanLeakyReluGrad";
const TANH_GRAD = "VaeGanTanhGrad";
const BATCH_NORM_GRAD = "VaeGanBatchNormGrad";

/** The kernels behind part 3; inputs are checked by the callers (`lean`). */
export function gradientKernels(addon: NativeAddon): KernelTable {
  const pointwise = (run: (a: Float32Array, b: Float32Array, out: Float32Array, args: KernelArgs) => void, names: [string, string]) =>
    (args: KernelArgs) => {
      const a = f32(args.backend, args.inputs[names[0]])!, b = f32(args.backend, args.inputs[names[1]])!;
      const out = alloc(b.length);
      if (out.length > 0) run(a, b, out, args);
      return output(args.backend, [...args.inputs[names[1]]!.shape], out);
    };
  return {
    [LEAKY_RELU_GRAD]: pointwise((dy, x, out, args) => addon.leakyReluGrad(dy, x, out, Number(args.attrs?.alpha)), ["dy", "x"]),
    [TANH_GRAD]: pointwise((dy, y, out) => addon.tanhGrad(dy, y, out), ["dy", "y"]),
    [BATCH_NORM_GRAD]: (args) => {
      const v = (name: string) => f32(args.backend, args.inputs[name])!;
      const x = args.inputs.x!, C = v("mean").length;
      const dx = alloc(v("x").length), sums = [0, 1, 2, 3].map(() => new Float32Array(C));
      if (dx.length > 0) addon.batchNormGrad(v("x"), v("dy"), v("mean"), v("scale"), v("r"), v("mhrc"), dx, sums[0], sums[1], sums[2], sums[3]);
      return [output(args.backend, [...x.shape], dx), ...sums.map((s) => output(args.backend, [C], s))];
    },
  };
}

function patchMeanGradient(backendName: string): void {
  const stock = tf.getGradient(tf.Mean);
  if (!stock) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      if (!lean(backendName)) return stock.gradFunc(dy, saved, attrs);
      const [x] = saved as tf.Tensor[];
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const reduceSize = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => tf.div(tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape), reduceSize) };
    },
  });
}

/**
 * An activation's gradient as one native kernel of (dy, saved): LeakyRelu saves its input x,
 * Tanh its output y; the kernel reads the attributes it needs (alpha).
 */
function patchActivationGradient(backendName: string, kernelName: string, nativeKernel: string, savedName: "x" | "y"): void {
  const stock = tf.getGradient(kernelName);
  if (!stock) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const [s] = saved as tf.Tensor[];
      if (!lean(backendName, dy as tf.Tensor, s)) return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(nativeKernel, { dy: dy as tf.Tensor, [savedName]: s }, attrs) as tf.Tensor };
    },
  });
}

function patchBatchNormGradient(backendName: string): void {
  const stock = tf.getGradient(tf.FusedBatchNorm);
  if (!stock) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as tf.Tensor[];
      const C = mean.shape[0];
      // The per-channel form with one mean per channel of an NHWC x (tf.batchNorm makes x 4-D).
      const perChannel = mean.rank === 1 && x.rank === 4 && x.shape[3] === C && C > 1 && variance.size === C && scale?.size === C;
      if (!perChannel || !lean(backendName, dy as tf.Tensor, x, mean, variance, scale)) return stock.gradFunc(dy, saved, attrs);
      const r = tf.rsqrt(tf.add(variance, tf.scalar(attrs.varianceEpsilon as number)));
      const mhrc = tf.mul(tf.mul(tf.mul(r, r), r), tf.scalar(-0.5));
      const [dx, dMean, dVariance, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_GRAD, { x, dy: dy as tf.Tensor, mean, scale, r, mhrc }) as tf.Tensor[];
      return { x: () => dx, mean: () => dMean, variance: () => dVariance, scale: () => dScale, offset: () => dOffset };
    },
  });
}

/** Installs the patches once, and (again on each call) the native kernels they use. */
export function installLeanGradients(addon: NativeAddon, backendName: string): void {
  for (const [kernelName, impl] of Object.entries(gradientKernels(addon))) {
    if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc: (args) => impl(args as unknown as KernelArgs)! });
  }
  const fused = tf.fused as unknown as Record<PropertyKey, unknown>;
  if (fused[PATCHED]) return;
  fused[PATCHED] = true;
  patchFusedConv(backendName);
  patchMeanGradient(backendName);
  patchActivationGradient(backendName, tf.LeakyRelu, LEAKY_RELU_GRAD, "x");
  patchActivationGradient(backendName, tf.Tanh, TANH_GRAD, "y");
  patchBatchNormGradient(backendName);
}
