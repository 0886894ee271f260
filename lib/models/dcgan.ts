/**
 * DCGAN (Radford, Metz & Chintala 2015): the generator is the convolutional decoder of the VAE
 * (same factory, same layer names, so a trained VAE decoder can become its starting point), the
 * discriminator a convolutional encoder with LeakyReLU and one logit.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageShape } from "../data/dataset";
import { buildConvDecoder, buildConvEncoder } from "./conv";

export interface DcganConfig {
  imageShape: ImageShape;
  latentDim: number;
  /** Generator channels coarse to fine (projection first), e.g. [64, 32] for 28×28. */
  generatorFilters: number[];
  /** Discriminator channels fine to coarse, e.g. [32, 64]. */
  discriminatorFilters: number[];
  kernelSize?: number;
  /** Batch normalisation in the generator (DCGAN guideline). */
  batchNorm?: boolean;
  seed: number;
}

export interface Dcgan {
  /** z → image in [-1, 1] (tanh) */
  generator: tf.LayersModel;
  /** image → logit (real > 0) */
  discriminator: tf.LayersModel;
}

export function buildDcgan(cfg: DcganConfig): Dcgan {
  const generator = buildConvDecoder({
    imageShape: cfg.imageShape,
    latentDim: cfg.latentDim,
    filters: cfg.generatorFilters,
    kernelSize: cfg.kernelSize,
    batchNorm: cfg.batchNorm ?? true,
    outputActivation: "tanh",
    seed: cfg.seed,
    name: "generator",
  });
  const discriminator = buildConvEncoder({
    imageShape: cfg.imageShape,
    filters: cfg.discriminatorFilters,
    kernelSize: cfg.kernelSize,
    activation: "leakyRelu",
    heads: [{ name: "logit", units: 1 }],
    seed: cfg.seed + 1,
    name: "discriminator",
  });
  return { generator, discriminator };
}
