/** Summaries over repeated runs (seeds): mean and a 95% confidence interval from Student's t. */

export interface Interval {
  mean: number;
  /** Half-width of the 95% interval (0 for a single value). */
  halfWidth: number;
  lower: number;
  upper: number;
  n: number;
}

/** ln Γ(x) for x > 0: Lanczos' approximation (g = 7, 9 terms), relative error ~1e-15. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz), converging for x < (a + 1)/(a + b + 2). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
      if (num === 0) return h;
    }
    if (Math.abs(d * c - 1) < 1e-16) return h;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b), given x and y = 1 − x separately so that x
 * near 1 keeps its precision (Numerical Recipes §6.4: the continued fraction on the side it converges).
 */
function incompleteBeta(a: number, b: number, x: number, y: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, y)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom, t ≥ 0: ½ I_{df/(df+t²)}(df/2, ½). */
function tUpperTail(t: number, df: number): number {
  const t2 = t * t;
  return 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/**
 * The quantile of Student's t distribution with `df` > 0 degrees of freedom (any real df, e.g.
 * Welch's) at probability `p` in (0, 1): the upper tail inverted by bisection on a geometric scale,
 * to a relative precision of ~1e-12. df = Infinity gives the normal quantile's limit.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile needs 0 < p < 1 and df > 0; got p = ${p}, df = ${df}.`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  // Beyond 1e7 degrees of freedom the beta function's arguments lose digits: take the quantile at 1e7
  // and move it along the first Cornish–Fisher term, t ≈ z + (z³ + z)/(4·df), whose next term is ~1/df².
  const LARGE = 1e7;
  if (df > LARGE) {
    const g1 = (z: number) => (z ** 3 + z) / 4;
    const atLarge = studentTQuantile(p, LARGE);
    const z = atLarge - g1(atLarge) / LARGE;
    return z + (Number.isFinite(df) ? g1(z) / df : 0);
  }
  const tail = 1 - p;
  const nu = df;
  let lo = 0;
  let hi = 1;
  while (tUpperTail(hi, nu) > tail) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = lo > 0 ? Math.sqrt(lo * hi) : hi / 2;
    if (tUpperTail(mid, nu) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The two-sided 95% critical value of Student's t with `df` degrees of freedom — any real df > 0
 * (Welch's need not be an integer). Without a positive df (or NaN, e.g. two samples without spread)
 * no difference can be called: Infinity.
 */
export function tCritical(df: number): number {
  return df > 0 ? studentTQuantile(0.975, df) : Infinity;
}

/** Mean ± t₀.₉₇₅·s/√n of the finite values. */
export function meanInterval(values: number[]): Interval {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: NaN, halfWidth: NaN, lower: NaN, upper: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const halfWidth = n > 1 ? tCritical(n - 1) * (sd / Math.sqrt(n)) : 0;
  return { mean, halfWidth, lower: mean - halfWidth, upper: mean + halfWidth, n };
}

/** `12.3 ± 0.4` with `digits` decimals. */
export function formatInterval(i: Interval, digits = 2): string {
  return i.n > 1 ? `${i.mean.toFixed(digits)} ± ${i.halfWidth.toFixed(digits)}` : i.mean.toFixed(digits);
}

/** Welch's t statistic and its approximate degrees of freedom for two independent samples. */
export function welch(a: number[], b: number[]): { t: number; df: number } {
  const m = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const v = (x: number[]) => x.reduce((s, y) => s + (y - m(x)) ** 2, 0) / (x.length - 1);
  const [va, vb] = [v(a) / a.length, v(b) / b.length];
  return { t: (m(a) - m(b)) / Math.sqrt(va + vb), df: (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1)) };
}
