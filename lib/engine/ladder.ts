/**
 * The engine ladder: picks the fastest TensorFlow.js backend that loads on this machine.
 *
 * Order: tfjs-node-gpu → tfjs-node → native (our C++ addon) → wasm → cpu.
 * `VAE_GAN_ENGINE=<name>` forces one rung; a forced rung that cannot load is an error.
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { readEnv } from "../core/env";
import { UserInputError } from "../core/errors";

/** Names of the rungs, fastest first. */
export const ENGINE_NAMES = ["node-gpu", "node", "native", "wasm", "cpu"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Environment variable that forces one engine. */
export const ENGINE_ENV = "VAE_GAN_ENGINE";

/** One rung tried while climbing the ladder. */
export interface EngineAttempt {
  name: EngineName;
  ok: boolean;
  /** Why the rung was skipped (empty when it loaded). */
  reason: string;
}

/** What {@link selectEngine} chose, and why. */
export interface EngineInfo {
  name: EngineName;
  /** The tfjs backend name (`tensorflow`, `native`, `wasm`, `cpu`). */
  backend: string;
  forced: boolean;
  attempts: EngineAttempt[];
  /** One line for logs and notebooks, e.g. `engine: native (tfjs backend "native"); skipped node-gpu: …`. */
  summary: string;
}

export interface SelectEngineOptions {
  /** Force a rung; defaults to `process.env.VAE_GAN_ENGINE` (a blank one is an error). */
  engine?: string;
  /** Where `engine` came from, named in messages (e.g. `--engine`); default `options.engine`. */
  source?: string;
  /** Where the choice is reported; defaults to stderr. Pass `() => {}` to silence. */
  log?: (line: string) => void;
  /**
   * Loaders per rung, for tests. Each registers its backend and resolves to the tfjs backend
   * name, or throws with the reason it cannot load.
   */
  loaders?: Partial<Record<EngineName, () => Promise<string>>>;
}

function requireOptional(id: string): unknown {
  // A plain require keeps optional packages out of the type graph and lets a missing one throw.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(id);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0]!.trim();
}

async function loadTfjsNode(pkg: string): Promise<string> {
  try {
    requireOptional(pkg);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "MODULE_NOT_FOUND" && firstLine(err).includes(`'${pkg}'`)) {
      throw new Error(`${pkg} is not installed (optional dependency; its install step needs to download libtensorflow)`);
    }
    throw new Error(`${pkg} failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackend("tensorflow")) throw new Error(`${pkg} loaded but registered no "tensorflow" backend (two copies of tfjs-core?)`);
  return "tensorflow";
}

async function loadNative(): Promise<string> {
  // The module loads without the addon; registering is what needs the built .node file.
  const { registerNativeBackend } = await import("./native/index");
  return registerNativeBackend();
}

async function loadWasm(): Promise<string> {
  const wasm = requireOptional("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
  // Under Node the .wasm files are read from the package folder, never fetched.
  const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  wasm.setWasmPaths(dist + path.sep);
  const { registerWasmTrainingKernels } = await import("./wasm-kernels");
  registerWasmTrainingKernels();
  return "wasm";
}

const DEFAULT_LOADERS: Record<EngineName, () => Promise<string>> = {
  "node-gpu": () => loadTfjsNode("@tensorflow/tfjs-node-gpu"),
  node: () => loadTfjsNode("@tensorflow/tfjs-node"),
  native: loadNative,
  wasm: loadWasm,
  cpu: async () => "cpu",
};

function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

let current: EngineInfo | undefined;

/** The engine chosen by the last {@link selectEngine} call, if any. */
export function currentEngine(): EngineInfo | undefined {
  return current;
}

/**
 * Climbs the ladder and makes the first engine that loads the active tfjs backend.
 * Throws when a forced engine is unknown or cannot load.
 */
export async function selectEngine(options: SelectEngineOptions = {}): Promise<EngineInfo> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  const requested = (options.engine ?? readEnv(ENGINE_ENV) ?? "").trim();
  const source = options.engine !== undefined ? options.source ?? "options.engine" : ENGINE_ENV;
  if (requested && !isEngineName(requested)) {
    throw new UserInputError(`Unknown engine "${requested}" (from ${source}). Valid engines: ${ENGINE_NAMES.join(", ")}.`);
  }
  const rungs: EngineName[] = requested ? [requested as EngineName] : [...ENGINE_NAMES];
  const attempts: EngineAttempt[] = [];
  for (const name of rungs) {
    let backend: string;
    try {
      backend = await loaders[name]();
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error(`tfjs could not initialise backend "${backend}"`);
      await tf.ready();
      // The cpu backend prints an "install tfjs-node" banner on first use; the ladder already said what runs and why.
      const active = tf.backend() as { firstUse?: boolean };
      if ("firstUse" in active) active.firstUse = false;
    } catch (err) {
      attempts.push({ name, ok: false, reason: firstLine(err) });
      if (requested) {
        throw new Error(`Engine "${name}" was forced by ${source} but cannot load: ${firstLine(err)}. Remove ${source} to let the ladder choose, or pick one of: ${ENGINE_NAMES.join(", ")}.`);
      }
      continue;
    }
    attempts.push({ name, ok: true, reason: "" });
    const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.name} (${a.reason})`);
    const summary = `engine: ${name} (tfjs backend "${backend}"${requested ? `, forced by ${source}` : ""})` + (skipped.length ? `; skipped ${skipped.join("; ")}` : "");
    current = { name, backend, forced: Boolean(requested), attempts, summary };
    log(summary);
    return current;
  }
  // Unreachable in practice: the cpu rung always loads.
  throw new Error(`No TensorFlow.js engine could load: ${attempts.map((a) => `${a.name}: ${a.reason}`).join("; ")}`);
}
