/**
 * A tracked run's folder, `runs/<name>/`: `config.json` (model, resolved config, seed, engine, git
 * commit), `metrics.jsonl` (one JSON line per logged step, evaluation and epoch), the checkpoint and
 * final models (written by `trainCached`), sample grids per epoch and, once finished, `summary.json`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../core/atomic";
import { ConfigError, ConfigObject } from "../core/config";
import { DataSource, dataSourcesRead } from "../data/sources";
import { currentEngine } from "../engine/ladder";
import { RunModel } from "../experiments/index";
import { PROJECT_ROOT, RUNS_DIR } from "../paths";
import { Callbacks, Logs } from "../train/loop";

export interface RunInfo {
  name: string;
  model: RunModel;
  config: ConfigObject;
  seed: number;
  engine: string;
  git: { commit: string; dirty: boolean } | null;
  created: string;
  node: string;
  /** The data files the run read (path, size, SHA-256), written when its training starts. */
  dataFiles?: DataSource[];
}

/** One line of metrics.jsonl. `step` counts optimisation steps from the start of the run. */
export type MetricsLine = { kind: "step" | "eval" | "epoch" | "final"; step: number; epoch: number; elapsed: number } & Logs;

export interface RunRecord extends RunInfo {
  dir: string;
  metrics: MetricsLine[];
  summary?: Logs;
}

/** The default root of tracked runs: `runs/` (the notebooks' cache lives in `runs/cache/`). */
export const TRACKED_RUNS_DIR = RUNS_DIR;

function gitState(): RunInfo["git"] {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim() !== "";
    return { commit, dirty };
  } catch {
    return null;
  }
}

/**
 * Checks that `name` is a plain folder name under the runs folder (letters, digits, ".", "_", "-",
 * not starting with "."; not "cache", the notebooks' weight cache): `../x` or `a/b` would leave it.
 * `what` names where the name came from in the error (e.g. `--resume`).
 */
export function checkRunName(name: string, what = "Run name"): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name === "cache") {
    throw new ConfigError(`${what} "${name}" is not a run name: use a plain folder name under the runs folder, made of letters, digits, ".", "_" and "-" (and not "cache").`);
  }
  return name;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);

/** Creates `<root>/<name>/` with its config.json; the name defaults to `<model>-<UTC time>`. */
export function createRun(options: { model: RunModel; config: ConfigObject; name?: string; root?: string }): RunInfo & { dir: string } {
  const root = options.root ?? TRACKED_RUNS_DIR;
  let name = options.name ?? `${options.model}-${stamp(new Date())}`;
  checkRunName(name);
  if (options.name && fs.existsSync(path.join(root, name))) throw new Error(`A run named "${name}" already exists in ${root}: resume it with --resume ${name}, or pick another --name.`);
  for (let i = 2; fs.existsSync(path.join(root, name)); i++) name = `${options.model}-${stamp(new Date())}-${i}`;
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const info: RunInfo = {
    name, model: options.model, config: options.config, seed: options.config.seed as number,
    engine: currentEngine()?.name ?? "unknown", git: gitState(), created: new Date().toISOString(), node: process.version,
  };
  writeFileAtomic(path.join(dir, "config.json"), JSON.stringify(info, null, 2) + "\n");
  return { ...info, dir };
}

/**
 * Reads a run's config.json: `nameOrDir` is a run name under `root` (checked by checkRunName, so it
 * cannot climb out of it) or an absolute folder. A missing run lists the runs there are.
 */
export function openRun(nameOrDir: string, root: string = TRACKED_RUNS_DIR): RunInfo & { dir: string } {
  const dir = path.isAbsolute(nameOrDir) ? nameOrDir : path.join(root, checkRunName(nameOrDir));
  const file = path.join(dir, "config.json");
  if (!fs.existsSync(file)) {
    const runs = listRuns(root);
    throw new ConfigError(`No run "${nameOrDir}" (no ${file}). ${runs.length ? `Runs in ${root}: ${runs.join(", ")}.` : `${root} holds no runs yet.`}`);
  }
  try {
    return { ...(JSON.parse(fs.readFileSync(file, "utf8")) as RunInfo), dir };
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); the run's description is damaged.`);
  }
}

/** Names of the run folders under `root` (those with a config.json), sorted. */
export function listRuns(root: string = TRACKED_RUNS_DIR): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((n) => fs.existsSync(path.join(root, n, "config.json"))).sort();
}

/**
 * Removes a run folder that training never reached (no checkpoint, no final models, no metrics line,
 * no sample), e.g. after the data failed to load, so its name is free again. Returns whether it did.
 */
export function discardUnstartedRun(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  const started = fs.readdirSync(dir).some((f) => f === "metrics.jsonl" ? fs.statSync(path.join(dir, f)).size > 0 : f !== "config.json");
  if (started) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/** Adds the data files this process has read to the run's config.json. */
export function recordDataFiles(dir: string): void {
  const file = path.join(dir, "config.json");
  const info = JSON.parse(fs.readFileSync(file, "utf8")) as RunInfo;
  writeFileAtomic(file, JSON.stringify({ ...info, dataFiles: dataSourcesRead() }, null, 2) + "\n");
}

/** The lines of a metrics.jsonl; a torn last line (a kill mid-write) is dropped. */
export function readMetrics(file: string): MetricsLine[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  const out: MetricsLine[] = [];
  lines.forEach((line, i) => {
    try {
      out.push(JSON.parse(line) as MetricsLine);
    } catch (err) {
      if (i < lines.length - 1) throw new Error(`${file}, line ${i + 1}: not valid JSON (${(err as Error).message}).`);
    }
  });
  return out;
}

/**
 * Appends to `<dir>/metrics.jsonl`. Opening it for a resumed run drops the lines past `keepUpTo`
 * (steps done after the checkpoint the run resumes from, which it will do again).
 */
export class MetricsLog {
  readonly file: string;
  private readonly elapsedBefore: number;
  private readonly started = performance.now();

  constructor(dir: string, keepUpTo: number) {
    this.file = path.join(dir, "metrics.jsonl");
    // A finished run (keepUpTo = ∞) keeps everything; a resumed one writes its final line again.
    const kept = readMetrics(this.file).filter((l) => l.step <= keepUpTo && (keepUpTo === Infinity || l.kind !== "final"));
    writeFileAtomic(this.file, kept.map((l) => JSON.stringify(l) + "\n").join(""));
    this.elapsedBefore = kept.length ? kept[kept.length - 1].elapsed : 0;
  }

  /** Training seconds of the run, over all its sessions. */
  elapsed(): number {
    return this.elapsedBefore + (performance.now() - this.started) / 1000;
  }

  write(kind: MetricsLine["kind"], step: number, epoch: number, logs: Logs): void {
    const line = { kind, step, epoch, elapsed: Number(this.elapsed().toFixed(3)), ...logs };
    fs.appendFileSync(this.file, JSON.stringify(line) + "\n");
  }
}

/**
 * Callbacks that record the data files read in config.json when training starts (the data is loaded
 * by then), and log every `logEvery`-th step, every evaluation and every epoch.
 */
export function trackingCallbacks(log: MetricsLog, options: { logEvery: number }): Callbacks {
  let stepsPerEpoch = 1;
  return {
    onTrainBegin: (info) => {
      stepsPerEpoch = info.stepsPerEpoch;
      recordDataFiles(path.dirname(log.file));
    },
    onBatchEnd: ({ epoch, step, logs }) => {
      const global = epoch * stepsPerEpoch + step;
      if (global % options.logEvery === 0) log.write("step", global, epoch, logs);
    },
    onEvaluation: ({ step, logs }) => log.write("eval", step, Math.floor(step / stepsPerEpoch), logs),
    onEpochEnd: (info) => log.write("epoch", (info.epoch + 1) * stepsPerEpoch, info.epoch, { ...info.logs, seconds: info.seconds, images_per_second: info.imagesPerSecond }),
  };
}

/** Loads runs (names under `root`, or folders) with their metrics and summaries. */
export function loadRuns(names: string[], root: string = TRACKED_RUNS_DIR): RunRecord[] {
  return names.map((n) => {
    const run = openRun(n, root);
    const summaryFile = path.join(run.dir, "summary.json");
    return { ...run, metrics: readMetrics(path.join(run.dir, "metrics.jsonl")), summary: fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Logs) : undefined };
  });
}
