/**
 * The classifier whose features and predictions the GAN metrics use (FD, precision/recall, mode
 * coverage), trained on the labelled data set a GAN learns. Its test accuracy bounds what a
 * conditional GAN's "classified as requested" can reach.
 */
import { ImageDataset } from "../data/dataset";
import { fitClassifier, FitClassifierResult } from "../train/fit-classifier";
import { ADAM_RULES, AdamTraining, LABELLED_DATASETS, LabelledDataset, loadLabelledData, POSITIVE, TRACKING, TRACKING_RULES } from "./common";
import { Experiment, ExperimentResult, TrackingConfig } from "./experiment";

export type ClassifierExperimentConfig = {
  seed: number;
  /** Up to `trainSize` training images (a seed-1 subset, apart from a GAN's seed-0 one); the whole test set. */
  data: { dataset: LabelledDataset; trainSize: number };
  /** 3×3 stride-2 convolutions, a dense ReLU `features` layer (the metrics' feature space), dropout after it. */
  model: { filters: number[]; featureUnits: number; dropout: number };
  training: AdamTraining;
  tracking: TrackingConfig;
};

export type ClassifierData = { train: ImageDataset; test: ImageDataset };
export type ClassifierResult = FitClassifierResult & ExperimentResult;

/** The classifier's data from a labelled set's parts: at most `trainSize` training images, all test images. */
export function classifierData(all: { train: ImageDataset; test: ImageDataset }, trainSize: number): ClassifierData {
  return { train: all.train.subset(Math.min(trainSize, all.train.size), 1), test: all.test };
}

export const classifierExperiment: Experiment<ClassifierExperimentConfig, ClassifierData, ClassifierResult> = {
  name: "classifier",
  description: "the metrics' classifier on Fashion-MNIST, MNIST digits or emoji categories (notebooks 05 and 06)",
  defaults: {
    seed: 7, data: { dataset: "fashion-mnist", trainSize: 60000 }, model: { filters: [32, 64], featureUnits: 128, dropout: 0.3 },
    training: { batchSize: 64, numEpochs: 6, learningRate: 1e-3, beta1: 0.9 }, tracking: TRACKING,
  },
  rules: {
    ...ADAM_RULES, ...TRACKING_RULES, "data.dataset": { oneOf: LABELLED_DATASETS }, "data.trainSize": POSITIVE,
    "model.filters": POSITIVE, "model.featureUnits": POSITIVE, "model.dropout": { min: 0, below: 1 },
  },
  budget: { trainSize: ["data.trainSize"], epochs: ["training.numEpochs"] },
  objective: "test_error",
  loadData: async (config) => classifierData(await loadLabelledData(config.data.dataset), config.data.trainSize),
  run: async (config, data, target = {}) => {
    const { filters, featureUnits, dropout } = config.model;
    const numClasses = data.train.classNames?.length;
    if (!numClasses) throw new Error(`${data.train.name} has no class names: the classifier needs labelled data.`);
    const result = await fitClassifier({
      name: target.name ?? "classifier", train: data.train, test: data.test,
      config: { imageShape: data.train.imageShape, numClasses, filters, featureUnits, dropout, seed: config.seed },
      training: { ...config.training, seed: config.seed }, callbacks: target.callbacks,
      run: { dir: target.dir, signal: target.signal, checkpointEvery: target.checkpointEvery },
    });
    return { ...result, summary: () => ({ test_accuracy: result.testAccuracy, test_error: 1 - result.testAccuracy }) };
  },
};
