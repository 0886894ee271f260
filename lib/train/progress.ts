/**
 * Quiet progress: a line that updates in place while an epoch runs (a tslab display, or `\r` on a
 * terminal), and one summary line per epoch — never a line per batch.
 */
import { inNotebook } from "../core/host";
import { Callbacks, EpochInfo, Logs, yieldToEventLoop } from "./loop";

type Line = { update: (text: string) => void; done: (text: string) => void };

function tslabLine(): Line | undefined {
  if (!inNotebook()) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tslab = require("tslab") as typeof import("tslab");
  let live = tslab.newDisplay();
  return {
    update: (text) => live.text(text),
    done: (text) => {
      live.text(text);
      live = tslab.newDisplay();
    },
  };
}

function terminalLine(stream: NodeJS.WriteStream): Line {
  const tty = stream.isTTY;
  return {
    update: (text) => tty && stream.write(`\r${text}\x1b[K`),
    done: (text) => stream.write(tty ? `\r${text}\x1b[K\n` : `${text}\n`),
  };
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)}`).join("  ");
}

/** `epoch 3/20  loss 0.1234  recon …  kl …  1,850 img/s  12.3 s` */
export function formatEpoch(info: EpochInfo, label = ""): string {
  const width = String(info.numEpochs).length;
  return `${label ? label + "  " : ""}epoch ${String(info.epoch + 1).padStart(width)}/${info.numEpochs}  ${formatLogs(info.logs)}  ${Math.round(info.imagesPerSecond).toLocaleString("en-US")} img/s  ${info.seconds.toFixed(1)} s`;
}

/** `1h 02m`, `3m 20s`, `45s` */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(fraction * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/** Progress callbacks for a notebook (tslab) or a terminal (stderr). `everyMs` throttles updates. */
export function progressCallbacks(options: { label?: string; everyMs?: number } = {}): Callbacks {
  const { label = "", everyMs = 500 } = options;
  const line = tslabLine() ?? terminalLine(process.stderr);
  let last = 0;
  // Remaining time from the steps done in this session (a resumed run starts mid-way).
  let clock = { start: 0, firstStep: 0, totalSteps: 0, stepsPerEpoch: 1 };
  return {
    onTrainBegin: ({ numEpochs, stepsPerEpoch, startEpoch, startStep }) => {
      clock = { start: Date.now(), firstStep: startEpoch * stepsPerEpoch + startStep, totalSteps: numEpochs * stepsPerEpoch, stepsPerEpoch };
    },
    // Each update waits for one event-loop turn: tslab's socket must flush before the next message.
    onBatchEnd: async ({ epoch, step, stepsPerEpoch, logs, imagesPerSecond }) => {
      const now = Date.now();
      if (now - last < everyMs && step < stepsPerEpoch) return;
      last = now;
      const global = epoch * clock.stepsPerEpoch + step;
      const rate = (global - clock.firstStep) / Math.max(1e-3, (now - clock.start) / 1000);
      const eta = rate > 0 && clock.totalSteps > 0 ? `  ETA ${formatDuration((clock.totalSteps - global) / rate)}` : "";
      line.update(`${label ? label + "  " : ""}epoch ${epoch + 1}  ${bar(step / stepsPerEpoch)} ${step}/${stepsPerEpoch}  ${formatLogs(logs)}  ${Math.round(imagesPerSecond)} img/s${eta}`);
      await yieldToEventLoop();
    },
    onEpochEnd: async (info) => {
      line.done(formatEpoch(info, label));
      await yieldToEventLoop();
    },
  };
}
