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
 */
import { Profile } from "../profiles";
import { ConfigValue } from "../core/config";
import { RunSpec, StudyDefinition } from "./spec";

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

/** One seed's two autoencoders and four GAN arms on Fashion-MNIST under `profile`. */
function fashionSeed(seed: number, profile: Profile): RunSpec[] {
  const quick = profile.name !== "full";
  // Quick: the real shapes on a few hundred images, so tests and CI exercise every arm in minutes.
  const size: Record<string, ConfigValue> = quick ? { "data.trainSize": 512 } : {};
  const pretrainEpochs = quick ? 1 : PRETRAIN_EPOCHS;
  const ganEpochs = quick ? 2 : GAN_EPOCHS;
  const autoencoder = (variational: boolean): RunSpec => ({
    run: `fm-${variational ? "vae" : "ae"}-s${seed}`, experiment: "vae", seed,
    set: { ...size, ...(quick ? { "data.testSize": 256 } : ({} as Record<string, ConfigValue>)), "loss.variational": variational, "training.numEpochs": pretrainEpochs, ...TRACKING },
  });
  // Pretraining saw pretrainEpochs × trainSize images (batch sizes aside): the scratch arm gets as many GAN epochs more.
  const gan = (arm: PretrainingArm): RunSpec => {
    const from = arm === "scratch" ? undefined : arm === "ae-g" ? `fm-ae-s${seed}` : `fm-vae-s${seed}`;
    return {
      run: `fm-${arm}-s${seed}`, experiment: "gan", seed,
      set: {
        ...size, "training.numEpochs": ganEpochs + (from ? 0 : pretrainEpochs),
        "init.vaeRun": from ?? "", "init.discriminatorFromEncoder": arm === "vae-gd",
        ...(quick ? { "evaluate.every": 2, "evaluate.samples": 128, "evaluate.classifierEpochs": 1, "evaluate.classifierTrainSize": 1024 } : ({} as Record<string, ConfigValue>)),
        ...TRACKING,
      },
      needs: from ? [from] : [],
    };
  };
  return [autoencoder(true), autoencoder(false), ...PRETRAINING_ARMS.map(gan)];
}

export const pretrainingStudy: StudyDefinition = {
  name: "pretraining",
  description: "four GAN arms (scratch; G from a plain AE; G from a VAE; G and D from a VAE), each autoencoder trained per seed, at equal compute",
  specs: (profile: Profile): RunSpec[] => {
    const seeds = profile.scale.repeats(FASHION_SEEDS);
    return Array.from({ length: seeds }, (_, i) => fashionSeed(i + 1, profile)).flat();
  },
};
