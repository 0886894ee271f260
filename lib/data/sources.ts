/**
 * The data files this process has read, with their size and SHA-256, so a run can record exactly
 * what it trained on (`dataFiles` in a run's config.json). Each file is hashed once per process
 * (again only if its size or modification time changed); a folder of many images (CelebA, emoji)
 * is one entry whose checksum covers the names and contents of the files read from it.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface DataSource {
  /** A file, or a folder when `files` is set. */
  path: string;
  bytes: number;
  /** SHA-256 of the file; for a folder, of each file's name and SHA-256 in order. */
  sha256: string;
  /** How many files of the folder were read. */
  files?: number;
}

const hashes = new Map<string, { key: string; bytes: number; sha256: string }>();
const read = new Map<string, DataSource>();

function fileHash(file: string): { bytes: number; sha256: string } {
  const stat = fs.statSync(file);
  const key = `${stat.size}:${stat.mtimeMs}`;
  const cached = hashes.get(file);
  if (cached?.key === key) return cached;
  const entry = { key, bytes: stat.size, sha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
  hashes.set(file, entry);
  return entry;
}

/** Notes that `file` was read as data. */
export function noteDataFile(file: string): void {
  const abs = path.resolve(file);
  const { bytes, sha256 } = fileHash(abs);
  read.set(abs, { path: abs, bytes, sha256 });
}

/** Notes that `files` (names inside `dir`, in the order read) were read as data: one entry for the folder. */
export function noteDataFolder(dir: string, files: readonly string[]): void {
  const abs = path.resolve(dir);
  const h = crypto.createHash("sha256");
  let bytes = 0;
  for (const f of files) {
    const one = fileHash(path.join(abs, f));
    bytes += one.bytes;
    h.update(f).update("\0").update(one.sha256).update("\n");
  }
  read.set(abs, { path: abs, bytes, sha256: h.digest("hex"), files: files.length });
}

/** Everything noted so far in this process, by path. */
export function dataSourcesRead(): DataSource[] {
  return [...read.values()].sort((a, b) => a.path.localeCompare(b.path));
}
