/** Pieces several experiment definitions share: tracking and training rules, Fashion-MNIST subsets, sample grids. */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../core/atomic";
import { ConfigError, Rules } from "../core/config";
import { ImageDataset, PixelScale } from "../data/dataset";
import { loadFashionMnist } from "../data/fashion-mnist";
import { loadEmoji } from "../data/emoji";
import { loadMnistDigits } from "../data/mnist";
import { Callbacks } from "../train/loop";
import { imageGrid } from "../viz/grid";
import { ModelSet } from "../train/run-cache";
import { SampleGrid, TrackingConfig } from "./experiment";

export const TRACKING: TrackingConfig = { logEvery: 10, checkpointEvery: 200, samples: 20 };
export const TRACKING_RULES: Rules = {
  "tracking.logEvery": { integer: true, min: 1 },
  "tracking.checkpointEvery": { integer: true, min: 0 },
  "tracking.samples": { integer: true, min: 1, max: 100 },
};
export const POSITIVE = { integer: true, min: 1 };
export const SEED_RULES: Rules = { seed: { integer: true, min: 0 } };
/** An Adam-trained model with one learning rate. */
export const ADAM_RULES: Rules = {
  ...SEED_RULES,
  "training.batchSize": POSITIVE,
  "training.numEpochs": POSITIVE,
  "training.learningRate": { above: 0, max: 1 },
  "training.beta1": { min: 0, below: 1 },
};

/** Fashion-MNIST's sizes: every image. */
export const FASHION_SIZES = { trainSize: 60000, testSize: 10000 };
export const FASHION_RULES: Rules = { "data.trainSize": { ...POSITIVE, max: 60000 }, "data.testSize": { ...POSITIVE, max: 10000 } };

/** The first `trainSize` and `testSize` images of Fashion-MNIST's seeded shuffles (seed 0). */
export function fashionSubsets(data: { trainSize: number; testSize: number }): { train: ImageDataset; test: ImageDataset } {
  const f = loadFashionMnist();
  return { train: f.train.subset(data.trainSize, 0), test: f.test.subset(data.testSize, 0) };
}

/** Writes images as a PNG grid of `cols` columns, atomically; disposes them. */
export async function saveImageGrid(images: tf.Tensor4D, range: PixelScale, cols: number, file: string): Promise<void> {
  try {
    writeFileAtomic(file, await imageGrid(images, { cols, range, pad: 1 }));
  } finally {
    images.dispose();
  }
}

/** PNG files of a run's `samples/` folder whose names start with `prefix`, sorted (i.e. in step or epoch order). */
export function sampleFiles(dir: string, prefix: string): string[] {
  const samples = path.join(dir, "samples");
  return fs.existsSync(samples) ? fs.readdirSync(samples).filter((f) => f.startsWith(prefix) && f.endsWith(".png")).sort().map((f) => path.join(samples, f)) : [];
}

/** Saves the grid after every epoch as `<dir>/samples/epoch-NNN.png`. */
export function epochGridCallbacks(dir: string, grid: SampleGrid, models: ModelSet): Callbacks {
  return {
    onEpochEnd: async (info) => {
      const { images, range, cols } = grid.make(models);
      await saveImageGrid(images, range, cols, path.join(dir, "samples", `epoch-${String(info.epoch + 1).padStart(3, "0")}.png`));
    },
  };
}

/** The labelled data sets a GAN or a classifier trains on: emoji (64×64 RGB) are labelled by category. */
export const LABELLED_DATASETS = ["fashion-mnist", "mnist", "emoji"] as const;
export type LabelledDataset = (typeof LABELLED_DATASETS)[number];

/** A grey-scale labelled data set's train and test parts: Fashion-MNIST's own, or MNIST digits split 90/10 (seed 0). */
export function labelledData(dataset: "fashion-mnist" | "mnist"): { train: ImageDataset; test: ImageDataset } {
  return dataset === "mnist" ? loadMnistDigits().split(0.1, 0) : loadFashionMnist();
}

/** Any labelled data set's train and test parts; emoji are split 90/10 (seed 0) like MNIST digits. */
export async function loadLabelledData(dataset: LabelledDataset): Promise<{ train: ImageDataset; test: ImageDataset }> {
  return dataset === "emoji" ? (await loadEmoji()).split(0.1, 0) : labelledData(dataset);
}

/** The first `trainSize` and `testSize` images of a labelled data set's seeded shuffles (seed 0); too many is a clear error. */
export async function labelledSubsets(data: { dataset: LabelledDataset; trainSize: number; testSize: number }): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const all = await loadLabelledData(data.dataset);
  for (const part of ["train", "test"] as const) {
    const key = part === "train" ? "trainSize" : "testSize";
    if (data[key] > all[part].size) throw new ConfigError(`Config key "data.${key}" (${data[key]}) exceeds the ${all[part].size} ${data.dataset} ${part} images: set it to ${all[part].size} or less (--set data.${key}=${all[part].size}).`);
  }
  return { train: all.train.subset(data.trainSize, 0), test: all.test.subset(data.testSize, 0) };
}

/** Adam's settings of a model with one learning rate. */
export type AdamTraining = { batchSize: number; numEpochs: number; learningRate: number; beta1: number };
