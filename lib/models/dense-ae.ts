/**
 * Dense autoencoder (the thesis' first step, after Hinton & Salakhutdinov 2006): images are flattened,
 * squeezed through fully connected layers into a `latentDim` code and expanded back.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageShape } from "../data/dataset";
import { chain, seededInit } from "./layers";

export interface DenseAutoencoderConfig {
  imageShape: ImageShape;
  /** Widths of the encoder's hidden layers; the decoder mirrors them. */
  hiddenUnits: number[];
  latentDim: number;
  /** `sigmoid` for pixels in [0, 1], `tanh` for [-1, 1]. */
  outputActivation?: "sigmoid" | "tanh";
  seed: number;
}

export interface Autoencoder {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  /** encoder ∘ decoder, sharing their layers (training it trains both). */
  autoencoder: tf.LayersModel;
}

export function buildDenseAutoencoder(cfg: DenseAutoencoderConfig): Autoencoder {
  const pixels = cfg.imageShape.reduce((a, b) => a * b, 1);
  let k = 0;
  const encoder = tf.sequential({ name: "dense_encoder" });
  encoder.add(tf.layers.flatten({ inputShape: cfg.imageShape, name: "enc_flatten" }));
  cfg.hiddenUnits.forEach((units, i) => encoder.add(tf.layers.dense({ units, activation: "relu", kernelInitializer: seededInit(cfg.seed, k++), name: `enc_dense_${i}` })));
  encoder.add(tf.layers.dense({ units: cfg.latentDim, kernelInitializer: seededInit(cfg.seed, k++), name: "enc_code" }));

  const decoder = tf.sequential({ name: "dense_decoder" });
  [...cfg.hiddenUnits].reverse().forEach((units, i) =>
    decoder.add(tf.layers.dense({ units, activation: "relu", kernelInitializer: seededInit(cfg.seed, k++), name: `dec_dense_${i}`, ...(i === 0 ? { inputShape: [cfg.latentDim] } : {}) })),
  );
  decoder.add(tf.layers.dense({ units: pixels, activation: cfg.outputActivation ?? "sigmoid", kernelInitializer: seededInit(cfg.seed, k++), name: "dec_pixels", ...(cfg.hiddenUnits.length === 0 ? { inputShape: [cfg.latentDim] } : {}) }));
  decoder.add(tf.layers.reshape({ targetShape: cfg.imageShape, name: "dec_image" }));
  return { encoder, decoder, autoencoder: chain(encoder, decoder, "dense_autoencoder") };
}
