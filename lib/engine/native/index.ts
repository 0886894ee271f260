/**
 * The "native" TensorFlow.js backend: tfjs-backend-cpu with its heavy kernels replaced by
 * the vaegan_native addon (C++). See README.md in this folder.
 */
import * as os from "os";
import * as tf from "@tensorflow/tfjs-core";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { loadAddon, type NativeAddon } from "./addon";
import { escape, release, retain } from "./buffer-pool";
import { convKernels, forgetColumns } from "./kernels/conv";
import { copyKernels } from "./kernels/copy";
import { installLeanGradients, setLeanGradients } from "./kernels/gradients";
import { elementwiseKernels } from "./kernels/elementwise";
import { layoutKernels } from "./kernels/layout";
import { matmulKernels } from "./kernels/matmul";
import { fusedAdamEnabled, installFusedAdam, setFusedAdam } from "./kernels/optimizer";
import { reduceKernels } from "./kernels/reduce";
import { topKKernels } from "./kernels/topk";
import type { KernelArgs, KernelTable } from "./kernels/util";

export { setFusedAdam, fusedAdamEnabled, setLeanGradients };

/** The tfjs backend name. */
export const NATIVE_BACKEND = "native";
/** Environment override for the thread count of the addon's pool. */
export const THREADS_ENV = "VAE_GAN_NATIVE_THREADS";

/** What the engine runs with, for logs. */
export interface NativeInfo {
  /** Threads of the addon's pool (matrix products of >= 64 MFLOP, im2col, col2im, elementwise). */
  threads: number;
  /** Instruction set of the matrix products (sgemm): "avx512", "avx2" or "scalar" (same bits on each). */
  gemm: string;
  /** Kernels run natively; every other kernel is tfjs-backend-cpu's. */
  kernels: string[];
  fusedAdam: boolean;
}

/**
 * tfjs-backend-cpu plus the bookkeeping that lets kernel outputs reuse disposed tensors' buffers
 * (./buffer-pool.ts): every array the backend stores is counted, every array it hands out is
 * marked, every disposal is reported.
 */
class NativeBackend extends MathBackendCPU {
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    retain(values);
    return super.write(values, shape, dtype);
  }
  override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    const previous = this.data.get(dataId)?.values;
    retain(values);
    super.move(dataId, values, shape, dtype, refCount);
    if (previous) release(previous);
    forgetColumns(dataId);  // new values under an old id: its kept im2col columns are stale
  }
  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    escape(values);
    return values;
  }
  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && !this.data.has(dataId)) {
      if (values) release(values);
      forgetColumns(dataId);
    }
    return released;
  }
}

let addon: NativeAddon | undefined;
let nativeKernels: string[] = [];
const stats = new Map<string, { native: number; fallback: number }>();

/** Per-kernel call counts since the last reset: how often native code ran vs the cpu fallback. */
export function nativeKernelStats(reset = false): Record<string, { native: number; fallback: number }> {
  const out = Object.fromEntries([...stats.entries()].map(([k, v]) => [k, { ...v }]));
  if (reset) for (const v of stats.values()) { v.native = 0; v.fallback = 0; }
  return out;
}

/** The positive integer a VAE_GAN_NATIVE_THREADS value names, else undefined (unset, blank or not a count). */
export function threadsOverride(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && text.trim() !== "" && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The engine's thread count: `override` (VAE_GAN_NATIVE_THREADS) when it names one, else min(2, cores). On
 * the 2-vCPU reference machine, with a second thread only for products of >= 64 MFLOP, two threads beat one
 * for M1-M3 in the same-period runs (PyTorch's default also
 * keeps both cores busy: its autograd thread). On a machine whose other core is busy, VAE_GAN_NATIVE_THREADS=1
 * is safer.
 */
export function nativeThreads(override: string | undefined, cores: number): number {
  return threadsOverride(override) ?? Math.max(1, Math.min(2, cores));
}

/** Sets the addon's pool's thread count (default: VAE_GAN_NATIVE_THREADS, else min(2, cores)). */
export function setNativeThreads(n: number): void {
  loadAddon().setThreads(Math.max(1, Math.floor(n)));
}

function kernelTable(a: NativeAddon): KernelTable {
  return { ...matmulKernels(a), ...convKernels(a), ...elementwiseKernels(a), ...reduceKernels(a), ...layoutKernels(a), ...copyKernels(a), ...topKKernels(a) };
}

/**
 * Registers the "native" backend (idempotent) and returns its name. Throws with the reason
 * when the addon is not built or cannot load.
 */
export function registerNativeBackend(): string {
  if (tf.getKernel("BatchMatMul", NATIVE_BACKEND) && tf.findBackendFactory(NATIVE_BACKEND)) return NATIVE_BACKEND;
  const a = loadAddon();
  addon = a;
  const threads = nativeThreads(process.env[THREADS_ENV], os.availableParallelism());
  a.setThreads(threads);
  // Priority 0: registering never changes tfjs's default backend; callers pick "native" explicitly.
  if (!tf.findBackendFactory(NATIVE_BACKEND)) tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
  const table = kernelTable(a);
  nativeKernels = [];
  stats.clear();
  for (const k of tf.getKernelsForBackend("cpu")) {
    // After tf.removeBackend("native") the kernels are still registered; replace them quietly.
    if (tf.getKernel(k.kernelName, NATIVE_BACKEND)) tf.unregisterKernel(k.kernelName, NATIVE_BACKEND);
    const impl = table[k.kernelName];
    if (!impl) {
      tf.registerKernel({ ...k, backendName: NATIVE_BACKEND });
      continue;
    }
    nativeKernels.push(k.kernelName);
    const cpu = k.kernelFunc;
    const count = { native: 0, fallback: 0 };
    stats.set(k.kernelName, count);
    tf.registerKernel({
      ...k,
      backendName: NATIVE_BACKEND,
      // null from a native kernel means "not this variant": the inherited cpu kernel runs.
      kernelFunc: (args) => {
        const r = impl(args as unknown as KernelArgs);
        if (r) { count.native++; return r; }
        count.fallback++;
        return cpu(args);
      },
    });
  }
  installFusedAdam(a, NATIVE_BACKEND);
  installLeanGradients(a, NATIVE_BACKEND);
  return NATIVE_BACKEND;
}

/** Threads, matrix-product level and kernel coverage of the native engine (loads the addon; throws if it cannot). */
export function nativeInfo(): NativeInfo {
  const a = addon ?? loadAddon();
  const i = a.info();
  return {
    threads: i.threads, gemm: i.gemm,
    kernels: [...nativeKernels].sort(), fusedAdam: fusedAdamEnabled(),
  };
}
