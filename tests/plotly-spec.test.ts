import { test } from "node:test";
import assert from "node:assert/strict";
import { linePlot, logTicks, PALETTE } from "../lib/viz/plot";
import { tidyPlotlySpec } from "../scripts/render/plotly-spec";

test("log-axis ticks read 1-2-5 (1-1.5-2-3-5-7 within two decades), inside the data's range", () => {
  assert.deepEqual(logTicks(12, 310), [15, 20, 30, 50, 70, 100, 150, 200, 300]);
  assert.deepEqual(logTicks(3, 4000), [5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
  assert.deepEqual(logTicks(0, 10), [], "no ticks for a range a log axis cannot show");
});

test("a stored chart gets responsive width, no toolbar, readable log ticks, legend names and a colour per line", () => {
  const stored = {
    data: Array.from({ length: 16 }, (_, i) => ({ type: "scatter", mode: "lines", name: i === 0 ? "d_acc_real" : `trial-${i}`, x: [1, 2], y: [20 + i, 100], line: { color: PALETTE[i % 10] } })),
    layout: { width: 640, height: 360, yaxis: { type: "log", title: { text: "fd" } } },
  };
  const page = tidyPlotlySpec(stored);
  assert.equal(page.layout.width, undefined);
  assert.equal(page.config.displayModeBar, false);
  assert.equal(page.data[0].name, "D accuracy on real");
  assert.equal(new Set(page.data.map((t) => (t.line as { color: string }).color)).size, 16, "sixteen lines, sixteen colours");
  const y = page.layout.yaxis as { tickvals: number[]; ticktext: string[]; title: { text: string } };
  assert.deepEqual(y.ticktext, ["20", "30", "50", "70", "100"]);
  assert.equal(y.title.text, "FD");
  assert.equal((stored.layout as Record<string, unknown>).autosize, undefined, "the stored spec is left as it was");
  assert.equal(tidyPlotlySpec(stored, { print: true }).layout.width, 640, "print keeps the text block's width");
});

test("new charts carry the same: no fixed width, log ticks, legend names", () => {
  const chart = linePlot({ title: "t", xLabel: "epoch", yLabel: "loss", logY: true, series: [{ name: "loss", x: [1, 2], y: [10, 100] }, { name: "test_loss", x: [1, 2], y: [12, 90] }] });
  assert.equal(chart.plotly.layout.width, undefined);
  assert.deepEqual(chart.plotly.data.map((t) => t.name), ["training", "test"]);
  assert.deepEqual((chart.plotly.layout.yaxis as { ticktext: string[] }).ticktext, ["10", "15", "20", "30", "50", "70", "100"]);
  assert.match(chart.svg, />training</, "the static version's legend too");
});
