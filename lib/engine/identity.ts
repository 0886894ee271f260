/**
 * What decides a trained result's bits besides its configuration and code: the active tfjs backend
 * and, for the native engine, its kernels' sources. Not its thread count nor the CPU's instruction
 * set: every native kernel gives the same bits at any count, on AVX-512, AVX2 or neither
 * (tests/native-training.test.ts). Caches key on it (lib/train/run-cache).
 */
import * as tf from "@tensorflow/tfjs";
import { sourceDigest } from "../core/code-digest";
import { PROJECT_ROOT } from "../paths";

export interface EngineIdentity {
  backend: string;
  /** Native engine only: digest of its kernels' sources, C++ and TypeScript (a kernel may round otherwise after a change). */
  kernels?: string;
}

let kernelsDigest: string | undefined;

/** The identity of the engine that computes now (initialises tfjs' default backend if none is set). */
export function engineIdentity(): EngineIdentity {
  const backend = tf.getBackend();
  if (backend !== "native") return { backend };
  kernelsDigest ??= sourceDigest({ root: PROJECT_ROOT, entries: ["lib/engine/native"], skip: /native\/build|\.md$/ }).slice(0, 12);
  return { backend, kernels: kernelsDigest };
}
