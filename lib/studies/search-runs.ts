/** A study's search trials (runs named `<prefix>t00`, `<prefix>t01`, …) read as a search result, for the search tables and figures. */
import { SearchResult, Trial } from "../runs/search";
import { StudyRunRecord } from "./state";

export function searchFromRuns(runs: StudyRunRecord[], prefix: string, objective = "fd"): SearchResult {
  const trials: Trial[] = runs.filter((r) => r.run.startsWith(prefix) && /t\d+$/.test(r.run)).sort((a, b) => a.run.localeCompare(b.run)).map((r, index) => {
    const t = r.config.training as Record<string, number>;
    const value = r.status.state === "finished" && typeof r.summary?.[objective] === "number" ? r.summary[objective] : null;
    return { index, run: r.run, params: { learningRate: t.learningRate ?? t.learningRateG, batchSize: t.batchSize, beta1: t.beta1 }, value, status: value === null ? "stopped" : "done" };
  });
  const done = trials.filter((t) => t.value !== null);
  const best = done.length ? done.reduce((a, b) => (b.value! < a.value! ? b : a)) : undefined;
  return { dir: prefix, objective, trials, best, stopped: done.length < trials.length };
}
