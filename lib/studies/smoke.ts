/**
 * `smoke`: the smallest study with the shape of the real one — per seed, a tiny VAE and two GAN
 * arms on a Fashion-MNIST subset: from scratch, and with the generator started from that seed's
 * VAE decoder (so the GAN arm needs the VAE run). Tests and the Slurm proof run it under `quick`.
 */
import { Profile } from "../profiles";
import { RunSpec, StudyDefinition } from "./spec";

export const smokeStudy: StudyDefinition = {
  name: "smoke",
  description: "a tiny VAE and two GAN arms (scratch, generator from the VAE) per seed on a Fashion-MNIST subset",
  specs: (profile: Profile): RunSpec[] => {
    const quick = profile.name !== "full";
    const trainSize = quick ? 256 : 4096;
    const tracking = { "tracking.logEvery": quick ? 1 : 10, "tracking.checkpointEvery": quick ? 2 : 50, "tracking.samples": 10 };
    // The generator is the VAE decoder's architecture: the same latent size and mirrored filters.
    const latentDim = 8;
    const filters = [8, 16];
    const vae = (seed: number): RunSpec => ({
      run: `vae-s${seed}`, experiment: "vae", seed,
      set: { "data.trainSize": trainSize, "data.testSize": quick ? 128 : 1000, "model.filters": filters, "model.latentDim": latentDim, "training.batchSize": 32, "training.numEpochs": 2, ...tracking },
    });
    const gan = (seed: number, fromVae: boolean): RunSpec => ({
      run: `gan-${fromVae ? "vae" : "scratch"}-s${seed}`, experiment: "gan", seed,
      set: {
        "data.trainSize": trainSize, "model.latentDim": latentDim, "model.generatorFilters": [...filters].reverse(), "model.discriminatorFilters": filters,
        "init.vaeRun": fromVae ? `vae-s${seed}` : "", "training.batchSize": 32, "training.numEpochs": 2,
        "evaluate.every": quick ? 4 : 32, "evaluate.samples": quick ? 64 : 500, "evaluate.classifierEpochs": 1, "evaluate.classifierTrainSize": quick ? 512 : 4096, ...tracking,
      },
      needs: fromVae ? [`vae-s${seed}`] : [],
    });
    return [1, 2].flatMap((seed) => [vae(seed), gan(seed, false), gan(seed, true)]);
  },
};
