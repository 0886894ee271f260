/**
 * Variational autoencoder (Kingma & Welling 2013): the encoder outputs μ and log σ² of q(z|x),
 * z = μ + σ·ε with ε ~ N(0, I) (reparameterisation), and the decoder — the same factory as the GAN
 * generator — maps z back to an image. Loss = reconstruction + β·KL(q(z|x) ‖ N(0, I)).
 */
import * as tf from "@tensorflow/tfjs";
import { ImageShape } from "../data/dataset";
import { buildConvDecoder, buildConvEncoder } from "./conv";

export interface VaeConfig {
  imageShape: ImageShape;
  /** Encoder channels fine to coarse, e.g. [32, 64]; the decoder mirrors them. */
  filters: number[];
  latentDim: number;
  kernelSize?: number;
  /** Batch normalisation in the decoder (DCGAN generators use it). */
  batchNorm?: boolean;
  /** `sigmoid` with BCE on [0, 1] pixels; `tanh` with MSE on [-1, 1] (what a GAN generator outputs). */
  outputActivation?: "sigmoid" | "tanh";
  seed: number;
}

export interface Vae {
  /** x → [zMean, zLogVar] */
  encoder: tf.LayersModel;
  /** z → x̂ (a GAN generator when transferred) */
  decoder: tf.LayersModel;
}

export function buildVae(cfg: VaeConfig): Vae {
  const encoder = buildConvEncoder({
    imageShape: cfg.imageShape,
    filters: cfg.filters,
    kernelSize: cfg.kernelSize,
    heads: [{ name: "z_mean", units: cfg.latentDim }, { name: "z_log_var", units: cfg.latentDim }],
    seed: cfg.seed,
    name: "vae_encoder",
  });
  const decoder = buildConvDecoder({
    imageShape: cfg.imageShape,
    latentDim: cfg.latentDim,
    filters: [...cfg.filters].reverse(),
    kernelSize: cfg.kernelSize,
    batchNorm: cfg.batchNorm,
    outputActivation: cfg.outputActivation ?? "sigmoid",
    seed: cfg.seed + 1,
    name: "vae_decoder",
  });
  return { encoder, decoder };
}

/** z = μ + exp(½ log σ²)·ε, ε ~ N(0, I) drawn with `seed` (a fresh seed per step keeps runs reproducible). */
export function reparameterize(zMean: tf.Tensor2D, zLogVar: tf.Tensor2D, seed?: number): tf.Tensor2D {
  return tf.tidy(() => zMean.add(tf.exp(zLogVar.mul(0.5)).mul(tf.randomNormal(zMean.shape, 0, 1, "float32", seed))));
}

/** KL(N(μ, σ²) ‖ N(0, I)) in closed form, summed over latent dimensions: one value per sample [n]. */
export function klDivergence(zMean: tf.Tensor2D, zLogVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.exp(zLogVar).add(zMean.square()).sub(1).sub(zLogVar), 1).mul(0.5));
}

/** Reconstruction error summed over pixels: one value per sample [n]. BCE for sigmoid outputs, squared error for tanh. */
export function reconstructionError(x: tf.Tensor4D, xHat: tf.Tensor4D, kind: "bce" | "mse"): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    const flatX = x.reshape([x.shape[0], -1]);
    const flatXHat = xHat.reshape([xHat.shape[0], -1]);
    if (kind === "mse") return tf.sum(tf.squaredDifference(flatX, flatXHat), 1) as tf.Tensor1D;
    const eps = 1e-7;
    const p = flatXHat.clipByValue(eps, 1 - eps);
    return tf.sum(flatX.mul(p.log()).add(tf.scalar(1).sub(flatX).mul(tf.scalar(1).sub(p).log())), 1).neg() as tf.Tensor1D;
  });
}
