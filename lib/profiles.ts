/**
 * Run profiles. A profile holds no settings of its own: it scales the budget of an experiment's
 * defaults (lib/experiments), which are the `full` settings. `quick` is for CI and tests (minutes,
 * data subsets, about a tenth of the epochs); `full` is what the report is rendered with (every
 * default as it is). Notebooks read the profile from $VAE_GAN_PROFILE.
 */
import { readEnv } from "./core/env";
import { UserInputError } from "./core/errors";

export const PROFILE_ENV = "VAE_GAN_PROFILE";
export const PROFILE_NAMES = ["quick", "full"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * The kinds of budget a profile scales; an experiment names which of its config keys are of which
 * kind. `repeats` counts seeds per arm of a study or trials of a search.
 */
export const BUDGET_KINDS = ["trainSize", "testSize", "colourSize", "epochs", "evalEvery", "evalSamples", "repeats"] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

export interface Profile {
  name: ProfileName;
  /** One line for a notebook's first output. */
  description: string;
  /** Maps a full-profile value of each kind to this profile's value. */
  scale: Record<BudgetKind, (full: number) => number>;
}

/** Quick keeps 2,048 of Fashion-MNIST's 60,000 training images, so a GAN evaluates as often per epoch. */
const QUICK_TRAIN = 2048;
const FULL_TRAIN = 60000;
const atMost = (cap: number) => (n: number) => Math.min(n, cap);
const same = (n: number) => n;

export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    name: "quick",
    description: `data subsets (≤ ${QUICK_TRAIN.toLocaleString("en-US")} training images), a tenth of the epochs`,
    scale: {
      trainSize: atMost(QUICK_TRAIN), testSize: atMost(512), colourSize: atMost(512),
      epochs: (n) => Math.ceil(n / 10),
      evalEvery: (n) => Math.max(1, Math.floor((n * QUICK_TRAIN) / FULL_TRAIN)),
      evalSamples: atMost(256), repeats: atMost(2),
    },
  },
  full: {
    name: "full",
    description: "whole data sets, every epoch",
    scale: { trainSize: same, testSize: same, colourSize: same, epochs: same, evalEvery: same, evalSamples: same, repeats: same },
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
