/**
 * The DCGAN on Fashion-MNIST or MNIST digits (notebook 05), from scratch or with the generator started
 * from a VAE run's decoder (and optionally the discriminator's convolutions from its encoder). Its
 * generator has the VAE decoder's architecture layer for layer, so the defaults derive from the VAE
 * experiment's; the metrics' classifier comes from the classifier experiment.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ConfigError, Rules } from "../core/config";
import { ImageDataset } from "../data/dataset";
import { generatorEvaluator } from "../metrics/generator-metrics";
import { RUNS_DIR } from "../paths";
import { fitGan, FitGanResult, GanInit } from "../train/fit-gan";
import { Callbacks } from "../train/loop";
import { ModelSet } from "../train/run-cache";
import { classifierData, classifierExperiment, ClassifierExperimentConfig } from "./classifier";
import { LABELLED_DATASETS, LabelledDataset, loadLabelledData, POSITIVE, saveImageGrid, sampleFiles, SEED_RULES, TRACKING, TRACKING_RULES } from "./common";
import { checkBatchFits, Experiment, ExperimentResult, ExperimentTarget, SampleGrid, TrackingConfig } from "./experiment";
import { vaeExperiment } from "./vae";

export type GanTraining = { batchSize: number; numEpochs: number; learningRateD: number; learningRateG: number; beta1: number };
/** Generator channels coarse to fine, discriminator channels fine to coarse; batch norm in the generator. */
export type GanModel = { latentDim: number; generatorFilters: number[]; discriminatorFilters: number[]; batchNorm: boolean };
export type GanStep = { loss: "non-saturating" | "least-squares"; labelSmoothing: number };
/** FD, coverage, precision and recall every `every` steps on `samples` images, by a classifier trained to these settings. */
export type GanEvaluate = { every: number; samples: number; classifierEpochs: number; classifierTrainSize: number };

export type GanExperimentConfig = {
  seed: number;
  data: { dataset: LabelledDataset; trainSize: number };
  model: GanModel;
  /**
   * `vaeRun`: a finished VAE (or, with `loss.variational` false, plain autoencoder) run whose decoder
   * starts the generator — a run name under the runs root, or a run's (or cache) folder; "" for none.
   * `discriminatorFromEncoder`: its encoder's convolutions also start the discriminator's.
   */
  init: { vaeRun: string; discriminatorFromEncoder: boolean };
  training: GanTraining;
  step: GanStep;
  evaluate: GanEvaluate;
  tracking: TrackingConfig;
};

/** What the GAN and the conditional GAN experiments' configurations share. */
export type GanSettings = Omit<GanExperimentConfig, "init" | "data">;

export type GanData = { train: ImageDataset; all: { train: ImageDataset; test: ImageDataset } };
export type GanResult = FitGanResult & ExperimentResult & {
  /** Sample grids saved at each evaluation (`samples/step-NNNNNNN.png`), in step order. */
  sampleFiles: string[];
};

const vae = vaeExperiment.defaults;
/** The study's GAN: the main VAE's decoder as the generator, its encoder's layout as the discriminator. */
export const GAN_MODEL: GanModel = { latentDim: vae.model.latentDim, generatorFilters: [...vae.model.filters].reverse(), discriminatorFilters: vae.model.filters, batchNorm: vae.model.batchNorm };
/** DCGAN's Adam settings (Radford et al. 2015). */
export const GAN_TRAINING: GanTraining = { batchSize: 64, numEpochs: 5, learningRateD: 2e-4, learningRateG: 2e-4, beta1: 0.5 };
export const GAN_STEP: GanStep = { loss: "non-saturating", labelSmoothing: 0.1 };
const judge = classifierExperiment.defaults;
export const GAN_EVALUATE: GanEvaluate = { every: 250, samples: 2000, classifierEpochs: judge.training.numEpochs, classifierTrainSize: judge.data.trainSize };

export const GAN_RULES: Rules = {
  ...SEED_RULES, ...TRACKING_RULES,
  "model.latentDim": POSITIVE,
  "model.generatorFilters": POSITIVE,
  "model.discriminatorFilters": POSITIVE,
  "training.batchSize": POSITIVE,
  "training.numEpochs": POSITIVE,
  "training.learningRateD": { above: 0, max: 1 },
  "training.learningRateG": { above: 0, max: 1 },
  "training.beta1": { min: 0, below: 1 },
  "step.loss": { oneOf: ["non-saturating", "least-squares"] },
  "step.labelSmoothing": { min: 0, below: 1 },
  "evaluate.every": POSITIVE,
  "evaluate.samples": { integer: true, min: 10 },
  "evaluate.classifierEpochs": POSITIVE,
  "evaluate.classifierTrainSize": POSITIVE,
  "data.trainSize": { ...POSITIVE, max: 60000 },
  "data.dataset": { oneOf: LABELLED_DATASETS },
};
export const GAN_BUDGET = {
  trainSize: ["data.trainSize", "evaluate.classifierTrainSize"], epochs: ["training.numEpochs", "evaluate.classifierEpochs"],
  evalEvery: ["evaluate.every"], evalSamples: ["evaluate.samples"],
};

/**
 * The decoder a `init.vaeRun` names (and its encoder, for `withEncoder`), and whether it ends in a
 * sigmoid; a wrong or unfinished run is a clear error.
 */
export function vaeInit(ref: string, root: string = RUNS_DIR, withEncoder = false): GanInit {
  const dir = fs.existsSync(path.join(ref, "final")) || fs.existsSync(path.join(ref, "config.json")) ? ref : path.join(root, ref);
  const runFile = path.join(dir, "config.json");
  if (!fs.existsSync(dir)) throw new ConfigError(`No run "${ref}" (no ${dir}) for config key "init.vaeRun": name a finished vae run in ${root}, or its folder.`);
  const model = fs.existsSync(runFile) ? (JSON.parse(fs.readFileSync(runFile, "utf8")) as { model?: string }).model : "vae";
  if (model !== "vae") throw new ConfigError(`Config key "init.vaeRun" names run "${path.basename(dir)}", a ${model} run; it must be a vae run.`);
  const decoder = path.join(dir, "final", "decoder");
  if (!fs.existsSync(decoder)) throw new Error(`VAE run "${path.basename(dir)}" has not finished (no ${decoder}): resume it first (npm run train -- --resume ${path.basename(dir)}).`);
  const trained = JSON.parse(fs.readFileSync(path.join(dir, "final", "config.json"), "utf8")) as { loss?: { reconstruction?: string } };
  if (!trained.loss) throw new ConfigError(`Config key "init.vaeRun" names ${dir}, which holds no VAE (its final/config.json has no loss).`);
  return { decoder, sigmoidToTanh: trained.loss.reconstruction === "bce", ...(withEncoder ? { encoder: path.join(dir, "final", "encoder") } : {}) };
}

/** Codes with a seed, and for a conditional generator one-hot labels 0, 1, …: its input for a grid of `count` images. */
function gridInput(latentDim: number, count: number, seed: number, numClasses: number | undefined): tf.Tensor | tf.Tensor[] {
  const z = tf.randomNormal([count, latentDim], 0, 1, "float32", seed);
  if (!numClasses) return z;
  return [z, tf.oneHot(tf.tensor1d(Int32Array.from({ length: count }, (_, i) => i % numClasses), "int32"), numClasses).cast("float32")];
}

/** Saves `count` generated images from fixed codes, rows of ten, at every evaluation, as `<dir>/samples/step-NNNNNNN.png`. */
function evaluationGrid(models: ModelSet, dir: string, count: number, numClasses: number | undefined): Callbacks {
  const generator = models.generator;
  return {
    onEvaluation: async ({ step }) => {
      const images = tf.tidy(() => generator.predict(gridInput(generator.inputs[0].shape[1] as number, count, 4242, numClasses)) as tf.Tensor4D);
      await saveImageGrid(images, "symmetric", Math.min(count, 10), path.join(dir, "samples", `step-${String(step).padStart(7, "0")}.png`));
    },
  };
}

/** A labelled data set's training subset of `trainSize` images, and all of it for the metrics. */
export async function labelledGanData(data: { dataset: LabelledDataset; trainSize: number }): Promise<GanData> {
  const all = await loadLabelledData(data.dataset);
  if (data.trainSize > all.train.size) {
    throw new ConfigError(`Config key "data.trainSize" (${data.trainSize}) exceeds the ${all.train.size} ${data.dataset} training images: set it to ${all.train.size} or less (--set data.trainSize=${all.train.size}).`);
  }
  return { train: all.train.subset(data.trainSize, 0), all };
}

/** The classifier experiment's configuration of a GAN's judge (the metrics' features and classes). */
export function ganJudgeConfig(config: { evaluate: GanEvaluate }, dataset: LabelledDataset): ClassifierExperimentConfig {
  return { ...judge, data: { dataset, trainSize: config.evaluate.classifierTrainSize }, training: { ...judge.training, numEpochs: config.evaluate.classifierEpochs } };
}

/** Trains a GAN experiment: its classifier first (cached), then the GAN with evaluations and their sample grids. */
export async function runGan(config: GanSettings, data: GanData, options: { name: string; dataset: LabelledDataset; conditional: boolean; init?: GanInit }, target: ExperimentTarget = {}): Promise<GanResult> {
  const log = target.log ?? (() => {});
  const judgeConfig = ganJudgeConfig(config, options.dataset);
  log(`classifier for the metrics (${options.dataset}, cached after its first training)`);
  const classifier = await classifierExperiment.run(judgeConfig, classifierData(data.all, config.evaluate.classifierTrainSize), { log });
  const numClasses = options.conditional ? data.all.train.classNames?.length : undefined;
  if (options.conditional && !numClasses) throw new Error(`${data.train.name} has no class names: a conditional GAN needs labelled data.`);
  const evaluate = generatorEvaluator({ classifier: classifier.model, real: data.all.test, samples: config.evaluate.samples, seed: 99, numClasses });
  if (numClasses && options.init?.encoder) throw new ConfigError("A conditional discriminator takes the label too: it cannot start from a VAE encoder.");
  const dcgan = { imageShape: data.train.imageShape, ...config.model, seed: config.seed };
  const callbacks = target.callbacks;
  const result = await fitGan({
    name: target.name ?? options.name,
    model: numClasses ? { kind: "cgan", config: { ...dcgan, numClasses } } : { kind: "dcgan", config: dcgan },
    init: options.init, train: data.train, training: { ...config.training, seed: config.seed }, step: config.step,
    evaluate: { every: config.evaluate.every, metrics: (g) => ({ ...evaluate(g) }) },
    callbacks: (models, dir) => [evaluationGrid(models, dir, config.tracking.samples, numClasses), ...(typeof callbacks === "function" ? callbacks(models, dir) : callbacks ?? [])],
    run: { dir: target.dir, signal: target.signal, checkpointEvery: target.checkpointEvery },
  });
  return { ...result, sampleFiles: sampleFiles(result.dir, "step-"), summary: () => ({ ...evaluate(result.generator), classifier_accuracy: classifier.testAccuracy }) };
}


/** Generated images from fixed codes (labels 0, 1, … for a conditional generator) after every epoch. */
export function generatorGrid(config: { seed: number; model: { latentDim: number }; tracking: TrackingConfig }, numClasses: number | undefined): SampleGrid {
  const k = config.tracking.samples;
  const input = gridInput(config.model.latentDim, k, config.seed, numClasses);
  return { make: (m) => ({ images: m.generator.predict(input) as tf.Tensor4D, range: "symmetric", cols: k }), dispose: () => tf.dispose(input) };
}

export const ganExperiment: Experiment<GanExperimentConfig, GanData, GanResult> = {
  name: "gan",
  description: "DCGAN on Fashion-MNIST or MNIST digits, from scratch or with the generator (and discriminator) started from a VAE run (notebook 05)",
  defaults: { seed: 1, data: { dataset: "fashion-mnist", trainSize: 60000 }, model: GAN_MODEL, init: { vaeRun: "", discriminatorFromEncoder: false }, training: GAN_TRAINING, step: GAN_STEP, evaluate: GAN_EVALUATE, tracking: TRACKING },
  rules: { ...GAN_RULES, "init.vaeRun": { optional: true } },
  budget: GAN_BUDGET,
  objective: "fd",
  check: (config) => {
    checkBatchFits(config);
    if (config.init.discriminatorFromEncoder && !config.init.vaeRun) throw new ConfigError(`Config key "init.discriminatorFromEncoder" needs "init.vaeRun": name the run whose encoder starts the discriminator.`);
  },
  loadData: async (config) => labelledGanData(config.data),
  run: (config, data, target = {}) =>
    runGan(config, data, { name: "gan", dataset: config.data.dataset, conditional: false, init: config.init.vaeRun ? vaeInit(config.init.vaeRun, target.runsRoot, config.init.discriminatorFromEncoder) : undefined }, target),
  samples: (config) => generatorGrid(config, undefined),
};
