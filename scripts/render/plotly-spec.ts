/**
 * Render-time care for stored plotly specs. Notebook outputs were made by hours of training and are
 * not re-executed to restyle a chart, so the page applies what lib/viz/plot.ts now does for new
 * charts: no fixed width (charts fit a phone), no toolbar over the title, 1-2-5 ticks on log axes,
 * legend names instead of metric keys, a colour per line when there are more than ten.
 */
import { axisLabel, logTicks, PALETTE, seriesColour, seriesLabel } from "../../lib/viz/plot";

type Json = Record<string, unknown>;

export interface PlotlyPage {
  data: Json[];
  layout: Json;
  /** Plotly's third argument: responsive, no mode bar, no logo. */
  config: Json;
}

const INTERVAL = / interval$/;

/**
 * A copy of `spec` ready for the page; the stored spec is not changed. For print the chart is static and
 * as wide as the text block (640 px ≈ 170 mm).
 */
export function tidyPlotlySpec(spec: { data?: Json[]; layout?: Json }, options: { print?: boolean } = {}): PlotlyPage {
  const data = (spec.data ?? []).map((t) => ({ ...t }));
  const layout: Json = { ...(spec.layout ?? {}) };
  delete layout.width;
  layout.autosize = true;

  for (const t of data) {
    if (typeof t.name !== "string") continue;
    t.name = INTERVAL.test(t.name) ? seriesLabel(t.name.replace(INTERVAL, "")) + " interval" : seriesLabel(t.name);
  }

  // Lines sharing a colour cannot be told apart: past PALETTE's ten, give each its own (its band follows it).
  const shown = data.filter((t) => t.showlegend !== false);
  if (shown.length > PALETTE.length) {
    shown.forEach((t, i) => {
      const colour = seriesColour(i, shown.length);
      if (t.line) t.line = { ...(t.line as Json), color: colour };
      if (t.marker) t.marker = { ...(t.marker as Json), color: colour };
    });
    data.forEach((t, i) => {
      const next = data[i + 1];
      if (t.showlegend === false && t.fill && next?.line) t.fillcolor = ((next.line as Json).color as string) + "33";
    });
  }
  if (shown.length > 8 && !layout.legend) {
    layout.legend = { orientation: "h", x: 0, y: -0.3, yanchor: "top" };
    layout.height = (typeof layout.height === "number" ? layout.height : 360) + 22 * Math.ceil(shown.length / 4);
  }

  for (const key of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k))) {
    const axis = { ...(layout[key] as Json) };
    const title = axis.title as Json | undefined;
    if (typeof title?.text === "string") axis.title = { ...title, text: axisLabel(title.text) };
    if (axis.type === "log" && axis.tickvals === undefined) {
      const values = data.flatMap((t) => ((key[0] === "y" ? t.y : t.x) as unknown[] | undefined) ?? []).filter((v): v is number => typeof v === "number" && v > 0);
      const ticks = values.length ? logTicks(Math.min(...values), Math.max(...values)) : [];
      if (ticks.length >= 2) Object.assign(axis, { tickvals: ticks, ticktext: ticks.map((v) => String(Number(v.toPrecision(4)))) });
    }
    layout[key] = axis;
  }
  if (options.print) return { data, layout: { ...layout, width: 640, autosize: false }, config: { staticPlot: true, displayModeBar: false } };
  return { data, layout, config: { responsive: true, displaylogo: false, displayModeBar: false } };
}
