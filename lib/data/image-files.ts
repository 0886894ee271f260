/** Decodes image files into one uint8 RGB array with sharp (alpha composited on white). */
import sharp from "sharp";

export interface DecodeOptions {
  /** Output side in pixels (square). */
  size: number;
  /** `cover` center-crops to a square before resizing (photos); `contain` pads (icons). */
  fit?: "cover" | "contain";
  /** Files decoded at once; sharp itself spreads each decode over its thread pool. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Decodes one file to size×size×3 uint8; errors name the file and say why. */
export async function decodeImageFile(file: string, options: DecodeOptions): Promise<Buffer> {
  const { size, fit = "cover" } = options;
  try {
    const { data, info } = await sharp(file, { failOn: "truncated" })
      .flatten({ background: "#ffffff" })
      .resize(size, size, { fit, position: "centre", background: "#ffffff" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
    }
    return data;
  } catch (err) {
    throw new Error(`${file}: cannot decode image (${(err as Error).message}). Replace or delete the file.`);
  }
}

/** Decodes `files` in order into one array of files.length × size × size × 3 bytes. */
export async function decodeImageFiles(files: readonly string[], options: DecodeOptions): Promise<Uint8Array> {
  const per = options.size * options.size * 3;
  const out = new Uint8Array(files.length * per);
  const concurrency = options.concurrency ?? 8;
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      out.set(await decodeImageFile(files[i], options), i * per);
      options.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return out;
}
