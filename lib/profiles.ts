/**
 * Run profiles, defined in this one place. `quick` is for CI and tests (minutes, data subsets);
 * `full` is what the report is rendered with (the whole training set, epochs enough to converge).
 * Notebooks read the profile from $VAE_GAN_PROFILE.
 */
import { readEnv } from "./env";
import { UserInputError } from "./errors";

export const PROFILE_ENV = "VAE_GAN_PROFILE";
export const PROFILE_NAMES = ["quick", "full"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Profile {
  name: ProfileName;
  /** Training images used (Fashion-MNIST has 60,000). */
  trainSize: number;
  /** Test images used for evaluation (Fashion-MNIST has 10,000). */
  testSize: number;
  /** Colour images used (emoji: ~3.8k). */
  colourSize: number;
  /** Epochs per model. */
  epochs: { denseAe: number; convAe: number; colourAe: number; vae: number; vae2d: number; classifier: number; cgan: number };
  /** The GAN study of notebook 05: seeds per arm, epochs, steps between evaluations, samples per evaluation. */
  gan: { seeds: number; epochs: number; evalEvery: number; evalSamples: number };
  /** The GAN's hyper-parameter search of notebook 07: trials, training images and epochs per trial. */
  search: { trials: number; trainSize: number; epochs: number; evalEvery: number };
}

export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    name: "quick", trainSize: 2048, testSize: 512, colourSize: 512,
    epochs: { denseAe: 2, convAe: 2, colourAe: 2, vae: 2, vae2d: 2, classifier: 2, cgan: 1 },
    gan: { seeds: 2, epochs: 1, evalEvery: 8, evalSamples: 256 },
    search: { trials: 3, trainSize: 512, epochs: 1, evalEvery: 4 },
  },
  full: {
    name: "full", trainSize: 60000, testSize: 10000, colourSize: 3786,
    epochs: { denseAe: 20, convAe: 10, colourAe: 20, vae: 12, vae2d: 8, classifier: 6, cgan: 10 },
    gan: { seeds: 5, epochs: 5, evalEvery: 250, evalSamples: 2000 },
    search: { trials: 16, trainSize: 20000, epochs: 1, evalEvery: 100 },
  },
};

/**
 * The profile `name`, or the one $VAE_GAN_PROFILE names (default `quick` when it is unset). An unknown
 * name lists the valid ones and says where it came from; a blank $VAE_GAN_PROFILE is an error.
 */
export function currentProfile(name?: string): Profile {
  const key = name === undefined ? readEnv(PROFILE_ENV) ?? "quick" : name.trim();
  if (!(PROFILE_NAMES as readonly string[]).includes(key)) {
    throw new UserInputError(`Unknown profile "${key}"${name === undefined ? ` (from ${PROFILE_ENV})` : ""}. Valid profiles: ${PROFILE_NAMES.join(", ")}.`);
  }
  return PROFILES[key as ProfileName];
}
