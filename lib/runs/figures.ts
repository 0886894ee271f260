/** Figures of tracked runs: several runs' curves on one chart, and a search's results. */
import { chartFigure, Figure, tableFigure } from "../viz/figure";
import { linePlot, scatterPlot } from "../viz/plot";
import { MetricsLine, RunRecord } from "./run-folder";
import { SearchResult, searchTable } from "./search";

/** One line per run: `key` against the step, from the run's `kind` lines (steps, evaluations or epochs). */
export async function runsFigure(runs: RunRecord[], key: string, options: { kind?: MetricsLine["kind"]; title: string; yLabel?: string; logY?: boolean }): Promise<Figure> {
  const kind = options.kind ?? "epoch";
  const series = runs.map((r) => {
    const lines = r.metrics.filter((l) => l.kind === kind && Number.isFinite(l[key]));
    return { name: r.name, x: lines.map((l) => l.step), y: lines.map((l) => l[key]) };
  }).filter((s) => s.x.length > 0);
  if (series.length === 0) throw new Error(`No run has "${key}" in its ${kind} lines (runs: ${runs.map((r) => r.name).join(", ")}).`);
  return chartFigure(linePlot({ title: options.title, xLabel: "step", yLabel: options.yLabel ?? key, series, logY: options.logY }));
}

/** The objective of each finished trial against its learning rate, one colour per batch size. */
export async function searchFigure(result: SearchResult, options: { title: string }): Promise<Figure> {
  const done = result.trials.filter((t) => t.value !== null);
  const sizes = [...new Set(done.map((t) => t.params.batchSize))].sort((a, b) => a - b);
  const groups = sizes.map((b) => {
    const ts = done.filter((t) => t.params.batchSize === b);
    return { name: `batch ${b}`, x: ts.map((t) => Math.log10(t.params.learningRate)), y: ts.map((t) => t.value as number) };
  });
  return chartFigure(scatterPlot({ title: options.title, xLabel: "log₁₀ learning rate", yLabel: result.objective, groups, markerSize: 10 }));
}

/** The results table, best trial first. */
export function searchTableFigure(result: SearchResult): Figure {
  const t = searchTable(result);
  return tableFigure(t.header, t.rows);
}
