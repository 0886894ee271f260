/**
 * The local executor of a study plan: a pool of worker processes, one run each at a time, started
 * in plan order once the runs they need have finished. Each worker is a fresh process running
 * `scripts/study.ts <study> --run <run>` (the same code a Slurm array task runs) with a
 * single-threaded native engine, its output in `runs/<study>/logs/<run>.log`.
 *
 * Stopping: aborting `signal` sends SIGINT to every worker, which checkpoints and exits; the pool
 * then resolves with `stopped`. A worker that dies (SIGKILL, out of memory) is restarted from its
 * checkpoint up to `retries` times. If the coordinator itself dies, its workers see their IPC
 * channel close, checkpoint and exit; the next start resumes them (a run another live process still
 * holds is waited for).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../paths";
import { Logs } from "../train/loop";
import { formatDuration } from "../train/progress";
import { estimateSeconds, makespan, measureRates, RunCost } from "./eta";
import { liveLockHolder } from "../core/lock";
import { PlannedRun, StudyPlan } from "./spec";
import { collectFinished, RunOutcome, runsToDo, studyStatus, StudyDirs, workerLog } from "./state";

/** The script a worker runs (`--run <run>` mode). */
export const STUDY_SCRIPT = path.join(PROJECT_ROOT, "scripts", "study.ts");

/** Exit status of a worker whose run another live process holds. */
export const EXIT_BUSY = 75;

/** What a worker reports over IPC before it exits. */
export interface WorkerReport {
  outcome: RunOutcome;
}

export type EndOutcome = "finished" | "skipped" | "failed" | "stopped" | "interrupted";

export type StudyEvent =
  | { kind: "begin"; study: string; total: number; finished: number; todo: number; workers: number }
  | { kind: "start"; run: string; attempt: number; pid: number }
  | { kind: "wait"; run: string; pid: number; host: string }
  | { kind: "end"; run: string; outcome: EndOutcome; seconds: number; summary?: Logs; error?: string; done: number; total: number; running: number; left: number; eta?: number }
  | { kind: "stopping"; running: string[] };

export interface RunPlanOptions {
  plan: StudyPlan;
  dirs: StudyDirs;
  workers: number;
  /** Aborting it stops the study: workers checkpoint and exit. */
  signal?: AbortSignal;
  onEvent?: (event: StudyEvent) => void;
  /** The command of a worker for one run (default: node --import tsx scripts/study.ts … --run <run>). */
  workerCommand?: (run: string) => { command: string; args: string[] };
  /** The workers' environment (default process.env); VAE_GAN_NATIVE_THREADS defaults to 1. */
  env?: NodeJS.ProcessEnv;
  /** Restarts of a run whose worker died before finishing (default 2). */
  retries?: number;
  /**
   * The plan again, after a run finished: runs it adds (a search's next trial, the runs at its best
   * setting) join the queue. Default: the plan does not grow.
   */
  grow?: () => StudyPlan;
}

export interface PlanResult {
  stopped: boolean;
  /** Runs trained to the end by this call. */
  finished: string[];
  failed: { run: string; error: string }[];
  /** Runs not started because a run they need failed. */
  blocked: string[];
  /** Wall seconds of this call. */
  seconds: number;
  /** Training images of the runs this call finished. */
  images: number;
}

/** The default worker: this project's study script on the same node, in `--run` mode. */
export function defaultWorkerCommand(plan: StudyPlan, dirs: StudyDirs): (run: string) => { command: string; args: string[] } {
  return (run) => ({
    command: process.execPath,
    // Node with tsx as a loader, not the tsx CLI: the CLI kills a child that does not exit ~60 ms
    // after a forwarded SIGINT, before it could checkpoint.
    args: ["--import", "tsx", STUDY_SCRIPT, plan.study, "--profile", plan.profile, "--run", run, "--runs-dir", path.dirname(dirs.runs), "--results-dir", path.dirname(dirs.results)],
  });
}

function lastLine(file: string): string {
  try {
    const lines = fs.readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
    return lines[lines.length - 1] ?? "";
  } catch {
    return "";
  }
}

/**
 * Pending runs in the plan's order, so a run the plan gains (a search's next trial) waits where the
 * definition puts it, not behind everything queued before it; runs the plan no longer has go last.
 */
export function inPlanOrder<R extends { run: string }>(pending: R[], plan: { runs: { run: string }[] }): R[] {
  const index = new Map(plan.runs.map((r, i) => [r.run, i]));
  return pending.map((r, i) => ({ r, key: index.get(r.run) ?? plan.runs.length + i })).sort((a, b) => a.key - b.key).map((x) => x.r);
}

/**
 * The queue once the plan gained `added` runs: those, plus each run they need that is neither `ready`
 * (weights on disk), queued nor running — a finished run whose weights are gone (a fresh machine) trains
 * again first — all in plan order.
 */
export function grownQueue<R extends { run: string; needs: string[] }>(pending: R[], running: Iterable<string>, added: R[], plan: { runs: R[] }, ready: (run: string) => boolean): { queue: R[]; retrain: R[] } {
  const queued = new Set([...pending.map((r) => r.run), ...running, ...added.map((r) => r.run)]);
  const byName = new Map(plan.runs.map((r) => [r.run, r]));
  const retrain = [...new Set(added.flatMap((r) => r.needs))].filter((n) => !ready(n) && !queued.has(n) && byName.has(n)).map((n) => byName.get(n)!);
  return { queue: inPlanOrder([...pending, ...retrain, ...added], plan), retrain };
}

/** Runs what the plan still needs; resolves when all of it ended, or after a stop. */
export async function runPlan(options: RunPlanOptions): Promise<PlanResult> {
  const { plan, dirs, workers, onEvent = () => {}, retries = 2 } = options;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`The number of workers must be a positive integer, got ${workers}.`);
  const env = { ...(options.env ?? process.env) };
  env.VAE_GAN_NATIVE_THREADS ??= "1";
  const command = options.workerCommand ?? defaultWorkerCommand(plan, dirs);
  const started = performance.now();
  fs.mkdirSync(path.join(dirs.runs, "logs"), { recursive: true });

  await collectFinished(plan, dirs);
  const status = studyStatus(plan, dirs);
  const todo = runsToDo(plan, status);
  const spec = new Map(plan.runs.map((r) => [r.run, r]));
  const costs: RunCost[] = status.filter((s) => s.state === "finished" && s.seconds).map((s) => ({ experiment: spec.get(s.run)!.experiment, images: spec.get(s.run)!.images, seconds: s.seconds! }));
  const available = new Set(status.filter((s) => s.weights).map((s) => s.run));
  let pending = plan.runs.filter((r) => todo.has(r.run));
  const running = new Map<string, { child: ChildProcess; started: number }>();
  const attempts = new Map<string, number>();
  const waited = new Set<string>();
  const result: PlanResult = { stopped: false, finished: [], failed: [], blocked: [], seconds: 0, images: 0 };
  let done = plan.runs.length - todo.size;
  let total = plan.runs.length;
  let stopping = false;
  onEvent({ kind: "begin", study: plan.study, total, finished: done, todo: todo.size, workers });

  const grow = () => {
    const grown = options.grow?.();
    if (!grown) return;
    const added = grown.runs.filter((r) => !spec.has(r.run));
    for (const r of added) spec.set(r.run, r);
    const next = grownQueue(pending, running.keys(), added, grown, (n) => available.has(n));
    pending = next.queue;
    total += added.length;
    done -= next.retrain.length; // counted as done when the call began
  };

  const eta = (): number | undefined => {
    const rates = measureRates(costs);
    const now = performance.now();
    const left = [...pending.map((r) => ({ r, running: false })), ...[...running.keys()].map((n) => ({ r: spec.get(n)!, running: true }))];
    const estimates = left.map(({ r, running: isRunning }) => {
      const s = estimateSeconds(r, rates);
      const elapsed = isRunning ? (now - running.get(r.run)!.started) / 1000 : 0;
      return s === undefined ? undefined : { run: r.run, needs: r.needs, running: isRunning, seconds: Math.max(0, s - elapsed) };
    });
    if (estimates.some((e) => e === undefined)) return undefined;
    return makespan(estimates as NonNullable<(typeof estimates)[number]>[], workers);
  };

  return new Promise<PlanResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let resolved = false;
    const finish = () => {
      if (resolved) return;
      resolved = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      result.blocked = stopping ? [] : pending.map((r) => r.run);
      result.stopped = stopping;
      result.seconds = (performance.now() - started) / 1000;
      resolve(result);
    };

    const end = (run: PlannedRun, outcome: EndOutcome, seconds: number, extra: { error?: string } = {}) => {
      const summary = outcome === "finished" || outcome === "skipped" ? studyStatus({ ...plan, runs: [run] }, dirs)[0].summary : undefined;
      onEvent({ kind: "end", run: run.run, outcome, seconds, summary, ...extra, done, total, running: running.size, left: pending.length, eta: stopping ? undefined : eta() });
    };

    const start = (run: PlannedRun) => {
      const attempt = (attempts.get(run.run) ?? 0) + 1;
      attempts.set(run.run, attempt);
      const logFile = workerLog(dirs, run.run);
      const fd = fs.openSync(logFile, "a");
      const { command: cmd, args } = command(run.run);
      const child = spawn(cmd, args, { cwd: PROJECT_ROOT, env, stdio: ["ignore", fd, fd, "ipc"] });
      fs.closeSync(fd);
      const begun = performance.now();
      running.set(run.run, { child, started: begun });
      pending = pending.filter((r) => r !== run);
      let report: WorkerReport | undefined;
      child.on("message", (m: WorkerReport) => (report = m));
      child.on("error", (err) => fs.appendFileSync(logFile, `worker could not start: ${err.message}\n`));
      child.on("exit", (code, sig) => {
        running.delete(run.run);
        const seconds = (performance.now() - begun) / 1000;
        const outcome = report?.outcome;
        if (code === 0 && (outcome === "finished" || outcome === "skipped")) {
          done++;
          available.add(run.run);
          if (outcome === "finished") {
            result.finished.push(run.run);
            result.images += run.images;
            costs.push({ experiment: run.experiment, images: run.images, seconds });
          }
          grow();
          end(run, outcome, seconds);
        } else if (code === EXIT_BUSY || outcome === "busy") {
          pending.unshift(run); // another process holds it: wait for the lock, then resume it
          attempts.set(run.run, attempt - 1);
        } else if (stopping && (code === 130 || sig !== null || outcome === "stopped")) {
          pending.unshift(run);
          // A worker still loading its modules has no handler yet and dies of the SIGINT: nothing was trained.
          end(run, "stopped", seconds, sig ? { error: `ended by ${sig} before training` } : {});
        } else if (code === 130 || sig !== null) {
          // Killed or interrupted from outside the pool: resume it from its checkpoint, a few times.
          if (attempt <= retries) pending.unshift(run);
          else result.failed.push({ run: run.run, error: `worker ended by ${sig ?? "status 130"} ${attempt} times` });
          end(run, attempt <= retries ? "interrupted" : "failed", seconds, { error: `worker ended by ${sig ?? "status 130"}` });
        } else {
          const error = lastLine(logFile) || `worker exited with status ${code}`;
          result.failed.push({ run: run.run, error });
          end(run, "failed", seconds, { error });
        }
        pump();
      });
      onEvent({ kind: "start", run: run.run, attempt, pid: child.pid ?? 0 });
    };

    const pump = () => {
      if (resolved) return;
      if (stopping) {
        if (!running.size) finish();
        return;
      }
      const failed = new Set(result.failed.map((f) => f.run));
      let waiting = false;
      for (const run of [...pending]) {
        if (running.size >= workers) break;
        if (run.needs.some((n) => failed.has(n))) {
          failed.add(run.run); // blocked: its dependants are blocked too
          continue;
        }
        if (!run.needs.every((n) => available.has(n))) continue;
        const holder = liveLockHolder(path.join(dirs.runs, run.run));
        if (holder) {
          waiting = true;
          if (!waited.has(run.run)) onEvent({ kind: "wait", run: run.run, pid: holder.pid, host: holder.host });
          waited.add(run.run);
          continue;
        }
        start(run);
      }
      if (waiting) {
        if (timer) clearTimeout(timer);
        timer = setTimeout(pump, 500);
      } else if (!running.size) finish();
    };

    const stop = () => {
      if (stopping) return;
      stopping = true;
      onEvent({ kind: "stopping", running: [...running.keys()] });
      for (const { child } of running.values()) child.kill("SIGINT");
      pump();
    };
    if (options.signal?.aborted) stopping = true;
    options.signal?.addEventListener("abort", stop);
    pump();
  });
}

const fmtValue = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

/** One line per event a terminal or notebook shows; undefined for events not worth a line. */
export function formatStudyEvent(e: StudyEvent): string | undefined {
  switch (e.kind) {
    case "begin":
      return `study ${e.study}: ${e.total} runs, ${e.finished} finished, ${e.todo} to run on ${e.workers} worker${e.workers === 1 ? "" : "s"}`;
    case "wait":
      return `${e.run}: held by process ${e.pid} on ${e.host}; waiting for it to end`;
    case "stopping":
      return `stopping: ${e.running.length ? `${e.running.join(", ")} checkpoint${e.running.length === 1 ? "s" : ""} and exit` : "no run in progress"}`;
    case "start":
      return undefined;
    case "end": {
      const objective = e.summary && typeof e.summary.objective === "string" ? (e.summary.objective as unknown as string) : undefined;
      const value = objective && typeof e.summary?.[objective] === "number" ? `  ${objective} ${fmtValue(e.summary[objective])}` : "";
      const what = e.outcome === "finished" ? `finished in ${formatDuration(e.seconds)}${value}`
        : e.outcome === "skipped" ? `already finished${value}`
        : e.outcome === "stopped" ? `stopped after ${formatDuration(e.seconds)} (${e.error ?? "checkpointed"})`
        : e.outcome === "interrupted" ? `interrupted (${e.error}); resuming it`
        : `FAILED: ${e.error}`;
      const rest = e.left + e.running ? `  ·  ${e.running} running, ${e.left} waiting, ETA ${e.eta === undefined ? "after the first finished run" : formatDuration(e.eta)}` : "";
      return `[${String(e.done).padStart(String(e.total).length)}/${e.total}] ${e.run}  ${what}${rest}`;
    }
  }
}
