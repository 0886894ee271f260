import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { chromiumPath, renderBook } from "../scripts/render/book";
import { fixtureBook } from "./helpers/book-fixture";
import { spawnSync } from "child_process";

const pandocMissing = spawnSync("pandoc", ["--version"]).error ? "pandoc is not installed (npm run setup)" : false;
const chromiumMissing = chromiumPath() ? false : "chromium is not installed (npm run setup)";
if (process.env.CI && (pandocMissing || chromiumMissing)) throw new Error(`CI must have pandoc and chromium: ${pandocMissing || chromiumMissing}`);

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
  assert.match(nbPage, /id="fig-samples-2">\s*<a class="figure-zoom" href="(figures\/nb-\d\.png)" title="Open at full size"><img src="\1" alt="Ten digits\."><\/a>[\s\S]*?Figure 2\.3:<\/strong> Second grid\./, "one figure per caption, with alt text, opening at full size");
  assert.match(nbPage, /<a href="#fig-samples-2">Figure 2\.3<\/a>|<a href="nb.html#fig-samples-2">Figure 2\.3<\/a>/, "a notebook cross-references its own figure");
  assert.ok(!nbPage.includes("grids()"), "echo: false hides the code");
  assert.ok(!nbPage.includes("#| "), "cell options are not shown");
  assert.match(fs.readFileSync(path.join(dir, "_book", "index.html"), "utf8"), /<a href="nb\.html">notebook<\/a>/, "a link to a chapter's source leads to its page");
  assert.match(theory, /<h2 class="unnumbered references-heading" id="references">References<\/h2>/, "a chapter's references have a heading");
  assert.equal((fs.readFileSync(path.join(dir, "_book", "refs.html"), "utf8").match(/>References</g) ?? []).length, 2, "the references page keeps its own title (and its sidebar entry) only");
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
  assert.ok(!print.includes("figure-zoom"), "print has no links to open an image");
  assert.ok(fs.existsSync(path.join(dir, "_book", "print", "figures", "nb-2.png")));
  const info = spawnSync("pdfinfo", [result.pdf!], { encoding: "utf8" });
  if (!info.error) assert.ok(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]) >= 4, info.stdout);
});

test("a chapter listed in _quarto.yml but missing is a clear error", { skip: pandocMissing }, () => {
  const dir = fixtureBook();
  fs.rmSync(path.join(dir, "theory.qmd"));
  assert.throws(() => renderBook({ projectDir: dir, pdf: false, log: () => {} }), /_quarto.yml lists theory.qmd, which does not exist/);
});
