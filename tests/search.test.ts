import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { modelConfig } from "../lib/experiments/index";
import { DEFAULT_SPACE, Params, propose, runSearch, Sampler, searchTable } from "../lib/runs/search";
import { deriveSeed, makeRng } from "../lib/random";
import { tempDir } from "./helpers/fixtures";

tf.setBackend("cpu");

/** A known landscape: best at learning rate 1e-3, β1 0.5, batch 64. */
const landscape = (p: Params) => (Math.log10(p.learningRate) + 3) ** 2 + (p.beta1 - 0.5) ** 2 + (p.batchSize === 64 ? 0 : 0.3);

function bestAfter(sampler: Sampler, seed: number, trials: number): number {
  const history: { params: Params; value: number }[] = [];
  for (let i = 0; i < trials; i++) {
    const params = propose(DEFAULT_SPACE, history, { sampler, startupTrials: 5, rng: makeRng(deriveSeed(seed, `trial:${i}`)) });
    for (const [k, p] of Object.entries(DEFAULT_SPACE)) {
      const v = params[k as keyof Params];
      if (p.kind === "choice") assert.ok(p.values.includes(v), `${k} ${v}`);
      else assert.ok(v >= p.min && v <= p.max, `${k} ${v} outside [${p.min}, ${p.max}]`);
    }
    history.push({ params, value: landscape(params) });
  }
  return Math.min(...history.map((h) => h.value));
}

test("TPE proposals stay in the space and find a known optimum better than random search", () => {
  const seeds = [1, 2, 3, 4, 5, 6];
  const mean = (s: Sampler) => seeds.reduce((a, seed) => a + bestAfter(s, seed, 30), 0) / seeds.length;
  const [tpe, random] = [mean("tpe"), mean("random")];
  assert.ok(tpe < random, `TPE mean best ${tpe.toFixed(4)} should beat random ${random.toFixed(4)}`);
  assert.ok(tpe < 0.05, `TPE gets close to the optimum (mean best ${tpe.toFixed(4)})`);
});

test("a short search trains its trials as runs, ranks them, and continues from its folder without retraining", async () => {
  const root = tempDir("search");
  const base = modelConfig("ae", {}, { "data.trainSize": "256", "data.testSize": "64", "training.numEpochs": "1", "model.hiddenUnits": "16", "model.latentDim": "4", "tracking.checkpointEvery": "0" });
  const reference = { learningRate: 1e-3, batchSize: 32, beta1: 0.9 };
  const options = { model: "ae" as const, base, trials: 5, sampler: "tpe" as const, seed: 3, name: "s", root, startupTrials: 3, enqueue: [reference] };
  const result = await runSearch(options);
  assert.equal(result.trials.length, 5);
  assert.deepEqual(result.trials[0].params, reference, "an enqueued setting is the first trial");
  assert.equal(result.objective, "test_loss");
  for (const t of result.trials) {
    assert.equal(t.status, "done");
    assert.ok(Number.isFinite(t.value), t.run);
    const summary = JSON.parse(fs.readFileSync(path.join(root, "s", t.run, "summary.json"), "utf8"));
    assert.equal(summary.test_loss, t.value);
    const config = JSON.parse(fs.readFileSync(path.join(root, "s", t.run, "config.json"), "utf8"));
    assert.equal(config.config.training.learningRate, t.params.learningRate);
  }
  assert.equal(result.best?.value, Math.min(...result.trials.map((t) => t.value as number)));
  const table = searchTable(result);
  assert.equal(table.rows[0][0], result.best?.run);

  const metrics = fs.readFileSync(path.join(root, "s", "trial-04", "metrics.jsonl"), "utf8");
  const again = await runSearch(options);
  assert.deepEqual(again.trials, result.trials, "the same trials, read back");
  assert.equal(fs.readFileSync(path.join(root, "s", "trial-04", "metrics.jsonl"), "utf8"), metrics, "nothing retrained");
  await assert.rejects(runSearch({ ...options, sampler: "random" }), /Search "s" exists with a different sampler/);
});
