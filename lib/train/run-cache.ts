/**
 * Trained weights cached by the hash of their config: re-running a notebook loads them instead of
 * retraining unless something that defines the result changed. A run checkpoints after every epoch
 * and, if asked, every few steps and when stopped (models, optimizer state, history, position in the
 * epoch; written atomically), so a killed run resumes where it stopped: data order and noise derive
 * from (seed, epoch, step), so the resumed steps are the same.
 *
 * A cache folder is keyed on everything that produced its numbers: the config, the code of
 * lib/models, lib/train and lib/data (plus any `code` folder the caller names, e.g. lib/metrics for
 * a GAN's stored evaluations), and the engine with its thread count. It is locked while it trains
 * (lib/core/lock), so a notebook cell and a command-line run never train into one folder at once.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeDirAtomic } from "../core/atomic";
import { sourceDigest } from "../core/code-digest";
import { engineIdentity } from "../engine/identity";
import { InterruptedError, withInterrupt } from "../core/interrupt";
import { lockFolder } from "../core/lock";
import { PROJECT_ROOT, relativeToProject, RUNS_DIR } from "../paths";
import { installExactAdamResume } from "./adam-resume";
import { Callbacks, EpochInfo, LoopControl, LoopPosition } from "./loop";
import { loadModel, loadTensorList, saveTensorList, writeModel } from "./model-io";

export type ModelSet = Record<string, tf.LayersModel>;
/** Callbacks, or a function of the models and the run's folder that makes them (e.g. saving sample grids there). */
export type ModelCallbacks = Callbacks[] | ((models: ModelSet, dir: string) => Callbacks[]);

export interface CachedTrainingOptions<M extends ModelSet> {
  /** Run family, e.g. `01-dense-ae`; the folder is `<root>/<name>-<hash>`. */
  name: string;
  /** Everything that defines the result (model, data, training settings, seed). */
  config: object;
  build: () => M;
  /** Optimizers whose state is checkpointed (Adam's moments and step count), by name. */
  optimizers: Record<string, tf.Optimizer>;
  /** Runs the loop from where `control` says, with its callbacks (which include the checkpointing). */
  train: (models: M, control: LoopControl & { callbacks: Callbacks[] }) => Promise<EpochInfo[]>;
  /** Callbacks, or a function of the models and the run's folder that makes them (e.g. saving sample grids there). */
  callbacks?: ModelCallbacks;
  root?: string;
  /** Folders of lib/ (e.g. `metrics`) whose code computed numbers the result stores, added to the key. */
  code?: string[];
  /**
   * Train in this folder instead of the cache folder named by the hash (a tracked run, lib/runs:
   * its caller holds the folder's lock, since it writes more than the checkpoints there).
   */
  dir?: string;
  /**
   * Stops the run after the current step, leaving a checkpoint to resume from; the result says
   * `stopped`. Without it, the process-wide interrupt (lib/core/interrupt) stops the run the same way
   * and `trainCached` then throws an {@link InterruptedError}, so the caller's code goes no further.
   */
  signal?: AbortSignal;
  /** Steps between mid-epoch checkpoints (default: only at the end of each epoch). */
  checkpointEvery?: number;
}

/** Where and how a tracked run trains (lib/runs) instead of the notebook cache. */
export type RunTarget = { dir?: string; signal?: AbortSignal; checkpointEvery?: number };

export interface CachedTraining<M extends ModelSet> {
  models: M;
  /** Every epoch's summary, including those of earlier, resumed sessions. */
  epochs: EpochInfo[];
  dir: string;
  /** `cache`: loaded, no training; `resumed`: continued a checkpoint; `trained`: from scratch. */
  source: "cache" | "resumed" | "trained";
  /** True when `signal` stopped the run before its last epoch: `models` hold the checkpointed state. */
  stopped: boolean;
}

/** Stable JSON (sorted keys) so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Folders of lib/ whose changes invalidate trained weights. */
const CODE_DIRS = ["models", "train", "data"];

/** Digest of the .ts files in the named folders of lib/ (each once, in name order). */
export function codeDigest(dirs: string[] = CODE_DIRS): string {
  return sourceDigest({ root: PROJECT_ROOT, entries: [...new Set(dirs)].sort().map((d) => `lib/${d}`), skip: /\.(?!ts$)[^./]+$/ });
}

/**
 * The cache key of a result: its config, the code of lib/models, lib/train, lib/data and of the
 * `code` folders, and the engine computing now (backend and native thread counts).
 */
export function configHash(config: object, code: string[] = []): string {
  return crypto.createHash("sha256").update(stableStringify(config)).update(codeDigest([...CODE_DIRS, ...code])).update(stableStringify(engineIdentity())).digest("hex").slice(0, 12);
}

/** The folder of a cached run: `<root>/<name>-<hash of config, code and engine>` (see {@link configHash}). */
export function cacheDir(name: string, config: object, root: string = path.join(RUNS_DIR, "cache"), code: string[] = []): string {
  return path.join(root, `${name}-${configHash(config, code)}`);
}

const POSITION_JSON = "position.json";

async function writeState(dir: string, models: ModelSet, optimizers: Record<string, tf.Optimizer>, epochs: EpochInfo[], config: object, position?: LoopPosition): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    for (const [key, model] of Object.entries(models)) {
      fs.mkdirSync(path.join(tmp, key));
      await writeModel(model, path.join(tmp, key));
    }
    for (const [key, optimizer] of Object.entries(optimizers)) await saveTensorList(await optimizer.getWeights(), path.join(tmp, `optimizer-${key}`));
    fs.writeFileSync(path.join(tmp, "history.json"), JSON.stringify(epochs, null, 1));
    fs.writeFileSync(path.join(tmp, "config.json"), JSON.stringify(config, null, 2));
    if (position) fs.writeFileSync(path.join(tmp, POSITION_JSON), JSON.stringify(position));
  });
}

function readJsonFile<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    throw new Error(`${file}: cannot read the checkpoint (${(err as Error).message}); delete ${path.dirname(file)} to start that run again.`);
  }
}

async function readState<M extends ModelSet>(dir: string, keys: string[]): Promise<{ models: M; epochs: EpochInfo[]; position?: LoopPosition }> {
  const models = {} as ModelSet;
  for (const key of keys) models[key] = await loadModel(path.join(dir, key));
  const epochs = readJsonFile<EpochInfo[]>(path.join(dir, "history.json"));
  const positionFile = path.join(dir, POSITION_JSON);
  return { models: models as M, epochs, position: fs.existsSync(positionFile) ? readJsonFile<LoopPosition>(positionFile) : undefined };
}

/** How far the checkpoint in a run folder got (completed epochs, steps into the next), if there is one. */
export function checkpointProgress(dir: string): { epochs: number; step: number } | undefined {
  const checkpointDir = path.join(dir, "checkpoint");
  if (!fs.existsSync(path.join(checkpointDir, "history.json"))) return undefined;
  const epochs = readJsonFile<EpochInfo[]>(path.join(checkpointDir, "history.json")).length;
  const positionFile = path.join(checkpointDir, POSITION_JSON);
  const position = fs.existsSync(positionFile) ? readJsonFile<LoopPosition>(positionFile) : undefined;
  return { epochs, step: position && position.epoch === epochs ? position.step : 0 };
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
  installExactAdamResume();
  const dir = options.dir ?? cacheDir(options.name, options.config, options.root, options.code);
  // Taken now: an interrupt of the scope that started this training stops it, whenever it comes.
  const signal = withInterrupt(options.signal);
  const lock = options.dir ? undefined : await lockFolder(dir, { signal });
  try {
    return await trainLocked(options, dir, signal);
  } finally {
    lock?.release();
  }
}

async function trainLocked<M extends ModelSet>(options: CachedTrainingOptions<M>, dir: string, signal: AbortSignal): Promise<CachedTraining<M>> {
  const finalDir = path.join(dir, "final");
  const checkpointDir = path.join(dir, "checkpoint");
  const models = options.build();
  const keys = Object.keys(models);

  if (fs.existsSync(path.join(finalDir, "history.json"))) {
    const saved = await readState<M>(finalDir, keys);
    copyWeights(saved.models, models);
    return { models, epochs: saved.epochs, dir, source: "cache", stopped: false };
  }

  let done: EpochInfo[] = [];
  let resume: LoopPosition | undefined;
  if (fs.existsSync(path.join(checkpointDir, "history.json"))) {
    const saved = await readState<M>(checkpointDir, keys);
    copyWeights(saved.models, models);
    done = saved.epochs;
    resume = saved.position?.epoch === done.length ? saved.position : undefined;
    // Adam creates its slots on the first step; setWeights restores them and the step count.
    for (const [key, optimizer] of Object.entries(options.optimizers)) await optimizer.setWeights(loadTensorList(path.join(checkpointDir, `optimizer-${key}`)));
  }
  const checkpoint: Callbacks = {
    onEpochEnd: async (info) => {
      done = [...done, info];
      await writeState(checkpointDir, models, options.optimizers, done, options.config);
    },
    onCheckpoint: (position) => writeState(checkpointDir, models, options.optimizers, done, options.config, position),
    onTrainEnd: (info) => void (stopped = info.stopped),
  };
  let stopped = false;
  const resumed = done.length > 0 || resume !== undefined;
  try {
    await options.train(models, { startEpoch: done.length, resume, signal, checkpointEvery: options.checkpointEvery, callbacks: [...(typeof options.callbacks === "function" ? options.callbacks(models, dir) : options.callbacks ?? []), checkpoint] });
  } catch (err) {
    for (const model of Object.values(models)) model.dispose();
    throw err;
  }
  const source = resumed ? "resumed" : "trained";
  if (stopped && !options.signal) {
    for (const model of Object.values(models)) model.dispose();
    const at = checkpointProgress(dir);
    throw new InterruptedError(`Interrupted: ${relativeToProject(dir)} keeps a checkpoint after ${at?.epochs ?? 0} epochs and ${at?.step ?? 0} steps; run the same cell or command again to resume it.`);
  }
  if (stopped) return { models, epochs: done, dir, source, stopped };
  await writeState(finalDir, models, {}, done, options.config);
  fs.rmSync(checkpointDir, { recursive: true, force: true });
  return { models, epochs: done, dir, source, stopped: false };
}
