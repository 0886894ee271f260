/**
 * One hash of source files for every cache that must notice code changes: the render's freeze
 * (all of lib/ and the lock file) and the trained-weights cache (the code that produces weights).
 * Paths enter relative to `root`, so a fresh clone anywhere hashes equally.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface DigestScope {
  /** Folder the entries (and the paths hashed) are relative to. */
  root: string;
  /** Files or folders (walked recursively), in the order they are hashed. */
  entries: string[];
  /** Relative paths to leave out (e.g. build output). */
  skip?: RegExp;
}

/** Files under `dir`, as paths relative to `root`, sorted; `skip` is tested on those relative paths. */
function listFiles(root: string, dir: string, skip?: RegExp): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (skip?.test(rel)) return [];
    return e.isDirectory() ? listFiles(root, rel, skip) : [rel];
  }).sort();
}

/** sha256 (hex) over each file's relative path and contents, entry by entry, files sorted within a folder. */
export function sourceDigest(scope: DigestScope): string {
  const h = crypto.createHash("sha256");
  for (const entry of scope.entries) {
    const files = fs.statSync(path.join(scope.root, entry)).isDirectory() ? listFiles(scope.root, entry, scope.skip) : [entry];
    for (const rel of files) h.update(rel).update(fs.readFileSync(path.join(scope.root, rel)));
  }
  return h.digest("hex");
}
