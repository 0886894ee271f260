/**
 * What every trainable model of the thesis is, as data: a typed default configuration (the `full`
 * settings, in one place), the rules its values obey, which keys are budget a profile may scale,
 * how to load its data and how to train it. Notebooks, `npm run train`, search and studies all
 * start from a definition (lib/experiments/index.ts lists them by name).
 */
import * as tf from "@tensorflow/tfjs";
import { ConfigError, ConfigObject, flattenConfig, resolveConfig, Rules } from "../core/config";
import { ImageDataset, PixelScale } from "../data/dataset";
import { BudgetKind, Profile } from "../profiles";
import { EpochInfo, Logs } from "../train/loop";
import { ModelCallbacks, ModelSet } from "../train/run-cache";

/** How often a tracked run logs and checkpoints, and how many images its sample grids show. */
export type TrackingConfig = { logEvery: number; checkpointEvery: number; samples: number };

/** What every experiment's configuration has: a seed, a batch size and epochs, tracking. */
export type BaseConfig = { seed: number; training: { batchSize: number; numEpochs: number }; tracking: TrackingConfig };

/** Where and how a run trains. */
export interface ExperimentTarget {
  /** Family name of the cached weights, `runs/cache/<name>-<hash>` (default: the experiment's name). */
  name?: string;
  /** Train in this run folder (lib/runs) instead of the cache. */
  dir?: string;
  /** Aborting stops after the current step, with a checkpoint to resume from. */
  signal?: AbortSignal;
  /** Steps between mid-epoch checkpoints (default: at epoch ends only). */
  checkpointEvery?: number;
  /** Progress, tracking, sample grids: callbacks, or a function of the models and the run's folder. */
  callbacks?: ModelCallbacks;
  /** Root of the tracked runs a GAN's `init.vaeRun` names (default runs/). */
  runsRoot?: string;
  /** Messages about what happens (helper models, resuming). */
  log?: (line: string) => void;
}

/** What every experiment's `run` returns, besides its own models and numbers. */
export interface ExperimentResult {
  epochs: EpochInfo[];
  /** True when the signal stopped the run early (its checkpoint holds the state). */
  stopped: boolean;
  source: "cache" | "resumed" | "trained";
  /** The run's folder (cache or tracked). */
  dir: string;
  /** The final numbers of a finished run, the objective among them. */
  summary: () => Logs;
}

/** Images a tracked run saves after every epoch: made from the models, fixed inputs disposed at the end. */
export interface SampleGrid {
  make: (models: ModelSet) => { images: tf.Tensor4D; range: PixelScale; cols: number };
  dispose: () => void;
}

export interface Experiment<C extends BaseConfig = BaseConfig, D extends { train: ImageDataset } = { train: ImageDataset }, R extends ExperimentResult = ExperimentResult> {
  /** The name `npm run train` and study plans use. */
  name: string;
  description: string;
  /** The full-profile settings, typed; a profile scales the keys `budget` names. */
  defaults: C;
  /** Rules per dotted key beyond the type of its default. */
  rules: Rules;
  /** Config keys of each budget kind (see lib/profiles.ts). */
  budget: Partial<Record<BudgetKind, string[]>>;
  /** The summary key a search minimises. */
  objective: string;
  /** Checks across keys (the rules check each key alone); throws a ConfigError. */
  check?: (config: C) => void;
  /** The data the configuration asks for. */
  loadData: (config: C) => Promise<D>;
  /** Trains (or loads, or resumes) the model. */
  run: (config: C, data: D, target?: ExperimentTarget) => Promise<R>;
  /** What a tracked run shows after each epoch, if anything. */
  samples?: (config: C, data: D) => SampleGrid;
}

/** The parts of an experiment that define its configuration. */
export type ExperimentSettings<C extends BaseConfig> = Pick<Experiment<C>, "name" | "defaults" | "rules" | "budget" | "check">;

/** Any experiment, whatever its types (the registry's element type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExperiment = Experiment<any, any, any>;

/** A nested, partial configuration (a config file's object, or a notebook's overrides). */
export type ConfigOverrides = { [key: string]: ConfigOverrides | ConfigObject[string] };

/**
 * The experiment's defaults, then a (nested, partial) object, then `key=value` texts, each value
 * checked against its rule and the experiment's cross-key checks.
 */
export function resolveExperimentConfig<C extends BaseConfig>(experiment: ExperimentSettings<C>, file: unknown = {}, sets: Record<string, string> = {}): C {
  const config = resolveConfig(experiment.defaults as C & ConfigObject, experiment.rules, `model "${experiment.name}"`, file, sets);
  experiment.check?.(config);
  return config;
}

/**
 * The experiment's configuration under a profile: defaults with `overrides` (checked), then every
 * budget key scaled by the profile. Overrides are full-profile values too (e.g. a search's budget).
 */
export function profileConfig<C extends BaseConfig>(experiment: ExperimentSettings<C>, profile: Profile, overrides: ConfigOverrides = {}): C {
  const config = resolveConfig(experiment.defaults as C & ConfigObject, experiment.rules, `model "${experiment.name}"`, overrides);
  for (const [kind, keys] of Object.entries(experiment.budget) as [BudgetKind, string[]][]) {
    for (const key of keys) {
      const parts = key.split(".");
      const node = parts.slice(0, -1).reduce((o, p) => o[p] as ConfigObject, config as ConfigObject);
      const leaf = parts[parts.length - 1];
      if (typeof node[leaf] !== "number") throw new Error(`Experiment "${experiment.name}" names "${key}" as budget, but it is not a number key.`);
      node[leaf] = profile.scale[kind](node[leaf] as number);
    }
  }
  experiment.check?.(config);
  return config;
}

/** `training.batchSize` must fit in `data.trainSize`: batches drop the remainder, so an epoch would have no step. */
export function checkBatchFits(config: { training: { batchSize: number }; data: { trainSize: number } }): void {
  if (config.training.batchSize > config.data.trainSize) {
    throw new ConfigError(`Config key "training.batchSize" (${config.training.batchSize}) exceeds "data.trainSize" (${config.data.trainSize}): an epoch would have no step.`);
  }
}

/** Every key and default of an experiment, `key=value` separated by spaces (for --help). */
export function describeKeys(experiment: AnyExperiment): string {
  return [...flattenConfig(experiment.defaults as ConfigObject)].map(([k, v]) => `${k}=${v}`).join(" ");
}
