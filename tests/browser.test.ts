/**
 * The fixture book as a reader meets it, in a real headless Chromium (Debian's, driven by puppeteer-core):
 * a phone-width page does not scroll sideways and opens its chapter list from a button, search finds a
 * word, a plotly chart draws, every local link and anchor resolves, and the PDF has an outline, page
 * numbers and a contents with pages.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "puppeteer-core";
import { chromiumPath, renderBook } from "../scripts/render/book";
import { fixtureBook } from "./helpers/book-fixture";
import { launchBrowser } from "./helpers/browser";

// Page functions run in Chromium; the project compiles without the DOM library (a global `lib="dom"`
// would retype Node's own AbortSignal), so what they touch is `any` here.
declare const document: any, window: any;
declare function getComputedStyle(e: unknown): any;
type HTMLAnchorElement = any;
type HTMLImageElement = any;

const chromium = chromiumPath();
const missing =
  spawnSync("pandoc", ["--version"]).error ? "pandoc is not installed (npm run setup)"
  : !chromium ? "chromium is not installed (npm run setup)"
  : spawnSync("pdftotext", ["-v"]).error ? "poppler-utils (pdftotext, pdfinfo) are not installed (npm run setup)"
  : false;
if (process.env.CI && missing) throw new Error(`CI must run the browser test: ${missing}`);

let book = "";
let pdf = "";
let browser: Browser;
const PAGES = ["index.html", "theory.html", "nb.html", "refs.html"];

before(async () => {
  if (missing) return;
  const dir = fixtureBook();
  const result = renderBook({ projectDir: dir, log: () => {} });
  book = path.join(dir, "_book");
  pdf = result.pdf!;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function open(file: string, width: number): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 800 });
  await page.goto("file://" + path.join(book, file), { waitUntil: "load" });
  return page;
}

test("no page scrolls sideways on a 390 px phone, and the chapter list opens from the top bar", { skip: missing }, async () => {
  for (const file of PAGES) {
    const page = await open(file, 390);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${file} is ${overflow} px wider than the phone`);
    if (file === "nb.html") {
      assert.equal(await page.$eval(".sidebar", (e) => getComputedStyle(e).display), "none", "the chapter list waits behind its button");
      await page.click(".nav-button");
      assert.equal(await page.$eval(".sidebar", (e) => getComputedStyle(e).display), "block", "the button opens it");
      const table = await page.$eval(".table-scroll", (e) => [e.scrollWidth, e.clientWidth]);
      assert.ok(table[0] > table[1], "the wide table scrolls inside its own box");
    }
    await page.close();
  }
});

test("search finds a word of another page, offline", { skip: missing }, async () => {
  const page = await open("index.html", 1280);
  await page.type("#search-input", "quincunx");
  await page.waitForSelector("#search-results li a", { timeout: 10000 });
  const hits = await page.$$eval("#search-results li a", (links) => links.map((a) => (a as HTMLAnchorElement).href));
  assert.ok(hits.some((h) => h.endsWith("theory.html#sec-value")), `hits: ${hits.join(", ")}`);
  assert.match(await page.$eval("#search-results li p", (p) => p.innerHTML), /<mark>quincunx<\/mark>/i);
  await page.close();
});

test("a plotly chart draws at the column's width, with readable log ticks and legend names", { skip: missing }, async () => {
  const page = await open("nb.html", 390);
  await page.waitForSelector("#fig-loss .main-svg", { timeout: 10000 });
  const chart = await page.$eval("#fig-loss .cell-output-plotly", (e) => ({
    width: e.getBoundingClientRect().width,
    ticks: Array.from(e.querySelectorAll(".ytick text"), (t: any) => t.textContent),
    legend: Array.from(e.querySelectorAll(".legendtext"), (t: any) => t.textContent),
    modebar: e.querySelectorAll(".modebar-btn").length,
  }));
  assert.ok(chart.width <= 390 - 16, `the chart is ${chart.width} px wide on a 390 px screen`);
  assert.deepEqual(chart.ticks, ["15", "20", "30", "50", "70", "100", "150", "200", "300"]);
  assert.deepEqual(chart.legend, ["training", "test"]);
  assert.equal(chart.modebar, 0, "no toolbar over the title");
  await page.close();
});

test("the print version draws its line charts (the PDF shows plotly's vector charts)", { skip: missing }, async () => {
  const page = await open("print/book.html", 800);
  await page.waitForSelector(".cell-output-plotly .main-svg", { timeout: 10000 });
  const charts = await page.$$eval(".cell-output-plotly", (els) => els.map((e) => e.querySelectorAll(".main-svg").length));
  assert.ok(charts.length > 0 && charts.every((n) => n > 0), `charts drawn: ${charts.join(", ")}`);
  await page.close();
});

test("every local link, image and script of every page resolves, anchors included", { skip: missing }, async () => {
  const page = await browser.newPage();
  for (const file of PAGES) {
    await page.goto("file://" + path.join(book, file), { waitUntil: "load" });
    const urls = await page.$$eval("a[href], img[src], script[src], link[href]", (els) => els.map((e) => (e as HTMLAnchorElement).href || (e as HTMLImageElement).src));
    for (const url of urls.filter((u) => u.startsWith("file://"))) {
      const [target, anchor] = decodeURI(url.slice("file://".length)).split("#");
      assert.ok(fs.existsSync(target), `${file} links to a missing ${path.relative(book, target)}`);
      if (anchor) assert.match(fs.readFileSync(target, "utf8"), new RegExp(`id="${anchor}"`), `${file} links to #${anchor}, which ${path.relative(book, target)} lacks`);
    }
  }
  assert.ok(fs.existsSync(path.join(book, "nb.ipynb")), "the notebook is downloadable next to its page");
  await page.close();
});

test("the PDF has an outline, numbered pages and a contents that gives them", { skip: missing }, () => {
  const bytes = fs.readFileSync(pdf).toString("latin1");
  assert.match(bytes, /\/Outlines\s+\d+ 0 R/, "a document outline (bookmarks)");
  const pages = Number(/Pages:\s+(\d+)/.exec(spawnSync("pdfinfo", [pdf], { encoding: "utf8" }).stdout)?.[1]);
  const text = (p: number) => spawnSync("pdftotext", ["-layout", "-f", String(p), "-l", String(p), pdf, "-"], { encoding: "utf8" }).stdout;
  assert.doesNotMatch(text(1), /^\s*1\s*$/m, "no number on the title page");
  for (let p = 2; p <= pages; p++) assert.match(text(p), new RegExp(`^\\s*${p}\\s*$`, "m"), `page ${p} shows its number`);
  const theoryPage = Array.from({ length: pages }, (_, i) => i + 1).find((p) => /Theory/.test(text(p)) && /value function/.test(text(p)) && !/Contents/.test(text(p)));
  assert.match(text(2), new RegExp(`1 Theory\\s+${theoryPage}`), "the contents gives the chapter's page");
  assert.match(text(2), /The value function\s+\d+/, "and its sections'");
  assert.match(text(theoryPage!), /1 Theory/, "a running head names the chapter");
});
