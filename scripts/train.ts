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
import { selectEngine, ENGINE_ENV } from "../lib/engine/ladder";
import { runMain, stopOnCtrlC } from "./cli";
import { ConfigError, parseAssignments, readConfigFile } from "../lib/core/config";
import { describeKeys, EXPERIMENTS, modelConfig, RUN_MODELS, runModel } from "../lib/experiments/index";
import { createRun, openRun, TRACKED_RUNS_DIR } from "../lib/runs/run-folder";
import { trainRun } from "../lib/runs/train-run";
import { checkpointProgress } from "../lib/train/run-cache";
import { progressCallbacks } from "../lib/train/progress";

const USAGE = `Usage:
  npm run train -- <model> [--config file.json] [--set key=value ...] [--name run] [--runs-dir dir] [--engine name]
  npm run train -- --resume <run> [--runs-dir dir] [--engine name]
  npm run train -- <model> --show-config
Models: ${RUN_MODELS.join(", ")}.`;

interface Args {
  model?: string;
  config?: string;
  sets: string[];
  name?: string;
  resume?: string;
  root: string;
  engine?: string;
  show: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sets: [], root: TRACKED_RUNS_DIR, show: false };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith("--")) throw new ConfigError(`${flag} needs a value.\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--config") args.config = value(++i, a);
    else if (a === "--set") args.sets.push(value(++i, a));
    else if (a === "--name") args.name = value(++i, a);
    else if (a === "--resume") args.resume = value(++i, a);
    else if (a === "--runs-dir") args.root = value(++i, a);
    else if (a === "--engine") args.engine = value(++i, a);
    else if (a === "--show-config") args.show = true;
    else if (a === "--help" || a === "-h") {
      console.log(`${USAGE}\n\n${RUN_MODELS.map((m) => `${m}: ${EXPERIMENTS[m].description}\n  keys: ${describeKeys(EXPERIMENTS[m])}`).join("\n")}`);
      process.exit(0);
    } else if (!a.startsWith("--") && args.model === undefined) args.model = a;
    else throw new ConfigError(`Unknown argument "${a}".\n${USAGE}`);
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.engine) process.env[ENGINE_ENV] = args.engine;
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
    await selectEngine({ log: () => {} });
    run = createRun({ model, config, name: args.name, root: args.root });
  }
  const engine = await selectEngine({ log: () => {} });
  console.error(`${run.name}: ${run.model} on engine ${engine.name}; folder ${run.dir}`);

  const signal = stopOnCtrlC("Stopping after this step and saving a checkpoint");
  const result = await trainRun({ run, signal, callbacks: [progressCallbacks({ label: run.name })], root: args.root, log: (l) => console.error(l) });
  if (result.stopped) {
    const at = checkpointProgress(run.dir);
    console.error(`Stopped; checkpoint after ${at?.epochs ?? 0} epochs and ${at?.step ?? 0} steps. Resume with: npm run train -- --resume ${run.name}`);
    return 130;
  }
  console.log(`${run.name} finished: ${Object.entries(result.summary ?? {}).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(", ")} (folder ${run.dir})`);
  return 0;
}

runMain(main);
