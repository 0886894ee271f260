/**
 * Trains the metrics' classifier (lib/models/classifier.ts): Adam on softmax cross-entropy, through
 * the run cache like every other model, with the test accuracy after each epoch.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { buildClassifier, ClassifierConfig, predictClasses } from "../models/classifier";
import { TrainingConfig } from "./fit";
import { Callbacks, EpochInfo, Logs, trainLoop } from "./loop";
import { ModelCallbacks, RunTarget, trainCached } from "./run-cache";
import { trainableVariables } from "./steps";

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
  config: ClassifierConfig;
  training: TrainingConfig;
  /** Run family for the cache folder (default `classifier`). */
  name?: string;
  /** Callbacks, or a function of the models (`classifier`) and the run's folder that makes them. */
  callbacks?: ModelCallbacks;
  /** Cache root (default runs/cache). */
  root?: string;
  /** Train in a run folder (lib/runs) instead of the cache. */
  run?: RunTarget;
}

export interface FitClassifierResult {
  model: tf.LayersModel;
  /** Accuracy on `test` after the last epoch. */
  testAccuracy: number;
  epochs: EpochInfo[];
  dir: string;
  source: "cache" | "resumed" | "trained";
  /** True when the run's signal stopped it early (a checkpoint holds the state to resume). */
  stopped: boolean;
  secondsPerEpoch: number;
}

/**
 * Trains the classifier with Adam on softmax cross-entropy through the run cache (loaded when the
 * same config was trained before; resumed from the last epoch's checkpoint if interrupted).
 * `test_accuracy` is added to each epoch's logs.
 */
export async function fitClassifier(options: FitClassifierOptions): Promise<FitClassifierResult> {
  const { train, test, config, training } = options;
  if (!train.labels || !test.labels) throw new Error("fitClassifier: train and test data need labels.");
  const optimizer = tf.train.adam(training.learningRate, training.beta1);
  const run = await trainCached({
    name: options.name ?? "classifier",
    config: { model: config, training, scale: "unit", train: { name: train.name, size: train.size }, test: { name: test.name, size: test.size } },
    build: () => ({ classifier: buildClassifier(config) }),
    optimizers: { adam: optimizer },
    train: (m, control) => {
      const evaluate: Callbacks = { onEpochEnd: (info) => void (info.logs.test_accuracy = classifierAccuracy(m.classifier, test)) };
      return trainLoop({ data: train, batchSize: training.batchSize, numEpochs: training.numEpochs, seed: training.seed, scale: "unit", step: classifierStep(m.classifier, optimizer), ...control, callbacks: [evaluate, ...control.callbacks] });
    },
    callbacks: options.callbacks,
    root: options.root,
    ...options.run,
  });
  optimizer.dispose();
  const model = run.models.classifier;
  const last = run.epochs[run.epochs.length - 1]?.logs.test_accuracy;
  const testAccuracy = typeof last === "number" ? last : classifierAccuracy(model, test);
  const secondsPerEpoch = run.epochs.reduce((s, e) => s + e.seconds, 0) / Math.max(1, run.epochs.length);
  return { model, testAccuracy, epochs: run.epochs, dir: run.dir, source: run.source, stopped: run.stopped, secondsPerEpoch };
}
