/**
 * The one place where studies meet the training entry point of `npm run train` (the experiment
 * registry and lib/runs/train-run.ts): a spec's configuration, its budget, and training it as a
 * tracked run.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ConfigObject, ConfigValue } from "../core/config";
import { EXPERIMENTS, modelConfig, runModel } from "../experiments/index";
import { createRun, openRun } from "../runs/run-folder";
import { trainRun, TrainRunResult } from "../runs/train-run";
import { stableStringify } from "../train/run-cache";
import { Callbacks } from "../train/loop";
import type { PlannedRun, RunSpec } from "./spec";

/** `{ "a.b": 1 }` → `{ a: { b: 1 } }`, the shape of a config file. */
function nest(flat: Record<string, ConfigValue>): ConfigObject {
  const out: ConfigObject = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as ConfigObject;
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** The spec's full configuration: the experiment's defaults, its overrides, its seed and data set; checked. */
export function specConfig(spec: Required<RunSpec>): ConfigObject {
  const model = runModel(spec.experiment);
  const flat: Record<string, ConfigValue> = { ...spec.set, seed: spec.seed };
  const data = EXPERIMENTS[model].defaults.data as ConfigObject | undefined;
  if (data && "dataset" in data) flat["data.dataset"] = spec.dataset;
  else if (spec.dataset !== "fashion-mnist") throw new ConfigError(`experiment "${model}" trains on fashion-mnist only, not "${spec.dataset}".`);
  return modelConfig(model, nest(flat));
}

/** Steps per epoch, epochs and batch size of a resolved configuration. */
export function specSteps(config: ConfigObject): { stepsPerEpoch: number; numEpochs: number; batchSize: number } {
  const data = config.data as Record<string, number>;
  const training = config.training as Record<string, number>;
  // The colour autoencoder's data is a limit and a test fraction; the others name a training size.
  const trainSize = data.trainSize ?? Math.floor(data.limit * (1 - data.testFraction));
  return { stepsPerEpoch: Math.floor(trainSize / training.batchSize), numEpochs: training.numEpochs, batchSize: training.batchSize };
}

/** True when two configurations are the same (key order aside). */
export function sameConfig(a: ConfigObject, b: ConfigObject): boolean {
  return stableStringify(a) === stableStringify(b);
}

/**
 * Trains (or resumes, or finishes) the run of a spec in `<root>/<run>/`, exactly as
 * `npm run train -- <experiment> --name <run> --runs-dir <root> --set …` and `--resume <run>` would.
 * A folder left with another configuration is an error: the study's definition changed under it.
 */
export async function trainSpec(spec: PlannedRun, options: { root: string; signal?: AbortSignal; callbacks?: Callbacks[]; log?: (line: string) => void }): Promise<TrainRunResult> {
  const dir = path.join(options.root, spec.run);
  let run;
  if (fs.existsSync(path.join(dir, "config.json"))) {
    run = openRun(spec.run, options.root);
    if (!sameConfig(run.config, spec.config)) {
      throw new ConfigError(`Run folder ${dir} holds another configuration than the study's plan (the definition changed): delete the folder to train it again with the new one.`);
    }
  } else {
    // A folder without config.json is a creation cut short: nothing in it to keep.
    fs.rmSync(dir, { recursive: true, force: true });
    run = createRun({ model: runModel(spec.experiment), config: spec.config, name: spec.run, root: options.root });
  }
  return trainRun({ run, signal: options.signal, callbacks: options.callbacks, root: options.root, log: options.log });
}
