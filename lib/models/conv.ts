/**
 * The two convolutional halves every model of the thesis is made of (DCGAN guidelines, Radford et al. 2015):
 * - `buildConvEncoder`: stride-2 convolutions, then one dense head per output (AE code, VAE μ and log σ²,
 *   or the discriminator's logit);
 * - `buildConvDecoder`: a dense projection to a small feature map, then stride-2 transposed convolutions
 *   up to the image. It is both the VAE decoder and the GAN generator, so weights transfer by layer name.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageShape } from "../data/dataset";
import { seededInit } from "./layers";

export interface ConvEncoderConfig {
  imageShape: ImageShape;
  /** Channels of the stride-2 convolutions, fine to coarse, e.g. [32, 64]. */
  filters: number[];
  kernelSize?: number;
  /** `leakyRelu` (slope 0.2) is the DCGAN discriminator's choice. */
  activation?: "relu" | "leakyRelu";
  batchNorm?: boolean;
  /** One dense output per head, in order. */
  heads: { name: string; units: number }[];
  seed: number;
  name?: string;
}

export interface ConvDecoderConfig {
  imageShape: ImageShape;
  latentDim: number;
  /** Channels from coarse to fine: the projection gets filters[0], each later entry one upsampling. */
  filters: number[];
  kernelSize?: number;
  batchNorm?: boolean;
  outputActivation: "sigmoid" | "tanh";
  seed: number;
  name?: string;
}

function activationLayer(kind: "relu" | "leakyRelu", name: string): tf.layers.Layer {
  return kind === "relu" ? tf.layers.reLU({ name }) : tf.layers.leakyReLU({ alpha: 0.2, name });
}

export function buildConvEncoder(cfg: ConvEncoderConfig): tf.LayersModel {
  const { kernelSize = 3, activation = "relu", batchNorm = false } = cfg;
  const input = tf.input({ shape: cfg.imageShape, name: "enc_input" });
  let x: tf.SymbolicTensor = input;
  let k = 0;
  cfg.filters.forEach((filters, i) => {
    x = tf.layers.conv2d({ filters, kernelSize, strides: 2, padding: "same", kernelInitializer: seededInit(cfg.seed, k++), name: `enc_conv_${i}` }).apply(x) as tf.SymbolicTensor;
    if (batchNorm && i > 0) x = tf.layers.batchNormalization({ name: `enc_bn_${i}` }).apply(x) as tf.SymbolicTensor;
    x = activationLayer(activation, `enc_act_${i}`).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: "enc_flatten" }).apply(x) as tf.SymbolicTensor;
  const outputs = cfg.heads.map((h) => tf.layers.dense({ units: h.units, kernelInitializer: seededInit(cfg.seed, k++), name: h.name }).apply(x) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: cfg.name ?? "conv_encoder" });
}

export function buildConvDecoder(cfg: ConvDecoderConfig): tf.LayersModel {
  const { kernelSize = 3, batchNorm = false } = cfg;
  const [h, w, c] = cfg.imageShape;
  const steps = cfg.filters.length;
  const scale = 2 ** steps;
  if (h % scale !== 0 || w % scale !== 0) {
    throw new Error(`buildConvDecoder: ${steps} upsamplings need image sides divisible by ${scale}, got ${h}×${w}; change filters (one entry per upsampling).`);
  }
  const [bh, bw] = [h / scale, w / scale];
  let k = 0;
  const input = tf.input({ shape: [cfg.latentDim], name: "dec_input" });
  let x = tf.layers.dense({ units: bh * bw * cfg.filters[0], useBias: !batchNorm, kernelInitializer: seededInit(cfg.seed, k++), name: "dec_project" }).apply(input) as tf.SymbolicTensor;
  if (batchNorm) x = tf.layers.batchNormalization({ name: "dec_project_bn" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: "dec_project_act" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [bh, bw, cfg.filters[0]], name: "dec_reshape" }).apply(x) as tf.SymbolicTensor;
  cfg.filters.slice(1).forEach((filters, i) => {
    x = tf.layers.conv2dTranspose({ filters, kernelSize, strides: 2, padding: "same", useBias: !batchNorm, kernelInitializer: seededInit(cfg.seed, k++), name: `dec_convt_${i}` }).apply(x) as tf.SymbolicTensor;
    if (batchNorm) x = tf.layers.batchNormalization({ name: `dec_bn_${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `dec_act_${i}` }).apply(x) as tf.SymbolicTensor;
  });
  const output = tf.layers.conv2dTranspose({ filters: c, kernelSize, strides: 2, padding: "same", activation: cfg.outputActivation, kernelInitializer: seededInit(cfg.seed, k++), name: "dec_output" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: cfg.name ?? "conv_decoder" });
}
