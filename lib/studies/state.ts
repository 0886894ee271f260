/**
 * Where a study's runs stand, and running one of them. A run is finished when its small results
 * (config, metrics.jsonl, summary, final sample grid) are in the tracked `results/<study>/<run>/`
 * with the plan's configuration, or when its folder in `runs/<study>/` has a summary (its results
 * are then copied). A finished run whose weights are gone (a fresh clone) trains again only if an
 * unfinished run needs them.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, RUNS_DIR } from "../paths";
import { ConfigObject } from "../core/config";
import { readMetrics, RunInfo } from "../runs/run-folder";
import { writeDirAtomic } from "../core/atomic";
import { checkpointProgress } from "../train/run-cache";
import { Callbacks, Logs } from "../train/loop";
import { LockHeldError, liveLockHolder } from "../core/lock";
import { PlannedRun, StudyPlan } from "./spec";
import { sameConfig, specSteps, trainSpec } from "./train-spec";

/** The tracked folder of finished studies' small results. */
export const RESULTS_DIR = path.join(PROJECT_ROOT, "results");

/** A study's two folders: its runs (weights, checkpoints, logs, plan) and its tracked results. */
export interface StudyDirs {
  runs: string;
  results: string;
}

/** `runs/<folder>` and `results/<folder>` under the given roots (default: the project's). */
export function studyDirs(folder: string, roots: { runsDir?: string; resultsDir?: string } = {}): StudyDirs {
  return { runs: path.join(roots.runsDir ?? RUNS_DIR, folder), results: path.join(roots.resultsDir ?? RESULTS_DIR, folder) };
}

/** Where the coordinator writes a worker's output, and where the run's lock lives. */
export const workerLog = (dirs: StudyDirs, run: string) => path.join(dirs.runs, "logs", `${run}.log`);

export type RunState = "finished" | "running" | "partial" | "missing";

export interface RunStatus {
  run: string;
  state: RunState;
  /** A finished run's results are in results/ (false: only in runs/, to be copied). */
  collected: boolean;
  /** The run's final weights are here (`runs/<study>/<run>/final/`): dependants can start from them. */
  weights: boolean;
  /** Fraction of the training steps done: 1 when finished, the metrics' last step when running, the checkpoint's otherwise. */
  progress: number;
  /** Training seconds of a finished run (from its summary). */
  seconds?: number;
  summary?: Logs;
  /** The process training it now. */
  holder?: { pid: number; host: string };
  /** results/ holds this run with another configuration (the definition changed): it runs again. */
  stale: boolean;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The state of one planned run. */
export function runStatus(run: PlannedRun, dirs: StudyDirs): RunStatus {
  const matches = (dir: string) => {
    const info = readJson<RunInfo>(path.join(dir, "config.json"));
    return info !== undefined && sameConfig(info.config, run.config);
  };
  const resultDir = path.join(dirs.results, run.run);
  const runDir = path.join(dirs.runs, run.run);
  const weights = fs.existsSync(path.join(runDir, "final")) && matches(runDir);
  const stale = fs.existsSync(path.join(resultDir, "summary.json")) && !matches(resultDir);
  const base = { run: run.run, weights, stale, collected: false, progress: 0 };
  for (const [dir, collected] of [[resultDir, true], [runDir, false]] as const) {
    const summary = readJson<Logs>(path.join(dir, "summary.json"));
    if (summary && matches(dir)) return { ...base, state: "finished", collected, progress: 1, seconds: summary.seconds, summary };
  }
  const holder = liveLockHolder(runDir);
  const at = matches(runDir) ? checkpointProgress(runDir) : undefined;
  const { stepsPerEpoch, numEpochs } = specSteps(run.config);
  // A running run has got as far as its metrics say; a stopped one resumes from its checkpoint.
  const metrics = holder ? readMetrics(path.join(runDir, "metrics.jsonl")) : [];
  const step = Math.max(at ? at.epochs * stepsPerEpoch + at.step : 0, metrics.length ? metrics[metrics.length - 1].step : 0);
  const progress = Math.min(1, step / (stepsPerEpoch * numEpochs));
  return { ...base, state: holder ? "running" : at ? "partial" : "missing", progress, holder };
}

/** Every planned run's state, in plan order. */
export function studyStatus(plan: StudyPlan, dirs: StudyDirs): RunStatus[] {
  return plan.runs.map((r) => runStatus(r, dirs));
}

/**
 * The runs to train: the unfinished ones, and the finished ones whose weights an unfinished run
 * needs but this machine lacks (transitively).
 */
export function runsToDo(plan: StudyPlan, status: RunStatus[]): Set<string> {
  const byName = new Map(status.map((s) => [s.run, s]));
  const todo = new Set(status.filter((s) => s.state !== "finished").map((s) => s.run));
  for (let grown = true; grown; ) {
    grown = false;
    for (const r of plan.runs) {
      if (!todo.has(r.run)) continue;
      for (const n of r.needs) {
        if (!todo.has(n) && !byName.get(n)!.weights) {
          todo.add(n);
          grown = true;
        }
      }
    }
  }
  return todo;
}

/** Evaluation grids kept beside the last: the early steps, where pretrained and scratch generators differ most. */
const EARLY_GRIDS = [0, 250, 500, 1000, 2000, 4000].map((step) => `step-${String(step).padStart(7, "0")}.png`);

/**
 * Copies a finished run's small results into `results/<study>/<run>/` (config.json, metrics.jsonl,
 * summary.json, the last sample grid as samples.png and the early evaluation grids under samples/),
 * replacing the folder atomically.
 */
export async function collectRun(dirs: StudyDirs, run: string): Promise<void> {
  const from = path.join(dirs.runs, run);
  const samples = path.join(from, "samples");
  const grids = fs.existsSync(samples) ? fs.readdirSync(samples).filter((f) => f.endsWith(".png")).sort() : [];
  fs.mkdirSync(dirs.results, { recursive: true });
  await writeDirAtomic(path.join(dirs.results, run), async (tmp) => {
    for (const f of ["config.json", "metrics.jsonl", "summary.json"]) fs.copyFileSync(path.join(from, f), path.join(tmp, f));
    if (grids.length) fs.copyFileSync(path.join(samples, grids[grids.length - 1]), path.join(tmp, "samples.png"));
    const early = grids.slice(0, -1).filter((f) => EARLY_GRIDS.includes(f));
    if (early.length) fs.mkdirSync(path.join(tmp, "samples"));
    for (const f of early) fs.copyFileSync(path.join(samples, f), path.join(tmp, "samples", f));
  });
}

/** Copies the results of runs finished in runs/ but not yet in results/ (a kill between the two). */
export async function collectFinished(plan: StudyPlan, dirs: StudyDirs): Promise<string[]> {
  const due = studyStatus(plan, dirs).filter((s) => s.state === "finished" && !s.collected).map((s) => s.run);
  for (const run of due) await collectRun(dirs, run);
  return due;
}

export type RunOutcome = "finished" | "skipped" | "stopped" | "busy";

/**
 * Runs one planned run to its end (a worker's or a Slurm task's job): skips it when finished and
 * not needed, refuses when a dependency's weights are missing, returns `busy` when another process
 * trains it, and copies its results when it finishes (unless they were collected already). `signal` stops it after a checkpoint.
 */
export async function executeRun(plan: StudyPlan, dirs: StudyDirs, name: string, options: { signal?: AbortSignal; callbacks?: Callbacks[]; log?: (line: string) => void } = {}): Promise<RunOutcome> {
  const spec = plan.runs.find((r) => r.run === name);
  if (!spec) throw new Error(`Study "${plan.study}" has no run "${name}". Runs: ${plan.runs.map((r) => r.run).join(", ")}.`);
  const status = studyStatus(plan, dirs);
  if (!runsToDo(plan, status).has(name)) {
    if (!status.find((s) => s.run === name)!.collected) await collectRun(dirs, name);
    return "skipped";
  }
  for (const n of spec.needs) {
    if (!status.find((s) => s.run === n)!.weights) throw new Error(`Run "${name}" needs run "${n}", whose weights are not in ${path.join(dirs.runs, n, "final")}: run "${n}" first.`);
  }
  // The run folder's lock (taken by trainRun) keeps a second process out: it reports the run as busy.
  if (liveLockHolder(path.join(dirs.runs, name))) return "busy";
  let result;
  try {
    result = await trainSpec(spec, { root: dirs.runs, signal: options.signal, callbacks: options.callbacks, log: options.log });
  } catch (err) {
    if (err instanceof LockHeldError) return "busy";
    throw err;
  }
  if (result.stopped) return "stopped";
  // A run retrained only for its weights (its results were collected before, on another machine) keeps
  // them: training is deterministic, and only its timings would change.
  if (!status.find((s) => s.run === name)!.collected) await collectRun(dirs, name);
  return "finished";
}

/** A run of a study as a notebook reads it: its plan entry, state, config, metrics and summary. */
export interface StudyRunRecord extends PlannedRun {
  status: RunStatus;
  /** The run's config.json (model, resolved configuration, engine, git commit), when it exists. */
  info?: RunInfo;
  metrics: ReturnType<typeof readMetrics>;
  summary?: Logs;
  /** The final sample grid (PNG) of a finished run. */
  samples?: string;
}

/** A file of a study run (e.g. `samples/step-0000500.png`): from results/ first, else runs/; undefined when neither has it. */
export function studyRunFile(run: { run: string }, file: string, dirs: StudyDirs): string | undefined {
  return [dirs.results, dirs.runs].map((root) => path.join(root, run.run, file)).find((f) => fs.existsSync(f));
}

/** Every run of a plan with what is known of it: finished ones from results/, others from runs/. */
export function readStudyRuns(plan: StudyPlan, dirs: StudyDirs): StudyRunRecord[] {
  return plan.runs.map((r) => {
    const status = runStatus(r, dirs);
    const dir = path.join(status.collected ? dirs.results : dirs.runs, r.run);
    const grids = status.collected ? ["samples.png"] : fs.existsSync(path.join(dir, "samples")) ? fs.readdirSync(path.join(dir, "samples")).filter((f) => f.endsWith(".png")).sort().map((f) => path.join("samples", f)) : [];
    const samples = status.state === "finished" && grids.length ? path.join(dir, grids[grids.length - 1]) : undefined;
    return { ...r, status, info: readJson<RunInfo & { config: ConfigObject }>(path.join(dir, "config.json")), metrics: readMetrics(path.join(dir, "metrics.jsonl")), summary: status.summary, samples };
  });
}
