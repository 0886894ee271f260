/**
 * The feature extractor behind our sample-quality metrics: a small CNN trained to classify
 * Fashion-MNIST. Its penultimate layer (`features`) plays the role Inception-v3's pool layer plays
 * in FID (Heusel et al. 2017) and in precision/recall (Kynkäänniemi et al. 2019), and its class
 * predictions give mode coverage. A domain classifier is the usual choice for MNIST-like data,
 * where ImageNet features are a poor fit (and Inception is unavailable offline).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, ImageShape, PixelScale } from "../data/dataset";
import { seededInit } from "../models/dense-ae";
import { Callbacks, EpochInfo, Logs, trainLoop } from "../train/loop";
import { trainCached } from "../train/run-cache";
import { trainableVariables } from "../train/steps";
import { TrainingConfig } from "../train/fit";

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

/** The Fashion-MNIST classifier used for the report's metrics. */
export const FASHION_CLASSIFIER: ClassifierConfig = { imageShape: [28, 28, 1], numClasses: 10, filters: [32, 64], featureUnits: 128, dropout: 0.3, seed: 7 };

/** Its training settings: ~5 epochs of Adam reach ≥ 90% test accuracy. */
export const FASHION_CLASSIFIER_TRAINING: TrainingConfig = { batchSize: 64, numEpochs: 5, learningRate: 1e-3, seed: 7 };

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

/** One Adam (or any optimizer) step on softmax cross-entropy; reports { loss, accuracy } of the batch. */
export function classifierStep(model: tf.LayersModel, optimizer: tf.Optimizer): (batch: { x: tf.Tensor4D; y?: tf.Tensor1D }) => Logs {
  const vars = trainableVariables(model);
  const numClasses = model.outputs[0].shape[1] as number;
  return (batch) => {
    if (!batch.y) throw new Error("classifierStep: the batch has no labels.");
    const y = batch.y;
    let correct: tf.Scalar | undefined;
    const loss = optimizer.minimize(() => {
      const logits = model.apply(batch.x, { training: true }) as tf.Tensor2D;
      correct = tf.keep(tf.tidy(() => logits.argMax(1).equal(y.cast("int32")).cast("float32").mean() as tf.Scalar));
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y.cast("int32"), numClasses), logits) as tf.Scalar;
    }, true, vars)!;
    const logs = { loss: loss.dataSync()[0], accuracy: correct!.dataSync()[0] };
    tf.dispose([loss, correct!]);
    return logs;
  };
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

/** Share of a labelled data set's images classified correctly. */
export function classifierAccuracy(model: tf.LayersModel, data: ImageDataset, options: { batchSize?: number } = {}): number {
  if (!data.labels) throw new Error(`${data.name} has no labels.`);
  const predicted = predictClasses(model, data, options);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === data.labels[i]) correct++;
  return correct / predicted.length;
}

export interface FitClassifierOptions {
  train: ImageDataset;
  test: ImageDataset;
  /** Default {@link FASHION_CLASSIFIER}. */
  config?: ClassifierConfig;
  /** Default {@link FASHION_CLASSIFIER_TRAINING}. */
  training?: TrainingConfig;
  /** Run family for the cache folder (default `classifier`). */
  name?: string;
  callbacks?: Callbacks[];
  /** Cache root (default runs/cache). */
  root?: string;
}

export interface FitClassifierResult {
  model: tf.LayersModel;
  /** Accuracy on `test` after the last epoch. */
  testAccuracy: number;
  epochs: EpochInfo[];
  dir: string;
  source: "cache" | "resumed" | "trained";
  secondsPerEpoch: number;
}

/** The cache hashes lib/models, train and data only; this file defines the classifier, so it joins the config. */
function codeDigest(): string {
  try {
    return crypto.createHash("sha256").update(fs.readFileSync(__filename)).digest("hex").slice(0, 12);
  } catch {
    return "unknown";
  }
}

/**
 * Trains the classifier with Adam on softmax cross-entropy through the run cache (loaded when the
 * same config was trained before; resumed from the last epoch's checkpoint if interrupted).
 * `test_accuracy` is added to each epoch's logs.
 */
export async function fitClassifier(options: FitClassifierOptions): Promise<FitClassifierResult> {
  const { train, test, config = FASHION_CLASSIFIER, training = FASHION_CLASSIFIER_TRAINING } = options;
  if (!train.labels || !test.labels) throw new Error("fitClassifier: train and test data need labels.");
  const optimizer = tf.train.adam(training.learningRate);
  const run = await trainCached({
    name: options.name ?? "classifier",
    config: { model: config, training, scale: "unit", train: { name: train.name, size: train.size }, test: { name: test.name, size: test.size }, code: codeDigest() },
    build: () => ({ classifier: buildClassifier(config) }),
    optimizers: { adam: optimizer },
    train: (m, control) => {
      const evaluate: Callbacks = { onEpochEnd: (info) => void (info.logs.test_accuracy = classifierAccuracy(m.classifier, test)) };
      return trainLoop({ data: train, batchSize: training.batchSize, numEpochs: training.numEpochs, seed: training.seed, scale: "unit", step: classifierStep(m.classifier, optimizer), ...control, callbacks: [evaluate, ...control.callbacks] });
    },
    callbacks: options.callbacks,
    root: options.root,
  }).finally(() => optimizer.dispose());
  const model = run.models.classifier;
  const last = run.epochs[run.epochs.length - 1]?.logs.test_accuracy;
  const testAccuracy = typeof last === "number" ? last : classifierAccuracy(model, test);
  const secondsPerEpoch = run.epochs.reduce((s, e) => s + e.seconds, 0) / Math.max(1, run.epochs.length);
  return { model, testAccuracy, epochs: run.epochs, dir: run.dir, source: run.source, secondsPerEpoch };
}
