/**
 * Trains a (conditional) DCGAN with the cache and checkpoints of `trainCached`, optionally starting
 * the generator from a saved VAE decoder (the thesis' question), and measures the generator every
 * `evaluate.every` steps — including step 0, so both arms are compared from their very start.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { buildCgan, CganConfig } from "../models/cgan";
import { buildDcgan, DcganConfig } from "../models/dcgan";
import { transferWeights } from "../models/transfer";
import { relativeToProject } from "../paths";
import { GanStepConfig, ganStep } from "./gan";
import { EpochInfo, Logs, trainLoop } from "./loop";
import { loadModel } from "./model-io";
import { ModelCallbacks, RunTarget, trainCached } from "./run-cache";

export interface GanTrainingConfig {
  batchSize: number;
  numEpochs: number;
  learningRateD: number;
  learningRateG: number;
  /** Adam's β1; DCGAN uses 0.5. */
  beta1: number;
  seed: number;
}

export interface GanInit {
  /** Folder of a saved VAE decoder (`…/final/decoder`) whose weights start the generator. */
  decoder: string;
  /** The decoder ends in a sigmoid (pixels in [0, 1]); the generator in tanh. */
  sigmoidToTanh?: boolean;
  /** Folder of the same run's saved encoder, whose convolutions (`enc_conv_*`) start the discriminator's. */
  encoder?: string;
}

export interface FitGanOptions {
  name: string;
  model: { kind: "dcgan"; config: DcganConfig } | { kind: "cgan"; config: CganConfig };
  init?: GanInit;
  train: ImageDataset;
  training: GanTrainingConfig;
  step?: Omit<GanStepConfig, "seed">;
  /** Measures the generator (in inference mode) at step 0 and every `every` steps. */
  evaluate?: { every: number; metrics: (generator: tf.LayersModel, step: number) => Logs | Promise<Logs> };
  /**
   * Callbacks, or a function of the models (`generator`, `discriminator`) and the run's folder that
   * makes them — e.g. one that saves a sample grid at each `onEvaluation`.
   */
  callbacks?: ModelCallbacks;
  /** Train in a run folder (lib/runs) instead of the cache. */
  run?: RunTarget;
}

export interface FitGanResult {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  epochs: EpochInfo[];
  /** Every evaluation in step order, each with its `step`. */
  evaluations: Logs[];
  dir: string;
  source: "cache" | "resumed" | "trained";
  stopped: boolean;
}

export async function fitGan(options: FitGanOptions): Promise<FitGanResult> {
  const { training, model, init } = options;
  const optimizers = {
    discriminator: tf.train.adam(training.learningRateD, training.beta1),
    generator: tf.train.adam(training.learningRateG, training.beta1),
  };
  const numClasses = model.kind === "cgan" ? model.config.numClasses : undefined;
  const config = { model, init: init ? { ...init, decoder: relativeToProject(init.decoder), ...(init.encoder ? { encoder: relativeToProject(init.encoder) } : {}) } : null, training, step: options.step ?? {}, evaluateEvery: options.evaluate?.every ?? null, train: { name: options.train.name, size: options.train.size } };
  // Evaluations are stored with the weights: the metrics' code is part of the cache key.
  const code = options.evaluate ? ["metrics"] : [];
  const run = await trainCached({
    name: options.name,
    config,
    code,
    build: () => {
      const gan = model.kind === "cgan" ? buildCgan(model.config) : buildDcgan(model.config);
      return { generator: gan.generator, discriminator: gan.discriminator };
    },
    optimizers,
    train: async (m, control) => {
      if (init && control.startEpoch === 0 && !control.resume) {
        const decoder = await loadModel(init.decoder);
        // A conditional generator wraps the decoder: its weights sit in the nested "decoder" model.
        const target = numClasses ? (m.generator.getLayer("decoder") as unknown as tf.LayersModel) : m.generator;
        transferWeights(decoder, target, { sigmoidToTanh: init.sigmoidToTanh ? "dec_output" : undefined });
        decoder.dispose();
        if (init.encoder) {
          // The encoder's head (μ, log σ²) has no counterpart: D keeps its own logit layer.
          const encoder = await loadModel(init.encoder);
          transferWeights(encoder, m.discriminator, { layers: m.discriminator.layers.filter((l) => l.name.startsWith("enc_conv_")).map((l) => l.name) });
          encoder.dispose();
        }
      }
      const evaluation = options.evaluate;
      const gan = { generator: m.generator, discriminator: m.discriminator, numClasses };
      return trainLoop({
        data: options.train, batchSize: training.batchSize, numEpochs: training.numEpochs, seed: training.seed, scale: "symmetric",
        step: ganStep(gan, optimizers, { ...options.step, seed: training.seed }),
        evaluate: evaluation && { every: evaluation.every, run: (step) => evaluation.metrics(m.generator, step) },
        ...control,
      });
    },
    callbacks: options.callbacks,
    ...options.run,
  }).finally(() => {
    optimizers.discriminator.dispose();
    optimizers.generator.dispose();
  });
  return { ...run.models, epochs: run.epochs, evaluations: run.epochs.flatMap((e) => e.evaluations ?? []), dir: run.dir, source: run.source, stopped: run.stopped };
}
