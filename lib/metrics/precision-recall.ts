/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
 * for Assessing Generative Models"): each set's manifold is the union of balls around its samples
 * reaching each sample's k-th nearest neighbour. Precision = share of generated samples inside the
 * real manifold (fidelity); recall = share of real samples inside the generated manifold (diversity).
 */
import * as tf from "@tensorflow/tfjs";

export interface PrecisionRecall {
  precision: number;
  recall: number;
  k: number;
  /** Per real row, 1 when it lies inside the generated manifold (recall is their mean; per class, see `classRecall`). */
  recalled: Uint8Array;
}

export interface PrecisionRecallOptions {
  /** Neighbour defining each ball's radius; the paper uses k = 3. */
  k?: number;
  /** Rows per distance block: a block is [blockSize, n] floats. */
  blockSize?: number;
}

/** Squared Euclidean distances between rows, ‖a‖² + ‖b‖² − 2a·b, clamped at 0 (rounding). */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D, bNorms: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const aNorms = a.square().sum(1, true);
    return tf.relu(aNorms.add(bNorms.expandDims(0)).sub(tf.matMul(a, b, false, true).mul(2))) as tf.Tensor2D;
  });
}

/** Calls `f` on consecutive row blocks of `x` ([rows, dim]) and collects its 1-D outputs in order. */
function byBlocks(x: tf.Tensor2D, blockSize: number, f: (block: tf.Tensor2D) => tf.Tensor1D): Float32Array {
  const n = x.shape[0];
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += blockSize) {
    const size = Math.min(blockSize, n - start);
    const r = tf.tidy(() => f(x.slice([start, 0], [size, -1]) as tf.Tensor2D).cast("float32"));
    out.set(r.dataSync(), start);
    r.dispose();
  }
  return out;
}

/** Squared distance from each row to its k-th nearest other row (the row itself excluded). */
export function knnSquaredRadii(x: tf.Tensor2D, k: number, blockSize = 512): Float32Array {
  const n = x.shape[0];
  if (!(Number.isInteger(k) && k >= 1 && k < n)) throw new Error(`knnSquaredRadii: k must be an integer in 1..${n - 1} for ${n} samples, got ${k}.`);
  const norms = tf.tidy(() => x.square().sum(1) as tf.Tensor1D);
  try {
    // The k+1 smallest distances of a row include its own 0; the last of them is the k-th neighbour.
    return byBlocks(x, blockSize, (block) => {
      const neg = tf.topk(squaredDistances(block, x, norms).neg(), k + 1, true).values;
      return neg.slice([0, k], [-1, 1]).reshape([-1]).neg() as tf.Tensor1D;
    });
  } finally {
    norms.dispose();
  }
}

/** For each row of `query`, 1 when it lies within distance √radii[i] of at least one row i of `support`, else 0. */
export function manifoldMembership(query: tf.Tensor2D, support: tf.Tensor2D, squaredRadii: Float32Array, blockSize = 512): Uint8Array {
  const [norms, radii] = tf.tidy(() => [support.square().sum(1) as tf.Tensor1D, tf.tensor1d(squaredRadii).expandDims(0)]);
  try {
    return Uint8Array.from(byBlocks(query, blockSize, (block) => tf.lessEqual(squaredDistances(block, support, norms as tf.Tensor1D), radii).any(1) as tf.Tensor1D));
  } finally {
    tf.dispose([norms, radii]);
  }
}

/** Share of the rows of `query` inside the manifold of `support` (see `manifoldMembership`). */
export function manifoldCoverage(query: tf.Tensor2D, support: tf.Tensor2D, squaredRadii: Float32Array, blockSize = 512): number {
  const inside = manifoldMembership(query, support, squaredRadii, blockSize);
  return inside.reduce((s, v) => s + v, 0) / inside.length;
}

/** Rows of `x` ([rows, dim]) as a tensor; a Float32Array needs `dim` (named `name` in errors). */
function asTensor(x: tf.Tensor2D | Float32Array, dim: number | undefined, fn: string, name: string): tf.Tensor2D {
  if (!(x instanceof Float32Array)) return x;
  if (!dim || x.length % dim !== 0) throw new Error(`${fn}: ${name} is a Float32Array, so options.dim must divide its ${x.length} values.`);
  return tf.tensor2d(x, [x.length / dim, dim]);
}

/**
 * Improved precision and recall of `generated` against `real` features ([n, dim] tensors, or
 * row-major Float32Arrays with `dim`). Distances are computed in [blockSize, n] blocks with one
 * matMul each, so 10k × 10k × 128 fits in memory. Both values depend on the set sizes and k:
 * compare runs with equal sizes (the paper uses equally many real and generated samples).
 */
export function precisionRecall(real: tf.Tensor2D | Float32Array, generated: tf.Tensor2D | Float32Array, options: PrecisionRecallOptions & { dim?: number } = {}): PrecisionRecall {
  const { k = 3, blockSize = 512 } = options;
  const r = asTensor(real, options.dim, "precisionRecall", "real");
  const g = asTensor(generated, options.dim, "precisionRecall", "generated");
  try {
    if (r.shape[1] !== g.shape[1]) throw new Error(`precisionRecall: real features have ${r.shape[1]} dimensions, generated ${g.shape[1]}.`);
    const precision = manifoldCoverage(g, r, knnSquaredRadii(r, k, blockSize), blockSize);
    const recalled = manifoldMembership(r, g, knnSquaredRadii(g, k, blockSize), blockSize);
    return { precision, recall: recalled.reduce((s, v) => s + v, 0) / recalled.length, k, recalled };
  } finally {
    if (r !== real) r.dispose();
    if (g !== generated) g.dispose();
  }
}

/**
 * Recall within each class: the share of the real images of class c (by their true labels) that the
 * generated manifold covers. A generator that drops a class has recall ≈ 0 there however well it
 * covers the rest: the per-class view of mode collapse.
 */
export function classRecall(recalled: Uint8Array, labels: ArrayLike<number>, numClasses: number): number[] {
  if (labels.length !== recalled.length) throw new Error(`classRecall: ${recalled.length} real rows but ${labels.length} labels.`);
  const hit = new Array<number>(numClasses).fill(0);
  const total = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    total[labels[i]]++;
    hit[labels[i]] += recalled[i];
  }
  return hit.map((h, c) => (total[c] ? h / total[c] : NaN));
}

export interface DensityCoverage {
  density: number;
  coverage: number;
  k: number;
}

/**
 * Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative
 * Models") of `generated` (M rows) against `real` (N rows), both from k-NN balls of the REAL set only,
 * so a few outlying generated samples cannot inflate them as they inflate recall:
 * density = (1 / kM) · Σ_j #{real i : generated j inside ball i}  (fidelity; unbounded, 1 on average
 * when both sets are drawn from one distribution), coverage = share of real balls holding at least one
 * generated sample (diversity, in [0, 1]). Balls are open, as in the authors' code (github.com/clovaai/
 * generative-evaluation-prdc), so identical sets give density 1 (each ball holds its centre and the
 * k − 1 nearer neighbours) and coverage 1. The paper uses k = 5; inputs as for `precisionRecall`.
 */
export function densityCoverage(real: tf.Tensor2D | Float32Array, generated: tf.Tensor2D | Float32Array, options: PrecisionRecallOptions & { dim?: number } = {}): DensityCoverage {
  const { k = 5, blockSize = 512 } = options;
  const r = asTensor(real, options.dim, "densityCoverage", "real");
  const g = asTensor(generated, options.dim, "densityCoverage", "generated");
  try {
    if (r.shape[1] !== g.shape[1]) throw new Error(`densityCoverage: real features have ${r.shape[1]} dimensions, generated ${g.shape[1]}.`);
    const radii = knnSquaredRadii(r, k, blockSize);
    const [gNorms, rNorms, radiusRow] = tf.tidy(() => [g.square().sum(1) as tf.Tensor1D, r.square().sum(1) as tf.Tensor1D, tf.tensor1d(radii).expandDims(0)]);
    try {
      // Per generated sample: how many real balls contain it.
      const counts = byBlocks(g, blockSize, (block) => tf.less(squaredDistances(block, r, rNorms as tf.Tensor1D), radiusRow).sum(1) as tf.Tensor1D);
      // Per real sample: is its nearest generated sample inside its own ball.
      const nearest = byBlocks(r, blockSize, (block) => squaredDistances(block, g, gNorms as tf.Tensor1D).min(1) as tf.Tensor1D);
      const density = counts.reduce((s, v) => s + v, 0) / (k * g.shape[0]);
      const coverage = nearest.reduce((s, d, i) => s + (d < radii[i] ? 1 : 0), 0) / r.shape[0];
      return { density, coverage, k };
    } finally {
      tf.dispose([gNorms, rNorms, radiusRow]);
    }
  } finally {
    if (r !== real) r.dispose();
    if (g !== generated) g.dispose();
  }
}
