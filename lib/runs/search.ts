/**
 * Hyper-parameter search over the learning rate, the batch size and Adam's β1 (what seed 002
 * searched with Optuna), every trial a tracked run at a fixed budget. Samplers: `random`, and
 * `tpe` — the Tree-structured Parzen Estimator (Bergstra et al. 2011): after a few random trials it
 * splits the finished ones into the best γ and the rest, models each group's values with a Parzen
 * (kernel) density, and proposes the candidate that maximises l(x)/g(x).
 * A search folder is resumable: finished trials are read back, an interrupted one resumes.
 */
import * as fs from "fs";
import * as path from "path";
import { withInterrupt } from "../core/interrupt";
import { withFolderLock } from "../core/lock";
import { deriveSeed, makeRng, Rng } from "../random";
import { Callbacks } from "../train/loop";
import { ConfigObject } from "../core/config";
import { EXPERIMENTS, RunModel } from "../experiments/index";
import { writeFileAtomic } from "../core/atomic";
import { createRun, openRun, RunInfo } from "./run-folder";
import { trainRun } from "./train-run";

export type Param = { kind: "log"; min: number; max: number } | { kind: "uniform"; min: number; max: number } | { kind: "choice"; values: number[] };

/** The searched dimensions, named as in the results table. */
export interface SearchSpace {
  learningRate: Param;
  batchSize: Param;
  beta1: Param;
}

export const DEFAULT_SPACE: SearchSpace = {
  learningRate: { kind: "log", min: 5e-5, max: 5e-3 },
  batchSize: { kind: "choice", values: [32, 64, 128] },
  beta1: { kind: "uniform", min: 0.1, max: 0.95 },
};

export type Params = Record<keyof SearchSpace, number>;
export const SAMPLERS = ["random", "tpe"] as const;
export type Sampler = (typeof SAMPLERS)[number];

export interface Trial {
  index: number;
  run: string;
  params: Params;
  /** The objective (lower is better); null when the trial failed or has not finished. */
  value: number | null;
  status: "done" | "stopped" | "failed";
  error?: string;
}

export interface SearchOptions {
  model: RunModel;
  /** The resolved configuration every trial starts from (its budget: epochs, data size). */
  base: ConfigObject;
  trials: number;
  sampler: Sampler;
  seed: number;
  /** The search folder, `<root>/<name>/`; trials are runs `trial-00`, `trial-01`, … inside it. */
  name: string;
  root: string;
  space?: SearchSpace;
  /** Parameters of the first trials, given rather than sampled (e.g. a reference setting). */
  enqueue?: Params[];
  /** Random trials before TPE takes over (default max(3, ⌈trials/4⌉)). */
  startupTrials?: number;
  signal?: AbortSignal;
  /** Callbacks for each trial (progress). */
  callbacks?: (trial: number) => Callbacks[];
  /** Root of the runs a GAN's `init.vaeRun` names. */
  runsRoot?: string;
  log?: (line: string) => void;
}

export interface SearchResult {
  dir: string;
  objective: string;
  trials: Trial[];
  /** The finished trial with the lowest objective. */
  best?: Trial;
  stopped: boolean;
}

const GAMMA = 0.25;
const CANDIDATES = 24;

/** Parameter in [0, 1] (continuous) or its index (choice). */
function toUnit(p: Param, v: number): number {
  if (p.kind === "log") return (Math.log(v) - Math.log(p.min)) / (Math.log(p.max) - Math.log(p.min));
  if (p.kind === "uniform") return (v - p.min) / (p.max - p.min);
  return p.values.indexOf(v);
}

function fromUnit(p: Param, u: number): number {
  if (p.kind === "log") return Number(Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min))).toPrecision(4));
  if (p.kind === "uniform") return Number((p.min + u * (p.max - p.min)).toPrecision(4));
  return p.values[u];
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A Parzen density on [0, 1]: a Gaussian on each point plus a uniform prior worth one point. */
class Parzen {
  private readonly sigma: number;
  constructor(private readonly points: number[]) {
    const n = points.length;
    const mean = points.reduce((a, b) => a + b, 0) / Math.max(1, n);
    const sd = n > 1 ? Math.sqrt(points.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0.25;
    this.sigma = Math.min(0.5, Math.max(0.08, 1.06 * sd * n ** -0.2));
  }
  density(u: number): number {
    const k = this.points.reduce((a, m) => a + Math.exp(-0.5 * ((u - m) / this.sigma) ** 2) / (this.sigma * Math.sqrt(2 * Math.PI)), 0);
    return (k + 1) / (this.points.length + 1);
  }
  sample(rng: Rng): number {
    const pick = Math.floor(rng() * (this.points.length + 1));
    if (pick === this.points.length) return rng();
    for (let i = 0; i < 16; i++) {
      const u = this.points[pick] + this.sigma * gaussian(rng);
      if (u >= 0 && u <= 1) return u;
    }
    return Math.min(1, Math.max(0, this.points[pick]));
  }
}

/** Smoothed frequencies of the choices (one pseudo-count each). */
function choiceWeights(indices: number[], count: number): number[] {
  const w = Array.from({ length: count }, () => 1);
  for (const i of indices) w[i]++;
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function randomParams(space: SearchSpace, rng: Rng): Params {
  const out = {} as Params;
  for (const [k, p] of Object.entries(space) as [keyof SearchSpace, Param][]) out[k] = p.kind === "choice" ? p.values[Math.floor(rng() * p.values.length)] : fromUnit(p, rng());
  return out;
}

/** Proposes the next parameters from the finished trials (TPE), or at random. */
export function propose(space: SearchSpace, history: { params: Params; value: number }[], options: { sampler: Sampler; startupTrials: number; rng: Rng }): Params {
  const { rng } = options;
  if (options.sampler === "random" || history.length < options.startupTrials) return randomParams(space, rng);
  const sorted = [...history].sort((a, b) => a.value - b.value);
  const nGood = Math.max(1, Math.ceil(GAMMA * sorted.length));
  const good = sorted.slice(0, nGood).map((t) => t.params);
  const bad = sorted.slice(nGood).map((t) => t.params);
  const keys = Object.keys(space) as (keyof SearchSpace)[];
  const models = keys.map((k) => {
    const p = space[k];
    if (p.kind === "choice") {
      const l = choiceWeights(good.map((g) => toUnit(p, g[k])), p.values.length);
      const g = choiceWeights(bad.map((b) => toUnit(p, b[k])), p.values.length);
      return {
        sample: () => { let r = rng(), i = 0; while (i < l.length - 1 && r >= l[i]) r -= l[i++]; return i; },
        score: (u: number) => Math.log(l[u]) - Math.log(g[u]),
      };
    }
    const l = new Parzen(good.map((x) => toUnit(p, x[k])));
    const g = new Parzen(bad.map((x) => toUnit(p, x[k])));
    return { sample: () => l.sample(rng), score: (u: number) => Math.log(l.density(u)) - Math.log(g.density(u)) };
  });
  let best: { units: number[]; score: number } | undefined;
  for (let c = 0; c < CANDIDATES; c++) {
    const units = models.map((m) => m.sample());
    const score = units.reduce((s, u, i) => s + models[i].score(u), 0);
    if (!best || score > best.score) best = { units, score };
  }
  return Object.fromEntries(keys.map((k, i) => [k, fromUnit(space[k], best!.units[i])])) as Params;
}

/** The trial's configuration: the base with the searched values written into the model's keys (a GAN's two learning rates alike). */
export function trialConfig(base: ConfigObject, params: Params): ConfigObject {
  const config = JSON.parse(JSON.stringify(base)) as ConfigObject;
  const training = config.training as ConfigObject;
  if ("learningRateD" in training) {
    training.learningRateD = params.learningRate;
    training.learningRateG = params.learningRate;
  } else training.learningRate = params.learningRate;
  training.batchSize = params.batchSize;
  training.beta1 = params.beta1;
  return config;
}

function trialParams(run: RunInfo): Params {
  const t = run.config.training as Record<string, number>;
  return { learningRate: t.learningRate ?? t.learningRateG, batchSize: t.batchSize, beta1: t.beta1 };
}

/** Runs (or continues) a search holding its folder's lock (a second start is refused); see the module comment. */
export function runSearch(options: SearchOptions): Promise<SearchResult> {
  return withFolderLock(path.join(options.root, options.name), { signal: withInterrupt(options.signal) }, () => searchLocked(options));
}

async function searchLocked(options: SearchOptions): Promise<SearchResult> {
  const { model, base, sampler, seed, log = () => {} } = options;
  const space = options.space ?? DEFAULT_SPACE;
  const startupTrials = options.startupTrials ?? Math.max(3, Math.ceil(options.trials / 4));
  const dir = path.join(options.root, options.name);
  const specFile = path.join(dir, "search.json");
  const enqueue = options.enqueue ?? [];
  const spec = { model, sampler, seed, trials: options.trials, startupTrials, space, base, enqueue };
  if (fs.existsSync(specFile)) {
    const saved = JSON.parse(fs.readFileSync(specFile, "utf8")) as typeof spec;
    for (const key of ["model", "sampler", "seed", "space", "base", "enqueue"] as const) {
      if (JSON.stringify(saved[key]) !== JSON.stringify(spec[key])) throw new Error(`Search "${options.name}" exists with a different ${key}; continue it with the same settings, or give a new --name.`);
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(specFile, JSON.stringify(spec, null, 2) + "\n");

  const trials: Trial[] = [];
  let objective = EXPERIMENTS[model].objective;
  let stopped = false;
  for (let i = 0; i < options.trials && !stopped; i++) {
    const runName = `trial-${String(i).padStart(2, "0")}`;
    let run: RunInfo & { dir: string };
    if (fs.existsSync(path.join(dir, runName, "config.json"))) run = openRun(runName, dir);
    else {
      const history = trials.filter((t) => t.value !== null).map((t) => ({ params: t.params, value: t.value as number }));
      // A failed trial counts as the worst result, so TPE steers away from it.
      for (const t of trials) if (t.status === "failed") history.push({ params: t.params, value: Infinity });
      const params = enqueue[i] ?? propose(space, history, { sampler, startupTrials, rng: makeRng(deriveSeed(seed, `trial:${i}`)) });
      run = createRun({ model, config: trialConfig(base, params), name: runName, root: dir });
    }
    const params = trialParams(run);
    log(`${runName}: learning rate ${params.learningRate}, batch ${params.batchSize}, β1 ${params.beta1}`);
    try {
      const result = await trainRun({ run, signal: options.signal, callbacks: options.callbacks?.(i), root: options.runsRoot, log });
      objective = result.objective;
      stopped = result.stopped;
      trials.push({ index: i, run: runName, params, value: result.summary ? result.summary[objective] : null, status: result.stopped ? "stopped" : "done" });
    } catch (err) {
      const message = (err as Error).message;
      if (!/Training diverged/.test(message)) throw err;
      log(`${runName} failed: ${message}`);
      trials.push({ index: i, run: runName, params, value: null, status: "failed", error: message });
    }
  }
  const finished = trials.filter((t) => t.value !== null);
  const best = finished.length ? finished.reduce((a, b) => ((b.value as number) < (a.value as number) ? b : a)) : undefined;
  const result: SearchResult = { dir, objective, trials, best, stopped };
  writeFileAtomic(path.join(dir, "results.json"), JSON.stringify(result, null, 2) + "\n");
  return result;
}

/** The results as table rows, best first: trial, learning rate, batch size, β1, objective. */
export function searchTable(result: SearchResult): { header: string[]; rows: string[][] } {
  const order = [...result.trials].sort((a, b) => (a.value ?? Infinity) - (b.value ?? Infinity));
  return {
    header: ["trial", "learning rate", "batch size", "β1", result.objective],
    rows: order.map((t) => [t.run, t.params.learningRate.toExponential(2), String(t.params.batchSize), t.params.beta1.toFixed(3), t.value === null ? t.status : t.value.toPrecision(4)]),
  };
}
