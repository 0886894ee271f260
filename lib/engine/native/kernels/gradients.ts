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
 * Off the native backend, and outside a recorded gradient, the stock ops and gradients run.
 */
import * as tf from "@tensorflow/tfjs-core";

const PATCHED = Symbol.for("vae-gan.native.leanGradients");

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];

/** True when recording a gradient of a linear (bias-only) fused conv on `backendName`. */
function unfuse(args: FusedConv2dArgs, backendName: string): boolean {
  const recording = (tf.engine().state as { gradientDepth: number }).gradientDepth > 0;
  const linear = (args.activation ?? "linear") === "linear" && args.preluActivationWeights == null;
  return recording && linear && (args.dataFormat ?? "NHWC") === "NHWC" && tf.getBackend() === backendName;
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

function patchMeanGradient(backendName: string): void {
  const stock = tf.getGradient(tf.Mean);
  if (!stock) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== backendName) return stock.gradFunc(dy, saved, attrs);
      const [x] = saved as tf.Tensor[];
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const reduceSize = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => tf.div(tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape), reduceSize) };
    },
  });
}

/** Installs both patches once. */
export function installLeanGradients(backendName: string): void {
  const fused = tf.fused as unknown as Record<PropertyKey, unknown>;
  if (fused[PATCHED]) return;
  fused[PATCHED] = true;
  patchFusedConv(backendName);
  patchMeanGradient(backendName);
}
