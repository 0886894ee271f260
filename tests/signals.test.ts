/**
 * Ctrl-C as a terminal sends it: SIGINT to the whole process group of `npm run train` / `npm run
 * search` (npm, its shell and the worker all receive it, and npm forwards its own copy), then
 * `--resume` (or the same search command) continues from the checkpoint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/paths";
import { MetricsLine, readMetrics } from "../lib/runs/run-folder";
import { checkpointProgress } from "../lib/train/run-cache";
import { tempDir } from "./helpers/fixtures";

const env = { ...process.env, VAE_GAN_ENGINE: "cpu", VAE_GAN_PROFILE: "" };
/**
 * 8 steps per epoch, 2 epochs; a checkpoint every 5 steps. A step takes a few hundred milliseconds
 * on the cpu engine, as real training does: a worker busy in a step answers a signal late, which is
 * what the tsx command line's relay (30 ms, then SIGINT again, then SIGKILL) did not wait for.
 */
export const SMALL_AE = ["--set", "data.trainSize=1024", "--set", "data.testSize=128", "--set", "training.batchSize=128", "--set", "training.numEpochs=2",
  "--set", "model.hiddenUnits=512", "--set", "model.latentDim=8", "--set", "tracking.logEvery=1", "--set", "tracking.checkpointEvery=5"];

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm <args>` in its own process group, as a terminal runs a command; once `metricsFile`
 * logs step `step`, calls `act(pid of the group)` (e.g. SIGINT to the group). Resolves when npm exits.
 */
export function npmUntil(args: string[], metricsFile: string | undefined, step: number, act: (pgid: number) => void): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd: PROJECT_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let sent = !metricsFile;
    const poll = setInterval(() => {
      if (sent || !fs.existsSync(metricsFile!)) return;
      const steps = readMetrics(metricsFile!).filter((l) => l.kind === "step");
      if (steps.length && steps[steps.length - 1].step >= step) {
        sent = true;
        act(child.pid!);
      }
    }, 20);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (!sent) reject(new Error(`npm ${args.join(" ")} ended before step ${step} (status ${code}): ${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

export const npm = (args: string[]) => npmUntil(args, undefined, 0, () => {});

/** What a shell reports as the status of `npm run …`: npm re-raises a signal that ended its script. */
export const shellStatus = (e: Ended) => e.code ?? 128 + (e.signal === "SIGINT" ? 2 : e.signal === "SIGKILL" ? 9 : 15);

const ctrlC = (pgid: number) => process.kill(-pgid, "SIGINT");

/** Steps logged, in order: after a resume each step appears once, with no gap. */
const stepNumbers = (lines: MetricsLine[]) => lines.filter((l) => l.kind === "step").map((l) => l.step);

for (const shell of ["sh", "bash"]) {
  // Under bash, npm's script shell execs the worker, which then gets npm's forwarded copy as well.
  test(`Ctrl-C on npm run train (script shell ${shell}) saves a checkpoint, exits 130, and --resume continues from it`, async () => {
    const root = tempDir("ctrl-c");
    const metrics = path.join(root, "r", "metrics.jsonl");
    const stopped = await npmUntil(["run", `--script-shell=${shell}`, "train", "--", "ae", ...SMALL_AE, "--runs-dir", root, "--name", "r"], metrics, 3, ctrlC);
    assert.equal(shellStatus(stopped), 130, stopped.stderr);
    assert.match(stopped.stderr, /Stopped; checkpoint after 0 epochs and (\d+) steps\. Resume with: npm run train -- --resume r/);
    const position = JSON.parse(fs.readFileSync(path.join(root, "r", "checkpoint", "position.json"), "utf8"));
    assert.ok(position.step >= 3, `checkpoint at step ${position.step}, after the Ctrl-C at step 3 or later`);
    assert.ok(!fs.existsSync(path.join(root, "r", "lock.json")), "the lock is released");

    const resumed = await npm(["run", "train", "--", "--resume", "r", "--runs-dir", root]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`resuming r after 0 epochs and ${position.step} steps`));
    assert.deepEqual(stepNumbers(readMetrics(metrics)), Array.from({ length: 16 }, (_, i) => i + 1));
    assert.ok(fs.existsSync(path.join(root, "r", "summary.json")));
  });
}

test("Ctrl-C on npm run search checkpoints the current trial, exits 130, and the same command continues it", async () => {
  const root = tempDir("ctrl-c-search");
  const command = ["run", "search", "--", "ae", "--trials", "2", "--sampler", "random", "--name", "s", ...SMALL_AE, "--set", "training.numEpochs=1", "--runs-dir", root];
  const trial = path.join(root, "s", "trial-00");
  // The sampled batch size (32 to 128) gives 8 to 32 steps per epoch: step 3 is inside the first trial.
  const stopped = await npmUntil(command, path.join(trial, "metrics.jsonl"), 3, ctrlC);
  assert.equal(shellStatus(stopped), 130, stopped.stderr);
  assert.match(stopped.stderr, /Stopped\. Continue with the same command/);
  const at = checkpointProgress(trial);
  assert.ok(at, "the stopped trial has a checkpoint");
  assert.ok(!fs.existsSync(path.join(root, "s", "lock.json")) && !fs.existsSync(path.join(trial, "lock.json")), "the locks are released");
  assert.ok(!fs.existsSync(path.join(root, "s", "trial-01")), "no trial starts after Ctrl-C");

  const resumed = await npm(command);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming trial-00 after ${at.epochs} epochs and ${at.step} steps`));
  const batchSize = JSON.parse(fs.readFileSync(path.join(trial, "config.json"), "utf8")).config.training.batchSize as number;
  assert.deepEqual(stepNumbers(readMetrics(path.join(trial, "metrics.jsonl"))), Array.from({ length: 1024 / batchSize }, (_, i) => i + 1));
  assert.equal(JSON.parse(fs.readFileSync(path.join(root, "s", "results.json"), "utf8")).trials.length, 2);
});
