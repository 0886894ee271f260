/**
 * How long a study has left: each run's duration is estimated from the seconds per training image
 * of finished runs of the same experiment (any experiment's when none has finished yet), and the
 * remaining runs are scheduled on the workers as the pool would (in plan order, after their needs).
 */
import { PlannedRun } from "./spec";

/** A finished run's measured cost. */
export interface RunCost {
  experiment: string;
  images: number;
  seconds: number;
}

/** Seconds per training image by experiment, and over all finished runs. */
export interface Rates {
  byExperiment: Map<string, number>;
  overall?: number;
}

/** Rates from finished runs (total seconds over total images, per experiment and overall). */
export function measureRates(costs: RunCost[]): Rates {
  const sums = new Map<string, { images: number; seconds: number }>();
  for (const c of costs.filter((c) => c.images > 0 && c.seconds > 0)) {
    const s = sums.get(c.experiment) ?? { images: 0, seconds: 0 };
    sums.set(c.experiment, { images: s.images + c.images, seconds: s.seconds + c.seconds });
  }
  const all = [...sums.values()].reduce((a, s) => ({ images: a.images + s.images, seconds: a.seconds + s.seconds }), { images: 0, seconds: 0 });
  return { byExperiment: new Map([...sums].map(([k, s]) => [k, s.seconds / s.images])), overall: all.images ? all.seconds / all.images : undefined };
}

/** A run's estimated seconds; undefined until some run has finished. */
export function estimateSeconds(run: Pick<PlannedRun, "experiment" | "images">, rates: Rates): number | undefined {
  const rate = rates.byExperiment.get(run.experiment) ?? rates.overall;
  return rate === undefined ? undefined : rate * run.images;
}

/** A run still to do: its remaining seconds, and whether it already occupies a worker. */
export interface PendingRun {
  run: string;
  seconds: number;
  needs: string[];
  running?: boolean;
}

/**
 * Seconds until the last pending run ends on `workers` workers: running runs hold a worker from
 * now; each free worker takes the first run in order whose needs (among the pending) have ended.
 */
export function makespan(pending: PendingRun[], workers: number): number {
  const names = new Set(pending.map((p) => p.run));
  const end = new Map<string, number>();
  const free: number[] = [];
  for (const p of pending.filter((p) => p.running)) {
    end.set(p.run, p.seconds);
    free.push(p.seconds);
  }
  while (free.length < workers) free.push(0);
  free.sort((a, b) => a - b);
  let todo = pending.filter((p) => !p.running);
  while (todo.length) {
    const ready = todo.filter((p) => p.needs.every((n) => !names.has(n) || end.has(n)));
    if (!ready.length) break; // needs outside the pending set that never end: nothing more to schedule
    const t = free.shift()!;
    let best = ready[0];
    let bestStart = Infinity;
    for (const p of ready) {
      const start = Math.max(t, ...p.needs.map((n) => end.get(n) ?? 0));
      if (start < bestStart) [best, bestStart] = [p, start];
    }
    end.set(best.run, bestStart + best.seconds);
    free.push(bestStart + best.seconds);
    free.sort((a, b) => a - b);
    todo = todo.filter((p) => p !== best);
  }
  return Math.max(0, ...end.values());
}
