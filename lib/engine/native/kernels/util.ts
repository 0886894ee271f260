/** Shared plumbing for the native kernel overrides. */
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { engine, type DataType, type NamedAttrMap, type TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon";
import { takeBuffer } from "../buffer-pool";

export interface KernelArgs {
  inputs: { [name: string]: TensorInfo | undefined };
  backend: MathBackendCPU;
  attrs?: NamedAttrMap;
}

/** A native kernel; returning null hands the call to the inherited cpu kernel. */
export type NativeImpl = (args: KernelArgs) => TensorInfo | TensorInfo[] | null;

/** Kernel name → implementation, built from the addon. */
export type KernelTable = Record<string, NativeImpl>;
export type KernelFactory = (addon: NativeAddon) => KernelTable;

/** The float32 buffer behind t, or null when t is not a plain float32 tensor (then fall back). */
export function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== "float32") return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A float32 output buffer. Large ones come uninitialised, often a disposed tensor's buffer
 * (../buffer-pool.ts), which is safe because every native kernel writes all of its output.
 */
export { takeBuffer as alloc };

/** Registers a freshly written buffer as the kernel output (never an input's buffer). */
export function output(backend: MathBackendCPU, shape: number[], values: Float32Array | Int32Array | Uint8Array, dtype: DataType = "float32"): TensorInfo {
  return backend.makeTensorInfo(shape, dtype, values);
}

/** Contiguous strides of `shape` right-aligned to `rank`, 0 on axes of size 1 (broadcast). */
export function broadcastStrides(shape: readonly number[], rank: number): Int32Array {
  const s = new Int32Array(rank);
  let stride = 1;
  for (let i = shape.length - 1, j = rank - 1; i >= 0; i--, j--) {
    s[j] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return s;
}

/** True while tfjs records a gradient (inside tf.grad, variableGrads or minimize). */
export function recordingGradient(): boolean {
  return (engine().state as { gradientDepth: number }).gradientDepth > 0;
}
