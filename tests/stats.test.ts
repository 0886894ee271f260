import { test } from "node:test";
import assert from "node:assert/strict";
import { formatInterval, meanInterval, studentTQuantile, tCritical, welch } from "../lib/stats";

test("mean and 95% interval match hand computation", () => {
  // mean 2, s = 1, n = 3 → half-width t(2) · 1/√3, t(2) = 0.95/√(2 · 0.975 · 0.025) in closed form
  const i = meanInterval([1, 2, 3]);
  assert.equal(i.mean, 2);
  assert.ok(Math.abs(i.halfWidth - 0.95 / Math.sqrt(2 * 0.975 * 0.025) / Math.sqrt(3)) < 1e-9);
  assert.equal(meanInterval([5]).halfWidth, 0);
  assert.ok(Number.isNaN(meanInterval([]).mean));
  assert.equal(meanInterval([1, NaN, 3]).n, 2, "non-finite values are ignored");
  assert.equal(formatInterval(i, 1), "2.0 ± 2.5");
});

test("Welch's t for two samples", () => {
  const { t, df } = welch([1, 2, 3, 4], [3, 4, 5, 6]);
  assert.ok(Math.abs(t - -2 / Math.sqrt(5 / 3 / 4 * 2)) < 1e-9);
  assert.ok(Math.abs(df - 6) < 1e-9);
});

test("Student's t quantile for any real df: SciPy's values to 1e-9, fractional Welch df not rounded, no 1.96 floor", () => {
  // Reference: scipy.stats.t.ppf(0.975, df), SciPy 1.17.1 (cross-checked with mpmath 1.2.1 at 30 digits,
  // betainc inverted with findroot, to within 5e-15). Before the fix: df 1.5 gave 12.706, df 31 gave 1.96.
  const T975: [number, number][] = [
    [0.5, 164.55767348048818], [1, 12.706204736174694], [1.5, 6.016663104427929], [2, 4.302652729749462],
    [2.5, 3.5746548420036817], [3, 3.1824463052837078], [4, 2.7764451051977934], [5, 2.5705818356363146],
    [8.7, 2.274103985478323], [10, 2.228138851986274], [30, 2.0422724563012378], [31, 2.039513446396408],
    [100, 1.9839715185235518], [1000, 1.9623390808264083], [1e6, 1.959966356814107], [1e7, 1.959964221767205],
    [1e9, 1.959963986912325],
  ];
  for (const [df, expected] of T975) assert.ok(Math.abs(tCritical(df) - expected) < 1e-9 * expected, `df ${df}: ${tCritical(df)} vs ${expected}`);
  // Closed forms: df 1 is Cauchy, tan(π(p − ½)); df → ∞ is the normal quantile (scipy.stats.norm.ppf(0.975)).
  assert.ok(Math.abs(tCritical(1) - Math.tan(0.475 * Math.PI)) < 1e-12);
  assert.ok(Math.abs(tCritical(Infinity) - 1.959963984540054) < 1e-9);
  // Other probabilities (scipy.stats.t.ppf(0.9, df)), and symmetry.
  assert.ok(Math.abs(studentTQuantile(0.9, 1) - 3.0776835371752544) < 1e-9);
  assert.ok(Math.abs(studentTQuantile(0.9, 5) - 1.4758840488244815) < 1e-9);
  assert.equal(studentTQuantile(0.025, 5), -studentTQuantile(0.975, 5));
  assert.equal(studentTQuantile(0.5, 3), 0);
  assert.throws(() => studentTQuantile(1, 3), RangeError);
  assert.equal(tCritical(0), Infinity);
  assert.equal(tCritical(NaN), Infinity);
});
