import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { buildDenseAutoencoder } from "../lib/models/dense-ae";
import { buildVae } from "../lib/models/vae";
import { trainLoop, EpochInfo } from "../lib/train/loop";
import { autoencoderStep, vaeLosses, vaeStep } from "../lib/train/steps";
import { loadModel, saveModel } from "../lib/train/model-io";
import { blobs, tempDir } from "./helpers/fixtures";

tf.setBackend("cpu");

test("the dense autoencoder's loss goes down on a fixed seed, without leaking tensors", async () => {
  const data = blobs();
  const { autoencoder } = buildDenseAutoencoder({ imageShape: [14, 14, 1], hiddenUnits: [32], latentDim: 4, seed: 1 });
  const step = autoencoderStep(autoencoder, tf.train.adam(0.01));
  const counts: number[] = [];
  const epochs = await trainLoop({ data, batchSize: 16, numEpochs: 6, seed: 2, step, callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
  assert.ok(epochs[5].logs.loss < epochs[0].logs.loss * 0.7, `loss ${epochs[0].logs.loss} → ${epochs[5].logs.loss}`);
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor count constant after the first epoch: ${counts}`);
});

test("the VAE trains: ELBO terms reported, loss down, same seed same losses, no leak", async () => {
  const run = async () => {
    const padded = blobs(64, 3, 16);
    const vae = buildVae({ imageShape: [16, 16, 1], filters: [8, 16], latentDim: 2, seed: 5 });
    const counts: number[] = [];
    const epochs = await trainLoop({ data: padded, batchSize: 16, numEpochs: 5, seed: 1, step: vaeStep(vae, tf.train.adam(0.005), { beta: 1, reconstruction: "bce", seed: 9 }), callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
    return { epochs, counts };
  };
  const a = await run();
  const b = await run();
  const losses = (e: EpochInfo[]) => e.map((x) => x.logs.loss);
  assert.ok(a.epochs[4].logs.loss < a.epochs[0].logs.loss, `loss ${losses(a.epochs)}`);
  for (const e of a.epochs) assert.ok(Math.abs(e.logs.loss - (e.logs.recon + e.logs.kl)) < 1e-3 * e.logs.loss, "loss = recon + β·KL");
  assert.deepEqual(losses(b.epochs), losses(a.epochs), "same seed, same losses");
  assert.equal(new Set(a.counts.slice(1)).size, 1, `tensor count constant: ${a.counts}`);
});

test("with variational false the VAE's layers train as a plain autoencoder: code μ, no noise, no KL", async () => {
  const data = blobs(64, 3, 16);
  const vae = buildVae({ imageShape: [16, 16, 1], filters: [8, 16], latentDim: 2, seed: 5 });
  const cfg = { beta: 1, reconstruction: "bce" as const, variational: false };
  const epochs = await trainLoop({ data, batchSize: 16, numEpochs: 4, seed: 1, step: vaeStep(vae, tf.train.adam(0.005), { ...cfg, seed: 9 }) });
  assert.ok(epochs[3].logs.loss < epochs[0].logs.loss, `loss ${epochs.map((e) => e.logs.loss)}`);
  for (const e of epochs) assert.deepEqual([e.logs.kl, e.logs.loss], [0, e.logs.recon], "no KL term: loss = reconstruction");
  // Deterministic: two noise seeds give one loss, because the code is μ itself.
  const x = data.toTensor([0, 1, 2, 3]);
  const [a, b] = [1, 2].map((seed) => tf.tidy(() => vaeLosses(vae, x, cfg, seed, false).loss.dataSync()[0]));
  assert.equal(a, b);
  x.dispose();
});

test("divergence stops training with a clear message", async () => {
  await assert.rejects(trainLoop({ data: blobs(16), batchSize: 8, numEpochs: 1, seed: 0, step: () => ({ loss: NaN }) }), /Training diverged: loss = NaN at epoch 1, step 1/);
});

test("models round-trip through save and load; a corrupt checkpoint is named", async () => {
  const { autoencoder } = buildDenseAutoencoder({ imageShape: [14, 14, 1], hiddenUnits: [8], latentDim: 2, seed: 1 });
  const dir = path.join(tempDir("io"), "ae");
  await saveModel(autoencoder, dir);
  await saveModel(autoencoder, dir); // replacing an existing checkpoint works too
  const loaded = await loadModel(dir);
  const x = tf.randomUniform([3, 14, 14, 1], 0, 1, "float32", 1);
  const [y1, y2] = [autoencoder.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
  assert.deepEqual(Array.from(y2.dataSync()), Array.from(y1.dataSync()));
  tf.dispose([x, y1, y2]);
  assert.deepEqual(fs.readdirSync(path.dirname(dir)), ["ae"], "no temporary folders left behind");
  fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.alloc(10));
  await assert.rejects(loadModel(dir), /weights hold 10 bytes but model.json describes \d+; the checkpoint is corrupt/);
  fs.writeFileSync(path.join(dir, "model.json"), "{");
  await assert.rejects(loadModel(dir), /model.json: the model description is not valid JSON/);
  await assert.rejects(loadModel(path.join(dir, "nope")), /No saved model in .*nope \(missing model.json\)/);
});
