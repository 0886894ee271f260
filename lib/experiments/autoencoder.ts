/** What the three autoencoder experiments share: training through `fitAutoencoder`, summary, reconstruction grids. */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { Autoencoder } from "../models/dense-ae";
import { chain } from "../models/layers";
import { AutoencoderModel, fitAutoencoder, FitResult } from "../train/fit";
import { AdamTraining } from "./common";
import { ExperimentResult, ExperimentTarget, SampleGrid, TrackingConfig } from "./experiment";

export type AutoencoderData = { train: ImageDataset; test: ImageDataset };
export type AutoencoderResult = Autoencoder & FitResult & ExperimentResult;

/** Trains `model` on MSE; the summary is the last test loss and the parameter count. */
export async function runAutoencoder(model: AutoencoderModel, config: { seed: number; training: AdamTraining }, data: AutoencoderData, name: string, target: ExperimentTarget = {}): Promise<AutoencoderResult> {
  const result = await fitAutoencoder(model, {
    name: target.name ?? name, ...data, training: { ...config.training, seed: config.seed }, callbacks: target.callbacks,
    run: { dir: target.dir, signal: target.signal, checkpointEvery: target.checkpointEvery },
  });
  return { ...result, summary: () => ({ test_loss: result.epochs[result.epochs.length - 1]?.logs.test_loss, parameters: result.autoencoder.countParams() }) };
}

/** The first `tracking.samples` test images above their reconstructions. */
export function reconstructionGrid(config: { tracking: TrackingConfig }, data: AutoencoderData): SampleGrid {
  const shown = data.test.toTensor(Array.from({ length: Math.min(config.tracking.samples, data.test.size) }, (_, i) => i));
  return {
    make: (m) => ({ images: tf.tidy(() => tf.concat([shown, chain(m.encoder, m.decoder, "ae").predict(shown) as tf.Tensor4D])), range: "unit", cols: shown.shape[0] }),
    dispose: () => shown.dispose(),
  };
}
