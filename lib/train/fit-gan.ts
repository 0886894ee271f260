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
import { Callbacks, EpochInfo, Logs, trainLoop } from "./loop";
import { loadModel } from "./model-io";
import { trainCached } from "./run-cache";

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
}

export interface FitGanOptions {
  name: string;
  model: { kind: "dcgan"; config: DcganConfig } | { kind: "cgan"; config: CganConfig };
  init?: GanInit;
  train: ImageDataset;
  training: GanTrainingConfig;
  step?: Omit<GanStepConfig, "seed">;
  /** Measures the generator (in inference mode); called at step 0 and every `every` steps. */
  evaluate?: { every: number; metrics: (generator: tf.LayersModel, step: number) => Logs | Promise<Logs> };
  callbacks?: Callbacks[];
}

export interface FitGanResult {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  epochs: EpochInfo[];
  /** Every evaluation in step order, each with its `step`. */
  evaluations: Logs[];
  dir: string;
  source: "cache" | "resumed" | "trained";
}

export async function fitGan(options: FitGanOptions): Promise<FitGanResult> {
  const { training, model, init } = options;
  const optimizers = {
    discriminator: tf.train.adam(training.learningRateD, training.beta1),
    generator: tf.train.adam(training.learningRateG, training.beta1),
  };
  const numClasses = model.kind === "cgan" ? model.config.numClasses : undefined;
  const run = await trainCached({
    name: options.name,
    config: { model, init: init ? { ...init, decoder: relativeToProject(init.decoder) } : null, training, step: options.step ?? {}, evaluateEvery: options.evaluate?.every ?? null, train: { name: options.train.name, size: options.train.size } },
    build: () => {
      const gan = model.kind === "cgan" ? buildCgan(model.config) : buildDcgan(model.config);
      return { generator: gan.generator, discriminator: gan.discriminator };
    },
    optimizers,
    train: async (m, startEpoch, callbacks) => {
      if (init && startEpoch === 0) {
        const decoder = await loadModel(init.decoder);
        // A conditional generator wraps the decoder: its weights sit in the nested "decoder" model.
        const target = numClasses ? (m.generator.getLayer("decoder") as unknown as tf.LayersModel) : m.generator;
        transferWeights(decoder, target, { sigmoidToTanh: init.sigmoidToTanh ? "dec_output" : undefined });
        decoder.dispose();
      }
      const evaluation: Callbacks[] = [];
      if (options.evaluate) {
        const { every, metrics } = options.evaluate;
        let pending: Logs[] = [];
        const measure = async (step: number) => pending.push({ step, ...(await metrics(m.generator, step)) });
        evaluation.push({
          onTrainBegin: async () => void (startEpoch === 0 && (await measure(0))),
          onBatchEnd: async ({ epoch, step, stepsPerEpoch }) => {
            const global = epoch * stepsPerEpoch + step;
            if (global % every === 0) await measure(global);
          },
          onEpochEnd: (info) => {
            info.evaluations = pending;
            pending = [];
          },
        });
      }
      const gan = { generator: m.generator, discriminator: m.discriminator, numClasses };
      return trainLoop({ data: options.train, batchSize: training.batchSize, numEpochs: training.numEpochs, seed: training.seed, scale: "symmetric", startEpoch, step: ganStep(gan, optimizers, { ...options.step, seed: training.seed }), callbacks: [...evaluation, ...callbacks] });
    },
    callbacks: options.callbacks,
  });
  optimizers.discriminator.dispose();
  optimizers.generator.dispose();
  return { ...run.models, epochs: run.epochs, evaluations: run.epochs.flatMap((e) => e.evaluations ?? []), dir: run.dir, source: run.source };
}
