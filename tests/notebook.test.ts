import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { executeNotebook, jupyterUnavailableReason } from "../scripts/jupyter";
import { PLOTLY_MIME, RENDER_ENV } from "../lib/viz/figure";
import { tempDir } from "./helpers/fixtures";

const unavailable = jupyterUnavailableReason();

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }

test("a notebook importing lib/ executes headless on the tslab kernel with its figures", { skip: !process.env.CI && unavailable ? unavailable : false }, () => {
  assert.equal(unavailable, null, `CI must have Jupyter: ${unavailable}`);
  const output = path.join(tempDir("nb"), "smoke.ipynb");
  const result = executeNotebook(path.join(__dirname, "fixtures", "smoke.ipynb"), { output, env: { [RENDER_ENV]: "1", VAE_GAN_ENGINE: "cpu" } });
  assert.ok(result.ok, `notebook failed:\n${result.stderr}`);
  const cells = (JSON.parse(fs.readFileSync(output, "utf8")) as { cells: { outputs: Output[] }[] }).cells;
  const text = (o: Output) => (Array.isArray(o.text) ? o.text.join("") : o.text ?? "");
  assert.match(cells[0].outputs.map(text).join(""), /^engine: cpu \(tfjs backend "cpu", forced by VAE_GAN_ENGINE\)/);
  const grid = cells[1].outputs.find((o) => o.output_type === "display_data")!;
  assert.ok(Buffer.from(String(grid.data!["image/png"]), "base64").subarray(1, 4).toString() === "PNG", "the grid is a PNG");
  const chart = cells[2].outputs.filter((o) => o.output_type === "display_data");
  assert.equal(chart.length, 1, "under render, plotly.js is not embedded in the notebook");
  assert.ok(chart[0].data![PLOTLY_MIME], "the chart carries its plotly spec");
  assert.ok(chart[0].data!["image/png"], "and a static PNG fallback");
  assert.match(String(chart[0].data!["text/html"]), /Plotly\.newPlot/);
});
