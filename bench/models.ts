/**
 * The three benchmark models and their training steps, in TensorFlow.js layers (the API the notebooks
 * use). `bench/torch_peer.py` builds the same architectures in PyTorch.
 *
 * - M1: dense autoencoder 784-256-64-256-784 (ReLU, sigmoid output, MSE).
 * - M2: convolutional autoencoder on 28×28×1: Conv 1→16 3×3 s2, Conv 16→32 3×3 s2,
 *   ConvT 32→16 3×3 s2, ConvT 16→1 3×3 s2 (all "same", ReLU between, sigmoid output, MSE).
 * - M3: one DCGAN step. G: z100 → Dense 7·7·128 → BN → ReLU → ConvT 64 5×5 s2 → BN → ReLU → ConvT 1 5×5 s2
 *   → tanh; D: Conv 64 5×5 s2 → LeakyReLU 0.2 → Conv 128 5×5 s2 → LeakyReLU 0.2 → Dense 1 (a logit).
 *   A step is one D update on a real and a fake batch, then one G update with a fresh G forward pass.
 *
 * Everything is seeded (weights through the initialisers' seeds, data through lib/random), so a run is
 * repeatable on one backend. Steps leave no tensors behind once the optimisers hold their slots.
 */
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, makeRng } from "../lib/random";
import { buildCgan, type CganConfig } from "../lib/models/cgan";
import { ganStep } from "../lib/train/gan";

export const MODEL_NAMES = ["M1", "M2", "M3", "M4"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Images per training step in the benchmark. */
export const BENCH_BATCH = 64;
/** Length of the generator's latent vector in M3. */
export const LATENT_DIM = 100;

/** One batch of inputs: `{ x }` for the autoencoders, `{ real, z }` for M3, `{ real, labels }` (int32) for M4. */
export type BenchBatch = Record<string, tf.Tensor>;

export interface BenchModel {
  readonly name: ModelName;
  readonly description: string;
  /** The networks that train (`model`, or `generator` and `discriminator`). */
  readonly networks: Record<string, tf.LayersModel>;
  /** `count` fixed batches of `batchSize` images, determined by `seed`. */
  makeBatches(batchSize: number, count: number, seed: number): BenchBatch[];
  /** One optimiser step (for M3: a D update then a G update); resolves to the losses before the update. */
  step(batch: BenchBatch): Promise<Record<string, number>>;
  /** Frees weights and optimiser slots. */
  dispose(): void;
}

/** Per-layer initialisers with seeds derived from the model's seed, so weights never depend on call order. */
function seeded(seed: number, layer: string): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform> } {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, layer) }) };
}

/** Synthetic pixels: the throughput does not depend on content, and the bench must not need data files. */
function uniformImages(shape: number[], seed: number, lo: number, hi: number): tf.Tensor {
  const rng = makeRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = lo + (hi - lo) * rng();
  return tf.tensor(values, shape, "float32");
}

function normals(shape: number[], seed: number): tf.Tensor {
  const rng = makeRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i += 2) {
    // Box–Muller; 1 - rng() keeps the logarithm's argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const t = 2 * Math.PI * rng();
    values[i] = r * Math.cos(t);
    if (i + 1 < values.length) values[i + 1] = r * Math.sin(t);
  }
  return tf.tensor(values, shape, "float32");
}

/** Reads a scalar loss, waiting for the backend (the per-step synchronisation point), then frees it. */
async function take(loss: tf.Scalar | null): Promise<number> {
  if (!loss) throw new Error("optimizer.minimize returned no loss");
  const [v] = await loss.data();
  loss.dispose();
  return v!;
}

function autoencoder(name: "M1" | "M2", description: string, model: tf.LayersModel, inputShape: number[]): BenchModel {
  const optimizer = tf.train.adam(1e-3);
  return {
    name,
    description,
    networks: { model },
    makeBatches: (batchSize, count, seed) =>
      Array.from({ length: count }, (_, i) => ({ x: uniformImages([batchSize, ...inputShape], deriveSeed(seed, `${name}/x${i}`), 0, 1) })),
    step: (batch) => take(optimizer.minimize(() => {
      const y = model.apply(batch.x!, { training: true }) as tf.Tensor;
      return tf.losses.meanSquaredError(batch.x!, y) as tf.Scalar;
    }, true)).then((loss) => ({ loss })),
    dispose: () => { model.dispose(); optimizer.dispose(); },
  };
}

/** M1: dense autoencoder 784-256-64-256-784. */
export function makeM1(seed = 1): BenchModel {
  const s = (l: string) => seeded(deriveSeed(seed, "M1"), l);
  const model = tf.sequential({
    name: "M1",
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: "relu", ...s("enc1") }),
      tf.layers.dense({ units: 64, activation: "relu", ...s("code") }),
      tf.layers.dense({ units: 256, activation: "relu", ...s("dec1") }),
      tf.layers.dense({ units: 784, activation: "sigmoid", ...s("out") }),
    ],
  });
  return autoencoder("M1", "dense AE 784-256-64-256-784", model, [784]);
}

/** M2: convolutional autoencoder 28×28×1 → 7×7×32 → 28×28×1. */
export function makeM2(seed = 1): BenchModel {
  const s = (l: string) => seeded(deriveSeed(seed, "M2"), l);
  const conv = { kernelSize: 3, strides: 2, padding: "same" as const };
  const model = tf.sequential({
    name: "M2",
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, activation: "relu", ...conv, ...s("enc1") }),
      tf.layers.conv2d({ filters: 32, activation: "relu", ...conv, ...s("enc2") }),
      tf.layers.conv2dTranspose({ filters: 16, activation: "relu", ...conv, ...s("dec1") }),
      tf.layers.conv2dTranspose({ filters: 1, activation: "sigmoid", ...conv, ...s("dec2") }),
    ],
  });
  return autoencoder("M2", "conv AE 1-16-32-16-1 (3×3 s2)", model, [28, 28, 1]);
}

export interface GanModel extends BenchModel {
  /** One discriminator update on `real` and G(`z`) (no gradient into G); resolves to D's loss. */
  dStep(batch: BenchBatch): Promise<number>;
  /** One generator update through a frozen D; resolves to G's loss. */
  gStep(batch: BenchBatch): Promise<number>;
}

/** M3: DCGAN generator and discriminator for 28×28×1 images in [-1, 1]. */
export function makeM3(seed = 1): GanModel {
  const s = (l: string) => seeded(deriveSeed(seed, "M3"), l);
  const convT = { kernelSize: 5, strides: 2, padding: "same" as const };
  const generator = tf.sequential({
    name: "M3_G",
    layers: [
      // No biases before batch norm: its beta takes that role.
      tf.layers.dense({ inputShape: [LATENT_DIM], units: 7 * 7 * 128, useBias: false, ...s("g_dense") }),
      tf.layers.reshape({ targetShape: [7, 7, 128] }),
      tf.layers.batchNormalization({ axis: -1 }),
      tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 64, useBias: false, ...convT, ...s("g_convt1") }),
      tf.layers.batchNormalization({ axis: -1 }),
      tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 1, activation: "tanh", ...convT, ...s("g_convt2") }),
    ],
  });
  const discriminator = tf.sequential({
    name: "M3_D",
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, ...convT, ...s("d_conv1") }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 128, ...convT, ...s("d_conv2") }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, ...s("d_out") }),
    ],
  });
  const gOpt = tf.train.adam(2e-4, 0.5);
  const dOpt = tf.train.adam(2e-4, 0.5);
  // varList keeps each update to its own network (the other's weights get no gradient at all).
  const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const bce = (logits: tf.Tensor, label: number): tf.Scalar =>
    tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits) as tf.Scalar;

  const dStep = (batch: BenchBatch): Promise<number> => {
    const fake = tf.tidy(() => generator.apply(batch.z!, { training: true }) as tf.Tensor);
    const loss = dOpt.minimize(() => {
      const real = discriminator.apply(batch.real!, { training: true }) as tf.Tensor;
      const faked = discriminator.apply(fake, { training: true }) as tf.Tensor;
      return tf.add(bce(real, 1), bce(faked, 0)) as tf.Scalar;
    }, true, dVars);
    fake.dispose();
    return take(loss);
  };
  const gStep = (batch: BenchBatch): Promise<number> =>
    take(gOpt.minimize(() => {
      const fake = generator.apply(batch.z!, { training: true }) as tf.Tensor;
      return bce(discriminator.apply(fake, { training: true }) as tf.Tensor, 1);
    }, true, gVars));

  return {
    name: "M3",
    description: "DCGAN step (D on real+fake, then G)",
    networks: { generator, discriminator },
    makeBatches: (batchSize, count, seed2) =>
      Array.from({ length: count }, (_, i) => ({
        real: uniformImages([batchSize, 28, 28, 1], deriveSeed(seed2, `M3/real${i}`), -1, 1),
        z: normals([batchSize, LATENT_DIM], deriveSeed(seed2, `M3/z${i}`)),
      })),
    dStep,
    gStep,
    step: async (batch) => {
      const d = await dStep(batch);
      const g = await gStep(batch);
      return { d, g };
    },
    dispose: () => { generator.dispose(); discriminator.dispose(); gOpt.dispose(); dOpt.dispose(); },
  };
}

/** The conditional GAN of notebook 06 (MNIST digits and Fashion-MNIST use the same architecture). */
export const M4_CONFIG: CganConfig = { imageShape: [28, 28, 1], latentDim: 16, numClasses: 10, generatorFilters: [64, 32], discriminatorFilters: [32, 64], batchNorm: true, seed: 1 };
/** Notebook 06's training settings: Adam 2e-4, β1 = 0.5 for both networks; the study's non-saturating loss with smoothing 0.1. */
const M4_STEP = { loss: "non-saturating" as const, labelSmoothing: 0.1 };

/** M4: one step of the study's conditional GAN, exactly as notebook 06 trains it. */
export function makeM4(seed = 1): BenchModel {
  const cgan = buildCgan({ ...M4_CONFIG, seed: deriveSeed(seed, "M4") });
  const optimizers = { discriminator: tf.train.adam(2e-4, 0.5), generator: tf.train.adam(2e-4, 0.5) };
  const step = ganStep(cgan, optimizers, { ...M4_STEP, seed });
  let globalStep = 0;
  return {
    name: "M4",
    description: "conditional GAN step of notebook 06",
    networks: { generator: cgan.generator, discriminator: cgan.discriminator },
    makeBatches: (batchSize, count, seed2) =>
      Array.from({ length: count }, (_, i) => {
        const rng = makeRng(deriveSeed(seed2, `M4/labels${i}`));
        return {
          real: uniformImages([batchSize, 28, 28, 1], deriveSeed(seed2, `M4/real${i}`), -1, 1),
          labels: tf.tensor1d(Int32Array.from({ length: batchSize }, () => Math.floor(rng() * M4_CONFIG.numClasses)), "int32"),
        };
      }),
    // ganStep reads its losses and accuracies back (dataSync): the same synchronisation as the other models.
    step: async (batch) => {
      const logs = step({ x: batch.real as tf.Tensor4D, y: batch.labels as tf.Tensor1D, indices: new Uint32Array(batch.real!.shape[0]) }, globalStep++);
      return { d: logs.d_loss!, g: logs.g_loss! };
    },
    dispose: () => { cgan.generator.dispose(); cgan.discriminator.dispose(); optimizers.discriminator.dispose(); optimizers.generator.dispose(); },
  };
}

export const MODEL_FACTORIES: Record<ModelName, (seed?: number) => BenchModel> = { M1: makeM1, M2: makeM2, M3: makeM3, M4: makeM4 };

/** Parameter counts of the architectures above (trainable and BN moving statistics), for tests and the README. */
export const EXPECTED_PARAMS: Record<ModelName, Record<string, number>> = {
  // 784·256+256 + 256·64+64 + 64·256+256 + 256·784+784
  M1: { model: 435_536 },
  // (9·1·16+16) + (9·16·32+32) + (9·32·16+16) + (9·16·1+1)
  M2: { model: 9_569 },
  // G: 100·6272 + BN(4·128) + 25·128·64 + BN(4·64) + (25·64·1+1); D: (25·64+64) + (25·64·128+128) + (6272+1)
  M3: { generator: 834_369, discriminator: 212_865 },
  // G: 26·3136 + BN(4·3136) + 9·64·32 + BN(4·32) + (9·32·1+1); D: (9·11·32+32) + (9·32·64+64) + (3136+1)
  M4: { generator: 112_929, discriminator: 24_833 },
};

/** Throughput of one model on the active backend. */
export interface StepMeasurement {
  model: ModelName;
  imgPerS: number;
  /** Images per step actually used (BENCH_BATCH unless the cell cap forced a smaller probe batch). */
  batch: number;
  steps: number;
  seconds: number;
  /** Duration of the first (cold) step at the measured batch size. */
  firstStepS: number;
  note?: string;
}

const now = (): number => performance.now() / 1000;

/**
 * The timing protocol, shared with bench/torch_peer.py: up to two warm-up steps (one if a step alone
 * takes ≥ `seconds`), then steps until `seconds` have passed (at least one); the loss is read after
 * every step, which is the synchronisation point. A cell never runs much past `maxCellSeconds`: a cold
 * step at batch 8 first estimates the full step, and when 64 images would take more than a third of
 * the cap the cell is measured at batch 8 (a lower bound on the batch-64 rate) and says so.
 */
export async function measureModel(name: ModelName, opts: { seconds: number; maxCellSeconds: number; seed: number }): Promise<StepMeasurement> {
  const model = MODEL_FACTORIES[name](opts.seed);
  const allBatches: BenchBatch[] = [];
  try {
    const probeBatch = 8;
    const [probe] = model.makeBatches(probeBatch, 1, deriveSeed(opts.seed, "probe"));
    allBatches.push(probe!);
    let t = now();
    await model.step(probe!);
    const probeS = now() - t;
    const estimate = (probeS * BENCH_BATCH) / probeBatch;
    const batch = estimate > opts.maxCellSeconds / 3 ? probeBatch : BENCH_BATCH;
    const note = batch === BENCH_BATCH ? undefined
      : `batch ${probeBatch}: a batch-${BENCH_BATCH} step was estimated at ${estimate.toFixed(0)} s, over a third of the ${opts.maxCellSeconds} s cell cap`;
    const batches = batch === BENCH_BATCH ? model.makeBatches(batch, 4, deriveSeed(opts.seed, "data")) : [probe!];
    if (batches[0] !== probe) allBatches.push(...batches);

    const start = now();
    let firstStepS = probeS;
    // At the probe batch the probe step was the cold step already: go straight to measuring.
    for (let i = 0; batch === BENCH_BATCH && i < 2; i++) {
      t = now();
      await model.step(batches[i % batches.length]!);
      if (i === 0) firstStepS = now() - t;
      if (now() - start >= Math.min(opts.seconds, opts.maxCellSeconds / 3)) break;
    }
    const budget = Math.max(0, Math.min(opts.seconds, opts.maxCellSeconds - (now() - start)));
    let steps = 0;
    const t1 = now();
    let elapsed = 0;
    for (;;) {
      await model.step(batches[steps % batches.length]!);
      steps++;
      elapsed = now() - t1;
      // Stop at the budget, or before a further step would break the cell cap.
      if (elapsed >= budget || elapsed + elapsed / steps > opts.maxCellSeconds - (t1 - start)) break;
    }
    return { model: name, imgPerS: (steps * batch) / elapsed, batch, steps, seconds: elapsed, firstStepS, ...(note ? { note } : {}) };
  } finally {
    for (const b of allBatches) tf.dispose(Object.values(b));
    model.dispose();
  }
}

/** float32 matMul n×n · n×n on the active backend, in GFLOP/s (2n³ per product, result read back each time). */
export async function measureMatMul(n: number, seconds: number, seed: number): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, "float32", deriveSeed(seed, `matmul-a${n}`));
  const b = tf.randomNormal([n, n], 0, 1, "float32", deriveSeed(seed, `matmul-b${n}`));
  try {
    const once = async (): Promise<void> => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    };
    await once(); // warm-up
    let reps = 0;
    const t0 = now();
    while (reps < 3 || now() - t0 < seconds) {
      await once();
      reps++;
      if (now() - t0 > 10 * Math.max(seconds, 1)) break; // a very slow engine: enough reps to tell
    }
    return (2 * n ** 3 * reps) / (now() - t0) / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}
