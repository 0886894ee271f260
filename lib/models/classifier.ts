/**
 * The feature extractor behind our sample-quality metrics: a small CNN that classifies the data
 * set's images. Its penultimate layer (`features`) plays the role Inception-v3's pool layer plays
 * in FID (Heusel et al. 2017) and in precision/recall (Kynkäänniemi et al. 2019), and its class
 * predictions give mode coverage. A domain classifier is the usual choice for MNIST-like data,
 * where ImageNet features are a poor fit (and Inception is unavailable offline).
 * Its training lives in lib/train/fit-classifier.ts, its settings in lib/experiments/classifier.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, ImageShape, PixelScale } from "../data/dataset";
import { seededInit } from "./layers";

export interface ClassifierConfig {
  imageShape: ImageShape;
  numClasses: number;
  /** Channels of the 3×3 stride-2 ReLU convolutions, e.g. [32, 64] (28 → 14 → 7). */
  filters: number[];
  kernelSize?: number;
  /** Units of the dense ReLU layer named `features`, the metrics' feature space. */
  featureUnits: number;
  /** Dropout after `features` during training (0 = none). */
  dropout?: number;
  seed: number;
}

/** Name of the feature layer. */
export const FEATURE_LAYER = "features";

/** conv × len(filters) → flatten → dense `features` (ReLU) → [dropout] → dense logits. Input in [0, 1]. */
export function buildClassifier(cfg: ClassifierConfig): tf.LayersModel {
  const { kernelSize = 3, dropout = 0 } = cfg;
  let k = 0;
  const input = tf.input({ shape: cfg.imageShape, name: "cls_input" });
  let x: tf.SymbolicTensor = input;
  cfg.filters.forEach((filters, i) => {
    x = tf.layers.conv2d({ filters, kernelSize, strides: 2, padding: "same", activation: "relu", kernelInitializer: seededInit(cfg.seed, k++), name: `cls_conv_${i}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: "cls_flatten" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: cfg.featureUnits, activation: "relu", kernelInitializer: seededInit(cfg.seed, k++), name: FEATURE_LAYER }).apply(x) as tf.SymbolicTensor;
  if (dropout > 0) x = tf.layers.dropout({ rate: dropout, seed: cfg.seed * 1000 + k++, name: "cls_dropout" }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: cfg.numClasses, kernelInitializer: seededInit(cfg.seed, k++), name: "logits" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: "classifier" });
}

export interface ClassifierInputOptions {
  /** Images per forward pass (default 256). */
  batchSize?: number;
  /** Range of a tensor input: `unit` [0, 1] or `symmetric` [-1, 1] (tanh generators); converted to [0, 1]. Data sets are uint8 and need none. */
  scale?: PixelScale;
}

const heads = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** The classifier with two outputs, [features, logits], sharing its weights. */
function withFeatures(model: tf.LayersModel): tf.LayersModel {
  let m = heads.get(model);
  if (!m) {
    m = tf.model({ inputs: model.inputs, outputs: [model.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor, model.outputs[0]], name: `${model.name}_with_features` });
    heads.set(model, m);
  }
  return m;
}

/**
 * Features (`features` layer) and predicted classes of every image, in batches, in inference mode.
 * One pass for both: notebooks need both for generated samples (FD, precision/recall, coverage).
 */
export function classifierOutputs(model: tf.LayersModel, images: tf.Tensor4D | ImageDataset, options: ClassifierInputOptions = {}): { features: Float32Array; dim: number; classes: Int32Array } {
  const { batchSize = 256, scale = "unit" } = options;
  const net = withFeatures(model);
  const dim = net.outputs[0].shape[1] as number;
  const n = images instanceof ImageDataset ? images.size : images.shape[0];
  const features = new Float32Array(n * dim);
  const classes = new Int32Array(n);
  const run = (x: tf.Tensor4D, offset: number, inputScale: PixelScale) => {
    const [f, c] = tf.tidy(() => {
      const input = inputScale === "symmetric" ? x.add(1).div(2) : x;
      const [feat, logits] = net.apply(input, { training: false }) as tf.Tensor2D[];
      return [feat, logits.argMax(1)];
    });
    features.set(f.dataSync(), offset * dim);
    classes.set(c.dataSync() as Int32Array, offset);
    tf.dispose([f, c]);
  };
  if (images instanceof ImageDataset) {
    let offset = 0;
    for (const b of images.batches({ batchSize, seed: 0, shuffle: false, scale: "unit" })) {
      try {
        run(b.x, offset, "unit");
      } finally {
        tf.dispose([b.x, ...(b.y ? [b.y] : [])]);
      }
      offset += b.indices.length;
    }
  } else {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const x = images.slice([start, 0, 0, 0], [size, -1, -1, -1]);
      try {
        run(x, start, scale);
      } finally {
        x.dispose();
      }
    }
  }
  return { features, dim, classes };
}

/** Activations of the `features` layer for every image: row-major [n, dim]. */
export function classifierFeatures(model: tf.LayersModel, images: tf.Tensor4D | ImageDataset, options: ClassifierInputOptions = {}): { features: Float32Array; dim: number } {
  const { features, dim } = classifierOutputs(model, images, options);
  return { features, dim };
}

/** Most probable class of every image. */
export function predictClasses(model: tf.LayersModel, images: tf.Tensor4D | ImageDataset, options: ClassifierInputOptions = {}): Int32Array {
  return classifierOutputs(model, images, options).classes;
}
