/**
 * Which trained models the book's explorer shows, and where they come from: the main VAE and the 2-D
 * VAE of notebook 04 (the same cached trainings the notebook makes, so a machine that executed it only
 * loads them), and seed 1 of notebook 05's two GAN arms at their last step and at an early one. The
 * early generators replay the first steps of the same runs (data order and noise derive from the seed
 * and the step, so they are the weights those runs had then).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ganExperiment, GanExperimentConfig, GanData } from "../../lib/experiments/gan";
import { profileConfig } from "../../lib/experiments/experiment";
import { vaeExperiment } from "../../lib/experiments/vae";
import { Profile } from "../../lib/profiles";
import { relativeToProject } from "../../lib/paths";
import { encodeDataset } from "../../lib/train/evaluate";
import { loadModel, writeModel } from "../../lib/train/model-io";
import { cacheDir } from "../../lib/train/run-cache";
import { ExplorerData, ExplorerModel } from "./explorer";

/** Test codes drawn on the 2-D plane (of 10,000): enough to show every class's region. */
const PLANE_POINTS = 3000;

/**
 * The generator a GAN run has after `step` steps: trained once into a cache folder of its own (the run
 * is stopped at that step), loaded from there afterwards. The explorer's early step is the first
 * evaluation of notebook 05 (`evaluate.every`: 250 under `full`), where the arms differ most.
 */
async function generatorAtStep(config: GanExperimentConfig, data: GanData, name: string, step: number): Promise<tf.LayersModel> {
  const dir = cacheDir(`${name}-step${step}`, { config, step });
  const saved = path.join(dir, "generator");
  if (fs.existsSync(path.join(saved, "model.json"))) return loadModel(saved);
  const stop = new AbortController();
  const scratch = path.join(dir, "run");
  const run = await ganExperiment.run(config, data, { name, dir: scratch, signal: stop.signal, callbacks: [{ onBatchEnd: ({ epoch, step: s, stepsPerEpoch }) => void (epoch * stepsPerEpoch + s >= step && stop.abort()) }] });
  fs.mkdirSync(saved, { recursive: true });
  await writeModel(run.generator, saved);
  run.discriminator.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
  return run.generator;
}

/**
 * Trains or loads the explorer's models under the profiles notebooks 04 and 05 were executed with,
 * through the same experiment definitions and cache names, so a machine that executed them only loads.
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

  // Seed 1 of notebook 05's two arms, under the names and settings the notebook uses.
  const ganVae = profiles.gan.name === profiles.vae.name ? vae : await vaeExperiment.run(profileConfig(vaeExperiment, profiles.gan), await vaeExperiment.loadData(profileConfig(vaeExperiment, profiles.gan)));
  const ganConfig = profileConfig(ganExperiment, profiles.gan, { tracking: { samples: 10 } });
  const ganData = await ganExperiment.loadData(ganConfig);
  const meta = { notebook: "05-vae-pretrained-gan", latentDim: ganConfig.model.latentDim, imageShape: [...ganData.train.imageShape], pixelRange: [-1, 1] as [number, number] };
  for (const arm of [{ key: "gan-scratch", label: "scratch", title: "GAN from scratch", vaeRun: "" }, { key: "gan-pretrained", label: "vae-pretrained", title: "GAN from the VAE", vaeRun: ganVae.dir }]) {
    const armConfig = { ...ganConfig, seed: 1, init: { ...ganConfig.init, vaeRun: arm.vaeRun } };
    const name = `05-gan-${arm.label}-seed1`;
    const early = ganConfig.evaluate.every;
    models.push({ key: `${arm.key}-early`, model: await generatorAtStep(armConfig, ganData, name, early), meta: { ...meta, run: name, title: `${arm.title}, step ${early}`, step: early } });
    const run = await ganExperiment.run(armConfig, ganData, { name });
    say(`${arm.title} (seed 1)`, run.source);
    run.discriminator.dispose();
    const last = steps(run.epochs.length, armConfig.training.batchSize, ganData.train.size);
    models.push({ key: arm.key, model: run.generator, meta: { ...meta, run: relativeToProject(run.dir), title: `${arm.title}, step ${last.toLocaleString("en-US")}`, step: last } });
  }
  return {
    models,
    compare: ["vae", "gan-scratch-early", "gan-scratch", "gan-pretrained-early", "gan-pretrained"],
    plane: { model: "vae2d", codes: points, classes: [...(test.classNames ?? Array.from({ length: 10 }, (_, i) => String(i)))], extent: [-extent, extent] },
  };
}
