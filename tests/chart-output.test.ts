import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import puppeteer, { Browser } from "puppeteer-core";
import sharp from "sharp";
import { chartHtml, compactChartPng, PLOTLY_KERNEL_RESOURCE, PLOTLY_MIME, readChartHtml } from "../lib/viz/chart-output";
import { chartFigure, display, Figure } from "../lib/viz/figure";
import { chartToPng, linePlot, scatterPlot } from "../lib/viz/plot";
import { KERNEL_NAME, pythonPath, writeKernelSpec } from "../scripts/jupyter";
import { migrateChartOutputs } from "../scripts/migrate-chart-outputs";
import { tempDir } from "./helpers/fixtures";

const PLOTLY_JS = require.resolve("plotly.js-dist-min/plotly.min.js");
const lossChart = () => linePlot({ title: "Loss <train>", xLabel: "epoch", yLabel: "MSE", series: [{ name: "train", x: [1, 2, 3], y: [0.3, 0.2, 0.1] }, { name: "test", x: [1, 2, 3], y: [0.32, 0.22, 0.15] }] });
/** A latent scatter as the notebooks draw it: thousands of points in ten classes. */
const latentChart = () => scatterPlot({ title: "codes", xLabel: "z1", yLabel: "z2", groups: Array.from({ length: 10 }, (_, g) => ({ name: `class ${g}`, x: Array.from({ length: 300 }, (_, i) => Math.sin(i * 7.1 + g) * 10 + g), y: Array.from({ length: 300 }, (_, i) => Math.cos(i * 3.7 + g) * 10 - g) })) });

/** What display() sends to a live tslab kernel's front end, captured through tslab's own channel. */
function displayed(figure: Figure): Record<string, unknown>[] {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const sent: Record<string, unknown>[] = [];
  jupyter.lastWriteDisplayData = (content: { data: Record<string, unknown> }) => sent.push(content.data);
  try {
    display(figure, { name: "loss" });
  } finally {
    jupyter.lastWriteDisplayData = null;
  }
  return sent;
}

test("a live chart is one output holding one plotly spec and one PNG, and no plotly.js", async () => {
  const chart = lossChart();
  const figure = await chartFigure(chart);
  // Twice, as a session's first and second charts: plotly.js is never sent, not even before the first.
  const sent = [...displayed(figure), ...displayed(figure)];
  assert.equal(sent.length, 2, "one output per chart");
  const bundle = sent[0];
  assert.deepEqual(Object.keys(bundle).sort(), ["image/png", "text/html", "text/plain"]);
  const html = String(bundle["text/html"]);
  assert.equal(html.match(/data:image\/png;base64,/g)?.length, 1, "one PNG");
  assert.equal(html.split(`<script type="${PLOTLY_MIME}">`).length, 2, "one spec");
  assert.equal(html.match(/"layout":/g)?.length, 1, "the spec is not repeated elsewhere");
  assert.ok(!html.includes("plotly.js v") && html.length < 40_000, `no plotly.js source (${html.length} characters)`);
  assert.equal(bundle["text/plain"], "<chart: Loss <train>>");
  const back = readChartHtml(html);
  assert.deepEqual(back?.spec, chart.plotly, "the spec reads back");
  assert.ok(back?.png.equals((figure as { png: Buffer }).png), "and so does the PNG");
  assert.equal(readChartHtml("<table><tr><td>1</td></tr></table>"), undefined);
});

test("chart PNGs are compact: a palette, and dense scatters at the chart's own size", async () => {
  const line = lossChart();
  const full = await chartToPng(line);
  const compact = await compactChartPng(full, line.plotly);
  const meta = await sharp(compact).metadata();
  assert.deepEqual([meta.width, meta.height, meta.isPalette], [1280, 720, true], "line charts keep 2× for print, in a palette");
  assert.ok(compact.length < full.length, `${compact.length} < ${full.length} bytes`);
  assert.ok(compact.equals(await compactChartPng(full, line.plotly)), "same input, same bytes");
  const scatter = latentChart();
  const dense = await compactChartPng(await chartToPng(scatter), scatter.plotly);
  assert.equal((await sharp(dense).metadata()).width, 640, "3,000 markers: stored at 1×");
  // Either way the page shows the chart at its own width (640), shrinking to a narrower column.
  assert.match(chartHtml(line.plotly, compact), /<img [^>]*width="640"[^>]*max-width:100%/);
  assert.match(chartHtml(scatter.plotly, dense), /<img [^>]*width="640"/);
});

test("the project kernel's spec folder serves plotly.js at the URL chart outputs load it from", () => {
  assert.equal(PLOTLY_KERNEL_RESOURCE, `kernelspecs/${KERNEL_NAME}/plotly.min.js`);
  const specDir = writeKernelSpec(tempDir("jupyter"));
  assert.ok(fs.readFileSync(path.join(specDir, "plotly.min.js")).equals(fs.readFileSync(PLOTLY_JS)));
});

test("migrating an old chart output gives the bytes a fresh execution writes, and touches nothing else", async () => {
  const chart = lossChart();
  // The old format: the spec as JSON (nbformat sorts keys) and in HTML waiting for window.Plotly, a 2× PNG.
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  const oldHtml = `<div id="plot-loss" class="vae-gan-plotly"></div><script>(function(){var s=${JSON.stringify(chart.plotly).replace(/</g, "\\u003c")};function draw(){if(!window.Plotly){return setTimeout(draw,50);}Plotly.newPlot("plot-loss",s.data,s.layout,{responsive:true,displaylogo:false});}draw();})();</script>`;
  const old = { output_type: "display_data", metadata: {}, data: { [PLOTLY_MIME]: sorted(chart.plotly), "image/png": (await chartToPng(chart)).toString("base64"), "text/html": [oldHtml], "text/plain": ["<chart>"] } };
  const loader = { output_type: "display_data", metadata: {}, data: { "text/html": ["<script>var __define = window.define; window.define = undefined;</script><script>/* plotly.js */</script>"] } };
  const stream = { output_type: "stream", name: "stdout", text: ["epoch 1/1\n"] };
  const nb = { metadata: { vae_gan: { freeze: "abc", profile: "full" } }, cells: [{ cell_type: "code", source: ["x"], outputs: [stream, loader, old] }] };
  assert.deepEqual(await migrateChartOutputs(nb), { charts: 1, loaders: 1 });
  const fresh = displayed(await chartFigure(chart))[0];
  assert.deepEqual(nb.cells[0].outputs, [stream, { output_type: "display_data", metadata: {}, data: { "text/html": [fresh["text/html"]], "image/png": fresh["image/png"], "text/plain": [fresh["text/plain"]] } }]);
  assert.deepEqual(nb.metadata, { vae_gan: { freeze: "abc", profile: "full" } });
  assert.deepEqual(await migrateChartOutputs(nb), { charts: 0, loaders: 0 }, "a second run changes nothing");
  const migrated = structuredClone(nb.cells[0].outputs);
  delete (nb.cells[0].outputs[1] as { data: Record<string, unknown> }).data["image/png"];
  assert.deepEqual(await migrateChartOutputs(nb), { charts: 1, loaders: 0 }, "a chart without its image/png copy gets it");
  assert.deepEqual(nb.cells[0].outputs, migrated);
});

const chromiumMissing = fs.existsSync("/usr/bin/chromium") ? false : "Debian's chromium is not installed (npm run setup)";

/**
 * Opens `html` in headless chromium at `url` (served by interception, like a Jupyter server); `files` maps other
 * URLs to files, anything else is a 404. `requested` lists the other http URLs the page asked for (but its icon).
 */
async function openPage(browser: Browser, url: string, html: string, files: Record<string, string> = {}) {
  const page = Object.assign(await browser.newPage(), { requested: [] as string[] });
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    if (req.url() === url) return void req.respond({ status: 200, contentType: "text/html", body: html });
    if (req.url().startsWith("http") && !req.url().endsWith("/favicon.ico")) page.requested.push(req.url());
    const file = files[req.url()];
    return void (file ? req.respond({ status: 200, contentType: "application/javascript", body: fs.readFileSync(file) }) : req.respond({ status: 404, body: "not found" }));
  });
  await page.goto(url, { waitUntil: "load" });
  return page;
}

/** Per chart of the page, once each has settled (no plotly chart, or one drawn with its PNG hidden): PNG shown, chart drawn. */
async function chartStates(page: import("puppeteer-core").Page): Promise<{ pngShown: boolean; live: boolean }[]> {
  // Strings, not functions: they run in the page, and this project's TypeScript has no DOM types.
  await page.waitForFunction(`[...document.querySelectorAll(".vae-gan-chart")].every((el) => !el.querySelector(".main-svg") || el.querySelector("img").style.display === "none")`, { timeout: 120_000 });
  return page.evaluate(`[...document.querySelectorAll(".vae-gan-chart")].map((el) => {
    const img = el.querySelector("img");
    return { pngShown: img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().height > 0, live: el.querySelectorAll(".main-svg").length > 0 };
  })`) as Promise<{ pngShown: boolean; live: boolean }[]>;
}

test("in a browser the chart output shows its PNG without plotly.js and the live chart with it", { skip: chromiumMissing }, async () => {
  const output = chartHtml(lossChart().plotly, (await chartFigure(lossChart()) as { png: Buffer }).png);
  const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    // nbconvert's HTML, an untrusted notebook, any viewer: no plotly.js, no Jupyter server.
    const plain = await openPage(browser, "http://viewer.test/nb.html", `<!doctype html><html><body>${output}</body></html>`);
    assert.deepEqual(plain.requested, [], "no server to ask: nothing requested");
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await chartStates(plain), [{ pngShown: true, live: false }]);
    // The book's pages load plotly.js once in <head>.
    const book = await openPage(browser, "http://book.test/ch.html", `<!doctype html><html><head><script src="site_libs/plotly.min.js"></script></head><body>${output}</body></html>`, { "http://book.test/site_libs/plotly.min.js": PLOTLY_JS });
    await book.waitForSelector(".vae-gan-chart .main-svg", { timeout: 20_000 });
    assert.deepEqual(await chartStates(book), [{ pngShown: false, live: true }]);
    // A classic Notebook page (its base URL on <body>): plotly.js comes from the kernel spec's resources.
    const notebookPage = (body: string) => `<!doctype html><html><head></head><body data-base-url="/user/ada/">${body}</body></html>`;
    const live = await openPage(browser, "http://jupyter.test/user/ada/notebooks/01.ipynb", notebookPage(output + output), { [`http://jupyter.test/user/ada/${PLOTLY_KERNEL_RESOURCE}`]: PLOTLY_JS });
    await live.waitForFunction(`document.querySelectorAll(".vae-gan-chart .main-svg").length >= 2`, { timeout: 20_000 });
    assert.equal(await live.evaluate(`document.querySelectorAll('script[src$="plotly.min.js"]').length`), 1, "plotly.js loaded once for two charts");
    // The same page where the server does not have it (a kernel registered before this change): the PNG stays.
    const missing = await openPage(browser, "http://jupyter.test/notebooks/01.ipynb", `<!doctype html><html><head><script id="jupyter-config-data" type="application/json">{"baseUrl": "/"}</script></head><body>${output}</body></html>`);
    await missing.waitForFunction(`"vaeGanPlotly" in window`);
    await missing.evaluate(`window.vaeGanPlotly.catch(() => {})`);
    assert.deepEqual(missing.requested, [`http://jupyter.test/${PLOTLY_KERNEL_RESOURCE}`], "JupyterLab's base URL found; nothing from the internet");
    assert.deepEqual(await chartStates(missing), [{ pngShown: true, live: false }]);
  } finally {
    await browser.close();
  }
});

const classicNotebookMissing = spawnSync(pythonPath(), ["-c", "import notebook.notebookapp"]).status === 0 ? chromiumMissing : "Debian's jupyter-notebook (the classic Notebook) is not installed (npm run setup)";
if (process.env.CI && classicNotebookMissing) throw new Error(`CI must have chromium and the classic Notebook: ${classicNotebookMissing}`);

/** A copy of a committed notebook that starts no kernel when opened; `marker` makes its content (and signature) its own. */
function notebookCopy(from: string, to: string, marker: string): void {
  const nb = JSON.parse(fs.readFileSync(from, "utf8"));
  nb.metadata = { ...nb.metadata, kernelspec: { name: "no-kernel-for-this-test", display_name: "none", language: "none" }, marker };
  fs.writeFileSync(to, JSON.stringify(nb, null, 1) + "\n");
}

test("in the classic Notebook UI the committed charts show their PNG untrusted, and turn live trusted with plotly.js from the kernel spec", { skip: classicNotebookMissing }, async () => {
  const root = tempDir("classic");
  const dirs = { JUPYTER_CONFIG_DIR: tempDir("jcfg"), JUPYTER_DATA_DIR: tempDir("jdata"), JUPYTER_RUNTIME_DIR: tempDir("jrt"), JUPYTER_PATH: tempDir("jpath") };
  writeKernelSpec(dirs.JUPYTER_PATH);
  // Notebook 01: a loss curve and a latent scatter (WebGL), as committed.
  const committed = path.join(__dirname, "..", "notebooks", "01-dense-autoencoder.ipynb");
  notebookCopy(committed, path.join(root, "untrusted.ipynb"), "untrusted");
  notebookCopy(committed, path.join(root, "trusted.ipynb"), "trusted");
  const env = { ...process.env, ...dirs };
  const sign = spawnSync(pythonPath(), ["-c", "from nbformat.sign import TrustNotebookApp as T; T.launch_instance()", path.join(root, "trusted.ipynb")], { env, encoding: "utf8" });
  assert.equal(sign.status, 0, sign.stderr);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(pythonPath(), ["-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--NotebookApp.token=", "--NotebookApp.password=", "--allow-root", `--notebook-dir=${root}`], { env, stdio: ["ignore", "ignore", "pipe"] });
  const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let log = "";
      server.stderr!.on("data", (b: Buffer) => {
        log += b.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
        if (m) resolve(m[1]);
      });
      server.on("exit", (code) => reject(new Error(`the Notebook server exited (${code}):\n${log}`)));
    });
    const open = async (name: string) => {
      const page = await browser.newPage();
      await page.goto(`${url}notebooks/${name}`, { waitUntil: "load", timeout: 120_000 });
      await page.waitForSelector(".vae-gan-chart img", { timeout: 120_000 });
      return page;
    };
    const untrusted = await open("untrusted.ipynb");
    assert.equal(await untrusted.evaluate("Jupyter.notebook.trusted"), false);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await chartStates(untrusted), [{ pngShown: true, live: false }, { pngShown: true, live: false }], "untrusted: scripts do not run, the PNGs show");
    const trusted = await open("trusted.ipynb");
    assert.equal(await trusted.evaluate("Jupyter.notebook.trusted"), true);
    await trusted.waitForSelector(".vae-gan-chart .main-svg", { timeout: 120_000 });
    const [curve, scatter] = await chartStates(trusted);
    assert.deepEqual(curve, { pngShown: false, live: true }, "trusted: the live chart replaces the PNG");
    assert.ok(scatter.live !== scatter.pngShown, `the WebGL scatter is live, or its PNG shows where WebGL is missing (${JSON.stringify(scatter)})`);
    assert.equal(await trusted.evaluate(`document.querySelector('script[src$="plotly.min.js"]').src`), `${url}${PLOTLY_KERNEL_RESOURCE}`);
  } finally {
    await browser.close();
    server.kill("SIGTERM");
  }
});
