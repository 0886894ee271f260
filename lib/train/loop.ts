/**
 * A generic training loop that knows nothing of autoencoders or GANs: it walks epochs and batches,
 * calls a model-specific `step` that returns plain numbers, averages them per epoch and reports
 * through callbacks (an event map, like tfjs' `fit`).
 */
import * as tf from "@tensorflow/tfjs";
import { Batch, ImageDataset, PixelScale } from "../data/dataset";

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

export interface Callbacks {
  onTrainBegin?: (info: { numEpochs: number; stepsPerEpoch: number; startEpoch: number }) => void | Promise<void>;
  onBatchEnd?: (info: { epoch: number; step: number; stepsPerEpoch: number; logs: Logs; imagesPerSecond: number }) => void | Promise<void>;
  /** May add entries to `info.logs` (e.g. a test loss) before later callbacks see them. */
  onEpochEnd?: (info: EpochInfo) => void | Promise<void>;
  onTrainEnd?: (info: { epochs: EpochInfo[] }) => void | Promise<void>;
}

export interface LoopOptions {
  data: ImageDataset;
  batchSize: number;
  numEpochs: number;
  seed: number;
  scale?: PixelScale;
  /** First epoch to run (resuming a checkpointed run). */
  startEpoch?: number;
  /** One optimisation step; `globalStep` counts steps since the start of training. Must not leak tensors. */
  step: (batch: Batch, globalStep: number) => Logs;
  callbacks?: Callbacks | Callbacks[];
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

/** Runs the loop; returns each epoch's summary. Every batch's tensors are disposed here. */
export async function trainLoop(options: LoopOptions): Promise<EpochInfo[]> {
  const { data, batchSize, numEpochs, seed, scale = "unit", startEpoch = 0, step } = options;
  const callbacks = Array.isArray(options.callbacks) ? options.callbacks : options.callbacks ? [options.callbacks] : [];
  const emit = async <K extends keyof Callbacks>(event: K, info: Parameters<NonNullable<Callbacks[K]>>[0]) => {
    for (const cb of callbacks) await (cb[event] as ((i: typeof info) => void | Promise<void>) | undefined)?.(info);
  };
  const stepsPerEpoch = data.numBatches(batchSize, true);
  if (stepsPerEpoch === 0) throw new Error(`${data.name}: ${data.size} samples are fewer than one batch of ${batchSize}.`);
  const epochs: EpochInfo[] = [];
  let lastYield = performance.now();
  await emit("onTrainBegin", { numEpochs, stepsPerEpoch, startEpoch });
  for (let epoch = startEpoch; epoch < numEpochs; epoch++) {
    const start = performance.now();
    const sums: Logs = {};
    let s = 0;
    for (const batch of data.batches({ batchSize, seed, epoch, scale, dropRemainder: true })) {
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
      await emit("onBatchEnd", { epoch, step: s, stepsPerEpoch, logs, imagesPerSecond: (s * batchSize) / ((performance.now() - start) / 1000) });
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / stepsPerEpoch]));
    const info: EpochInfo = { epoch, numEpochs, logs, seconds, imagesPerSecond: (stepsPerEpoch * batchSize) / seconds };
    await emit("onEpochEnd", info);
    epochs.push(info);
  }
  await emit("onTrainEnd", { epochs });
  return epochs;
}
