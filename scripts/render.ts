/**
 * npm run render [-- --profile quick|full] [--force] [--only 01,02] [--no-pdf]
 *
 * Without --profile (or $VAE_GAN_PROFILE) each notebook keeps the profile it was last executed with,
 * so a render never silently replaces full-profile results with quick ones; a notebook never executed
 * uses `quick`.
 *
 * 1. Executes the notebooks on the tslab kernel, skipping one whose source, lib/ and profile are
 *    unchanged since its last execution (the hash is kept in the notebook's metadata, like Quarto's freeze).
 * 2. Renders the report: `quarto render` when Quarto is on PATH, else the project's own renderer.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/paths";
import { RENDER_ENV } from "../lib/viz/figure";
import { RESULTS_MIME } from "../lib/viz/results-types";
import { currentProfile, PROFILE_ENV, PROFILE_NAMES } from "../lib/profiles";
import { executeNotebook, jupyterEnv, jupyterUnavailableReason, writeKernelSpec } from "./jupyter";
import { renderBook } from "./render/book";
import { writeDiagrams } from "./diagrams";

const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");

interface Args {
  /** Forced profile; undefined = each notebook's last profile (quick if none). */
  profile?: string;
  force: boolean;
  pdf: boolean;
  /** Notebook name prefixes to execute (e.g. `01,02`); default all. */
  only?: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { profile: process.env[PROFILE_ENV] || undefined, force: false, pdf: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--force") args.force = true;
    else if (a === "--no-pdf") args.pdf = false;
    else if (a === "--profile") args.profile = argv[++i] ?? "";
    else if (a === "--only") args.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else throw new Error(`Unknown option ${a}. Usage: npm run render -- [--profile ${PROFILE_NAMES.join("|")}] [--force] [--only 01,02] [--no-pdf]`);
  }
  if (args.profile !== undefined) currentProfile(args.profile); // throws on an unknown name, listing the valid ones
  return args;
}

function listFiles(dir: string, skip: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (skip.test(p)) return [];
    return e.isDirectory() ? listFiles(p, skip) : [p];
  }).sort();
}

/**
 * Hash of what an execution depends on: the notebook's sources, lib/, the lock file and the profile;
 * for a notebook that reads other notebooks' results (the results chapter), also those results.
 */
function freezeHash(nb: NotebookJson, profile: string, libHash: string, others: string[]): string {
  const h = crypto.createHash("sha256").update(profile).update(libHash);
  const sources = nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
  nb.cells.forEach((c, i) => h.update(c.cell_type).update(sources[i]));
  if (sources.some((s) => /notebookResults\(/i.test(s))) {
    for (const file of others) {
      const outputs = readNotebook(file).cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[RESULTS_MIME]);
      h.update(path.basename(file)).update(JSON.stringify(outputs.map((o) => o.data![RESULTS_MIME])));
    }
  }
  return h.digest("hex").slice(0, 16);
}

interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: { data?: Record<string, unknown> }[] }[];
  metadata: Record<string, unknown> & { vae_gan?: { freeze?: string; profile?: string; seconds?: number } };
}

function readNotebook(file: string): NotebookJson {
  return JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
}

function executeAll(args: Args): void {
  const reason = jupyterUnavailableReason();
  if (reason) throw new Error(`Cannot execute notebooks: ${reason}`);
  writeKernelSpec();
  const libHash = crypto.createHash("sha256");
  // Paths relative to the project, so that a fresh clone anywhere finds the committed notebooks frozen.
  for (const f of [...listFiles(path.join(PROJECT_ROOT, "lib"), /native\/build|\.md$/), path.join(PROJECT_ROOT, "package-lock.json")]) libHash.update(path.relative(PROJECT_ROOT, f)).update(fs.readFileSync(f));
  const libDigest = libHash.digest("hex");
  const notebooks = fs.readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith(".ipynb") && (!args.only || args.only.some((p) => f.startsWith(p)))).sort();
  if (notebooks.length === 0) throw new Error(`No notebook in ${NOTEBOOKS_DIR}${args.only ? ` matching ${args.only.join(", ")}` : ""}.`);
  notebooks.forEach((name, i) => {
    const file = path.join(NOTEBOOKS_DIR, name);
    const last = readNotebook(file).metadata.vae_gan;
    const profile = args.profile ?? last?.profile ?? "quick";
    const others = fs.readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith(".ipynb") && f !== name).sort().map((f) => path.join(NOTEBOOKS_DIR, f));
    const hash = freezeHash(readNotebook(file), profile, libDigest, others);
    const tag = `[${i + 1}/${notebooks.length}] ${name}`;
    if (!args.force && last?.freeze === hash) {
      console.log(`${tag}: unchanged since its last execution (${profile}), kept`);
      return;
    }
    console.log(`${tag}: executing (profile ${profile}) …`);
    // Under `full` one cell can train for hours (notebook 05's study: ~2.5 h on one core), so its cell timeout is long.
    const result = executeNotebook(file, { env: { [RENDER_ENV]: "1", [PROFILE_ENV]: profile }, timeoutSeconds: profile === "full" ? 12 * 3600 : undefined });
    if (!result.ok) throw new Error(`${name} failed after ${result.seconds.toFixed(1)} s:\n${result.stderr}`);
    const nb = readNotebook(file);
    nb.metadata.vae_gan = { freeze: hash, profile };
    fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
    console.log(`${tag}: executed in ${result.seconds.toFixed(1)} s`);
  });
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const start = Date.now();
  executeAll(args);
  writeDiagrams(() => {});
  const quarto = spawnSync("quarto", ["--version"], { encoding: "utf8" });
  if (!quarto.error && quarto.status === 0) {
    console.log(`quarto ${quarto.stdout.trim()} found: quarto render`);
    const run = spawnSync("quarto", ["render"], { cwd: PROJECT_ROOT, stdio: "inherit", env: jupyterEnv({ [RENDER_ENV]: "1" }) });
    if (run.status !== 0) throw new Error("quarto render failed (see above).");
  } else {
    console.log(`quarto not on PATH: rendering _quarto.yml with the project's renderer (pandoc, KaTeX${args.pdf ? ", Chromium for the PDF" : ""})`);
    renderBook({ pdf: args.pdf });
  }
  console.log(`render done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (err) {
  console.error(`render: ${(err as Error).message}`);
  process.exit(1);
}
