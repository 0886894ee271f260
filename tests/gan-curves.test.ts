import { test } from "node:test";
import assert from "node:assert/strict";
import { collapseVerdict, firstReach, flattening, ganCurve, valueAt } from "../lib/studies/gan-curves";
import { MetricsLine } from "../lib/runs/run-folder";
import { armCurvesFigure } from "../lib/studies/curve-figures";

/** Evaluations every 100 steps of fd = f(step), each taking 2 s of wall time, with step and epoch lines between. */
function metrics(f: (step: number) => number, last = 1000): MetricsLine[] {
  const lines: MetricsLine[] = [];
  const line = (l: Record<string, unknown>) => lines.push(l as MetricsLine);
  for (let step = 0; step <= last; step += 100) {
    if (step) line({ kind: "step", step, epoch: 0, elapsed: step / 50 - 0.1, d_loss: 1 });
    line({ kind: "eval", step, epoch: 0, elapsed: step / 50, fd: f(step), recall: 0.5 });
  }
  line({ kind: "final", step: last, epoch: 0, elapsed: last / 50, fd: f(last) });
  return lines;
}

test("a GAN run's curve: against step, images and seconds, the pretraining's cost counted", () => {
  const c = ganCurve(metrics((s) => 100 - s / 20), 64, { images: 10_000, seconds: 30 });
  assert.deepEqual(c.step.slice(0, 3), [0, 100, 200]);
  assert.deepEqual(c.images.slice(0, 3), [10_000, 16_400, 22_800]);
  assert.deepEqual(c.seconds.slice(0, 3), [30, 32, 34]);
  assert.deepEqual(Object.keys(c.values).sort(), ["fd", "recall"]);
  // Linear interpolation between evaluations, NaN outside the run.
  assert.equal(valueAt(c, "step", 150, "fd"), 92.5);
  assert.equal(valueAt(c, "seconds", 33, "fd"), 92.5);
  assert.ok(Number.isNaN(valueAt(c, "images", 5_000, "fd")), "before the GAN started: no value");
  assert.throws(() => valueAt(c, "step", 10, "density"), /no metric "density"; it has fd, recall/);
  assert.throws(() => ganCurve([], 64), /no evaluations/);
});

test("first reach of a threshold, censored when never reached", () => {
  const c = ganCurve(metrics((s) => 100 - s / 20), 64);
  assert.deepEqual(firstReach(c, "step", "fd", 80), { x: 400, reached: true });
  assert.deepEqual(firstReach(c, "step", "fd", 10), { x: 1000, reached: false });
  assert.deepEqual(firstReach(c, "step", "recall", 0.5, false), { x: 0, reached: true });
});

test("flattening: a falling line has not flattened, a curve levelling off has", () => {
  const falling = flattening(ganCurve(metrics((s) => 100 - s / 20), 64), "fd");
  assert.ok(!falling.flat && falling.change < -0.05, JSON.stringify(falling));
  const level = flattening(ganCurve(metrics((s) => 20 + 80 * Math.exp(-s / 100)), 64), "fd");
  assert.ok(level.flat && Math.abs(level.change) < 0.05, JSON.stringify(level));
  assert.throws(() => flattening(ganCurve(metrics((s) => s, 200), 64), "fd"), /at least 3 are needed/);
});

test("mode collapse: fair shares none, a starved class partial, most classes gone collapsed", () => {
  const logs = (shares: number[], recalls: number[]) => Object.fromEntries([...shares.map((s, c) => [`share_c${c}`, s]), ...recalls.map((r, c) => [`recall_c${c}`, r])]);
  assert.equal(collapseVerdict(logs([0.25, 0.25, 0.25, 0.25], [0.4, 0.5, 0.45, 0.5]), 4).verdict, "none");
  const starved = collapseVerdict(logs([0.3, 0.3, 0.39, 0.01], [0.4, 0.5, 0.45, 0.5]), 4);
  assert.deepEqual([starved.dropped, starved.verdict, starved.minShare], [[3], "partial", 0.01]);
  const unrecalled = collapseVerdict(logs([0.25, 0.25, 0.25, 0.25], [0.4, 0.5, 0.45, 0.05]), 4);
  assert.deepEqual([unrecalled.dropped, unrecalled.verdict], [[3], "partial"]);
  assert.equal(collapseVerdict(logs([0.97, 0.01, 0.01, 0.01], [0.9, 0, 0, 0]), 4).verdict, "collapsed");
  assert.throws(() => collapseVerdict({ fd: 1 }, 4), /lacks share_c0..share_c3/);
});

test("on a log axis an arm's band stops at half the lowest mean instead of reaching zero (two seeds far apart)", async () => {
  const runs = [ganCurve(metrics((s) => 100 - s / 20), 64), ganCurve(metrics((s) => 10 + s / 1000), 64)];
  type Trace = { y: number[]; fill?: string };
  const traces = async (logY: boolean) => {
    const figure = await armCurvesFigure({ scratch: runs }, "step", "fd", { title: "FD", logY });
    assert.equal(figure.kind, "chart");
    return (figure.kind === "chart" ? figure.chart.plotly.data : []) as unknown as Trace[];
  };
  const log = await traces(true);
  const lowestMean = Math.min(...log.filter((d) => d.fill !== "toself").flatMap((d) => d.y));
  const band = Math.min(...log.find((d) => d.fill === "toself")!.y);
  assert.ok(band >= lowestMean / 2 - 1e-9, `band reaches ${band}`);
  assert.ok(Math.min(...(await traces(false)).find((d) => d.fill === "toself")!.y) < 0, "a linear axis keeps the whole interval");
});
