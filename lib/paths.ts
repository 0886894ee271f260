/** Well-known folders of the project, resolved from this file so they work in tslab, tests and scripts. */
import * as path from "path";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const DATA_DIR = path.join(PROJECT_ROOT, "data");
export const IMAGES_DIR = path.join(PROJECT_ROOT, "images");
export const RUNS_DIR = path.join(PROJECT_ROOT, "runs");

/** A path relative to the project root when inside it (keeps machine paths out of notebook outputs). */
export function relativeToProject(p: string): string {
  const rel = path.relative(PROJECT_ROOT, p);
  return rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}
