/**
 * A generic training loop that knows nothing of autoencoders or GANs: it walks epochs and batches,
 * calls a model-specific `step` that returns plain numbers, averages them per epoch and reports
 * through callbacks (an event map, like tfjs' `fit`).
 */
import * as tf from "@tensorflow/tfjs";
import { Batch, ImageDataset, PixelScale } from "../data/dataset";
import { withInterrupt } from "../core/interrupt";

/** Numbers a step or an epoch reports, e.g. { loss, recon, kl }. */
export type Logs = Record<string, number>;

export interface EpochInfo {
  epoch: number;
  numEpochs: number;
  /** Mean of each step log over the epoch, plus anything `onEpochEnd` handlers add (test metrics). */
  logs: Logs;
  seconds: number;
  imagesPerSecond: number;
  /** Metrics measured at given global steps during this epoch (e.g. a GAN's FD every few hundred steps). */
  evaluations?: Logs[];
}

/**
 * Where a run stands inside an epoch: what a mid-epoch checkpoint stores so that a resumed run
 * finishes the epoch with the same means and evaluations as an uninterrupted one.
 */
export interface LoopPosition {
  epoch: number;
  /** Steps of `epoch` already done. */
  step: number;
  /** Sums of the step logs over those steps. */
  sums: Logs;
  /** Training seconds spent on them. */
  seconds: number;
  /** Evaluations made during this epoch so far. */
  evaluations: Logs[];
}

export interface Callbacks {
  onTrainBegin?: (info: { numEpochs: number; stepsPerEpoch: number; startEpoch: number; startStep: number }) => void | Promise<void>;
  onBatchEnd?: (info: { epoch: number; step: number; stepsPerEpoch: number; logs: Logs; imagesPerSecond: number }) => void | Promise<void>;
  /** An evaluation (see `LoopOptions.evaluate`), already stored in this epoch's `evaluations`. */
  onEvaluation?: (info: { step: number; logs: Logs }) => void | Promise<void>;
  /** May add entries to `info.logs` (e.g. a test loss) before later callbacks see them. */
  onEpochEnd?: (info: EpochInfo) => void | Promise<void>;
  /** Mid-epoch: every `checkpointEvery` steps, and when `signal` stops the run. */
  onCheckpoint?: (position: LoopPosition) => void | Promise<void>;
  onTrainEnd?: (info: { epochs: EpochInfo[]; stopped: boolean }) => void | Promise<void>;
}

/** How a run starts and stops; `trainCached` fills it from a checkpoint and passes it through. */
export interface LoopControl {
  /** First epoch to run (resuming a checkpointed run). */
  startEpoch?: number;
  /** Continue inside `startEpoch` from a mid-epoch checkpoint. */
  resume?: LoopPosition;
  /**
   * Aborting stops the run after the current step, with an `onCheckpoint` first. The process-wide
   * interrupt (lib/interrupt: Ctrl-C, a kernel interrupt) stops it the same way, signal or not.
   */
  signal?: AbortSignal;
  /** Steps between mid-epoch `onCheckpoint` calls (none by default). */
  checkpointEvery?: number;
  callbacks?: Callbacks | Callbacks[];
}

export interface LoopOptions extends LoopControl {
  data: ImageDataset;
  batchSize: number;
  numEpochs: number;
  seed: number;
  scale?: PixelScale;
  /** One optimisation step; `globalStep` counts steps since the start of training. Must not leak tensors. */
  step: (batch: Batch, globalStep: number) => Logs;
  /** Measures the model at global step 0, every `every` steps and the last step; results go to `EpochInfo.evaluations`. */
  evaluate?: { every: number; run: (globalStep: number) => Logs | Promise<Logs> };
}

/**
 * Awaiting only promises never lets Node's event loop run I/O. In a tslab kernel the outputs go
 * through a zmq socket that drains between macrotasks; a loop that never yields fills its queue and
 * the kernel then fails the cell with an empty error (after ~5 minutes of progress updates).
 */
const YIELD_EVERY_MS = 100;
/** Resolves after one turn of the event loop (its I/O included). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Runs the loop; returns the summaries of the epochs it completed (fewer than asked when `signal`
 * stopped it). Every batch's tensors are disposed here.
 */
export async function trainLoop(options: LoopOptions): Promise<EpochInfo[]> {
  const { data, batchSize, numEpochs, seed, scale = "unit", step, evaluate, checkpointEvery } = options;
  const signal = withInterrupt(options.signal);
  const resume = options.resume;
  const startEpoch = resume?.epoch ?? options.startEpoch ?? 0;
  const callbacks = Array.isArray(options.callbacks) ? options.callbacks : options.callbacks ? [options.callbacks] : [];
  const emit = async <K extends keyof Callbacks>(event: K, info: Parameters<NonNullable<Callbacks[K]>>[0]) => {
    for (const cb of callbacks) await (cb[event] as ((i: typeof info) => void | Promise<void>) | undefined)?.(info);
  };
  const stepsPerEpoch = data.numBatches(batchSize, true);
  if (stepsPerEpoch === 0) throw new Error(`${data.name}: ${data.size} samples are fewer than one batch of ${batchSize}.`);
  if (resume && (resume.step < 0 || resume.step > stepsPerEpoch)) throw new Error(`Cannot resume at step ${resume.step} of epoch ${resume.epoch + 1}: an epoch has ${stepsPerEpoch} steps (batch size or data changed?).`);
  const epochs: EpochInfo[] = [];
  let lastYield = performance.now();
  let evaluations: Logs[] = resume ? [...resume.evaluations] : [];
  const measure = async (globalStep: number) => {
    const logs = { step: globalStep, ...(await evaluate!.run(globalStep)) };
    evaluations.push(logs);
    await emit("onEvaluation", { step: globalStep, logs });
  };
  await emit("onTrainBegin", { numEpochs, stepsPerEpoch, startEpoch, startStep: resume?.step ?? 0 });
  // Started after an interrupt of its scope (code a kernel let run on): nothing to do or save.
  if (signal.aborted) {
    await emit("onTrainEnd", { epochs, stopped: true });
    return epochs;
  }
  if (evaluate && startEpoch === 0 && !resume) await measure(0);
  for (let epoch = startEpoch; epoch < numEpochs; epoch++) {
    const from = epoch === resume?.epoch ? resume : undefined;
    const sums: Logs = { ...from?.sums };
    const priorSeconds = from?.seconds ?? 0;
    const start = performance.now();
    const elapsed = () => priorSeconds + (performance.now() - start) / 1000;
    const position = (s: number): LoopPosition => ({ epoch, step: s, sums: { ...sums }, seconds: elapsed(), evaluations: [...evaluations] });
    let s = from?.step ?? 0;
    const firstStep = s;
    for (const batch of data.batches({ batchSize, seed, epoch, scale, dropRemainder: true, startBatch: s })) {
      let logs: Logs;
      try {
        logs = step(batch, epoch * stepsPerEpoch + s);
      } finally {
        tf.dispose([batch.x, ...(batch.y ? [batch.y] : [])]);
      }
      for (const [k, v] of Object.entries(logs)) {
        if (!Number.isFinite(v)) throw new Error(`Training diverged: ${k} = ${v} at epoch ${epoch + 1}, step ${s + 1}. Lower the learning rate or check the data scaling.`);
        sums[k] = (sums[k] ?? 0) + v;
      }
      s++;
      const globalStep = epoch * stepsPerEpoch + s;
      await emit("onBatchEnd", { epoch, step: s, stepsPerEpoch, logs, imagesPerSecond: ((s - firstStep) * batchSize) / ((performance.now() - start) / 1000) });
      if (evaluate && globalStep % evaluate.every === 0) await measure(globalStep);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (s < stepsPerEpoch && (signal.aborted || (checkpointEvery && s % checkpointEvery === 0))) {
        await emit("onCheckpoint", position(s));
        if (signal.aborted) {
          await emit("onTrainEnd", { epochs, stopped: true });
          return epochs;
        }
      }
    }
    // The run's last step is measured too, so its final numbers are those of the trained model.
    const lastStep = (epoch + 1) * stepsPerEpoch;
    if (evaluate && epoch + 1 === numEpochs && lastStep % evaluate.every !== 0) await measure(lastStep);
    const seconds = elapsed();
    const logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / stepsPerEpoch]));
    const info: EpochInfo = { epoch, numEpochs, logs, seconds, imagesPerSecond: (stepsPerEpoch * batchSize) / seconds, ...(evaluate ? { evaluations } : {}) };
    evaluations = [];
    await emit("onEpochEnd", info);
    epochs.push(info);
    if (signal.aborted && epoch + 1 < numEpochs) {
      await emit("onTrainEnd", { epochs, stopped: true });
      return epochs;
    }
  }
  await emit("onTrainEnd", { epochs, stopped: false });
  return epochs;
}
