/**
 * Rewrites the chart outputs of executed notebooks in place into the current format (lib/viz/chart-output)
 * without executing anything: notebooks whose outputs took hours to compute keep them. An old chart output
 * held its plotly spec twice (JSON and inside HTML that waited for plotly.js) and a 2× PNG; it becomes one
 * HTML output with the same spec and the compact PNG (and that PNG as image/png, for formats without
 * HTML), the bytes a fresh execution writes. Outputs that
 * inlined plotly.js into a live session are dropped. Every other output, and the notebook's metadata,
 * stay as they are.
 *
 * Usage: node --import tsx scripts/migrate-chart-outputs.ts NOTEBOOK.ipynb …
 */
import * as assert from "assert";
import * as fs from "fs";
import { chartBundle, compactChartPng, PLOTLY_MIME, readChartHtml } from "../lib/viz/chart-output";
import { PlotlySpec } from "../lib/viz/plot";

interface Output { output_type: string; data?: Record<string, unknown>; metadata?: Record<string, unknown> }
interface Notebook { cells: { outputs?: Output[] }[] }

const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");

/** The old HTML wrapper kept the spec as the kernel built it; the JSON output has nbformat's sorted keys. */
function specOfOldHtml(html: string): PlotlySpec | undefined {
  const m = /^<div id="[^"]*" class="vae-gan-plotly"><\/div><script>\(function\(\)\{var s=(\{.*?\});function draw\(\)/s.exec(html);
  return m ? (JSON.parse(m[1]) as PlotlySpec) : undefined;
}

/** The output a live session used to send before its first chart: plotly.js itself. */
const isPlotlyLoader = (o: Output) => text(o.data?.["text/html"]).startsWith("<script>var __define = window.define; window.define = undefined;</script>");

/** nbformat stores text/* values as lists of lines. */
const nbformatLines = (s: string) => s.split(/(?<=\n)/);

/** Migrates the notebook object in place; returns how many charts it rewrote and loader outputs it dropped. */
export async function migrateChartOutputs(nb: Notebook): Promise<{ charts: number; loaders: number }> {
  let charts = 0;
  let loaders = 0;
  for (const cell of nb.cells) {
    if (!cell.outputs) continue;
    const kept = cell.outputs.filter((o) => !isPlotlyLoader(o));
    loaders += cell.outputs.length - kept.length;
    cell.outputs = kept;
    for (const o of kept) {
      const data = o.data;
      let bundle: Record<string, string>;
      const current = data && readChartHtml(text(data["text/html"]));
      if (current) {
        // The current HTML, from before charts also carried their PNG as image/png.
        if (data["image/png"] !== undefined) continue;
        bundle = chartBundle(current.spec, current.png);
      } else {
        if (!data?.[PLOTLY_MIME] || typeof data["image/png"] !== "string") continue;
        const stored = data[PLOTLY_MIME] as PlotlySpec;
        const spec = specOfOldHtml(text(data["text/html"])) ?? stored;
        assert.deepStrictEqual(spec, stored, "a chart's HTML and JSON outputs hold different specs: re-execute that notebook instead");
        bundle = chartBundle(spec, await compactChartPng(Buffer.from(data["image/png"], "base64"), spec));
      }
      // Keys in nbformat's (sorted) order, so the file reads as if Jupyter had written it; images are one string.
      o.data = Object.fromEntries(Object.keys(bundle).sort().map((k) => [k, k.startsWith("image/") ? bundle[k] : nbformatLines(bundle[k])]));
      charts++;
    }
  }
  return { charts, loaders };
}

async function main(files: string[]): Promise<void> {
  if (files.length === 0) throw new Error("usage: node --import tsx scripts/migrate-chart-outputs.ts NOTEBOOK.ipynb …");
  for (const file of files) {
    const before = fs.readFileSync(file, "utf8");
    const nb = JSON.parse(before) as Notebook;
    const { charts, loaders } = await migrateChartOutputs(nb);
    // Jupyter's own layout (one-space indent, a final newline), which npm run render also writes.
    const after = JSON.stringify(nb, null, 1) + "\n";
    if (after !== before) fs.writeFileSync(file, after);
    const kb = (s: string) => `${Math.round(Buffer.byteLength(s) / 1024).toLocaleString("en-US")} kB`;
    console.log(`${file}: ${charts} chart${charts === 1 ? "" : "s"} migrated, ${loaders} plotly.js output${loaders === 1 ? "" : "s"} dropped; ${kb(before)} → ${kb(after)}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
