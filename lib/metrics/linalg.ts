/**
 * Small dense linear algebra in float64 for the feature-statistics metrics (Fréchet distance):
 * means, covariances, symmetric eigendecomposition and the trace of a matrix square root.
 * Matrices are row-major Float64Arrays of n×n entries. Float32 (tfjs) is not precise enough for
 * FD: its value is a difference of traces of size ~dim, so rounding would dwarf small distances.
 */

/** Eigenvalues (ascending) and eigenvectors (columns of a row-major n×n matrix: vectors[i*n + k] is component i of vector k; empty when not requested). */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, §8.5):
 * sweeps of plane rotations that zero each off-diagonal entry in turn until the off-diagonal norm
 * is negligible. Quadratically convergent and accurate for small eigenvalues, which covariance
 * square roots need. 8–16 sweeps: n = 128 takes ~0.1 s, n = 256 ~0.7 s (O(n³) per sweep).
 * `vectors: false` skips accumulating the eigenvectors (about half the work).
 * Only the upper triangle of `a` is read; `a` is not modified.
 */
export function symmetricEigen(a: Float64Array, n: number, options: { maxSweeps?: number; vectors?: boolean } = {}): SymmetricEigen {
  const { maxSweeps = 60, vectors: wantVectors = true } = options;
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n}×${n} = ${n * n} entries, got ${a.length}.`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) m[i * n + j] = m[j * n + i] = a[i * n + j];
  // Eigenvectors are accumulated as rows (vt = Vᵀ) so each rotation updates two contiguous rows.
  const vt = new Float64Array(wantVectors ? n * n : 0);
  if (wantVectors) for (let i = 0; i < n; i++) vt[i * n + i] = 1;

  let total = 0;
  for (let i = 0; i < n * n; i++) total += m[i] * m[i];
  if (!Number.isFinite(total)) throw new Error("symmetricEigen: the matrix has non-finite entries (NaN or ±Infinity).");
  // Stop when the off-diagonal mass is at rounding level relative to the whole matrix.
  const tol = 1e-30 * total;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    if (off <= tol) break;
    // Early sweeps skip entries below a threshold (Numerical Recipes §11.1): big rotations first.
    const threshold = sweep < 3 ? (0.2 * Math.sqrt(off)) / (n * n) : 0;
    for (let p = 0; p < n - 1; p++) {
      const rp = p * n;
      for (let q = p + 1; q < n; q++) {
        const rq = q * n;
        const apq = m[rp + q];
        if (Math.abs(apq) <= threshold) continue;
        const app = m[rp + p];
        const aqq = m[rq + q];
        // Rotation angle: t = tan θ, the smaller root of t² + 2τt − 1 = 0 (keeps |θ| ≤ π/4, stable).
        const tau = (aqq - app) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // Rows p and q are read contiguously; the matching columns are written to keep m symmetric.
        for (let k = 0; k < n; k++) {
          const akp = m[rp + k];
          const akq = m[rq + k];
          const nkp = c * akp - s * akq;
          const nkq = s * akp + c * akq;
          m[rp + k] = nkp;
          m[rq + k] = nkq;
          m[k * n + p] = nkp;
          m[k * n + q] = nkq;
        }
        m[rp + p] = app - t * apq;
        m[rq + q] = aqq + t * apq;
        m[rp + q] = m[rq + p] = 0;
        if (wantVectors) {
          for (let k = 0; k < n; k++) {
            const vp = vt[rp + k];
            const vq = vt[rq + k];
            vt[rp + k] = c * vp - s * vq;
            vt[rq + k] = s * vp + c * vq;
          }
        }
      }
    }
  }
  // Sort ascending, permuting the eigenvectors alongside.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(wantVectors ? n * n : 0);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src];
    if (wantVectors) for (let k = 0; k < n; k++) vectors[k * n + dst] = vt[src * n + k];
  });
  return { values, vectors };
}

/** Row-major product of two n×n matrices. */
export function matMul64(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/**
 * Square root of a symmetric positive semi-definite matrix, V·diag(√max(0, λ))·Vᵀ. Negative
 * eigenvalues (rounding noise of a rank-deficient covariance) are clamped to 0.
 */
export function sqrtmPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(0, values[k]));
    if (s === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * s;
      if (vik === 0) continue;
      for (let j = i; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i];
  return out;
}

/**
 * Tr((Σ1·Σ2)^{1/2}) for symmetric PSD Σ1, Σ2. Σ1·Σ2 is not symmetric, but it is similar to
 * S·Σ2·S with S = Σ1^{1/2}, which is symmetric PSD; so the trace is Σ √max(0, λ_i(S·Σ2·S)),
 * computed with a symmetric eigensolver instead of a general (complex) matrix square root.
 */
export function sqrtmTrace(s1: Float64Array, s2: Float64Array, n: number): number {
  const s = sqrtmPsd(s1, n);
  const m = matMul64(matMul64(s, s2, n), s, n);
  // Symmetrise away the rounding asymmetry before the eigensolver reads the upper triangle.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = 0.5 * (m[i * n + j] + m[j * n + i]);
  const { values } = symmetricEigen(m, n, { vectors: false });
  let trace = 0;
  for (const v of values) trace += Math.sqrt(Math.max(0, v));
  return trace;
}

/**
 * Mean and unbiased (n − 1) covariance of `n` feature rows of length `dim` (row-major), accumulated
 * in float64 with centred data (two passes), as numpy's `np.cov(rowvar=False)` used by the FID reference.
 */
export function meanAndCovariance(features: Float32Array | Float64Array, n: number, dim: number): { mean: Float64Array; cov: Float64Array } {
  if (features.length !== n * dim) throw new Error(`meanAndCovariance: expected ${n}×${dim} = ${n * dim} values, got ${features.length}.`);
  if (n < 2) throw new Error(`meanAndCovariance: need at least 2 samples, got ${n}.`);
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] += features[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) c[j] = features[r * dim + j] - mean[j];
    for (let i = 0; i < dim; i++) {
      const ci = c[i];
      if (ci === 0) continue;
      const row = i * dim;
      for (let j = i; j < dim; j++) cov[row + j] += ci * c[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j] / (n - 1);
      cov[i * dim + j] = cov[j * dim + i] = v;
    }
  }
  return { mean, cov };
}
