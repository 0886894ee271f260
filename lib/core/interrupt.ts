/**
 * The process-wide "interrupt": one AbortSignal that every training loop watches, fed by whoever
 * owns the process's signals — the command-line faces on Ctrl-C (scripts/cli.ts), the Jupyter
 * kernel launcher on a kernel interrupt (scripts/kernel.js), a worker pool on its own stop request.
 * lib/ never installs a signal handler itself: it only reads this signal.
 *
 * An interrupt aborts the current scope's signal, and every loop of that scope stops — also one
 * started afterwards by the interrupted code, which a tslab kernel lets run on in the background
 * after it reports "Interrupted asynchronously". A new scope (the kernel starts one for each cell it
 * executes) gets a fresh signal, so the cell run again trains and resumes. A command line never
 * starts a new scope: after Ctrl-C everything in the process stops.
 *
 * The state lives on `globalThis` under a registered symbol: a tslab kernel compiles lib/ with its
 * own module loader while the launcher loads this file through tsx, and both copies must share it.
 */

interface InterruptState {
  controller: AbortController;
}

const KEY = Symbol.for("vae-gan.interrupt");

function state(): InterruptState {
  const g = globalThis as unknown as Record<symbol, InterruptState | undefined>;
  return (g[KEY] ??= { controller: new AbortController() });
}

/** The current scope's signal: aborted by {@link interrupt}. Loops take it when they start. */
export function interruptSignal(): AbortSignal {
  return state().controller.signal;
}

/** Stops every loop of the current scope after its current step, each with a checkpoint. */
export function interrupt(reason: string = "interrupted"): void {
  const s = state();
  if (!s.controller.signal.aborted) s.controller.abort(new InterruptedError(reason));
}

/** Starts a new scope (a notebook cell) whose loops an earlier interrupt does not stop. */
export function newInterruptScope(): void {
  const s = state();
  if (s.controller.signal.aborted) s.controller = new AbortController();
}

/** `signal` (a caller's own stop request), combined with the current interrupt scope's. */
export function withInterrupt(signal?: AbortSignal): AbortSignal {
  const current = interruptSignal();
  return signal ? AbortSignal.any([signal, current]) : current;
}

/** Thrown by training that an interrupt stopped when its caller passed no signal of its own to see `stopped`. */
export class InterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterruptedError";
  }
}
