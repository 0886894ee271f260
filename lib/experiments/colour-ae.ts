/** The convolutional autoencoder on 64×64 colour images: emoji, or CelebA from $CELEBA_DIR (notebook 03). */
import { loadCeleba } from "../data/celeba";
import { loadEmoji } from "../data/emoji";
import { Experiment, TrackingConfig } from "./experiment";
import { ADAM_RULES, AdamTraining, POSITIVE, TRACKING, TRACKING_RULES } from "./common";
import { AutoencoderData, AutoencoderResult, reconstructionGrid, runAutoencoder } from "./autoencoder";

export type ColourAeExperimentConfig = {
  seed: number;
  /** `limit` images (emoji: all 3,786), a `testFraction` of them held out (seed 0). */
  data: { source: "emoji" | "celeba"; limit: number; testFraction: number };
  model: { filters: number[]; latentDim: number };
  training: AdamTraining;
  tracking: TrackingConfig;
};

export const colourAeExperiment: Experiment<ColourAeExperimentConfig, AutoencoderData, AutoencoderResult> = {
  name: "colour-ae",
  description: "convolutional autoencoder on 64×64 colour images: emoji, or CelebA from $CELEBA_DIR (notebook 03)",
  defaults: {
    seed: 1, data: { source: "emoji", limit: 3786, testFraction: 0.1 }, model: { filters: [32, 64, 128], latentDim: 128 },
    training: { batchSize: 64, numEpochs: 20, learningRate: 1e-3, beta1: 0.9 }, tracking: TRACKING,
  },
  rules: {
    ...ADAM_RULES, ...TRACKING_RULES, "data.source": { oneOf: ["emoji", "celeba"] }, "data.limit": { integer: true, min: 10 },
    "data.testFraction": { above: 0, below: 1 }, "model.filters": POSITIVE, "model.latentDim": POSITIVE,
  },
  budget: { colourSize: ["data.limit"], epochs: ["training.numEpochs"] },
  objective: "test_loss",
  loadData: async ({ data }) => {
    const images = data.source === "celeba" ? await loadCeleba({ limit: data.limit }) : await loadEmoji({ limit: data.limit, seed: 0 });
    return images.split(data.testFraction, 0);
  },
  run: (config, data, target) => {
    const { filters, latentDim } = config.model;
    return runAutoencoder({ kind: "conv", config: { imageShape: data.train.imageShape, filters, latentDim, seed: config.seed } }, config, data, "colour-ae", target);
  },
  samples: reconstructionGrid,
};
