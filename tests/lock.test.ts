/**
 * One trainer per folder: a second `--resume` of a running run is refused with a message naming the
 * holder; a SIGKILLed holder does not leave the folder stuck; a cache folder (a notebook cell's) is
 * locked the same way against another process and within one process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { interrupt, InterruptedError, newInterruptScope } from "../lib/core/interrupt";
import { LOCK_FILE, LockHeldError, lockFolder } from "../lib/core/lock";
import { readMetrics } from "../lib/runs/run-folder";
import { fitAutoencoder } from "../lib/train/fit";
import { cacheDir, checkpointProgress } from "../lib/train/run-cache";
import { PROJECT_ROOT } from "../lib/paths";
import { blobs, tempDir } from "./helpers/fixtures";
import { npm, npmUntil, shellStatus, SMALL_AE } from "./helpers/npm";

test("a second --resume of a running run is refused naming the holder; after a SIGKILL of the holder the next start takes the lock", async () => {
  const root = tempDir("lock");
  const metrics = path.join(root, "r", "metrics.jsonl");
  // A run with a checkpoint to resume from, killed outright.
  const first = await npmUntil(["run", "train", "--", "ae", ...SMALL_AE, "--runs-dir", root, "--name", "r"], metrics, 6, (pgid) => process.kill(-pgid, "SIGKILL"));
  assert.equal(first.signal, "SIGKILL");

  let second: Awaited<ReturnType<typeof npm>> | undefined;
  const holder = await npmUntil(["run", "train", "--", "--resume", "r", "--runs-dir", root], metrics, 7, async (pgid) => {
    second = await npm(["run", "train", "--", "--resume", "r", "--runs-dir", root]);
    process.kill(-pgid, "SIGKILL");
  });
  assert.equal(holder.signal, "SIGKILL");
  assert.ok(second, "the second start ran while the first trained");
  assert.equal(shellStatus(second), 1, second.stderr);
  const lock = JSON.parse(fs.readFileSync(path.join(root, "r", LOCK_FILE), "utf8"));
  assert.match(second.stderr, new RegExp(`r is in use by pid ${lock.pid} \\(node --import tsx .*scripts/train\\.ts --resume r .*\\), since ${lock.since.replace(/[.]/g, "\\.")}\\. Wait for it to finish or stop it`));
  const steps = readMetrics(metrics).filter((l) => l.kind === "step").map((l) => l.step);
  assert.equal(new Set(steps).size, steps.length, "no step is logged twice");

  // The killed holder's lock.json stays behind, and is stale: the next start takes it.
  assert.ok(fs.existsSync(path.join(root, "r", LOCK_FILE)));
  const at = checkpointProgress(path.join(root, "r"))!;
  const third = await npmUntil(["run", "train", "--", "--resume", "r", "--runs-dir", root], /resuming r after/, 0, (pgid) => process.kill(-pgid, "SIGINT"));
  assert.equal(shellStatus(third), 130, third.stderr);
  assert.match(third.stderr, new RegExp(`resuming r after ${at.epochs} epochs and ${at.step} steps`));
  assert.doesNotMatch(third.stderr, /in use/);
  assert.ok(!fs.existsSync(path.join(root, "r", LOCK_FILE)), "a stopped run releases its lock");
});

tf.setBackend("cpu");
const model = { kind: "dense" as const, config: { imageShape: [14, 14, 1] as [number, number, number], hiddenUnits: [16], latentDim: 3, seed: 1 } };
const training = { batchSize: 16, numEpochs: 2, learningRate: 0.01, seed: 3 };

test("a weight-cache folder held by another process is refused naming it; once that process is SIGKILLed, training takes it", async () => {
  const name = `test-lock-${path.basename(tempDir("lock-cache"))}`;
  const data = { train: blobs(64, 1), test: blobs(32, 2) };
  const config = { model, training, scale: "unit", train: { name: data.train.name, size: data.train.size }, test: { name: data.test.name, size: data.test.size } };
  const dir = cacheDir(name, config);
  // Another process (a notebook kernel, a render) training in that cache folder.
  const other = spawn(process.execPath, ["--import", "tsx", "-e", `require("./lib/core/lock.ts").lockFolder(${JSON.stringify(dir)}).then(() => console.log("locked")); setInterval(() => {}, 1000);`], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => other.stdout.on("data", (d) => String(d).includes("locked") && resolve()));
  await assert.rejects(fitAutoencoder(model, { name, ...data, training }), (err: Error) => {
    assert.ok(err instanceof LockHeldError);
    assert.match(err.message, new RegExp(`is in use by pid ${other.pid} \\(node --import tsx -e .*\\), since \\d{4}-\\d\\d-\\d\\dT`));
    return true;
  });
  other.kill("SIGKILL");
  await new Promise((resolve) => other.on("exit", resolve));
  const result = await fitAutoencoder(model, { name, ...data, training });
  assert.equal(result.source, "trained");
  assert.equal(result.dir, dir);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("within one process (a kernel), a second training of a cache folder is refused while the first runs, and waits for one that is stopping", async () => {
  const name = `test-lock-same-${path.basename(tempDir("lock-same"))}`;
  const data = { train: blobs(64, 1), test: blobs(32, 2) };
  const options = { name, ...data, training: { ...training, numEpochs: 3 } };
  let refused: unknown;
  let second: ReturnType<typeof fitAutoencoder> | undefined;
  const first = fitAutoencoder(model, {
    ...options,
    callbacks: [{
      onBatchEnd: async ({ step }) => {
        if (step !== 2 || second) return;
        refused = await fitAutoencoder(model, options).catch((e: unknown) => e);
        // What a kernel does on an interrupt, then on the cell run again.
        interrupt("test");
        newInterruptScope();
        second = fitAutoencoder(model, options);
      },
    }],
  });
  await assert.rejects(first, (err: Error) => err instanceof InterruptedError && /keeps a checkpoint after 0 epochs and 2 steps; run the same cell or command again to resume it/.test(err.message));
  assert.ok(refused instanceof LockHeldError, String(refused));
  assert.match(refused.message, new RegExp(`in use by pid ${process.pid} .*running in this process`));
  const resumed = await second!;
  assert.equal(resumed.source, "resumed");
  assert.equal(resumed.epochs.length, 3);
  fs.rmSync(resumed.dir, { recursive: true, force: true });
});

test("a lock of a process that is gone on this host is stale; a live one on another host is kept", async () => {
  const dir = tempDir("lock-stale");
  const file = path.join(dir, LOCK_FILE);
  const gone = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => gone.on("exit", resolve));
  fs.writeFileSync(file, JSON.stringify({ pid: gone.pid, host: os.hostname(), command: "node gone", since: "2026-01-01T00:00:00.000Z" }));
  const lock = await lockFolder(dir);
  assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).pid, process.pid);
  lock.release();
  assert.ok(!fs.existsSync(file));
  fs.writeFileSync(file, JSON.stringify({ pid: gone.pid, host: "elsewhere", command: "node far", since: "2026-01-01T00:00:00.000Z" }));
  await assert.rejects(lockFolder(dir), /in use by pid \d+ on host elsewhere \(node far\), since 2026-01-01T00:00:00\.000Z\. It cannot be checked from .*delete .*lock\.json/);
});

test("a killed holder left a zombie (its parent never reaps it, as under a container's pid 1) is stale", async () => {
  const dir = tempDir("lock-zombie");
  const file = path.join(dir, LOCK_FILE);
  // The inner shell exits once its parent has become `sleep`, which never waits for it: a zombie. Exiting
  // earlier would let bash reap it before the exec, and the pid would be gone instead of a zombie.
  const child = 'until grep -qx sleep /proc/$PPID/comm; do sleep 0.01; done';
  const parent = spawn("bash", ["-c", `sh -c '${child}' & echo $!; exec sleep 20`], { stdio: ["ignore", "pipe", "inherit"] });
  const pid = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d) => resolve(String(d).trim()))));
  while (!/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))) await new Promise((r) => setTimeout(r, 20));
  fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), command: "node killed", since: "2026-01-01T00:00:00.000Z" }));
  const lock = await lockFolder(dir);
  assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).pid, process.pid);
  lock.release();
  parent.kill("SIGKILL");
});

test("a folder made only for the lock is removed with it when nothing was written (a failed start leaves no empty folder)", async () => {
  const dir = path.join(tempDir("lock-empty"), "never-trained");
  const lock = await lockFolder(dir);
  assert.ok(fs.existsSync(path.join(dir, LOCK_FILE)));
  lock.release();
  assert.ok(!fs.existsSync(dir));
  const kept = path.join(tempDir("lock-kept"), "trained");
  const second = await lockFolder(kept);
  fs.writeFileSync(path.join(kept, "config.json"), "{}");
  second.release();
  assert.deepEqual(fs.readdirSync(kept), ["config.json"]);
});
