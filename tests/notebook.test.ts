import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { readChartHtml } from "../lib/viz/chart-output";
import { RESULTS_DIR_ENV } from "../lib/viz/results";
import { notebookSkip, Output, outputText, runNotebook } from "./helpers/notebook";
import { tempDir } from "./helpers/fixtures";

const skip = notebookSkip();
const NOTEBOOKS = path.join(__dirname, "..", "notebooks");

const displays = (cells: Output[][]) => cells.flat().filter((o) => o.output_type === "display_data").map((o) => o.data ?? {});
const isPng = (b64: unknown) => Buffer.from(String(b64), "base64").subarray(1, 4).toString() === "PNG";
const outputHtml = (d: Record<string, unknown>) => (Array.isArray(d["text/html"]) ? d["text/html"].join("") : String(d["text/html"] ?? ""));
const isChart = (d: Record<string, unknown>) => readChartHtml(outputHtml(d)) !== undefined;

test("a notebook importing lib/ executes headless on the tslab kernel with its figures", { skip }, () => {
  const cells = runNotebook(path.join(__dirname, "fixtures", "smoke.ipynb"), { VAE_GAN_ENGINE: "cpu" });
  assert.match(cells[0].map(outputText).join(""), /^engine: cpu \(tfjs backend "cpu", forced by VAE_GAN_ENGINE\)/);
  assert.ok(isPng(displays([cells[1]])[0]["image/png"]), "the grid is a PNG");
  const chart = displays([cells[2]]);
  assert.equal(chart.length, 1, "plotly.js is never an output, not even before the first chart");
  const parsed = readChartHtml(outputHtml(chart[0]));
  assert.ok(parsed?.spec.data.length, "the chart's HTML carries its plotly spec");
  assert.ok(isPng(parsed.png.toString("base64")), "and its PNG");
});

/** What each chapter notebook must show: image grids and plotly charts, at least. */
const EXPECTED: Record<string, { grids: number; charts: number; html?: number; markdown?: number }> = {
  "00-workbench.ipynb": { grids: 3, charts: 0 },
  "01-dense-autoencoder.ipynb": { grids: 1, charts: 2, markdown: 1 },
  "02-conv-autoencoder.ipynb": { grids: 1, charts: 2, html: 1, markdown: 1 },
  "03-colour-autoencoder.ipynb": { grids: 2, charts: 1, markdown: 1 },
  "04-variational-autoencoder.ipynb": { grids: 4, charts: 3, markdown: 1 },
  "05-vae-pretrained-gan.ipynb": { grids: 2, charts: 4, html: 2, markdown: 1 },
  "06-conditional-gan.ipynb": { grids: 2, charts: 2, html: 1, markdown: 1 },
  "07-hyperparameter-search.ipynb": { grids: 0, charts: 2, html: 2, markdown: 1 },
  // Style transfer at 32×32 with a few dozen steps per image: about a minute under quick.
  "09-style-transfer.ipynb": { grids: 3, charts: 3, html: 3, markdown: 1 },
  // Reads the results of the notebooks above, executed into `executed` by their tests.
  "08-results-and-conclusions.ipynb": { grids: 0, charts: 0, html: 2, markdown: 3 },
};
const executed = tempDir("executed");

for (const [name, want] of Object.entries(EXPECTED)) {
  test(`notebook ${name} executes under the quick profile with its figures`, { skip }, () => {
    assert.ok(fs.existsSync(path.join(NOTEBOOKS, name)));
    const cells = runNotebook(path.join(NOTEBOOKS, name), { [RESULTS_DIR_ENV]: executed }, executed);
    if (name.startsWith("08")) assert.match(cells[0].map(outputText).join(""), /^profiles: quick; engines: /, "it read the notebooks executed above");
    else assert.match(cells[0].map(outputText).join(""), /^engine: \S+ \(tfjs backend/, "the first cell says which engine ran");
    const d = displays(cells);
    const charts = d.filter(isChart);
    const grids = d.filter((x) => x["image/png"]);
    assert.ok(grids.length >= want.grids && grids.every((g) => isPng(g["image/png"])), `${grids.length} image grids`);
    assert.ok(charts.length >= want.charts && charts.every((c) => isPng(readChartHtml(outputHtml(c))!.png.toString("base64"))), `${charts.length} charts`);
    assert.ok(d.filter((x) => x["text/html"] && !isChart(x)).length >= (want.html ?? 0), "tables");
    assert.ok(d.filter((x) => x["text/markdown"]).length >= (want.markdown ?? 0), "computed prose");
  });
}

test("a long training cell with live progress keeps the kernel's output flowing", { skip }, () => {
  const cells = runNotebook(path.join(__dirname, "fixtures", "long-progress.ipynb"));
  assert.match(cells[0].map(outputText).join(""), /trained 40 epochs/);
});
