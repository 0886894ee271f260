/** Convolutional autoencoder: the conv encoder with one code head, and the conv decoder. */
import { ImageShape } from "../data/dataset";
import { buildConvDecoder, buildConvEncoder } from "./conv";
import { Autoencoder } from "./dense-ae";
import { chain } from "./layers";

export interface ConvAutoencoderConfig {
  imageShape: ImageShape;
  /** Encoder channels fine to coarse, e.g. [32, 64]; the decoder mirrors them. */
  filters: number[];
  latentDim: number;
  kernelSize?: number;
  outputActivation?: "sigmoid" | "tanh";
  seed: number;
}

export function buildConvAutoencoder(cfg: ConvAutoencoderConfig): Autoencoder {
  const encoder = buildConvEncoder({ imageShape: cfg.imageShape, filters: cfg.filters, kernelSize: cfg.kernelSize, heads: [{ name: "enc_code", units: cfg.latentDim }], seed: cfg.seed });
  const decoder = buildConvDecoder({
    imageShape: cfg.imageShape,
    latentDim: cfg.latentDim,
    filters: [...cfg.filters].reverse(),
    kernelSize: cfg.kernelSize,
    outputActivation: cfg.outputActivation ?? "sigmoid",
    seed: cfg.seed + 1,
  });
  return { encoder, decoder, autoencoder: chain(encoder, decoder, "conv_autoencoder") };
}
