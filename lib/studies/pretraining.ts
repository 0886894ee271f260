/**
 * `pretraining`: the thesis' question, second edition — does starting a GAN from a pretrained
 * autoencoder help, which autoencoder, and which network? Per seed, on Fashion-MNIST:
 * - `ae` and `vae`: a plain autoencoder and a VAE with the same layers (own model per seed);
 * - four GAN arms of one architecture and one shared setting (the DCGAN defaults): `scratch`;
 *   `ae-g` (generator from the plain AE's decoder); `vae-g` (from the VAE's decoder); `vae-gd`
 *   (generator from the VAE's decoder and the discriminator's convolutions from its encoder).
 * Equal compute: pretrained arms train GAN_EPOCHS epochs; the scratch arm trains on for as many
 * more images as its rivals' pretraining saw, so every comparison at equal total images (or at
 * equal wall time, which the pretraining costs less of) exists on its curve.
 * Long enough to end: the scratch arm also trains to twice the headline's total images on LONG_SEEDS
 * seeds (`fm-scratch-long-sN`), to show whether its FD curve flattens and whether it catches up.
 * Equal tuning: per arm, the TPE search of notebook 07 (learning rate, batch size, β1) with the same
 * trials at a short budget, trial 0 the shared setting; once an arm's search is done, the arm also
 * trains at its own best setting on TUNED_SEEDS seeds (unless the shared setting won).
 * MNIST digits and emoji (64×64 RGB, the thesis' colour path): the VAE, scratch and G-from-VAE arms
 * on fewer seeds (the compute goes to Fashion-MNIST).
 */
import { Profile } from "../profiles";
import { ConfigValue } from "../core/config";
import { deriveSeed, makeRng } from "../random";
import { DEFAULT_SPACE, Params, propose } from "../runs/search";
import { FinishedRuns, RunSpec, StudyDefinition } from "./spec";

/** The four GAN arms, in the order tables list them. */
export const PRETRAINING_ARMS = ["scratch", "ae-g", "vae-g", "vae-gd"] as const;
export type PretrainingArm = (typeof PRETRAINING_ARMS)[number];

/** Epochs of each arm's autoencoder (half notebook 04's twelve: pretraining is part of the bill). */
export const PRETRAIN_EPOCHS = 6;
/** GAN epochs of the pretrained arms: 11,244 steps of 64 on Fashion-MNIST's 60,000 images. */
export const GAN_EPOCHS = 12;
/** Fashion-MNIST seeds per arm (the headline). */
const FASHION_SEEDS = 5;

const TRACKING = { "tracking.logEvery": 50, "tracking.checkpointEvery": 200, "tracking.samples": 40 };

/** The long scratch runs: twice the images of a headline run (GAN and pretraining), on fewer seeds. */
export const LONG_EPOCHS = 2 * (GAN_EPOCHS + PRETRAIN_EPOCHS);
const LONG_SEEDS = 3;

/** Trials per arm's search, and each trial's GAN epochs (notebook 07 searched 16 trials of a third of an epoch). */
export const SEARCH_TRIALS = 10;
const SEARCH_EPOCHS = 2;
/** The seed of every search trial (apart from the study's seeds 1, 2, …). */
const SEARCH_SEED = 100;
/** Seeds of each arm at its own best setting. */
const TUNED_SEEDS = 3;
/** The shared setting: DCGAN's (Radford et al. 2015), every arm's trial 0. */
export const SHARED_SETTING: Params = { learningRate: 2e-4, batchSize: 64, beta1: 0.5 };

/** A setting as configuration overrides (one learning rate for both networks, as the search has it). */
const settingKeys = (p: Params): Record<string, ConfigValue> => ({ "training.learningRateD": p.learningRate, "training.learningRateG": p.learningRate, "training.batchSize": p.batchSize, "training.beta1": p.beta1 });

/** Where an arm's GAN starts: the autoencoder run of its seed, if any. */
function initOf(arm: PretrainingArm, prefix: string, seed: number): { from?: string; set: Record<string, ConfigValue> } {
  const from = arm === "scratch" ? undefined : arm === "ae-g" ? `${prefix}-ae-s${seed}` : `${prefix}-vae-s${seed}`;
  return { from, set: { "init.vaeRun": from ?? "", "init.discriminatorFromEncoder": arm === "vae-gd" } };
}

/** The quick profile's sizes: the real shapes on a few hundred images, so tests and CI exercise every arm in minutes. */
const QUICK_GAN: Record<string, ConfigValue> = { "data.trainSize": 512, "evaluate.every": 2, "evaluate.samples": 128, "evaluate.classifierEpochs": 1, "evaluate.classifierTrainSize": 1024 };

/** The two autoencoders of a seed: the VAE and the plain autoencoder with the same layers. */
function autoencoders(prefix: string, seed: number, epochs: number, data: Record<string, ConfigValue>, which: ("vae" | "ae")[] = ["vae", "ae"]): RunSpec[] {
  return which.map((kind) => ({
    run: `${prefix}-${kind}-s${seed}`, experiment: "vae", seed, ...(data["data.dataset"] ? { dataset: data["data.dataset"] as string } : {}),
    set: { ...Object.fromEntries(Object.entries(data).filter(([k]) => k !== "data.dataset")), "loss.variational": kind === "vae", "training.numEpochs": epochs, ...TRACKING },
  }));
}

/** A GAN arm's run at a setting; the scratch arm trains `extraEpochs` more (the pretraining's images). */
function ganRun(run: string, arm: PretrainingArm, prefix: string, seed: number, aeSeed: number, epochs: number, extraEpochs: number, set: Record<string, ConfigValue>): RunSpec {
  const init = initOf(arm, prefix, aeSeed);
  const dataset = set["data.dataset"] as string | undefined;
  return {
    run, experiment: "gan", seed, ...(dataset ? { dataset } : {}),
    set: { ...Object.fromEntries(Object.entries(set).filter(([k]) => k !== "data.dataset")), "training.numEpochs": epochs + (init.from ? 0 : extraEpochs), ...init.set, ...TRACKING },
    needs: init.from ? [init.from] : [],
  };
}

/** One seed's two autoencoders and four GAN arms at the shared setting on Fashion-MNIST. */
function fashionSeed(seed: number, profile: Profile): RunSpec[] {
  const quick = profile.name !== "full";
  const pretrainEpochs = quick ? 1 : PRETRAIN_EPOCHS;
  const ganEpochs = quick ? 2 : GAN_EPOCHS;
  const gan = quick ? QUICK_GAN : {};
  return [
    ...autoencoders("fm", seed, pretrainEpochs, quick ? { "data.trainSize": 512, "data.testSize": 256 } : {}),
    ...PRETRAINING_ARMS.map((arm) => ganRun(`fm-${arm}-s${seed}`, arm, "fm", seed, seed, ganEpochs, pretrainEpochs, gan)),
  ];
}

/**
 * An arm's search, one trial at a time (TPE proposes from the finished ones; trial 0 is the shared
 * setting; the random start-up draws are the same for every arm), on seed 1's autoencoder; then, when
 * all trials are done and the best is not the shared setting, the arm at its best on TUNED_SEEDS seeds.
 */
function armSearch(arm: PretrainingArm, profile: Profile, finished: FinishedRuns): RunSpec[] {
  const quick = profile.name !== "full";
  const trials = profile.scale.repeats(SEARCH_TRIALS);
  const startupTrials = Math.max(3, Math.ceil(trials / 4));
  const specs: RunSpec[] = [];
  const history: { params: Params; value: number; trial: number }[] = [];
  for (let i = 0; i < trials; i++) {
    const params = i === 0 ? SHARED_SETTING : propose(DEFAULT_SPACE, history, { sampler: "tpe", startupTrials, rng: makeRng(deriveSeed(SEARCH_SEED, `trial:${i}`)) });
    const run = `fm-search-${arm}-t${String(i).padStart(2, "0")}`;
    specs.push(ganRun(run, arm, "fm", SEARCH_SEED, 1, quick ? 1 : SEARCH_EPOCHS, 0, { ...(quick ? QUICK_GAN : {}), ...settingKeys(params) }));
    const summary = finished(run);
    if (!summary) return specs;
    history.push({ params, value: summary.fd, trial: i });
  }
  const best = history.reduce((a, b) => (b.value < a.value ? b : a));
  if (best.trial === 0) return specs;
  const pretrainEpochs = quick ? 1 : PRETRAIN_EPOCHS;
  const seeds = Array.from({ length: profile.scale.repeats(TUNED_SEEDS) }, (_, i) => i + 1);
  return [...specs, ...seeds.map((seed) => ganRun(`fm-${arm}-tuned-s${seed}`, arm, "fm", seed, seed, quick ? 2 : GAN_EPOCHS, pretrainEpochs, { ...(quick ? QUICK_GAN : {}), ...settingKeys(best.params) }))];
}

/** The scratch arm at twice a headline run's total images: does its FD curve flatten, does it catch up? */
function longScratch(seed: number, profile: Profile): RunSpec {
  const quick = profile.name !== "full";
  return ganRun(`fm-scratch-long-s${seed}`, "scratch", "fm", seed, seed, quick ? 2 * (2 + 1) : LONG_EPOCHS, 0, quick ? QUICK_GAN : {});
}

/** MNIST digits: 9,000 training images, so more epochs for a comparable number of steps. */
const MNIST = { seeds: 3, pretrainEpochs: 30, ganEpochs: 40, arms: ["scratch", "vae-g"] as PretrainingArm[] };

function mnistSeed(seed: number, profile: Profile): RunSpec[] {
  const quick = profile.name !== "full";
  const pretrainEpochs = quick ? 1 : MNIST.pretrainEpochs;
  const data = { "data.dataset": "mnist", "data.trainSize": quick ? 512 : 9000 };
  const gan = quick ? { ...QUICK_GAN, ...data } : { ...data, "evaluate.samples": 1000, "evaluate.classifierTrainSize": 9000 };
  return [
    ...autoencoders("mn", seed, pretrainEpochs, { ...data, "data.testSize": quick ? 256 : 1000 }, ["vae"]),
    ...MNIST.arms.map((arm) => ganRun(`mn-${arm}-s${seed}`, arm, "mn", seed, seed, quick ? 2 : MNIST.ganEpochs, pretrainEpochs, gan)),
  ];
}

/**
 * Emoji: 3,407 training images of 64×64×3, the colour autoencoder's layers (notebook 03) as VAE and generator.
 * Two seeds: a seed's three runs take ~2 h of one worker, and the issue shrinks the other data sets before FM.
 */
const EMOJI = { seeds: 2, pretrainEpochs: 30, ganEpochs: 40, arms: ["scratch", "vae-g"] as PretrainingArm[] };
const EMOJI_MODEL = { latentDim: 128, filters: [32, 64, 128] };

function emojiSeed(seed: number, profile: Profile): RunSpec[] {
  const quick = profile.name !== "full";
  const pretrainEpochs = quick ? 1 : EMOJI.pretrainEpochs;
  const data = { "data.dataset": "emoji", "data.trainSize": quick ? 256 : 3407 };
  const vae = { ...data, "data.testSize": quick ? 128 : 379, "model.filters": EMOJI_MODEL.filters, "model.latentDim": EMOJI_MODEL.latentDim };
  const model = { "model.latentDim": EMOJI_MODEL.latentDim, "model.generatorFilters": [...EMOJI_MODEL.filters].reverse(), "model.discriminatorFilters": EMOJI_MODEL.filters };
  const gan = quick ? { ...QUICK_GAN, ...data, ...model, "evaluate.classifierTrainSize": 256 } : { ...data, ...model, "evaluate.samples": 379, "evaluate.classifierTrainSize": 3407, "evaluate.classifierEpochs": 10 };
  return [
    ...autoencoders("em", seed, pretrainEpochs, vae, ["vae"]),
    ...EMOJI.arms.map((arm) => ganRun(`em-${arm}-s${seed}`, arm, "em", seed, seed, quick ? 2 : EMOJI.ganEpochs, pretrainEpochs, gan)),
  ];
}

export const pretrainingStudy: StudyDefinition = {
  name: "pretraining",
  description: "four GAN arms (scratch; G from a plain AE; G from a VAE; G and D from a VAE), each autoencoder trained per seed, at equal compute, each arm also searched and run at its own best setting, scratch also at twice the budget; MNIST digits and emoji on fewer arms and seeds",
  specs: (profile: Profile, finished: FinishedRuns): RunSpec[] => {
    const seeds = (n: number) => Array.from({ length: profile.scale.repeats(n) }, (_, i) => i + 1);
    return [
      ...seeds(FASHION_SEEDS).flatMap((seed) => fashionSeed(seed, profile)),
      ...PRETRAINING_ARMS.flatMap((arm) => armSearch(arm, profile, finished)),
      ...seeds(LONG_SEEDS).map((seed) => longScratch(seed, profile)),
      ...seeds(MNIST.seeds).flatMap((seed) => mnistSeed(seed, profile)),
      ...seeds(EMOJI.seeds).flatMap((seed) => emojiSeed(seed, profile)),
    ];
  },
};
