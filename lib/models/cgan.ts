/**
 * Conditional DCGAN (Mirza & Osindero 2014): both networks see the class. The generator decodes
 * z ⊕ one-hot(y) with the same decoder factory; the discriminator reads the image with the one-hot
 * label broadcast as extra channels.
 */
import * as tf from "@tensorflow/tfjs";
import { buildConvDecoder, buildConvEncoder } from "./conv";
import { DcganConfig } from "./dcgan";

export interface CganConfig extends DcganConfig {
  numClasses: number;
}

export interface Cgan {
  /** [z, one-hot y] → image in [-1, 1] */
  generator: tf.LayersModel;
  /** [image, one-hot y] → logit */
  discriminator: tf.LayersModel;
  numClasses: number;
}

/** Repeats a [n, k] one-hot over the image plane: [n, h, w, k]. */
class BroadcastLabels extends tf.layers.Layer {
  static className = "BroadcastLabels";
  constructor(private readonly config: { height: number; width: number; name?: string }) {
    super({ name: config.name });
  }
  override computeOutputShape(inputShape: tf.Shape): tf.Shape {
    return [inputShape[0], this.config.height, this.config.width, inputShape[1]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const y = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      return y.reshape([y.shape[0], 1, 1, y.shape[1]]).tile([1, this.config.height, this.config.width, 1]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.config.height, width: this.config.width };
  }
}
tf.serialization.registerClass(BroadcastLabels);

export function buildCgan(cfg: CganConfig): Cgan {
  const [h, w, c] = cfg.imageShape;
  const decoder = buildConvDecoder({ imageShape: cfg.imageShape, latentDim: cfg.latentDim + cfg.numClasses, filters: cfg.generatorFilters, kernelSize: cfg.kernelSize, batchNorm: cfg.batchNorm ?? true, outputActivation: "tanh", seed: cfg.seed, name: "decoder" });
  const z = tf.input({ shape: [cfg.latentDim], name: "z" });
  const yG = tf.input({ shape: [cfg.numClasses], name: "label" });
  const zy = tf.layers.concatenate({ name: "z_label" }).apply([z, yG]) as tf.SymbolicTensor;
  const generator = tf.model({ inputs: [z, yG], outputs: decoder.apply(zy) as tf.SymbolicTensor, name: "cgan_generator" });

  const encoder = buildConvEncoder({ imageShape: [h, w, c + cfg.numClasses], filters: cfg.discriminatorFilters, kernelSize: cfg.kernelSize, activation: "leakyRelu", heads: [{ name: "logit", units: 1 }], seed: cfg.seed + 1, name: "encoder" });
  const x = tf.input({ shape: cfg.imageShape, name: "image" });
  const yD = tf.input({ shape: [cfg.numClasses], name: "label" });
  const planes = new BroadcastLabels({ height: h, width: w, name: "label_planes" }).apply(yD) as tf.SymbolicTensor;
  const xy = tf.layers.concatenate({ name: "image_label" }).apply([x, planes]) as tf.SymbolicTensor;
  const discriminator = tf.model({ inputs: [x, yD], outputs: encoder.apply(xy) as tf.SymbolicTensor, name: "cgan_discriminator" });
  return { generator, discriminator, numClasses: cfg.numClasses };
}
