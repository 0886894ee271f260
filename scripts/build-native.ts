/**
 * Builds the native CPU engine (lib/engine/native, a node-gyp addon; C++ only, no libraries beyond libstdc++).
 *
 *   npm run build:native             # a failed build prints why and exits 0 (setup keeps going)
 *   npm run build:native -- --strict # exits non-zero on failure (CI)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "./args";

const USAGE = "Usage: npm run build:native [-- --strict]";
let parsed;
try {
  parsed = parseArgs(process.argv.slice(2), { strict: { kind: "boolean" } }, USAGE);
} catch (err) {
  // Status 2 for a usage error, like every command (README, "Reliability").
  console.error((err as Error).message);
  process.exit(2);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const strict = parsed.flags.strict;
const root = path.resolve(__dirname, "..");
const dir = path.join(root, "lib", "engine", "native");
const addon = path.join(dir, "build", "Release", "vaegan_native.node");
const log = (line: string): void => { process.stdout.write(`[build:native] ${line}\n`); };

function fail(reason: string): never {
  log(`FAILED: ${reason}`);
  log("The native engine needs a C++ toolchain. On Debian/Ubuntu:");
  log("  sudo apt-get install g++ make");
  log("then run: npm run build:native");
  log(strict ? "--strict given: exiting with an error." : "Continuing without it: the engine ladder will fall back to wasm/cpu.");
  process.exit(strict ? 1 : 0);
}

function main(): void {
  let nodeGyp: string;
  try {
    nodeGyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] });
  } catch {
    return fail("node-gyp is not installed (run npm install)");
  }
  const args = [nodeGyp, "rebuild"];
  // Debian's nodejs ships the headers; without --nodedir node-gyp would try to download them.
  const nodedir = path.resolve(path.dirname(process.execPath), "..");
  if (fs.existsSync(path.join(nodedir, "include", "node", "node_api.h"))) args.push(`--nodedir=${nodedir}`);
  else if (fs.existsSync("/usr/include/node/node_api.h")) args.push("--nodedir=/usr");
  else log("no local Node headers found; node-gyp will try to download them");
  log(`cd ${path.relative(root, dir)} && node ${path.relative(root, nodeGyp)} ${args.slice(1).join(" ")}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: "inherit" });
  if (r.error) return fail(`could not run node-gyp: ${r.error.message}`);
  if (r.status !== 0) return fail(`node-gyp exited with code ${r.status}`);
  if (!fs.existsSync(addon)) return fail(`node-gyp succeeded but ${path.relative(root, addon)} is missing`);
  // Load it once so a missing runtime library is reported here, not at first use.
  const check = spawnSync(process.execPath, ["-e", `const a = require(${JSON.stringify(addon)}); const i = a.info(); console.log("matrix products: " + i.gemm + ", " + i.hardwareThreads + " hardware threads")`], { encoding: "utf8" });
  if (check.status !== 0) return fail(`the addon was built but does not load: ${(check.stderr || "").split("\n").find((l) => l.trim()) ?? "unknown error"}`);
  log(`built ${path.relative(root, addon)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${check.stdout.trim()})`);
}

main();
