/** The label-conditioned DCGAN on MNIST digits or Fashion-MNIST (notebook 06): the GAN experiment's settings, ten more epochs' worth of steps. */
import { LABELLED_DATASETS, LabelledDataset, TRACKING } from "./common";
import { checkBatchFits, Experiment, TrackingConfig } from "./experiment";
import { GAN_BUDGET, GAN_EVALUATE, GAN_MODEL, GAN_RULES, GAN_STEP, GAN_TRAINING, GanData, GanEvaluate, GanModel, GanResult, GanStep, GanTraining, generatorGrid, labelledGanData, runGan } from "./gan";

export type CganExperimentConfig = {
  seed: number;
  data: { dataset: LabelledDataset; trainSize: number };
  model: GanModel;
  training: GanTraining;
  step: GanStep;
  evaluate: GanEvaluate;
  tracking: TrackingConfig;
};

export const cganExperiment: Experiment<CganExperimentConfig, GanData, GanResult> = {
  name: "cgan",
  description: "label-conditioned DCGAN on MNIST digits or Fashion-MNIST (notebook 06)",
  defaults: {
    seed: 1, data: { dataset: "fashion-mnist", trainSize: 60000 }, model: GAN_MODEL,
    training: { ...GAN_TRAINING, numEpochs: 10 }, step: GAN_STEP, evaluate: { ...GAN_EVALUATE, every: 500 }, tracking: TRACKING,
  },
  rules: { ...GAN_RULES, "data.dataset": { oneOf: LABELLED_DATASETS } },
  budget: GAN_BUDGET,
  objective: "fd",
  check: checkBatchFits,
  loadData: async ({ data }) => labelledGanData(data),
  run: (config, data, target) => runGan(config, data, { name: "cgan", dataset: config.data.dataset, conditional: true }, target),
  samples: (config, data) => generatorGrid(config, data.all.train.classNames?.length),
};
