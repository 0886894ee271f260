/**
 * Colour images: Google's Noto emoji as 64×64 PNG from the npm package `emoji-datasource-google`
 * (Apache-2.0), ~3.8k images labelled by their emoji category.
 */
import * as fs from "fs";
import * as path from "path";
import { ImageDataset } from "./dataset";
import { decodeImageFiles } from "./image-files";
import { noteDataFile, noteDataFolder } from "./sources";
import { deriveSeed, permutation } from "../random";

interface EmojiEntry {
  image: string;
  short_name: string;
  category: string;
  has_img_google?: boolean;
  skin_variations?: Record<string, { image: string; has_img_google?: boolean }>;
}

export interface EmojiOptions {
  /** Side of the images; 64 is the package's native size, smaller sizes are downscaled. */
  size?: number;
  /** Keep at most this many images (seeded choice), for quick runs. */
  limit?: number;
  seed?: number;
  /** The package folder (tests point it to a fixture). */
  packageDir?: string;
  onProgress?: (done: number, total: number) => void;
}

function emojiPackageDir(): string {
  try {
    return path.dirname(require.resolve("emoji-datasource-google/package.json"));
  } catch {
    throw new Error("Emoji images not found: the npm package `emoji-datasource-google` is not installed. Run `npm ci` in the project folder.");
  }
}

/** Loads the emoji images (RGB, alpha composited on white), labelled by category, in file-name order. */
export async function loadEmoji(options: EmojiOptions = {}): Promise<ImageDataset> {
  const { size = 64, limit, seed = 0, onProgress } = options;
  const dir = options.packageDir ?? emojiPackageDir();
  const catalogue = path.join(dir, "emoji.json");
  const imgDir = path.join(dir, "img", "google", "64");
  let entries: EmojiEntry[];
  try {
    entries = JSON.parse(fs.readFileSync(catalogue, "utf8")) as EmojiEntry[];
  } catch (err) {
    throw new Error(`${catalogue}: cannot read the emoji catalogue (${(err as Error).message}).`);
  }
  const categoryOf = new Map<string, string>();
  for (const e of entries) {
    if (e.has_img_google) categoryOf.set(e.image, e.category);
    for (const v of Object.values(e.skin_variations ?? {})) if (v.has_img_google) categoryOf.set(v.image, e.category);
  }
  let files = fs.readdirSync(imgDir).filter((f) => f.endsWith(".png") && categoryOf.has(f)).sort();
  if (files.length === 0) throw new Error(`${imgDir}: no emoji PNG listed in ${catalogue}.`);
  if (limit !== undefined && limit < files.length) {
    const keep = Array.from(permutation(files.length, deriveSeed(seed, "emoji")).subarray(0, limit)).sort((a, b) => a - b);
    files = keep.map((i) => files[i]);
  }
  const classNames = [...new Set(categoryOf.values())].sort();
  const images = await decodeImageFiles(files.map((f) => path.join(imgDir, f)), { size, fit: "contain", onProgress });
  const labels = Uint8Array.from(files, (f) => classNames.indexOf(categoryOf.get(f)!));
  noteDataFile(catalogue);
  noteDataFolder(imgDir, files);
  return new ImageDataset({ name: "emoji", imageShape: [size, size, 3], images, labels, classNames });
}

/**
 * Emoji picked by their short names (e.g. `cat`, `house`; the names of the package's emoji.json), in that
 * order, resized to `size` (larger than 64 upsamples the 64×64 originals with sharp's Lanczos filter).
 */
export async function loadEmojiByName(names: readonly string[], options: { size?: number; packageDir?: string } = {}): Promise<ImageDataset> {
  const { size = 64 } = options;
  const dir = options.packageDir ?? emojiPackageDir();
  const entries = JSON.parse(fs.readFileSync(path.join(dir, "emoji.json"), "utf8")) as EmojiEntry[];
  const files = names.map((n) => {
    const e = entries.find((x) => x.short_name === n);
    if (!e || !e.has_img_google) throw new Error(`No Google emoji named "${n}" in ${path.join(dir, "emoji.json")} (use the short_name field, e.g. "cat").`);
    return path.join(dir, "img", "google", "64", e.image);
  });
  const images = await decodeImageFiles(files, { size, fit: "contain" });
  return new ImageDataset({ name: "emoji", imageShape: [size, size, 3], images });
}
