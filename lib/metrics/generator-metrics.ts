/**
 * Everything the GAN study measures about a generator, in one call: Fréchet distance on the
 * classifier's features (Heusel et al. 2017), mode coverage of its predicted classes, and improved
 * precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020), all against the same real images. The codes z
 * are fixed by a seed, so successive evaluations (and both arms) judge the same draws.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { classifierOutputs } from "../models/classifier";
import { modeCoverage } from "./coverage";
import { featureStats, frechetDistance } from "./frechet";
import { classRecall, densityCoverage, precisionRecall } from "./precision-recall";

export type GeneratorMetrics = {
  /** Fréchet distance to the real features (lower is better). */
  fd: number;
  /** Classes that receive at least `minFraction` of the samples. */
  classes_hit: number;
  /** KL divergence of the predicted class histogram to uniform, in nats (0 = every class equally often). */
  kl_uniform: number;
  precision: number;
  recall: number;
  /** Mean number of real k-NN balls (k = 5) holding a generated sample, over k (fidelity; ≈1 when matched). */
  density: number;
  /** Share of real k-NN balls (k = 5) holding at least one generated sample (diversity, 0..1). */
  coverage: number;
} & {
  /** Per class c: `share_c<c>`, the share of samples the classifier puts in c; `recall_c<c>`, recall on the real images of class c (when they are labelled). */
  [perClass: `${"share" | "recall"}_c${number}`]: number;
};

export interface GeneratorEvaluatorOptions {
  classifier: tf.LayersModel;
  /** Real images to compare with; the first `samples` are used. */
  real: ImageDataset;
  samples: number;
  seed: number;
  /** For a conditional generator: codes get labels 0..numClasses-1 in turn. */
  numClasses?: number;
  minFraction?: number;
}

/** Prepares the real side once; the returned function measures a generator (outputs in [-1, 1]). */
export function generatorEvaluator(options: GeneratorEvaluatorOptions): (generator: tf.LayersModel) => GeneratorMetrics {
  const { classifier, samples, seed, numClasses, minFraction = 0.01 } = options;
  const real = options.real.subset(Math.min(samples, options.real.size), seed);
  const realOut = classifierOutputs(classifier, real);
  const realStats = featureStats(realOut.features, real.size, realOut.dim);
  const classes = classifier.outputs[0].shape[1] as number;
  return (generator) => {
    const latentDim = generator.inputs[0].shape[1] as number;
    const images = tf.tidy(() => {
      const z = tf.randomNormal([samples, latentDim], 0, 1, "float32", seed);
      if (!numClasses) return generator.predict(z, { batchSize: 256 }) as tf.Tensor4D;
      const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: samples }, (_, i) => i % numClasses), "int32"), numClasses).cast("float32");
      return generator.predict([z, labels], { batchSize: 256 }) as tf.Tensor4D;
    });
    const out = classifierOutputs(classifier, images, { scale: "symmetric" });
    images.dispose();
    const coverage = modeCoverage(out.classes, classes, { minFraction });
    const pr = precisionRecall(realOut.features, out.features, { dim: out.dim });
    const dc = densityCoverage(realOut.features, out.features, { dim: out.dim });
    const perClass: Record<string, number> = {};
    coverage.histogram.forEach((share, c) => (perClass[`share_c${c}`] = share));
    if (real.labels) classRecall(pr.recalled, real.labels, classes).forEach((r, c) => (perClass[`recall_c${c}`] = r));
    return {
      ...perClass,
      fd: frechetDistance(realStats, featureStats(out.features, samples, out.dim)),
      classes_hit: coverage.classesHit,
      kl_uniform: coverage.klToUniform,
      precision: pr.precision,
      recall: pr.recall,
      density: dc.density,
      coverage: dc.coverage,
    };
  };
}

/**
 * The metrics of real images against other real images (e.g. training against test), as a generator
 * evaluation would measure them: the floor a perfect generator reaches with this many samples, and the
 * judge's view of what "matched" looks like (precision, recall and coverage near 1, density near 1).
 */
export function realReference(classifier: tf.LayersModel, real: ImageDataset, other: ImageDataset, samples: number, seed = 99): Pick<GeneratorMetrics, "fd" | "precision" | "recall" | "density" | "coverage"> {
  const a = classifierOutputs(classifier, real.subset(Math.min(samples, real.size), seed));
  const b = classifierOutputs(classifier, other.subset(Math.min(samples, other.size), seed + 1));
  const pr = precisionRecall(a.features, b.features, { dim: a.dim });
  const dc = densityCoverage(a.features, b.features, { dim: a.dim });
  const stats = (o: typeof a) => featureStats(o.features, o.features.length / o.dim, o.dim);
  return { fd: frechetDistance(stats(a), stats(b)), precision: pr.precision, recall: pr.recall, density: dc.density, coverage: dc.coverage };
}
