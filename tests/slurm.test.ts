/**
 * The study on a real Slurm cluster: `--emit slurm` writes the array script, bash submits one array
 * per dependency wave, and every run's results are collected. Runs where `sbatch` exists (on a root
 * machine without a running cluster it starts one with scripts/slurm-local.sh); skips elsewhere.
 * Then a notebook renders the study from the collected results alone, as a fresh clone would.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readChartHtml } from "../lib/viz/chart-output";
import { PROJECT_ROOT } from "../lib/paths";
import { PROFILES } from "../lib/profiles";
import { smokeStudy } from "../lib/studies/smoke";
import { makePlan } from "../lib/studies/spec";
import { studyDirs } from "../lib/studies/state";
import { tempDir } from "./helpers/fixtures";
import { notebookSkip, Output, outputText, runNotebook } from "./helpers/notebook";

const onPath = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const nodeUp = () => /^(idle|mixed|allocated)/m.test(spawnSync("sinfo", ["-h", "-o", "%T"], { encoding: "utf8", timeout: 10_000 }).stdout ?? "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("the smoke study as Slurm array jobs on a real cluster: dependencies respected, every run collected", { timeout: 1_800_000 }, async (t) => {
  if (!onPath("sbatch")) return t.skip("sbatch is not on PATH: no Slurm here (Debian: apt-get install slurm-wlm munge, then sudo bash scripts/slurm-local.sh)");
  if (!nodeUp() && process.getuid?.() === 0) {
    const up = spawnSync("bash", [path.join(PROJECT_ROOT, "scripts", "slurm-local.sh")], { encoding: "utf8" });
    t.diagnostic(`started a local cluster with scripts/slurm-local.sh (status ${up.status})`);
  }
  if (!nodeUp()) return t.skip("sbatch is on PATH but no Slurm node is up: start one with sudo bash scripts/slurm-local.sh");

  const root = tempDir("slurm-study");
  const roots = { runsDir: path.join(root, "runs"), resultsDir: path.join(root, "results") };
  const emit = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts", "study.ts"), "smoke", "--profile", "quick", "--emit", "slurm", "--runs-dir", roots.runsDir, "--results-dir", roots.resultsDir], { cwd: PROJECT_ROOT, encoding: "utf8" });
  assert.equal(emit.status, 0, emit.stderr);
  const plan = makePlan(smokeStudy, PROFILES.quick);
  const dirs = studyDirs(plan.folder, roots);
  const script = path.join(dirs.runs, "slurm.sh");
  assert.ok(fs.existsSync(path.join(dirs.runs, "plan.json")));

  const submit = spawnSync("bash", [script], { encoding: "utf8" });
  assert.equal(submit.status, 0, submit.stderr);
  const jobs = [...submit.stdout.matchAll(/^wave (\d+): job (\d+)/gm)].map((m) => m[2]);
  assert.equal(jobs.length, 2, `one array per wave: ${submit.stdout}`);
  for (const line of submit.stdout.trim().split("\n")) t.diagnostic(line);
  for (;;) {
    const queue = spawnSync("squeue", ["-h", "-j", jobs.join(","), "-o", "%i %T"], { encoding: "utf8" });
    if (queue.status === 0 && queue.stdout.trim() === "") break;
    await sleep(2000);
  }
  const sacct = spawnSync("sacct", ["-c", "--format=JobID,JobName%22,State,Start,End"], { encoding: "utf8" }).stdout.split("\n").filter((l) => Number(l.split(/\s+/)[0]) >= Number(jobs[0]));
  for (const line of ["sacct -c (JobID JobName State Start End):", ...sacct]) t.diagnostic(line);
  assert.equal(sacct.length, plan.runs.length, "one completed job per run");
  assert.ok(sacct.every((l) => /COMPLETED/.test(l)), sacct.join("\n"));

  const logs = fs.readdirSync(path.join(dirs.runs, "logs")).filter((f) => f.startsWith("slurm-")).map((f) => fs.readFileSync(path.join(dirs.runs, "logs", f), "utf8"));
  for (const r of plan.runs) {
    assert.ok(fs.existsSync(path.join(dirs.results, r.run, "summary.json")), `${r.run} collected into results/`);
    assert.ok(logs.some((l) => new RegExp(`^${r.run}: finished$`, "m").test(l)), `${r.run} trained by its array task`);
  }
  // A GAN arm of the second wave can only have finished from its VAE's decoder, which the first
  // wave trained: without it the run stops with "VAE run … has not finished".
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dirs.results, "gan-vae-s1", "config.json"), "utf8")).config.init, { vaeRun: "vae-s1", discriminatorFromEncoder: false });

  const skip = notebookSkip();
  if (skip) return t.diagnostic(`notebook not rendered: ${skip}`);
  fs.rmSync(dirs.runs, { recursive: true }); // weights, checkpoints and logs gone: results/ only
  const cells = runNotebook(path.join(__dirname, "fixtures", "study.ipynb"), { STUDY_RUNS_DIR: roots.runsDir, STUDY_RESULTS_DIR: roots.resultsDir });
  const data = (o: Output[]) => o.filter((x) => x.output_type === "display_data").map((x) => x.data ?? {});
  const table = String(data(cells[0])[0]?.["text/html"] ?? cells[0].map(outputText).join(""));
  for (const r of plan.runs) assert.match(table, new RegExp(`<td>${r.run}</td><td>${r.experiment}</td><td>${r.seed}</td><td>finished</td><td>[0-9.]+</td>`));
  const chart = readChartHtml(String(data(cells[1])[0]?.["text/html"] ?? ""));
  assert.deepEqual(chart?.spec.data.map((d) => d.name), ["gan-scratch-s1", "gan-vae-s1", "gan-scratch-s2", "gan-vae-s2"]);
  assert.equal(Buffer.from(String(data(cells[2])[0]?.["image/png"]), "base64").subarray(1, 4).toString(), "PNG");
});
