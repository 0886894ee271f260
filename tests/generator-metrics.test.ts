import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildClassifier } from "../lib/models/classifier";
import { generatorEvaluator, realReference } from "../lib/metrics/generator-metrics";
import { conditionalAccuracy } from "../lib/metrics/conditional";
import { blobs } from "./helpers/fixtures";

tf.setBackend("cpu");

const classifier = buildClassifier({ imageShape: [16, 16, 1], numClasses: 4, filters: [4, 8], featureUnits: 8, seed: 1 });
const real = blobs(200, 1, 16);

/** A "generator" that ignores z and always draws the same image. */
function constantGenerator(value: number): tf.LayersModel {
  const z = tf.input({ shape: [3] });
  const img = tf.layers.dense({ units: 256, kernelInitializer: "zeros", biasInitializer: tf.initializers.constant({ value }) }).apply(z) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: tf.layers.reshape({ targetShape: [16, 16, 1] }).apply(img) as tf.SymbolicTensor });
}

test("a generator that always draws one image hits one class, recalls nothing, and is far in FD", () => {
  const evaluate = generatorEvaluator({ classifier, real, samples: 100, seed: 3 });
  const m = evaluate(constantGenerator(-0.5));
  assert.equal(m.classes_hit, 1);
  assert.ok(Math.abs(m.kl_uniform - Math.log(4)) < 1e-9, `KL ${m.kl_uniform}`);
  assert.equal(m.recall, 0, "its k-NN balls have radius 0");
  // All 100 samples sit on one point: at most the few real balls around it are covered.
  assert.ok(m.coverage >= 0 && m.coverage < 0.2 && Number.isFinite(m.density), `density ${m.density}, coverage ${m.coverage}`);
  assert.ok(m.fd > 0);
});

test("the same generator and seed give the same numbers; no tensors leak", () => {
  const evaluate = generatorEvaluator({ classifier, real, samples: 64, seed: 3 });
  const g = constantGenerator(0.2);
  evaluate(g);
  const before = tf.memory().numTensors;
  assert.deepEqual(evaluate(g), evaluate(g));
  assert.equal(tf.memory().numTensors, before);
});

test("conditional accuracy: a generator that ignores its label is right for one class only", () => {
  const z = tf.input({ shape: [3] });
  const y = tf.input({ shape: [4] });
  const joined = tf.layers.concatenate().apply([z, y]) as tf.SymbolicTensor;
  const img = tf.layers.dense({ units: 256, kernelInitializer: "zeros", biasInitializer: tf.initializers.constant({ value: 0.3 }) }).apply(joined) as tf.SymbolicTensor;
  const generator = tf.model({ inputs: [z, y], outputs: tf.layers.reshape({ targetShape: [16, 16, 1] }).apply(img) as tf.SymbolicTensor });
  const acc = conditionalAccuracy(generator, classifier, 4, { perClass: 20, seed: 1 });
  assert.deepEqual([...acc].sort(), [0, 0, 0, 1]);
});

test("per-class shares and recalls come with every evaluation; the real-vs-real reference is near perfect", () => {
  const m = generatorEvaluator({ classifier, real, samples: 100, seed: 3 })(constantGenerator(-0.5));
  const shares = [0, 1, 2, 3].map((c) => m[`share_c${c}`]);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9 && shares.filter((s) => s === 1).length === 1, `one class takes every sample: ${shares}`);
  assert.ok(!("recall_c0" in m), "unlabelled real images: no per-class recall");
  const same = realReference(classifier, real, real, 500);
  assert.deepEqual([same.fd < 1e-6, same.precision, same.recall, same.coverage], [true, 1, 1, 1], "all 200 images against themselves");
  const halves = realReference(classifier, real.subset(100, 1), real.subset(100, 2), 80);
  assert.ok(halves.fd >= 0 && halves.precision > 0.5 && halves.recall > 0.5, JSON.stringify(halves));
});
