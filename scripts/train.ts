/**
 * npm run train -- <model> [--config file.json] [--set key=value ...] [--name run] [--runs-dir dir] [--engine name]
 * npm run train -- --resume <run> [--runs-dir dir] [--engine name]
 * npm run train -- <model> --show-config      (the resolved configuration, without training)
 *
 * Trains a tracked run into runs/<name>/ (config.json, metrics.jsonl, checkpoints, sample grids).
 * Ctrl-C saves a checkpoint after the current step and exits with status 130; `--resume` continues
 * a stopped or killed run from its last checkpoint.
 */
import * as fs from "fs";
import { ENGINE_NAMES, selectEngine } from "../lib/engine/ladder";
import { FlagSpec, parseArgs as parseFlags } from "./args";
import { runMain, stopOnCtrlC } from "./cli";
import { ConfigError, parseAssignments, readConfigFile } from "../lib/core/config";
import { describeKeys, EXPERIMENTS, modelConfig, RUN_MODELS, runModel } from "../lib/experiments/index";
import { checkRunName, createRun, discardUnstartedRun, openRun, TRACKED_RUNS_DIR } from "../lib/runs/run-folder";
import { trainRun } from "../lib/runs/train-run";
import { checkpointProgress } from "../lib/train/run-cache";
import { progressCallbacks } from "../lib/train/progress";

const USAGE = `Usage:
  npm run train -- <model> [--config file.json] [--set key=value ...] [--name run] [--runs-dir dir] [--engine name]
  npm run train -- --resume <run> [--runs-dir dir] [--engine name]
  npm run train -- <model> --show-config
Models: ${RUN_MODELS.join(", ")}.`;

/** The flags of `npm run train`. */
export const TRAIN_FLAGS = {
  config: { kind: "string" }, set: { kind: "strings" }, name: { kind: "string" }, resume: { kind: "string" },
  "runs-dir": { kind: "string" }, engine: { kind: "string", choices: ENGINE_NAMES }, "show-config": { kind: "boolean" },
} as const satisfies Record<string, FlagSpec>;

/** The command line of `npm run train`, checked; usage errors throw UsageError. */
export function parseTrainArgs(argv: string[]) {
  const { flags, positionals, help } = parseFlags(argv, TRAIN_FLAGS, USAGE, 1);
  if (help) {
    console.log(`${USAGE}\n\n${RUN_MODELS.map((m) => `${m}: ${EXPERIMENTS[m].description}\n  keys: ${describeKeys(EXPERIMENTS[m])}`).join("\n")}`);
    process.exit(0);
  }
  if (flags.name !== undefined) checkRunName(flags.name, "--name");
  if (flags.resume !== undefined) checkRunName(flags.resume, "--resume");
  return { model: positionals[0], config: flags.config, sets: flags.set, name: flags.name, resume: flags.resume, root: flags["runs-dir"] ?? TRACKED_RUNS_DIR, engine: flags.engine, show: flags["show-config"] };
}

async function main(): Promise<number> {
  const args = parseTrainArgs(process.argv.slice(2));
  // The flag goes to selectEngine with its name, so an engine that cannot load is reported "(from --engine)".
  const engineChoice = { engine: args.engine, source: "--engine", log: () => {} };
  let run;
  if (args.resume) {
    if (args.config || args.sets.length || args.name) throw new ConfigError("--resume continues a run with its saved configuration: drop --config, --set and --name (start a new run to change them).");
    run = openRun(args.resume, args.root);
    if (args.model && args.model !== run.model) throw new ConfigError(`Run "${run.name}" is a ${run.model} run, not ${args.model}.`);
    if (fs.existsSync(`${run.dir}/summary.json`)) {
      console.log(`Run ${run.name} has finished: ${fs.readFileSync(`${run.dir}/summary.json`, "utf8").trim()}`);
      return 0;
    }
    if (!checkpointProgress(run.dir)) console.error(`${run.name}: no checkpoint yet, training from the start.`);
  } else {
    const model = runModel(args.model);
    const config = modelConfig(model, args.config ? readConfigFile(args.config) : {}, parseAssignments(args.sets));
    if (args.show) {
      console.log(JSON.stringify(config, null, 2));
      return 0;
    }
    await selectEngine(engineChoice);
    run = createRun({ model, config, name: args.name, root: args.root });
  }
  const engine = await selectEngine(engineChoice);
  console.error(`${run.name}: ${run.model} on engine ${engine.name}; folder ${run.dir}`);

  const signal = stopOnCtrlC("Stopping after this step and saving a checkpoint");
  let result;
  try {
    result = await trainRun({ run, signal, callbacks: [progressCallbacks({ label: run.name })], root: args.root, log: (l) => console.error(l) });
  } catch (err) {
    // A new run that failed before its first step (bad data, a bad init.vaeRun) leaves nothing to
    // resume: its folder goes, so the same --name works once the cause is fixed.
    if (!args.resume && discardUnstartedRun(run.dir)) console.error(`${run.name}: failed before training started; its folder was removed.`);
    throw err;
  }
  if (result.stopped) {
    const at = checkpointProgress(run.dir);
    console.error(`Stopped; checkpoint after ${at?.epochs ?? 0} epochs and ${at?.step ?? 0} steps. Resume with: npm run train -- --resume ${run.name}`);
    return 130;
  }
  console.log(`${run.name} finished: ${Object.entries(result.summary ?? {}).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(", ")} (folder ${run.dir})`);
  return 0;
}

if (require.main === module) runMain(main);
