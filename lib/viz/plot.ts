/**
 * Charts as data: each builder returns a plotly spec (interactive in HTML and live notebooks)
 * together with a static SVG drawn here (PDF, terminals, notebook viewers without JavaScript),
 * so no browser is needed to make a figure.
 */
import sharp from "sharp";

export interface PlotlySpec {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Optional band drawn around the line (e.g. a 95% interval). */
  lower?: number[];
  upper?: number[];
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logY?: boolean;
  width?: number;
  height?: number;
}

export interface ScatterGroup {
  name: string;
  x: number[];
  y: number[];
}

export interface ScatterPlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  groups: ScatterGroup[];
  /** Marker diameter in pixels (default 3: thousands of points). */
  markerSize?: number;
  width?: number;
  height?: number;
}

/** A chart: the plotly spec plus its static rendering. */
export interface Chart {
  plotly: PlotlySpec;
  svg: string;
  width: number;
  height: number;
}

/** Ten distinguishable colours (Tableau 10), shared by plotly and the SVG. */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** Twenty colours for charts with more lines than PALETTE has (Kelly's contrasting set, light ones dropped). */
export const LONG_PALETTE = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#00006b", "#f6768e", "#007d34", "#ff6800", "#53377a", "#b32851", "#93aa00", "#593315", "#f13a13", "#232c16",
];

/** The colour of line `i` among `count`: PALETTE while it suffices, else LONG_PALETTE, so no two lines share one. */
export function seriesColour(i: number, count: number): string {
  return count <= PALETTE.length ? PALETTE[i % PALETTE.length] : LONG_PALETTE[i % LONG_PALETTE.length];
}

/** Legend names for the metric keys training logs use; other names are shown as they are. */
export const SERIES_LABELS: Readonly<Record<string, string>> = {
  loss: "training", test_loss: "test", recon: "training", test_recon: "test", kl: "training", test_kl: "test",
  d_loss: "D loss", g_loss: "G loss", d_acc_real: "D accuracy on real", d_acc_fake: "D accuracy on fake", g_fool: "G fools D",
  fd: "FD", acc: "training accuracy", test_acc: "test accuracy",
};

export const seriesLabel = (key: string): string => SERIES_LABELS[key] ?? key;

/** Axis titles for objective keys used as labels (a search's objective `fd`). */
export const axisLabel = (key: string): string => ({ fd: "FD" } as Record<string, string>)[key] ?? key;

/**
 * Ticks for a log axis over [lo, hi]: 1-2-5 per decade (1-2-3-5 when the range spans under two
 * decades, every power of ten over five), so a reader sees 10, 20, 50, 100 rather than exponents.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const decades = Math.log10(hi / lo);
  const steps = decades > 5 ? [1] : decades < 2 ? [1, 1.5, 2, 3, 5, 7] : [1, 2, 5];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of steps) {
      const t = Number((m * 10 ** e).toPrecision(6));
      if (t >= lo * 0.999 && t <= hi * 1.001) ticks.push(t);
    }
  }
  return ticks;
}

const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Frame {
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  xs: number[];
  ys: number[];
  logY?: boolean;
  legend: string[];
}

/** Axes, ticks, labels and legend; returns the SVG pieces and the data → pixel maps. */
function frame(f: Frame): { head: string; tail: string; px: (x: number) => number; py: (y: number) => number } {
  const fy = (y: number) => (f.logY ? Math.log10(Math.max(y, 1e-12)) : y);
  const finiteX = f.xs.filter(Number.isFinite);
  const finiteY = f.ys.filter(Number.isFinite).map(fy);
  const [x0, x1] = [Math.min(...finiteX), Math.max(...finiteX)];
  const [y0, y1] = [Math.min(...finiteY), Math.max(...finiteY)];
  const xt = niceTicks(x0, x1);
  const yt = f.logY ? logTicks(10 ** y0, 10 ** y1).map(Math.log10) : niceTicks(y0, y1);
  if (yt.length === 0) yt.push(...niceTicks(y0, y1));
  const [xa, xb] = [Math.min(xt[0], x0), Math.max(xt[xt.length - 1], x1)];
  const [ya, yb] = [Math.min(yt[0], y0), Math.max(yt[yt.length - 1], y1)];
  const W = f.width - MARGIN.left - MARGIN.right;
  const H = f.height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - xa) / (xb - xa || 1)) * W;
  const py = (y: number) => MARGIN.top + H - ((fy(y) - ya) / (yb - ya || 1)) * H;
  const pyRaw = (v: number) => MARGIN.top + H - ((v - ya) / (yb - ya || 1)) * H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${f.width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(f.title)}</text>`,
  ];
  for (const t of xt) parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + H}" stroke="#eee"/><text x="${px(t)}" y="${MARGIN.top + H + 15}" text-anchor="middle">${formatTick(t)}</text>`);
  for (const t of yt) parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + W}" y1="${pyRaw(t)}" y2="${pyRaw(t)}" stroke="#eee"/><text x="${MARGIN.left - 6}" y="${pyRaw(t) + 4}" text-anchor="end">${formatTick(f.logY ? 10 ** t : t)}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${W}" height="${H}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${MARGIN.left + W / 2}" y="${f.height - 10}" text-anchor="middle">${escapeXml(f.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${MARGIN.top + H / 2}) rotate(-90)" text-anchor="middle">${escapeXml(axisLabel(f.yLabel))}</text>`);
  // More entries than fit in one column go into a second, so none falls off the plot.
  const perColumn = Math.max(1, Math.floor((H - 8) / 15));
  const legend = f.legend.map((name, i) => {
    const [x, y] = [MARGIN.left + W - 150 * (1 + Math.floor(i / perColumn)), MARGIN.top + 8 + (i % perColumn) * 15];
    return `<rect x="${x}" y="${y}" width="10" height="10" fill="${seriesColour(i, f.legend.length)}"/><text x="${x + 15}" y="${y + 9}">${escapeXml(seriesLabel(name))}</text>`;
  });
  return { head: parts.join(""), tail: (f.legend.length > 1 ? legend.join("") : "") + "</svg>", px, py };
}

/**
 * Plotly layout: no fixed width (the chart fills its column, a phone included), log axes with
 * 1-2-5 ticks from the data, and a legend under the plot when there are many entries.
 */
function axisLayout(title: string, xLabel: string, yLabel: string, height: number, ys: number[], legendEntries: number, logY = false): Record<string, unknown> {
  const positive = ys.filter((y) => Number.isFinite(y) && y > 0);
  const ticks = logY && positive.length ? logTicks(Math.min(...positive), Math.max(...positive)) : [];
  const yaxis = { title: { text: axisLabel(yLabel) }, type: logY ? "log" : "linear", ...(ticks.length >= 2 ? { tickvals: ticks, ticktext: ticks.map(formatTick) } : {}) };
  const many = legendEntries > 8;
  return {
    title: { text: title, x: 0.01, xanchor: "left" }, xaxis: { title: { text: axisLabel(xLabel) } }, yaxis, autosize: true,
    height: many ? height + 22 * Math.ceil(legendEntries / 4) : height, margin: { l: 64, r: 16, t: 40, b: 48 },
    ...(many ? { legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" } } : {}),
  };
}

/** Lines (e.g. loss curves), optionally with shaded bands. */
export function linePlot(o: LinePlotOptions): Chart {
  const { width = 640, height = 360 } = o;
  const f = frame({ ...o, width, height, xs: o.series.flatMap((s) => s.x), ys: o.series.flatMap((s) => [...s.y, ...(s.lower ?? []), ...(s.upper ?? [])]), legend: o.series.map((s) => s.name) });
  const body = o.series.map((s, i) => {
    const colour = seriesColour(i, o.series.length);
    const pts = (ys: number[]) => s.x.map((x, k) => `${f.px(x).toFixed(1)},${f.py(ys[k]).toFixed(1)}`);
    const band = s.lower && s.upper ? `<polygon points="${[...pts(s.upper), ...pts(s.lower).reverse()].join(" ")}" fill="${colour}" fill-opacity="0.2" stroke="none"/>` : "";
    return band + `<polyline points="${pts(s.y).join(" ")}" fill="none" stroke="${colour}" stroke-width="1.8"/>`;
  });
  const data = o.series.flatMap((s, i) => {
    const line = { type: "scatter", mode: "lines", name: seriesLabel(s.name), x: s.x, y: s.y, line: { color: seriesColour(i, o.series.length) } };
    if (!s.lower || !s.upper) return [line];
    const band = { type: "scatter", mode: "lines", name: `${seriesLabel(s.name)} interval`, x: [...s.x, ...[...s.x].reverse()], y: [...s.upper, ...[...s.lower].reverse()], fill: "toself", fillcolor: seriesColour(i, o.series.length) + "33", line: { width: 0 }, hoverinfo: "skip", showlegend: false };
    return [band, line];
  });
  const ys = o.series.flatMap((s) => [...s.y, ...(s.lower ?? []), ...(s.upper ?? [])]);
  return { plotly: { data, layout: axisLayout(o.title, o.xLabel, o.yLabel, height, ys, o.series.length, o.logY) }, svg: f.head + body.join("") + f.tail, width, height };
}

/** Points coloured by group (e.g. a 2-D latent space coloured by class). */
export function scatterPlot(o: ScatterPlotOptions): Chart {
  const { width = 640, height = 480, markerSize = 3 } = o;
  const f = frame({ ...o, width, height, xs: o.groups.flatMap((g) => g.x), ys: o.groups.flatMap((g) => g.y), legend: o.groups.map((g) => g.name) });
  const body = o.groups.map((g, i) => g.x.map((x, k) => `<circle cx="${f.px(x).toFixed(1)}" cy="${f.py(g.y[k]).toFixed(1)}" r="${(markerSize * 0.6).toFixed(1)}" fill="${seriesColour(i, o.groups.length)}" fill-opacity="0.6"/>`).join(""));
  // Four significant digits are beyond what a marker can show and halve a notebook's size.
  const short = (v: number[]) => v.map((n) => Number(n.toPrecision(4)));
  const data = o.groups.map((g, i) => ({ type: "scattergl", mode: "markers", name: seriesLabel(g.name), x: short(g.x), y: short(g.y), marker: { size: markerSize, color: seriesColour(i, o.groups.length), opacity: 0.6 } }));
  return { plotly: { data, layout: axisLayout(o.title, o.xLabel, o.yLabel, height, [], o.groups.length) }, svg: f.head + body.join("") + f.tail, width, height };
}

/** Rasterises a chart's SVG to PNG (2× for sharp text in print). */
export async function chartToPng(chart: Chart, density = 144): Promise<Buffer> {
  return sharp(Buffer.from(chart.svg), { density }).png().toBuffer();
}
