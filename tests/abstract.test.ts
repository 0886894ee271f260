import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");

/** Everything the committed notebooks show: their outputs' text, HTML, markdown and results JSON. */
function committedOutputs(): string {
  const dir = path.join(ROOT, "notebooks");
  const join = (v: unknown) => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v ?? ""));
  return fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).map((f) => {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { cells: { outputs?: { text?: unknown; data?: Record<string, unknown> }[] }[] };
    return nb.cells.flatMap((c) => c.outputs ?? []).map((o) => join(o.text) + Object.values(o.data ?? {}).map(join).join("\n")).join("\n");
  }).join("\n");
}

// The abstract is written by hand, so it is the one place a number can outlive the run that produced it.
test("the preface's abstract quotes only intervals and percentages that the executed notebooks print", () => {
  const index = fs.readFileSync(path.join(ROOT, "index.qmd"), "utf8");
  const abstract = /::: \{\.abstract\}([\s\S]*?)\n:::/.exec(index)?.[1];
  assert.ok(abstract, "index.qmd has a ::: {.abstract} block");
  const quoted = [...abstract.matchAll(/\d+\.\d+ ± \d+\.\d+|\d+(?:\.\d+)?%/g)].map((m) => m[0]);
  assert.ok(quoted.length >= 5, `the abstract gives its findings with numbers (found ${quoted.length})`);
  const outputs = committedOutputs();
  const missing = quoted.filter((q) => !outputs.includes(q));
  assert.deepEqual(missing, [], `numbers in the abstract that no notebook output shows (stale after a re-execution?): ${missing.join(", ")}`);
});
