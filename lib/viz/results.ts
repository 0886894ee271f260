/**
 * Key results travel inside the executed notebooks: each chapter notebook ends with a results table
 * whose output also carries the numbers as JSON, and the results chapter reads them from the
 * notebook files. The committed notebooks hold them, so the chapter needs no training data or cache.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../paths";
import { Figure, tableFigure } from "./figure";
import { NotebookResults, RESULTS_MIME } from "./results-types";

export * from "./results-types";

/** The results table of a notebook (label, value); numbers with `digits` significant digits. */
export function resultsFigure(results: NotebookResults, digits = 4): Figure {
  const table = tableFigure(["result", "value"], Object.values(results).map((r) => [r.label, r.value]), digits);
  return { kind: "results", html: (table as { html: string }).html, text: (table as { text: string }).text, results };
}

type Output = { data?: Record<string, unknown> };
type Notebook = { cells: { cell_type: string; outputs?: Output[] }[] };

/** The results a notebook file holds; a notebook without them says how to produce them. */
export function readNotebookResults(file: string): NotebookResults {
  let nb: Notebook;
  try {
    nb = JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
  } catch (err) {
    throw new Error(`${file}: cannot read the notebook (${(err as Error).message}).`);
  }
  const found = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[RESULTS_MIME]);
  if (found.length === 0) throw new Error(`${file} holds no results output: execute it first (npm run render -- --only ${path.basename(file).slice(0, 2)}).`);
  return Object.assign({}, ...found.map((o) => o.data![RESULTS_MIME] as NotebookResults));
}

/** Where `notebookResults` reads executed notebooks: $VAE_GAN_RESULTS_DIR (tests), else notebooks/. */
export const RESULTS_DIR_ENV = "VAE_GAN_RESULTS_DIR";

/** The results of the executed notebook `name` (e.g. `05-vae-pretrained-gan`). */
export function notebookResults(name: string): NotebookResults {
  return readNotebookResults(path.join(process.env[RESULTS_DIR_ENV] || path.join(PROJECT_ROOT, "notebooks"), `${name}.ipynb`));
}
