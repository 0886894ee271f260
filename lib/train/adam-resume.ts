/**
 * tfjs' AdamOptimizer keeps β₁ᵗ and β₂ᵗ as products it multiplies by β once per step (float32),
 * but `setWeights` recomputes them with `pow`, which can differ in the last bit. A run resumed from
 * a checkpoint would then drift from the uninterrupted one by an ulp per step. The patch restores
 * the products as the optimizer accumulates them, so resumed runs repeat exactly.
 */
import * as tf from "@tensorflow/tfjs";

type NamedTensor = { name: string; tensor: tf.Tensor };
type AdamState = { beta1: number; beta2: number; iterations_: number; accBeta1: tf.Variable; accBeta2: tf.Variable };
const PATCHED = Symbol.for("vae-gan.adam-exact-resume");

/** β·β·…·β (`steps` + 1 factors), each product rounded to float32 as the optimizer's own update does. */
export function accumulatedPower(beta: number, steps: number): number {
  const b = Math.fround(beta);
  let acc = b;
  for (let i = 0; i < steps; i++) acc = Math.fround(acc * b);
  return acc;
}

/** Installs the patch once (idempotent); `trainCached` calls it before it restores any optimizer. */
export function installExactAdamResume(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[PATCHED]) return;
  const stock = proto.setWeights as (this: tf.AdamOptimizer, w: NamedTensor[]) => Promise<void>;
  proto.setWeights = async function (this: tf.AdamOptimizer, weights: NamedTensor[]): Promise<void> {
    await stock.call(this, weights);
    const s = this as unknown as AdamState;
    tf.tidy(() => {
      s.accBeta1.assign(tf.scalar(accumulatedPower(s.beta1, s.iterations_)));
      s.accBeta2.assign(tf.scalar(accumulatedPower(s.beta2, s.iterations_)));
    });
  };
  proto[PATCHED] = true;
}
