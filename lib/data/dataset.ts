/**
 * One in-memory image data set API for every source: uint8 pixels (NHWC) and optional labels,
 * seeded shuffles, splits and subsets, and float batches made on demand.
 * Pixels stay uint8 (Fashion-MNIST's 70k images as float32 would take ~220 MB).
 */
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, permutation } from "../random";

/** Pixel range of the float tensors: `unit` = [0, 1] (sigmoid outputs), `symmetric` = [-1, 1] (tanh outputs). */
export type PixelScale = "unit" | "symmetric";

/** [height, width, channels] */
export type ImageShape = [number, number, number];

export interface BatchOptions {
  batchSize: number;
  /** Seed of the shuffle; each epoch gets its own order derived from it. */
  seed: number;
  epoch?: number;
  scale?: PixelScale;
  /** Default true: shuffle the order each epoch. */
  shuffle?: boolean;
  /** Default false: keep the last, smaller batch. */
  dropRemainder?: boolean;
  /** Skip the epoch's first batches (resuming mid-epoch); default 0. */
  startBatch?: number;
}

/** A batch of images (float32, NHWC) and, when the data set has them, integer labels. */
export interface Batch {
  x: tf.Tensor4D;
  y?: tf.Tensor1D;
  indices: Uint32Array;
}

export interface ImageDatasetInit {
  name: string;
  imageShape: ImageShape;
  images: Uint8Array;
  labels?: Uint8Array;
  classNames?: readonly string[];
}

export class ImageDataset {
  readonly name: string;
  readonly imageShape: ImageShape;
  readonly images: Uint8Array;
  readonly labels?: Uint8Array;
  readonly classNames?: readonly string[];
  readonly size: number;

  constructor(init: ImageDatasetInit) {
    const [h, w, c] = init.imageShape;
    const pixels = h * w * c;
    if (!(pixels > 0) || init.images.length % pixels !== 0) {
      throw new Error(`${init.name}: ${init.images.length} pixel values do not divide into images of ${h}×${w}×${c}.`);
    }
    this.size = init.images.length / pixels;
    if (init.labels && init.labels.length !== this.size) {
      throw new Error(`${init.name}: ${this.size} images but ${init.labels.length} labels.`);
    }
    this.name = init.name;
    this.imageShape = init.imageShape;
    this.images = init.images;
    this.labels = init.labels;
    this.classNames = init.classNames;
  }

  get pixelsPerImage(): number {
    return this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
  }

  /** A new data set holding the given samples, in that order. */
  take(indices: ArrayLike<number>, name = this.name): ImageDataset {
    const n = this.pixelsPerImage;
    const images = new Uint8Array(indices.length * n);
    const labels = this.labels ? new Uint8Array(indices.length) : undefined;
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      if (!(j >= 0 && j < this.size)) throw new RangeError(`${this.name}: index ${j} outside 0..${this.size - 1}.`);
      images.set(this.images.subarray(j * n, (j + 1) * n), i * n);
      if (labels) labels[i] = this.labels![j];
    }
    return new ImageDataset({ name, imageShape: this.imageShape, images, labels, classNames: this.classNames });
  }

  /** `count` samples drawn without replacement by `seed`; the whole set when count ≥ size. */
  subset(count: number, seed: number): ImageDataset {
    if (!Number.isInteger(count) || count <= 0) throw new Error(`subset size must be a positive integer, got ${count}.`);
    if (count >= this.size) return this;
    return this.take(permutation(this.size, deriveSeed(seed, "subset")).subarray(0, count), `${this.name}[${count}]`);
  }

  /** Seeded split into train and test parts; `testFraction` in (0, 1). */
  split(testFraction: number, seed: number): { train: ImageDataset; test: ImageDataset } {
    if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must lie in (0, 1), got ${testFraction}.`);
    const order = permutation(this.size, deriveSeed(seed, "split"));
    const nTest = Math.max(1, Math.round(this.size * testFraction));
    return {
      test: this.take(order.subarray(0, nTest), `${this.name}/test`),
      train: this.take(order.subarray(nTest), `${this.name}/train`),
    };
  }

  /** Float32 images [n, h, w, c] scaled to the given range. */
  toTensor(indices?: ArrayLike<number>, scale: PixelScale = "unit"): tf.Tensor4D {
    const idx = indices ?? Uint32Array.from({ length: this.size }, (_, i) => i);
    const n = this.pixelsPerImage;
    const out = new Float32Array(idx.length * n);
    const [mul, add] = scale === "unit" ? [1 / 255, 0] : [2 / 255, -1];
    for (let i = 0; i < idx.length; i++) {
      const src = this.images.subarray(idx[i] * n, (idx[i] + 1) * n);
      for (let p = 0; p < n; p++) out[i * n + p] = src[p] * mul + add;
    }
    return tf.tensor4d(out, [idx.length, ...this.imageShape]);
  }

  /** Integer labels of the given samples; throws when the data set has none. */
  labelTensor(indices: ArrayLike<number>): tf.Tensor1D {
    if (!this.labels) throw new Error(`${this.name} has no labels.`);
    return tf.tensor1d(Int32Array.from(indices as ArrayLike<number>, (j) => this.labels![j]), "int32");
  }

  numBatches(batchSize: number, dropRemainder = false): number {
    return dropRemainder ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
  }

  /** The sample order of one epoch (seeded, or 0..n-1 when not shuffled). */
  epochOrder(seed: number, epoch = 0, shuffle = true): Uint32Array {
    return shuffle ? permutation(this.size, deriveSeed(seed, `epoch:${epoch}`)) : Uint32Array.from({ length: this.size }, (_, i) => i);
  }

  /**
   * Batches of one epoch. The caller owns (and disposes) each batch's tensors.
   * @example for (const b of ds.batches({ batchSize: 64, seed: 1, epoch })) { …; tf.dispose([b.x, b.y]); }
   */
  *batches(options: BatchOptions): Generator<Batch> {
    const { batchSize, seed, epoch = 0, scale = "unit", shuffle = true, dropRemainder = false, startBatch = 0 } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
    const order = this.epochOrder(seed, epoch, shuffle);
    const count = this.numBatches(batchSize, dropRemainder);
    for (let b = startBatch; b < count; b++) {
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, this.size));
      yield { x: this.toTensor(indices, scale), y: this.labels ? this.labelTensor(indices) : undefined, indices };
    }
  }
}
