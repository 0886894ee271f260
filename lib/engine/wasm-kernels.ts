/**
 * Training kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks, composed from kernels it has.
 *
 * The only one the project's models need is `Conv2DBackpropFilter` (the gradient of a convolution,
 * or of a transposed convolution, with respect to its filter): without it every conv layer fails
 * to train on wasm. Everything else a training step uses (conv2d/conv2dTranspose forward and input
 * gradients, batch norm, LeakyReLU/ReLU/sigmoid/tanh gradients, Adam) is already registered.
 */
import * as tf from "@tensorflow/tfjs";

type Backend = tf.KernelBackend & { disposeData(dataId: tf.DataId, force?: boolean): boolean };
type Attrs = tf.NamedAttrMap;

/** Calls another wasm kernel the way the backend's own kernels do: directly, outside the engine. */
function run(backend: Backend, kernel: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: object = {}): tf.TensorInfo {
  const { kernelFunc } = tf.getKernel(kernel, "wasm");
  const out = kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as Attrs });
  return Array.isArray(out) ? out[0]! : out;
}

/**
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPadded[b, oh·sh + kh, ow·sw + kw, ci] · dy[b, oh, ow, co].
 *
 * Read with ci as the batch, b as the channels and (oh, ow) as the filter taps, that sum is itself a
 * stride-1 convolution of x^T [CI, H, W, B] by dy^T [OH, OW, B, CO], dilated by the forward strides:
 * its output [CI, KH', KW', CO] (KH' ≥ KH when "valid" left rows unused) holds dW after a slice and a
 * transpose. So the work lands in the wasm Conv2D (XNNPACK, ~13 GFLOP/s here) instead of per-tap
 * strided slices (the wasm StridedSlice copies element by element: ~30 ms per 200k values) feeding a
 * matMul with transposeA (about 20× slower than without on the wasm BatchMatMul).
 */
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter on wasm: only NHWC is supported");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast",
  );
  const { inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temps.push(t), t);
  try {
    const xT = keep(run(backend, tf.Transpose, { x }, { perm: [3, 1, 2, 0] }));
    const dyT = keep(run(backend, tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }));
    let dw = keep(run(backend, tf.Conv2D, { x: xT, filter: dyT }, {
      strides: 1,
      dilations: [strideHeight, strideWidth],
      pad: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]],
      dataFormat: "NHWC",
    }));
    if (dw.shape[1] !== filterHeight || dw.shape[2] !== filterWidth) {
      dw = keep(run(backend, tf.Slice, { x: dw }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] }));
    }
    return run(backend, tf.Transpose, { x: dw }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Kernels this module adds to the wasm backend (exported for tests and logs). */
export const WASM_TRAINING_KERNELS: readonly string[] = [tf.Conv2DBackpropFilter];

/** Registers the missing training kernels for the `wasm` backend; safe to call more than once. */
export function registerWasmTrainingKernels(): void {
  const present = new Set(tf.getKernelsForBackend("wasm").map((k) => k.kernelName));
  if (!present.has(tf.Conv2DBackpropFilter)) {
    tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: "wasm", kernelFunc: conv2DBackpropFilter as tf.KernelFunc });
  }
}
