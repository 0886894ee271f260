/** Image grids: many small images tiled into one PNG with sharp. */
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { ImageDataset, PixelScale } from "../data/dataset";

export interface GridOptions {
  /** Columns; default ⌈√n⌉. */
  cols?: number;
  /** Pixels between tiles (before scaling). */
  pad?: number;
  /** Integer upscale factor (nearest neighbour), so 28×28 digits stay crisp. */
  scale?: number;
  /** Grey level of the padding, 0–255. */
  background?: number;
  /** Range of float tensors; uint8 data sets need none. */
  range?: PixelScale;
}

/** The laid-out grid: raw uint8 pixels plus its geometry (exposed for tests and composition). */
export interface GridPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

function toUint8(source: tf.Tensor | ImageDataset, range: PixelScale): { data: Uint8Array; shape: [number, number, number, number] } {
  if (source instanceof ImageDataset) return { data: source.images, shape: [source.size, ...source.imageShape] };
  if (source.rank !== 4 && source.rank !== 3) throw new Error(`imageGrid needs images [n, h, w, c] or [n, h, w], got shape [${source.shape}].`);
  const [n, h, w, c = 1] = source.shape as number[];
  const values = source.dataSync();
  const [mul, add] = range === "unit" ? [255, 0] : [127.5, 1];
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.max(0, Math.min(255, Math.round((values[i] + add) * mul)));
  return { data, shape: [n, h, w, c] };
}

/** Tiles images into one uint8 canvas (grey or RGB). */
export function layoutGrid(source: tf.Tensor | ImageDataset, options: GridOptions = {}): GridPixels {
  const { pad = 2, scale = 1, background = 255, range = "unit" } = options;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a positive integer, got ${scale}.`);
  const { data, shape } = toUint8(source, range);
  const [n, h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new Error(`imageGrid supports 1 or 3 channels, got ${c}.`);
  if (n === 0) throw new Error("imageGrid needs at least one image.");
  const cols = options.cols ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = (cols * (w + pad) + pad) * scale;
  const height = (rows * (h + pad) + pad) * scale;
  const out = new Uint8Array(width * height * c).fill(background);
  for (let k = 0; k < n; k++) {
    const x0 = (pad + (k % cols) * (w + pad)) * scale;
    const y0 = (pad + Math.floor(k / cols) * (h + pad)) * scale;
    for (let y = 0; y < h * scale; y++) {
      const srcRow = (k * h + Math.floor(y / scale)) * w;
      const dstRow = ((y0 + y) * width + x0) * c;
      for (let x = 0; x < w * scale; x++) {
        const s = (srcRow + Math.floor(x / scale)) * c;
        for (let ch = 0; ch < c; ch++) out[dstRow + x * c + ch] = data[s + ch];
      }
    }
  }
  return { data: out, width, height, channels: c as 1 | 3 };
}

/** Tiles images into a PNG. Float tensors are read in `range` ([0,1] by default). */
export async function imageGrid(source: tf.Tensor | ImageDataset, options: GridOptions = {}): Promise<Buffer> {
  const g = layoutGrid(source, options);
  const img = sharp(Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength), { raw: { width: g.width, height: g.height, channels: g.channels } });
  return (g.channels === 1 ? img.toColourspace("b-w") : img).png({ compressionLevel: 9 }).toBuffer();
}
