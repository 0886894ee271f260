/** The dense autoencoder on Fashion-MNIST (notebook 01). */
import { checkBatchFits, Experiment, TrackingConfig } from "./experiment";
import { ADAM_RULES, AdamTraining, FASHION_RULES, FASHION_SIZES, fashionSubsets, POSITIVE, TRACKING, TRACKING_RULES } from "./common";
import { AutoencoderData, AutoencoderResult, reconstructionGrid, runAutoencoder } from "./autoencoder";

export type AeExperimentConfig = {
  seed: number;
  data: { trainSize: number; testSize: number };
  /** Widths of the encoder's hidden layers (the decoder mirrors them) and the code's size. */
  model: { hiddenUnits: number[]; latentDim: number };
  training: AdamTraining;
  tracking: TrackingConfig;
};

export const aeExperiment: Experiment<AeExperimentConfig, AutoencoderData, AutoencoderResult> = {
  name: "ae",
  description: "dense autoencoder on Fashion-MNIST (notebook 01)",
  defaults: {
    seed: 1, data: FASHION_SIZES, model: { hiddenUnits: [256, 64], latentDim: 16 },
    training: { batchSize: 128, numEpochs: 20, learningRate: 1e-3, beta1: 0.9 }, tracking: TRACKING,
  },
  rules: { ...FASHION_RULES, ...ADAM_RULES, ...TRACKING_RULES, "model.hiddenUnits": POSITIVE, "model.latentDim": POSITIVE },
  budget: { trainSize: ["data.trainSize"], testSize: ["data.testSize"], epochs: ["training.numEpochs"] },
  objective: "test_loss",
  check: checkBatchFits,
  loadData: async (config) => fashionSubsets(config.data),
  run: (config, data, target) => {
    const { hiddenUnits, latentDim } = config.model;
    return runAutoencoder({ kind: "dense", config: { imageShape: data.train.imageShape, hiddenUnits, latentDim, seed: config.seed } }, config, data, "ae", target);
  },
  samples: reconstructionGrid,
};
