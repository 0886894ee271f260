/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60k train + 10k test 28×28 grey images, 10 classes.
 * Read from local IDX files only: a folder given by the caller, $FASHION_MNIST_DIR,
 * data/fashion-mnist/, or Debian's dataset-fashion-mnist package.
 */
import * as fs from "fs";
import * as path from "path";
import { ImageDataset } from "./dataset";
import { readIdx } from "./idx";
import { DATA_DIR } from "../paths";

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
] as const;

export const FASHION_MNIST_ENV = "FASHION_MNIST_DIR";
/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

const FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** The folders searched, in order. */
export function fashionMnistCandidates(dir?: string): string[] {
  const env = process.env[FASHION_MNIST_ENV];
  return dir ? [dir] : [...(env ? [env] : []), path.join(DATA_DIR, "fashion-mnist"), FASHION_MNIST_DEBIAN_DIR];
}

function findFile(dir: string, base: string): string | undefined {
  return [base + ".gz", base].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
}

/** Finds the folder holding all four files, or explains how to get them. */
export function locateFashionMnist(dir?: string): string {
  const candidates = fashionMnistCandidates(dir);
  const found = candidates.find((d) => Object.values(FILES).every((f) => findFile(d, f)));
  if (found) return found;
  throw new Error(
    `Fashion-MNIST not found. Looked in: ${candidates.join(", ")}.\n` +
      `Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; files land in ${FASHION_MNIST_DEBIAN_DIR}), ` +
      `or put ${Object.values(FILES).map((f) => f + ".gz").join(", ")} in data/fashion-mnist/, or set ${FASHION_MNIST_ENV} to their folder.`,
  );
}

function readPart(dir: string, images: string, labels: string, name: string): ImageDataset {
  const imgFile = findFile(dir, images)!;
  const lblFile = findFile(dir, labels)!;
  const img = readIdx(imgFile);
  const lbl = readIdx(lblFile);
  if (img.shape.length !== 3 || img.shape[1] !== 28 || img.shape[2] !== 28 || !(img.data instanceof Uint8Array)) {
    throw new Error(`${imgFile}: expected uint8 images of shape N×28×28, found ${img.shape.join("×")}.`);
  }
  if (lbl.shape.length !== 1 || lbl.shape[0] !== img.shape[0] || !(lbl.data instanceof Uint8Array)) {
    throw new Error(`${lblFile}: expected ${img.shape[0]} uint8 labels to match ${imgFile}, found shape ${lbl.shape.join("×")}.`);
  }
  const bad = lbl.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new Error(`${lblFile}: label ${lbl.data[bad]} at index ${bad} is outside 0..9.`);
  return new ImageDataset({ name, imageShape: [28, 28, 1], images: img.data, labels: lbl.data, classNames: FASHION_MNIST_CLASSES });
}

/** Loads both parts. `dir` overrides the search. */
export function loadFashionMnist(dir?: string): { train: ImageDataset; test: ImageDataset } {
  const root = locateFashionMnist(dir);
  return {
    train: readPart(root, FILES.trainImages, FILES.trainLabels, "fashion-mnist/train"),
    test: readPart(root, FILES.testImages, FILES.testLabels, "fashion-mnist/test"),
  };
}
