/**
 * Which trained models the book's explorer shows, and where they come from: the main VAE and the 2-D
 * VAE of notebook 04 (the same cached trainings the notebook makes, so a machine that executed it only
 * loads them), and one seed of the pretraining study's scratch and G-from-VAE arms (notebook 05), plus
 * whichever of its other pretrained arms has the lower mean final FD so far, at their last step and at
 * an early one. The early generators replay the first steps of the same runs (data
 * order and noise derive from the seed and the step, so they are the weights those runs had then).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ganExperiment, GanExperimentConfig, GanData } from "../../lib/experiments/gan";
import { readStudyRuns } from "../../lib/studies/state";
import { studyPlan } from "../../lib/studies/study";
import { trainSpec } from "../../lib/studies/train-spec";
import { profileConfig } from "../../lib/experiments/experiment";
import { vaeExperiment } from "../../lib/experiments/vae";
import { Profile } from "../../lib/profiles";
import { relativeToProject } from "../../lib/paths";
import { encodeDataset } from "../../lib/train/evaluate";
import { loadModel, writeModel } from "../../lib/train/model-io";
import { cacheDir } from "../../lib/train/run-cache";
import { ExplorerData, ExplorerModel } from "./explorer";

/** The study seed whose GANs the explorer shows (any seed would do; each arm has its own run per seed). */
export const EXPLORER_SEED = 3;
/** The pretrained arms besides G-from-VAE, of which the explorer also shows the better one. */
const OTHER_ARMS = [{ arm: "ae-g", title: "GAN from a plain AE" }, { arm: "vae-gd", title: "GAN with G and D from the VAE" }];

/** Test codes drawn on the 2-D plane (of 10,000): enough to show every class's region. */
const PLANE_POINTS = 3000;

/**
 * The generator a GAN run has after `step` steps: trained once into a cache folder of its own (the run
 * is stopped at that step), loaded from there afterwards. The explorer's early step is the first
 * evaluation of the study's runs (`evaluate.every`: 250 under `full`), where the arms differ most.
 */
async function generatorAtStep(config: GanExperimentConfig, data: GanData, name: string, step: number, runsRoot: string): Promise<tf.LayersModel> {
  const dir = cacheDir(`${name}-step${step}`, { config, step });
  const saved = path.join(dir, "generator");
  if (fs.existsSync(path.join(saved, "model.json"))) return loadModel(saved);
  const stop = new AbortController();
  const scratch = path.join(dir, "run");
  const run = await ganExperiment.run(config, data, { name, dir: scratch, runsRoot, signal: stop.signal, callbacks: [{ onBatchEnd: ({ epoch, step: s, stepsPerEpoch }) => void (epoch * stepsPerEpoch + s >= step && stop.abort()) }] });
  fs.mkdirSync(saved, { recursive: true });
  await writeModel(run.generator, saved);
  run.discriminator.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
  return run.generator;
}

/**
 * Trains or loads the explorer's models under the profiles notebooks 04 and 05 were executed with:
 * notebook 04's through its experiment definitions and cache names, the GANs from the study's folders.
 */
export async function explorerModels(profiles: { vae: Profile; gan: Profile }, log: (line: string) => void): Promise<ExplorerData> {
  const models: ExplorerModel[] = [];
  const say = (what: string, source: string) => log(`  explorer: ${what} ${source === "cache" ? "loaded from the cache" : source}`);
  const steps = (epochs: number, batchSize: number, trainSize: number) => epochs * Math.floor(trainSize / batchSize);

  const config = profileConfig(vaeExperiment, profiles.vae);
  const data = await vaeExperiment.loadData(config);
  const vae = await vaeExperiment.run(config, data);
  say("VAE (notebook 04)", vae.source);
  const vaeMeta = { notebook: "04-variational-autoencoder", run: relativeToProject(vae.dir), latentDim: config.model.latentDim, imageShape: [...data.train.imageShape], pixelRange: [0, 1] as [number, number] };
  models.push({ key: "vae", model: vae.decoder, meta: { ...vaeMeta, title: "VAE decoder", step: steps(vae.epochs.length, config.training.batchSize, data.train.size) } });

  // Notebook 04's 2-D VAE: the main one's settings with a 2-D code and 8 epochs under `full`.
  const config2d = { ...config, model: { ...config.model, latentDim: 2 }, training: { ...config.training, numEpochs: profiles.vae.scale.epochs(8) } };
  const vae2d = await vaeExperiment.run(config2d, data);
  say("2-D VAE (notebook 04)", vae2d.source);
  models.push({ key: "vae2d", model: vae2d.decoder, meta: { ...vaeMeta, run: relativeToProject(vae2d.dir), title: "2-D VAE decoder", step: steps(vae2d.epochs.length, config.training.batchSize, data.train.size), latentDim: 2 } });
  const test = data.test.subset(Math.min(PLANE_POINTS, data.test.size), 0);
  const { codes } = encodeDataset(vae2d.encoder, test);
  const points = Array.from({ length: test.size }, (_, i) => [codes[2 * i], codes[2 * i + 1], test.labels![i]] as [number, number, number]);
  // The plane spans 99% of the codes (a few outliers would shrink the rest to a corner), and at least ±2.
  const radii = points.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y))).sort((a, b) => a - b);
  const extent = Math.max(2, Math.ceil(radii[Math.floor(0.99 * (radii.length - 1))] * 2) / 2);

  // One seed of the pretraining study's arms (notebook 05): the study's own run folders, trained there by
  // the study's code when this machine does not hold their weights.
  const { plan, dirs } = studyPlan("pretraining", { profile: profiles.gan });
  const spec = (run: string) => plan.runs.find((r) => r.run === run)!;
  const finalModel = async (run: string, part: string): Promise<tf.LayersModel> => {
    const saved = path.join(dirs.runs, run, "final", part);
    // The autoencoder's weights too: the early generator replays the run's first steps from them.
    for (const need of spec(run).needs) if (!fs.existsSync(path.join(dirs.runs, need, "final"))) await trainSpec(spec(need), { root: dirs.runs, log });
    if (!fs.existsSync(path.join(saved, "model.json"))) await trainSpec(spec(run), { root: dirs.runs, log });
    say(`${run} (study pretraining)`, "from its run folder");
    return loadModel(saved);
  };
  const other = bestOtherArm(readStudyRuns(plan, dirs));
  const arms = [{ key: "gan-scratch", arm: "scratch", title: "GAN from scratch" }, { key: "gan-pretrained", arm: "vae-g", title: "GAN from the VAE" }, ...(other ? [{ key: "gan-other", ...other }] : [])];
  for (const arm of arms) {
    const run = `fm-${arm.arm}-s${EXPLORER_SEED}`;
    const armConfig = spec(run).config as unknown as GanExperimentConfig;
    const ganData = await ganExperiment.loadData(armConfig);
    const meta = { notebook: "05-vae-pretrained-gan", latentDim: armConfig.model.latentDim, imageShape: [...ganData.train.imageShape], pixelRange: [-1, 1] as [number, number] };
    const generator = await finalModel(run, "generator");
    const early = armConfig.evaluate.every;
    models.push({ key: `${arm.key}-early`, model: await generatorAtStep(armConfig, ganData, `explorer-${run}`, early, dirs.runs), meta: { ...meta, run, title: `${arm.title}, step ${early}`, step: early } });
    const last = steps(armConfig.training.numEpochs, armConfig.training.batchSize, ganData.train.size);
    models.push({ key: arm.key, model: generator, meta: { ...meta, run: relativeToProject(path.join(dirs.runs, run)), title: `${arm.title}, step ${last.toLocaleString("en-US")}`, step: last } });
  }
  return {
    models,
    compare: ["vae", ...arms.flatMap((a) => [`${a.key}-early`, a.key])],
    plane: { model: "vae2d", codes: points, classes: [...(test.classNames ?? Array.from({ length: 10 }, (_, i) => String(i)))], extent: [-extent, extent] },
  };
}

/**
 * Of the other pretrained arms, the one with the lower mean final FD over the Fashion-MNIST seeds the
 * study has finished for every one of them; none before any such seed exists.
 */
export function bestOtherArm(runs: { run: string; status: { state: string }; summary?: Record<string, unknown> }[]): (typeof OTHER_ARMS)[number] | undefined {
  const fd = new Map(runs.filter((r) => r.status.state === "finished" && typeof r.summary?.fd === "number").map((r) => [r.run, r.summary!.fd as number]));
  const seeds = [...new Set(runs.map((r) => /^fm-[a-z-]+-s(\d+)$/.exec(r.run)?.[1]).filter((s): s is string => s !== undefined))];
  const shared = seeds.filter((s) => OTHER_ARMS.every((a) => fd.has(`fm-${a.arm}-s${s}`)));
  if (shared.length === 0) return undefined;
  const mean = (arm: string) => shared.reduce((sum, s) => sum + fd.get(`fm-${arm}-s${s}`)!, 0) / shared.length;
  return OTHER_ARMS.reduce((best, a) => (mean(a.arm) < mean(best.arm) ? a : best));
}
