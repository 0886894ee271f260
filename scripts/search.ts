/**
 * npm run search -- <model> --trials N [--sampler tpe|random] [--seed s] [--name search]
 *                   [--config file.json] [--set key=value ...] [--runs-dir dir] [--engine name]
 *
 * Searches the learning rate, batch size and Adam's β1 of a model at the budget the configuration
 * sets (e.g. --set training.numEpochs=1 --set data.trainSize=20000). Each trial is a run in
 * runs/<search>/trial-NN/; the folder also gets search.json, results.json, results.md and figures.
 * Running the same command again continues an interrupted search; Ctrl-C checkpoints the current trial.
 */
import * as fs from "fs";
import * as path from "path";
import { ENGINE_ENV, selectEngine } from "../lib/engine/ladder";
import { runMain, stopOnCtrlC } from "./cli";
import { ConfigError, parseAssignments, readConfigFile } from "../lib/core/config";
import { searchFigure } from "../lib/runs/figures";
import { modelConfig, RUN_MODELS, runModel } from "../lib/experiments/index";
import { TRACKED_RUNS_DIR } from "../lib/runs/run-folder";
import { runSearch, Sampler, SAMPLERS, searchTable } from "../lib/runs/search";
import { progressCallbacks } from "../lib/train/progress";
import { saveFigure } from "../lib/viz/figure";

const USAGE = `Usage: npm run search -- <model> --trials N [--sampler ${SAMPLERS.join("|")}] [--seed s] [--name search] [--config file.json] [--set key=value ...] [--runs-dir dir] [--engine name]
Models: ${RUN_MODELS.join(", ")}.`;

function parseArgs(argv: string[]) {
  const a = { model: undefined as string | undefined, trials: NaN, sampler: "tpe" as string, seed: 1, name: undefined as string | undefined, config: undefined as string | undefined, sets: [] as string[], root: TRACKED_RUNS_DIR, engine: undefined as string | undefined };
  const value = (i: number, flag: string) => {
    if (argv[i] === undefined || argv[i].startsWith("--")) throw new ConfigError(`${flag} needs a value.\n${USAGE}`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === "--trials") a.trials = Number(value(++i, x));
    else if (x === "--sampler") a.sampler = value(++i, x);
    else if (x === "--seed") a.seed = Number(value(++i, x));
    else if (x === "--name") a.name = value(++i, x);
    else if (x === "--config") a.config = value(++i, x);
    else if (x === "--set") a.sets.push(value(++i, x));
    else if (x === "--runs-dir") a.root = value(++i, x);
    else if (x === "--engine") a.engine = value(++i, x);
    else if (x === "--help" || x === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (!x.startsWith("--") && a.model === undefined) a.model = x;
    else throw new ConfigError(`Unknown argument "${x}".\n${USAGE}`);
  }
  if (!Number.isInteger(a.trials) || a.trials < 1) throw new ConfigError(`--trials must be a positive integer.\n${USAGE}`);
  if (!(SAMPLERS as readonly string[]).includes(a.sampler)) throw new ConfigError(`Unknown sampler "${a.sampler}"; samplers: ${SAMPLERS.join(", ")}.`);
  if (!Number.isInteger(a.seed) || a.seed < 0) throw new ConfigError("--seed must be a non-negative integer.");
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.engine) process.env[ENGINE_ENV] = args.engine;
  const model = runModel(args.model);
  const file = args.config ? readConfigFile(args.config) : {};
  const base = modelConfig(model, file, parseAssignments(args.sets));
  const engine = await selectEngine({ log: () => {} });
  const name = args.name ?? `search-${model}-${args.sampler}-seed${args.seed}`;
  console.error(`search ${name}: ${args.trials} trials of ${model} (${args.sampler}) on engine ${engine.name}`);
  const signal = stopOnCtrlC("Stopping after this step and checkpointing the trial");
  const result = await runSearch({
    model, base, trials: args.trials, sampler: args.sampler as Sampler, seed: args.seed, name, root: args.root,
    signal, callbacks: (i) => [progressCallbacks({ label: `trial ${i}` })], runsRoot: args.root, log: (l) => console.error(l),
  });
  const table = searchTable(result);
  const markdown = [`| ${table.header.join(" | ")} |`, `|${table.header.map(() => "---").join("|")}|`, ...table.rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  fs.writeFileSync(path.join(result.dir, "results.md"), markdown + "\n");
  if (result.trials.some((t) => t.value !== null)) saveFigure(await searchFigure(result, { title: `${model}: ${result.objective} by learning rate and batch size` }), "objective", result.dir);
  console.log(markdown);
  if (result.stopped) {
    console.error(`Stopped. Continue with the same command (--name ${name}).`);
    return 130;
  }
  console.log(result.best ? `best: ${result.best.run} (${result.objective} ${result.best.value?.toPrecision(4)}); folder ${result.dir}` : "no trial finished");
  return 0;
}

runMain(main);
