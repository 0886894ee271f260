/** Evaluation over a whole data set, in batches, without gradient tapes or leaked tensors. */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, PixelScale } from "../data/dataset";
import { Vae } from "../models/vae";
import { vaeLosses, VaeLossConfig } from "./steps";

/** Mean of per-batch values weighted by batch size. */
function meanOverBatches(data: ImageDataset, batchSize: number, scale: PixelScale, f: (x: tf.Tensor4D) => number[]): number[] {
  let sums: number[] = [];
  for (const b of data.batches({ batchSize, seed: 0, shuffle: false, scale })) {
    const values = tf.tidy(() => f(b.x));
    sums = values.map((v, i) => (sums[i] ?? 0) + v * b.indices.length);
    tf.dispose([b.x, ...(b.y ? [b.y] : [])]);
  }
  return sums.map((s) => s / data.size);
}

/** Mean squared error per pixel of an autoencoder on `data`. */
export function evaluateAutoencoder(autoencoder: tf.LayersModel, data: ImageDataset, options: { batchSize?: number; scale?: PixelScale } = {}): number {
  const { batchSize = 256, scale = "unit" } = options;
  return meanOverBatches(data, batchSize, scale, (x) => [tf.losses.meanSquaredError(x, autoencoder.apply(x, { training: false }) as tf.Tensor).dataSync()[0]])[0];
}

/** The VAE's loss terms on `data` (one fixed noise draw, so the number repeats). */
export function evaluateVae(vae: Vae, data: ImageDataset, cfg: VaeLossConfig, options: { batchSize?: number; scale?: PixelScale } = {}): { loss: number; recon: number; kl: number } {
  const { batchSize = 256, scale = "unit" } = options;
  const [loss, recon, kl] = meanOverBatches(data, batchSize, scale, (x) => {
    const l = vaeLosses(vae, x, cfg, 12345, false);
    return [l.loss, l.recon, l.kl].map((t) => t.dataSync()[0]);
  });
  return { loss, recon, kl };
}

/** Codes of every sample (the first output of multi-output encoders, i.e. μ for a VAE): [n, latentDim]. */
export function encodeDataset(encoder: tf.LayersModel, data: ImageDataset, options: { batchSize?: number; scale?: PixelScale } = {}): { codes: Float32Array; dim: number } {
  const { batchSize = 256, scale = "unit" } = options;
  const out = encoder.outputs[0].shape[1] as number;
  const codes = new Float32Array(data.size * out);
  let offset = 0;
  for (const b of data.batches({ batchSize, seed: 0, shuffle: false, scale })) {
    const z = tf.tidy(() => {
      const y = encoder.apply(b.x, { training: false });
      return (Array.isArray(y) ? y[0] : y) as tf.Tensor;
    });
    codes.set(z.dataSync(), offset);
    offset += z.size;
    tf.dispose([z, b.x, ...(b.y ? [b.y] : [])]);
  }
  return { codes, dim: out };
}
