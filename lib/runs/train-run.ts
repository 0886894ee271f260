/**
 * Trains one tracked run from its folder's configuration: loads the data, calls the same fit
 * functions the notebooks use (so a run and a notebook train identically), logs metrics, saves a
 * sample grid per epoch, and writes `summary.json` with the run's objective when it finishes.
 * A killed or stopped run continues from its checkpoint when trained again. The folder is locked
 * while it trains (lib/lock): a second start of the same run is refused, naming the holder.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { loadCeleba } from "../data/celeba";
import { installExactAdamResume } from "../engine/adam-resume";
import { ImageDataset, PixelScale } from "../data/dataset";
import { loadEmoji } from "../data/emoji";
import { loadFashionMnist } from "../data/fashion-mnist";
import { loadMnistDigits } from "../data/mnist";
import { FASHION_CLASSIFIER_TRAINING, fitClassifier } from "../metrics/classifier";
import { generatorEvaluator } from "../metrics/generator-metrics";
import { chain } from "../models/dense-ae";
import { fitGan } from "../train/fit-gan";
import { fitAutoencoder, fitVae } from "../train/fit";
import { Callbacks, EpochInfo, Logs } from "../train/loop";
import { checkpointProgress, ModelSet } from "../train/run-cache";
import { imageGrid } from "../viz/grid";
import { withInterrupt } from "../interrupt";
import { withFolderLock } from "../lock";
import { ConfigError, ConfigObject } from "./config";
import { MetricsLog, openRun, RunInfo, trackingCallbacks, writeFileAtomic } from "./run-folder";

export interface TrainRunOptions {
  run: RunInfo & { dir: string };
  /** Stops after the current step with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  /** More callbacks, e.g. progress. */
  callbacks?: Callbacks[];
  /** Root of the runs `init.vaeRun` names (default runs/). */
  root?: string;
  /** Messages about what happens (data, classifier, resume). */
  log?: (line: string) => void;
}

export interface TrainRunResult {
  stopped: boolean;
  source: "cache" | "resumed" | "trained";
  epochs: EpochInfo[];
  /** Final metrics (present when the run finished). */
  summary?: Logs;
  /** What a search minimises: test loss for autoencoders, FD for GANs. */
  objective: string;
}

type C = Record<string, ConfigObject> & ConfigObject;
const num = (v: unknown) => v as number;

/** A row of images, atomically written to `<dir>/samples/epoch-<n>.png`. */
async function writeGrid(images: tf.Tensor4D, range: PixelScale, file: string, cols: number): Promise<void> {
  const png = await imageGrid(images, { cols, range, pad: 1 });
  writeFileAtomic(file, png);
}

function epochGrid(dir: string, make: (models: ModelSet) => { images: tf.Tensor4D; range: PixelScale; cols: number }): (models: ModelSet) => Callbacks {
  return (models) => ({
    onEpochEnd: async (info) => {
      const { images, range, cols } = make(models);
      try {
        await writeGrid(images, range, path.join(dir, "samples", `epoch-${String(info.epoch + 1).padStart(3, "0")}.png`), cols);
      } finally {
        images.dispose();
      }
    },
  });
}

function fashion(c: C): { train: ImageDataset; test: ImageDataset; all: { train: ImageDataset; test: ImageDataset } } {
  const f = loadFashionMnist();
  return { train: f.train.subset(num(c.data.trainSize), 0), test: f.test.subset(num(c.data.testSize ?? f.test.size), 0), all: f };
}

/** Trains (or resumes, or loads a finished) run holding its folder's lock; see the module comment. */
export function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  return withFolderLock(options.run.dir, { signal: withInterrupt(options.signal) }, () => trainLockedRun(options));
}

async function trainLockedRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { run, log = () => {} } = options;
  installExactAdamResume();
  const c = run.config as C;
  const seed = num(c.seed);
  const t = c.training;
  const k = num(c.tracking.samples);
  const target = { dir: run.dir, signal: options.signal, checkpointEvery: num(c.tracking.checkpointEvery) || undefined };
  const progress = checkpointProgress(run.dir);
  let stepsPerEpoch = 0;
  const open = (train: ImageDataset) => {
    stepsPerEpoch = Math.floor(train.size / num(t.batchSize));
    const keepUpTo = progress ? progress.epochs * stepsPerEpoch + progress.step : 0;
    if (progress) log(`resuming ${run.name} after ${progress.epochs} epochs and ${progress.step} steps (global step ${keepUpTo})`);
    return new MetricsLog(run.dir, fs.existsSync(path.join(run.dir, "final")) ? Infinity : keepUpTo);
  };
  const callbacks = (metrics: MetricsLog, grid: (models: ModelSet) => Callbacks) => (models: ModelSet) => [trackingCallbacks(metrics, { logEvery: num(c.tracking.logEvery) }), grid(models), ...(options.callbacks ?? [])];
  const finish = (metrics: MetricsLog, result: { stopped: boolean; source: TrainRunResult["source"]; epochs: EpochInfo[] }, objective: string, final: () => Logs): TrainRunResult => {
    if (result.stopped) return { ...result, objective };
    const summary = final();
    // A finished run loaded again keeps its files as they are (unless a kill came before its summary).
    const summaryFile = path.join(run.dir, "summary.json");
    if (result.source !== "cache" || !fs.existsSync(summaryFile)) {
      metrics.write("final", result.epochs.length * stepsPerEpoch, result.epochs.length, summary);
      writeFileAtomic(summaryFile, JSON.stringify({ objective, ...summary, epochs: result.epochs.length, seconds: metrics.elapsed() }, null, 2) + "\n");
    }
    return { ...result, summary, objective };
  };
  const lastLogs = (epochs: EpochInfo[]) => epochs[epochs.length - 1]?.logs ?? {};

  switch (run.model) {
    case "ae":
    case "conv-ae":
    case "colour-ae": {
      let data: { train: ImageDataset; test: ImageDataset };
      if (run.model === "colour-ae") {
        const source = c.data.source === "celeba" ? await loadCeleba({ limit: num(c.data.limit) }) : await loadEmoji({ limit: num(c.data.limit), seed: 0 });
        data = source.split(num(c.data.testFraction), 0);
      } else data = fashion(c);
      const imageShape = data.train.imageShape;
      const model = run.model === "ae"
        ? { kind: "dense" as const, config: { imageShape, hiddenUnits: c.model.hiddenUnits as number[], latentDim: num(c.model.latentDim), seed } }
        : { kind: "conv" as const, config: { imageShape, filters: c.model.filters as number[], latentDim: num(c.model.latentDim), seed } };
      const metrics = open(data.train);
      const shown = data.test.toTensor(Array.from({ length: Math.min(k, data.test.size) }, (_, i) => i));
      const grid = epochGrid(run.dir, (m) => ({ images: tf.tidy(() => tf.concat([shown, chain(m.encoder, m.decoder, "ae").predict(shown) as tf.Tensor4D])), range: "unit", cols: shown.shape[0] }));
      const result = await fitAutoencoder(model, { name: run.name, ...data, training: { batchSize: num(t.batchSize), numEpochs: num(t.numEpochs), learningRate: num(t.learningRate), beta1: num(t.beta1), seed }, callbacks: callbacks(metrics, grid), run: target });
      shown.dispose();
      return finish(metrics, result, "test_loss", () => ({ test_loss: lastLogs(result.epochs).test_loss, parameters: result.autoencoder.countParams() }));
    }
    case "vae": {
      const data = fashion(c);
      const loss = { beta: num(c.loss.beta), reconstruction: c.loss.reconstruction as "bce" | "mse" };
      const range: PixelScale = loss.reconstruction === "bce" ? "unit" : "symmetric";
      const model = { imageShape: data.train.imageShape, filters: c.model.filters as number[], latentDim: num(c.model.latentDim), batchNorm: c.model.batchNorm as boolean, outputActivation: loss.reconstruction === "bce" ? ("sigmoid" as const) : ("tanh" as const), seed };
      const metrics = open(data.train);
      const z = tf.randomNormal([k, model.latentDim], 0, 1, "float32", seed);
      const grid = epochGrid(run.dir, (m) => ({ images: m.decoder.predict(z) as tf.Tensor4D, range, cols: k }));
      const result = await fitVae(model, loss, { name: run.name, ...data, training: { batchSize: num(t.batchSize), numEpochs: num(t.numEpochs), learningRate: num(t.learningRate), beta1: num(t.beta1), seed }, callbacks: callbacks(metrics, grid), run: target });
      z.dispose();
      const last = lastLogs(result.epochs);
      return finish(metrics, result, "test_loss", () => ({ test_loss: last.test_loss, test_recon: last.test_recon, test_kl: last.test_kl }));
    }
    case "gan":
    case "cgan": {
      const conditional = run.model === "cgan";
      const digits = conditional && c.data.dataset === "mnist";
      let train: ImageDataset;
      let all: { train: ImageDataset; test: ImageDataset };
      if (digits) {
        all = loadMnistDigits().split(0.1, 0);
        if (num(c.data.trainSize) > all.train.size) throw new ConfigError(`Config key "data.trainSize" (${c.data.trainSize}) exceeds the ${all.train.size} MNIST training digits: set it to ${all.train.size} or less (--set data.trainSize=${all.train.size}).`);
        train = all.train.subset(num(c.data.trainSize), 0);
      } else {
        const f = fashion(c);
        train = f.train;
        all = f.all;
      }
      const numClasses = conditional ? 10 : undefined;
      const dcgan = { imageShape: train.imageShape, latentDim: num(c.model.latentDim), generatorFilters: c.model.generatorFilters as number[], discriminatorFilters: c.model.discriminatorFilters as number[], batchNorm: c.model.batchNorm as boolean, seed };
      let init: { decoder: string; sigmoidToTanh: boolean } | undefined;
      if (!conditional && c.init.vaeRun) {
        const vae = openRun(c.init.vaeRun as string, options.root);
        if (vae.model !== "vae") throw new ConfigError(`Config key "init.vaeRun" names run "${vae.name}", a ${vae.model} run; it must be a vae run.`);
        const decoder = path.join(vae.dir, "final", "decoder");
        if (!fs.existsSync(decoder)) throw new Error(`VAE run "${vae.name}" has not finished (no ${decoder}): resume it first (npm run train -- --resume ${vae.name}).`);
        init = { decoder, sigmoidToTanh: (vae.config.loss as ConfigObject).reconstruction === "bce" };
      }
      const metrics = open(train);
      const judgeName = digits ? "classifier-mnist-digits" : conditional ? "classifier-fashion-mnist" : undefined;
      log(`classifier for the metrics (${judgeName ?? "classifier"}, cached after its first training)`);
      const judge = await fitClassifier({ name: judgeName, train: all.train.subset(Math.min(num(c.evaluate.classifierTrainSize), all.train.size), 1), test: all.test, training: { ...FASHION_CLASSIFIER_TRAINING, numEpochs: num(c.evaluate.classifierEpochs) } });
      const evaluate = generatorEvaluator({ classifier: judge.model, real: all.test, samples: num(c.evaluate.samples), seed: 99, numClasses });
      const z = tf.randomNormal([k, dcgan.latentDim], 0, 1, "float32", seed);
      const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: k }, (_, i) => i % 10), "int32"), 10).cast("float32");
      const grid = epochGrid(run.dir, (m) => ({ images: m.generator.predict(conditional ? [z, labels] : z) as tf.Tensor4D, range: "symmetric", cols: k }));
      const result = await fitGan({
        name: run.name, model: conditional ? { kind: "cgan", config: { ...dcgan, numClasses: 10 } } : { kind: "dcgan", config: dcgan }, init, train,
        training: { batchSize: num(t.batchSize), numEpochs: num(t.numEpochs), learningRateD: num(t.learningRateD), learningRateG: num(t.learningRateG), beta1: num(t.beta1), seed },
        step: { loss: c.step.loss as "non-saturating" | "least-squares", labelSmoothing: num(c.step.labelSmoothing) },
        evaluate: { every: num(c.evaluate.every), samples: k, metrics: (g) => ({ ...evaluate(g) }) },
        callbacks: callbacks(metrics, grid), run: target,
      });
      tf.dispose([z, labels]);
      return finish(metrics, result, "fd", () => ({ ...evaluate(result.generator), classifier_accuracy: judge.testAccuracy }));
    }
  }
}
