/**
 * Trained weights cached by the hash of their config: re-running a notebook loads them instead of
 * retraining unless something that defines the result changed. A run checkpoints after every epoch
 * (models, optimizer state, history; written atomically), so a killed run resumes where it stopped:
 * data order and noise derive from (seed, epoch, step), so the resumed epochs are the same.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { RUNS_DIR } from "../paths";
import { Callbacks, EpochInfo } from "./loop";
import { loadModel, loadTensorList, saveTensorList, writeDirAtomic, writeModel } from "./model-io";

export type ModelSet = Record<string, tf.LayersModel>;

export interface CachedTrainingOptions<M extends ModelSet> {
  /** Run family, e.g. `01-dense-ae`; the folder is `<root>/<name>-<hash>`. */
  name: string;
  /** Everything that defines the result (model, data, training settings, seed). */
  config: object;
  build: () => M;
  /** Optimizers whose state is checkpointed (Adam's moments and step count), by name. */
  optimizers: Record<string, tf.Optimizer>;
  /** Runs epochs `startEpoch`.. with the given callbacks (which include the checkpointing). */
  train: (models: M, startEpoch: number, callbacks: Callbacks[]) => Promise<EpochInfo[]>;
  callbacks?: Callbacks[];
  root?: string;
}

export interface CachedTraining<M extends ModelSet> {
  models: M;
  /** Every epoch's summary, including those of earlier, resumed sessions. */
  epochs: EpochInfo[];
  dir: string;
  /** `cache`: loaded, no training; `resumed`: continued a checkpoint; `trained`: from scratch. */
  source: "cache" | "resumed" | "trained";
}

/** Stable JSON (sorted keys) so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Source files whose changes invalidate trained weights. */
const CODE_DIRS = ["models", "train", "data"].map((d) => path.join(__dirname, "..", d));

function codeDigest(): string {
  const h = crypto.createHash("sha256");
  for (const dir of CODE_DIRS) for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest("hex");
}

export function configHash(config: object): string {
  return crypto.createHash("sha256").update(stableStringify(config)).update(codeDigest()).digest("hex").slice(0, 12);
}

/** The folder of a cached run: `<root>/<name>-<hash of config and code>`. */
export function cacheDir(name: string, config: object, root: string = path.join(RUNS_DIR, "cache")): string {
  return path.join(root, `${name}-${configHash(config)}`);
}

async function writeState(dir: string, models: ModelSet, optimizers: Record<string, tf.Optimizer>, epochs: EpochInfo[], config: object): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    for (const [key, model] of Object.entries(models)) {
      fs.mkdirSync(path.join(tmp, key));
      await writeModel(model, path.join(tmp, key));
    }
    for (const [key, optimizer] of Object.entries(optimizers)) await saveTensorList(await optimizer.getWeights(), path.join(tmp, `optimizer-${key}`));
    fs.writeFileSync(path.join(tmp, "history.json"), JSON.stringify(epochs, null, 1));
    fs.writeFileSync(path.join(tmp, "config.json"), JSON.stringify(config, null, 2));
  });
}

async function readState<M extends ModelSet>(dir: string, keys: string[]): Promise<{ models: M; epochs: EpochInfo[] }> {
  const models = {} as ModelSet;
  for (const key of keys) models[key] = await loadModel(path.join(dir, key));
  const epochs = JSON.parse(fs.readFileSync(path.join(dir, "history.json"), "utf8")) as EpochInfo[];
  return { models: models as M, epochs };
}

/** Copies weights from loaded models into freshly built ones (keeps custom training state intact). */
function copyWeights(from: ModelSet, to: ModelSet): void {
  for (const [key, model] of Object.entries(to)) {
    model.setWeights(from[key].getWeights());
    from[key].dispose();
  }
}

/** Trains, resumes or loads a cached result; see the module comment. */
export async function trainCached<M extends ModelSet>(options: CachedTrainingOptions<M>): Promise<CachedTraining<M>> {
  const dir = cacheDir(options.name, options.config, options.root);
  const finalDir = path.join(dir, "final");
  const checkpointDir = path.join(dir, "checkpoint");
  const models = options.build();
  const keys = Object.keys(models);

  if (fs.existsSync(path.join(finalDir, "history.json"))) {
    const saved = await readState<M>(finalDir, keys);
    copyWeights(saved.models, models);
    return { models, epochs: saved.epochs, dir, source: "cache" };
  }

  let done: EpochInfo[] = [];
  if (fs.existsSync(path.join(checkpointDir, "history.json"))) {
    const saved = await readState<M>(checkpointDir, keys);
    copyWeights(saved.models, models);
    done = saved.epochs;
    // Adam creates its slots on the first step; setWeights restores them and the step count.
    for (const [key, optimizer] of Object.entries(options.optimizers)) await optimizer.setWeights(loadTensorList(path.join(checkpointDir, `optimizer-${key}`)));
  }
  const checkpoint: Callbacks = {
    onEpochEnd: async (info) => {
      done = [...done, info];
      await writeState(checkpointDir, models, options.optimizers, done, options.config);
    },
  };
  const startEpoch = done.length;
  await options.train(models, startEpoch, [...(options.callbacks ?? []), checkpoint]);
  await writeState(finalDir, models, {}, done, options.config);
  fs.rmSync(checkpointDir, { recursive: true, force: true });
  return { models, epochs: done, dir, source: startEpoch > 0 ? "resumed" : "trained" };
}
