import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { ImageDataset } from "../lib/data/dataset";
import { imageGrid, layoutGrid } from "../lib/viz/grid";
import { linePlot, scatterPlot } from "../lib/viz/plot";
import { inNotebook } from "../lib/core/host";
import { chartFigure, display, gridFigure, saveFigure, slugify } from "../lib/viz/figure";
import { readNotebookResults, resultsFigure, RESULTS_MIME } from "../lib/viz/results";
import { labelledGridFigure } from "../lib/viz/labelled-grid";
import { classGridFigure } from "../lib/viz/model-figures";
import { buildCgan } from "../lib/models/cgan";
import { tempDir } from "./helpers/fixtures";

tf.setBackend("cpu");

test("grey grid PNG has the size of its layout", async () => {
  const imgs = tf.zeros([10, 28, 28, 1]);
  const png = await imageGrid(imgs, { cols: 5, pad: 2, scale: 2 });
  const meta = await sharp(png).metadata();
  assert.equal(meta.width, (5 * 30 + 2) * 2);
  assert.equal(meta.height, (2 * 30 + 2) * 2);
  assert.equal(meta.channels, 1);
  imgs.dispose();
});

test("RGB grid keeps colours and maps [-1, 1] to bytes", async () => {
  const red = tf.tensor4d([1, -1, -1], [1, 1, 1, 3]);
  const g = layoutGrid(red, { pad: 1, range: "symmetric", background: 0 });
  assert.deepEqual([g.width, g.height, g.channels], [3, 3, 3]);
  assert.deepEqual(Array.from(g.data.subarray(12, 15)), [255, 0, 0]);
  const { data, info } = await sharp(await imageGrid(red, { pad: 0, range: "symmetric" })).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  assert.deepEqual(Array.from(data), [255, 0, 0]);
  red.dispose();
});

test("grids of uint8 data sets and bad inputs", () => {
  const ds = new ImageDataset({ name: "t", imageShape: [2, 2, 1], images: new Uint8Array(12).fill(7) });
  const g = layoutGrid(ds, { pad: 0 });
  assert.deepEqual([g.width, g.height], [4, 4]);
  const t2 = tf.zeros([2, 2, 2, 2]);
  assert.throws(() => layoutGrid(t2), /1 or 3 channels, got 2/);
  assert.throws(() => layoutGrid(ds, { scale: 1.5 }), /scale must be a positive integer/);
  t2.dispose();
});

test("charts carry a plotly spec and a static SVG", async () => {
  const chart = linePlot({ title: "Loss", xLabel: "epoch", yLabel: "MSE", series: [{ name: "train", x: [1, 2, 3], y: [0.3, 0.2, 0.1], lower: [0.25, 0.15, 0.05], upper: [0.35, 0.25, 0.15] }, { name: "test", x: [1, 2, 3], y: [0.32, 0.22, 0.15] }] });
  assert.equal(chart.plotly.data.length, 3);
  assert.match(chart.svg, /<polyline/);
  assert.match(chart.svg, /<polygon/);
  const fig = await chartFigure(chart);
  assert.equal(fig.kind, "chart");
  const meta = await sharp(fig.kind === "chart" ? fig.png : Buffer.alloc(0)).metadata();
  assert.equal(meta.width, 640 * 2);
  const sc = scatterPlot({ title: "z", xLabel: "z1", yLabel: "z2", groups: [{ name: "a", x: [0, 1], y: [1, 0] }] });
  assert.equal((sc.svg.match(/<circle/g) ?? []).length, 2);
});

test("figures save under deterministic names and display falls back to files outside tslab", async () => {
  assert.equal(slugify("VAE samples (epoch 3)"), "vae-samples-epoch-3");
  assert.throws(() => slugify("!!"), /no letters or digits/);
  const dir = tempDir("fig");
  const t = tf.ones([4, 8, 8, 1]);
  const fig = await gridFigure(t);
  t.dispose();
  const files = saveFigure(fig, "Ones grid", dir);
  assert.deepEqual(files, [path.join(dir, "ones-grid.png")]);
  const again = fs.readFileSync(files[0]);
  saveFigure(await gridFigure(tf.tidy(() => tf.ones([4, 8, 8, 1]))), "Ones grid", dir);
  assert.ok(again.equals(fs.readFileSync(files[0])), "same input, same bytes");
  assert.equal(inNotebook(), false);
  display(await chartFigure(linePlot({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "s", x: [0, 1], y: [0, 1] }] })), { name: "curve", dir });
  assert.deepEqual(fs.readdirSync(dir).sort(), ["curve.plotly.json", "curve.png", "ones-grid.png"]);
});

test("a notebook's results table carries its numbers as JSON, and the results chapter reads them back", () => {
  const results = { fd: { label: "FD, final", value: 12.345678 }, arm: { label: "best arm", value: "scratch" } };
  const fig = resultsFigure(results, 3);
  assert.equal(fig.kind, "results");
  assert.match((fig as { html: string }).html, /<td>FD, final<\/td><td>12\.3<\/td>/);
  assert.match((fig as { text: string }).text, /^result +value\n-+ +-+\nFD, final +12\.3\nbest arm +scratch$/, "a plain-text table for formats without HTML");
  const dir = tempDir("results");
  const file = path.join(dir, "05-study.ipynb");
  const output = { output_type: "display_data", data: { "text/html": "<table/>", [RESULTS_MIME]: results }, metadata: {} };
  fs.writeFileSync(file, JSON.stringify({ cells: [{ cell_type: "code", source: "", outputs: [{ output_type: "stream", text: "hi" }, output] }] }));
  assert.deepEqual(readNotebookResults(file), results);
  fs.writeFileSync(file, JSON.stringify({ cells: [{ cell_type: "code", source: "", outputs: [] }] }));
  assert.throws(() => readNotebookResults(file), /05-study\.ipynb holds no results output: execute it first \(npm run render -- --only 05\)/);
  assert.deepEqual(saveFigure(fig, "study results", dir).map((f) => path.basename(f)), ["study-results.html", "study-results.json"]);
});

test("labelled sample grids: blocks scaled up without blur, labels drawn at the left, column labels on top", async () => {
  const block = (v: number) => sharp({ create: { width: 20, height: 10, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer();
  const [dark, light] = [await block(0), await block(200)];
  const fig = await labelledGridFigure([{ label: ["scratch", "seed 1"], image: dark }, { label: "G from VAE", image: light }], { scale: 3, labelWidth: 100, gap: 4 });
  assert.equal(fig.kind, "png");
  const png = (fig as { png: Buffer }).png;
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [100 + 60, 30 + 4 + 30]);
  const pixel = (x: number, y: number) => data[(y * info.width + x) * info.channels];
  assert.deepEqual([pixel(130, 15), pixel(130, 50)], [0, 200], "each block in place, scaled ×3 with its own pixels (nearest neighbour)");
  let ink = 0;
  for (let y = 0; y < 30; y++) for (let x = 0; x < 95; x++) if (pixel(x, y) < 128) ink++;
  assert.ok(ink > 20, `the label is drawn in the margin (${ink} dark pixels)`);
  const withColumns = await labelledGridFigure([{ label: "a", image: dark }], { scale: 3, columnLabels: ["T-shirt", "Trouser"] });
  assert.ok((await sharp((withColumns as { png: Buffer }).png).metadata()).height! > 30, "column labels add a header");
  await assert.rejects(labelledGridFigure([{ label: "x", image: "/no/such.png" }]), /block 1 \("x"\): no image file \/no\/such\.png/);
  await assert.rejects(labelledGridFigure([{ label: "x", image: dark }], { scale: 1.5 }), /scale must be a positive integer/);
  await assert.rejects(labelledGridFigure([]), /at least one block/);
});

test("a conditional generator's class grid: one labelled row per class, the unlabelled grid unchanged", async () => {
  tf.setBackend("cpu");
  const cgan = buildCgan({ imageShape: [28, 28, 1], latentDim: 4, numClasses: 3, generatorFilters: [8, 4], discriminatorFilters: [4, 8], batchNorm: false, seed: 1 });
  const before = tf.memory().numTensors;
  const plain = (await classGridFigure(cgan.generator, 3, { perClass: 4, seed: 2, scale: 1 })) as { png: Buffer };
  const named = (await classGridFigure(cgan.generator, 3, { perClass: 4, seed: 2, scale: 2, classNames: ["zero", "one", "two"] })) as { png: Buffer };
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  const blank = tf.zeros([4, 28, 28, 1]);
  const row = await sharp(((await gridFigure(blank, { cols: 4, scale: 1, range: "symmetric" })) as { png: Buffer }).png).metadata();
  blank.dispose();
  const [p, n] = [await sharp(plain.png).metadata(), await sharp(named.png).metadata()];
  assert.equal(p.width, row.width, "the plain grid: one row per class");
  assert.equal(n.width, 150 + 2 * row.width!, "label margin + the row scaled ×2");
  assert.equal(n.height, 3 * 2 * row.height! + 2 * 2, "three rows scaled ×2 with 2-pixel gaps");
  await assert.rejects(classGridFigure(cgan.generator, 3, { seed: 2, classNames: ["a"] }), /1 class names for 3 classes/);
});
