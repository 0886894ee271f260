/**
 * Configurations shared between notebooks. Notebook 04 trains the main VAE from `mainVae`, and
 * notebook 05 asks for the same configuration to find that VAE's checkpoint (its folder is named by
 * the configuration's hash), so the GAN's generator starts from exactly the decoder notebook 04 trained.
 */
import { VaeConfig } from "./models/vae";
import { DcganConfig } from "./models/dcgan";
import { Profile } from "./profiles";
import { VaeLossConfig } from "./train/steps";
import { TrainingConfig } from "./train/fit";

export interface VaeExperiment {
  name: string;
  model: VaeConfig;
  loss: VaeLossConfig;
  training: TrainingConfig;
}

/** The VAE whose decoder becomes the GAN's generator. */
export function mainVae(profile: Profile): VaeExperiment {
  return {
    name: "04-vae",
    model: { imageShape: [28, 28, 1], filters: [32, 64], latentDim: 16, batchNorm: true, outputActivation: "sigmoid", seed: 1 },
    loss: { beta: 1, reconstruction: "bce" },
    training: { batchSize: 128, numEpochs: profile.epochs.vae, learningRate: 1e-3, seed: 1 },
  };
}

/** The DCGAN of the study: its generator has the main VAE decoder's architecture, layer for layer. */
export function studyGan(vae: VaeExperiment, seed: number): DcganConfig {
  return {
    imageShape: vae.model.imageShape,
    latentDim: vae.model.latentDim,
    generatorFilters: [...vae.model.filters].reverse(),
    discriminatorFilters: vae.model.filters,
    kernelSize: vae.model.kernelSize,
    batchNorm: vae.model.batchNorm,
    seed,
  };
}
