/**
 * The models the command line trains, each with its default configuration (the notebooks'
 * settings under the `full` profile) and the rules its values obey. Keys are dotted paths:
 * `--set training.learningRate=0.0005`.
 */
import { ConfigError, ConfigObject, resolveConfig, Rules } from "./config";

export const RUN_MODELS = ["ae", "conv-ae", "colour-ae", "vae", "gan", "cgan"] as const;
export type RunModel = (typeof RUN_MODELS)[number];

const tracking = { logEvery: 10, checkpointEvery: 200, samples: 20 };
const trackingRules: Rules = {
  "tracking.logEvery": { integer: true, min: 1 },
  "tracking.checkpointEvery": { integer: true, min: 0 },
  "tracking.samples": { integer: true, min: 1, max: 100 },
};
const positive = { integer: true, min: 1 };
const fashionData = { trainSize: 60000, testSize: 10000 };
const fashionRules: Rules = { "data.trainSize": { ...positive, max: 60000 }, "data.testSize": { ...positive, max: 10000 } };
const aeTrainingRules: Rules = {
  seed: { integer: true, min: 0 },
  "training.batchSize": positive,
  "training.numEpochs": positive,
  "training.learningRate": { above: 0, max: 1 },
  "training.beta1": { min: 0, below: 1 },
};
const ganTraining = { batchSize: 64, numEpochs: 5, learningRateD: 2e-4, learningRateG: 2e-4, beta1: 0.5 };
const ganRules: Rules = {
  seed: { integer: true, min: 0 },
  "model.latentDim": positive,
  "model.generatorFilters": positive,
  "model.discriminatorFilters": positive,
  "training.batchSize": positive,
  "training.numEpochs": positive,
  "training.learningRateD": { above: 0, max: 1 },
  "training.learningRateG": { above: 0, max: 1 },
  "training.beta1": { min: 0, below: 1 },
  "step.loss": { oneOf: ["non-saturating", "least-squares"] },
  "step.labelSmoothing": { min: 0, below: 1 },
  "evaluate.every": positive,
  "evaluate.samples": { integer: true, min: 10 },
  "evaluate.classifierEpochs": positive,
  "evaluate.classifierTrainSize": { ...positive, max: 60000 },
};

/** Default configuration and rules of each model. */
export const PRESETS: Record<RunModel, { description: string; defaults: ConfigObject; rules: Rules }> = {
  ae: {
    description: "dense autoencoder on Fashion-MNIST (notebook 01)",
    defaults: { seed: 1, data: fashionData, model: { hiddenUnits: [256, 64], latentDim: 16 }, training: { batchSize: 128, numEpochs: 20, learningRate: 1e-3, beta1: 0.9 }, tracking },
    rules: { ...fashionRules, ...aeTrainingRules, ...trackingRules, "model.hiddenUnits": positive, "model.latentDim": positive },
  },
  "conv-ae": {
    description: "convolutional autoencoder on Fashion-MNIST (notebook 02)",
    defaults: { seed: 1, data: fashionData, model: { filters: [32, 64], latentDim: 16 }, training: { batchSize: 128, numEpochs: 10, learningRate: 1e-3, beta1: 0.9 }, tracking },
    rules: { ...fashionRules, ...aeTrainingRules, ...trackingRules, "model.filters": positive, "model.latentDim": positive },
  },
  "colour-ae": {
    description: "convolutional autoencoder on 64×64 colour images: emoji, or CelebA from $CELEBA_DIR (notebook 03)",
    defaults: { seed: 1, data: { source: "emoji", limit: 3786, testFraction: 0.1 }, model: { filters: [32, 64, 128], latentDim: 128 }, training: { batchSize: 64, numEpochs: 20, learningRate: 1e-3, beta1: 0.9 }, tracking },
    rules: { ...aeTrainingRules, ...trackingRules, "data.source": { oneOf: ["emoji", "celeba"] }, "data.limit": { integer: true, min: 10 }, "data.testFraction": { above: 0, below: 1 }, "model.filters": positive, "model.latentDim": positive },
  },
  vae: {
    description: "convolutional VAE on Fashion-MNIST, the decoder a GAN generator can start from (notebook 04)",
    defaults: { seed: 1, data: fashionData, model: { filters: [32, 64], latentDim: 16, batchNorm: true }, loss: { beta: 1, reconstruction: "bce" }, training: { batchSize: 128, numEpochs: 12, learningRate: 1e-3, beta1: 0.9 }, tracking },
    rules: { ...fashionRules, ...aeTrainingRules, ...trackingRules, "model.filters": positive, "model.latentDim": positive, "loss.beta": { min: 0 }, "loss.reconstruction": { oneOf: ["bce", "mse"] } },
  },
  gan: {
    description: "DCGAN on Fashion-MNIST, from scratch or with the generator started from a VAE run's decoder (notebook 05)",
    defaults: {
      seed: 1, data: { trainSize: 60000 },
      model: { latentDim: 16, generatorFilters: [64, 32], discriminatorFilters: [32, 64], batchNorm: true },
      init: { vaeRun: "" },
      training: ganTraining, step: { loss: "non-saturating", labelSmoothing: 0.1 },
      evaluate: { every: 250, samples: 2000, classifierEpochs: 6, classifierTrainSize: 60000 }, tracking,
    },
    rules: { ...ganRules, ...trackingRules, "data.trainSize": { ...positive, max: 60000 }, "init.vaeRun": { optional: true } },
  },
  cgan: {
    description: "label-conditioned DCGAN on MNIST digits or Fashion-MNIST (notebook 06)",
    defaults: {
      seed: 1, data: { dataset: "fashion-mnist", trainSize: 60000 },
      model: { latentDim: 16, generatorFilters: [64, 32], discriminatorFilters: [32, 64], batchNorm: true },
      training: { ...ganTraining, numEpochs: 10 }, step: { loss: "non-saturating", labelSmoothing: 0.1 },
      evaluate: { every: 500, samples: 2000, classifierEpochs: 6, classifierTrainSize: 60000 }, tracking,
    },
    rules: { ...ganRules, ...trackingRules, "data.dataset": { oneOf: ["mnist", "fashion-mnist"] }, "data.trainSize": { ...positive, max: 60000 } },
  },
};

/** The model named on the command line; an unknown one lists the valid ones. */
export function runModel(name: string | undefined): RunModel {
  if (!name || !(RUN_MODELS as readonly string[]).includes(name)) {
    throw new ConfigError(`${name ? `Unknown model "${name}"` : "No model given"}. Models: ${RUN_MODELS.map((m) => `${m} (${PRESETS[m].description})`).join("; ")}.`);
  }
  return name as RunModel;
}

/** Defaults, then a config file's object, then `key=value` overrides, each checked. */
export function modelConfig(model: RunModel, file: unknown = {}, sets: Record<string, string> = {}): ConfigObject {
  const preset = PRESETS[model];
  const config = resolveConfig(preset.defaults, preset.rules, `model "${model}"`, file, sets);
  const data = config.data as ConfigObject;
  const training = config.training as ConfigObject;
  // Batches drop the remainder: a batch larger than the data would train nothing.
  if (typeof data.trainSize === "number" && (training.batchSize as number) > data.trainSize) {
    throw new ConfigError(`Config key "training.batchSize" (${training.batchSize}) exceeds "data.trainSize" (${data.trainSize}): an epoch would have no step.`);
  }
  return config;
}
