/**
 * Ctrl-C as a terminal sends it: SIGINT to the whole process group of `npm run train` / `npm run
 * search` (npm, its shell and the worker all receive it, and npm forwards its own copy), then
 * `--resume` (or the same search command) continues from the checkpoint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { MetricsLine, readMetrics } from "../lib/runs/run-folder";
import { checkpointProgress } from "../lib/train/run-cache";
import { tempDir } from "./helpers/fixtures";
import { npm, npmUntil, shellStatus, SMALL_AE } from "./helpers/npm";

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
