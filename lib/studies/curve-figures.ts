/** Figures of a GAN study's curves: one line per arm, the mean over its seeds with a 95% band, against any axis. */
import { meanInterval } from "../stats";
import { Figure, chartFigure } from "../viz/figure";
import { linePlot } from "../viz/plot";
import { Axis, GanCurve, valueAt } from "./gan-curves";

const AXIS_LABELS: Record<Axis, string> = { step: "GAN step", images: "training images, pretraining included", seconds: "wall seconds, pretraining included" };

/**
 * The points an arm's runs are averaged at: their common evaluation points when they share them
 * (step; images within an arm), else `points` evenly spaced where every run has a value (seconds).
 */
function armGrid(runs: GanCurve[], axis: Axis, points = 60): number[] {
  const first = runs[0][axis];
  if (runs.every((r) => r[axis].length === first.length && r[axis].every((x, i) => x === first[i]))) return first;
  const from = Math.max(...runs.map((r) => r[axis][0]));
  const to = Math.min(...runs.map((r) => r[axis][r[axis].length - 1]));
  return Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
}

/** One line per arm of `key` against `axis`: the mean over the arm's runs with its 95% interval as a band. */
export async function armCurvesFigure(arms: Record<string, GanCurve[]>, axis: Axis, key: string, options: { title: string; yLabel?: string; logY?: boolean }): Promise<Figure> {
  const series = Object.entries(arms).filter(([, runs]) => runs.length).map(([name, runs]) => {
    const x = armGrid(runs, axis);
    const intervals = x.map((v) => meanInterval(runs.map((r) => valueAt(r, axis, v, key))));
    return { name: `${name} (n=${runs.length})`, x, y: intervals.map((i) => i.mean), lower: intervals.map((i) => i.lower), upper: intervals.map((i) => i.upper) };
  });
  if (!series.length) throw new Error("armCurvesFigure: no arm has a run.");
  if (options.logY) {
    // A wide interval (two seeds: t = 12.7) can reach zero or below, which a log axis would stretch over
    // decades; the band stops at half the lowest mean instead, so reaching that floor reads "extends below".
    const floor = Math.min(...series.flatMap((s) => s.y.filter((v) => v > 0))) / 2;
    for (const s of series) s.lower = s.lower.map((v) => Math.max(v, floor));
  }
  return chartFigure(linePlot({ title: options.title, xLabel: AXIS_LABELS[axis], yLabel: options.yLabel ?? key, series, logY: options.logY }));
}
