/**
 * The GAN training step of the class notes (seed 001) and Goodfellow et al. 2014, Algorithm 1:
 * 1. draw codes z ~ N(0, I), generate fakes, and update the discriminator on a real and a fake batch;
 * 2. draw new codes and update the generator through the discriminator, whose weights stay fixed
 *    (only the generator's variables are in the update).
 * Non-saturating loss by default (the generator maximises log D(G(z))), least squares as an option.
 */
import * as tf from "@tensorflow/tfjs";
import { Batch } from "../data/dataset";
import { Dcgan } from "../models/dcgan";
import { makeRng } from "../random";
import { Logs } from "./loop";
import { trainableVariables } from "./steps";

export interface GanStepConfig {
  loss?: "non-saturating" | "least-squares";
  /** One-sided label smoothing: real targets become 1 − s (Salimans et al. 2016). */
  labelSmoothing?: number;
  seed: number;
}

/** Binary cross-entropy with logits against a constant target t: t·softplus(−l) + (1−t)·softplus(l). */
function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => tf.softplus(logits.neg()).mul(target).add(tf.softplus(logits).mul(1 - target)).mean() as tf.Scalar);
}

function lsq(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => logits.sub(target).square().mean().mul(0.5) as tf.Scalar);
}

/**
 * D's mean output: the probability σ(logit) it gives (non-saturating loss), or the raw score it
 * regresses on its 0/1 targets (least squares). With one-sided smoothing s the optimal D at
 * equilibrium outputs (1 − s)/2 on every image, below the 0.5 that `d_acc_real` counts as "real".
 */
function meanOutput(logits: tf.Tensor, probability: boolean): number {
  return tf.tidy(() => (probability ? tf.sigmoid(logits) : logits).mean().dataSync()[0]);
}

/** Fraction of logits on the given side of 0. */
function fraction(logits: tf.Tensor, real: boolean): number {
  return tf.tidy(() => (real ? logits.greater(0) : logits.lessEqual(0)).cast("float32").mean().dataSync()[0]);
}

/**
 * Returns one training step: the batch holds real images in [-1, 1]. Logs: `d_loss`, `g_loss`,
 * `d_acc_real`, `d_acc_fake` (the discriminator's accuracy on each), `d_out_real`, `d_out_fake` (its
 * mean output on each, see `meanOutput`) and `g_fool` (fakes it takes for real).
 * With `numClasses` the GAN is conditional: both networks also take a one-hot label; real images
 * come with theirs, fakes get labels drawn uniformly.
 */
export function ganStep(gan: Dcgan & { numClasses?: number }, optimizers: { discriminator: tf.Optimizer; generator: tf.Optimizer }, cfg: GanStepConfig): (batch: Batch, globalStep: number) => Logs {
  const { loss = "non-saturating", labelSmoothing = 0 } = cfg;
  const criterion = loss === "least-squares" ? lsq : bceWithLogits;
  const dVars = trainableVariables(gan.discriminator);
  const gVars = trainableVariables(gan.generator);
  const latentDim = gan.generator.inputs[0].shape[1] as number;
  const classes = gan.numClasses;
  return (batch, globalStep) => {
    const n = batch.x.shape[0];
    const seed = cfg.seed * 1_000_003 + 2 * globalStep;
    const noise = (k: number) => tf.randomNormal([n, latentDim], 0, 1, "float32", seed + k);
    if (classes && !batch.y) throw new Error("A conditional GAN needs labelled data: this data set has no labels.");
    const oneHot = (labels: tf.Tensor1D) => tf.oneHot(labels, classes!).cast("float32");
    const randomLabels = (k: number) => { const rng = makeRng(seed + k); return tf.tensor1d(Int32Array.from({ length: n }, () => Math.floor(rng() * classes!)), "int32"); };
    const G = (k: number) => (classes ? gan.generator.apply([noise(k), oneHot(randomLabels(k))], { training: true }) : gan.generator.apply(noise(k), { training: true })) as tf.Tensor;
    // Fakes are judged against the labels they were generated for (same seeds as in G).
    const D = (x: tf.Tensor, labels: tf.Tensor1D | undefined) => (classes ? gan.discriminator.apply([x, oneHot(labels!)], { training: true }) : gan.discriminator.apply(x, { training: true })) as tf.Tensor;
    // The fakes and the statistics of the logits are computed outside minimize(): no gradient
    // flows through them, and inside it tfjs would record their operations for nothing.
    const fakes = tf.tidy(() => G(0));
    // Everything this step holds beyond a minimize() call, disposed even when one throws.
    const held: tf.Tensor[] = [fakes];
    const hold = <T extends tf.Tensor>(t: T): T => { held.push(t); return t; };
    try {
      let realLogits: tf.Tensor | undefined;
      let fakeLogits: tf.Tensor | undefined;
      const dLoss = hold(optimizers.discriminator.minimize(() => {
        realLogits = hold(tf.keep(D(batch.x, batch.y)));
        fakeLogits = hold(tf.keep(D(fakes, classes ? randomLabels(0) : undefined)));
        return criterion(realLogits, 1 - labelSmoothing).add(criterion(fakeLogits, 0)) as tf.Scalar;
      }, true, dVars)!);
      let logits: tf.Tensor | undefined;
      const gLoss = hold(optimizers.generator.minimize(() => {
        logits = hold(tf.keep(D(G(1), classes ? randomLabels(1) : undefined)));
        return criterion(logits, 1);
      }, true, gVars)!);
      return {
        d_loss: dLoss.dataSync()[0], g_loss: gLoss.dataSync()[0],
        d_acc_real: fraction(realLogits!, true), d_acc_fake: fraction(fakeLogits!, false),
        d_out_real: meanOutput(realLogits!, loss !== "least-squares"), d_out_fake: meanOutput(fakeLogits!, loss !== "least-squares"),
        g_fool: fraction(logits!, true),
      };
    } finally {
      tf.dispose(held);
    }
  };
}
