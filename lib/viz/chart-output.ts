/**
 * A chart as one notebook output that every front end can show: an HTML fragment holding the chart's
 * compact PNG and its plotly spec, once each. The image is what a reader sees first (classic Notebook,
 * JupyterLab, trusted or not, nbconvert, viewers without JavaScript); a small script then replaces it by
 * the live chart where plotly.js is on the page (the book) or can be fetched from the Jupyter server that
 * shows the notebook (the project kernel's spec folder serves a copy), never from the internet.
 * plotly.js itself is never part of an output.
 */
import sharp from "sharp";
import { PlotlySpec } from "./plot";

/** MIME type of plotly specs: here the type of the script element that carries the spec in the HTML. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * Where a Jupyter server serves plotly.js, relative to its base URL: the resources of the project's
 * kernel spec (`/kernelspecs/<name>/<file>`, served by the classic Notebook, JupyterLab and Notebook 7),
 * into which scripts/jupyter.ts copies it when it registers the kernel.
 */
export const PLOTLY_KERNEL_RESOURCE = "kernelspecs/tslab-vae-gan/plotly.min.js";

/** Charts with more markers than this are stored at the chart's own size instead of 2× (≈ 5× smaller). */
const DENSE_MARKERS = 1000;

// The script of every chart output (one line: notebooks store it as it is). It draws every chart of the
// page not yet drawn, so it needs no element ids, and loads plotly.js at most once per page. WebGL traces
// (scattergl) keep their image where the browser has no WebGL, as does any chart plotly fails to draw.
const UPGRADE_SCRIPT = [
  "(function(){var w=window,d=document;",
  "function webgl(){try{return !!d.createElement('canvas').getContext('webgl');}catch(e){return false;}}",
  "function draw(){d.querySelectorAll('.vae-gan-chart:not([data-live])').forEach(function(el){",
  `var spec=el.querySelector('script[type="${PLOTLY_MIME}"]'),img=el.querySelector('img');if(!spec||!img)return;`,
  "el.setAttribute('data-live','');var s=JSON.parse(spec.textContent);",
  "if(s.data.some(function(t){return /gl$/.test(t.type);})&&!webgl())return;",
  "var box=d.createElement('div');el.insertBefore(box,img);",
  "w.Plotly.newPlot(box,s.data,s.layout,{responsive:true,displaylogo:false})",
  ".then(function(){img.style.display='none';},function(){el.removeChild(box);});});}",
  // A Jupyter page says its server's base URL: the classic Notebook on <body>, JupyterLab in a JSON block.
  "function load(){return new Promise(function(ok,fail){",
  "var base=d.body.getAttribute('data-base-url'),cfg=d.getElementById('jupyter-config-data');",
  "if(base===null&&cfg)base=JSON.parse(cfg.textContent).baseUrl;if(!base)return fail(new Error('no Jupyter server'));",
  `var js=d.createElement('script');js.src=base.replace(/\\/?$/,'/')+'${PLOTLY_KERNEL_RESOURCE}';`,
  "js.onload=function(){w.Plotly?ok():fail(new Error('no Plotly'));};js.onerror=fail;d.head.appendChild(js);});}",
  "if(!w.Plotly&&!w.vaeGanPlotly)w.vaeGanPlotly=load();",
  "(w.Plotly?Promise.resolve():w.vaeGanPlotly).then(function(){setTimeout(draw,0);},function(){});})();",
].join("");

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The chart's title, or "" when the spec has none. */
export function chartTitle(spec: PlotlySpec): string {
  const title = spec.layout.title as string | { text?: string } | undefined;
  return (typeof title === "string" ? title : title?.text) ?? "";
}

/**
 * Makes a chart's PNG compact: a 256-colour palette (charts have few colours), and charts of more than
 * 1,000 markers (latent scatters) halved to the chart's own size. Deterministic: the same PNG and spec
 * give the same bytes, so notebooks migrated from stored PNGs match freshly executed ones.
 */
export async function compactChartPng(png: Buffer, spec: PlotlySpec): Promise<Buffer> {
  let image = sharp(png).flatten({ background: "#ffffff" });
  if (isDense(spec)) {
    const { width } = await sharp(png).metadata();
    if (!width) throw new Error("compactChartPng: the chart's PNG has no width; pass a PNG made by chartToPng.");
    image = image.resize(Math.round(width / 2));
  }
  return image.png({ palette: true, compressionLevel: 9, effort: 10 }).toBuffer();
}

/** More markers than a 2× raster is worth: `compactChartPng` keeps such charts at their own size. */
function isDense(spec: PlotlySpec): boolean {
  return spec.data.filter((t) => String(t.mode ?? "").includes("markers")).reduce((n, t) => n + (Array.isArray(t.x) ? t.x.length : 0), 0) > DENSE_MARKERS;
}

/**
 * The HTML output of a chart: its PNG, shown at the chart's own width (the PNG is a 2× raster unless
 * dense) and never wider than its column, its spec, and the script that makes it live.
 */
export function chartHtml(spec: PlotlySpec, png: Buffer): string {
  // A PNG's width is the big-endian integer at byte 16 (its IHDR chunk).
  const pixels = png.length > 24 && png.toString("latin1", 12, 16) === "IHDR" ? png.readUInt32BE(16) : 0;
  const width = pixels ? ` width="${isDense(spec) ? pixels : Math.round(pixels / 2)}"` : "";
  const json = JSON.stringify(spec).replace(/</g, "\\u003c");
  return (
    `<div class="vae-gan-chart"><img src="data:image/png;base64,${png.toString("base64")}"${width} alt="${escapeAttr(chartTitle(spec))}" style="max-width:100%;height:auto">` +
    `<script type="${PLOTLY_MIME}">${json}</script><script>${UPGRADE_SCRIPT}</script></div>`
  );
}

/**
 * A chart's display bundle: the HTML output; the same PNG as `image/png` for formats that cannot show
 * HTML (Quarto's PDF takes a notebook's image/png and drops text/html, leaving only the title); and,
 * for text front ends, the title.
 */
export function chartBundle(spec: PlotlySpec, png: Buffer): Record<string, string> {
  return { "text/html": chartHtml(spec, png), "image/png": png.toString("base64"), "text/plain": `<chart: ${chartTitle(spec)}>` };
}

const CHART_HTML = new RegExp(`^<div class="vae-gan-chart"><img src="data:image/png;base64,([A-Za-z0-9+/=]+)"[^>]*><script type="${PLOTLY_MIME.replace(/[.+]/g, "\\$&")}">(.*?)</script>`, "s");

/** The spec and PNG of a chart's HTML output (as made by chartHtml), or undefined for any other HTML. */
export function readChartHtml(html: string): { spec: PlotlySpec; png: Buffer } | undefined {
  const m = CHART_HTML.exec(html);
  return m ? { spec: JSON.parse(m[2]) as PlotlySpec, png: Buffer.from(m[1], "base64") } : undefined;
}
