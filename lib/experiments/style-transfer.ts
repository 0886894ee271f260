/**
 * Notebook 09's experiment: neural style transfer with three feature networks — a VGG-style classifier
 * trained on the emoji categories, the same architecture with its random initial weights, and the conv
 * encoder of notebook 03's colour autoencoder. Settings live here as typed defaults scaled by the
 * profile; the notebook shows them and may override fields, never restates them.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { loadEmojiByName } from "../data/emoji";
import { decodeImageFiles } from "../data/image-files";
import { TextureKind, textureImage } from "../data/textures";
import { buildFeatureNet, FeatureExtractor, featureExtractor, FeatureNetConfig } from "../models/feature-net";
import { classifierStep } from "../train/fit-classifier";
import { DATA_DIR, relativeToProject } from "../paths";
import { Profile } from "../profiles";
import { TrainingConfig } from "../train/fit";
import { Callbacks, EpochInfo, trainLoop } from "../train/loop";
import { trainCached } from "../train/run-cache";
import { StyleLayers, StyleStep, StyleWeights, styleDistance, styleTransfer } from "../train/style-transfer";
import { colourAeExperiment, ColourAeExperimentConfig } from "./colour-ae";
import { profileConfig } from "./experiment";

/** The three feature networks, in the order figures show them. */
export const FEATURE_NETWORKS = ["trained", "random", "encoder"] as const;
export type FeatureNetworkName = (typeof FEATURE_NETWORKS)[number];

export const FEATURE_NETWORK_LABELS: Record<FeatureNetworkName, string> = {
  trained: "(a) VGG-style, trained on emoji",
  random: "(b) VGG-style, random weights",
  encoder: "(c) colour-AE encoder (notebook 03)",
};

export interface StyleExperiment {
  /** Side of the content, style and output images. */
  imageSize: number;
  /** Content emoji (short names of emoji-datasource-google) and procedural style textures, paired in order. */
  pairs: { content: string; style: TextureKind }[];
  /** Emoji used to train the feature classifier and the colour autoencoder (notebook 03's subset). */
  emojiCount: number;
  featureNet: FeatureNetConfig;
  featureTraining: TrainingConfig;
  /** Notebook 03's colour autoencoder under the same profile, trained (or loaded from the cache) exactly as that notebook does. */
  colourAe: ColourAeExperimentConfig;
  /** Which layers each network's losses read. */
  layers: Record<FeatureNetworkName, StyleLayers>;
  weights: StyleWeights;
  steps: number;
  learningRate: number;
  /** The ablation grid (network (a), first pair): rows multiply the style weight, columns set the TV weight. */
  ablation: { styleWeights: number[]; tvWeights: number[]; steps: number };
  /** Texture synthesis from noise (style loss and a little TV): steps. */
  synthesisSteps: number;
  seed: number;
}

/** The experiment's settings under a profile: `full` at 128×128, `quick` at 32×32 with few steps. */
export function styleExperiment(profile: Profile): StyleExperiment {
  const full = profile.name === "full";
  const colourAe = profileConfig(colourAeExperiment, profile);
  const vggStyle = ["conv1_1", "conv2_1", "conv3_1", "conv4_1"];
  return {
    imageSize: full ? 128 : 32,
    pairs: [
      { content: "cat", style: "noise" },
      { content: "house", style: "stripes" },
      { content: "rocket", style: "checks" },
    ],
    emojiCount: colourAe.data.limit,
    featureNet: { imageShape: [64, 64, 3], numClasses: 10, blocks: [[16, 16], [32, 32], [64, 64], [128, 128]], dropout: 0.2, seed: 9 },
    featureTraining: { batchSize: 64, numEpochs: full ? 6 : 1, learningRate: 1e-3, seed: 9 },
    colourAe,
    layers: {
      trained: { content: "conv4_2", style: vggStyle },
      random: { content: "conv4_2", style: vggStyle },
      encoder: { content: "enc_conv_2", style: ["enc_conv_0", "enc_conv_1", "enc_conv_2"] },
    },
    weights: { content: 1, style: 10, tv: 1 },
    steps: full ? 250 : 30,
    learningRate: 0.02,
    ablation: { styleWeights: [1, 10, 100], tvWeights: [0, 1, 10], steps: full ? 150 : 20 },
    synthesisSteps: full ? 250 : 30,
    seed: 9,
  };
}

/** Share of a labelled data set the classifier gets right, fed [-1, 1] as it was trained. */
function symmetricAccuracy(model: tf.LayersModel, data: ImageDataset): number {
  let correct = 0;
  for (const b of data.batches({ batchSize: 256, seed: 0, shuffle: false, scale: "symmetric" })) {
    correct += tf.tidy(() => (model.predict(b.x) as tf.Tensor2D).argMax(1).equal(b.y!.cast("int32")).sum().dataSync()[0]);
    tf.dispose([b.x, b.y!]);
  }
  return correct / data.size;
}

export interface FeatureNetworks {
  extractors: Record<FeatureNetworkName, FeatureExtractor>;
  /** Test accuracy of the trained classifier on the emoji categories (chance ≈ the largest class share). */
  classifierAccuracy: number;
  /** Share of the largest category in the test split: the accuracy of always guessing it. */
  majorityShare: number;
  classifierEpochs: EpochInfo[];
  classifierSource: "cache" | "resumed" | "trained";
  /** Test MSE per pixel of the colour autoencoder. */
  colourAeTestLoss: number;
  colourAeSource: "cache" | "resumed" | "trained";
  emojiCount: number;
}

/**
 * Builds the three feature networks: trains the classifier on the emoji categories (cached by its
 * config) and the colour autoencoder through notebook 03's cached path (same name, data and config,
 * so a render that ran notebook 03 loads its weights).
 */
export async function loadFeatureNetworks(exp: StyleExperiment, callbacks: { classifier?: Callbacks[]; colourAe?: Callbacks[] } = {}): Promise<FeatureNetworks> {
  // Notebook 03's data and split: the cache key includes the data's name and size.
  const data = await colourAeExperiment.loadData(exp.colourAe);
  const cfg = exp.featureNet;
  const classes = data.train.classNames ?? [];
  if (cfg.numClasses !== classes.length) throw new Error(`featureNet.numClasses is ${cfg.numClasses} but the emoji have ${classes.length} categories (${classes.join(", ")}).`);
  const optimizer = tf.train.adam(exp.featureTraining.learningRate);
  const t = exp.featureTraining;
  const run = await trainCached({
    name: "09-feature-net",
    config: { model: cfg, training: t, scale: "symmetric", train: { name: data.train.name, size: data.train.size }, test: { name: data.test.name, size: data.test.size } },
    build: () => ({ classifier: buildFeatureNet(cfg) }),
    optimizers: { adam: optimizer },
    train: (m, control) => {
      const evaluate: Callbacks = { onEpochEnd: (info) => void (info.logs.test_accuracy = symmetricAccuracy(m.classifier, data.test)) };
      return trainLoop({ data: data.train, batchSize: t.batchSize, numEpochs: t.numEpochs, seed: t.seed, scale: "symmetric", step: classifierStep(m.classifier, optimizer), ...control, callbacks: [evaluate, ...control.callbacks] });
    },
    callbacks: callbacks.classifier,
  });
  optimizer.dispose();
  const classifier = run.models.classifier;
  const last = run.epochs[run.epochs.length - 1]?.logs.test_accuracy;
  const accuracy = typeof last === "number" ? last : symmetricAccuracy(classifier, data.test);
  const counts = new Map<number, number>();
  for (const l of data.test.labels!) counts.set(l, (counts.get(l) ?? 0) + 1);
  const majorityShare = Math.max(...counts.values()) / data.test.size;

  const untrained = buildFeatureNet(cfg);
  const colour = await colourAeExperiment.run(exp.colourAe, data, { callbacks: callbacks.colourAe });
  const extractors = {
    trained: featureExtractor(classifier, { name: FEATURE_NETWORK_LABELS.trained, inputScale: "symmetric" }),
    random: featureExtractor(untrained, { name: FEATURE_NETWORK_LABELS.random, inputScale: "symmetric" }),
    // Notebook 03's autoencoder was trained on [0, 1]: its features are used as they are.
    encoder: featureExtractor(colour.encoder, { name: FEATURE_NETWORK_LABELS.encoder, inputScale: "unit" }),
  };
  const colourAeTestLoss = colour.epochs[colour.epochs.length - 1].logs.test_loss;
  [classifier, untrained, colour.encoder, colour.decoder].forEach((m) => m.dispose());
  return {
    extractors,
    classifierAccuracy: accuracy,
    majorityShare,
    classifierEpochs: run.epochs,
    classifierSource: run.source,
    colourAeTestLoss,
    colourAeSource: colour.source,
    emojiCount: data.train.size + data.test.size,
  };
}

/** The content emoji and style textures of the experiment's pairs, each an [n, size, size, 3] data set. */
export async function stylePairImages(exp: StyleExperiment): Promise<{ content: ImageDataset; style: ImageDataset }> {
  const content = await loadEmojiByName(exp.pairs.map((p) => p.content), { size: exp.imageSize });
  const textures = exp.pairs.map((p, i) => textureImage(p.style, { size: exp.imageSize, seed: exp.seed + i }));
  const style = new ImageDataset({ name: "textures", imageShape: [exp.imageSize, exp.imageSize, 3], images: concatPixels(textures.map((t) => t.images)) });
  return { content, style };
}

function concatPixels(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Folder of the user's own content and style images: $VAE_GAN_STYLE_DIR, else data/style/. */
export const STYLE_DIR_ENV = "VAE_GAN_STYLE_DIR";

export function userStyleDir(): string {
  return process.env[STYLE_DIR_ENV] || path.join(DATA_DIR, "style");
}

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;

/**
 * The user's content and style images: files whose names start with `content` and `style` in
 * {@link userStyleDir}, center-cropped to squares of `size`. Returns the reason (and how to fix it) when absent.
 */
export async function loadUserStyleImages(size: number, dir: string = userStyleDir()): Promise<{ content: ImageDataset; style: ImageDataset } | { missing: string }> {
  const files = fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => IMAGE_EXT.test(f)).sort() : [];
  const content = files.find((f) => f.toLowerCase().startsWith("content"));
  const style = files.find((f) => f.toLowerCase().startsWith("style"));
  if (!content || !style) {
    return {
      missing:
        `No user images in ${relativeToProject(dir)} (found ${files.length ? files.join(", ") : "no image"}): put a photo named content.jpg (or .png) ` +
        `and a painting or texture named style.jpg there, or set ${STYLE_DIR_ENV} to a folder holding them, then run this cell again.`,
    };
  }
  const load = async (f: string) => new ImageDataset({ name: f, imageShape: [size, size, 3], images: await decodeImageFiles([path.join(dir, f)], { size, fit: "cover" }) });
  return { content: await load(content), style: await load(style) };
}

/** One optimised image and how it got there. */
export interface StyleRun {
  network: FeatureNetworkName;
  /** Index into the experiment's pairs. */
  pair: number;
  /** [1, size, size, 3] in [0, 1]; the caller disposes it. */
  image: tf.Tensor4D;
  history: StyleStep[];
  stepsPerSecond: number;
}

/** Image `i` of a data set as [1, h, w, 3] in [0, 1]. */
export function imageTensor(data: ImageDataset, i: number): tf.Tensor4D {
  return data.toTensor([i]);
}

/**
 * Style transfer of every pair with every network (same weights, steps and seed), in pair-major order;
 * `onRun` is told after each run (progress).
 */
export function compareFeatureNetworks(exp: StyleExperiment, nets: FeatureNetworks, images: { content: ImageDataset; style: ImageDataset }, onRun?: (run: StyleRun, done: number, total: number) => void): StyleRun[] {
  const runs: StyleRun[] = [];
  const total = exp.pairs.length * FEATURE_NETWORKS.length;
  exp.pairs.forEach((_, pair) => {
    const content = imageTensor(images.content, pair);
    const style = imageTensor(images.style, pair);
    for (const network of FEATURE_NETWORKS) {
      const r = styleTransfer({ content, style, features: nets.extractors[network], layers: exp.layers[network], weights: exp.weights, steps: exp.steps, learningRate: exp.learningRate, seed: exp.seed });
      const run = { network, pair, image: r.image, history: r.history, stepsPerSecond: r.stepsPerSecond };
      runs.push(run);
      onRun?.(run, runs.length, total);
    }
    tf.dispose([content, style]);
  });
  return runs;
}

/** The ablation grid with network (a) on the first pair: row-major over style weights × TV weights. */
export function styleAblation(exp: StyleExperiment, nets: FeatureNetworks, images: { content: ImageDataset; style: ImageDataset }, onRun?: (done: number, total: number) => void): { styleWeight: number; tvWeight: number; image: tf.Tensor4D; final: StyleStep }[] {
  const content = imageTensor(images.content, 0);
  const style = imageTensor(images.style, 0);
  const out: { styleWeight: number; tvWeight: number; image: tf.Tensor4D; final: StyleStep }[] = [];
  const total = exp.ablation.styleWeights.length * exp.ablation.tvWeights.length;
  for (const styleWeight of exp.ablation.styleWeights) {
    for (const tvWeight of exp.ablation.tvWeights) {
      const r = styleTransfer({ content, style, features: nets.extractors.trained, layers: exp.layers.trained, weights: { ...exp.weights, style: styleWeight, tv: tvWeight }, steps: exp.ablation.steps, learningRate: exp.learningRate, seed: exp.seed });
      out.push({ styleWeight, tvWeight, image: r.image, final: r.history[r.history.length - 1] });
      onRun?.(out.length, total);
    }
  }
  tf.dispose([content, style]);
  return out;
}

/** Texture synthesis: each network reconstructs each pair's style from noise with the style loss (and a little TV). */
export function synthesiseTextures(exp: StyleExperiment, nets: FeatureNetworks, images: { style: ImageDataset }, onRun?: (done: number, total: number) => void): StyleRun[] {
  const runs: StyleRun[] = [];
  const total = exp.pairs.length * FEATURE_NETWORKS.length;
  exp.pairs.forEach((_, pair) => {
    const style = imageTensor(images.style, pair);
    for (const network of FEATURE_NETWORKS) {
      const r = styleTransfer({ style, features: nets.extractors[network], layers: exp.layers[network], weights: { content: 0, style: 1, tv: exp.weights.tv / exp.weights.style }, steps: exp.synthesisSteps, learningRate: exp.learningRate * 2, size: [exp.imageSize, exp.imageSize], seed: exp.seed + pair });
      runs.push({ network, pair, image: r.image, history: r.history, stepsPerSecond: r.stepsPerSecond });
      onRun?.(runs.length, total);
    }
    style.dispose();
  });
  return runs;
}

/**
 * The stated measure of which network transfers style best: each result's style distance to its style
 * image (the relative Gram-matrix distance of {@link styleDistance}) measured in the OTHER networks'
 * features, divided by the same distance of the untouched content image (1 = no style transferred,
 * 0 = the style image's Gram matrices exactly). `judged[a][b]` averages over pairs the result optimised
 * in `a` as judged by `b`; `score[a]` averages the judges other than `a`. Lower is better.
 */
export function crossStyleScores(exp: StyleExperiment, nets: FeatureNetworks, images: { content: ImageDataset; style: ImageDataset }, runs: StyleRun[]): { judged: Record<FeatureNetworkName, Record<FeatureNetworkName, number>>; score: Record<FeatureNetworkName, number> } {
  const judged = Object.fromEntries(FEATURE_NETWORKS.map((a) => [a, Object.fromEntries(FEATURE_NETWORKS.map((b) => [b, 0]))])) as Record<FeatureNetworkName, Record<FeatureNetworkName, number>>;
  exp.pairs.forEach((_, pair) => {
    const content = imageTensor(images.content, pair);
    const style = imageTensor(images.style, pair);
    for (const judge of FEATURE_NETWORKS) {
      const layers = exp.layers[judge].style;
      const baseline = styleDistance(content, style, nets.extractors[judge], layers);
      for (const run of runs.filter((r) => r.pair === pair)) {
        judged[run.network][judge] += styleDistance(run.image, style, nets.extractors[judge], layers) / baseline / exp.pairs.length;
      }
    }
    tf.dispose([content, style]);
  });
  const score = Object.fromEntries(FEATURE_NETWORKS.map((a) => {
    const others = FEATURE_NETWORKS.filter((b) => b !== a);
    return [a, others.reduce((s, b) => s + judged[a][b], 0) / others.length];
  })) as Record<FeatureNetworkName, number>;
  return { judged, score };
}
