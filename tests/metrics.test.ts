import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../lib/data/dataset";
import { makeRng } from "../lib/random";
import { trainLoop } from "../lib/train/loop";
import { matMul64, meanAndCovariance, sqrtmPsd, sqrtmTrace, symmetricEigen } from "../lib/metrics/linalg";
import { featureStats, frechetDistance } from "../lib/metrics/frechet";
import { modeCoverage } from "../lib/metrics/coverage";
import { classRecall, densityCoverage, knnSquaredRadii, precisionRecall } from "../lib/metrics/precision-recall";
import { buildClassifier, classifierFeatures, classifierOutputs, ClassifierConfig, predictClasses } from "../lib/models/classifier";
import { classifierAccuracy, classifierStep, fitClassifier } from "../lib/train/fit-classifier";
import { tempDir } from "./helpers/fixtures";

tf.setBackend("cpu");

/** Seeded standard normals (Box–Muller). */
function normals(count: number, seed: number): Float64Array {
  const rnd = makeRng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rnd()));
    const t = 2 * Math.PI * rnd();
    out[i] = r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** A random symmetric n×n matrix, and a random SPD one (BᵀB + εI). */
function randomSymmetric(n: number, seed: number): Float64Array {
  const z = normals(n * n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = z[i * n + j] + z[j * n + i];
  return a;
}
function randomSpd(n: number, seed: number): Float64Array {
  const b = normals(n * n, seed);
  const bt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bt[i * n + j] = b[j * n + i];
  const a = matMul64(bt, b, n);
  for (let i = 0; i < n; i++) a[i * n + i] += 0.1;
  return a;
}
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test("Jacobi eigen: analytic eigenvalues of 2×2 and 3×3 matrices", () => {
  const two = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
  assert.ok(maxAbsDiff(two.values, [1, 3]) < 1e-14, `${two.values}`);
  // Eigenvector of 3 is (1, 1)/√2, up to sign.
  assert.ok(Math.abs(Math.abs(two.vectors[0 * 2 + 1]) - Math.SQRT1_2) < 1e-14 && Math.abs(two.vectors[0 * 2 + 1] - two.vectors[1 * 2 + 1]) < 1e-14);
  // The 1-D Laplacian: eigenvalues 2 − √2, 2, 2 + √2.
  const three = symmetricEigen(Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]), 3);
  assert.ok(maxAbsDiff(three.values, [2 - Math.SQRT2, 2, 2 + Math.SQRT2]) < 1e-14, `${three.values}`);
});

test("Jacobi eigen: A = VΛVᵀ with orthonormal V for a random 40×40 matrix, and n = 256 converges", () => {
  const n = 40;
  const a = randomSymmetric(n, 3);
  const { values, vectors } = symmetricEigen(a, n);
  const vl = Float64Array.from(vectors, (v, idx) => v * values[idx % n]);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[i * n + j] = vectors[j * n + i];
  assert.ok(maxAbsDiff(matMul64(vl, vt, n), a) < 1e-11, "reconstruction");
  const identity = Float64Array.from({ length: n * n }, (_, idx) => (Math.floor(idx / n) === idx % n ? 1 : 0));
  assert.ok(maxAbsDiff(matMul64(vt, vectors, n), identity) < 1e-12, "orthonormal");
  for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i], "ascending");
  // Trace is preserved: Σλ = Tr(A).
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a[i * n + i];
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - tr) < 1e-10);

  const big = symmetricEigen(randomSpd(256, 4), 256);
  assert.ok(big.values[0] > 0.09, "SPD: all eigenvalues ≥ the added 0.1 (up to rounding)");
});

test("sqrtmPsd squares back to the matrix; sqrtmTrace matches Tr(A^{1/2}) for Σ1 = I", () => {
  const n = 12;
  const a = randomSpd(n, 5);
  const s = sqrtmPsd(a, n);
  assert.ok(maxAbsDiff(matMul64(s, s, n), a) < 1e-9 * Math.max(...a.map(Math.abs)));
  const identity = Float64Array.from({ length: n * n }, (_, idx) => (Math.floor(idx / n) === idx % n ? 1 : 0));
  const expected = symmetricEigen(a, n).values.reduce((t, v) => t + Math.sqrt(v), 0);
  assert.ok(Math.abs(sqrtmTrace(identity, a, n) - expected) < 1e-9 * expected);
  // Tr((Σ1Σ2)^{1/2}) is symmetric in its arguments (Σ1Σ2 and Σ2Σ1 share eigenvalues).
  const b = randomSpd(n, 6);
  assert.ok(Math.abs(sqrtmTrace(a, b, n) - sqrtmTrace(b, a, n)) < 1e-8 * sqrtmTrace(a, b, n));
});

test("meanAndCovariance: known mean and unbiased covariance", () => {
  // Rows (1, 2), (3, 6), (5, 10): mean (3, 6); var x = 4, var y = 16, cov = 8.
  const { mean, cov } = meanAndCovariance(Float32Array.from([1, 2, 3, 6, 5, 10]), 3, 2);
  assert.deepEqual(Array.from(mean), [3, 6]);
  assert.deepEqual(Array.from(cov), [4, 8, 8, 16]);
});

/** `n` samples of N(mean, AAᵀ) in `dim` dimensions, as float32 rows. */
function gaussianSamples(n: number, dim: number, seed: number, mean: number[], mix?: Float64Array): Float32Array {
  const z = normals(n * dim, seed);
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dim; i++) {
      let v = 0;
      if (mix) for (let j = 0; j < dim; j++) v += mix[i * dim + j] * z[r * dim + j];
      else v = z[r * dim + i];
      out[r * dim + i] = v + mean[i];
    }
  }
  return out;
}

test("FD(X, X) = 0 for correlated features", () => {
  const dim = 16;
  const x = gaussianSamples(500, dim, 7, Array(dim).fill(2), randomSymmetric(dim, 8));
  const s = featureStats(x, 500, dim);
  let trace = 0;
  for (let i = 0; i < dim; i++) trace += s.cov[i * dim + i];
  const fd = frechetDistance(s, featureStats(x, 500, dim), dim);
  assert.ok(fd <= 1e-6 * trace, `FD(X, X) = ${fd}, Tr Σ = ${trace}`);
});

test("FD between samples of N(0, I) and N(m, I) ≈ ‖m‖²", () => {
  const dim = 8;
  const n = 20000;
  const m = [1, -1, 0.5, 0, 0, 1, -0.5, 1];
  const normM = m.reduce((s, v) => s + v * v, 0);
  const fd = frechetDistance(featureStats(gaussianSamples(n, dim, 11, Array(dim).fill(0)), n, dim), featureStats(gaussianSamples(n, dim, 12, m), n, dim));
  // Sampling error: mean term ~ 2·‖m‖·√(1/n) + dim/n each side; covariance term ~ dim²/(2n).
  assert.ok(Math.abs(fd - normM) < 0.05, `FD = ${fd}, ‖m‖² = ${normM}`);
});

test("FD with dead (constant) features equals FD without them, and is symmetric", () => {
  const [n, dim] = [3000, 4];
  const a = gaussianSamples(n, dim, 41, [0, 0, 0, 0], randomSymmetric(dim, 42));
  const b = gaussianSamples(n, dim, 43, [1, 0, 2, 0], randomSymmetric(dim, 44));
  // Two extra always-zero columns, as dead ReLU units give: the covariances become singular.
  const pad = (x: Float32Array) => Float32Array.from({ length: n * (dim + 2) }, (_, i) => (i % (dim + 2) < dim ? x[Math.floor(i / (dim + 2)) * dim + (i % (dim + 2))] : 0));
  const plain = frechetDistance(featureStats(a, n, dim), featureStats(b, n, dim));
  const padded = frechetDistance(featureStats(pad(a), n, dim + 2), featureStats(pad(b), n, dim + 2));
  assert.ok(plain > 1 && Math.abs(padded - plain) < 1e-9 * plain, `${plain} vs ${padded}`);
  assert.ok(Math.abs(frechetDistance(featureStats(b, n, dim), featureStats(a, n, dim)) - plain) < 1e-9 * plain);
  assert.throws(() => symmetricEigen(Float64Array.from([1, NaN, NaN, 1]), 2), /non-finite/);
});

test("FD of two diagonal Gaussians equals Σ(μ1−μ2)² + Σ(σ1−σ2)², and is rotation invariant", () => {
  const dim = 5;
  const mu1 = [0, 1, 2, 3, 4], mu2 = [1, 1, 0, 3, 5];
  const sd1 = [1, 2, 0.5, 3, 1], sd2 = [2, 2, 1.5, 0.1, 1];
  const diag = (sd: number[]) => Float64Array.from({ length: dim * dim }, (_, idx) => (Math.floor(idx / dim) === idx % dim ? sd[idx % dim] ** 2 : 0));
  const expected = mu1.reduce((s, v, i) => s + (v - mu2[i]) ** 2 + (sd1[i] - sd2[i]) ** 2, 0);
  const a = { mean: Float64Array.from(mu1), cov: diag(sd1) };
  const b = { mean: Float64Array.from(mu2), cov: diag(sd2) };
  assert.ok(Math.abs(frechetDistance(a, b, dim) - expected) < 1e-10, `${frechetDistance(a, b, dim)} vs ${expected}`);
  // Rotating both Gaussians by the same orthogonal Q (eigenvectors of a random matrix) keeps the distance.
  const q = symmetricEigen(randomSymmetric(dim, 13), dim).vectors;
  const qt = Float64Array.from({ length: dim * dim }, (_, idx) => q[(idx % dim) * dim + Math.floor(idx / dim)]);
  const rot = (s: { mean: Float64Array; cov: Float64Array }) => ({
    mean: Float64Array.from({ length: dim }, (_, i) => s.mean.reduce((t, v, j) => t + q[i * dim + j] * v, 0)),
    cov: matMul64(matMul64(q, s.cov, dim), qt, dim),
  });
  assert.ok(Math.abs(frechetDistance(rot(a), rot(b), dim) - expected) < 1e-9, `rotated: ${frechetDistance(rot(a), rot(b), dim)}`);
});

test("mode coverage: uniform → all classes, KL 0; one class → 1 class, KL ln 10; threshold", () => {
  const uniform = modeCoverage(Int32Array.from({ length: 1000 }, (_, i) => i % 10), 10);
  assert.equal(uniform.classesHit, 10);
  assert.ok(Math.abs(uniform.klToUniform) < 1e-12);
  assert.deepEqual(Array.from(uniform.histogram), Array(10).fill(0.1));
  const one = modeCoverage(new Int32Array(50).fill(3), 10);
  assert.equal(one.classesHit, 1);
  assert.ok(Math.abs(one.klToUniform - Math.log(10)) < 1e-12);
  // Two classes half and half: KL = ln 5. One stray sample of 1000 counts only without a threshold.
  const two = modeCoverage(Int32Array.from({ length: 1000 }, (_, i) => (i === 0 ? 9 : i % 2)), 10);
  assert.equal(two.classesHit, 3);
  assert.equal(modeCoverage(Int32Array.from({ length: 1000 }, (_, i) => (i === 0 ? 9 : i % 2)), 10, { minFraction: 0.01 }).classesHit, 2);
  assert.ok(Math.abs(modeCoverage(Int32Array.from({ length: 1000 }, (_, i) => i % 2), 10).klToUniform - Math.log(5)) < 1e-12);
  assert.throws(() => modeCoverage(Int32Array.from([10]), 10), /outside/);
});

/** Brute-force improved precision and recall (float64, no blocks), the reference for the tfjs version. */
function bruteForcePr(real: Float32Array, gen: Float32Array, dim: number, k: number): { precision: number; recall: number } {
  const rows = (x: Float32Array) => Array.from({ length: x.length / dim }, (_, i) => x.subarray(i * dim, (i + 1) * dim));
  const d2 = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
  const radii = (x: Float32Array[]) => x.map((a) => x.map((b) => d2(a, b)).sort((p, q) => p - q)[k]);
  const share = (q: Float32Array[], s: Float32Array[], r: number[]) => q.filter((a) => s.some((b, i) => d2(a, b) <= r[i])).length / q.length;
  const [R, G] = [rows(real), rows(gen)];
  return { precision: share(G, R, radii(R)), recall: share(R, G, radii(G)) };
}

test("precision/recall: identical sets 1, far-apart sets 0, a half-covering subset recall 0.5", () => {
  const dim = 6;
  const real = gaussianSamples(300, dim, 21, Array(dim).fill(0));
  const before = tf.memory().numTensors;
  const same = precisionRecall(real, real, { dim });
  assert.deepEqual({ ...same, recalled: undefined }, { precision: 1, recall: 1, k: 3, recalled: undefined });
  assert.ok(same.recalled.every((v) => v === 1), "every real row is recalled by itself");
  const far = gaussianSamples(300, dim, 22, Array(dim).fill(100));
  const apart = precisionRecall(real, far, { dim });
  assert.deepEqual([apart.precision, apart.recall], [0, 0]);
  // Real = two far clusters of 150; generated = exactly the first cluster: everything generated is
  // realistic (precision 1), but only the first half of the real data is covered (recall 0.5).
  const twoClusters = Float32Array.from(real, (v, i) => (i >= 150 * dim ? v + 50 : v));
  const half = twoClusters.slice(0, 150 * dim);
  const pr = precisionRecall(twoClusters, half, { dim, blockSize: 64 });
  assert.equal(pr.precision, 1);
  assert.equal(pr.recall, 0.5);
  // Per class, the half-covering generator recalls all of class 0 and none of class 1: a dropped mode.
  const labels = Array.from({ length: 300 }, (_, i) => (i < 150 ? 0 : 1));
  assert.deepEqual(classRecall(pr.recalled, labels, 3).slice(0, 2), [1, 0]);
  assert.ok(Number.isNaN(classRecall(pr.recalled, labels, 3)[2]), "a class without real rows has no recall");
  assert.throws(() => classRecall(pr.recalled, labels.slice(1), 2), /300 real rows but 299 labels/);
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
});

test("precision/recall in blocks matches a brute-force float64 reference; tensors are not consumed", () => {
  const dim = 5;
  const real = gaussianSamples(120, dim, 31, Array(dim).fill(0));
  const gen = gaussianSamples(90, dim, 32, [0.8, 0, 0, 0, 0]);
  for (const k of [1, 3, 5]) {
    const expected = bruteForcePr(real, gen, dim, k);
    const got = precisionRecall(real, gen, { dim, k, blockSize: 17 });
    assert.ok(Math.abs(got.precision - expected.precision) <= 1 / 90 + 1e-12 && Math.abs(got.recall - expected.recall) <= 1 / 120 + 1e-12, `k=${k}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`);
    assert.ok(got.precision > 0.2 && got.precision < 1 && got.recall > 0.2 && got.recall < 1, "a shifted set is partly covered");
  }
  const r = tf.tensor2d(real, [120, dim]);
  const g = tf.tensor2d(gen, [90, dim]);
  const before = tf.memory().numTensors;
  precisionRecall(r, g);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(r.isDisposed || g.isDisposed, false, "caller's tensors stay alive");
  // Radii exclude the point itself: the 1st neighbour of 0 on a line 0, 1, 3 is at distance 1.
  const line = tf.tensor2d([0, 1, 3], [3, 1]);
  assert.deepEqual(Array.from(knnSquaredRadii(line, 1)), [1, 1, 4]);
  assert.deepEqual(Array.from(knnSquaredRadii(line, 2)), [9, 4, 9]);
  tf.dispose([r, g, line]);
});

/** Two classes of 12×12 images: a horizontal (class 0) or vertical (class 1) bar at a random place. */
function bars(n: number, seed: number): ImageDataset {
  const side = 12;
  const rnd = makeRng(seed);
  const images = new Uint8Array(n * side * side);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    const at = 1 + Math.floor(rnd() * (side - 2));
    for (let t = 0; t < side; t++) images[i * side * side + (labels[i] ? t * side + at : at * side + t)] = 200 + Math.floor(rnd() * 55);
  }
  return new ImageDataset({ name: `bars${n}`, imageShape: [side, side, 1], images, labels, classNames: ["horizontal", "vertical"] });
}

const tinyConfig: ClassifierConfig = { imageShape: [12, 12, 1], numClasses: 2, filters: [4, 8], featureUnits: 16, dropout: 0.2, seed: 3 };

test("classifier: shapes, training on two-class bars reaches high accuracy, features, no leaks", async () => {
  const model = buildClassifier(tinyConfig);
  assert.deepEqual(model.outputs[0].shape, [null, 2]);
  assert.deepEqual(model.getLayer("features").outputShape, [null, 16]);
  const train = bars(128, 1);
  const test = bars(64, 2);
  const counts: number[] = [];
  const epochs = await trainLoop({ data: train, batchSize: 16, numEpochs: 8, seed: 4, step: classifierStep(model, tf.train.adam(0.01)), callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
  assert.ok(epochs[7].logs.loss < epochs[0].logs.loss, `loss ${epochs.map((e) => e.logs.loss)}`);
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor count constant: ${counts}`);
  const accuracy = classifierAccuracy(model, test);
  assert.ok(accuracy >= 0.95, `test accuracy ${accuracy}`);

  const before = tf.memory().numTensors;
  const fromData = classifierOutputs(model, test, { batchSize: 10 });
  assert.equal(fromData.dim, 16);
  assert.equal(fromData.features.length, 64 * 16);
  assert.ok(fromData.features.every((v) => v >= 0), "ReLU features");
  // A [-1, 1] tensor of the same images gives the same outputs once scaled.
  const sym = test.toTensor(undefined, "symmetric");
  const fromSym = classifierFeatures(model, sym, { scale: "symmetric", batchSize: 7 });
  assert.ok(maxAbsDiff(fromSym.features, fromData.features) < 1e-4);
  assert.deepEqual(predictClasses(model, sym, { scale: "symmetric" }), fromData.classes);
  sym.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
});

test("fitClassifier trains through the run cache, then loads the same result", async () => {
  const root = tempDir("classifier");
  const options = { train: bars(96, 5), test: bars(32, 6), config: tinyConfig, training: { batchSize: 16, numEpochs: 4, learningRate: 0.01, seed: 2 }, root };
  const seen: number[] = [];
  const first = await fitClassifier({ ...options, callbacks: [{ onEpochEnd: (e) => void seen.push(e.logs.test_accuracy) }] });
  assert.equal(first.source, "trained");
  assert.equal(first.epochs.length, 4);
  assert.deepEqual(seen, first.epochs.map((e) => e.logs.test_accuracy), "callbacks see test accuracy");
  assert.ok(first.testAccuracy >= 0.9, `test accuracy ${first.testAccuracy}`);
  const second = await fitClassifier(options);
  assert.equal(second.source, "cache");
  assert.equal(second.testAccuracy, first.testAccuracy);
  assert.equal(classifierAccuracy(second.model, options.test), first.testAccuracy, "loaded weights give the same accuracy");
});

test("density/coverage: a hand-computed line, identical sets 1/1, far sets 0/0, a half-covering subset", () => {
  // Real 0, 1, 3, 6 with k = 1: radii² (to the nearest other point) 1, 1, 4, 9, i.e. open balls
  // (−1,1), (0,2), (1,5), (3,9). Generated 0.5 lies in balls 0 and 1; 4 in balls 2 and 3; 10 in none.
  // density = (2 + 2 + 0) / (1·3) = 4/3; covered balls 0, 1, 2, 3 → coverage 1.
  const line = Float32Array.from([0, 1, 3, 6]);
  assert.deepEqual(densityCoverage(line, Float32Array.from([0.5, 4, 10]), { dim: 1, k: 1 }), { density: 4 / 3, coverage: 1, k: 1 });
  // Generated 2 only: ball 1 (0,2) is open so 2 is outside it; ball 2 (1,5) holds it → density 1, coverage 1/4.
  assert.deepEqual(densityCoverage(line, Float32Array.from([2]), { dim: 1, k: 1 }), { density: 1, coverage: 0.25, k: 1 });
  const dim = 6;
  const real = gaussianSamples(300, dim, 21, Array(dim).fill(0));
  const before = tf.memory().numTensors;
  const same = densityCoverage(real, real, { dim, blockSize: 64 });
  assert.ok(Math.abs(same.density - 1) < 1e-9 && same.coverage === 1 && same.k === 5, JSON.stringify(same));
  const far = gaussianSamples(300, dim, 22, Array(dim).fill(100));
  assert.deepEqual(densityCoverage(real, far, { dim }), { density: 0, coverage: 0, k: 5 });
  // Generated = the first of two far real clusters: its balls are fully covered, the other half not.
  const twoClusters = Float32Array.from(real, (v, i) => (i >= 150 * dim ? v + 50 : v));
  const dc = densityCoverage(twoClusters, twoClusters.slice(0, 150 * dim), { dim, blockSize: 64 });
  assert.equal(dc.coverage, 0.5);
  assert.ok(Math.abs(dc.density - 1) < 1e-9, `density ${dc.density}`);
  // A fresh draw from the real distribution: density near 1, coverage high.
  const fresh = densityCoverage(real, gaussianSamples(300, dim, 23, Array(dim).fill(0)), { dim });
  assert.ok(fresh.density > 0.7 && fresh.density < 1.3 && fresh.coverage > 0.8, JSON.stringify(fresh));
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
  assert.throws(() => densityCoverage(real, real), /options\.dim/);
});
