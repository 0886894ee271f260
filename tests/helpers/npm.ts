/** Commands run as a user runs them: `npm …` in its own process group, as from a terminal. */
import { spawn } from "child_process";
import * as fs from "fs";
import { PROJECT_ROOT } from "../../lib/paths";
import { readMetrics } from "../../lib/runs/run-folder";

const env = { ...process.env, VAE_GAN_ENGINE: "cpu", VAE_GAN_PROFILE: "" };
/**
 * 8 steps per epoch, 2 epochs; a checkpoint every 5 steps. A step takes a few hundred milliseconds
 * on the cpu engine, as real training does: a worker busy in a step answers a signal late, which is
 * what the tsx command line's relay (30 ms, then SIGINT again, then SIGKILL) did not wait for.
 */
export const SMALL_AE = ["--set", "data.trainSize=1024", "--set", "data.testSize=128", "--set", "training.batchSize=128", "--set", "training.numEpochs=2",
  "--set", "model.hiddenUnits=512", "--set", "model.latentDim=8", "--set", "tracking.logEvery=1", "--set", "tracking.checkpointEvery=5"];

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm <args>` in its own process group, as a terminal runs a command; once `metricsFile`
 * logs step `step` (or, with a RegExp, once stderr matches it), calls `act(pid of the group)`
 * (e.g. SIGINT to the group). Resolves when npm exits.
 */
export function npmUntil(args: string[], metricsFile: string | RegExp | undefined, step: number, act: (pgid: number) => void): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd: PROJECT_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let sent = !metricsFile;
    const poll = setInterval(() => {
      if (sent) return;
      if (metricsFile instanceof RegExp) {
        if (metricsFile.test(stderr)) {
          sent = true;
          act(child.pid!);
        }
        return;
      }
      if (!fs.existsSync(metricsFile!)) return;
      const steps = readMetrics(metricsFile!).filter((l) => l.kind === "step");
      if (steps.length && steps[steps.length - 1].step >= step) {
        sent = true;
        act(child.pid!);
      }
    }, 20);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (!sent) reject(new Error(`npm ${args.join(" ")} ended before step ${step} (status ${code}): ${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `npm <args>` to its end. */
export const npm = (args: string[]) => npmUntil(args, undefined, 0, () => {});

/** What a shell reports as the status of `npm run …`: npm re-raises a signal that ended its script. */
export const shellStatus = (e: Ended) => e.code ?? 128 + (e.signal === "SIGINT" ? 2 : e.signal === "SIGKILL" ? 9 : 15);

