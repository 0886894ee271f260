/**
 * Atomic writes: a file or folder is built under a temporary name and renamed into place, so a
 * killed process never leaves half a checkpoint, a torn config.json or a half-drawn image.
 */
import * as fs from "fs";
import * as path from "path";

/** Writes `file` (creating its folder) through a temporary file and a rename. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Replaces `dir` with the folder `build` fills, atomically (rename) where the OS allows. */
export async function writeDirAtomic(dir: string, build: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await build(tmp);
  const old = `${dir}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}
