/**
 * A notebook as pandoc markdown: markdown cells as they are, code cells as fenced TypeScript, and
 * outputs as figures (PNG files written next to the page), tables and prose (raw HTML / markdown),
 * text blocks, and plotly charts — interactive on the web; in print drawn by plotly as a static vector
 * chart (so render-time fixes such as log-axis ticks reach the PDF), or their PNG for WebGL charts.
 * Quarto's cell options are honoured: `//| label: fig-…` with `fig-cap`/`fig-alt` make numbered,
 * cross-referenceable figures (a list of captions: one figure per output, labelled `fig-…-1`, `-2` …),
 * `echo: false` hides the code, `code-fold` folds it on the web, `include`/`output: false` hide.
 */
import * as fs from "fs";
import * as path from "path";
import { readChartHtml } from "../../lib/viz/chart-output";
import { CellOptions, parseCellOptions } from "./cell-options";
import { tidyPlotlySpec } from "./plotly-spec";


interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[] }
export interface NotebookJson { cells: Cell[]; metadata: Record<string, unknown> }

export interface NotebookMarkdownOptions {
  /** true: plotly charts stay interactive; false (print): static plotly charts, PNG for WebGL ones. */
  interactive: boolean;
  /** Folder the page's figure files go to, and its path relative to the page. */
  figureDir: string;
  figureHref: string;
  /** Prefix of figure files and element ids, unique per notebook. */
  stem: string;
  /** The book's `code-fold` default (`format: html: code-fold:` in _quarto.yml); a cell's option wins. */
  codeFold?: boolean | "show";
}

const text = (v: string | string[] | unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");
// Progress bars and colours are for terminals, not pages.
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r(?!\n)/g, "\n");

function fence(body: string, cls: string): string {
  const ticks = "`".repeat(Math.max(3, ...Array.from(body.matchAll(/`{3,}/g), (m) => m[0].length + 1)));
  return `${ticks}{${cls}}\n${body.replace(/\n+$/, "")}\n${ticks}`;
}

const rawHtml = (html: string) => fence(html, "=html");
const escAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

/** Code as a fenced block; folded in a `<details>` on the web when asked (open for `show`). */
function codeBlock(code: string, fold: boolean | "show" | undefined, summary: string | undefined, interactive: boolean): string[] {
  const block = fence(code, ".typescript .cell-code");
  if (!interactive || !fold) return [block];
  return [rawHtml(`<details class="code-fold"${fold === "show" ? " open" : ""}><summary>${escAttr(summary ?? "Code")}</summary>`), block, rawHtml("</details>")];
}

/** A figure in Quarto's div syntax (`::: {#fig-x}` … caption `:::`): crossref.lua numbers it. */
function figureDiv(label: string | undefined, caption: string, content: string[]): string {
  return [`::: {${label ? `#${label} ` : ""}.cell-figure}`, ...content, caption, ":::"].join("\n\n");
}

/** On a narrow column a legend beside the plot squeezes it: there it goes under the plot. */
const phoneLegend = (id: string) =>
  `var e = document.getElementById("${id}"); if (e.clientWidth < 500 && !s.layout.legend) { s.layout.legend = { orientation: "h", x: 0, y: -0.3, yanchor: "top" }; s.layout.height = (s.layout.height || 360) + 60; }`;

/** A chart output (lib/viz/chart-output's HTML): its plotly spec and its static PNG (base64), or undefined. */
function chartOf(data: Record<string, unknown>): { spec: { data?: Record<string, unknown>[]; layout?: Record<string, unknown> }; png?: string } | undefined {
  const chart = data["text/html"] ? readChartHtml(text(data["text/html"])) : undefined;
  return chart && { spec: chart.spec, png: chart.png.toString("base64") };
}

interface OutputBlock { markdown: string; figure?: (alt: string | undefined) => string }

/** Converts the notebook; writes its images into options.figureDir. */
export function notebookToMarkdown(nb: NotebookJson, options: NotebookMarkdownOptions): { markdown: string; hasPlotly: boolean } {
  fs.mkdirSync(options.figureDir, { recursive: true });
  let figure = 0;
  let hasPlotly = false;
  const writeImage = (b64: string, ext: string) => {
    const file = `${options.stem}-${++figure}.${ext}`;
    fs.writeFileSync(path.join(options.figureDir, file), Buffer.from(b64, "base64"));
    return `${options.figureHref}/${file}`;
  };
  // On screen an image links to itself: on a phone a sample grid's labels are legible only at full size.
  // Print has nothing to open, so the PDF keeps the bare image.
  const image = (src: string, alt?: string) => {
    const img = `<img src="${src}" alt="${escAttr(alt ?? "")}">`;
    return options.interactive ? `<a class="figure-zoom" href="${src}" title="Open at full size">${img}</a>` : img;
  };

  /** A cell's outputs in order; figures keep a way to be drawn with alt text. */
  const cellOutputs = (outputs: Output[]): OutputBlock[] => {
    const blocks: OutputBlock[] = [];
    let stream = "";
    const flush = () => {
      if (stream.trim()) blocks.push({ markdown: fence(stripAnsi(stream), ".cell-output") });
      stream = "";
    };
    for (const o of outputs) {
      if (o.output_type === "stream") {
        stream += text(o.text);
        continue;
      }
      const data = o.data ?? {};
      // Text-only displays (progress lines, epoch summaries) read as one output block.
      if (Object.keys(data).length === 1 && data["text/plain"] !== undefined) {
        stream += text(data["text/plain"]).replace(/\n?$/, "\n");
        continue;
      }
      flush();
      if (o.output_type === "error") {
        blocks.push({ markdown: fence(`${o.ename}: ${o.evalue}`, ".cell-output .cell-error") });
        continue;
      }
      const chart = chartOf(data);
      // Headless print has no WebGL: scattergl charts keep their PNG there.
      if (chart && (options.interactive || !chart.spec.data?.some((t) => /gl$/.test(String(t.type))) || !chart.png)) {
        hasPlotly = true;
        const id = `${options.stem}-plot-${++figure}`;
        const spec = JSON.stringify(tidyPlotlySpec(chart.spec, { print: !options.interactive })).replace(/</g, "\\u003c");
        const draw = (alt?: string) =>
          rawHtml(`<div class="cell-output-plotly" id="${id}"${alt ? ` role="img" aria-label="${escAttr(alt)}"` : ""}></div>\n<script>(function (s) { ${phoneLegend(id)} Plotly.newPlot(e, s.data, s.layout, s.config); })(${spec});</script>`);
        blocks.push({ markdown: draw(), figure: draw });
      } else if (chart?.png || data["image/png"]) {
        const src = writeImage(chart?.png ?? text(data["image/png"]), "png");
        blocks.push({ markdown: `![](${src})`, figure: (alt) => rawHtml(image(src, alt)) });
      } else if (data["image/svg+xml"]) {
        const src = writeImage(Buffer.from(text(data["image/svg+xml"])).toString("base64"), "svg");
        blocks.push({ markdown: `![](${src})`, figure: (alt) => rawHtml(image(src, alt)) });
      } else if (data["text/markdown"]) {
        blocks.push({ markdown: text(data["text/markdown"]) });
      } else if (data["text/html"]) {
        blocks.push({ markdown: rawHtml(`<div class="cell-output-html">${text(data["text/html"])}</div>`) });
      }
    }
    flush();
    return blocks;
  };

  const blocks: string[] = [];
  nb.cells.forEach((cell, index) => {
    const raw = text(cell.source);
    if (cell.cell_type === "markdown") {
      blocks.push(raw.trim());
      return;
    }
    if (cell.cell_type !== "code") return;
    const where = `${options.stem}.ipynb, cell ${index + 1}`;
    const { options: cellOptions, code } = parseCellOptions(raw, where);
    if (cellOptions.include === false) return;
    if (cellOptions.echo !== false && code.trim()) blocks.push(...codeBlock(code.trim(), cellOptions["code-fold"] ?? options.codeFold, cellOptions["code-summary"], options.interactive));
    if (cellOptions.output === false) return;
    blocks.push(...placeFigures(cellOutputs(cell.outputs ?? []), cellOptions, where));
  });
  return { markdown: blocks.join("\n\n") + "\n", hasPlotly };
}

/**
 * Wraps a cell's figure outputs as its options ask: one caption → one figure holding them all;
 * a list of captions → one figure per output (`label-1`, `label-2` …, as Quarto numbers them).
 */
function placeFigures(outputs: OutputBlock[], o: CellOptions, where: string): string[] {
  const captions = list(o["fig-cap"]);
  const alts = list(o["fig-alt"]);
  // Alt text defaults to the caption without its markdown; one alt text serves every figure of the cell.
  const alt = (k: number) => alts[k] ?? alts[0] ?? captions[k].replace(/[*_`$]/g, "");
  const figures = outputs.filter((b) => b.figure);
  if (captions.length === 0 || figures.length === 0) {
    if (o.label?.startsWith("fig-") && figures.length > 0) throw new Error(`${where}: label ${o.label} needs a fig-cap (Quarto numbers only captioned figures).`);
    return outputs.map((b) => b.markdown);
  }
  if (captions.length > 1 && captions.length !== figures.length) throw new Error(`${where}: ${captions.length} captions in fig-cap for ${figures.length} figures; give one caption, or one per figure.`);
  if (captions.length === 1) {
    const first = outputs.indexOf(figures[0]);
    const group = figureDiv(o.label, captions[0], figures.map((f, k) => f.figure!(alts[k] ?? alts[0] ?? captions[0].replace(/[*_`$]/g, ""))));
    return outputs.flatMap((b, i) => (i === first ? [group] : b.figure ? [] : [b.markdown]));
  }
  return outputs.map((b) => {
    const k = figures.indexOf(b);
    return k < 0 ? b.markdown : figureDiv(o.label && `${o.label}-${k + 1}`, captions[k], [b.figure!(alt(k))]);
  });
}
