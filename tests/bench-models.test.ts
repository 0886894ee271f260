import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectEngine } from "../lib/engine/ladder";
import { EXPECTED_PARAMS, LATENT_DIM, M4_CONFIG, MODEL_FACTORIES, MODEL_NAMES, makeM3, makeM4 } from "../bench/models";

// Small batches: these tests check the models, not their speed, on the slowest engine.
const BATCH = 4;

before(async () => {
  await selectEngine({ engine: "cpu", log: () => {} });
});

test("the bench models have the expected parameter counts and output shapes", () => {
  const inputs: Record<string, number[]> = { model: [BATCH, 784], generator: [BATCH, LATENT_DIM], discriminator: [BATCH, 28, 28, 1] };
  const outputs: Record<string, Record<string, number[]>> = {
    M1: { model: [BATCH, 784] },
    M2: { model: [BATCH, 28, 28, 1] },
    M3: { generator: [BATCH, 28, 28, 1], discriminator: [BATCH, 1] },
  };
  for (const name of MODEL_NAMES.filter((n) => n !== "M4")) {
    const model = MODEL_FACTORIES[name]();
    const counts = Object.fromEntries(Object.entries(model.networks).map(([k, net]) => [k, net.countParams()]));
    assert.deepEqual(counts, EXPECTED_PARAMS[name], name);
    for (const [k, net] of Object.entries(model.networks)) {
      const shape = name === "M2" ? [BATCH, 28, 28, 1] : inputs[k]!;
      const y = tf.tidy(() => net.predict(tf.zeros(shape)) as tf.Tensor);
      assert.deepEqual(y.shape, outputs[name]![k], `${name} ${k}`);
      y.dispose();
    }
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, 0);
});

test("the autoencoders' training steps lower the loss on fixed data and leak nothing", async () => {
  for (const name of ["M1", "M2"] as const) {
    const model = MODEL_FACTORIES[name](2);
    const batches = model.makeBatches(BATCH, 1, 3);
    const losses: number[] = [];
    let tensors = -1;
    for (let i = 0; i < 8; i++) {
      losses.push((await model.step(batches[0]!)).loss!);
      // The first step creates Adam's slots; after it every step must end where the previous one did.
      if (i === 1) tensors = tf.memory().numTensors;
      if (i > 1) assert.equal(tf.memory().numTensors, tensors, `${name} step ${i} leaks`);
    }
    assert.ok(losses[7]! < losses[0]!, `${name} loss fell: ${losses.map((l) => l.toFixed(5)).join(" ")}`);
    for (const b of batches) tf.dispose(Object.values(b));
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, 0);
});

test("the DCGAN's D and G steps each lower their loss, and a full step leaks nothing", async () => {
  const gan = makeM3(2);
  const [batch] = gan.makeBatches(BATCH, 1, 3);
  const d: number[] = [];
  for (let i = 0; i < 4; i++) d.push(await gan.dStep(batch!));
  assert.ok(d[3]! < d[0]!, `D loss fell against a fixed G: ${d.join(" ")}`);
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(await gan.gStep(batch!));
  assert.ok(g[3]! < g[0]!, `G loss fell against a fixed D: ${g.join(" ")}`);
  await gan.step(batch!);
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) {
    const losses = await gan.step(batch!);
    assert.ok(Number.isFinite(losses.d) && Number.isFinite(losses.g));
    assert.equal(tf.memory().numTensors, tensors, `GAN step ${i} leaks`);
  }
  tf.dispose(Object.values(batch!));
  gan.dispose();
  assert.equal(tf.memory().numTensors, 0);
});

test("the bench data and weights are determined by the seeds", () => {
  const a = MODEL_FACTORIES.M1(5), b = MODEL_FACTORIES.M1(5);
  const [ba] = a.makeBatches(2, 1, 9), [bb] = b.makeBatches(2, 1, 9);
  assert.deepEqual(ba!.x!.dataSync(), bb!.x!.dataSync());
  const wa = a.networks.model!.getWeights()[0]!.dataSync(), wb = b.networks.model!.getWeights()[0]!.dataSync();
  assert.deepEqual(wa, wb);
  tf.dispose([ba!.x!, bb!.x!]);
  a.dispose();
  b.dispose();
});

test("M4 is notebook 06's conditional GAN: parameters, shapes, a step that learns and leaks nothing", async () => {
  const cgan = makeM4(2);
  assert.deepEqual(Object.fromEntries(Object.entries(cgan.networks).map(([k, net]) => [k, net.countParams()])), EXPECTED_PARAMS.M4);
  tf.tidy(() => {
    const labels = tf.oneHot(tf.tensor1d([0, 3, 7, 9], "int32"), M4_CONFIG.numClasses).cast("float32");
    const images = cgan.networks.generator!.predict([tf.zeros([BATCH, M4_CONFIG.latentDim]), labels]) as tf.Tensor;
    assert.deepEqual(images.shape, [BATCH, 28, 28, 1]);
    assert.deepEqual((cgan.networks.discriminator!.predict([images, labels]) as tf.Tensor).shape, [BATCH, 1]);
  });
  const [batch] = cgan.makeBatches(BATCH, 1, 3);
  assert.equal(batch!.labels!.dtype, "int32");
  const d: number[] = [];
  for (let i = 0; i < 6; i++) d.push((await cgan.step(batch!)).d!);
  // D sees the same real batch every step and fresh fakes from a G that barely moves: its loss falls.
  assert.ok(d[5]! < d[0]!, `D loss fell: ${d.map((v) => v.toFixed(4)).join(" ")}`);
  const tensors = tf.memory().numTensors;
  await cgan.step(batch!);
  assert.equal(tf.memory().numTensors, tensors, "M4 step leaks");
  tf.dispose(Object.values(batch!));
  cgan.dispose();
  assert.equal(tf.memory().numTensors, 0);
});
