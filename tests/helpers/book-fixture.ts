/** A tiny book for the renderer's tests: every feature a page can carry, in a few lines each. */
import * as fs from "fs";
import * as path from "path";
import { chartBundle } from "../../lib/viz/chart-output";
import { tempDir } from "./fixtures";

const PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";

/**
 * A tiny book: a preface linking to a notebook's source, one chapter with a citation, a labelled equation,
 * cross-references and a rare word to search for, one executed notebook with a captioned plotly chart
 * (log axis, metric keys as legend names, a fixed width), a table wider than a phone, and captioned images.
 */
export function fixtureBook(): string {
  const dir = tempDir("book");
  fs.writeFileSync(path.join(dir, "_quarto.yml"), [
    "project:", "  type: book", "book:", '  title: "A Tiny Thesis"', '  author: "Ada"', "  chapters:", "    - index.qmd",
    "    - part: Theory", "      chapters:", "        - theory.qmd", "        - nb.ipynb", "    - refs.qmd", "bibliography: refs.bib", "",
  ].join("\n"));
  fs.writeFileSync(path.join(dir, "index.qmd"), "# Preface {.unnumbered}\n\nA preface; the [notebook](nb.ipynb) has the numbers.\n");
  fs.writeFileSync(path.join(dir, "theory.qmd"), "# Theory {#sec-theory}\n\n## The value function {#sec-value}\n\nThe loss falls (@fig-loss). As shown by @goodfellow2014,\n\n$$ V(D, G) = \\mathbb{E}_{x}[\\log D(x)] $$ {#eq-value}\n\nand @eq-value is the game of @sec-value. The seeds sit in a quincunx.\n");
  fs.writeFileSync(path.join(dir, "refs.qmd"), "# References {.unnumbered}\n\n::: {#refs}\n:::\n");
  fs.writeFileSync(path.join(dir, "refs.bib"), "@article{goodfellow2014, title={Generative Adversarial Nets}, author={Goodfellow, Ian}, journal={NeurIPS}, year={2014}}\n");
  const nb = {
    nbformat: 4, nbformat_minor: 4, metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: ["# A notebook\n", "\n", "Loss curve of @sec-theory:"] },
      { cell_type: "code", metadata: {}, execution_count: 1, source: ["//| label: fig-loss\n", "//| fig-cap: The loss falls over **one** epoch.\n", "show()"], outputs: [
        { output_type: "stream", name: "stdout", text: ["epoch 1/1  loss 0.5\n"] },
        { output_type: "display_data", metadata: {}, data: chartBundle({ data: [{ type: "scatter", mode: "lines", name: "loss", x: [1, 2, 3], y: [300, 40, 12] }, { type: "scatter", mode: "lines", name: "test_loss", x: [1, 2, 3], y: [310, 45, 15] }], layout: { title: { text: "loss" }, width: 640, height: 360, yaxis: { type: "log" } } }, Buffer.from(PNG_1PX, "base64")) },
        { output_type: "display_data", metadata: {}, data: { "text/html": `<table><tr><td>42</td>${Array.from({ length: 14 }, (_, i) => `<td>column-${i}: 0.453 ± 0.043</td>`).join("")}</tr></table>`, "text/plain": "<html>" } },
      ] },
      { cell_type: "markdown", metadata: {}, source: ["## Samples\n", "\n", "@fig-samples-2 shows the second grid."] },
      { cell_type: "code", metadata: {}, execution_count: 2, source: ["//| label: fig-samples\n", "//| fig-cap:\n", "//|   - First grid.\n", "//|   - Second grid.\n", "//| fig-alt: Ten digits.\n", "//| echo: false\n", "grids()"], outputs: [
        { output_type: "display_data", metadata: {}, data: { "image/png": PNG_1PX, "text/plain": "<png>" } },
        { output_type: "display_data", metadata: {}, data: { "image/png": PNG_1PX, "text/plain": "<png>" } },
      ] },
      { cell_type: "code", metadata: {}, execution_count: 3, source: ["//| code-fold: true\n", "//| code-summary: Show the helper\n", "const helper = 1;"], outputs: [] },
    ],
  };
  fs.writeFileSync(path.join(dir, "nb.ipynb"), JSON.stringify(nb));
  return dir;
}

