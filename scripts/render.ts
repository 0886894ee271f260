/**
 * npm run render [-- --profile quick|full] [--force] [--only 01,02] [--no-pdf] [--check]
 *
 * Without --profile (or $VAE_GAN_PROFILE) each notebook keeps the profile it was last executed with,
 * so a render never silently replaces full-profile results with quick ones; a notebook never executed
 * uses `quick`.
 *
 * 1. Executes the notebooks on the tslab kernel, skipping one whose source, lib/ and profile are
 *    unchanged since its last execution (the hash is kept in the notebook's metadata, like Quarto's freeze).
 * 2. Renders the report: `quarto render` when Quarto is on PATH, else the project's own renderer.
 * `--check` only lists which notebooks a render would execute, and exits 1 if any.
 * Between the two, the explorer's models are trained or loaded and staged for the book (`--no-explorer` skips it).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { selectEngine } from "../lib/engine/ladder";
import { PROJECT_ROOT } from "../lib/paths";
import { RENDER_ENV } from "../lib/viz/figure";
import { currentProfile, PROFILE_ENV, PROFILE_NAMES } from "../lib/profiles";
import { executeNotebook, jupyterEnv, jupyterUnavailableReason, writeKernelSpec } from "./jupyter";
import { renderBook } from "./render/book";
import { writeExplorer } from "./render/explorer";
import { explorerModels } from "./render/explorer-models";
import { codeDigest, notebookNames, planNotebook, readNotebook } from "./render/freeze";
import { writeDiagrams } from "./diagrams";

const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");

interface Args {
  /** Forced profile; undefined = each notebook's last profile (quick if none). */
  profile?: string;
  force: boolean;
  pdf: boolean;
  /** Notebook name prefixes to execute (e.g. `01,02`); default all. */
  only?: string[];
  check: boolean;
  explorer: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { profile: process.env[PROFILE_ENV] || undefined, force: false, pdf: true, check: false, explorer: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--force") args.force = true;
    else if (a === "--no-pdf") args.pdf = false;
    else if (a === "--no-explorer") args.explorer = false;
    else if (a === "--check") args.check = true;
    else if (a === "--profile") args.profile = argv[++i] ?? "";
    else if (a === "--only") args.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else throw new Error(`Unknown option ${a}. Usage: npm run render -- [--profile ${PROFILE_NAMES.join("|")}] [--force] [--only 01,02] [--no-pdf] [--no-explorer] [--check]`);
  }
  if (args.profile !== undefined) currentProfile(args.profile); // throws on an unknown name, listing the valid ones
  return args;
}

function names(args: Args): string[] {
  const notebooks = notebookNames(NOTEBOOKS_DIR, args.only);
  if (notebooks.length === 0) throw new Error(`No notebook in ${NOTEBOOKS_DIR}${args.only ? ` matching ${args.only.join(", ")}` : ""}.`);
  return notebooks;
}

/** Lists what a render would execute; exit status 1 if anything (a source, lib/ or the profile changed). */
function check(args: Args): number {
  const code = codeDigest(PROJECT_ROOT);
  const plans = names(args).map((name) => planNotebook(NOTEBOOKS_DIR, name, code, args.profile)).map((p) => ({ ...p, runs: args.force || !p.frozen }));
  for (const p of plans) console.log(`${p.name}: ${p.runs ? `would be executed (profile ${p.profile})` : `frozen (${p.profile})`}`);
  return plans.some((p) => p.runs) ? 1 : 0;
}

function executeAll(args: Args): void {
  const reason = jupyterUnavailableReason();
  if (reason) throw new Error(`Cannot execute notebooks: ${reason}`);
  writeKernelSpec();
  const code = codeDigest(PROJECT_ROOT);
  const notebooks = names(args);
  notebooks.forEach((name, i) => {
    const { file, profile, hash, frozen } = planNotebook(NOTEBOOKS_DIR, name, code, args.profile);
    const tag = `[${i + 1}/${notebooks.length}] ${name}`;
    if (!args.force && frozen) {
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

/**
 * Trains or loads the explorer's models under the profiles notebooks 04 and 05 ran with, and stages
 * them in images/generated/explorer/ (a book resource).
 */
async function stageExplorer(): Promise<void> {
  const code = codeDigest(PROJECT_ROOT);
  const profileOf = (prefix: string) => currentProfile(planNotebook(NOTEBOOKS_DIR, notebookNames(NOTEBOOKS_DIR, [prefix])[0], code).profile);
  console.log("explorer: the models of notebooks 04 and 05 (trained on the first render of a fresh clone)");
  const engine = await selectEngine({ log: () => {} });
  const data = await explorerModels({ vae: profileOf("04"), gan: profileOf("05") }, console.log);
  const bytes = await writeExplorer(path.join(PROJECT_ROOT, "images", "generated"), data);
  data.models.forEach((m) => m.model.dispose());
  console.log(`explorer: ${data.models.length} models staged on ${engine.name}, ${(bytes / 1e6).toFixed(1)} MB`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.check) process.exit(check(args));
  const start = Date.now();
  executeAll(args);
  if (args.explorer) await stageExplorer();
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

main().catch((err: Error) => {
  console.error(`render: ${err.message}`);
  process.exit(1);
});
