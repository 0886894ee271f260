/**
 * The book's latent explorer (appendix `explorer.qmd`): trained decoders and generators exported in
 * the TFJS layers format and inlined, base64, into `explorer/models.js` next to tf.min.js and the
 * panels' script, so the page runs offline and from file:// (Chromium blocks fetch of local files).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

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
  return fs.readdirSync(out).reduce((s, f) => s + fs.statSync(path.join(out, f)).size, 0);
}
