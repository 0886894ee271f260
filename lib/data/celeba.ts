/**
 * CelebA faces (Liu et al. 2015) from a folder the user provides (e.g. img_align_celeba/):
 * never downloaded. Images are center-cropped to a square and resized with sharp.
 */
import * as fs from "fs";
import * as path from "path";
import { ImageDataset } from "./dataset";
import { decodeImageFiles } from "./image-files";
import { noteDataFolder } from "./sources";
import { readEnv } from "../core/env";
import { UserInputError } from "../core/errors";
import { DATA_DIR, relativeToProject } from "../paths";

export const CELEBA_ENV = "CELEBA_DIR";
const EXTENSIONS = new Set([".jpg", ".jpeg", ".png"]);

export interface CelebaOptions {
  dir?: string;
  size?: number;
  /** The first `limit` files in name order (CelebA has ~200k). */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The folder to read: the option, else $CELEBA_DIR, else data/celeba/ (a blank $CELEBA_DIR is an error). */
export function celebaDir(dir?: string): string {
  return dir ?? readEnv(CELEBA_ENV) ?? path.join(DATA_DIR, "celeba");
}

/** Where the folder came from, for messages (nothing for the default). */
function celebaSource(dir?: string): string {
  return dir !== undefined ? " (from the folder passed to loadCeleba)" : process.env[CELEBA_ENV] !== undefined ? ` (from ${CELEBA_ENV})` : "";
}

function imageFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  return fs.readdirSync(dir).filter((f) => EXTENSIONS.has(path.extname(f).toLowerCase())).sort();
}

/** Null when CelebA can be loaded, else the message that names the folder, what is wrong and how to provide it. */
export function celebaUnavailableReason(dir?: string): string | null {
  const d = celebaDir(dir);
  if (imageFiles(d).length > 0) return null;
  const problem = !fs.existsSync(d) ? "does not exist" : !fs.statSync(d).isDirectory() ? "is not a folder" : "holds no .jpg/.png images";
  return (
    `CelebA not found: ${relativeToProject(d)}${celebaSource(dir)} ${problem}. CelebA is not redistributed with this project: ` +
    `download img_align_celeba from its authors' page, then put the images in data/celeba/ or set ${CELEBA_ENV} to their folder.`
  );
}

export async function loadCeleba(options: CelebaOptions = {}): Promise<ImageDataset> {
  const reason = celebaUnavailableReason(options.dir);
  if (reason) throw new UserInputError(reason);
  const dir = celebaDir(options.dir);
  let files = imageFiles(dir);
  if (options.limit !== undefined) files = files.slice(0, options.limit);
  const size = options.size ?? 64;
  const images = await decodeImageFiles(files.map((f) => path.join(dir, f)), { size, fit: "cover", onProgress: options.onProgress });
  noteDataFolder(dir, files);
  return new ImageDataset({ name: "celeba", imageShape: [size, size, 3], images });
}
