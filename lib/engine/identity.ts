/**
 * What decides a trained result's bits besides its configuration and code: the active tfjs backend
 * and, for the native engine, its kernels' sources and its thread counts (OpenBLAS sums a product
 * split over two threads in another order than on one, so weights differ bitwise). Caches key on it
 * (lib/train/run-cache).
 */
import * as tf from "@tensorflow/tfjs";
import { sourceDigest } from "../core/code-digest";
import { PROJECT_ROOT } from "../paths";

export interface EngineIdentity {
  backend: string;
  /** Native engine only: the addon's pool threads and OpenBLAS threads. */
  threads?: number;
  blasThreads?: number;
  /** Native engine only: digest of its kernels' sources, C++ and TypeScript (a kernel may round otherwise after a change). */
  kernels?: string;
}

let kernelsDigest: string | undefined;

/** The identity of the engine that computes now (initialises tfjs' default backend if none is set). */
export function engineIdentity(): EngineIdentity {
  const backend = tf.getBackend();
  if (backend !== "native") return { backend };
  // Loaded only here: the native module registers kernels and needs the built addon.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { nativeInfo } = require("./native/index") as typeof import("./native/index");
  const info = nativeInfo();
  kernelsDigest ??= sourceDigest({ root: PROJECT_ROOT, entries: ["lib/engine/native"], skip: /native\/build|\.md$/ }).slice(0, 12);
  return { backend, threads: info.threads, blasThreads: info.blasThreads, kernels: kernelsDigest };
}
