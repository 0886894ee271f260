import { test } from "node:test";
import assert from "node:assert/strict";
import { formatInterval, meanInterval, tCritical, welch } from "../lib/stats";

test("mean and 95% interval match hand computation", () => {
  // mean 2, s = 1, n = 3 → half-width t(2) · 1/√3 = 4.303/1.732
  const i = meanInterval([1, 2, 3]);
  assert.equal(i.mean, 2);
  assert.ok(Math.abs(i.halfWidth - 4.303 / Math.sqrt(3)) < 1e-9);
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

test("Student's t critical values: table values, Welch's fractional df rounded down, normal beyond 30", () => {
  assert.equal(tCritical(4), 2.776);
  assert.equal(tCritical(8.7), 2.306);
  assert.equal(tCritical(100), 1.96);
  assert.equal(tCritical(0.5), Infinity);
  assert.equal(tCritical(NaN), Infinity);
});
