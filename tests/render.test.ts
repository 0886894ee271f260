import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { chromiumPath, renderBook } from "../scripts/render/book";
import { PLOTLY_MIME } from "../lib/viz/figure";
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
  fs.writeFileSync(path.join(dir, "theory.qmd"), "# Theory {#sec-theory}\n\n## The value function {#sec-value}\n\nThe loss falls (@fig-loss). As shown by @goodfellow2014,\n\n$$ V(D, G) = \\mathbb{E}_{x}[\\log D(x)] $$ {#eq-value}\n\nand @eq-value is the game of @sec-value.\n");
  fs.writeFileSync(path.join(dir, "refs.qmd"), "# References {.unnumbered}\n\n::: {#refs}\n:::\n");
  fs.writeFileSync(path.join(dir, "refs.bib"), "@article{goodfellow2014, title={Generative Adversarial Nets}, author={Goodfellow, Ian}, journal={NeurIPS}, year={2014}}\n");
  const nb = {
    nbformat: 4, nbformat_minor: 4, metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: ["# A notebook\n", "\n", "Loss curve of @sec-theory:"] },
      { cell_type: "code", metadata: {}, execution_count: 1, source: ["#| label: fig-loss\n", "#| fig-cap: The loss falls over **one** epoch.\n", "show()"], outputs: [
        { output_type: "stream", name: "stdout", text: ["epoch 1/1  loss 0.5\n"] },
        { output_type: "display_data", metadata: {}, data: { [PLOTLY_MIME]: { data: [{ type: "scatter", x: [1, 2], y: [3, 1] }], layout: { title: { text: "loss" } } }, "image/png": PNG_1PX, "text/plain": "<chart>" } },
        { output_type: "display_data", metadata: {}, data: { "text/html": "<table><tr><td>42</td></tr></table>", "text/plain": "<html>" } },
      ] },
      { cell_type: "markdown", metadata: {}, source: ["## Samples\n", "\n", "@fig-samples-2 shows the second grid."] },
      { cell_type: "code", metadata: {}, execution_count: 2, source: ["#| label: fig-samples\n", "#| fig-cap:\n", "#|   - First grid.\n", "#|   - Second grid.\n", "#| fig-alt: Ten digits.\n", "#| echo: false\n", "grids()"], outputs: [
        { output_type: "display_data", metadata: {}, data: { "image/png": PNG_1PX, "text/plain": "<png>" } },
        { output_type: "display_data", metadata: {}, data: { "image/png": PNG_1PX, "text/plain": "<png>" } },
      ] },
      { cell_type: "code", metadata: {}, execution_count: 3, source: ["#| code-fold: true\n", "#| code-summary: Show the helper\n", "const helper = 1;"], outputs: [] },
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
  assert.match(nbPage, /<figure class="cell-figure" id="fig-loss">[\s\S]*?Plotly\.newPlot[\s\S]*?<figcaption>\s*<strong>Figure 2\.1:<\/strong> The loss falls over <strong>one<\/strong> epoch\./, "a captioned chart is a numbered figure");
  assert.match(theory, /<a href="nb.html#fig-loss">Figure 2\.1<\/a>/, "a chapter cross-references a notebook figure");
  assert.match(nbPage, /id="fig-samples-2">\s*<img src="figures\/nb-\d\.png" alt="Ten digits\.">[\s\S]*?Figure 2\.3:<\/strong> Second grid\./, "one figure per caption, with alt text");
  assert.match(nbPage, /<a href="#fig-samples-2">Figure 2\.3<\/a>|<a href="nb.html#fig-samples-2">Figure 2\.3<\/a>/, "a notebook cross-references its own figure");
  assert.ok(!nbPage.includes("grids()"), "echo: false hides the code");
  assert.ok(!nbPage.includes("#| "), "cell options are not shown");
  assert.match(nbPage, /<details class="code-fold"><summary>Show the helper<\/summary>[\s\S]*?helper[\s\S]*?<\/details>/, "code-fold folds the code");
  assert.ok(fs.existsSync(path.join(dir, "_book", "site_libs", "katex", "katex.min.css")));
  assert.ok(!/plotly/i.test(fs.readFileSync(path.join(dir, "_book", "theory.html"), "utf8").split("</head>")[0]), "no plotly.js on pages without charts");
});

test("renders the fixture book to PDF with static figures", { skip: pandocMissing || chromiumMissing }, () => {
  const dir = fixtureBook();
  const result = renderBook({ projectDir: dir, log: () => {} });
  assert.ok(result.pdf && fs.readFileSync(result.pdf).subarray(0, 5).toString() === "%PDF-");
  const print = fs.readFileSync(path.join(dir, "_book", "print", "book.html"), "utf8");
  assert.match(print, /Plotly\.newPlot[\s\S]*?"staticPlot":true/, "print draws line charts with plotly, statically");
  assert.match(print, /<img src="figures\/nb-2\.png"/, "images are files next to the print page");
  assert.ok(fs.existsSync(path.join(dir, "_book", "print", "figures", "nb-2.png")));
  const info = spawnSync("pdfinfo", [result.pdf!], { encoding: "utf8" });
  if (!info.error) assert.ok(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]) >= 4, info.stdout);
});

test("a chapter listed in _quarto.yml but missing is a clear error", { skip: pandocMissing }, () => {
  const dir = fixtureBook();
  fs.rmSync(path.join(dir, "theory.qmd"));
  assert.throws(() => renderBook({ projectDir: dir, pdf: false, log: () => {} }), /_quarto.yml lists theory.qmd, which does not exist/);
});
