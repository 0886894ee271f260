/**
 * Jupyter plumbing shared by setup, render and the tests: Debian's python3, the project's tslab
 * kernel spec (its launcher starts tslab in the project root) and headless notebook execution.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/paths";
import { readEnv } from "../lib/core/env";
import { PLOTLY_KERNEL_RESOURCE } from "../lib/viz/chart-output";

export const KERNEL_NAME = "tslab-vae-gan";
/** Project-local Jupyter data folder holding the kernel spec (ignored by git). */
export const JUPYTER_DIR = path.join(PROJECT_ROOT, ".jupyter");

/** Debian's interpreter (the `python3` first on PATH may lack Jupyter); `VAE_GAN_PYTHON` overrides. */
export function pythonPath(): string {
  return readEnv("VAE_GAN_PYTHON") ?? (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

/**
 * Writes the kernel spec under .jupyter/ (idempotent); returns its folder. The folder also holds plotly.js:
 * Jupyter serves a kernel spec's files, so chart outputs load it from there (viz/chart-output), not from
 * an output or the internet.
 */
export function writeKernelSpec(dir: string = JUPYTER_DIR): string {
  const specDir = path.join(dir, "kernels", KERNEL_NAME);
  fs.mkdirSync(specDir, { recursive: true });
  const spec = {
    argv: [process.execPath, path.join(PROJECT_ROOT, "scripts", "kernel.js"), "{connection_file}"],
    display_name: "TypeScript (tslab, vae-gan)",
    language: "typescript",
  };
  fs.writeFileSync(path.join(specDir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  const plotly = fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"));
  const copy = path.join(specDir, path.posix.basename(PLOTLY_KERNEL_RESOURCE));
  if (!fs.existsSync(copy) || !fs.readFileSync(copy).equals(plotly)) fs.writeFileSync(copy, plotly);
  return specDir;
}

/** Environment for Jupyter commands: finds the project kernel without a user-level install. */
export function jupyterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const paths = [JUPYTER_DIR, process.env.JUPYTER_PATH].filter(Boolean);
  return { ...process.env, JUPYTER_PATH: paths.join(path.delimiter), ...extra };
}

/** Why headless execution cannot run here, or null when it can. */
export function jupyterUnavailableReason(): string | null {
  const py = pythonPath();
  const probe = spawnSync(py, ["-c", "import nbclient, nbformat, jupyter_client"], { encoding: "utf8" });
  if (probe.error) return `${py} not found: install Debian's python3 (run npm run setup).`;
  if (probe.status !== 0) return `${py} lacks Jupyter (nbclient/nbformat/jupyter_client): run npm run setup, or apt-get install jupyter-nbconvert python3-nbclient jupyter-client.`;
  return null;
}

export interface ExecuteResult {
  ok: boolean;
  /** What the wrapper printed on failure: the failing cell, its stderr and error. */
  stderr: string;
  seconds: number;
}

/** Executes a notebook headless on the project kernel, writing outputs to `output` (default in place). */
export function executeNotebook(notebook: string, options: { output?: string; env?: Record<string, string>; timeoutSeconds?: number } = {}): ExecuteResult {
  writeKernelSpec();
  const start = Date.now();
  const args = [path.join(PROJECT_ROOT, "scripts", "execute_notebook.py"), notebook, "--kernel", KERNEL_NAME, "--cwd", PROJECT_ROOT, "--timeout", String(options.timeoutSeconds ?? 7200)];
  if (options.output) args.push("--output", options.output);
  const run = spawnSync(pythonPath(), args, { env: jupyterEnv(options.env), encoding: "utf8", maxBuffer: 64 << 20 });
  const stderr = run.error ? String(run.error) : run.stderr;
  return { ok: run.status === 0, stderr, seconds: (Date.now() - start) / 1000 };
}
