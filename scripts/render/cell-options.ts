/**
 * Quarto cell options: the `//| key: value` lines (YAML) at the top of a code cell — the comment of the
 * notebooks' language, TypeScript, as Quarto takes it (`#|` too, as in Python cells). The renderer honours
 * the display ones (label, captions, alt text, echo, code-fold); the freeze hash leaves them out, so a
 * caption added to a notebook that took hours to execute does not make it stale.
 */
import YAML from "yaml";

/** Options that change only how a cell is shown, never what it computes (Quarto's names). */
export const DISPLAY_OPTIONS: ReadonlySet<string> = new Set([
  "label", "fig-cap", "fig-alt", "fig-subcap", "fig-scap", "fig-align", "fig-pos", "fig-env", "fig-cap-location",
  "tbl-cap", "tbl-subcap", "tbl-colwidths", "tbl-cap-location", "lst-label", "lst-cap", "cap-location",
  "echo", "code-fold", "code-summary", "code-overflow", "code-line-numbers", "output-location",
  "include", "output", "classes", "column", "panel", "layout", "layout-ncol", "layout-nrow", "layout-align",
]);

/** Display options the renderer understands; a value list gives one entry per figure of the cell. */
export interface CellOptions {
  label?: string;
  "fig-cap"?: string | string[];
  "fig-alt"?: string | string[];
  echo?: boolean;
  "code-fold"?: boolean | "show";
  "code-summary"?: string;
  include?: boolean;
  output?: boolean;
  [key: string]: unknown;
}

/** One option as written: its key and its lines (the `//| key:` line and any indented continuation). */
interface OptionLines { key: string; lines: string[] }

const OPTION_LINE = /^(?:\/\/|#)\|\s?(.*)$/;

/** Splits a cell's source into its leading option lines, grouped per key, and the code after them. */
function split(source: string): { options: OptionLines[]; rest: string[] } {
  const lines = source.split(/(?<=\n)/);
  const options: OptionLines[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const m = OPTION_LINE.exec(lines[i].replace(/\r?\n$/, ""));
    if (!m) break;
    const key = /^([\w.-]+)\s*:/.exec(m[1]);
    // An indented or list line continues the option above it (a YAML block value).
    if (!key || /^\s/.test(m[1])) {
      if (options.length === 0) break;
      options[options.length - 1].lines.push(lines[i]);
    } else options.push({ key: key[1], lines: [lines[i]] });
  }
  return { options, rest: lines.slice(i) };
}

/**
 * The options and the code of a cell. A malformed option block is an error naming the cell, since a
 * silently dropped caption would go unnoticed until a reader misses it.
 */
export function parseCellOptions(source: string, where = "a code cell"): { options: CellOptions; code: string } {
  const { options, rest } = split(source);
  if (options.length === 0) return { options: {}, code: source };
  const yaml = options.flatMap((o) => o.lines).map((l) => OPTION_LINE.exec(l.replace(/\r?\n$/, ""))![1]).join("\n");
  let parsed: unknown;
  try {
    parsed = YAML.parse(yaml);
  } catch (err) {
    throw new Error(`${where}: its "//|" options are not valid YAML (${(err as Error).message.split("\n")[0]}); quote values that contain ": ".`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${where}: its "//|" lines must be "key: value" options.`);
  return { options: parsed as CellOptions, code: rest.join("") };
}

/** The source without its display-only option lines: what the freeze hash covers. */
export function executionSource(source: string): string {
  const { options, rest } = split(source);
  if (options.length === 0) return source;
  return options.filter((o) => !DISPLAY_OPTIONS.has(o.key)).flatMap((o) => o.lines).join("") + rest.join("");
}
