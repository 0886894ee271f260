/**
 * Models on disk in the TensorFlow.js layers format (model.json + weights.bin, as tfjs-node's
 * `file://` handler writes it), without needing tfjs-node. Writes are atomic: a folder is built
 * under a temporary name and renamed into place, so a killed process never leaves half a checkpoint.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeDirAtomic } from "../core/atomic";

/** A tensor with its name, as optimizers report their state. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** Saves a layers model into `dir` (model.json + weights.bin), replacing it atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await writeDirAtomic(dir, (tmp) => writeModel(model, tmp));
}

/** Writes model.json + weights.bin into an existing folder (callers make it atomic). */
export async function writeModel(model: tf.LayersModel, tmp: string): Promise<void> {
  await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = artifacts.weightData ? tf.io.concatenateArrayBuffers(Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]) : new ArrayBuffer(0);
        fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), Buffer.from(weightData));
        const json = {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format ?? "layers-model",
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy ?? null,
          weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        };
        fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(json));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: ${what} is not valid JSON (${(err as Error).message}); the checkpoint is corrupt: delete it to retrain.`);
  }
}

/** Loads a model saved by {@link saveModel} (or by tfjs-node's `file://`, single weight file). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const jsonFile = path.join(dir, MODEL_JSON);
  if (!fs.existsSync(jsonFile)) throw new Error(`No saved model in ${dir} (missing ${MODEL_JSON}): train it first, or check the path.`);
  const json = readJson(jsonFile, "the model description") as tf.io.ModelJSON;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${jsonFile}: not a TensorFlow.js layers model (no modelTopology/weightsManifest).`);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(dir, p)));
  const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightData.byteLength !== expected) {
    throw new Error(`${dir}: weights hold ${weightData.byteLength} bytes but model.json describes ${expected}; the checkpoint is corrupt or truncated: delete it to retrain.`);
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy }));
}

/**
 * Writes an ordered list of named tensors (e.g. optimizer slots, whose names repeat) as
 * `<file>.json` + `<file>.bin`; callers make the folder atomic.
 */
export async function saveTensorList(tensors: NamedTensor[], file: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors.map((t, i) => ({ name: `${i}:${t.name}`, tensor: t.tensor })));
  fs.writeFileSync(file + ".bin", Buffer.from(data as ArrayBuffer));
  fs.writeFileSync(file + ".json", JSON.stringify(specs));
}

/** Reads a list written by {@link saveTensorList}, in its order, with its names. */
export function loadTensorList(file: string): NamedTensor[] {
  const specs = readJson(file + ".json", "the tensor index") as tf.io.WeightsManifestEntry[];
  const bin = fs.readFileSync(file + ".bin");
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, specs);
  return specs.map((s) => ({ name: s.name.slice(s.name.indexOf(":") + 1), tensor: map[s.name] }));
}
