/**
 * Layers point down only (ARCHITECTURE.md): every relative import in lib/ must name a file of its
 * own layer or a lower one. Parsed from the sources, so a new upward import fails here at once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/paths";

const LIB = path.join(PROJECT_ROOT, "lib");

/** Bottom first; a path belongs to the first layer with a matching prefix (relative to lib/). */
const LAYERS: { name: string; prefixes: string[] }[] = [
  { name: "base", prefixes: ["core/", "paths.ts", "random.ts", "stats.ts", "profiles.ts"] },
  { name: "engine, data", prefixes: ["engine/", "data/"] },
  { name: "models", prefixes: ["models/"] },
  { name: "train", prefixes: ["train/"] },
  { name: "metrics", prefixes: ["metrics/"] },
  { name: "viz", prefixes: ["viz/"] },
  { name: "experiments", prefixes: ["experiments/"] },
  { name: "runs", prefixes: ["runs/"] },
  { name: "studies", prefixes: ["studies/"] },
  { name: "face", prefixes: ["index.ts"] },
];

function layerOf(rel: string): number {
  const i = LAYERS.findIndex((l) => l.prefixes.some((p) => rel === p || rel.startsWith(p)));
  assert.ok(i >= 0, `lib/${rel} is in no layer: add it to LAYERS in tests/layers.test.ts`);
  return i;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "build" || e.name === "node_modules" ? [] : sources(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** Relative module specifiers of a source: `from "./x"`, `import("./x")`, `require("./x")`; comments are skipped. */
function relativeImports(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const re of [/\bfrom\s+"(\.[^"]+)"/g, /\bimport\(\s*"(\.[^"]+)"\s*\)/g, /\brequire\(\s*"(\.[^"]+)"\s*\)/g]) {
    for (const m of text.matchAll(re)) out.push(m[1]);
  }
  return out;
}

/** lib/-relative path of the file a specifier names (tslab resolves `./x` as `./x.ts`). */
function target(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  const file = fs.existsSync(base + ".ts") ? base + ".ts" : fs.existsSync(path.join(base, "index.ts")) ? path.join(base, "index.ts") : base;
  return path.relative(LIB, file).split(path.sep).join("/");
}

test("the import parser sees every form of relative import", () => {
  assert.deepEqual(relativeImports(`import { a } from "../x";\nexport * from "./y";\nconst z = await import("./z");\nrequire("../w");\nimport * as fs from "fs";\n/** import x from "./doc" */\n// require("./note")`), ["../x", "./y", "./z", "../w"]);
});

test("lib/ layers point down only", () => {
  const upward: string[] = [];
  for (const file of sources(LIB)) {
    const rel = path.relative(LIB, file).split(path.sep).join("/");
    const from = layerOf(rel);
    for (const spec of relativeImports(fs.readFileSync(file, "utf8"))) {
      const to = target(file, spec);
      if (to.startsWith("..")) continue;
      const layer = layerOf(to);
      if (layer > from) upward.push(`lib/${rel} (${LAYERS[from].name}) imports lib/${to} (${LAYERS[layer].name})`);
    }
  }
  assert.deepEqual(upward, [], `upward imports:\n${upward.join("\n")}`);
});
