import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ENGINE_NAMES, selectEngine } from "../lib/engine/ladder";

const missing = (msg: string) => async (): Promise<string> => { throw new Error(msg); };

test("the ladder falls through unavailable engines and logs why", async () => {
  const lines: string[] = [];
  const info = await selectEngine({
    engine: "",
    log: (l) => lines.push(l),
    loaders: { "node-gpu": missing("no gpu package"), node: missing("no node package"), native: missing("addon not built"), wasm: missing("no wasm") },
  });
  assert.equal(info.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.deepEqual(info.attempts.map((a) => [a.name, a.ok]), [["node-gpu", false], ["node", false], ["native", false], ["wasm", false], ["cpu", true]]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^engine: cpu \(tfjs backend "cpu"\); skipped node-gpu \(no gpu package\); node \(no node package\); native \(addon not built\); wasm \(no wasm\)$/);
});

test("without tfjs-node installed the real ladder skips it with the reason", async () => {
  let installed = true;
  try { require.resolve("@tensorflow/tfjs-node"); } catch { installed = false; }
  if (installed) return; // a machine where libtensorflow installed: nothing to skip
  const info = await selectEngine({ engine: "", log: () => {}, loaders: { native: missing("not under test"), wasm: missing("not under test") } });
  const node = info.attempts.find((a) => a.name === "node")!;
  assert.equal(node.ok, false);
  assert.match(node.reason, /@tensorflow\/tfjs-node is not installed/);
  assert.equal(info.name, "cpu");
});

test("the environment variable forces an engine", async () => {
  process.env.VAE_GAN_ENGINE = "cpu";
  try {
    const info = await selectEngine({ log: () => {}, loaders: { "node-gpu": missing("must not be tried") } });
    assert.equal(info.name, "cpu");
    assert.equal(info.forced, true);
    assert.equal(info.attempts.length, 1);
  } finally {
    delete process.env.VAE_GAN_ENGINE;
  }
});

test("an unknown engine is an error listing the valid ones", async () => {
  await assert.rejects(selectEngine({ engine: "tpu", log: () => {} }), new RegExp(`Unknown engine "tpu".*Valid engines: ${ENGINE_NAMES.join(", ")}`));
});

test("a forced engine that cannot load is an error saying why", async () => {
  await assert.rejects(selectEngine({ engine: "native", log: () => {}, loaders: { native: missing("addon not built: run npm run build:native") } }), /Engine "native" was forced .* cannot load: addon not built: run npm run build:native/);
});
