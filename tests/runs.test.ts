import { test } from "node:test";
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseAssignments } from "../lib/core/config";
import { modelConfig, runModel } from "../lib/experiments/index";
import { MetricsLine, readMetrics } from "../lib/runs/run-folder";
import { PROJECT_ROOT } from "../lib/paths";
import { tempDir } from "./helpers/fixtures";

test("configs: defaults, file and --set overrides, typed", () => {
  const c = modelConfig("vae", { training: { numEpochs: 3 } }, parseAssignments(["training.learningRate=5e-4", "model.filters=16,32", "model.batchNorm=false", "loss.reconstruction=mse"]));
  assert.deepEqual(c.training, { batchSize: 128, numEpochs: 3, learningRate: 5e-4, beta1: 0.9 });
  assert.deepEqual((c.model as { filters: number[] }).filters, [16, 32]);
  assert.equal((c.model as { batchNorm: boolean }).batchNorm, false);
  assert.equal((c.loss as { reconstruction: string }).reconstruction, "mse");
});

test("configs: a bad key, type or value is an error that names the key and lists the valid ones", () => {
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof ConfigError && re.test(e.message));
  bad(() => modelConfig("ae", {}, { "training.lr": "0.1" }), /Unknown config key "training.lr" for model "ae"\. Valid keys: seed, data\.trainSize, .*training\.learningRate/);
  bad(() => modelConfig("ae", { model: { width: 3 } }), /Unknown config key "model\.width".*model\.hiddenUnits/);
  bad(() => modelConfig("ae", { optimiser: { name: "sgd" } }), /Unknown config key "optimiser"/);
  bad(() => modelConfig("ae", {}, { "training.learningRate": "fast" }), /"training\.learningRate" must be a number, got "fast"/);
  bad(() => modelConfig("ae", { training: { batchSize: "64" } }), /"training\.batchSize" must be a number, got "64"/);
  bad(() => modelConfig("ae", {}, { "training.batchSize": "0" }), /"training\.batchSize" must be ≥ 1; got 0/);
  bad(() => modelConfig("ae", {}, { "training.batchSize": "12.5" }), /must be an integer; got 12\.5/);
  bad(() => modelConfig("gan", {}, { "training.beta1": "1" }), /"training\.beta1" must be < 1; got 1/);
  bad(() => modelConfig("ae", {}, { "training.learningRate": "0" }), /must be > 0; got 0/);
  bad(() => modelConfig("gan", {}, { "step.loss": "wasserstein" }), /"step\.loss" must be one of non-saturating, least-squares; got "wasserstein"/);
  bad(() => modelConfig("ae", {}, { "model.hiddenUnits": "256,x" }), /"model\.hiddenUnits" must be a list of numbers/);
  bad(() => modelConfig("ae", {}, { "data.trainSize": "100", "training.batchSize": "128" }), /"training\.batchSize" \(128\) exceeds "data\.trainSize" \(100\)/);
  bad(() => modelConfig("ae", [1, 2]), /must hold a JSON object/);
  bad(() => parseAssignments(["training.learningRate"]), /--set expects key=value/);
  bad(() => runModel("resnet"), /Unknown model "resnet"\. Models: ae \(.*\); conv-ae .*cgan/);
});

const TSX = ["--import", "tsx", path.join(PROJECT_ROOT, "scripts", "train.ts")];
const env = { ...process.env, VAE_GAN_ENGINE: "cpu", VAE_GAN_PROFILE: "" };
const small = ["--set", "data.trainSize=512", "--set", "data.testSize=128", "--set", "training.batchSize=32", "--set", "training.numEpochs=3",
  "--set", "model.hiddenUnits=128", "--set", "model.latentDim=8", "--set", "tracking.logEvery=1", "--set", "tracking.checkpointEvery=5"];

function train(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...TSX, ...args], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a run and calls `interrupt` once its metrics reach `step`; resolves with the exit status. */
function trainUntil(args: string[], metricsFile: string, step: number, interrupt: (child: ChildProcess) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX, ...args], { cwd: PROJECT_ROOT, env });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let sent = false;
    const poll = setInterval(() => {
      if (sent || !fs.existsSync(metricsFile)) return;
      const steps = readMetrics(metricsFile).filter((l) => l.kind === "step");
      if (steps.length && steps[steps.length - 1].step >= step) {
        sent = true;
        interrupt(child);
      }
    }, 20);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (!sent) reject(new Error(`the run ended before step ${step} (status ${code}): ${stderr}`));
      else resolve({ code, signal, stderr });
    });
  });
}

/** What must repeat exactly: every step's loss and every epoch's train and test losses. */
const trace = (lines: MetricsLine[]) => lines.map(({ kind, step, epoch, loss, test_loss }) => ({ kind, step, epoch, loss, test_loss }));

test("a run killed with SIGKILL resumes from its checkpoint and repeats the uninterrupted run's losses exactly (cpu)", async () => {
  const root = tempDir("runs");
  const ref = train(["ae", ...small, "--runs-dir", root, "--name", "ref"]);
  assert.equal(ref.status, 0, ref.stderr);
  const reference = readMetrics(path.join(root, "ref", "metrics.jsonl"));
  assert.equal(reference.filter((l) => l.kind === "step").length, 48);

  const killed = await trainUntil(["ae", ...small, "--runs-dir", root, "--name", "killed"], path.join(root, "killed", "metrics.jsonl"), 24, (c) => c.kill("SIGKILL"));
  assert.equal(killed.signal, "SIGKILL");
  const position = JSON.parse(fs.readFileSync(path.join(root, "killed", "checkpoint", "position.json"), "utf8"));
  assert.equal(position.epoch, 1, "the last checkpoint is inside the second epoch");

  const resumed = train(["--resume", "killed", "--runs-dir", root]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming killed after 1 epochs and \d+ steps/);
  const after = readMetrics(path.join(root, "killed", "metrics.jsonl"));
  assert.deepEqual(trace(after), trace(reference));
  const summary = (run: string) => JSON.parse(fs.readFileSync(path.join(root, run, "summary.json"), "utf8"));
  assert.equal(summary("killed").test_loss, summary("ref").test_loss);
  assert.ok(fs.existsSync(path.join(root, "killed", "samples", "epoch-003.png")));
  const config = JSON.parse(fs.readFileSync(path.join(root, "killed", "config.json"), "utf8"));
  assert.equal(config.engine, "cpu");
  assert.equal(config.config.training.numEpochs, 3);
  assert.match(config.git?.commit ?? "none", /^([0-9a-f]{40}|none)$/);

  // Ctrl-C: a checkpoint at the current step, a clean exit, and the same losses after --resume.
  const stopped = await trainUntil(["ae", ...small, "--runs-dir", root, "--name", "stopped"], path.join(root, "stopped", "metrics.jsonl"), 7, (c) => c.kill("SIGINT"));
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /Resume with: npm run train -- --resume stopped/);
  assert.doesNotMatch(stopped.stderr, /Error|at .*\.ts:\d+/);
  assert.equal(train(["--resume", "stopped", "--runs-dir", root]).status, 0);
  assert.deepEqual(trace(readMetrics(path.join(root, "stopped", "metrics.jsonl"))), trace(reference));
  assert.match(train(["--resume", "stopped", "--runs-dir", root]).stdout, /has finished/);
});

test("the train command rejects a bad config with status 2, naming the key, and a missing run listing the runs", () => {
  const root = tempDir("runs-bad");
  const r = train(["ae", "--set", "training.lr=0.1", "--runs-dir", root]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unknown config key "training\.lr".*training\.learningRate/);
  assert.equal(fs.readdirSync(root).length, 0, "no run folder for a rejected config");
  const m = train(["--resume", "nope", "--runs-dir", root]);
  assert.equal(m.status, 2);
  assert.match(m.stderr, /No run "nope".*holds no runs yet/);
  const u = train(["gan", "--set", "init.vaeRun=nope", "--set", "data.trainSize=64", "--runs-dir", root]);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /No run "nope"/);
  assert.equal(fs.readdirSync(root).length, 0, "the gan run that failed before training left no folder");
});
