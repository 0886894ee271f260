/** Executes a notebook into a temporary file and reads back its outputs. */
import * as fs from "fs";
import * as path from "path";
import { executeNotebook, jupyterUnavailableReason } from "../../scripts/jupyter";
import { tempDir } from "./fixtures";

export interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }

/** Why notebook tests cannot run here (skipped locally, a failure in CI), or false. */
export function notebookSkip(): string | false {
  const reason = jupyterUnavailableReason();
  if (reason && process.env.CI) throw new Error(`CI must have Jupyter: ${reason}`);
  return reason ?? false;
}

export function outputText(o: Output): string {
  return Array.isArray(o.text) ? o.text.join("") : o.text ?? "";
}

/** Runs the notebook as `npm run render` does (quick profile); returns each cell's outputs. */
export function runNotebook(file: string, env: Record<string, string> = {}, outputDir: string = tempDir("nb")): Output[][] {
  const output = path.join(outputDir, path.basename(file));
  const result = executeNotebook(file, { output, env: { VAE_GAN_PROFILE: "quick", ...env } });
  if (!result.ok) throw new Error(`${path.basename(file)} failed:\n${result.stderr}`);
  const nb = JSON.parse(fs.readFileSync(output, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => c.outputs ?? []);
}
