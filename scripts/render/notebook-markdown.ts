/**
 * A notebook as pandoc markdown: markdown cells as they are, code cells as fenced TypeScript, and
 * outputs as figures (PNG files written next to the page), tables and prose (raw HTML / markdown),
 * text blocks, and plotly charts — interactive on the web, their static PNG in print.
 */
import * as fs from "fs";
import * as path from "path";
import { readChartHtml } from "../../lib/viz/chart-output";

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[] }
export interface NotebookJson { cells: Cell[]; metadata: Record<string, unknown> }

export interface NotebookMarkdownOptions {
  /** true: plotly charts stay interactive; false (print): their PNG fallback. */
  interactive: boolean;
  /** Folder the page's figure files go to, and its path relative to the page. */
  figureDir: string;
  figureHref: string;
  /** Prefix of figure files and element ids, unique per notebook. */
  stem: string;
}

const text = (v: string | string[] | unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");
// Progress bars and colours are for terminals, not pages.
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r(?!\n)/g, "\n");

function fence(body: string, cls: string): string {
  const ticks = "`".repeat(Math.max(3, ...Array.from(body.matchAll(/`{3,}/g), (m) => m[0].length + 1)));
  return `${ticks}{${cls}}\n${body.replace(/\n+$/, "")}\n${ticks}`;
}

const rawHtml = (html: string) => fence(html, "=html");

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
  const blocks: string[] = [];
  for (const cell of nb.cells) {
    const source = text(cell.source).trim();
    if (cell.cell_type === "markdown") {
      blocks.push(source);
      continue;
    }
    if (cell.cell_type !== "code") continue;
    if (source) blocks.push(fence(source, ".typescript .cell-code"));
    let stream = "";
    const flush = () => {
      if (stream.trim()) blocks.push(fence(stripAnsi(stream), ".cell-output"));
      stream = "";
    };
    for (const o of cell.outputs ?? []) {
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
        blocks.push(fence(`${o.ename}: ${o.evalue}`, ".cell-output .cell-error"));
        continue;
      }
      // A chart's HTML output carries its spec and PNG (lib/viz/chart-output): the page draws the spec with
      // its own plotly.js; print shows the PNG.
      const chart = data["text/html"] ? readChartHtml(text(data["text/html"])) : undefined;
      if (chart && options.interactive) {
        hasPlotly = true;
        const id = `${options.stem}-plot-${++figure}`;
        const spec = JSON.stringify(chart.spec).replace(/</g, "\\u003c");
        blocks.push(rawHtml(`<div class="cell-output-plotly" id="${id}"></div>\n<script>Plotly.newPlot("${id}", ${spec}.data, ${spec}.layout, {responsive: true, displaylogo: false});</script>`));
      } else if (chart) {
        blocks.push(`![](${writeImage(chart.png.toString("base64"), "png")})`);
      } else if (data["image/png"]) {
        blocks.push(`![](${writeImage(text(data["image/png"]), "png")})`);
      } else if (data["image/svg+xml"]) {
        blocks.push(`![](${writeImage(Buffer.from(text(data["image/svg+xml"])).toString("base64"), "svg")})`);
      } else if (data["text/markdown"]) {
        blocks.push(text(data["text/markdown"]));
      } else if (data["text/html"]) {
        blocks.push(rawHtml(`<div class="cell-output-html">${text(data["text/html"])}</div>`));
      }
    }
    flush();
  }
  return { markdown: blocks.join("\n\n") + "\n", hasPlotly };
}
