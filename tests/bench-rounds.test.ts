/** How `npm run bench` turns several rounds of both sides into one row: medians, paired ratios. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../scripts/args";
import { combineRounds, median, parseBenchArgs } from "../scripts/bench";

test("median takes the middle known value, or the mean of the middle two", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([null, 5, undefined, Number.NaN]), 5);
  assert.equal(median([]), null);
  assert.equal(median([null]), null);
});

test("a row's ratio is the median of each round's own ratio, not the ratio of the medians", () => {
  // The machine slows down in round 2 for both sides: each round's ratio stays 0.5.
  const c = combineRounds([100, 50, 110], [200, 100, 220]);
  assert.equal(c.ratio, 0.5);
  assert.equal(c.ours, 100);
  assert.equal(c.peer, 200);
  assert.deepEqual(c.rounds.ratio, [0.5, 0.5, 0.5]);
  // A round where one side gave nothing has no ratio and does not count.
  const gap = combineRounds([100, null, 90], [100, 80, 100]);
  assert.deepEqual(gap.rounds.ratio, [1, null, 0.9]);
  assert.equal(gap.ratio, 0.95);
  assert.equal(combineRounds([null, null], [1, 2]).ratio, null);
});

test("--rounds defaults to 3 and takes a positive integer", () => {
  assert.equal(parseBenchArgs([]).rounds, 3);
  assert.equal(parseBenchArgs(["--rounds", "5"]).rounds, 5);
  for (const bad of ["0", "2.5", "x"]) assert.throws(() => parseBenchArgs(["--rounds", bad]), (e: Error) => e instanceof UsageError && /--rounds/.test(e.message));
});
