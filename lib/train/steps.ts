/** Model-specific training steps for the autoencoders and the VAE: each returns plain numbers. */
import * as tf from "@tensorflow/tfjs";
import { Batch } from "../data/dataset";
import { klDivergence, reconstructionError, reparameterize, Vae } from "../models/vae";
import { Logs } from "./loop";

/** Trainable variables of models, without duplicates (shared layers). */
export function trainableVariables(...models: tf.LayersModel[]): tf.Variable[] {
  return [...new Set(models.flatMap((m) => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val)))];
}

/** Mean squared error per pixel, the autoencoders' loss. */
export function autoencoderStep(autoencoder: tf.LayersModel, optimizer: tf.Optimizer): (batch: Batch) => Logs {
  const vars = trainableVariables(autoencoder);
  return (batch) => {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(batch.x, autoencoder.apply(batch.x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars)!;
    const value = loss.dataSync()[0];
    loss.dispose();
    return { loss: value };
  };
}

export interface VaeLossConfig {
  /** Weight of the KL term (β-VAE, Higgins et al. 2017); 1 is the plain ELBO. */
  beta: number;
  /** `bce` for sigmoid decoders on [0, 1] pixels, `mse` for tanh decoders on [-1, 1]. */
  reconstruction: "bce" | "mse";
  /**
   * false trains the same layers as a plain (deterministic) autoencoder: the code is μ, with no
   * noise and no KL term — the non-variational control of the pretraining study. Default true.
   */
  variational?: boolean;
}

/** The VAE's losses on a batch, averaged over samples: { loss, recon, kl } as scalars. */
export function vaeLosses(vae: Vae, x: tf.Tensor4D, cfg: VaeLossConfig, noiseSeed: number | undefined, training: boolean): { loss: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar } {
  const [zMean, zLogVar] = vae.encoder.apply(x, { training }) as tf.Tensor2D[];
  const variational = cfg.variational ?? true;
  const z = variational ? reparameterize(zMean, zLogVar, noiseSeed) : zMean;
  const xHat = vae.decoder.apply(z, { training }) as tf.Tensor4D;
  const recon = reconstructionError(x, xHat, cfg.reconstruction).mean() as tf.Scalar;
  const kl = variational ? (klDivergence(zMean, zLogVar).mean() as tf.Scalar) : tf.scalar(0);
  return { loss: recon.add(kl.mul(cfg.beta)) as tf.Scalar, recon, kl };
}

/** One VAE step; the noise ε of step k is drawn with seed `seed + k`, so runs repeat exactly. */
export function vaeStep(vae: Vae, optimizer: tf.Optimizer, cfg: VaeLossConfig & { seed: number }): (batch: Batch, globalStep: number) => Logs {
  const vars = trainableVariables(vae.encoder, vae.decoder);
  return (batch, globalStep) => {
    let parts: number[] = [];
    const loss = optimizer.minimize(() => {
      const l = vaeLosses(vae, batch.x, cfg, cfg.seed * 100003 + globalStep, true);
      parts = [l.recon, l.kl].map((t) => t.dataSync()[0]);
      return l.loss;
    }, true, vars)!;
    const value = loss.dataSync()[0];
    loss.dispose();
    return { loss: value, recon: parts[0], kl: parts[1] };
  };
}
