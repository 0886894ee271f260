/**
 * A folder lock: one process at a time trains in a run folder, a search folder or a weight-cache
 * folder. The lock is `<dir>/lock.json` holding the holder's pid, host, command and start time,
 * created atomically (written aside, then hard-linked into place, which fails if the name exists),
 * so a reader never sees a half-written lock. A lock whose pid is gone on this host — or is now
 * another process, told by its start time in /proc — is stale and taken over: a SIGKILLed holder
 * never leaves its folder stuck. A lock held by another host cannot be checked from here; its
 * message says so.
 *
 * Within one process (a notebook kernel), a second lock of the same folder waits for the first to
 * be released when the first holder is stopping (its signal aborted: the cell was interrupted and
 * its loop is writing the checkpoint), and is refused otherwise.
 *
 * Used by lib/train (cache folders), lib/runs (run and search folders) and worker pools.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The file that marks a locked folder. */
export const LOCK_FILE = "lock.json";

/** Who holds a lock: what `lock.json` records. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's command line, e.g. `node scripts/train.ts --resume vae-1`. */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Start time of the pid in clock ticks since boot (Linux /proc), to tell a reused pid from the holder. */
  started?: number;
}

/** A second start on a locked folder: the message names the holder and what to do. */
export class LockHeldError extends Error {
  constructor(readonly dir: string, readonly holder: LockHolder) {
    super(lockMessage(dir, holder));
    this.name = "LockHeldError";
  }
}

/** A held lock; `release` is idempotent. */
export interface FolderLock {
  dir: string;
  file: string;
  holder: LockHolder;
  release(): void;
}

interface Held {
  holder: LockHolder;
  /** Aborted when the holder is stopping: a same-process acquirer waits for `released`. */
  signal?: AbortSignal;
  released: Promise<void>;
  resolve: () => void;
}

/** Locks this process holds, by lock file; shared across module copies (tslab and tsx load lib/ apart). */
function heldLocks(): Map<string, Held> {
  const g = globalThis as unknown as Record<symbol, Map<string, Held> | undefined>;
  return (g[Symbol.for("vae-gan.locks")] ??= new Map());
}

/** State and start time (clock ticks since boot) of a pid from /proc/<pid>/stat, if readable. */
function processStat(pid: number): { state: string; start: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

function processStart(pid: number): number | undefined {
  return processStat(pid)?.start;
}

/** A killed process whose parent died stays a zombie until pid 1 reaps it, and containers whose pid 1
 * never reaps (CI) keep it forever: `kill(pid, 0)` still succeeds, so a zombie counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  const state = processStat(pid)?.state;
  return state !== "Z" && state !== "X";
}

function commandLine(): string {
  const rel = (a: string) => (path.isAbsolute(a) ? path.relative(process.cwd(), a) || a : a);
  const line = [path.basename(process.argv0 || process.execPath), ...process.execArgv, ...process.argv.slice(1).map(rel)].join(" ");
  return line.length > 200 ? line.slice(0, 197) + "…" : line;
}

function lockMessage(dir: string, h: LockHolder): string {
  const who = `pid ${h.pid}${h.host === os.hostname() ? "" : ` on host ${h.host}`} (${h.command}), since ${h.since}`;
  const own = h.pid === process.pid && h.host === os.hostname();
  const what = own
    ? "Another training of this folder is running in this process (a notebook cell still running?): wait for it or interrupt it first."
    : h.host === os.hostname()
      ? "Wait for it to finish or stop it (Ctrl-C, or kill " + h.pid + ")."
      : `It cannot be checked from ${os.hostname()}: if that process is gone, delete ${path.join(dir, LOCK_FILE)}.`;
  return `${dir} is in use by ${who}. ${what}`;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Locks are linked into place whole, so an unreadable one was damaged outside this module.
    throw new Error(`${file}: not a readable lock (${(err as Error).message}); delete it if no process trains in ${path.dirname(file)}.`);
  }
}

/** Places `holder` as the lock file atomically; false when a lock file exists already. */
function tryCreate(file: string, holder: LockHolder): boolean {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(holder, null, 1) + "\n");
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock without removing a fresh one another process placed meanwhile: the file is
 * moved aside first and put back if it is no longer the stale holder's.
 */
function removeStale(file: string, stale: LockHolder): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== stale.pid || moved.since !== stale.since)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third process locked meanwhile: its lock stands, and the displaced one's release is a no-op.
    }
  }
  fs.rmSync(aside, { force: true });
}

let exitHookInstalled = false;

/**
 * Takes the lock of `dir` (created if missing). Throws {@link LockHeldError} naming the holder when
 * another live process holds it; takes over a stale lock; within this process waits for a holder
 * that is stopping (see the module comment). `signal` is this holder's own stop signal.
 */
export async function lockFolder(dir: string, options: { signal?: AbortSignal } = {}): Promise<FolderLock> {
  // A folder made for the lock alone is removed with it if nothing else was written (a failed start).
  const created = fs.mkdirSync(dir, { recursive: true }) !== undefined;
  const file = path.join(path.resolve(dir), LOCK_FILE);
  const held = heldLocks();
  for (let attempt = 0; ; attempt++) {
    const own = held.get(file);
    if (own) {
      if (!own.signal?.aborted) throw new LockHeldError(dir, own.holder);
      await own.released;
      continue;
    }
    const holder: LockHolder = { pid: process.pid, host: os.hostname(), command: commandLine(), since: new Date().toISOString(), started: processStart(process.pid) };
    if (tryCreate(file, holder)) {
      let resolve!: () => void;
      const released = new Promise<void>((r) => (resolve = r));
      held.set(file, { holder, signal: options.signal, released, resolve });
      if (!exitHookInstalled) {
        // A process that exits (process.exit after a second Ctrl-C) leaves no lock behind.
        process.on("exit", () => {
          for (const [f, h] of heldLocks()) if (readHolder(f)?.since === h.holder.since) fs.rmSync(f, { force: true });
        });
        exitHookInstalled = true;
      }
      return { dir, file, holder, release: () => release(file, holder, created) };
    }
    const current = readHolder(file);
    if (!current) continue; // released between our attempt and the read
    // This process's pid without an entry in `held`: left by an earlier process that had our pid.
    const ownPidLeftover = current.pid === process.pid && current.host === os.hostname();
    if (ownPidLeftover || isStale(current)) {
      if (attempt > 5) throw new LockHeldError(dir, current);
      removeStale(file, current);
      continue;
    }
    throw new LockHeldError(dir, current);
  }
}

/** True when a holder other than this process certainly no longer holds its lock: its pid is gone, or is another process now. */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  if (!alive(holder.pid)) return true;
  const started = processStart(holder.pid);
  return holder.started !== undefined && started !== undefined && started !== holder.started;
}

function release(file: string, holder: LockHolder, removeEmptyDir: boolean): void {
  const held = heldLocks();
  const entry = held.get(file);
  if (!entry || entry.holder.since !== holder.since) return;
  held.delete(file);
  const current = readHolder(file);
  if (current && current.pid === holder.pid && current.since === holder.since) fs.rmSync(file, { force: true });
  if (removeEmptyDir && fs.existsSync(path.dirname(file)) && fs.readdirSync(path.dirname(file)).length === 0) fs.rmdirSync(path.dirname(file));
  entry.resolve();
}

/** Who holds the lock of `dir` now, if a live process does (a stale lock counts as free). */
export function liveLockHolder(dir: string): LockHolder | undefined {
  const holder = readHolder(path.join(path.resolve(dir), LOCK_FILE));
  return holder && !isStale(holder) ? holder : undefined;
}

/** Runs `work` holding the lock of `dir`; the lock is released however `work` ends. */
export async function withFolderLock<T>(dir: string, options: { signal?: AbortSignal }, work: () => Promise<T>): Promise<T> {
  const lock = await lockFolder(dir, options);
  try {
    return await work();
  } finally {
    lock.release();
  }
}
