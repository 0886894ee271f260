/**
 * What notebooks and the study command call: a registered study's plan under a profile, its runs as
 * they stand (from the tracked results/ first, so a fresh clone renders without training), its
 * estimated time left, and running it on a local worker pool.
 */
import * as os from "os";
import { currentProfile, Profile } from "../profiles";
import { estimateSeconds, makespan, measureRates } from "./eta";
import { PlanResult, runPlan, StudyEvent } from "./pool";
import { studyDefinition } from "./registry";
import { makePlan, StudyPlan, writePlan } from "./spec";
import { readStudyRuns, RunStatus, runsToDo, studyDirs, StudyDirs, studyStatus, StudyRunRecord } from "./state";

export interface StudyLocation {
  /** Default: $VAE_GAN_PROFILE (quick when unset). */
  profile?: Profile;
  /** Root of run folders (default runs/); the study's are in `<runsDir>/<folder>/`. */
  runsDir?: string;
  /** Root of tracked results (default results/). */
  resultsDir?: string;
}

/**
 * The plan of a registered study under a profile, and its folders. A definition that adds runs once
 * others have finished (a search's best setting) sees the summaries of the runs finished so far.
 */
export function studyPlan(name: string, options: StudyLocation = {}): { plan: StudyPlan; dirs: StudyDirs } {
  const definition = studyDefinition(name);
  const profile = options.profile ?? currentProfile();
  let plan = makePlan(definition, profile);
  const dirs = studyDirs(plan.folder, options);
  // Until no run is added: each finished run may add the next (a sequential search adds one trial at a time).
  for (;;) {
    const status = new Map(studyStatus(plan, dirs).map((s) => [s.run, s]));
    const next = makePlan(definition, profile, (run) => (status.get(run)?.state === "finished" ? status.get(run)!.summary : undefined));
    if (next.runs.length === plan.runs.length) return { plan: next, dirs };
    plan = next;
  }
}

/** Every run of a study with its state, config, metrics and summary (see `readStudyRuns`). */
export function loadStudy(name: string, options: StudyLocation = {}): { plan: StudyPlan; dirs: StudyDirs; runs: StudyRunRecord[] } {
  const { plan, dirs } = studyPlan(name, options);
  return { plan, dirs, runs: readStudyRuns(plan, dirs) };
}

/** Workers by default: one per core. */
export function defaultWorkers(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/**
 * Seconds until the study is done on `workers` workers, from what is finished, partial and
 * running now; undefined while no run has finished (nothing to estimate from).
 */
export function studyEta(plan: StudyPlan, status: RunStatus[], workers: number): number | undefined {
  const rates = measureRates(status.filter((s) => s.state === "finished" && s.seconds).map((s) => ({ ...plan.runs.find((r) => r.run === s.run)!, seconds: s.seconds! })));
  const todo = runsToDo(plan, status);
  const pending = [];
  for (const r of plan.runs.filter((r) => todo.has(r.run))) {
    const s = status.find((x) => x.run === r.run)!;
    const seconds = estimateSeconds(r, rates);
    if (seconds === undefined) return undefined;
    pending.push({ run: r.run, needs: r.needs, running: s.state === "running", seconds: seconds * (s.state === "finished" ? 1 : 1 - s.progress) });
  }
  return makespan(pending, workers);
}

/** The status table of `npm run study -- <name> --status`. */
export function studyStatusTable(plan: StudyPlan, dirs: StudyDirs, workers: number): { header: string[]; rows: string[][]; counts: Record<string, number>; eta?: number } {
  const status = studyStatus(plan, dirs);
  const todo = runsToDo(plan, status);
  const counts: Record<string, number> = { finished: 0, running: 0, partial: 0, missing: 0 };
  const rows = plan.runs.map((r, i) => {
    const s = status[i];
    counts[s.state]++;
    const state = s.state === "finished" ? (todo.has(r.run) ? "finished, retrain (weights needed)" : s.collected ? "finished" : "finished (not in results/)")
      : s.state === "running" ? `running (pid ${s.holder!.pid}${s.holder!.host === os.hostname() ? "" : ` on ${s.holder!.host}`})`
      : s.state === "partial" ? "partial (checkpoint)" : s.stale ? "missing (results/ stale)" : "missing";
    const objective = typeof s.summary?.objective === "string" ? (s.summary.objective as unknown as string) : undefined;
    const value = objective && typeof s.summary?.[objective] === "number" ? `${objective} ${s.summary[objective].toPrecision(4)}` : "";
    return [r.run, r.experiment, String(r.seed), r.dataset, r.needs.join(",") || "-", state, `${Math.round(s.progress * 100)}%`, s.seconds ? `${Math.round(s.seconds)} s` : "", value];
  });
  return { header: ["run", "experiment", "seed", "data", "needs", "state", "done", "time", "result"], rows, counts, eta: studyEta(plan, status, workers) };
}

export interface RunStudyOptions extends StudyLocation {
  workers?: number;
  signal?: AbortSignal;
  onEvent?: (event: StudyEvent) => void;
}

/**
 * Writes the plan to `runs/<study>/plan.json` and runs what is missing on a local worker pool; runs
 * the plan gains as others finish (a search's next trial, its best setting) join as they appear.
 */
export async function runStudy(name: string, options: RunStudyOptions = {}): Promise<PlanResult & { plan: StudyPlan; dirs: StudyDirs }> {
  const { plan, dirs } = studyPlan(name, options);
  writePlan(dirs.runs, plan);
  const result = await runPlan({ plan, dirs, workers: options.workers ?? defaultWorkers(), signal: options.signal, onEvent: options.onEvent, grow: () => growPlan(name, options) });
  return { ...result, plan: studyPlan(name, options).plan, dirs };
}

/** The plan again, given the runs finished so far, written to plan.json when it grew. */
export function growPlan(name: string, options: StudyLocation = {}): StudyPlan {
  const { plan, dirs } = studyPlan(name, options);
  writePlan(dirs.runs, plan);
  return plan;
}

/**
 * What a notebook calls before its figures: under `quick` it runs what is missing of the study
 * (minutes, on `workers` processes); under `full` it only reads, and a missing run is an error that
 * names it and the command that trains it (the full study takes hours: `npm run study`).
 */
export async function prepareStudy(name: string, options: RunStudyOptions & { reads?: RegExp } = {}): Promise<ReturnType<typeof loadStudy>> {
  const { plan, dirs } = studyPlan(name, options);
  const status = studyStatus(plan, dirs);
  const missing = runsToDo(plan, status);
  if (missing.size && plan.profile === "quick") {
    const result = await runStudy(name, options);
    if (result.stopped) throw new Error(`Study "${name}" was stopped; run the cell again to resume it.`);
    if (result.failed.length) throw new Error(`Study "${name}": ${result.failed.map((f) => `${f.run} failed (${f.error})`).join("; ")}.`);
  } else if (missing.size) {
    // A notebook that reads part of a study (`reads`: the runs it reads) can execute once that part is done.
    const unfinished = status.filter((s) => s.state !== "finished" && (!options.reads || options.reads.test(s.run))).map((s) => s.run);
    if (unfinished.length) throw new Error(`Study "${name}" (${plan.profile}) has ${unfinished.length} of ${plan.runs.length} runs unfinished${options.reads ? ` among those this notebook reads (${options.reads})` : ""} (${unfinished.join(", ")}): train them with npm run study -- ${name} --profile ${plan.profile}, then run this cell again.`);
  }
  return loadStudy(name, options);
}
