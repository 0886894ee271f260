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
import { ENGINE_NAMES, selectEngine } from "../lib/engine/ladder";
import { FlagSpec, numberFlag, parseArgs as parseFlags, UsageError } from "./args";
import { runMain, stopOnCtrlC } from "./cli";
import { parseAssignments, readConfigFile } from "../lib/core/config";
import { searchFigure } from "../lib/runs/figures";
import { modelConfig, RUN_MODELS, runModel } from "../lib/experiments/index";
import { checkRunName, TRACKED_RUNS_DIR } from "../lib/runs/run-folder";
import { runSearch, Sampler, SAMPLERS, searchTable } from "../lib/runs/search";
import { progressCallbacks } from "../lib/train/progress";
import { saveFigure } from "../lib/viz/figure";

const USAGE = `Usage: npm run search -- <model> --trials N [--sampler ${SAMPLERS.join("|")}] [--seed s] [--name search] [--config file.json] [--set key=value ...] [--runs-dir dir] [--engine name]
Models: ${RUN_MODELS.join(", ")}.`;

/** The flags of `npm run search`. */
export const SEARCH_FLAGS = {
  trials: { kind: "string" }, sampler: { kind: "string", choices: SAMPLERS }, seed: { kind: "string" }, name: { kind: "string" },
  config: { kind: "string" }, set: { kind: "strings" }, "runs-dir": { kind: "string" }, engine: { kind: "string", choices: ENGINE_NAMES },
} as const satisfies Record<string, FlagSpec>;

/** The command line of `npm run search`, checked; usage errors throw UsageError. */
export function parseSearchArgs(argv: string[]) {
  const { flags, positionals, help } = parseFlags(argv, SEARCH_FLAGS, USAGE, 1);
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (flags.trials === undefined) throw new UsageError(`--trials is required.\n${USAGE}`);
  if (flags.name !== undefined) checkRunName(flags.name, "--name");
  return {
    model: positionals[0], trials: numberFlag("--trials", flags.trials, { integer: true, min: 1 }), sampler: flags.sampler ?? "tpe",
    seed: flags.seed === undefined ? 1 : numberFlag("--seed", flags.seed, { integer: true, min: 0 }), name: flags.name, config: flags.config,
    sets: flags.set, root: flags["runs-dir"] ?? TRACKED_RUNS_DIR, engine: flags.engine,
  };
}

async function main(): Promise<number> {
  const args = parseSearchArgs(process.argv.slice(2));
  const model = runModel(args.model);
  const file = args.config ? readConfigFile(args.config) : {};
  const base = modelConfig(model, file, parseAssignments(args.sets));
  const engine = await selectEngine({ engine: args.engine, source: "--engine", log: () => {} });
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

if (require.main === module) runMain(main);
