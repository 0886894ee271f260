/**
 * The book's latent explorer (appendix `explorer.qmd`): trained decoders and generators exported in
 * the TFJS layers format and inlined, base64, into `explorer/models.js` next to tf.min.js and the
 * panels' script, so the page runs offline and from file:// (Chromium blocks fetch of local files).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { layoutGrid } from "../../lib/viz/grid";

/** What a panel needs to know of a model besides its weights. */
export interface ExplorerMeta {
  title: string;
  notebook: string;
  run: string;
  /** Training step of these weights. */
  step: number;
  latentDim: number;
  imageShape: number[];
  /** Pixel values the output layer produces: [0, 1] (sigmoid) or [-1, 1] (tanh). */
  pixelRange: [number, number];
}

export interface ExplorerModel {
  key: string;
  model: tf.LayersModel;
  meta: ExplorerMeta;
}

/** The 2-D latent plane: test codes as coloured dots (one class per colour), decoded by `model` on click. */
export interface ExplorerPlane {
  model: string;
  codes: [number, number, number][];
  classes: string[];
  extent: [number, number];
}

export interface ExplorerData {
  models: ExplorerModel[];
  /** Keys of the models shown side by side on one code (all must share a latent size). */
  compare: string[];
  plane?: ExplorerPlane;
}

/** A model's topology, weight specs and weights (base64) as TFJS' layers format holds them. */
export async function serializeModel(model: tf.LayersModel): Promise<{ topology: object; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: string }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const weights = artifacts!.weightData;
  const buffer = Buffer.concat((Array.isArray(weights) ? weights : [weights!]).map((b) => Buffer.from(b)));
  return { topology: artifacts!.modelTopology as object, weightSpecs: artifacts!.weightSpecs!, weightData: buffer.toString("base64") };
}

/** Rounds each code to 3 decimals: the plane is drawn at 320 px, so more digits only add bytes. */
const compactCodes = (codes: [number, number, number][]) => codes.map(([x, y, c]) => [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000, c]);

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * The print edition's stand-in for the side-by-side panel: one labelled row per compared model, the
 * same `codes` standard-normal codes (seeds 1, 2, …, as the panel's seed field) in every row.
 */
export async function compareFigure(explorer: ExplorerData, codes = 8, scale = 3): Promise<Buffer> {
  const rows = explorer.compare.map((key) => {
    const { model, meta } = explorer.models.find((m) => m.key === key)!;
    const images = tf.tidy(() => tf.concat(Array.from({ length: codes }, (_, i) => model.predict(tf.randomNormal([1, meta.latentDim], 0, 1, "float32", i + 1)) as tf.Tensor4D)));
    const grid = layoutGrid(images, { cols: codes, scale, pad: 2, range: meta.pixelRange[0] < 0 ? "symmetric" : "unit" });
    images.dispose();
    return { grid, title: meta.title };
  });
  // DejaVu Sans at 17 px averages under 10.5 px a character.
  const labelWidth = 20 + Math.ceil(10.5 * Math.max(...rows.map((r) => r.title.length)));
  const width = labelWidth + Math.max(...rows.map((r) => r.grid.width));
  const height = rows.reduce((s, r) => s + r.grid.height, 0);
  let top = 0;
  const layers = rows.flatMap(({ grid, title }) => {
    const y = top;
    top += grid.height;
    const label = `<svg width="${labelWidth}" height="${grid.height}"><text x="${labelWidth - 10}" y="${grid.height / 2 + 6}" text-anchor="end" font-family="DejaVu Sans" font-size="17">${esc(title)}</text></svg>`;
    const pixels = { raw: { width: grid.width, height: grid.height, channels: grid.channels } } as const;
    return [
      { input: Buffer.from(label), left: 0, top: y },
      { input: Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength), ...pixels, left: labelWidth, top: y },
    ];
  });
  return sharp({ create: { width, height, channels: 3, background: "#ffffff" } }).composite(layers).png({ compressionLevel: 9 }).toBuffer();
}

/**
 * Writes `<dir>/explorer/` (tf.min.js, explorer.js, explorer.css, models.js) for the book at `dir`;
 * returns the bytes written.
 */
export async function writeExplorer(dir: string, explorer: ExplorerData): Promise<number> {
  const keys = new Set(explorer.models.map((m) => m.key));
  for (const key of [...explorer.compare, ...(explorer.plane ? [explorer.plane.model] : [])]) {
    if (!keys.has(key)) throw new Error(`writeExplorer: "${key}" is shown in a panel but not among the exported models (${[...keys].join(", ")}).`);
  }
  const out = path.join(dir, "explorer");
  fs.mkdirSync(out, { recursive: true });
  const models: Record<string, object> = {};
  for (const m of explorer.models) models[m.key] = { meta: m.meta, ...(await serializeModel(m.model)) };
  const payload = { models, compare: explorer.compare, plane: explorer.plane && { ...explorer.plane, codes: compactCodes(explorer.plane.codes) } };
  fs.writeFileSync(path.join(out, "models.js"), `window.VAEGAN_EXPLORER = ${JSON.stringify(payload)};\n`);
  fs.copyFileSync(require.resolve("@tensorflow/tfjs/dist/tf.min.js"), path.join(out, "tf.min.js"));
  for (const f of ["explorer.js", "explorer.css"]) fs.copyFileSync(path.join(__dirname, "explorer", f), path.join(out, f));
  fs.writeFileSync(path.join(out, "compare.png"), await compareFigure(explorer));
  return fs.readdirSync(out).reduce((s, f) => s + fs.statSync(path.join(out, f)).size, 0);
}
