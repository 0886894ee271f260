import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../lib/data/dataset";
import { permutation, makeRng, deriveSeed } from "../lib/random";

tf.setBackend("cpu");

function toy(n = 10): ImageDataset {
  // Image i is filled with the value 10·i, so a batch tells which samples it holds.
  const images = new Uint8Array(n * 4).map((_, k) => Math.floor(k / 4) * 10);
  return new ImageDataset({ name: "toy", imageShape: [2, 2, 1], images, labels: Uint8Array.from({ length: n }, (_, i) => i % 3) });
}

test("random streams and permutations depend only on the seed", () => {
  assert.deepEqual(Array.from(permutation(50, 7)), Array.from(permutation(50, 7)));
  assert.notDeepEqual(Array.from(permutation(50, 7)), Array.from(permutation(50, 8)));
  assert.deepEqual([...permutation(50, 7)].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  const a = makeRng(3), b = makeRng(3);
  for (let i = 0; i < 5; i++) assert.equal(a(), b());
  assert.notEqual(deriveSeed(1, "split"), deriveSeed(1, "subset"));
  assert.throws(() => makeRng(0.5), /Seed must be an integer/);
});

test("batches cover every sample once per epoch, in a seeded order", () => {
  const ds = toy(10);
  const order = (seed: number, epoch: number) => [...ds.batches({ batchSize: 4, seed, epoch })].flatMap((b) => {
    const ids = Array.from(b.x.dataSync()).filter((_, k) => k % 4 === 0).map((v) => Math.round(v * 255 / 10));
    assert.deepEqual(Array.from(b.y!.dataSync()), ids.map((i) => i % 3));
    tf.dispose([b.x, b.y!]);
    return ids;
  });
  const e0 = order(1, 0);
  assert.deepEqual([...e0].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(order(1, 0), e0, "same seed and epoch, same order");
  assert.notDeepEqual(order(1, 1), e0, "another epoch, another order");
  assert.notDeepEqual(order(2, 0), e0, "another seed, another order");
});

test("batch shapes, remainder handling and scaling", () => {
  const ds = toy(10);
  const sizes = [...ds.batches({ batchSize: 4, seed: 0, shuffle: false })].map((b) => { const s = b.x.shape; tf.dispose([b.x, b.y!]); return s; });
  assert.deepEqual(sizes, [[4, 2, 2, 1], [4, 2, 2, 1], [2, 2, 2, 1]]);
  assert.equal([...ds.batches({ batchSize: 4, seed: 0, dropRemainder: true })].map((b) => tf.dispose([b.x, b.y!])).length, 2);
  const unit = ds.toTensor([9], "unit");
  const sym = ds.toTensor([9], "symmetric");
  assert.ok(Math.abs(unit.dataSync()[0] - 90 / 255) < 1e-6);
  assert.ok(Math.abs(sym.dataSync()[0] - (90 / 127.5 - 1)) < 1e-6);
  tf.dispose([unit, sym]);
  assert.throws(() => ds.batches({ batchSize: 0, seed: 0 }).next(), /batchSize must be a positive integer/);
});

test("split and subset are seeded, disjoint and complete", () => {
  const ds = toy(20);
  const { train, test: held } = ds.split(0.25, 5);
  assert.equal(held.size, 5);
  assert.equal(train.size, 15);
  const ids = (d: ImageDataset) => Array.from({ length: d.size }, (_, i) => d.images[i * 4] / 10);
  assert.deepEqual([...ids(train), ...ids(held)].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(ids(ds.split(0.25, 5).test), ids(held));
  const sub = ds.subset(6, 1);
  assert.equal(sub.size, 6);
  assert.deepEqual(ids(ds.subset(6, 1)), ids(sub));
  assert.equal(ds.subset(100, 1), ds, "a subset larger than the set is the set");
  assert.throws(() => ds.split(1, 0), /testFraction must lie in \(0, 1\)/);
});

test("inconsistent construction is a clear error", () => {
  assert.throws(() => new ImageDataset({ name: "x", imageShape: [2, 2, 1], images: new Uint8Array(7) }), /7 pixel values do not divide into images of 2×2×1/);
  assert.throws(() => new ImageDataset({ name: "x", imageShape: [2, 2, 1], images: new Uint8Array(8), labels: new Uint8Array(3) }), /2 images but 3 labels/);
});
