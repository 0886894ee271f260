/**
 * TEMPORARY, for the lead to replace at merge with the run-folder lock of the bottom layer (h-signals):
 * a minimal lock so two processes never train the same study run at once (a worker orphaned by a
 * killed coordinator may still be checkpointing when the study is started again). The lock is a
 * file `<lockDir>/<run>.lock` created exclusively, holding `pid@host`; a lock whose process is gone
 * (same host, no such pid) is stale and taken over.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const lockFile = (lockDir: string, run: string) => path.join(lockDir, `${run}.lock`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid holding the run's lock, if a live process (or one on another host) holds it. */
export function lockHolder(lockDir: string, run: string): { pid: number; host: string } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockFile(lockDir, run), "utf8");
  } catch {
    return undefined;
  }
  const [pid, host] = text.trim().split("@");
  if (host === os.hostname() && !alive(Number(pid))) return undefined;
  return { pid: Number(pid), host };
}

/** Takes the run's lock; returns its release, or undefined when another live process holds it. */
export function tryLock(lockDir: string, run: string): (() => void) | undefined {
  fs.mkdirSync(lockDir, { recursive: true });
  const file = lockFile(lockDir, run);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}@${os.hostname()}\n`, { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (lockHolder(lockDir, run)) return undefined;
      fs.rmSync(file, { force: true });
    }
  }
  return undefined;
}
