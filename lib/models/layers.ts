/** Helpers every model factory shares: seeded initialisers and encoder–decoder chaining. */
import * as tf from "@tensorflow/tfjs";

/** Glorot-uniform initialiser with a seed derived from the config's seed and the layer index. */
export function seededInit(seed: number, index: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: seed * 1000 + index });
}

/** Chains an encoder and a decoder into one model that shares their weights. */
export function chain(encoder: tf.LayersModel, decoder: tf.LayersModel, name: string): tf.LayersModel {
  const input = tf.input({ shape: encoder.inputs[0].shape.slice(1) });
  return tf.model({ inputs: input, outputs: decoder.apply(encoder.apply(input)) as tf.SymbolicTensor, name });
}
