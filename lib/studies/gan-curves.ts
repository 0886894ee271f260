/**
 * Reading a GAN study's runs as an examiner would: each run's evaluations as a curve against its
 * step, its total training images and its wall time — both counting the autoencoder it started from —
 * so arms compare at equal compute; the first point a curve reaches a threshold (censored when it
 * never does); whether a curve has flattened; and a mode-collapse verdict from the final class shares
 * and per-class recall.
 */
import { MetricsLine } from "../runs/run-folder";

/** The axes a curve can be read against. */
export type Axis = "step" | "images" | "seconds";

export interface GanCurve {
  step: number[];
  /** Training images seen, the pretraining's included. */
  images: number[];
  /** Wall seconds of training (evaluations included), the pretraining's included. */
  seconds: number[];
  /** Every evaluated metric, one value per evaluation. */
  values: Record<string, number[]>;
}

/** What a pretrained run's autoencoder cost: its images and its training seconds. */
export type PretrainingCost = { images: number; seconds: number };

/** A GAN run's evaluations (`kind: "eval"` lines) as a curve; `pretraining` shifts the images and seconds axes. */
export function ganCurve(metrics: MetricsLine[], batchSize: number, pretraining: PretrainingCost = { images: 0, seconds: 0 }): GanCurve {
  const evals = metrics.filter((l) => l.kind === "eval").sort((a, b) => a.step - b.step);
  if (!evals.length) throw new Error("ganCurve: the run has no evaluations (no metrics.jsonl lines of kind \"eval\").");
  const keys = Object.keys(evals[0]).filter((k) => !["kind", "step", "epoch", "elapsed"].includes(k) && typeof evals[0][k] === "number");
  return {
    step: evals.map((e) => e.step),
    images: evals.map((e) => pretraining.images + e.step * batchSize),
    seconds: evals.map((e) => pretraining.seconds + (e.elapsed as number)),
    values: Object.fromEntries(keys.map((k) => [k, evals.map((e) => (typeof e[k] === "number" ? (e[k] as number) : NaN))])),
  };
}

function series(curve: GanCurve, key: string): number[] {
  const y = curve.values[key];
  if (!y) throw new Error(`The curve has no metric "${key}"; it has ${Object.keys(curve.values).join(", ")}.`);
  return y;
}

/** The metric at `x` on an axis, linearly interpolated between evaluations; NaN outside the curve's range. */
export function valueAt(curve: GanCurve, axis: Axis, x: number, key: string): number {
  const xs = curve[axis];
  const y = series(curve, key);
  if (!(x >= xs[0] && x <= xs[xs.length - 1])) return NaN;
  const i = xs.findIndex((v) => v >= x);
  if (xs[i] === x || i === 0) return y[i];
  const t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return y[i - 1] + t * (y[i] - y[i - 1]);
}

/**
 * Where the metric first reaches `threshold` (≤ for a lower-is-better metric), at evaluation
 * resolution: the axis value of that evaluation, or the curve's last value, censored, if never.
 */
export function firstReach(curve: GanCurve, axis: Axis, key: string, threshold: number, lowerIsBetter = true): { x: number; reached: boolean } {
  const y = series(curve, key);
  const i = y.findIndex((v) => (lowerIsBetter ? v <= threshold : v >= threshold));
  return i >= 0 ? { x: curve[axis][i], reached: true } : { x: curve[axis][curve[axis].length - 1], reached: false };
}

/**
 * The flattening criterion: fit a line to the metric over the last `fraction` of the run's steps;
 * the curve has flattened when the fitted change across that window is within `tolerance` of the
 * window's mean level (default: less than 5% over the last quarter).
 */
export function flattening(curve: GanCurve, key: string, options: { fraction?: number; tolerance?: number } = {}): { change: number; flat: boolean } {
  const { fraction = 0.25, tolerance = 0.05 } = options;
  const last = curve.step[curve.step.length - 1];
  const from = last - fraction * (last - curve.step[0]);
  const idx = curve.step.map((s, i) => [s, i] as const).filter(([s]) => s >= from).map(([, i]) => i);
  if (idx.length < 3) throw new Error(`flattening: only ${idx.length} evaluations in the last ${fraction * 100}% of the run; at least 3 are needed.`);
  const xs = idx.map((i) => curve.step[i]);
  const ys = idx.map((i) => series(curve, key)[i]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const change = (slope * (xs[xs.length - 1] - xs[0])) / Math.abs(my);
  return { change, flat: Math.abs(change) < tolerance };
}

export type CollapseVerdict = "none" | "partial" | "collapsed";

/**
 * Mode collapse from a generator's final evaluation: a class is dropped when it gets under a fifth
 * of its fair share of the samples (1/5K) or its real images' recall is under a quarter of the
 * median class's. None dropped: no collapse; up to half the classes: partial; more: collapsed.
 */
export function collapseVerdict(logs: Record<string, number>, numClasses: number): { dropped: number[]; minShare: number; minRecall: number; verdict: CollapseVerdict } {
  const shares = Array.from({ length: numClasses }, (_, c) => logs[`share_c${c}`]);
  const recalls = Array.from({ length: numClasses }, (_, c) => logs[`recall_c${c}`]);
  if (shares.some((s) => typeof s !== "number")) throw new Error(`collapseVerdict: the evaluation lacks share_c0..share_c${numClasses - 1}.`);
  const known = recalls.filter((r) => typeof r === "number" && Number.isFinite(r)).sort((a, b) => a - b);
  const median = known.length ? known[Math.floor(known.length / 2)] : NaN;
  const dropped = shares.map((s, c) => (s < 1 / (5 * numClasses) || recalls[c] < 0.25 * median ? c : -1)).filter((c) => c >= 0);
  return {
    dropped,
    minShare: Math.min(...shares),
    minRecall: known.length ? known[0] : NaN,
    verdict: dropped.length === 0 ? "none" : dropped.length <= numClasses / 2 ? "partial" : "collapsed",
  };
}
