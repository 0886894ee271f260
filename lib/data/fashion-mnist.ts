/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60k train + 10k test 28×28 grey images, 10 classes.
 * Read from local IDX files only: a folder given by the caller, else $FASHION_MNIST_DIR, else
 * data/fashion-mnist/, else Debian's dataset-fashion-mnist package (see locateFashionMnist).
 */
import * as fs from "fs";
import * as path from "path";
import { ImageDataset } from "./dataset";
import { readIdx } from "./idx";
import { noteDataFile } from "./sources";
import { readEnv } from "../core/env";
import { UserInputError } from "../core/errors";
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

function findFile(dir: string, base: string): string | undefined {
  return [base + ".gz", base].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
}

const HOW_TO_GET = `Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; files land in ${FASHION_MNIST_DEBIAN_DIR}), ` +
  `or put ${Object.values(FILES).map((f) => f + ".gz").join(", ")} (or the same without .gz) in data/fashion-mnist/, or set ${FASHION_MNIST_ENV} to their folder.`;

/** Why `dir` cannot serve as the Fashion-MNIST folder (null when it holds all four files). */
function folderProblem(dir: string): string | null {
  if (!fs.existsSync(dir)) return "does not exist";
  if (!fs.statSync(dir).isDirectory()) return "is not a folder";
  const missing = Object.values(FILES).filter((f) => !findFile(dir, f));
  if (missing.length === 0) return null;
  const present = Object.values(FILES).filter((f) => !missing.includes(f));
  return `lacks ${missing.map((f) => `${f}(.gz)`).join(", ")}${present.length ? ` (it holds only ${present.join(", ")})` : ""}`;
}

/**
 * The folder to read. One the caller or $FASHION_MNIST_DIR names is the only one tried: a wrong one
 * (missing, empty, some files absent) is an error naming the folder and what it lacks, never a silent
 * fall back to another copy. Otherwise data/fashion-mnist/ (which must be complete once it holds any
 * of the files), then Debian's package.
 */
export function locateFashionMnist(dir?: string): string {
  const named = dir !== undefined ? { dir, from: "the folder passed to loadFashionMnist" } : undefined;
  const env = named ? undefined : readEnv(FASHION_MNIST_ENV);
  const chosen = named ?? (env !== undefined ? { dir: env, from: FASHION_MNIST_ENV } : undefined);
  if (chosen) {
    const problem = folderProblem(chosen.dir);
    if (problem) throw new UserInputError(`Fashion-MNIST not found: ${chosen.dir} (from ${chosen.from}) ${problem}. ${HOW_TO_GET}`);
    return chosen.dir;
  }
  const local = path.join(DATA_DIR, "fashion-mnist");
  const localProblem = folderProblem(local);
  if (!localProblem) return local;
  if (fs.existsSync(local) && Object.values(FILES).some((f) => findFile(local, f))) {
    throw new UserInputError(`Fashion-MNIST incomplete: ${local} ${localProblem}. Complete it, or remove it to use ${FASHION_MNIST_DEBIAN_DIR}.`);
  }
  if (!folderProblem(FASHION_MNIST_DEBIAN_DIR)) return FASHION_MNIST_DEBIAN_DIR;
  throw new UserInputError(`Fashion-MNIST not found. Looked in: ${local}, ${FASHION_MNIST_DEBIAN_DIR}.\n${HOW_TO_GET}`);
}

function readPart(dir: string, images: string, labels: string, name: string): ImageDataset {
  const imgFile = findFile(dir, images)!;
  const lblFile = findFile(dir, labels)!;
  const img = readIdx(imgFile);
  const lbl = readIdx(lblFile);
  if (!(img.data instanceof Uint8Array)) throw new Error(`${imgFile}: expected uint8 pixels (IDX dtype byte 0x08), found ${img.dtype}.`);
  if (!(lbl.data instanceof Uint8Array)) throw new Error(`${lblFile}: expected uint8 labels (IDX dtype byte 0x08), found ${lbl.dtype}.`);
  noteDataFile(imgFile);
  noteDataFile(lblFile);
  if (img.shape.length !== 3 || img.shape[1] !== 28 || img.shape[2] !== 28) {
    throw new Error(`${imgFile}: expected images of shape N×28×28, found ${img.shape.join("×")}.`);
  }
  if (lbl.shape.length !== 1 || lbl.shape[0] !== img.shape[0]) {
    throw new Error(`${lblFile}: expected ${img.shape[0]} labels to match ${imgFile}, found shape ${lbl.shape.join("×")}.`);
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
