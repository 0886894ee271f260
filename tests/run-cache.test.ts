import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { fitAutoencoder, fitVae } from "../lib/train/fit";
import { configHash, stableStringify } from "../lib/train/run-cache";
import { currentProfile } from "../lib/profiles";
import { blobs, tempDir } from "./helpers/fixtures";
import { RUNS_DIR } from "../lib/paths";
import { accumulatedPower, installExactAdamResume } from "../lib/train/adam-resume";
import { setNativeThreads } from "../lib/engine/native/index";
import { nativeSkip } from "./native-helpers";

tf.setBackend("cpu");

const model = { kind: "dense" as const, config: { imageShape: [14, 14, 1] as [number, number, number], hiddenUnits: [16], latentDim: 3, seed: 1 } };
const training = { batchSize: 16, numEpochs: 4, learningRate: 0.01, seed: 3 };

test("config hashes ignore key order and see every value", () => {
  assert.equal(stableStringify({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
  assert.equal(configHash({ a: 1, b: 2 }), configHash({ b: 2, a: 1 }));
  assert.notEqual(configHash({ a: 1 }), configHash({ a: 2 }));
});

test("a killed run resumes from its checkpoint and ends with the same losses; a finished run loads from the cache", async () => {
  const root = tempDir("cache");
  const name = `test-ae-${path.basename(root)}`;
  const data = { train: blobs(64, 1), test: blobs(32, 2) };
  const reference = await fitAutoencoder(model, { name: name + "-ref", ...data, training });
  assert.equal(reference.source, "trained");

  const killer = { onEpochEnd: (info: { epoch: number }) => { if (info.epoch === 1) throw new Error("killed"); } };
  await assert.rejects(fitAutoencoder(model, { name, ...data, training, callbacks: [killer] }), /killed/);
  const resumed = await fitAutoencoder(model, { name, ...data, training });
  assert.equal(resumed.source, "resumed");
  assert.deepEqual(resumed.epochs.map((e) => e.logs), reference.epochs.map((e) => e.logs), "resumed losses equal the uninterrupted run's");

  const cached = await fitAutoencoder(model, { name, ...data, training });
  assert.equal(cached.source, "cache");
  const x = data.test.toTensor([0, 1]);
  const [a, b] = [reference.autoencoder.predict(x) as tf.Tensor, cached.autoencoder.predict(x) as tf.Tensor];
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  tf.dispose([x, a, b]);
  for (const dir of [reference.dir, resumed.dir]) fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(resumed.dir.startsWith(path.join(RUNS_DIR, "cache")));
});

test("a run stopped mid-epoch by its signal resumes at that step: same epoch means as an uninterrupted run", async () => {
  const root = tempDir("stop");
  const data = { train: blobs(64, 1), test: blobs(32, 2) };
  const reference = await fitAutoencoder(model, { name: "ref", ...data, training, run: { dir: path.join(root, "ref") } });
  const controller = new AbortController();
  const stopper = { onBatchEnd: (info: { epoch: number; step: number }) => void (info.epoch === 1 && info.step === 2 && controller.abort()) };
  const dir = path.join(root, "run");
  const stopped = await fitAutoencoder(model, { name: "run", ...data, training, callbacks: [stopper], run: { dir, signal: controller.signal, checkpointEvery: 3 } });
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.epochs.length, 1);
  const position = JSON.parse(fs.readFileSync(path.join(dir, "checkpoint", "position.json"), "utf8"));
  assert.deepEqual([position.epoch, position.step], [1, 2]);
  const resumed = await fitAutoencoder(model, { name: "run", ...data, training, run: { dir } });
  assert.equal(resumed.source, "resumed");
  assert.equal(resumed.stopped, false);
  assert.deepEqual(resumed.epochs.map((e) => e.logs), reference.epochs.map((e) => e.logs));
  assert.ok(!fs.existsSync(path.join(dir, "checkpoint")), "a finished run keeps only its final state");
});

test("Adam restored from its weights carries the same β powers as the optimizer it was saved from", async () => {
  installExactAdamResume(); // trainCached installs it; this test calls setWeights directly
  const v = tf.variable(tf.tensor1d([1, -2, 3]));
  const a = tf.train.adam(0.01, 0.5, 0.999);
  for (let i = 0; i < 37; i++) a.minimize(() => v.square().sum() as tf.Scalar);
  const b = tf.train.adam(0.01, 0.5, 0.999);
  await b.setWeights(await a.getWeights());
  const acc = (o: tf.Optimizer) => [(o as unknown as { accBeta1: tf.Tensor }).accBeta1.dataSync()[0], (o as unknown as { accBeta2: tf.Tensor }).accBeta2.dataSync()[0]];
  assert.deepEqual(acc(b), acc(a));
  assert.equal(acc(a)[1], accumulatedPower(0.999, 37));
  tf.dispose([v]);
  a.dispose();
  b.dispose();
});

test("the VAE fit reports train and test ELBO terms", async () => {
  const run = await fitVae({ imageShape: [16, 16, 1], filters: [4, 8], latentDim: 2, seed: 2 }, { beta: 1, reconstruction: "bce" }, { name: `test-vae-${Date.now()}`, train: blobs(32, 1, 16), test: blobs(32, 2, 16), training: { ...training, numEpochs: 2 } });
  for (const k of ["loss", "recon", "kl", "test_loss", "test_recon", "test_kl"]) assert.ok(Number.isFinite(run.epochs[1].logs[k]), k);
  fs.rmSync(run.dir, { recursive: true, force: true });
});

test("profiles: quick by default, full on request, unknown names listed", () => {
  assert.throws(() => currentProfile(""), /Unknown profile ""/, "a blank profile is a mistake, not the default");
  assert.equal(currentProfile("full").scale.trainSize(60000), 60000);
  assert.equal(currentProfile("quick").scale.epochs(12), 2);
  assert.throws(() => currentProfile("huge"), /Unknown profile "huge".*Valid profiles: quick, full/);
});

test("the cache key covers the engine and the metrics code of stored evaluations, not the native thread count", async (t) => {
  const config = { a: 1 };
  assert.notEqual(configHash(config, ["metrics"]), configHash(config), "fitGan's stored evaluations key on lib/metrics");
  const data = { train: blobs(64, 1), test: blobs(32, 2) };
  const name = `test-engine-key-${path.basename(tempDir("engine-key"))}`;
  const options = { name, ...data, training: { ...training, numEpochs: 1 } };
  const onCpu = await fitAutoencoder(model, options);
  assert.equal(onCpu.source, "trained");
  const dirs = [onCpu.dir];
  const skip = nativeSkip();
  if (skip) return void t.diagnostic(skip);
  try {
    tf.setBackend("native");
    setNativeThreads(1);
    const oneThread = await fitAutoencoder(model, options);
    assert.equal(oneThread.source, "trained", "the cpu engine's weights are not reused on native");
    setNativeThreads(2);
    const twoThreads = await fitAutoencoder(model, options);
    assert.equal(twoThreads.source, "cache", "two threads load one thread's weights: the engine's bits do not depend on the count");
    dirs.push(oneThread.dir);
    assert.equal(twoThreads.dir, oneThread.dir);
    assert.equal(new Set(dirs).size, 2);
  } finally {
    tf.setBackend("cpu");
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
});
