/**
 * npm run render [-- --profile quick|full] [--allow-downgrade] [--force] [--only 01,02] [--no-execute] [--no-pdf] [--no-explorer] [--check]
 *
 * Without --profile (or $VAE_GAN_PROFILE) each notebook keeps the profile it was last executed with,
 * so a render never silently replaces full-profile results with quick ones; a notebook never executed
 * uses `quick`. A forced profile below a notebook's last one (full → quick) is refused, before anything
 * executes, unless --allow-downgrade is given.
 *
 * 1. Executes the notebooks on the tslab kernel, skipping one whose source, lib/ and profile are
 *    unchanged since its last execution (the hash is kept in the notebook's metadata, like Quarto's freeze),
 *    each with the native thread count its outputs were made with ($VAE_GAN_NATIVE_THREADS overrides).
 *    `--no-execute` skips this step: the book shows the notebooks as committed, current or not.
 * 2. Trains or loads the explorer's models and stages them for the book (`--no-explorer` skips it).
 * 3. Renders the report: `quarto render` when Quarto is on PATH, else the project's own renderer.
 * `--check` only lists what a render would do: exit status 0 if nothing would execute, 1 if some
 * notebook would, 2 if the render would refuse (a downgrade) or the arguments are wrong.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readEnv } from "../lib/core/env";
import { selectEngine } from "../lib/engine/ladder";
import { PROJECT_ROOT } from "../lib/paths";
import { currentProfile, PROFILE_ENV, PROFILE_NAMES } from "../lib/profiles";
import { THREADS_ENV } from "../lib/engine/native";
import { formatDuration } from "../lib/train/progress";
import { FlagSpec, parseArgs as parseFlags, UsageError } from "./args";
import { runMain } from "./cli";
import { executeNotebook, jupyterEnv, jupyterUnavailableReason, writeKernelSpec } from "./jupyter";
import { renderBook } from "./render/book";
import { writeExplorer } from "./render/explorer";
import { explorerModels } from "./render/explorer-models";
import { codeDigests, NotebookPlan, notebookNames, planNotebook, readNotebook } from "./render/freeze";
import { writeDiagrams } from "./diagrams";

const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");
const USAGE = `Usage: npm run render -- [--profile ${PROFILE_NAMES.join("|")}] [--allow-downgrade] [--force] [--only 01,02] [--no-execute] [--no-pdf] [--no-explorer] [--check]`;

export interface Args {
  /** Forced profile; undefined = each notebook's last profile (quick if none). */
  profile?: string;
  /** Where the forced profile came from, for messages: `--profile` or `VAE_GAN_PROFILE`. */
  profileSource: string;
  /** Lets a forced profile replace results of a higher one (full → quick). */
  allowDowngrade: boolean;
  force: boolean;
  pdf: boolean;
  /** Notebook name prefixes to execute (e.g. `01,02`); default all. */
  only?: string[];
  check: boolean;
  explorer: boolean;
  /** Renders the committed notebooks as they are: nothing executes. */
  execute: boolean;
}

/** The flags of `npm run render`. */
export const RENDER_FLAGS = {
  profile: { kind: "string", choices: PROFILE_NAMES },
  "allow-downgrade": { kind: "boolean" },
  force: { kind: "boolean" },
  only: { kind: "string" },
  "no-pdf": { kind: "boolean" },
  "no-explorer": { kind: "boolean" },
  "no-execute": { kind: "boolean" },
  check: { kind: "boolean" },
} as const satisfies Record<string, FlagSpec>;

/** The command line of `npm run render` (and $VAE_GAN_PROFILE), checked; usage errors throw UsageError. */
export function parseRenderArgs(argv: string[]): Args {
  const { flags, help } = parseFlags(argv, RENDER_FLAGS, USAGE);
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  let profile = flags.profile;
  let profileSource = "--profile";
  if (profile === undefined) {
    profile = readEnv(PROFILE_ENV);
    profileSource = PROFILE_ENV;
    if (profile !== undefined && !(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new UsageError(`Unknown profile "${profile}" (from ${PROFILE_ENV}). Valid profiles: ${PROFILE_NAMES.join(", ")}.`);
    }
  }
  const only = flags.only?.split(",").map((s) => s.trim()).filter(Boolean);
  if (only && only.length === 0) throw new UsageError(`--only needs notebook name prefixes such as 01,02.\n${USAGE}`);
  if (flags["no-execute"] && (flags.force || only || flags.profile !== undefined)) {
    throw new UsageError(`--no-execute renders the notebooks as committed; --force, --only and --profile choose what executes.\n${USAGE}`);
  }
  return { profile, profileSource, allowDowngrade: flags["allow-downgrade"], force: flags.force, pdf: !flags["no-pdf"], only, check: flags.check, explorer: !flags["no-explorer"], execute: !flags["no-execute"] };
}

/** The profile a notebook last ran with, when the plan would replace it with a lower one. */
function downgradeFrom(plan: NotebookPlan, args: Args): string | undefined {
  const rank = (p: string | undefined) => (PROFILE_NAMES as readonly string[]).indexOf(p ?? "");
  return args.profile !== undefined && rank(plan.lastProfile) > rank(plan.profile) ? plan.lastProfile : undefined;
}

function downgradeRefusal(plans: NotebookPlan[], args: Args): string {
  return `${args.profileSource} ${args.profile} would replace the results of ${plans.map((p) => `${p.name} (${p.lastProfile})`).join(", ")} ` +
    `with ${args.profile}-profile ones. Give --allow-downgrade to do that, or ${args.profileSource === PROFILE_ENV ? `unset ${PROFILE_ENV}` : "drop --profile"} so each notebook keeps its profile.`;
}

const threadCount = (n: number) => `${n} native thread${n === 1 ? "" : "s"}`;

function names(args: Args): string[] {
  const notebooks = notebookNames(NOTEBOOKS_DIR, args.only);
  if (notebooks.length === 0) throw new (args.only ? UsageError : Error)(`No notebook in ${NOTEBOOKS_DIR}${args.only ? ` matching ${args.only.join(", ")}` : ""}.`);
  return notebooks;
}

/** Lists what a render would do; exit status 0 if nothing would execute, 1 if something would, 2 if it would refuse. */
function check(args: Args): number {
  const code = codeDigests(PROJECT_ROOT);
  const plans = names(args).map((name) => planNotebook(NOTEBOOKS_DIR, name, code, args.profile, readEnv(THREADS_ENV))).map((p) => ({ ...p, runs: args.force || !p.frozen }));
  const refused = plans.filter((p) => p.runs && downgradeFrom(p, args) && !args.allowDowngrade);
  for (const p of plans) {
    const status = refused.includes(p) ? `refused: would replace its ${p.lastProfile} results with ${p.profile} ones (--allow-downgrade to allow)`
      : p.runs ? `would be executed (profile ${p.profile}, ${threadCount(p.threads)})` : `frozen (${p.profile})`;
    console.log(`${p.name}: ${status}${p.seconds ? `; last execution took ${formatDuration(p.seconds)}` : ""}`);
  }
  if (refused.length) {
    console.error(downgradeRefusal(refused, args));
    return 2;
  }
  return plans.some((p) => p.runs) ? 1 : 0;
}

function executeAll(args: Args): void {
  const code = codeDigests(PROJECT_ROOT);
  const notebooks = names(args);
  // Refused before anything executes: a half-done render would already have replaced some results.
  const downgrades = notebooks.map((name) => planNotebook(NOTEBOOKS_DIR, name, code, args.profile)).filter((p) => (args.force || !p.frozen) && downgradeFrom(p, args));
  if (downgrades.length && !args.allowDowngrade) throw new UsageError(downgradeRefusal(downgrades, args));
  const reason = jupyterUnavailableReason();
  if (reason) throw new Error(`Cannot execute notebooks: ${reason}`);
  writeKernelSpec();
  notebooks.forEach((name, i) => {
    const { file, profile, hash, frozen, threads } = planNotebook(NOTEBOOKS_DIR, name, code, args.profile, readEnv(THREADS_ENV));
    const tag = `[${i + 1}/${notebooks.length}] ${name}`;
    if (!args.force && frozen) {
      console.log(`${tag}: unchanged since its last execution (${profile}), kept`);
      return;
    }
    console.log(`${tag}: executing (profile ${profile}, ${threadCount(threads)}) …`);
    // Under `full` one cell can train for hours (notebook 05's study: ~2.5 h on one core), so its cell timeout is long.
    const env = { [PROFILE_ENV]: profile, [THREADS_ENV]: String(threads) };
    const result = executeNotebook(file, { env, timeoutSeconds: profile === "full" ? 12 * 3600 : undefined });
    if (!result.ok) throw new Error(`${name} failed after ${result.seconds.toFixed(1)} s:\n${result.stderr}`);
    const nb = readNotebook(file);
    // The execution time is kept with the outputs (the README's table of render times reads it), and the thread
    // count, which the next execution reuses so that it reproduces these outputs.
    nb.metadata.vae_gan = { freeze: hash, profile, seconds: Math.round(result.seconds), threads };
    fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
    console.log(`${tag}: executed in ${result.seconds.toFixed(1)} s`);
  });
}

/**
 * Trains or loads the explorer's models under the profiles notebooks 04 and 05 ran with, and stages
 * them in images/generated/explorer/ (a book resource, see _quarto.yml).
 */
async function stageExplorer(): Promise<void> {
  const code = codeDigests(PROJECT_ROOT);
  const profileOf = (prefix: string) => currentProfile(planNotebook(NOTEBOOKS_DIR, notebookNames(NOTEBOOKS_DIR, [prefix])[0], code).profile);
  console.log("explorer: the models of notebooks 04 and 05 (trained on the first render of a fresh clone)");
  const engine = await selectEngine({ log: () => {} });
  const data = await explorerModels({ vae: profileOf("04"), gan: profileOf("05") }, console.log);
  const bytes = await writeExplorer(path.join(PROJECT_ROOT, "images", "generated"), data);
  data.models.forEach((m) => m.model.dispose());
  console.log(`explorer: ${data.models.length} models staged on ${engine.name}, ${(bytes / 1e6).toFixed(1)} MB`);
}

async function main(): Promise<number> {
  const args = parseRenderArgs(process.argv.slice(2));
  if (args.check) return check(args);
  const start = Date.now();
  if (args.execute) executeAll(args);
  else console.log("--no-execute: the notebooks as committed (npm run render -- --check tells which are current)");
  if (args.explorer) await stageExplorer();
  writeDiagrams(() => {});
  const quarto = spawnSync("quarto", ["--version"], { encoding: "utf8" });
  if (!quarto.error && quarto.status === 0) {
    console.log(`quarto ${quarto.stdout.trim()} found: quarto render`);
    const run = spawnSync("quarto", ["render"], { cwd: PROJECT_ROOT, stdio: "inherit", env: jupyterEnv() });
    if (run.status !== 0) throw new Error("quarto render failed (see above).");
  } else {
    console.log(`quarto not on PATH: rendering _quarto.yml with the project's renderer (pandoc, KaTeX${args.pdf ? ", Chromium for the PDF" : ""})`);
    renderBook({ pdf: args.pdf });
  }
  console.log(`render done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return 0;
}

if (require.main === module) runMain(main);
