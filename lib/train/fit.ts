/**
 * One call per notebook model: build from a typed config, train (or load the cached result, or
 * resume a checkpoint), evaluate on the test set after every epoch, and hand back the models and
 * their history. Notebooks show the config and the call; the mechanics live here.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, PixelScale } from "../data/dataset";
import { Autoencoder, buildDenseAutoencoder, DenseAutoencoderConfig } from "../models/dense-ae";
import { chain } from "../models/layers";
import { buildConvAutoencoder, ConvAutoencoderConfig } from "../models/conv-ae";
import { buildVae, Vae, VaeConfig } from "../models/vae";
import { evaluateAutoencoder, evaluateVae } from "./evaluate";
import { Callbacks, EpochInfo, trainLoop } from "./loop";
import { ModelCallbacks, RunTarget, trainCached } from "./run-cache";
import { autoencoderStep, VaeLossConfig, vaeStep } from "./steps";

export interface TrainingConfig {
  batchSize: number;
  numEpochs: number;
  learningRate: number;
  /** Adam's β1 (default 0.9). */
  beta1?: number;
  seed: number;
}

export interface FitOptions {
  /** Run family name for the cache folder, e.g. `01-dense-ae`. */
  name: string;
  train: ImageDataset;
  test: ImageDataset;
  training: TrainingConfig;
  scale?: PixelScale;
  /** Callbacks, or a function of the models (`encoder`, `decoder`) and the run's folder that makes them. */
  callbacks?: ModelCallbacks;
  /** Train in a run folder (lib/runs) instead of the cache. */
  run?: RunTarget;
}

export interface FitResult {
  epochs: EpochInfo[];
  /** True when the run's signal stopped it early (a checkpoint holds the state to resume). */
  stopped: boolean;
  /** Where the weights and history are kept. */
  dir: string;
  source: "cache" | "resumed" | "trained";
  /** Mean seconds per trained epoch (from the history, also when loaded from the cache). */
  secondsPerEpoch: number;
}

const dataKey = (d: ImageDataset) => ({ name: d.name, size: d.size });
const meanSeconds = (epochs: EpochInfo[]) => epochs.reduce((s, e) => s + e.seconds, 0) / Math.max(1, epochs.length);

export type AutoencoderModel = { kind: "dense"; config: DenseAutoencoderConfig } | { kind: "conv"; config: ConvAutoencoderConfig };

/** Trains an autoencoder (dense or convolutional) on MSE; `test_loss` is added to each epoch's logs. */
export async function fitAutoencoder(model: AutoencoderModel, options: FitOptions): Promise<Autoencoder & FitResult> {
  const { training, train, test, scale = "unit" } = options;
  const optimizer = tf.train.adam(training.learningRate, training.beta1);
  const run = await trainCached({
    name: options.name,
    config: { model, training, scale, train: dataKey(train), test: dataKey(test) },
    build: () => {
      const ae = model.kind === "dense" ? buildDenseAutoencoder(model.config) : buildConvAutoencoder(model.config);
      return { encoder: ae.encoder, decoder: ae.decoder };
    },
    optimizers: { adam: optimizer },
    train: (m, control) => {
      const autoencoder = chain(m.encoder, m.decoder, "autoencoder");
      const evaluate: Callbacks = { onEpochEnd: (info) => void (info.logs.test_loss = evaluateAutoencoder(autoencoder, test, { scale })) };
      return trainLoop({ data: train, batchSize: training.batchSize, numEpochs: training.numEpochs, seed: training.seed, scale, step: autoencoderStep(autoencoder, optimizer), ...control, callbacks: [evaluate, ...control.callbacks] });
    },
    callbacks: options.callbacks,
    ...options.run,
  }).finally(() => optimizer.dispose());
  const { encoder, decoder } = run.models;
  return { encoder, decoder, autoencoder: chain(encoder, decoder, "autoencoder"), epochs: run.epochs, stopped: run.stopped, dir: run.dir, source: run.source, secondsPerEpoch: meanSeconds(run.epochs) };
}

/** Trains a VAE; `test_loss`, `test_recon` and `test_kl` are added to each epoch's logs. */
export async function fitVae(config: VaeConfig, loss: VaeLossConfig, options: FitOptions): Promise<Vae & FitResult> {
  const { training, train, test } = options;
  const scale = options.scale ?? (loss.reconstruction === "bce" ? "unit" : "symmetric");
  const optimizer = tf.train.adam(training.learningRate, training.beta1);
  const run = await trainCached({
    name: options.name,
    config: { model: config, loss, training, scale, train: dataKey(train), test: dataKey(test) },
    build: () => ({ ...buildVae(config) }),
    optimizers: { adam: optimizer },
    train: (m, control) => {
      const vae = { encoder: m.encoder, decoder: m.decoder };
      const evaluate: Callbacks = {
        onEpochEnd: (info) => {
          const t = evaluateVae(vae, test, loss, { scale });
          Object.assign(info.logs, { test_loss: t.loss, test_recon: t.recon, test_kl: t.kl });
        },
      };
      return trainLoop({ data: train, batchSize: training.batchSize, numEpochs: training.numEpochs, seed: training.seed, scale, step: vaeStep(vae, optimizer, { ...loss, seed: training.seed }), ...control, callbacks: [evaluate, ...control.callbacks] });
    },
    callbacks: options.callbacks,
    ...options.run,
  }).finally(() => optimizer.dispose());
  return { encoder: run.models.encoder, decoder: run.models.decoder, epochs: run.epochs, stopped: run.stopped, dir: run.dir, source: run.source, secondsPerEpoch: meanSeconds(run.epochs) };
}
