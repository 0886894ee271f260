/**
 * A study is data: a list of run specs (experiment × config overrides × seed × data set), each a
 * tracked run in `runs/<study>/<run>/`. A definition is a typed function of the profile returning
 * the specs; `makePlan` resolves every spec's configuration (so a typo fails before anything trains)
 * and checks names and dependencies; the plan is written to `runs/<study>/plan.json`, which is what
 * workers and Slurm array tasks execute.
 */
import * as fs from "fs";
import * as path from "path";
import { Profile, ProfileName, PROFILE_NAMES } from "../profiles";
import { ConfigError, ConfigObject, ConfigValue } from "../core/config";
import { Logs } from "../train/loop";
import { writeFileAtomic } from "../core/atomic";
import { specConfig, specSteps } from "./train-spec";

/** One run of a study. */
export interface RunSpec {
  /** Unique in the study: the folders `runs/<study>/<run>/` and `results/<study>/<run>/`. */
  run: string;
  /** The experiment, named as `npm run train -- <experiment>` names it (`vae`, `gan`, …). */
  experiment: string;
  seed: number;
  /** The data set (`fashion-mnist` unless the experiment takes another). */
  dataset?: string;
  /** Configuration overrides by dotted key, like `--set key=value` but typed: `{ "training.numEpochs": 2 }`. */
  set?: Record<string, ConfigValue>;
  /** Runs that must finish first, e.g. the VAE whose decoder a GAN's generator starts from. */
  needs?: string[];
}

/**
 * What a definition may know of its own finished runs: their summaries (e.g. a search's trials, to
 * add runs at the best setting once they are all done). Undefined for a run not finished.
 */
export type FinishedRuns = (run: string) => Logs | undefined;

/** A registered study: its name, what it asks, and its specs under a profile (and given its finished runs). */
export interface StudyDefinition {
  name: string;
  description: string;
  specs: (profile: Profile, finished: FinishedRuns) => RunSpec[];
}

/** A spec with its resolved configuration and its training budget. */
export interface PlannedRun extends Required<RunSpec> {
  config: ConfigObject;
  /** Training images the run will see (steps × batch size). */
  images: number;
}

export interface StudyPlan {
  study: string;
  description: string;
  profile: ProfileName;
  /** The study's folder name under runs/ and results/ (see `studyFolder`). */
  folder: string;
  runs: PlannedRun[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * The folder of a study under runs/ and results/: its name under `full`, `<name>-<profile>` under
 * any other profile, so quick runs (tests, CI) never count as, or overwrite, the report's results.
 */
export function studyFolder(study: string, profile: ProfileName): string {
  return profile === "full" ? study : `${study}-${profile}`;
}

/** Resolves and checks a definition's specs under a profile (and its finished runs); every mistake names the run. */
export function makePlan(definition: StudyDefinition, profile: Profile, finished: FinishedRuns = () => undefined): StudyPlan {
  const specs = definition.specs(profile, finished);
  if (!specs.length) throw new ConfigError(`Study "${definition.name}" has no runs under profile ${profile.name}.`);
  const names = new Set<string>();
  const runs = specs.map((spec): PlannedRun => {
    if (!NAME.test(spec.run)) throw new ConfigError(`Study "${definition.name}": run name "${spec.run}" is not allowed; use letters, digits, "_" and "-".`);
    if (names.has(spec.run)) throw new ConfigError(`Study "${definition.name}": two runs are named "${spec.run}"; run names must be unique.`);
    names.add(spec.run);
    const full = { dataset: "fashion-mnist", set: {}, needs: [], ...spec };
    let config: ConfigObject;
    try {
      config = specConfig(full);
    } catch (err) {
      throw new ConfigError(`Study "${definition.name}", run "${spec.run}": ${(err as Error).message}`);
    }
    const { stepsPerEpoch, numEpochs, batchSize } = specSteps(config);
    return { ...full, needs: [...full.needs], set: { ...full.set }, config, images: stepsPerEpoch * numEpochs * batchSize };
  });
  const plan: StudyPlan = { study: definition.name, description: definition.description, profile: profile.name, folder: studyFolder(definition.name, profile.name), runs };
  checkDependencies(plan);
  return plan;
}

/** Every `needs` names another run of the plan, and no run needs itself through a cycle. */
function checkDependencies(plan: StudyPlan): void {
  const byName = new Map(plan.runs.map((r) => [r.run, r]));
  for (const r of plan.runs) {
    for (const n of r.needs) if (!byName.has(n) || n === r.run) throw new ConfigError(`Study "${plan.study}", run "${r.run}" needs "${n}", which is ${n === r.run ? "itself" : "not a run of the study"}. Runs: ${[...byName.keys()].join(", ")}.`);
  }
  dependencyWaves(plan);
}

/**
 * Runs grouped by depth: wave 0 needs nothing, wave k needs only runs of earlier waves. Slurm
 * submits one array per wave; a cycle is an error that names its runs.
 */
export function dependencyWaves(plan: StudyPlan): string[][] {
  const byName = new Map(plan.runs.map((r) => [r.run, r]));
  const depth = new Map<string, number>();
  const visit = (name: string, trail: string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (trail.includes(name)) throw new ConfigError(`Study "${plan.study}": the runs ${[...trail.slice(trail.indexOf(name)), name].join(" → ")} need each other in a cycle.`);
    const d = Math.max(-1, ...byName.get(name)!.needs.map((n) => visit(n, [...trail, name]))) + 1;
    depth.set(name, d);
    return d;
  };
  const waves: string[][] = [];
  for (const r of plan.runs) (waves[visit(r.run, [])] ??= []).push(r.run);
  return waves;
}

/** Writes `<dir>/plan.json` atomically. */
export function writePlan(dir: string, plan: StudyPlan): string {
  const file = path.join(dir, "plan.json");
  writeFileAtomic(file, JSON.stringify(plan, null, 2) + "\n");
  return file;
}

/** Reads a plan.json; a missing or damaged one says how to make it. */
export function readPlan(file: string): StudyPlan {
  if (!fs.existsSync(file)) throw new ConfigError(`No study plan at ${file}: make it with npm run study -- <name> (which writes it before running).`);
  let plan: StudyPlan;
  try {
    plan = JSON.parse(fs.readFileSync(file, "utf8")) as StudyPlan;
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message}); delete it and rerun npm run study -- <name> to write it again.`);
  }
  if (!plan || !Array.isArray(plan.runs) || typeof plan.study !== "string" || !(PROFILE_NAMES as readonly string[]).includes(plan.profile)) {
    throw new ConfigError(`${file} is not a study plan (it needs study, profile and runs); delete it and rerun npm run study -- <name>.`);
  }
  return plan;
}
