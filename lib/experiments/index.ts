/**
 * The registry: every trainable model by the name `npm run train`, search and study plans use.
 * A new model is one definition file here (plus its builder in lib/models) and one line below.
 */
import { ConfigError, ConfigObject } from "../core/config";
import { aeExperiment } from "./ae";
import { cganExperiment } from "./cgan";
import { classifierExperiment } from "./classifier";
import { colourAeExperiment } from "./colour-ae";
import { convAeExperiment } from "./conv-ae";
import { AnyExperiment, resolveExperimentConfig } from "./experiment";
import { ganExperiment } from "./gan";
import { vaeExperiment } from "./vae";

export * from "./experiment";
export * from "./common";
export * from "./autoencoder";
export * from "./ae";
export * from "./conv-ae";
export * from "./colour-ae";
export * from "./vae";
export * from "./classifier";
export * from "./gan";
export * from "./cgan";

export const EXPERIMENTS = {
  ae: aeExperiment,
  "conv-ae": convAeExperiment,
  "colour-ae": colourAeExperiment,
  vae: vaeExperiment,
  gan: ganExperiment,
  cgan: cganExperiment,
  classifier: classifierExperiment,
} as const;

export type RunModel = keyof typeof EXPERIMENTS;
export const RUN_MODELS = Object.keys(EXPERIMENTS) as RunModel[];
/** The typed configuration of model `M`. */
export type ConfigOf<M extends RunModel> = (typeof EXPERIMENTS)[M]["defaults"];

/** The model named on the command line; an unknown one lists the valid ones. */
export function runModel(name: string | undefined): RunModel {
  if (!name || !(RUN_MODELS as string[]).includes(name)) {
    throw new ConfigError(`${name ? `Unknown model "${name}"` : "No model given"}. Models: ${RUN_MODELS.map((m) => `${m} (${EXPERIMENTS[m].description})`).join("; ")}.`);
  }
  return name as RunModel;
}

/** The definition of a model by name (a run's config.json, a study's plan). */
export function experiment(name: string): AnyExperiment {
  return EXPERIMENTS[runModel(name)];
}

/** Defaults, then a config file's object, then `key=value` overrides, each checked. */
export function modelConfig<M extends RunModel>(model: M, file: unknown = {}, sets: Record<string, string> = {}): ConfigOf<M> & ConfigObject {
  return resolveExperimentConfig(EXPERIMENTS[model] as AnyExperiment, file, sets) as ConfigOf<M> & ConfigObject;
}
