/**
 * The convolutional VAE on Fashion-MNIST or MNIST digits (notebook 04). Its decoder is what a GAN's
 * generator can start from (notebook 05): the GAN experiments derive their architecture from these
 * defaults. With `loss.variational` false the same layers train as a plain autoencoder, the
 * non-variational control of the pretraining study.
 */
import * as tf from "@tensorflow/tfjs";
import { fitVae, FitResult } from "../train/fit";
import { Vae } from "../models/vae";
import { VaeLossConfig } from "../train/steps";
import { checkBatchFits, Experiment, ExperimentResult, TrackingConfig } from "./experiment";
import { ADAM_RULES, AdamTraining, FASHION_RULES, FASHION_SIZES, LABELLED_DATASETS, LabelledDataset, labelledSubsets, POSITIVE, TRACKING, TRACKING_RULES } from "./common";
import { AutoencoderData } from "./autoencoder";

export type VaeExperimentConfig = {
  seed: number;
  data: { dataset: LabelledDataset; trainSize: number; testSize: number };
  /** Encoder channels fine to coarse (the decoder mirrors them); batch norm in the decoder, as a DCGAN generator has. */
  model: { filters: number[]; latentDim: number; batchNorm: boolean };
  /** `bce` trains a sigmoid decoder on [0, 1] pixels, `mse` a tanh one on [-1, 1]; `variational` false drops the noise and KL term. */
  loss: Required<VaeLossConfig>;
  training: AdamTraining;
  tracking: TrackingConfig;
};

export type VaeResult = Vae & FitResult & ExperimentResult;

export const vaeExperiment: Experiment<VaeExperimentConfig, AutoencoderData, VaeResult> = {
  name: "vae",
  description: "convolutional VAE (or, with loss.variational=false, plain autoencoder) on Fashion-MNIST or MNIST digits, the decoder a GAN generator can start from (notebook 04)",
  defaults: {
    seed: 1, data: { dataset: "fashion-mnist", ...FASHION_SIZES }, model: { filters: [32, 64], latentDim: 16, batchNorm: true }, loss: { beta: 1, reconstruction: "bce", variational: true },
    training: { batchSize: 128, numEpochs: 12, learningRate: 1e-3, beta1: 0.9 }, tracking: TRACKING,
  },
  rules: {
    ...FASHION_RULES, ...ADAM_RULES, ...TRACKING_RULES, "model.filters": POSITIVE, "model.latentDim": POSITIVE,
    "loss.beta": { min: 0 }, "loss.reconstruction": { oneOf: ["bce", "mse"] }, "data.dataset": { oneOf: LABELLED_DATASETS },
  },
  budget: { trainSize: ["data.trainSize"], testSize: ["data.testSize"], epochs: ["training.numEpochs"] },
  objective: "test_loss",
  check: checkBatchFits,
  loadData: async (config) => labelledSubsets(config.data),
  run: async (config, data, target = {}) => {
    const { filters, latentDim, batchNorm } = config.model;
    const outputActivation = config.loss.reconstruction === "bce" ? ("sigmoid" as const) : ("tanh" as const);
    const result = await fitVae({ imageShape: data.train.imageShape, filters, latentDim, batchNorm, outputActivation, seed: config.seed }, config.loss, {
      name: target.name ?? "vae", ...data, training: { ...config.training, seed: config.seed }, callbacks: target.callbacks,
      run: { dir: target.dir, signal: target.signal, checkpointEvery: target.checkpointEvery },
    });
    return {
      ...result,
      summary: () => {
        const last = result.epochs[result.epochs.length - 1]?.logs ?? {};
        return { test_loss: last.test_loss, test_recon: last.test_recon, test_kl: last.test_kl };
      },
    };
  },
  /** Decoded prior samples from fixed codes. */
  samples: (config) => {
    const k = config.tracking.samples;
    const z = tf.randomNormal([k, config.model.latentDim], 0, 1, "float32", config.seed);
    return { make: (m) => ({ images: m.decoder.predict(z) as tf.Tensor4D, range: config.loss.reconstruction === "bce" ? "unit" : "symmetric", cols: k }), dispose: () => z.dispose() };
  },
};
