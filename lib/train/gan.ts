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

/** Fraction of logits on the given side of 0. */
function fraction(logits: tf.Tensor, real: boolean): number {
  return tf.tidy(() => (real ? logits.greater(0) : logits.lessEqual(0)).cast("float32").mean().dataSync()[0]);
}

/**
 * Returns one training step: the batch holds real images in [-1, 1]. Logs: `d_loss`, `g_loss`,
 * `d_acc_real`, `d_acc_fake` (the discriminator's accuracy on each) and `g_fool` (fakes it takes for real).
 */
export function ganStep(gan: Dcgan, optimizers: { discriminator: tf.Optimizer; generator: tf.Optimizer }, cfg: GanStepConfig): (batch: Batch, globalStep: number) => Logs {
  const { loss = "non-saturating", labelSmoothing = 0 } = cfg;
  const criterion = loss === "least-squares" ? lsq : bceWithLogits;
  const dVars = trainableVariables(gan.discriminator);
  const gVars = trainableVariables(gan.generator);
  const latentDim = gan.generator.inputs[0].shape[1] as number;
  return (batch, globalStep) => {
    const n = batch.x.shape[0];
    const noise = (k: number) => tf.randomNormal([n, latentDim], 0, 1, "float32", cfg.seed * 1_000_003 + 2 * globalStep + k);
    let accReal = 0;
    let accFake = 0;
    const dLoss = optimizers.discriminator.minimize(() => {
      const fake = gan.generator.apply(noise(0), { training: true }) as tf.Tensor;
      const realLogits = gan.discriminator.apply(batch.x, { training: true }) as tf.Tensor;
      const fakeLogits = gan.discriminator.apply(fake, { training: true }) as tf.Tensor;
      accReal = fraction(realLogits, true);
      accFake = fraction(fakeLogits, false);
      return criterion(realLogits, 1 - labelSmoothing).add(criterion(fakeLogits, 0)) as tf.Scalar;
    }, true, dVars)!;
    let fool = 0;
    const gLoss = optimizers.generator.minimize(() => {
      const logits = gan.discriminator.apply(gan.generator.apply(noise(1), { training: true }), { training: true }) as tf.Tensor;
      fool = fraction(logits, true);
      return criterion(logits, 1);
    }, true, gVars)!;
    const logs = { d_loss: dLoss.dataSync()[0], g_loss: gLoss.dataSync()[0], d_acc_real: accReal, d_acc_fake: accFake, g_fool: fool };
    tf.dispose([dLoss, gLoss]);
    return logs;
  };
}
