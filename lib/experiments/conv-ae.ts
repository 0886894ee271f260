/** The convolutional autoencoder on Fashion-MNIST (notebook 02). */
import { checkBatchFits, Experiment, TrackingConfig } from "./experiment";
import { ADAM_RULES, AdamTraining, FASHION_RULES, FASHION_SIZES, fashionSubsets, POSITIVE, TRACKING, TRACKING_RULES } from "./common";
import { AutoencoderData, AutoencoderResult, reconstructionGrid, runAutoencoder } from "./autoencoder";

export type ConvAeExperimentConfig = {
  seed: number;
  data: { trainSize: number; testSize: number };
  /** Encoder channels fine to coarse (the decoder mirrors them) and the code's size. */
  model: { filters: number[]; latentDim: number };
  training: AdamTraining;
  tracking: TrackingConfig;
};

export const convAeExperiment: Experiment<ConvAeExperimentConfig, AutoencoderData, AutoencoderResult> = {
  name: "conv-ae",
  description: "convolutional autoencoder on Fashion-MNIST (notebook 02)",
  defaults: {
    seed: 1, data: FASHION_SIZES, model: { filters: [32, 64], latentDim: 16 },
    training: { batchSize: 128, numEpochs: 10, learningRate: 1e-3, beta1: 0.9 }, tracking: TRACKING,
  },
  rules: { ...FASHION_RULES, ...ADAM_RULES, ...TRACKING_RULES, "model.filters": POSITIVE, "model.latentDim": POSITIVE },
  budget: { trainSize: ["data.trainSize"], testSize: ["data.testSize"], epochs: ["training.numEpochs"] },
  objective: "test_loss",
  check: checkBatchFits,
  loadData: async (config) => fashionSubsets(config.data),
  run: (config, data, target) => {
    const { filters, latentDim } = config.model;
    return runAutoencoder({ kind: "conv", config: { imageShape: data.train.imageShape, filters, latentDim, seed: config.seed } }, config, data, "conv-ae", target);
  },
  samples: reconstructionGrid,
};
