/**
 * Fréchet distance between feature distributions modelled as Gaussians: the metric behind FID
 * (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
 * Equilibrium"), here on the features of our own Fashion-MNIST classifier instead of Inception's.
 */
import { meanAndCovariance, sqrtmTrace } from "./linalg";

/** A Gaussian fitted to features: mean (dim) and covariance (dim×dim, row-major), float64. */
export interface FeatureStats {
  mean: Float64Array;
  cov: Float64Array;
  /** Feature dimension. */
  dim: number;
  /** Samples the statistics were estimated from. */
  n: number;
}

/** Mean and unbiased covariance of `n` feature rows of length `dim` (row-major). */
export function featureStats(features: Float32Array | Float64Array, n: number, dim: number): FeatureStats {
  const { mean, cov } = meanAndCovariance(features, n, dim);
  return { mean, cov, dim, n };
}

/**
 * Fréchet (2-Wasserstein) distance between N(μ1, Σ1) and N(μ2, Σ2) (Heusel et al. 2017, eq. 6;
 * Dowson & Landau 1982): ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2}). 0 for equal statistics,
 * in squared feature units. Biased upward for small n, so compare values computed from equal
 * sample sizes only.
 */
export function frechetDistance(a: { mean: Float64Array; cov: Float64Array }, b: { mean: Float64Array; cov: Float64Array }, dim: number = a.mean.length): number {
  for (const [name, s] of [["a", a], ["b", b]] as const) {
    if (s.mean.length !== dim || s.cov.length !== dim * dim) throw new Error(`frechetDistance: ${name} has mean ${s.mean.length} and cov ${s.cov.length} entries, expected ${dim} and ${dim * dim}.`);
  }
  let meanTerm = 0;
  for (let i = 0; i < dim; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let traces = 0;
  for (let i = 0; i < dim; i++) traces += a.cov[i * dim + i] + b.cov[i * dim + i];
  const fd = meanTerm + traces - 2 * sqrtmTrace(a.cov, b.cov, dim);
  // Tiny negative values are rounding of a zero distance.
  return Math.max(0, fd);
}
