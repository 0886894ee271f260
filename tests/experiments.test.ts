import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ConfigError } from "../lib/core/config";
import { aeExperiment, AnyExperiment, EXPERIMENTS, ganExperiment, profileConfig, resolveExperimentConfig, vaeExperiment, vaeInit } from "../lib/experiments/index";
import { PROFILES } from "../lib/profiles";
import { fitAutoencoder } from "../lib/train/fit";
import { blobs, tempDir } from "./helpers/fixtures";
import { labelledSubsets } from "../lib/experiments/common";

tf.setBackend("cpu");

test("registry: every definition is filed under its name, and its defaults pass its own rules under both profiles", () => {
  for (const [name, experiment] of Object.entries(EXPERIMENTS) as [string, AnyExperiment][]) {
    assert.equal(experiment.name, name);
    assert.deepEqual(resolveExperimentConfig(experiment), experiment.defaults, `${name}: defaults resolve to themselves`);
    for (const profile of Object.values(PROFILES)) profileConfig(experiment, profile);
  }
});

test("profiles scale a definition's budget keys and nothing else; full keeps the defaults", () => {
  assert.deepEqual(profileConfig(aeExperiment, PROFILES.full), aeExperiment.defaults);
  const quick = profileConfig(aeExperiment, PROFILES.quick);
  assert.deepEqual(quick.data, { trainSize: 2048, testSize: 512 });
  assert.equal(quick.training.numEpochs, 2);
  assert.deepEqual({ ...quick, data: aeExperiment.defaults.data, training: aeExperiment.defaults.training }, aeExperiment.defaults);
  // Overrides are full-profile values, scaled like the defaults, and checked like --set.
  const gan = profileConfig(ganExperiment, PROFILES.quick, { data: { trainSize: 20000 }, evaluate: { every: 100 } });
  assert.equal(gan.data.trainSize, 2048);
  assert.equal(gan.evaluate.every, 3);
  assert.equal(gan.evaluate.classifierEpochs, 1);
  assert.throws(() => profileConfig(ganExperiment, PROFILES.full, { training: { lr: 1 } }), (e: Error) => e instanceof ConfigError && /Unknown config key "training\.lr"/.test(e.message));
});

test("the GAN's generator is the VAE decoder's architecture, taken from the VAE's defaults", () => {
  const vae = vaeExperiment.defaults.model;
  assert.deepEqual(ganExperiment.defaults.model, { latentDim: vae.latentDim, generatorFilters: [...vae.filters].reverse(), discriminatorFilters: vae.filters, batchNorm: vae.batchNorm });
});

test("a definition trains exactly as the fit it wraps, and summarises the run", async () => {
  const data = { train: blobs(64, 1, 16), test: blobs(32, 2, 16) };
  const config = resolveExperimentConfig(aeExperiment, { seed: 3, data: { trainSize: 64, testSize: 32 }, model: { hiddenUnits: [16], latentDim: 3 }, training: { batchSize: 16, numEpochs: 2, learningRate: 0.01 } });
  const viaDefinition = await aeExperiment.run(config, data, { dir: tempDir("experiment-ae") });
  const direct = await fitAutoencoder(
    { kind: "dense", config: { imageShape: [16, 16, 1], hiddenUnits: [16], latentDim: 3, seed: 3 } },
    { name: "direct", ...data, training: { batchSize: 16, numEpochs: 2, learningRate: 0.01, beta1: 0.9, seed: 3 }, run: { dir: tempDir("experiment-direct") } },
  );
  assert.deepEqual(viaDefinition.epochs.map((e) => e.logs), direct.epochs.map((e) => e.logs));
  assert.deepEqual(viaDefinition.summary(), { test_loss: direct.epochs[1].logs.test_loss, parameters: direct.autoencoder.countParams() });
});

test("init.vaeRun: a run of another model, an unfinished run and a missing one are clear errors", () => {
  const root = tempDir("vae-init");
  fs.mkdirSync(path.join(root, "g"));
  fs.writeFileSync(path.join(root, "g", "config.json"), JSON.stringify({ model: "gan" }));
  assert.throws(() => vaeInit("g", root), (e: Error) => e instanceof ConfigError && /a gan run; it must be a vae run/.test(e.message));
  fs.mkdirSync(path.join(root, "v"));
  fs.writeFileSync(path.join(root, "v", "config.json"), JSON.stringify({ model: "vae" }));
  assert.throws(() => vaeInit("v", root), /has not finished .*npm run train -- --resume v/);
  assert.throws(() => vaeInit("nope", root), /No run "nope"/);
});

test("a labelled data set's subsets: MNIST digits split 9,000/1,000; asking for more is a clear error", async () => {
  const { train, test: held } = await labelledSubsets({ dataset: "mnist", trainSize: 500, testSize: 100 });
  assert.deepEqual([train.size, held.size, train.classNames?.length], [500, 100, 10]);
  await assert.rejects(labelledSubsets({ dataset: "mnist", trainSize: 9001, testSize: 10 }), (e: Error) => e instanceof ConfigError && /"data.trainSize" \(9001\) exceeds the 9000 mnist train images: .*--set data.trainSize=9000/.test(e.message));
});
