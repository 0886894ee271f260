import { test } from "node:test";
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/paths";
import { PROFILES } from "../lib/profiles";
import { liveLockHolder } from "../lib/core/lock";
import { ConfigError } from "../lib/core/config";
import { readMetrics } from "../lib/runs/run-folder";
import { checkpointProgress } from "../lib/train/run-cache";
import { estimateSeconds, makespan, measureRates } from "../lib/studies/eta";
import { formatStudyEvent, grownQueue, inPlanOrder } from "../lib/studies/pool";
import { studyDefinition } from "../lib/studies/registry";
import { slurmScript } from "../lib/studies/slurm";
import { pretrainingStudy } from "../lib/studies/pretraining";
import { smokeStudy } from "../lib/studies/smoke";
import { dependencyWaves, makePlan, readPlan, RunSpec, StudyDefinition, studyFolder, writePlan } from "../lib/studies/spec";
import { RunStatus, runsToDo, studyDirs, studyStatus } from "../lib/studies/state";
import { loadStudy, prepareStudy, studyEta } from "../lib/studies/study";
import { tempDir } from "./helpers/fixtures";

const quick = PROFILES.quick;

test("a study's plan resolves every spec, round-trips through plan.json and groups runs in dependency waves", () => {
  const plan = makePlan(smokeStudy, quick);
  assert.equal(plan.folder, "smoke-quick");
  assert.equal(studyFolder("smoke", "full"), "smoke");
  assert.deepEqual(plan.runs.map((r) => r.run), ["vae-s1", "gan-scratch-s1", "gan-vae-s1", "vae-s2", "gan-scratch-s2", "gan-vae-s2"]);
  const ganVae = plan.runs[2];
  assert.deepEqual(ganVae.needs, ["vae-s1"]);
  assert.equal((ganVae.config.init as { vaeRun: string }).vaeRun, "vae-s1");
  assert.equal(ganVae.config.seed, 1);
  assert.equal(plan.runs[5].config.seed, 2);
  assert.deepEqual((ganVae.config.model as { generatorFilters: number[] }).generatorFilters, [16, 8]);
  assert.equal(ganVae.images, 2 * 8 * 32, "2 epochs of 8 batches of 32 from 256 images");
  assert.deepEqual(dependencyWaves(plan), [["vae-s1", "gan-scratch-s1", "vae-s2", "gan-scratch-s2"], ["gan-vae-s1", "gan-vae-s2"]]);
  const dir = tempDir("plan");
  const file = writePlan(dir, plan);
  assert.deepEqual(readPlan(file), plan);
  fs.writeFileSync(file, "{ not json");
  assert.throws(() => readPlan(file), /not valid JSON.*delete it and rerun npm run study/);
  assert.throws(() => readPlan(path.join(dir, "none.json")), /No study plan at .*none\.json/);
});

test("the pretraining study: per seed two autoencoders and four GAN arms, the scratch arm trained on for the pretraining's images", () => {
  const plan = makePlan(pretrainingStudy, PROFILES.full);
  const headline = /^fm-(vae|ae|scratch|ae-g|vae-g|vae-gd)-s\d$/;
  assert.equal(plan.runs.filter((r) => headline.test(r.run)).length, 5 * 6, "five seeds on Fashion-MNIST");
  assert.deepEqual(plan.runs.filter((r) => r.run.startsWith("mn-")).map((r) => r.run).slice(0, 3), ["mn-vae-s1", "mn-scratch-s1", "mn-vae-g-s1"], "MNIST: fewer arms");
  const run = (name: string) => plan.runs.find((r) => r.run === name)!;
  const cfg = (name: string) => run(name).config as { init: { vaeRun: string; discriminatorFromEncoder: boolean }; training: { numEpochs: number }; loss?: { variational: boolean } };
  assert.deepEqual([cfg("fm-vae-s3").loss!.variational, cfg("fm-ae-s3").loss!.variational], [true, false]);
  assert.deepEqual(cfg("fm-ae-g-s3").init, { vaeRun: "fm-ae-s3", discriminatorFromEncoder: false });
  assert.deepEqual(cfg("fm-vae-g-s3").init, { vaeRun: "fm-vae-s3", discriminatorFromEncoder: false });
  assert.deepEqual(cfg("fm-vae-gd-s3").init, { vaeRun: "fm-vae-s3", discriminatorFromEncoder: true });
  assert.deepEqual(run("fm-vae-gd-s3").needs, ["fm-vae-s3"]);
  assert.equal(cfg("fm-scratch-s3").training.numEpochs, cfg("fm-vae-g-s3").training.numEpochs + cfg("fm-vae-s3").training.numEpochs);
  const gap = run("fm-scratch-s3").images - (run("fm-vae-g-s3").images + run("fm-vae-s3").images);
  assert.ok(Math.abs(gap) <= 6 * 64, `as many more images as the pretraining saw, up to the dropped remainders of its batches (gap ${gap})`);
  assert.equal(makePlan(pretrainingStudy, quick).runs.filter((r) => headline.test(r.run)).length, 2 * 6, "quick: two seeds");
  // The long scratch runs: three seeds at twice a headline run's images, from scratch.
  const long = plan.runs.filter((r) => r.run.startsWith("fm-scratch-long-"));
  assert.deepEqual(long.map((r) => r.run), ["fm-scratch-long-s1", "fm-scratch-long-s2", "fm-scratch-long-s3"]);
  assert.equal(long[0].images, 2 * run("fm-scratch-s1").images);
  assert.deepEqual([long[0].needs, cfg("fm-scratch-long-s1").init.vaeRun], [[], ""]);
});

test("the pretraining study's searches grow one trial at a time, then add the runs at each arm's best setting", () => {
  const names = (fd: Record<string, number>) => makePlan(pretrainingStudy, PROFILES.full, (run) => (run in fd ? { fd: fd[run] } : undefined)).runs.map((r) => r.run);
  const trials = (plan: string[], arm: string) => plan.filter((r) => r.startsWith(`fm-search-${arm}-`));
  assert.deepEqual(trials(names({}), "vae-g"), ["fm-search-vae-g-t00"], "a search starts with trial 0 alone");
  const t0 = makePlan(pretrainingStudy, PROFILES.full).runs.find((r) => r.run === "fm-search-vae-g-t00")!.config.training as Record<string, number>;
  assert.deepEqual([t0.learningRateG, t0.batchSize, t0.beta1, t0.numEpochs], [2e-4, 64, 0.5, 2], "trial 0 is the shared setting at the search's budget");
  assert.deepEqual(trials(names({ "fm-search-vae-g-t00": 50 }), "vae-g"), ["fm-search-vae-g-t00", "fm-search-vae-g-t01"]);
  // Every trial done: trial 3 best, so the arm also runs at that setting on three seeds.
  const done = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`fm-search-vae-g-t${String(i).padStart(2, "0")}`, i === 3 ? 20 : 40]));
  const plan = makePlan(pretrainingStudy, PROFILES.full, (run) => (run in done ? { fd: done[run] } : undefined));
  const tuned = plan.runs.filter((r) => r.run.startsWith("fm-vae-g-tuned-"));
  assert.deepEqual(tuned.map((r) => r.run), ["fm-vae-g-tuned-s1", "fm-vae-g-tuned-s2", "fm-vae-g-tuned-s3"]);
  const best = plan.runs.find((r) => r.run === "fm-search-vae-g-t03")!.config.training as Record<string, number>;
  const got = tuned[0].config.training as Record<string, number>;
  assert.deepEqual([got.learningRateG, got.batchSize, got.beta1, got.numEpochs], [best.learningRateG, best.batchSize, best.beta1, 12]);
  assert.deepEqual(tuned[0].needs, ["fm-vae-s1"]);
  // The shared setting winning adds nothing: the arm's shared runs are its tuned ones.
  const sharedWins = Object.fromEntries(Object.keys(done).map((k, i) => [k, i === 0 ? 10 : 40]));
  assert.equal(makePlan(pretrainingStudy, PROFILES.full, (run) => (run in sharedWins ? { fd: sharedWins[run] } : undefined)).runs.filter((r) => r.run.includes("-tuned-")).length, 0);
  // Random start-up draws are the same for every arm: equal tuning.
  const first = (arm: string) => makePlan(pretrainingStudy, PROFILES.full, (run) => (run.startsWith(`fm-search-${arm}-t0`) && run < `fm-search-${arm}-t02` ? { fd: 30 } : undefined)).runs.find((r) => r.run === `fm-search-${arm}-t02`)!.config.training;
  assert.deepEqual(first("scratch"), { ...(first("vae-gd") as object), numEpochs: (first("scratch") as Record<string, number>).numEpochs });
});

test("a run the plan gains is queued where the plan puts it: a search's next trial before the data sets planned after it", () => {
  const finished = { "fm-search-vae-g-t00": { fd: 50 } } as Record<string, { fd: number }>;
  const before = makePlan(pretrainingStudy, PROFILES.full).runs.map((r) => ({ run: r.run }));
  const pending = before.filter((r) => /^(em-|fm-scratch-long-)/.test(r.run));
  const grown = makePlan(pretrainingStudy, PROFILES.full, (run) => finished[run]);
  const order = inPlanOrder([...pending, { run: "fm-search-vae-g-t01" }, { run: "gone" }], grown).map((r) => r.run);
  assert.equal(order[0], "fm-search-vae-g-t01", "the new trial goes first, ahead of the long runs and emoji");
  assert.deepEqual(order.slice(1, -1), pending.map((r) => r.run), "the rest keep their order");
  assert.equal(order[order.length - 1], "gone", "a run the plan no longer has goes last");
});

test("a run the plan gains that needs a finished run whose weights are gone queues that run again first", () => {
  const r = (run: string, needs: string[] = []) => ({ run, needs });
  const plan = { runs: [r("ae-s1"), r("ae-s2"), r("ae-s3"), r("gan-s1", ["ae-s1"]), r("tuned-s2", ["ae-s2"]), r("tuned-s3", ["ae-s3"]), r("em-s1")] };
  // ae-s1 has weights; ae-s2's are gone (a fresh machine); ae-s3 is already queued.
  const pending = [r("ae-s3"), r("em-s1")];
  const { queue, retrain } = grownQueue(pending, ["gan-s1"], [r("tuned-s2", ["ae-s2"]), r("tuned-s3", ["ae-s3"])], plan, (n) => n === "ae-s1");
  assert.deepEqual(retrain.map((x) => x.run), ["ae-s2"]);
  assert.deepEqual(queue.map((x) => x.run), ["ae-s2", "ae-s3", "tuned-s2", "tuned-s3", "em-s1"]);
  assert.deepEqual(grownQueue(pending, [], [r("tuned-s2", ["ae-s2"])], plan, () => true).retrain, [], "weights on disk: nothing to retrain");
});

test("a bad study definition is an error naming the run and what is wrong", () => {
  const study = (specs: RunSpec[]): StudyDefinition => ({ name: "bad", description: "", specs: () => specs });
  const vae = { run: "v", experiment: "vae", seed: 1 };
  const bad = (specs: RunSpec[], re: RegExp) => assert.throws(() => makePlan(study(specs), quick), (e: Error) => e instanceof ConfigError && re.test(e.message));
  bad([vae, vae], /two runs are named "v"/);
  bad([{ ...vae, run: "a/b" }], /run name "a\/b" is not allowed/);
  bad([{ ...vae, needs: ["w"] }], /run "v" needs "w", which is not a run of the study\. Runs: v/);
  bad([{ ...vae, needs: ["w"] }, { ...vae, run: "w", needs: ["v"] }], /the runs v → w → v need each other in a cycle/);
  bad([{ ...vae, set: { "training.lr": 1 } }], /run "v": Unknown config key "training\.lr" for model "vae"/);
  bad([{ ...vae, experiment: "resnet" }], /run "v": Unknown model "resnet"/);
  bad([{ ...vae, experiment: "conv-ae", dataset: "mnist" }], /run "v": experiment "conv-ae" trains on fashion-mnist only, not "mnist"/);
  bad([], /has no runs under profile quick/);
  const cgan = makePlan(study([{ run: "c", experiment: "cgan", seed: 3, dataset: "mnist", set: { "data.trainSize": 64, "training.batchSize": 32 } }]), quick);
  assert.equal((cgan.runs[0].config.data as { dataset: string }).dataset, "mnist");
  assert.throws(() => studyDefinition("nope"), /Unknown study "nope"\. Studies: smoke \(/);
});

test("ETA: seconds per image by experiment, then the pending runs scheduled on the workers after their needs", () => {
  const rates = measureRates([{ experiment: "vae", images: 100, seconds: 10 }, { experiment: "vae", images: 300, seconds: 30 }, { experiment: "gan", images: 100, seconds: 50 }]);
  assert.equal(rates.byExperiment.get("vae"), 0.1);
  assert.equal(rates.byExperiment.get("gan"), 0.5);
  assert.equal(rates.overall, 90 / 500);
  assert.equal(estimateSeconds({ experiment: "gan", images: 20 }, rates), 10);
  assert.equal(estimateSeconds({ experiment: "cgan", images: 100 }, rates), 18, "an experiment not seen yet takes the overall rate");
  assert.equal(estimateSeconds({ experiment: "vae", images: 1 }, measureRates([])), undefined);
  const a = { run: "a", seconds: 10, needs: [] };
  const b = { run: "b", seconds: 10, needs: [] };
  const c = { run: "c", seconds: 5, needs: ["a"] };
  assert.equal(makespan([a, b, c], 2), 15);
  assert.equal(makespan([a, b, c], 1), 25);
  assert.equal(makespan([a, b, c], 3), 15, "c waits for a, whatever the workers");
  assert.equal(makespan([{ ...a, running: true, seconds: 3 }, b, c], 2), 10, "a running with 3 s left, then c after it; b from the start");
  assert.equal(makespan([c], 2), 5, "a need outside the pending runs has ended");
  assert.equal(makespan([], 2), 0);
});

test("one progress line per run with the overall ETA", () => {
  const end = { kind: "end" as const, run: "gan-vae-s1", seconds: 75, done: 3, total: 12, running: 2, left: 7, eta: 3725 };
  assert.equal(formatStudyEvent({ ...end, outcome: "finished", summary: { objective: "fd" as unknown as number, fd: 41.234 } }), "[ 3/12] gan-vae-s1  finished in 1m 15s  fd 41.23  ·  2 running, 7 waiting, ETA 1h 02m");
  assert.equal(formatStudyEvent({ ...end, outcome: "finished", eta: undefined }), "[ 3/12] gan-vae-s1  finished in 1m 15s  ·  2 running, 7 waiting, ETA after the first finished run");
  assert.equal(formatStudyEvent({ ...end, outcome: "failed", error: "Error: Training diverged", running: 0, left: 0, done: 12 }), "[12/12] gan-vae-s1  FAILED: Error: Training diverged");
  assert.equal(formatStudyEvent({ ...end, outcome: "interrupted", error: "worker ended by SIGKILL" }), "[ 3/12] gan-vae-s1  interrupted (worker ended by SIGKILL); resuming it  ·  2 running, 7 waiting, ETA 1h 02m");
  assert.equal(formatStudyEvent({ kind: "begin", study: "smoke", total: 6, finished: 2, todo: 4, workers: 2 }), "study smoke: 6 runs, 2 finished, 4 to run on 2 workers");
  assert.equal(formatStudyEvent({ kind: "start", run: "x", attempt: 1, pid: 1 }), undefined);
});

test("runs to do: unfinished ones, plus a finished dependency whose weights are gone only while a dependant is unfinished", () => {
  const plan = makePlan(smokeStudy, quick);
  const status = (over: Record<string, Partial<RunStatus>>): RunStatus[] =>
    plan.runs.map((r) => ({ run: r.run, state: "finished", collected: true, weights: false, progress: 1, stale: false, ...over[r.run] }));
  assert.deepEqual([...runsToDo(plan, status({}))], [], "a fresh clone with every result: nothing to train, weights or not");
  assert.deepEqual([...runsToDo(plan, status({ "gan-vae-s1": { state: "missing" } }))].sort(), ["gan-vae-s1", "vae-s1"]);
  assert.deepEqual([...runsToDo(plan, status({ "gan-vae-s1": { state: "partial" }, "vae-s1": { weights: true } }))], ["gan-vae-s1"]);
  const timed = status({ "gan-vae-s1": { state: "partial", progress: 0.5 } }).map((s) => (s.state === "finished" ? { ...s, seconds: s.run.startsWith("vae") ? 10 : 20 } : s));
  const eta = studyEta(plan, timed, 2);
  // vae 10 s for 512 images, gan 20 s for 512 images: the VAE again (10 s), then half a GAN (10 s).
  assert.equal(eta, 20);
});

test("the Slurm script submits one array per dependency wave, chained with afterok, each task one run", () => {
  const plan = makePlan(smokeStudy, quick);
  const dirs = studyDirs(plan.folder, { runsDir: "/shared/runs", resultsDir: "/shared/results" });
  const script = slurmScript(plan, dirs, { projectRoot: "/shared/vae-gan", node: "/usr/bin/node", time: "01:00:00" });
  assert.match(script, /^#!\/bin\/bash\n/);
  assert.match(script, /#SBATCH --cpus-per-task=1\n#SBATCH --output=\/shared\/runs\/smoke-quick\/logs\/slurm-%A_%a\.out\n#SBATCH --time=01:00:00/);
  assert.match(script, /WAVES=\(\n {2}"vae-s1 gan-scratch-s1 vae-s2 gan-scratch-s2"\n {2}"gan-vae-s1 gan-vae-s2"\n\)/);
  assert.match(script, /sbatch --parsable --array=0-\$\(\( \$\{#runs\[@\]\} - 1 \)\) \$\{dependency:\+--dependency=afterok:\$dependency\}/);
  assert.match(script, /exec "\$NODE" --import tsx scripts\/study\.ts 'smoke' '--profile' 'quick' '--runs-dir' '\/shared\/runs' '--results-dir' '\/shared\/results' --run "\$\{runs\[\$SLURM_ARRAY_TASK_ID\]\}"/);
  const file = path.join(tempDir("slurm"), "slurm.sh");
  fs.writeFileSync(file, script);
  const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  assert.equal(syntax.status, 0, syntax.stderr);
});

test("a notebook under full reads a study and names the runs still to train, with the command", async () => {
  const root = tempDir("study-full");
  const where = { profile: PROFILES.full, runsDir: path.join(root, "runs"), resultsDir: path.join(root, "results") };
  await assert.rejects(prepareStudy("smoke", where),
    /Study "smoke" \(full\) has 6 of 6 runs unfinished \(vae-s1, gan-scratch-s1, .*\): train them with npm run study -- smoke --profile full/);
  // A notebook that reads part of the study names only that part, and reads a study whose part is done.
  await assert.rejects(prepareStudy("smoke", { ...where, reads: /^vae-/ }), /has 2 of 6 runs unfinished among those this notebook reads \(\/\^vae-\/\) \(vae-s1, vae-s2\)/);
  const partial = await prepareStudy("smoke", { ...where, reads: /^nothing-yet$/ });
  assert.equal(partial.runs.length, 6);
});

// ---- The pool, for real: 2 workers on the smoke study (tiny: 256 images, 16 steps a run). ----

const STUDY = [path.join(PROJECT_ROOT, "scripts", "study.ts"), "smoke", "--profile", "quick", "--workers", "2"];
const env = { ...process.env, VAE_GAN_PROFILE: "" };

function waitFor<T>(what: string, probe: () => T | undefined, child?: ChildProcess, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      let value: T | undefined;
      try {
        value = probe();
      } catch {
        value = undefined; // a file read mid-write: look again
      }
      if (value !== undefined) {
        clearInterval(poll);
        resolve(value);
      } else if (child && child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`the study exited (status ${child.exitCode}) before ${what}`));
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`gave up waiting for ${what}`));
      }
    }, 100);
  });
}

function exited(child: ChildProcess, output: { text: string }): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  child.stdout?.on("data", (d) => (output.text += d));
  child.stderr?.on("data", (d) => (output.text += d));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, output: output.text })));
}

test("npm run study: Ctrl-C checkpoints and exits 130; a killed worker and a killed coordinator resume; every run finishes once", async (t) => {
  const root = tempDir("study");
  const roots = ["--runs-dir", path.join(root, "runs"), "--results-dir", path.join(root, "results")];
  const dirs = studyDirs("smoke-quick", { runsDir: path.join(root, "runs"), resultsDir: path.join(root, "results") });
  const plan = makePlan(smokeStudy, quick);
  /** A run training now, between `from` and `to` steps, with its worker's pid. */
  const midRun = (from: number, to: number, except: string[] = []) => {
    for (const r of plan.runs) {
      if (except.includes(r.run) || fs.existsSync(path.join(dirs.runs, r.run, "summary.json"))) continue;
      const steps = readMetrics(path.join(dirs.runs, r.run, "metrics.jsonl")).filter((l) => l.kind === "step");
      const last = steps[steps.length - 1]?.step ?? 0;
      const holder = liveLockHolder(path.join(dirs.runs, r.run));
      if (last >= from && last <= to && holder) return { run: r.run, pid: holder.pid };
    }
    return undefined;
  };

  // 1. Ctrl-C: the terminal's SIGINT goes to the whole process group (npm, the coordinator, the workers).
  const npm = spawn("npm", ["run", "--silent", "study", "--", ...STUDY.slice(1), ...roots], { cwd: PROJECT_ROOT, env, detached: true });
  const first = exited(npm, { text: "" });
  const training = await waitFor("a run to train", () => midRun(3, 10), npm);
  process.kill(-npm.pid!, "SIGINT");
  const stopped = await first;
  assert.equal(stopped.code, 130, stopped.output);
  assert.match(stopped.output, /stopping: .*checkpoint/);
  assert.match(stopped.output, /Stopped\. Resume with: npm run study -- smoke --profile quick/);
  const log = fs.readFileSync(path.join(dirs.runs, "logs", `${training.run}.log`), "utf8");
  assert.match(log, /SIGINT; stopping after this step with a checkpoint/);
  assert.doesNotMatch(log, /Error/);
  // Mid-epoch, or at the epoch end the stop reached first on a fast machine: either way a checkpoint to resume from.
  assert.ok(checkpointProgress(path.join(dirs.runs, training.run)), `${training.run} left a checkpoint`);
  assert.equal(studyStatus(plan, dirs).find((s) => s.run === training.run)!.state, "partial");

  // 2. SIGKILL of a worker: the pool resumes its run; then SIGKILL of the coordinator mid-run.
  const second = spawn(process.execPath, ["--import", "tsx", ...STUDY, ...roots], { cwd: PROJECT_ROOT, env });
  const secondDone = exited(second, { text: "" });
  const victim = await waitFor("a run to train again", () => midRun(3, 12), second);
  process.kill(victim.pid, "SIGKILL");
  await waitFor("the killed run to restart", () => (midRun(1, 16)?.run === victim.run && liveLockHolder(path.join(dirs.runs, victim.run))?.pid !== victim.pid ? true : undefined), second);
  await waitFor("another run mid-way", () => midRun(3, 12), second);
  second.kill("SIGKILL");
  const killed = await secondDone;
  assert.equal(killed.signal, "SIGKILL");
  assert.match(killed.output, new RegExp(`${victim.run}  interrupted \\(worker ended by SIGKILL\\); resuming it`));

  // 3. Again, to the end: orphaned workers checkpoint and exit (their lock is waited for), the rest resumes.
  const third = spawnSync(process.execPath, ["--import", "tsx", ...STUDY, ...roots], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
  assert.equal(third.status, 0, third.stdout + third.stderr);
  assert.match(third.stdout, /All 6 runs finished/);
  const outputs = stopped.output + killed.output + third.stdout;
  const shown = `Ctrl-C:\n${stopped.output}\nkilled worker ${victim.run}, then the coordinator:\n${killed.output}\nresumed:\n${third.stdout}`;
  for (const line of shown.split("\n").filter(Boolean)) t.diagnostic(line);
  for (const r of plan.runs) {
    assert.ok((outputs.match(new RegExp(`\\] ${r.run}  finished in`, "g")) ?? []).length <= 1, `${r.run} finished once`);
    const lines = readMetrics(path.join(dirs.results, r.run, "metrics.jsonl"));
    const steps = lines.filter((l) => l.kind === "step").map((l) => l.step);
    assert.deepEqual(steps, Array.from({ length: 16 }, (_, i) => i + 1), `${r.run}: every step logged once, in order`);
    assert.equal(lines.filter((l) => l.kind === "final").length, 1, `${r.run}: one final line`);
    assert.deepEqual(lines.filter((l) => l.kind === "epoch").map((l) => l.epoch), [0, 1]);
    assert.ok(fs.existsSync(path.join(dirs.results, r.run, "samples.png")));
    // A GAN run also keeps its early evaluation grids (here only step 0 is one of them).
    const gan = r.experiment === "gan";
    assert.deepEqual(fs.readdirSync(path.join(dirs.results, r.run)).sort(), ["config.json", "metrics.jsonl", ...(gan ? ["samples"] : []), "samples.png", "summary.json"]);
    if (gan) assert.deepEqual(fs.readdirSync(path.join(dirs.results, r.run, "samples")), ["step-0000000.png"]);
  }

  // A fresh clone: results only. Everything reads as finished, with nothing to train.
  fs.rmSync(dirs.runs, { recursive: true });
  const study = loadStudy("smoke", { profile: quick, runsDir: path.join(root, "runs"), resultsDir: path.join(root, "results") });
  assert.ok(study.runs.every((r) => r.status.state === "finished" && r.status.collected && r.summary && r.metrics.length && r.samples));
  assert.equal(runsToDo(plan, studyStatus(plan, dirs)).size, 0);
  assert.equal(typeof study.runs[2].summary!.fd, "number");
  assert.equal(study.runs[2].info!.config.seed, 1);

  // There, one GAN run is unfinished: its VAE is retrained for its weights, and keeps its collected results.
  const kept = fs.readFileSync(path.join(dirs.results, "vae-s1", "config.json"), "utf8");
  fs.rmSync(path.join(dirs.results, "gan-vae-s1"), { recursive: true });
  const fourth = spawnSync(process.execPath, ["--import", "tsx", ...STUDY, ...roots], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
  assert.equal(fourth.status, 0, fourth.stdout + fourth.stderr);
  assert.ok(fs.existsSync(path.join(dirs.runs, "vae-s1", "final")), "the VAE was retrained");
  assert.equal(fs.readFileSync(path.join(dirs.results, "vae-s1", "config.json"), "utf8"), kept);
  assert.ok(fs.existsSync(path.join(dirs.results, "gan-vae-s1", "summary.json")));
});
