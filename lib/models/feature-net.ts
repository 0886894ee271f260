/**
 * Feature networks for neural style transfer (Gatys et al. 2016), who used ImageNet-trained VGG-19
 * (Simonyan & Zisserman 2015). No such weights are available offline, so the project builds its own:
 * - `buildFeatureNet`: a small VGG-style classifier — blocks of 3×3 ReLU convolutions, each block
 *   followed by 2×2 average pooling (Gatys et al. found average pooling gives smoother images than max),
 *   then global average pooling (`features`) and a dense layer of logits. Layers are named like VGG's
 *   (`conv1_1`, `conv1_2`, `pool1`, `conv2_1`, …) so style and content layers read as in the paper.
 * - `featureExtractor`: the convolutional trunk of any such model (this classifier, trained or with its
 *   random initial weights, or the conv encoder of an autoencoder) as a function of the image that
 *   returns the activations of named layers. It applies the layers' weights with tf ops, so it works at
 *   any image size, not only the size the model was built for.
 * The input range matters: on uncentred [0, 1] pixels the Gram matrices of ReLU features are dominated by
 * the mean brightness (textures synthesised that way are coloured noise), which is why VGG subtracts the
 * mean pixel and why this classifier, trained or random, takes [-1, 1].
 */
import * as tf from "@tensorflow/tfjs";
import { ImageShape, PixelScale } from "../data/dataset";
import { seededInit } from "./layers";

export interface FeatureNetConfig {
  /** Input shape of the classifier (training size); the extractor accepts any size. */
  imageShape: ImageShape;
  numClasses: number;
  /** Channels of the 3×3 convolutions, one array per block, e.g. [[16, 16], [32, 32], [64, 64]]. */
  blocks: number[][];
  /** Dropout before the logits during training (0 = none). */
  dropout?: number;
  seed: number;
}

/** conv blocks (3×3, ReLU, `same`) each followed by 2×2 average pooling → global average pool `features` → logits. Input in [-1, 1]. */
export function buildFeatureNet(cfg: FeatureNetConfig): tf.LayersModel {
  if (cfg.blocks.length === 0 || cfg.blocks.some((b) => b.length === 0)) {
    throw new Error(`buildFeatureNet: blocks must be non-empty arrays of channel counts, got ${JSON.stringify(cfg.blocks)}.`);
  }
  const scale = 2 ** cfg.blocks.length;
  if (cfg.imageShape[0] % scale !== 0 || cfg.imageShape[1] % scale !== 0) {
    throw new Error(`buildFeatureNet: ${cfg.blocks.length} poolings need image sides divisible by ${scale}, got ${cfg.imageShape[0]}×${cfg.imageShape[1]}.`);
  }
  let k = 0;
  const input = tf.input({ shape: cfg.imageShape, name: "fn_input" });
  let x: tf.SymbolicTensor = input;
  // [h, w, 3] → [h, w, blocks[0]] → pool → [h/2, w/2, blocks[1]] → … → [h/2^B, w/2^B, last]
  cfg.blocks.forEach((block, i) => {
    block.forEach((filters, j) => {
      x = tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: seededInit(cfg.seed, k++), name: `conv${i + 1}_${j + 1}` }).apply(x) as tf.SymbolicTensor;
    });
    x = tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: "features" }).apply(x) as tf.SymbolicTensor;
  if (cfg.dropout) x = tf.layers.dropout({ rate: cfg.dropout, seed: cfg.seed * 1000 + k++, name: "fn_dropout" }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: cfg.numClasses, kernelInitializer: seededInit(cfg.seed, k++), name: "logits" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: "feature_net" });
}

/** Names of the convolution layers of a model, in order (the layers an extractor can tap). */
export function convLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name);
}

type Op =
  | { kind: "conv"; name: string; kernel: tf.Tensor4D; bias?: tf.Tensor1D; strides: number; padding: "same" | "valid" }
  | { kind: "act"; fn: (x: tf.Tensor4D) => tf.Tensor4D }
  | { kind: "pool"; type: "avg" | "max"; size: number; strides: number; padding: "same" | "valid" };

/** Activations of named layers for a batch of images in [0, 1]: each [n, h, w, c] at that layer's resolution. */
export interface FeatureExtractor {
  /** A label for figures and tables. */
  name: string;
  /** Every layer that can be tapped, in order. */
  layers: string[];
  /** Activations (after the layer's nonlinearity) of `layers`, in the order asked; differentiable in `x`. */
  extract(x: tf.Tensor4D, layers: string[]): tf.Tensor4D[];
  /** Frees the copied weights. */
  dispose(): void;
}

function activationOp(name: string, alpha = 0.2): Op | undefined {
  if (name === "relu") return { kind: "act", fn: (x) => tf.relu(x) };
  if (name === "leakyrelu") return { kind: "act", fn: (x) => tf.leakyRelu(x, alpha) };
  if (name === "linear") return undefined;
  throw new Error(`featureExtractor: activation "${name}" is not supported (relu, leakyRelu or linear).`);
}

/**
 * Average pooling with `valid` padding as a convolution whose kernel is 1/size² on each channel's diagonal:
 * the same numbers, but its gradient runs on the engine's convolution kernels (the cpu backend's
 * AvgPoolGrad was the slowest op of a style-transfer step, ~0.2 s at 128×128). Kernels are cached by shape.
 */
function pool(x: tf.Tensor4D, op: Extract<Op, { kind: "pool" }>, kernels: Map<string, tf.Tensor4D>): tf.Tensor4D {
  if (op.type === "max") return tf.maxPool(x, op.size, op.strides, op.padding);
  if (op.padding !== "valid") return tf.avgPool(x, op.size, op.strides, op.padding);
  const c = x.shape[3];
  const key = `${op.size}x${c}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = tf.keep(tf.tidy(() => tf.eye(c).div(op.size * op.size).reshape([1, 1, c, c]).tile([op.size, op.size, 1, 1]) as tf.Tensor4D));
    kernels.set(key, kernel);
  }
  return tf.conv2d(x, kernel, op.strides, "valid");
}

/**
 * The convolutional trunk of `model` as a {@link FeatureExtractor}: walks its layers from the input,
 * copying Conv2D weights and mirroring ReLU / LeakyReLU / pooling layers, up to the first layer that
 * is not part of a trunk (Flatten, global pooling, Dense). The model can be disposed afterwards.
 * Throws, naming the layer, on anything else (e.g. batch normalisation), rather than silently skipping it.
 * `inputScale` is the range the model was trained on (`symmetric`: [-1, 1]); `extract` always takes [0, 1].
 */
export function featureExtractor(model: tf.LayersModel, options: { name?: string; inputScale?: PixelScale } = {}): FeatureExtractor {
  const { name = model.name, inputScale = "unit" } = options;
  const ops: Op[] = [];
  const stops = new Set(["Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Dense", "Dropout"]);
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    if (cls === "InputLayer") continue;
    if (stops.has(cls)) break;
    if (cls === "Conv2D") {
      const [kernel, bias] = layer.getWeights();
      const strides = Array.isArray(cfg.strides) ? (cfg.strides as number[]) : [cfg.strides as number, cfg.strides as number];
      if (strides[0] !== strides[1] || (cfg.dilationRate !== undefined && [cfg.dilationRate].flat().some((d) => d !== 1))) {
        throw new Error(`featureExtractor: layer ${layer.name} has unequal strides or dilation, which the extractor does not mirror.`);
      }
      ops.push({ kind: "conv", name: layer.name, kernel: tf.keep(kernel.clone()) as tf.Tensor4D, bias: bias ? (tf.keep(bias.clone()) as tf.Tensor1D) : undefined, strides: strides[0], padding: cfg.padding as "same" | "valid" });
      const act = activationOp(String(cfg.activation).toLowerCase());
      if (act) ops.push(act);
    } else if (cls === "ReLU") ops.push({ kind: "act", fn: (x) => tf.relu(x) });
    else if (cls === "LeakyReLU") ops.push(activationOp("leakyrelu", cfg.alpha as number)!);
    else if (cls === "AveragePooling2D" || cls === "MaxPooling2D") {
      const size = [cfg.poolSize].flat()[0] as number;
      const strides = ([cfg.strides].flat()[0] as number | null) ?? size;
      ops.push({ kind: "pool", type: cls === "AveragePooling2D" ? "avg" : "max", size, strides, padding: cfg.padding as "same" | "valid" });
    } else {
      throw new Error(`featureExtractor: layer ${layer.name} (${cls}) of ${model.name} is not supported; a trunk holds Conv2D, ReLU, LeakyReLU and pooling layers.`);
    }
  }
  const convs = ops.filter((o): o is Extract<Op, { kind: "conv" }> => o.kind === "conv");
  if (convs.length === 0) throw new Error(`featureExtractor: ${model.name} has no Conv2D layer before its head.`);
  const layers = convs.map((o) => o.name);
  const poolKernels = new Map<string, tf.Tensor4D>();
  return {
    name,
    layers,
    extract(x, wanted) {
      const unknown = wanted.filter((w) => !layers.includes(w));
      if (unknown.length) throw new Error(`${name}: no layer ${unknown.join(", ")}; its layers are ${layers.join(", ")}.`);
      const found = new Map<string, tf.Tensor4D>();
      const last = Math.max(...wanted.map((w) => layers.indexOf(w)));
      // Pixels come in [0, 1]; a network trained on [-1, 1] sees 2x − 1.
      let h: tf.Tensor4D = inputScale === "symmetric" ? tf.sub(tf.mul(x, 2), 1) : x;
      let pending: string | undefined;
      let convIndex = -1;
      for (let i = 0; i < ops.length && convIndex <= last; i++) {
        const op = ops[i];
        if (op.kind === "conv") {
          convIndex++;
          if (convIndex > last) break;
          h = tf.conv2d(h, op.kernel, op.strides, op.padding);
          if (op.bias) h = tf.add(h, op.bias);
          pending = op.name;
        } else if (op.kind === "act") h = op.fn(h);
        else h = pool(h, op, poolKernels);
        // A conv's tap is its output after the activation that follows it, if any.
        if (pending && ops[i + 1]?.kind !== "act") {
          found.set(pending, h);
          pending = undefined;
        }
      }
      return wanted.map((w) => found.get(w)!);
    },
    dispose() {
      for (const c of convs) tf.dispose([c.kernel, ...(c.bias ? [c.bias] : [])]);
      tf.dispose([...poolKernels.values()]);
      poolKernels.clear();
    },
  };
}
