/**
 * Trains one tracked run from its folder's configuration: the run's experiment definition
 * (lib/experiments) loads the data and trains exactly as a notebook does; this adds what a tracked
 * run keeps: metrics.jsonl, a sample grid per epoch, and `summary.json` with the run's objective.
 * A killed or stopped run continues from its checkpoint when trained again. The folder is locked
 * while it trains (lib/core/lock): a second start of the same run is refused, naming the holder.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../core/atomic";
import { ImageDataset } from "../data/dataset";
import { epochGridCallbacks } from "../experiments/common";
import { BaseConfig, Experiment, ExperimentResult, resolveExperimentConfig } from "../experiments/experiment";
import { experiment } from "../experiments/index";
import { Callbacks, EpochInfo, Logs } from "../train/loop";
import { checkpointProgress } from "../train/run-cache";
import { MetricsLog, RunInfo, trackingCallbacks } from "./run-folder";
import { withInterrupt } from "../core/interrupt";
import { withFolderLock } from "../core/lock";

export interface TrainRunOptions {
  run: RunInfo & { dir: string };
  /** Stops after the current step with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  /** More callbacks, e.g. progress. */
  callbacks?: Callbacks[];
  /** Root of the runs `init.vaeRun` names (default runs/). */
  root?: string;
  /** Messages about what happens (data, classifier, resume). */
  log?: (line: string) => void;
}

export interface TrainRunResult {
  stopped: boolean;
  source: "cache" | "resumed" | "trained";
  epochs: EpochInfo[];
  /** Final metrics (present when the run finished). */
  summary?: Logs;
  /** What a search minimises: test loss for autoencoders, FD for GANs. */
  objective: string;
}

/** Trains (or resumes, or loads a finished) run holding its folder's lock; see the module comment. */
export function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  return withFolderLock(options.run.dir, { signal: withInterrupt(options.signal) }, () => trainExperiment(experiment(options.run.model), options));
}

async function trainExperiment<C extends BaseConfig, D extends { train: ImageDataset }, R extends ExperimentResult>(definition: Experiment<C, D, R>, options: TrainRunOptions): Promise<TrainRunResult> {
  const { run, log = () => {} } = options;
  // The saved configuration is checked again: a hand-edited config.json gets the same errors as --set.
  const config = resolveExperimentConfig(definition, run.config);
  const data = await definition.loadData(config);
  const stepsPerEpoch = Math.floor(data.train.size / config.training.batchSize);
  const progress = checkpointProgress(run.dir);
  const keepUpTo = progress ? progress.epochs * stepsPerEpoch + progress.step : 0;
  if (progress) log(`resuming ${run.name} after ${progress.epochs} epochs and ${progress.step} steps (global step ${keepUpTo})`);
  const metrics = new MetricsLog(run.dir, fs.existsSync(path.join(run.dir, "final")) ? Infinity : keepUpTo);
  const grid = definition.samples?.(config, data);
  let result: R;
  try {
    result = await definition.run(config, data, {
      name: run.name, dir: run.dir, signal: options.signal, checkpointEvery: config.tracking.checkpointEvery || undefined,
      callbacks: (models, dir) => [trackingCallbacks(metrics, { logEvery: config.tracking.logEvery }), ...(grid ? [epochGridCallbacks(dir, grid, models)] : []), ...(options.callbacks ?? [])],
      runsRoot: options.root, log,
    });
  } finally {
    grid?.dispose();
  }
  const objective = definition.objective;
  const { stopped, source, epochs } = result;
  if (stopped) return { stopped, source, epochs, objective };
  const summary = result.summary();
  // A finished run loaded again keeps its files as they are (unless a kill came before its summary).
  const summaryFile = path.join(run.dir, "summary.json");
  if (source !== "cache" || !fs.existsSync(summaryFile)) {
    metrics.write("final", epochs.length * stepsPerEpoch, epochs.length, summary);
    writeFileAtomic(summaryFile, JSON.stringify({ objective, ...summary, epochs: epochs.length, seconds: metrics.elapsed() }, null, 2) + "\n");
  }
  return { stopped, source, epochs, summary, objective };
}
