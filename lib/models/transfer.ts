/**
 * Weight transfer by layer name (Ham et al. 2020, "Unbalanced GANs": the GAN's generator starts
 * from a trained VAE decoder). Shapes are checked; a mismatch is an error naming the layer.
 */
import * as tf from "@tensorflow/tfjs";

export interface TransferOptions {
  /** Layer names to copy; default every layer of `to` that has weights. */
  layers?: string[];
  /**
   * Convert a sigmoid output layer (pixels in [0, 1]) into a tanh one (pixels in [-1, 1]):
   * tanh(a/2) = 2·σ(a) − 1, so halving that layer's kernel and bias gives the same images rescaled.
   */
  sigmoidToTanh?: string;
}

/** Copies weights from `from` into `to` layer by layer; returns the names of the layers copied. */
export function transferWeights(from: tf.LayersModel, to: tf.LayersModel, options: TransferOptions = {}): string[] {
  const names = options.layers ?? to.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name);
  for (const name of names) {
    let source: tf.layers.Layer;
    let target: tf.layers.Layer;
    try {
      source = from.getLayer(name);
      target = to.getLayer(name);
    } catch {
      throw new Error(`transferWeights: layer "${name}" is missing in ${from.layers.some((l) => l.name === name) ? to.name : from.name}. Both models must come from the same factory with the same config.`);
    }
    const src = source.getWeights();
    const dst = target.getWeights();
    if (src.length !== dst.length || src.some((w, i) => !tf.util.arraysEqual(w.shape, dst[i].shape))) {
      throw new Error(`transferWeights: layer "${name}" has weights [${src.map((w) => `[${w.shape}]`).join(", ")}] in ${from.name} but [${dst.map((w) => `[${w.shape}]`).join(", ")}] in ${to.name}.`);
    }
    if (name === options.sigmoidToTanh) {
      const halved = src.map((w) => w.mul(0.5));
      target.setWeights(halved);
      tf.dispose(halved);
    } else {
      target.setWeights(src);
    }
  }
  return names;
}
