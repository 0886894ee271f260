/** Well-known folders of the project, resolved from this file so they work in tslab, tests and scripts. */
import * as path from "path";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const DATA_DIR = path.join(PROJECT_ROOT, "data");
export const IMAGES_DIR = path.join(PROJECT_ROOT, "images");
export const RUNS_DIR = path.join(PROJECT_ROOT, "runs");
