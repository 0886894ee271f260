/**
 * Which trained models the book's explorer shows, and where they come from: the main VAE and the 2-D
 * VAE of notebook 04 (the same cached trainings the notebook makes, so a machine that executed it only
 * loads them), and seed 1 of notebook 05's two GAN arms at their last step and at an early one. The
 * GANs train here without the notebook's evaluations (which do not touch their weights), in cache
 * folders of their own; the early generators replay the first steps of the same runs (data order and
 * noise derive from the seed and the step, so they are the weights those runs had then).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { loadFashionMnist } from "../../lib/data/fashion-mnist";
import { mainVae, studyGan } from "../../lib/experiments";
import { Profile } from "../../lib/profiles";
import { relativeToProject } from "../../lib/paths";
import { encodeDataset } from "../../lib/train/evaluate";
import { fitVae } from "../../lib/train/fit";
import { fitGan, FitGanOptions } from "../../lib/train/fit-gan";
import { loadModel, writeModel } from "../../lib/train/model-io";
import { cacheDir } from "../../lib/train/run-cache";
import { ExplorerData, ExplorerModel } from "./explorer";

/** Test codes drawn on the 2-D plane (of 10,000): enough to show every class's region. */
const PLANE_POINTS = 3000;

/**
 * The generator `options` would have after `step` steps: trained once into a cache folder of its own
 * (the run is stopped at that step), loaded from there afterwards. The explorer's early step is the first evaluation of
 * notebook 05 (`profile.gan.evalEvery`: 250 under `full`), where the arms differ most.
 */
async function generatorAtStep(options: FitGanOptions, step: number): Promise<tf.LayersModel> {
  const dir = cacheDir(`${options.name}-step${step}`, { options: { ...options, train: options.train.name }, step });
  const saved = path.join(dir, "generator");
  if (fs.existsSync(path.join(saved, "model.json"))) return loadModel(saved);
  const stop = new AbortController();
  const scratch = path.join(dir, "run");
  const run = await fitGan({ ...options, run: { dir: scratch, signal: stop.signal }, callbacks: [{ onBatchEnd: ({ epoch, step: s, stepsPerEpoch }) => void (epoch * stepsPerEpoch + s >= step && stop.abort()) }] });
  fs.mkdirSync(saved, { recursive: true });
  await writeModel(run.generator, saved);
  run.discriminator.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
  return run.generator;
}

/**
 * Trains or loads the explorer's models under the profiles notebooks 04 and 05 were executed with.
 * `callbacks` report training progress (a fresh clone trains them: about an hour under `full`).
 */
export async function explorerModels(profiles: { vae: Profile; gan: Profile }, log: (line: string) => void): Promise<ExplorerData> {
  const fashion = loadFashionMnist();
  const vaeData = (p: Profile) => ({ train: fashion.train.subset(p.trainSize, 0), test: fashion.test.subset(p.testSize, 0) });
  const models: ExplorerModel[] = [];
  const say = (what: string, source: string) => log(`  explorer: ${what} ${source === "cache" ? "loaded from the cache" : source}`);

  const vaeConfig = mainVae(profiles.vae);
  const vae = await fitVae(vaeConfig.model, vaeConfig.loss, { name: vaeConfig.name, ...vaeData(profiles.vae), training: vaeConfig.training });
  say("VAE (notebook 04)", vae.source);
  const vaeMeta = { notebook: "04-variational-autoencoder", run: relativeToProject(vae.dir), latentDim: vaeConfig.model.latentDim, imageShape: [...vaeConfig.model.imageShape], pixelRange: [0, 1] as [number, number] };
  const data2d = vaeData(profiles.vae);
  const steps = (epochs: number, batchSize: number) => epochs * data2d.train.numBatches(batchSize, true);
  models.push({ key: "vae", model: vae.decoder, meta: { ...vaeMeta, title: "VAE decoder", step: steps(vae.epochs.length, vaeConfig.training.batchSize) } });

  const vae2d = await fitVae({ ...vaeConfig.model, latentDim: 2 }, vaeConfig.loss, { name: "04-vae-2d", ...data2d, training: { ...vaeConfig.training, numEpochs: profiles.vae.epochs.vae2d } });
  say("2-D VAE (notebook 04)", vae2d.source);
  models.push({ key: "vae2d", model: vae2d.decoder, meta: { ...vaeMeta, run: relativeToProject(vae2d.dir), title: "2-D VAE decoder", step: steps(vae2d.epochs.length, vaeConfig.training.batchSize), latentDim: 2 } });
  const test = data2d.test.subset(Math.min(PLANE_POINTS, data2d.test.size), 0);
  const { codes } = encodeDataset(vae2d.encoder, test);
  const points = Array.from({ length: test.size }, (_, i) => [codes[2 * i], codes[2 * i + 1], test.labels![i]] as [number, number, number]);
  // The plane spans 99% of the codes (a few outliers would shrink the rest to a corner), and at least ±2.
  const radii = points.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y))).sort((a, b) => a - b);
  const extent = Math.max(2, Math.ceil(radii[Math.floor(0.99 * (radii.length - 1))] * 2) / 2);

  const p = profiles.gan;
  const ganVae = p === profiles.vae ? vae : await fitVae(mainVae(p).model, mainVae(p).loss, { name: mainVae(p).name, ...vaeData(p), training: mainVae(p).training });
  const arms: { key: string; title: string; init?: FitGanOptions["init"] }[] = [
    { key: "gan-scratch", title: "GAN from scratch" },
    { key: "gan-pretrained", title: "GAN from the VAE", init: { decoder: path.join(ganVae.dir, "final", "decoder"), sigmoidToTanh: true } },
  ];
  for (const arm of arms) {
    const options: FitGanOptions = {
      name: `explorer-${arm.key}-seed1`, model: { kind: "dcgan", config: studyGan(mainVae(p), 1) }, init: arm.init, train: fashion.train.subset(p.trainSize, 0),
      training: { batchSize: 64, numEpochs: p.gan.epochs, learningRateD: 2e-4, learningRateG: 2e-4, beta1: 0.5, seed: 1 }, step: { loss: "non-saturating", labelSmoothing: 0.1 },
    };
    const meta = { notebook: "05-vae-pretrained-gan", latentDim: vaeConfig.model.latentDim, imageShape: [...vaeConfig.model.imageShape], pixelRange: [-1, 1] as [number, number] };
    const early = await generatorAtStep(options, p.gan.evalEvery);
    models.push({ key: `${arm.key}-early`, model: early, meta: { ...meta, run: options.name, title: `${arm.title}, step ${p.gan.evalEvery}`, step: p.gan.evalEvery } });
    const run = await fitGan(options);
    say(`${arm.title} (seed 1)`, run.source);
    run.discriminator.dispose();
    const last = run.epochs.length * options.train.numBatches(options.training.batchSize, true);
    models.push({ key: arm.key, model: run.generator, meta: { ...meta, run: relativeToProject(run.dir), title: `${arm.title}, step ${last.toLocaleString("en-US")}`, step: last } });
  }
  return {
    models,
    compare: ["vae", "gan-scratch-early", "gan-scratch", "gan-pretrained-early", "gan-pretrained"],
    plane: { model: "vae2d", codes: points, classes: [...(test.classNames ?? Array.from({ length: 10 }, (_, i) => String(i)))], extent: [-extent, extent] },
  };
}
