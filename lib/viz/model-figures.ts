/**
 * Figures of trained models: loss curves, latent maps, reconstructions, prior samples,
 * interpolations, traversals and the 2-D latent manifold. Each returns a Figure for `display`.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, PixelScale } from "../data/dataset";
import sharp from "sharp";
import type { EpochInfo, Logs } from "../train/loop";
import { meanInterval } from "../stats";
import { classConditionedInputs } from "../metrics/conditional";
import { chartFigure, Figure, gridFigure } from "./figure";
import { labelledGridFigure } from "./labelled-grid";
import { linePlot, scatterPlot } from "./plot";

/** Curves of the chosen log keys against the epoch. */
export async function historyFigure(epochs: EpochInfo[], keys: string[], options: { title: string; yLabel?: string; logY?: boolean }): Promise<Figure> {
  const series = keys.map((k) => ({ name: k, x: epochs.map((e) => e.epoch + 1), y: epochs.map((e) => e.logs[k]) }));
  return chartFigure(linePlot({ title: options.title, xLabel: "epoch", yLabel: options.yLabel ?? "loss", series, logY: options.logY }));
}

/**
 * Projects codes [n, dim] on their first two principal components (power iteration on the
 * covariance, deflated); 2-D codes are returned as they are.
 */
export function principalPlane(codes: Float32Array, dim: number): { x: Float64Array; y: Float64Array } {
  const n = codes.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += codes[i * dim + d] / n;
  if (dim === 2) return { x: Float64Array.from({ length: n }, (_, i) => codes[2 * i]), y: Float64Array.from({ length: n }, (_, i) => codes[2 * i + 1]) };
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] += ((codes[i * dim + a] - mean[a]) * (codes[i * dim + b] - mean[b])) / n;
  const axes: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: dim }, (_, d) => 1 + d);
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a] += cov[a * dim + b] * v[b];
      for (const u of axes) { const p = w.reduce((s, wi, i) => s + wi * u[i], 0); for (let a = 0; a < dim; a++) w[a] -= p * u[a]; }
      const norm = Math.hypot(...w) || 1;
      v = w.map((wi) => wi / norm);
    }
    axes.push(v);
  }
  const project = (u: Float64Array) => Float64Array.from({ length: n }, (_, i) => u.reduce((s, ud, d) => s + ud * (codes[i * dim + d] - mean[d]), 0));
  return { x: project(axes[0]), y: project(axes[1]) };
}

/** Every sample's code, coloured by class: the code itself when 2-D, else its two principal components. */
export async function latentFigure(codes: Float32Array, dim: number, data: ImageDataset, options: { title: string }): Promise<Figure> {
  if (dim < 2) throw new Error(`latentFigure needs at least 2 latent dimensions, got ${dim}.`);
  const { x, y } = principalPlane(codes, dim);
  const names = data.classNames ?? ["all"];
  const groups = names.map((name) => ({ name, x: [] as number[], y: [] as number[] }));
  for (let i = 0; i < data.size; i++) {
    const g = groups[data.labels ? data.labels[i] : 0];
    g.x.push(x[i]);
    g.y.push(y[i]);
  }
  const [xLabel, yLabel] = dim === 2 ? ["z₁", "z₂"] : ["principal component 1", "principal component 2"];
  return chartFigure(scatterPlot({ title: options.title, xLabel, yLabel, groups }));
}

/** Originals (top row) over their reconstructions (bottom row), per block of `cols` samples. */
export async function reconstructionFigure(autoencode: (x: tf.Tensor4D) => tf.Tensor4D, data: ImageDataset, options: { count?: number; cols?: number; scale?: number; range?: PixelScale } = {}): Promise<Figure> {
  const { count = 10, cols = 10, scale = 2, range = "unit" } = options;
  const idx = Array.from({ length: Math.min(count, data.size) }, (_, i) => i);
  const grid = tf.tidy(() => {
    const x = data.toTensor(idx, range);
    const y = autoencode(x);
    const rows: tf.Tensor4D[] = [];
    for (let s = 0; s < idx.length; s += cols) {
      const n = Math.min(cols, idx.length - s);
      rows.push(x.slice(s, n), y.slice(s, n));
    }
    return tf.concat(rows);
  });
  const fig = await gridFigure(grid, { cols, scale, range });
  grid.dispose();
  return fig;
}

/** Decoder outputs for codes z ~ N(0, I) drawn with `seed`. */
export async function priorSamplesFigure(decoder: tf.LayersModel, options: { count?: number; cols?: number; seed: number; scale?: number; range?: PixelScale }): Promise<Figure> {
  const { count = 40, cols = 10, scale = 2, range = "unit" } = options;
  const latentDim = decoder.inputs[0].shape[1] as number;
  const images = tf.tidy(() => decoder.predict(tf.randomNormal([count, latentDim], 0, 1, "float32", options.seed)) as tf.Tensor4D);
  const fig = await gridFigure(images, { cols, scale, range });
  images.dispose();
  return fig;
}

/** Rows of linear interpolations between the codes of pairs of images. */
export async function interpolationFigure(encodeMean: (x: tf.Tensor4D) => tf.Tensor2D, decoder: tf.LayersModel, data: ImageDataset, pairs: [number, number][], options: { steps?: number; scale?: number; range?: PixelScale } = {}): Promise<Figure> {
  const { steps = 10, scale = 2, range = "unit" } = options;
  const images = tf.tidy(() => {
    const z = encodeMean(data.toTensor(pairs.flat(), range));
    const rows = pairs.map((_, p) => {
      const [a, b] = [z.slice(2 * p, 1), z.slice(2 * p + 1, 1)];
      const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
      return a.mul(tf.scalar(1).sub(t)).add(b.mul(t));
    });
    return decoder.predict(tf.concat(rows)) as tf.Tensor4D;
  });
  const fig = await gridFigure(images, { cols: steps, scale, range });
  images.dispose();
  return fig;
}

/** One row per latent dimension: that coordinate swept over [-span, span], the others 0. */
export async function traversalFigure(decoder: tf.LayersModel, options: { dims?: number[]; steps?: number; span?: number; scale?: number; range?: PixelScale } = {}): Promise<Figure> {
  const latentDim = decoder.inputs[0].shape[1] as number;
  const { dims = Array.from({ length: Math.min(latentDim, 8) }, (_, i) => i), steps = 10, span = 3, scale = 2, range = "unit" } = options;
  const codes = new Float32Array(dims.length * steps * latentDim);
  dims.forEach((d, r) => {
    for (let s = 0; s < steps; s++) codes[(r * steps + s) * latentDim + d] = -span + (2 * span * s) / (steps - 1);
  });
  const images = tf.tidy(() => decoder.predict(tf.tensor2d(codes, [dims.length * steps, latentDim])) as tf.Tensor4D);
  const fig = await gridFigure(images, { cols: steps, scale, range });
  images.dispose();
  return fig;
}

/** The decoder's images over an n×n grid of a 2-D latent space, z in [-span, span]². */
export async function manifoldFigure(decoder: tf.LayersModel, options: { n?: number; span?: number; range?: PixelScale } = {}): Promise<Figure> {
  const { n = 15, span = 2.5, range = "unit" } = options;
  if (decoder.inputs[0].shape[1] !== 2) throw new Error(`manifoldFigure needs a 2-D latent space, got ${decoder.inputs[0].shape[1]}.`);
  const codes: number[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) codes.push(-span + (2 * span * c) / (n - 1), span - (2 * span * r) / (n - 1));
  const images = tf.tidy(() => decoder.predict(tf.tensor2d(codes, [n * n, 2])) as tf.Tensor4D);
  const fig = await gridFigure(images, { cols: n, pad: 0, range });
  images.dispose();
  return fig;
}

/**
 * One curve per arm: the mean over its runs of `key` against the step, with the 95% interval
 * as a band. `arms` maps an arm's name to its runs' evaluations (each with a `step`).
 */
export async function armsFigure(arms: Record<string, Logs[][]>, key: string, options: { title: string; yLabel?: string; logY?: boolean }): Promise<Figure> {
  const series = Object.entries(arms).map(([name, runs]) => {
    const steps = [...new Set(runs.flatMap((r) => r.map((e) => e.step)))].sort((a, b) => a - b);
    const intervals = steps.map((s) => meanInterval(runs.map((r) => r.find((e) => e.step === s)?.[key] ?? NaN)));
    return { name: `${name} (n=${runs.length})`, x: steps, y: intervals.map((i) => i.mean), lower: intervals.map((i) => i.lower), upper: intervals.map((i) => i.upper) };
  });
  return chartFigure(linePlot({ title: options.title, xLabel: "step", yLabel: options.yLabel ?? key, series, logY: options.logY }));
}

/** Stacks PNG files of equal width top to bottom (e.g. a run's sample grids over time). */
export async function stackedImagesFigure(files: string[], options: { gap?: number } = {}): Promise<Figure> {
  if (files.length === 0) throw new Error("stackedImagesFigure needs at least one image file.");
  const { gap = 4 } = options;
  const metas = await Promise.all(files.map((f) => sharp(f).metadata()));
  const width = Math.max(...metas.map((m) => m.width ?? 0));
  const height = metas.reduce((h, m) => h + (m.height ?? 0), 0) + gap * (files.length - 1);
  let top = 0;
  const layers = files.map((input, i) => {
    const layer = { input, left: 0, top };
    top += (metas[i].height ?? 0) + gap;
    return layer;
  });
  const png = await sharp({ create: { width, height, channels: 3, background: "#ffffff" } }).composite(layers).png().toBuffer();
  return { kind: "png", png };
}

/**
 * A conditional generator's samples: one row per class, `perClass` codes per row (the same codes in
 * every row). With `classNames` each row carries its class's name at the left.
 */
export async function classGridFigure(generator: tf.LayersModel, numClasses: number, options: { perClass?: number; seed: number; scale?: number; classNames?: string[] }): Promise<Figure> {
  const { perClass = 10, seed, scale = 2, classNames } = options;
  if (classNames && classNames.length !== numClasses) throw new Error(`classGridFigure: ${classNames.length} class names for ${numClasses} classes.`);
  const inputs = classConditionedInputs(generator.inputs[0].shape[1] as number, numClasses, perClass, seed);
  const images = generator.predict(inputs) as tf.Tensor4D;
  try {
    if (!classNames) return await gridFigure(images, { cols: perClass, scale, range: "symmetric" });
    const rows = await Promise.all(classNames.map(async (name, c) => {
      const row = images.slice(c * perClass, perClass);
      const fig = await gridFigure(row, { cols: perClass, scale: 1, range: "symmetric" });
      row.dispose();
      return { label: `${c} · ${name}`, image: (fig as { png: Buffer }).png };
    }));
    return await labelledGridFigure(rows, { scale, gap: 2, labelWidth: 150, fontSize: 14 });
  } finally {
    tf.dispose([...inputs, images]);
  }
}
