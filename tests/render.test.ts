import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { chromiumPath, renderBook } from "../scripts/render/book";
import { chartBundle } from "../lib/viz/chart-output";
import { tempDir } from "./helpers/fixtures";
import { spawnSync } from "child_process";

const pandocMissing = spawnSync("pandoc", ["--version"]).error ? "pandoc is not installed (npm run setup)" : false;
const chromiumMissing = chromiumPath() ? false : "chromium is not installed (npm run setup)";
if (process.env.CI && (pandocMissing || chromiumMissing)) throw new Error(`CI must have pandoc and chromium: ${pandocMissing || chromiumMissing}`);

const PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";

/** A tiny book: a preface, one chapter with a citation, a labelled equation and a cross-reference, one executed notebook with a plotly chart. */
function fixtureBook(): string {
  const dir = tempDir("book");
  fs.writeFileSync(path.join(dir, "_quarto.yml"), [
    "project:", "  type: book", "book:", '  title: "A Tiny Thesis"', '  author: "Ada"', "  chapters:", "    - index.qmd",
    "    - part: Theory", "      chapters:", "        - theory.qmd", "        - nb.ipynb", "    - refs.qmd", "bibliography: refs.bib", "",
  ].join("\n"));
  fs.writeFileSync(path.join(dir, "index.qmd"), "# Preface {.unnumbered}\n\nA preface.\n");
  fs.writeFileSync(path.join(dir, "theory.qmd"), "# Theory {#sec-theory}\n\n## The value function {#sec-value}\n\nAs shown by @goodfellow2014,\n\n$$ V(D, G) = \\mathbb{E}_{x}[\\log D(x)] $$ {#eq-value}\n\nand @eq-value is the game of @sec-value.\n");
  fs.writeFileSync(path.join(dir, "refs.qmd"), "# References {.unnumbered}\n\n::: {#refs}\n:::\n");
  fs.writeFileSync(path.join(dir, "refs.bib"), "@article{goodfellow2014, title={Generative Adversarial Nets}, author={Goodfellow, Ian}, journal={NeurIPS}, year={2014}}\n");
  const nb = {
    nbformat: 4, nbformat_minor: 4, metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: ["# A notebook\n", "\n", "Loss curve of @sec-theory:"] },
      { cell_type: "code", metadata: {}, execution_count: 1, source: ["show()"], outputs: [
        { output_type: "stream", name: "stdout", text: ["epoch 1/1  loss 0.5\n"] },
        { output_type: "display_data", metadata: {}, data: chartBundle({ data: [{ type: "scatter", x: [1, 2], y: [3, 1] }], layout: { title: { text: "loss" } } }, Buffer.from(PNG_1PX, "base64")) },
        { output_type: "display_data", metadata: {}, data: { "text/html": "<table><tr><td>42</td></tr></table>", "text/plain": "<html>" } },
      ] },
    ],
  };
  fs.writeFileSync(path.join(dir, "nb.ipynb"), JSON.stringify(nb));
  return dir;
}

test("renders a fixture book to HTML: navigation, numbering, math, citations, cross-references, plotly", { skip: pandocMissing }, () => {
  const dir = fixtureBook();
  const result = renderBook({ projectDir: dir, pdf: false, log: () => {} });
  assert.equal(result.pages, 4);
  const theory = fs.readFileSync(path.join(dir, "_book", "theory.html"), "utf8");
  assert.match(theory, /class="katex-display"/, "display math typeset at build time");
  assert.match(theory, /data-cites="goodfellow2014">Goodfellow \(/, "citation resolved in the text");
  assert.match(theory, /Goodfellow, Ian\. 2014\./, "and listed under the chapter");
  assert.match(theory, /<a href="theory.html#eq-value">Equation \(1\.1\)<\/a>/, "equation cross-reference");
  assert.match(theory, /<a href="theory.html#sec-value">Section 1\.1<\/a>/, "section cross-reference");
  assert.match(theory, /class="sidebar"[\s\S]*Theory[\s\S]*A notebook/, "chapter navigation with the part");
  const nbPage = fs.readFileSync(path.join(dir, "_book", "nb.html"), "utf8");
  assert.match(nbPage, /site_libs\/plotly\.min\.js/, "plotly.js loaded once per page");
  assert.equal((nbPage.match(/Plotly\.newPlot/g) ?? []).length, 1, "the chart is interactive");
  assert.match(nbPage, /<td>42<\/td>/, "HTML tables kept");
  assert.match(nbPage, /Chapter 1|Theory/, "cross-page reference resolved");
  assert.ok(fs.existsSync(path.join(dir, "_book", "site_libs", "katex", "katex.min.css")));
  assert.ok(!/plotly/i.test(fs.readFileSync(path.join(dir, "_book", "theory.html"), "utf8").split("</head>")[0]), "no plotly.js on pages without charts");
});

test("renders the fixture book to PDF with static figures", { skip: pandocMissing || chromiumMissing }, () => {
  const dir = fixtureBook();
  const result = renderBook({ projectDir: dir, log: () => {} });
  assert.ok(result.pdf && fs.readFileSync(result.pdf).subarray(0, 5).toString() === "%PDF-");
  const print = fs.readFileSync(path.join(dir, "_book", "print", "book.html"), "utf8");
  assert.ok(!print.includes("Plotly.newPlot"), "print uses the PNG fallback, not plotly");
  assert.match(print, /<img src="figures\/nb-1\.png"/);
  assert.ok(fs.existsSync(path.join(dir, "_book", "print", "figures", "nb-1.png")));
  const info = spawnSync("pdfinfo", [result.pdf!], { encoding: "utf8" });
  if (!info.error) assert.ok(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]) >= 4, info.stdout);
});

test("a chapter listed in _quarto.yml but missing is a clear error", { skip: pandocMissing }, () => {
  const dir = fixtureBook();
  fs.rmSync(path.join(dir, "theory.qmd"));
  assert.throws(() => renderBook({ projectDir: dir, pdf: false, log: () => {} }), /_quarto.yml lists theory.qmd, which does not exist/);
});
