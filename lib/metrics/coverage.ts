/**
 * Mode coverage from a classifier's predictions on generated samples: how many of the data set's
 * classes a generator produces, and how far its class histogram is from uniform. The standard
 * mode-collapse diagnostic for GANs on class-balanced data (counting modes hit, as in Metz et al.
 * 2017, "Unrolled GANs", and KL to the uniform class prior, as in Srivastava et al. 2017, VEEGAN).
 */

export interface ModeCoverage {
  /** Classes whose share of the samples is at least `minFraction` (and at least one sample). */
  classesHit: number;
  /** Fraction of the samples predicted as each class (sums to 1). */
  histogram: Float64Array;
  /** Samples per class. */
  counts: Int32Array;
  /** KL(histogram ‖ uniform) in nats: 0 for a perfectly balanced generator, ln K for a single class. */
  klToUniform: number;
}

/**
 * Class histogram statistics of predicted labels (integers in 0..numClasses−1).
 * `minFraction` (default 0, i.e. ≥ 1 sample) sets the share a class needs to count as hit; e.g. 0.01
 * ignores classes the classifier predicts only by rare mistakes.
 */
export function modeCoverage(predicted: Int32Array | ArrayLike<number>, numClasses: number, options: { minFraction?: number } = {}): ModeCoverage {
  const { minFraction = 0 } = options;
  if (predicted.length === 0) throw new Error("modeCoverage: no predictions.");
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < predicted.length; i++) {
    const c = predicted[i];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new RangeError(`modeCoverage: class ${c} at index ${i} is outside 0..${numClasses - 1}.`);
    counts[c]++;
  }
  const histogram = Float64Array.from(counts, (c) => c / predicted.length);
  let classesHit = 0;
  let kl = 0;
  for (let c = 0; c < numClasses; c++) {
    if (counts[c] > 0 && histogram[c] >= minFraction) classesHit++;
    // 0·log 0 = 0; p·log(p / (1/K)).
    if (histogram[c] > 0) kl += histogram[c] * Math.log(histogram[c] * numClasses);
  }
  return { classesHit, histogram, counts, klToUniform: Math.max(0, kl) };
}
