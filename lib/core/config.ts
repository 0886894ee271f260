/**
 * Run configurations as plain nested objects with defaults: a file or `--set key=value` overrides
 * change leaves only, and every mistake (unknown key, wrong type, impossible value) is an error
 * that names the key and lists the valid ones — a typo must never train the default silently.
 */
import * as fs from "fs";
import { UserInputError } from "./errors";

/** A leaf value of a configuration. */
export type ConfigValue = number | string | boolean | number[];
export interface ConfigObject {
  [key: string]: ConfigValue | ConfigObject;
}

/** What a leaf may hold besides its type (taken from its default). */
export interface Rule {
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive lower bound (learning rates: > 0). */
  above?: number;
  /** Exclusive upper bound (Adam's β1: < 1). */
  below?: number;
  oneOf?: readonly string[];
  /** A string that may be empty (paths); other strings must not be. */
  optional?: boolean;
}

export type Rules = Record<string, Rule>;

export class ConfigError extends UserInputError {
  override name = "ConfigError";
}

const isObject = (v: unknown): v is ConfigObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Leaves of a configuration by dotted key, in definition order: `training.learningRate` → 0.001. */
export function flattenConfig(config: ConfigObject, prefix = ""): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  for (const [k, v] of Object.entries(config)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) for (const [kk, vv] of flattenConfig(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "a list of numbers";
  return typeof v === "number" ? "a number" : typeof v === "boolean" ? "true or false" : typeof v === "string" ? "a string" : typeof v;
}

function unknownKey(key: string, valid: Iterable<string>, what: string): ConfigError {
  return new ConfigError(`Unknown config key "${key}" for ${what}. Valid keys: ${[...valid].join(", ")}.`);
}

/** Checks one value against the default's type and the key's rule; returns it typed. */
function checkValue(key: string, value: unknown, def: ConfigValue, rule: Rule = {}, text?: string): ConfigValue {
  const wrong = () => new ConfigError(`Config key "${key}" must be ${typeName(def)}, got ${JSON.stringify(text ?? value)}.`);
  if (Array.isArray(def)) {
    if (!Array.isArray(value) || value.some((x) => typeof x !== "number" || !Number.isFinite(x))) throw wrong();
    if (value.length === 0) throw new ConfigError(`Config key "${key}" must list at least one number.`);
    for (const x of value) checkNumber(key, x, rule);
    return value as number[];
  }
  if (typeof value !== typeof def) throw wrong();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw wrong();
    checkNumber(key, value, rule);
  }
  if (typeof value === "string") {
    if (rule.oneOf && !rule.oneOf.includes(value)) throw new ConfigError(`Config key "${key}" must be one of ${rule.oneOf.join(", ")}; got "${value}".`);
    if (!rule.optional && value === "") throw new ConfigError(`Config key "${key}" must not be empty.`);
  }
  return value as ConfigValue;
}

function checkNumber(key: string, x: number, rule: Rule): void {
  const fail = (what: string) => new ConfigError(`Config key "${key}" must be ${what}; got ${x}.`);
  if (rule.integer && !Number.isInteger(x)) throw fail("an integer");
  if (rule.min !== undefined && x < rule.min) throw fail(`≥ ${rule.min}`);
  if (rule.max !== undefined && x > rule.max) throw fail(`≤ ${rule.max}`);
  if (rule.above !== undefined && x <= rule.above) throw fail(`> ${rule.above}`);
  if (rule.below !== undefined && x >= rule.below) throw fail(`< ${rule.below}`);
}

/** Parses the text of `--set key=value` by the type of the key's default. */
function parseText(text: string, def: ConfigValue): unknown {
  if (typeof def === "number") return text.trim() === "" ? NaN : Number(text);
  if (typeof def === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (Array.isArray(def)) return text.split(",").map((t) => (t.trim() === "" ? NaN : Number(t)));
  return text;
}

function setPath(config: ConfigObject, key: string, value: ConfigValue): void {
  const parts = key.split(".");
  let node = config;
  for (const p of parts.slice(0, -1)) node = node[p] as ConfigObject;
  node[parts[parts.length - 1]] = value;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `["a.b=1", "c=x"]` → `{ "a.b": "1", c: "x" }`; a missing `=` is an error. */
export function parseAssignments(assignments: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--set expects key=value (e.g. --set training.learningRate=0.001), got "${a}".`);
    out[a.slice(0, eq).trim()] = a.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Resolves a configuration: defaults, then a (nested, partial) object such as a config file, then
 * `key=value` texts. `what` names the configuration in errors (e.g. `model "vae"`).
 */
export function resolveConfig<C extends ConfigObject>(defaults: C, rules: Rules, what: string, file: unknown = {}, sets: Record<string, string> = {}): C {
  const leaves = flattenConfig(defaults);
  const config = clone(defaults);
  if (!isObject(file)) throw new ConfigError(`The config file for ${what} must hold a JSON object, got ${typeName(file)}.`);
  const visit = (obj: ConfigObject, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isObject(v) && ![...leaves.keys()].some((l) => l.startsWith(key + "."))) throw unknownKey(key, leaves.keys(), what);
      if (isObject(v)) visit(v, key);
      else if (!leaves.has(key)) throw unknownKey(key, leaves.keys(), what);
      else setPath(config, key, checkValue(key, v, leaves.get(key)!, rules[key]));
    }
  };
  visit(file, "");
  for (const [key, text] of Object.entries(sets)) {
    if (!leaves.has(key)) throw unknownKey(key, leaves.keys(), what);
    setPath(config, key, checkValue(key, parseText(text, leaves.get(key)!), leaves.get(key)!, rules[key], text));
  }
  return config;
}

/** The JSON object of a config file; unreadable or invalid JSON is a ConfigError naming the file. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`Cannot read the config file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The config file ${file} is not valid JSON: ${(err as Error).message}.`);
  }
}
