/**
 * Quarto-style freeze for `npm run render`: a notebook is re-executed only when the hash of what its
 * execution depends on changed. The hash is kept in the notebook's metadata (`vae_gan.freeze`).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nativeThreads } from "../../lib/engine/native";
import { sourceDigest } from "../../lib/core/code-digest";
import { RESULTS_MIME } from "../../lib/viz/results-types";
import { executionSource } from "./cell-options";

export interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: { data?: Record<string, unknown> }[] }[];
  metadata: Record<string, unknown> & { vae_gan?: { freeze?: string; profile?: string; seconds?: number; threads?: number } };
}

export function readNotebook(file: string): NotebookJson {
  return JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
}

/** The study layer: only notebooks that call into it depend on it (`usesStudies`). */
const STUDIES = path.join("lib", "studies");
const DIGEST_SKIP = /native\/build|\.md$/;
const DIGEST_SKIP_STUDIES = /native\/build|\.md$|^lib\/studies(\/|$)/;

/** What a notebook's freeze hash takes as its code: see `codeDigests`. */
export interface CodeDigests {
  /** lib/ (without the native build output and notes) and the lock file. */
  all: string;
  /** The same without lib/studies/, the top layer (nothing else in lib/ imports it). */
  withoutStudies: string;
  /** The names lib/studies/ exports: a notebook naming none of them never runs its code. */
  studyExports: string[];
}

/**
 * Digests of the code notebooks run. Paths enter relative to `root`, so a fresh clone anywhere finds
 * committed notebooks frozen. A study's definition changes as a study grows; leaving lib/studies/ out
 * for the notebooks that never call it keeps hours of unrelated training frozen.
 */
export function codeDigests(root: string): CodeDigests {
  const studies = path.join(root, STUDIES);
  const studyExports = fs.existsSync(studies)
    ? [...new Set(fs.readdirSync(studies).filter((f) => f.endsWith(".ts")).flatMap((f) => [...fs.readFileSync(path.join(studies, f), "utf8").matchAll(/^export (?:async )?(?:function|const|class|interface|type|enum) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1])))].sort()
    : [];
  return {
    all: sourceDigest({ root, entries: ["lib", "package-lock.json"], skip: DIGEST_SKIP }),
    withoutStudies: sourceDigest({ root, entries: ["lib", "package-lock.json"], skip: DIGEST_SKIP_STUDIES }),
    studyExports,
  };
}

/** True when a code cell of the notebook names something lib/studies/ exports (e.g. `vg.prepareStudy`). */
export function usesStudies(nb: NotebookJson, studyExports: string[]): boolean {
  const names = new Set(studyExports);
  return nb.cells.some((c) => c.cell_type === "code" && [...(Array.isArray(c.source) ? c.source.join("") : c.source).matchAll(/[A-Za-z_$][\w$]*/g)].some((m) => names.has(m[0])));
}

/**
 * Hash of what an execution depends on: the notebook's sources, the code digest and the profile;
 * for a notebook that reads other notebooks' results (the results chapter), also those results.
 * Display-only cell options (`//| fig-cap:`, `//| echo:` …) are left out: captioning a figure keeps
 * the notebook frozen, while `//| eval:` and code changes do not.
 */
export function freezeHash(nb: NotebookJson, profile: string, code: string, others: string[]): string {
  const h = crypto.createHash("sha256").update(profile).update(code);
  const sources = nb.cells.map((c) => {
    const source = Array.isArray(c.source) ? c.source.join("") : c.source;
    return c.cell_type === "code" ? executionSource(source) : source;
  });
  nb.cells.forEach((c, i) => h.update(c.cell_type).update(sources[i]));
  if (sources.some((s) => /notebookResults\(/i.test(s))) {
    for (const file of others) {
      const outputs = readNotebook(file).cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[RESULTS_MIME]);
      h.update(path.basename(file)).update(JSON.stringify(outputs.map((o) => o.data![RESULTS_MIME])));
    }
  }
  return h.digest("hex").slice(0, 16);
}

export interface NotebookPlan {
  name: string;
  file: string;
  /** The profile a render executes it under: the forced one, else the one it last ran with, else quick. */
  profile: string;
  /** The profile it was last executed with, if any. */
  lastProfile?: string;
  hash: string;
  /** Its stored hash matches: a render keeps it as it is. */
  frozen: boolean;
  /** How long its last execution took, when recorded. */
  seconds?: number;
  /** The native engine's thread count a render executes it with: VAE_GAN_NATIVE_THREADS, else the engine's
   * default. Only the speed depends on it (the engine's results have the same bits at any count). */
  threads: number;
}

/**
 * What a render does with notebook `name` of `dir` now. For the results chapter the hash covers the other
 * notebooks' current outputs, so a render plans each notebook when its turn comes.
 */
export function planNotebook(dir: string, name: string, code: CodeDigests, forcedProfile?: string, threadsEnv?: string): NotebookPlan {
  const file = path.join(dir, name);
  const nb = readNotebook(file);
  const last = nb.metadata.vae_gan;
  const profile = forcedProfile ?? last?.profile ?? "quick";
  const others = notebookNames(dir).filter((f) => f !== name).map((f) => path.join(dir, f));
  const hash = freezeHash(nb, profile, usesStudies(nb, code.studyExports) ? code.all : code.withoutStudies, others);
  const threads = nativeThreads(threadsEnv, os.availableParallelism());
  return { name, file, profile, lastProfile: last?.profile, hash, frozen: last?.freeze === hash, seconds: last?.seconds, threads };
}

/** The notebooks of `dir` whose names start with one of `only` (default all), sorted. */
export function notebookNames(dir: string, only?: string[]): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb") && (!only || only.some((p) => f.startsWith(p)))).sort();
}
