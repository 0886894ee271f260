/** Summaries over repeated runs (seeds): mean and a 95% confidence interval from Student's t. */

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; ≈ 1.96 beyond. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface Interval {
  mean: number;
  /** Half-width of the 95% interval (0 for a single value). */
  halfWidth: number;
  lower: number;
  upper: number;
  n: number;
}

/**
 * The two-sided 95% critical value of Student's t with `df` degrees of freedom (Welch's df need not
 * be an integer: it is rounded down, the conservative side); 1.96 beyond the table. Below one degree
 * of freedom (or NaN, e.g. two samples without spread) no difference can be called: Infinity.
 */
export function tCritical(df: number): number {
  if (!(df >= 1)) return Infinity;
  const k = Math.floor(df);
  return k <= T975.length ? T975[k - 1] : 1.96;
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
