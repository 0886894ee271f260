/**
 * The one flag parser of every command line (render, train, search, bench, build:native). A flag
 * that takes a value rejects a missing, empty or blank one with an error naming the flag, so
 * `--profile` at the end of a line can never mean "the default"; unknown flags and surplus words
 * are errors too. All these errors are UsageErrors: the commands exit with status 2.
 */
import { UserInputError } from "../lib/core/errors";

export class UsageError extends UserInputError {
  override name = "UsageError";
}

/** `boolean`: present or not; `string`: one value (the last one given wins); `strings`: repeatable. */
export interface FlagSpec {
  kind: "boolean" | "string" | "strings";
  /** Allowed values of a `string` flag. */
  choices?: readonly string[];
}

export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]: S[K]["kind"] extends "boolean" ? boolean : S[K]["kind"] extends "strings" ? string[] : string | undefined;
};

export interface ParsedArgs<S extends Record<string, FlagSpec>> {
  flags: FlagValues<S>;
  /** Words that are not flags, in order. */
  positionals: string[];
  /** `--help` or `-h` was given. */
  help: boolean;
}

/**
 * Parses `argv` against `spec` (flag names without the leading `--`). Values follow their flag
 * (`--profile full`) or are joined to it (`--profile=full`); a word starting with `--` is never
 * taken as a value. `usage` ends every error message; `maxPositionals` bounds the plain words.
 */
export function parseArgs<S extends Record<string, FlagSpec>>(argv: readonly string[], spec: S, usage: string, maxPositionals = 0): ParsedArgs<S> {
  const flags: Record<string, boolean | string | string[] | undefined> = {};
  for (const [name, s] of Object.entries(spec)) flags[name] = s.kind === "boolean" ? false : s.kind === "strings" ? [] : undefined;
  const positionals: string[] = [];
  let help = false;
  const fail = (problem: string): never => {
    throw new UsageError(`${problem}\n${usage}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--help" || word === "-h") {
      help = true;
      continue;
    }
    if (!word.startsWith("--")) {
      if (positionals.length >= maxPositionals) fail(`Unexpected argument "${word}".`);
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const s = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (!s) fail(`Unknown option --${name}.`);
    const flag = `--${name}`;
    if (s!.kind === "boolean") {
      if (eq >= 0) fail(`${flag} takes no value (got "${word.slice(eq + 1)}").`);
      flags[name] = true;
      continue;
    }
    const choices = s!.choices ? ` (${s!.choices.join("|")})` : "";
    let value: string;
    if (eq >= 0) value = word.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) fail(`${flag} needs a value${choices}.`);
      value = next!;
      i++;
    }
    if (value.trim() === "") fail(`${flag} needs a value${choices}, got an empty one.`);
    value = value.trim();
    if (s!.choices && !s!.choices.includes(value)) fail(`${flag} must be one of ${s!.choices.join(", ")}; got "${value}".`);
    if (s!.kind === "strings") (flags[name] as string[]).push(value);
    else flags[name] = value;
  }
  return { flags: flags as FlagValues<S>, positionals, help };
}

/** The number a flag's text holds, checked: `integer` and a lower bound `min` (inclusive). */
export function numberFlag(flag: string, text: string, rule: { integer?: boolean; min?: number; above?: number } = {}): number {
  const value = Number(text);
  const what = `${rule.integer ? "an integer" : "a number"}${rule.min !== undefined ? ` ≥ ${rule.min}` : ""}${rule.above !== undefined ? ` > ${rule.above}` : ""}`;
  const bad = !Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || (rule.min !== undefined && value < rule.min) || (rule.above !== undefined && value <= rule.above);
  if (bad) throw new UsageError(`${flag} must be ${what}; got "${text}".`);
  return value;
}
