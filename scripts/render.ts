/**
 * npm run render [-- --profile quick|full] [--force] [--only NAME]
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
import { executeNotebook, jupyterEnv, jupyterUnavailableReason, pythonPath, writeKernelSpec } from "./jupyter";

const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");
const BOOK_DIR = path.join(PROJECT_ROOT, "_book");
const PROFILES = ["quick", "full"];

interface Args {
  profile: string;
  force: boolean;
  only?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { profile: process.env.VAE_GAN_PROFILE ?? "quick", force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--force") args.force = true;
    else if (a === "--profile") args.profile = argv[++i] ?? "";
    else if (a === "--only") args.only = argv[++i];
    else throw new Error(`Unknown option ${a}. Usage: npm run render -- [--profile ${PROFILES.join("|")}] [--force] [--only NAME]`);
  }
  if (!PROFILES.includes(args.profile)) throw new Error(`Unknown profile "${args.profile}". Valid profiles: ${PROFILES.join(", ")}.`);
  return args;
}

function listFiles(dir: string, skip: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (skip.test(p)) return [];
    return e.isDirectory() ? listFiles(p, skip) : [p];
  }).sort();
}

/** Hash of what an execution depends on: the notebook's sources, lib/, the lock file and the profile. */
function freezeHash(nb: NotebookJson, profile: string, libHash: string): string {
  const h = crypto.createHash("sha256").update(profile).update(libHash);
  for (const c of nb.cells) h.update(c.cell_type).update(Array.isArray(c.source) ? c.source.join("") : c.source);
  return h.digest("hex").slice(0, 16);
}

interface NotebookJson {
  cells: { cell_type: string; source: string | string[] }[];
  metadata: Record<string, unknown> & { vae_gan?: { freeze?: string; profile?: string; seconds?: number } };
}

function readNotebook(file: string): NotebookJson {
  return JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
}

function executeAll(args: Args): string[] {
  const reason = jupyterUnavailableReason();
  if (reason) throw new Error(`Cannot execute notebooks: ${reason}`);
  writeKernelSpec();
  const libHash = crypto.createHash("sha256");
  for (const f of [...listFiles(path.join(PROJECT_ROOT, "lib"), /native\/build|\.md$/), path.join(PROJECT_ROOT, "package-lock.json")]) libHash.update(f).update(fs.readFileSync(f));
  const libDigest = libHash.digest("hex");
  const notebooks = fs.readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith(".ipynb") && (!args.only || f.startsWith(args.only))).sort();
  if (notebooks.length === 0) throw new Error(`No notebook in ${NOTEBOOKS_DIR}${args.only ? ` matching "${args.only}"` : ""}.`);
  notebooks.forEach((name, i) => {
    const file = path.join(NOTEBOOKS_DIR, name);
    const hash = freezeHash(readNotebook(file), args.profile, libDigest);
    const tag = `[${i + 1}/${notebooks.length}] ${name}`;
    if (!args.force && readNotebook(file).metadata.vae_gan?.freeze === hash) {
      console.log(`${tag}: unchanged since its last execution (${args.profile}), kept`);
      return;
    }
    console.log(`${tag}: executing (profile ${args.profile}) …`);
    const result = executeNotebook(file, { env: { [RENDER_ENV]: "1", VAE_GAN_PROFILE: args.profile } });
    if (!result.ok) throw new Error(`${name} failed after ${result.seconds.toFixed(1)} s:\n${result.stderr}`);
    const nb = readNotebook(file);
    nb.metadata.vae_gan = { freeze: hash, profile: args.profile };
    fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
    console.log(`${tag}: executed in ${result.seconds.toFixed(1)} s`);
  });
  return notebooks.map((n) => path.join(NOTEBOOKS_DIR, n));
}

/** plotly.js once per page, with AMD `define` hidden so nbconvert's require.js does not capture it. */
function plotlyScript(): string {
  const src = fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return `<script>var __define = window.define; window.define = undefined;</script>\n<script>${src}</script>\n<script>window.define = __define;</script>\n`;
}

/** Interim HTML: each notebook converted by nbconvert, plus an index page. */
function renderNotebooksHtml(notebooks: string[]): void {
  const outDir = path.join(BOOK_DIR, "notebooks");
  fs.mkdirSync(outDir, { recursive: true });
  const plotly = plotlyScript();
  const links: string[] = [];
  for (const nb of notebooks) {
    const base = path.basename(nb, ".ipynb");
    const run = spawnSync(pythonPath(), ["-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", outDir, nb], { env: jupyterEnv(), encoding: "utf8" });
    if (run.status !== 0) throw new Error(`nbconvert failed on ${nb}:\n${run.stderr}`);
    const html = path.join(outDir, base + ".html");
    fs.writeFileSync(html, fs.readFileSync(html, "utf8").replace("</head>", () => plotly + "</head>"));
    links.push(`<li><a href="notebooks/${base}.html">${base}</a></li>`);
  }
  fs.writeFileSync(path.join(BOOK_DIR, "index.html"), `<!doctype html><meta charset="utf-8"><title>vae-gan notebooks</title><h1>vae-gan: notebooks</h1><ul>${links.join("")}</ul>\n`);
  console.log(`HTML: ${path.join(BOOK_DIR, "index.html")}`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const start = Date.now();
  const notebooks = executeAll(args);
  const quarto = spawnSync("quarto", ["--version"], { encoding: "utf8" });
  if (!quarto.error && quarto.status === 0) {
    console.log(`quarto ${quarto.stdout.trim()} found: quarto render`);
    const run = spawnSync("quarto", ["render"], { cwd: PROJECT_ROOT, stdio: "inherit", env: jupyterEnv({ [RENDER_ENV]: "1", VAE_GAN_PROFILE: args.profile }) });
    if (run.status !== 0) throw new Error("quarto render failed (see above).");
  } else {
    console.log("quarto not on PATH: rendering the executed notebooks to HTML with nbconvert");
    renderNotebooksHtml(notebooks);
    console.log("Not yet here: the thesis book from _quarto.yml (theory chapters, citations, PDF) — the report issue adds it to this renderer.");
  }
  console.log(`render done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (err) {
  console.error(`render: ${(err as Error).message}`);
  process.exit(1);
}
