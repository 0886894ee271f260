/** Small data-set fixtures written to a temporary folder by the tests themselves. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import sharp from "sharp";
import { encodeIdxUint8 } from "../../lib/data/idx";
import { ImageDataset } from "../../lib/data/dataset";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `vae-gan-${prefix}-`));
}

/** A Fashion-MNIST-shaped folder: `n` train and `n` test images whose pixels encode their index. */
export function makeFashionMnistFixture(n = 12, gzip = true): string {
  const dir = tempDir("fmnist");
  const write = (name: string, shape: number[], data: Uint8Array) => {
    const bytes = encodeIdxUint8(shape, data);
    fs.writeFileSync(path.join(dir, gzip ? name + ".gz" : name), gzip ? zlib.gzipSync(bytes) : bytes);
  };
  for (const part of ["train", "t10k"]) {
    const images = new Uint8Array(n * 784).map((_, i) => Math.floor(i / 784) * 10);
    write(`${part}-images-idx3-ubyte`, [n, 28, 28], images);
    write(`${part}-labels-idx1-ubyte`, [n], Uint8Array.from({ length: n }, (_, i) => i % 10));
  }
  return dir;
}

/** A folder of solid-colour images (PNG with alpha and JPEG, various sizes). */
export async function makeImageFolder(count: number, opts: { alpha?: boolean; ext?: "png" | "jpg"; width?: number; height?: number } = {}): Promise<string> {
  const dir = tempDir("images");
  const { alpha = false, ext = "png", width = 80, height = 60 } = opts;
  for (let i = 0; i < count; i++) {
    const img = sharp({ create: { width, height, channels: alpha ? 4 : 3, background: { r: 20 * i, g: 100, b: 200, alpha: alpha ? 0 : 1 } } });
    await (ext === "png" ? img.png() : img.jpeg()).toFile(path.join(dir, `img-${String(i).padStart(3, "0")}.${ext}`));
  }
  return dir;
}

/** An emoji-datasource-shaped package folder with `count` 64×64 PNGs in two categories. */
export async function makeEmojiFixture(count = 4): Promise<string> {
  const dir = tempDir("emoji");
  const imgDir = path.join(dir, "img", "google", "64");
  fs.mkdirSync(imgDir, { recursive: true });
  const entries = [];
  for (let i = 0; i < count; i++) {
    const image = `e${i}.png`;
    // Half transparent so the composite on white is visible in the decoded pixels.
    await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } }).png().toFile(path.join(imgDir, image));
    entries.push({ image, category: i % 2 ? "Flags" : "Animals & Nature", has_img_google: true });
  }
  fs.writeFileSync(path.join(dir, "emoji.json"), JSON.stringify(entries));
  return dir;
}

/** `n` blurry blobs at random places on side×side images: structure an autoencoder learns quickly. */
export function blobs(n = 64, seed = 0, side = 14): ImageDataset {
  const images = new Uint8Array(n * side * side);
  let s = seed + 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) {
    const [cy, cx] = [3 + rnd() * (side - 6), 3 + rnd() * (side - 6)];
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) images[(i * side + y) * side + x] = Math.round(255 * Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / 6));
  }
  return new ImageDataset({ name: `blobs${side}`, imageShape: [side, side, 1], images });
}

