/**
 * Neural style transfer by optimising the pixels (Gatys, Ecker & Bethge 2016): the image x minimises
 *   w_c·L_content + w_s·L_style + w_tv·L_TV
 * where, with F_l(x) the activations of layer l reshaped to [M_l positions, N_l channels],
 * - L_content = ‖F_c(x) − F_c(p)‖² / ‖F_c(p)‖²                 (one deep layer c, content image p)
 * - G_l(x)   = F_l(x)ᵀ F_l(x) / M_l                              (Gram matrix, N_l × N_l)
 * - L_style   = (1/|S|) Σ_{l∈S} ‖G_l(x) − G_l(a)‖² / ‖G_l(a)‖²  (several layers S, style image a)
 * - L_TV      = mean_{i,j,k} [(x_{i+1,j,k} − x_{i,j,k})² + (x_{i,j+1,k} − x_{i,j,k})²]  (squared total variation)
 * Each feature term is relative to its target's norm, so one set of weights means the same balance in
 * every feature network, however large its activations. Adam updates the pixels, clipped to [0, 1].
 */
import * as tf from "@tensorflow/tfjs";
import { FeatureExtractor } from "../models/feature-net";

export interface StyleWeights {
  content: number;
  style: number;
  tv: number;
}

export interface StyleLayers {
  /** The layer whose activations the content loss compares. */
  content: string;
  /** The layers whose Gram matrices the style loss compares. */
  style: string[];
}

/** Gram matrix of activations [1, h, w, c]: Fᵀ F / (h·w), shape [c, c]. */
export function gramMatrix(features: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, h, w, c] = features.shape;
    if (n !== 1) throw new Error(`gramMatrix: one image at a time, got a batch of ${n}.`);
    const f = features.reshape([h * w, c]) as tf.Tensor2D;
    return tf.matMul(f, f, true, false).div(h * w) as tf.Tensor2D;
  });
}

/**
 * Squared total variation of images [n, h, w, c]: over the (h−1)×(w−1) pixels that have a neighbour
 * below and to the right, the mean of (below − pixel)² + (right − pixel)², summed over channels / c.
 * The differences are one 2×2 convolution (fast on every engine, gradient included), not slices.
 */
export function totalVariation(x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const c = x.shape[3];
    // Kernel [2, 2, c, 2c]: output 2k is channel k's vertical difference, 2k+1 its horizontal one.
    const k = new Float32Array(4 * c * 2 * c);
    const at = (dy: number, dx: number, i: number, o: number) => ((dy * 2 + dx) * c + i) * 2 * c + o;
    for (let i = 0; i < c; i++) {
      k[at(0, 0, i, 2 * i)] = -1;
      k[at(1, 0, i, 2 * i)] = 1;
      k[at(0, 0, i, 2 * i + 1)] = -1;
      k[at(0, 1, i, 2 * i + 1)] = 1;
    }
    const d = tf.conv2d(x, tf.tensor4d(k, [2, 2, c, 2 * c]), 1, "valid");
    // mean over positions and channels of d² is (dy² + dx²) / 2 per pixel and channel: times 2.
    return d.square().mean().mul(2) as tf.Scalar;
  });
}

/** ‖a − b‖² / ‖b‖² (b is the target; a tiny floor keeps an all-zero target finite). */
function relativeSquaredError(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.squaredDifference(a, b).sum().div(b.square().sum().add(1e-12)) as tf.Scalar);
}

/** What the losses compare against: the content image's activations and the style image's Gram matrices. */
export interface StyleTargets {
  layers: StyleLayers;
  /** Activations of the content image at `layers.content` (absent for style alone). */
  content?: tf.Tensor4D;
  /** Gram matrices of the style image at `layers.style`. */
  grams: tf.Tensor2D[];
}

/** Computes the targets once (they are constants of the optimisation). Dispose with {@link disposeTargets}. */
export function styleTargets(features: FeatureExtractor, layers: StyleLayers, style: tf.Tensor4D, content?: tf.Tensor4D): StyleTargets {
  const grams = tf.tidy(() => features.extract(style, layers.style).map(gramMatrix));
  const c = content ? tf.tidy(() => features.extract(content, [layers.content])[0]) : undefined;
  return { layers, grams, content: c };
}

export function disposeTargets(t: StyleTargets): void {
  tf.dispose([...t.grams, ...(t.content ? [t.content] : [])]);
}

export interface StyleLosses {
  content: tf.Scalar;
  style: tf.Scalar;
  tv: tf.Scalar;
  total: tf.Scalar;
}

/** The three losses of image x [1, h, w, 3] and their weighted sum; the content term is 0 without a content target. */
export function styleLosses(x: tf.Tensor4D, features: FeatureExtractor, targets: StyleTargets, weights: StyleWeights): StyleLosses {
  return tf.tidy(() => {
    const { layers } = targets;
    const wanted = targets.content ? [...layers.style, layers.content] : layers.style;
    const acts = features.extract(x, wanted);
    const style = tf.addN(layers.style.map((_, i) => relativeSquaredError(gramMatrix(acts[i]), targets.grams[i]))).div(layers.style.length) as tf.Scalar;
    const content = targets.content ? relativeSquaredError(acts[acts.length - 1], targets.content) : tf.scalar(0);
    const tv = totalVariation(x);
    const total = tf.addN([content.mul(weights.content), style.mul(weights.style), tv.mul(weights.tv)]) as tf.Scalar;
    return { content, style, tv, total };
  });
}

/** Style distance of `image` to `style` in a network's features: the style loss alone (0 = same Gram matrices). */
export function styleDistance(image: tf.Tensor4D, style: tf.Tensor4D, features: FeatureExtractor, layers: string[]): number {
  const targets = styleTargets(features, { content: layers[0], style: layers }, style);
  try {
    const losses = styleLosses(image, features, targets, { content: 0, style: 1, tv: 0 });
    const value = losses.style.dataSync()[0];
    tf.dispose(Object.values(losses));
    return value;
  } finally {
    disposeTargets(targets);
  }
}

export interface StyleStep {
  step: number;
  content: number;
  style: number;
  tv: number;
  total: number;
}

export interface StyleTransferOptions {
  /** Content image [1, h, w, 3] in [0, 1]; without it the style alone is reconstructed (texture synthesis). */
  content?: tf.Tensor4D;
  /** Style image [1, h', w', 3] in [0, 1] (Gram matrices do not depend on its size). */
  style: tf.Tensor4D;
  features: FeatureExtractor;
  layers: StyleLayers;
  weights: StyleWeights;
  steps: number;
  /** Adam's step size on pixels in [0, 1]. */
  learningRate: number;
  /** Start from the content image (default when there is one) or from uniform noise. */
  init?: "content" | "noise";
  /** Size [h, w] of the image when there is no content image. */
  size?: [number, number];
  /** Seed of the initial noise. */
  seed: number;
  onStep?: (step: StyleStep) => void;
}

export interface StyleTransferResult {
  /** The optimised image [1, h, w, 3] in [0, 1]; the caller disposes it. */
  image: tf.Tensor4D;
  /** Losses before each step (step 0 = the initial image) and after the last: steps + 1 entries. */
  history: StyleStep[];
  seconds: number;
  stepsPerSecond: number;
}

function checkImage(name: string, x: tf.Tensor | undefined): void {
  if (!x) return;
  if (x.rank !== 4 || x.shape[0] !== 1 || x.shape[3] !== 3) throw new Error(`styleTransfer: ${name} must be one RGB image [1, h, w, 3] in [0, 1], got shape [${x.shape}].`);
}

/** Optimises an image's pixels with Adam so that it has `content`'s content and `style`'s style; see the module comment. */
export function styleTransfer(options: StyleTransferOptions): StyleTransferResult {
  const { content, style, features, layers, weights, steps, learningRate, seed } = options;
  checkImage("content", content);
  checkImage("style", style);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`styleTransfer: steps must be a positive integer, got ${steps}.`);
  for (const [k, v] of Object.entries(weights)) if (!(v >= 0)) throw new Error(`styleTransfer: weights.${k} must be ≥ 0, got ${v}.`);
  const init = options.init ?? (content ? "content" : "noise");
  if (init === "content" && !content) throw new Error("styleTransfer: init \"content\" needs a content image.");
  const [h, w] = content ? content.shape.slice(1, 3) : options.size ?? [];
  if (!h || !w) throw new Error("styleTransfer: without a content image, give the output size as size: [h, w].");

  const targets = styleTargets(features, layers, style, content);
  const start = init === "content" ? content!.clone() : tf.randomUniform([1, h, w, 3], 0, 1, "float32", seed);
  const image = tf.variable(start, true, undefined);
  start.dispose();
  const optimizer = tf.train.adam(learningRate);
  const history: StyleStep[] = [];
  const record = (step: number, l: StyleLosses) => {
    const [c, s, t, total] = [l.content, l.style, l.tv, l.total].map((v) => v.dataSync()[0]);
    const entry = { step, content: c, style: s, tv: t, total };
    history.push(entry);
    options.onStep?.(entry);
  };
  const begin = Date.now();
  try {
    for (let step = 0; step < steps; step++) {
      let losses: StyleLosses | undefined;
      const cost = optimizer.minimize(() => {
        losses = styleLosses(image as tf.Tensor4D, features, targets, weights);
        tf.keep(losses.content); tf.keep(losses.style); tf.keep(losses.tv);
        return losses.total;
      }, true, [image]);
      record(step, losses!);
      tf.dispose([cost!, losses!.content, losses!.style, losses!.tv]);
      tf.tidy(() => image.assign(image.clipByValue(0, 1)));
    }
    const seconds = (Date.now() - begin) / 1000;
    const last = styleLosses(image as tf.Tensor4D, features, targets, weights);
    record(steps, last);
    tf.dispose(Object.values(last));
    return { image: tf.keep(image.clone()) as tf.Tensor4D, history, seconds, stepsPerSecond: steps / Math.max(seconds, 1e-9) };
  } finally {
    image.dispose();
    optimizer.dispose();
    disposeTargets(targets);
  }
}
