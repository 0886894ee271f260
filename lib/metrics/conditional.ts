/**
 * How well a conditional generator obeys its label: a classifier reads `perClass` samples of each
 * class, and the fraction it assigns to the intended class is that class's accuracy.
 */
import * as tf from "@tensorflow/tfjs";
import { predictClasses } from "../models/classifier";

/** Codes and one-hot labels for `perClass` samples of every class, class-major (all 0s, then all 1s, …). */
export function classConditionedInputs(latentDim: number, numClasses: number, perClass: number, seed: number): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const labels = tf.tensor1d(Int32Array.from({ length: numClasses * perClass }, (_, i) => Math.floor(i / perClass)), "int32");
    return [tf.randomNormal([numClasses * perClass, latentDim], 0, 1, "float32", seed), tf.oneHot(labels, numClasses).cast("float32") as tf.Tensor2D];
  });
}

/** Per-class accuracy of the classifier on the generator's samples (outputs in [-1, 1]). */
export function conditionalAccuracy(generator: tf.LayersModel, classifier: tf.LayersModel, numClasses: number, options: { perClass?: number; seed: number }): number[] {
  const { perClass = 100, seed } = options;
  const inputs = classConditionedInputs(generator.inputs[0].shape[1] as number, numClasses, perClass, seed);
  const images = generator.predict(inputs, { batchSize: 256 }) as tf.Tensor4D;
  const predicted = predictClasses(classifier, images, { scale: "symmetric" });
  tf.dispose([...inputs, images]);
  return Array.from({ length: numClasses }, (_, c) => predicted.subarray(c * perClass, (c + 1) * perClass).filter((p) => p === c).length / perClass);
}
