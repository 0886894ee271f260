/**
 * npm run study -- <name> [--workers N] [--profile quick|full] [--runs-dir dir] [--results-dir dir]
 * npm run study -- <name> --status
 * npm run study -- <name> --emit slurm [--cpus-per-task N] [--time T] [--partition P]
 * npm run study -- <name> --run <run>      (one run in this process: what a worker or Slurm task does)
 *
 * Runs a registered study (lib/studies/) on a pool of worker processes: finished runs are skipped,
 * killed ones resume from their checkpoints, one line per run with the overall ETA. Ctrl-C stops
 * every worker after a checkpoint and exits with status 130; running the command again resumes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENGINE_ENV, selectEngine } from "../lib/engine/ladder";
import { readEnv } from "../lib/core/env";
import { currentProfile, PROFILE_ENV, PROFILE_NAMES } from "../lib/profiles";
import { TRACKED_RUNS_DIR } from "../lib/runs/run-folder";
import { formatDuration, progressCallbacks } from "../lib/train/progress";
import { EXIT_BUSY, formatStudyEvent, runPlan, WorkerReport } from "../lib/studies/pool";
import { slurmScript } from "../lib/studies/slurm";
import { readPlan, writePlan } from "../lib/studies/spec";
import { executeRun, RESULTS_DIR } from "../lib/studies/state";
import { defaultWorkers, growPlan, studyPlan, studyStatusTable } from "../lib/studies/study";
import { STUDIES } from "../lib/studies/registry";
import { FlagSpec, numberFlag, parseArgs as parseFlags, UsageError } from "./args";
import { runMain } from "./cli";

const USAGE = `Usage:
  npm run study -- <name> [--workers N] [--profile quick|full] [--runs-dir dir] [--results-dir dir] [--engine name]
  npm run study -- <name> --status
  npm run study -- <name> --emit slurm [--cpus-per-task N] [--time HH:MM:SS] [--partition P]
  npm run study -- <name> --run <run>
Studies: ${Object.keys(STUDIES).join(", ")}.`;

interface Args {
  name?: string;
  workers?: number;
  profile?: string;
  runsDir: string;
  resultsDir: string;
  engine?: string;
  status: boolean;
  emit?: string;
  run?: string;
  cpusPerTask?: number;
  time?: string;
  partition?: string;
}

/** The flags of `npm run study`. */
export const STUDY_FLAGS = {
  workers: { kind: "string" }, profile: { kind: "string", choices: PROFILE_NAMES }, "runs-dir": { kind: "string" }, "results-dir": { kind: "string" },
  engine: { kind: "string" }, status: { kind: "boolean" }, emit: { kind: "string", choices: ["slurm"] }, run: { kind: "string" },
  "cpus-per-task": { kind: "string" }, time: { kind: "string" }, partition: { kind: "string" },
} as const satisfies Record<string, FlagSpec>;

/** The command line of `npm run study`, checked; usage errors throw UsageError (status 2). */
export function parseStudyArgs(argv: string[]): Args {
  const { flags, positionals, help } = parseFlags(argv, STUDY_FLAGS, USAGE, 1);
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (flag: string, text: string | undefined) => (text === undefined ? undefined : numberFlag(flag, text, { integer: true, min: 1 }));
  const args: Args = {
    name: positionals[0], workers: count("--workers", flags.workers), profile: flags.profile,
    runsDir: path.resolve(flags["runs-dir"] ?? TRACKED_RUNS_DIR), resultsDir: path.resolve(flags["results-dir"] ?? RESULTS_DIR),
    engine: flags.engine, status: flags.status, emit: flags.emit, run: flags.run,
    cpusPerTask: count("--cpus-per-task", flags["cpus-per-task"]), time: flags.time, partition: flags.partition,
  };
  if ([args.status, args.emit !== undefined, args.run !== undefined].filter(Boolean).length > 1) throw new UsageError(`--status, --emit and --run are separate modes: give one.\n${USAGE}`);
  return args;
}

/** One run in this process; stops (checkpoint, status 130) on SIGINT, SIGTERM or the coordinator's loss. */
async function worker(args: Args, location: ReturnType<typeof studyPlan>): Promise<number> {
  const planFile = path.join(location.dirs.runs, "plan.json");
  // A Slurm task or a worker runs the plan written by the coordinator or --emit (not the definition as edited since).
  const plan = fs.existsSync(planFile) ? readPlan(planFile) : location.plan;
  if (!fs.existsSync(planFile)) writePlan(location.dirs.runs, plan);
  const controller = new AbortController();
  const stop = (why: string) => {
    if (controller.signal.aborted) return; // a process-group Ctrl-C and the coordinator's forward both arrive
    console.error(`${args.run}: ${why}; stopping after this step with a checkpoint`);
    controller.abort();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("disconnect", () => stop("the study's coordinator is gone"));
  const engine = await selectEngine({ log: () => {} });
  console.error(`${args.run}: study ${plan.study} (${plan.profile}) on engine ${engine.name}, pid ${process.pid}, ${new Date().toISOString()}`);
  const outcome = await executeRun(plan, location.dirs, args.run!, { signal: controller.signal, callbacks: [progressCallbacks({ label: args.run })], log: (l) => console.error(l) });
  console.error(`${args.run}: ${outcome}`);
  if (process.connected) await new Promise<void>((resolve) => process.send!({ outcome } satisfies WorkerReport, () => resolve()));
  return outcome === "stopped" ? 130 : outcome === "busy" ? EXIT_BUSY : 0;
}

function status({ plan, dirs }: ReturnType<typeof studyPlan>, workers: number): number {
  const table = studyStatusTable(plan, dirs, workers);
  const widths = table.header.map((h, i) => Math.max(h.length, ...table.rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  console.log(`study ${plan.study} (${plan.profile}), folders ${dirs.runs} and ${dirs.results}`);
  console.log([line(table.header), ...table.rows.map(line)].join("\n"));
  const left = plan.runs.length - table.counts.finished;
  const eta = left === 0 ? "done" : table.eta === undefined ? "ETA unknown until a run finishes" : `ETA ${formatDuration(table.eta)} with ${workers} worker${workers === 1 ? "" : "s"}`;
  console.log(`${table.counts.finished} finished, ${table.counts.running} running, ${table.counts.partial} partial, ${table.counts.missing} missing; ${eta}`);
  return 0;
}

function emitSlurm(args: Args, { plan, dirs }: ReturnType<typeof studyPlan>): number {
  writePlan(dirs.runs, plan);
  fs.mkdirSync(path.join(dirs.runs, "logs"), { recursive: true });
  const file = path.join(dirs.runs, "slurm.sh");
  fs.writeFileSync(file, slurmScript(plan, dirs, { projectRoot: path.resolve(__dirname, ".."), node: process.execPath, cpusPerTask: args.cpusPerTask, time: args.time, partition: args.partition }), { mode: 0o755 });
  console.log(`${file}: ${plan.runs.length} runs of study ${plan.study} (${plan.profile}). Submit with: bash ${file}`);
  return 0;
}

async function main(): Promise<number> {
  const args = parseStudyArgs(process.argv.slice(2));
  if (args.engine) process.env[ENGINE_ENV] = args.engine;
  const profile = currentProfile(args.profile ?? readEnv(PROFILE_ENV));
  const location = studyPlan(args.name ?? "", { profile, runsDir: args.runsDir, resultsDir: args.resultsDir });
  const workers = args.workers ?? defaultWorkers();
  if (args.run !== undefined) return worker(args, location);
  if (args.status) return status(location, workers);
  if (args.emit) return emitSlurm(args, location);

  const { plan, dirs } = location;
  writePlan(dirs.runs, plan);
  const controller = new AbortController();
  let firstStop = 0;
  const onStop = () => {
    // npm forwards the terminal's SIGINT, which the process group also delivers: one Ctrl-C may arrive twice.
    if (!firstStop) {
      firstStop = Date.now();
      controller.abort();
    } else if (Date.now() - firstStop > 1000) {
      console.error("Leaving now; the workers still checkpoint and exit.");
      process.exit(130);
    }
  };
  process.on("SIGINT", onStop);
  process.on("SIGTERM", onStop);
  const result = await runPlan({
    plan, dirs, workers, signal: controller.signal, grow: () => growPlan(plan.study, { profile, runsDir: args.runsDir, resultsDir: args.resultsDir }),
    onEvent: (e) => {
      const line = formatStudyEvent(e);
      if (line) console.log(line);
      if (e.kind === "stopping") console.log("(Ctrl-C again to leave without waiting)");
    },
  });
  const rate = result.seconds > 0 && result.finished.length ? `, ${((result.finished.length * 3600) / result.seconds).toFixed(1)} runs/h, ${Math.round(result.images / result.seconds).toLocaleString("en-US")} training img/s` : "";
  console.log(`${result.finished.length} run${result.finished.length === 1 ? "" : "s"} trained in ${formatDuration(result.seconds)} on ${workers} worker${workers === 1 ? "" : "s"} (${os.cpus().length} cores${rate}); worker logs in ${path.join(dirs.runs, "logs")}`);
  if (result.stopped) {
    console.log(`Stopped. Resume with: npm run study -- ${plan.study}${args.profile ? ` --profile ${plan.profile}` : ""}`);
    return 130;
  }
  for (const f of result.failed) console.log(`failed: ${f.run}: ${f.error} (log ${path.join(dirs.runs, "logs", f.run + ".log")})`);
  if (result.blocked.length) console.log(`not run (a run they need failed): ${result.blocked.join(", ")}`);
  if (result.failed.length || result.blocked.length) return 1;
  console.log(`All ${growPlan(plan.study, { profile, runsDir: args.runsDir, resultsDir: args.resultsDir }).runs.length} runs finished; results in ${dirs.results} (git add it to keep them).`);
  return 0;
}

runMain(main);
