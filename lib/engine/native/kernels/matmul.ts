/** BatchMatMul and _FusedMatMul on the addon's sgemm, with a native bias/activation epilogue. */
import { backend_util, type TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon";
import { alloc, f32, output, sizeOf, type KernelArgs, type KernelTable } from "./util";

/** tfjs fused activation name → bias_act code in src/gemm.cc. */
export const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, prelu: 4, leakyrelu: 5, sigmoid: 6 };

/**
 * A bias/prelu operand the epilogue can apply: a scalar, or a tensor whose shape (right-aligned,
 * leading 1s) equals the trailing axes of the output, so it repeats with period = its size
 * (per column, per matrix, full). Undefined when it needs general broadcasting (fall back).
 */
export function epilogueOperand(args: KernelArgs, t: TensorInfo | undefined, outShape: number[]): Float32Array | null | undefined {
  if (!t) return null;
  const v = f32(args.backend, t);
  if (!v || t.shape.length > outShape.length) return undefined;
  if (v.length === 1) return v;
  const shape = t.shape.slice();
  while (shape.length > 1 && shape[0] === 1) shape.shift();  // drop leading 1s
  const tail = outShape.slice(outShape.length - shape.length);
  return shape.every((d, i) => d === tail[i]) ? v : undefined;
}

/** Bias + activation of a fused kernel, applied in place by {@link runEpilogue}. */
export interface Epilogue { bias: Float32Array | null; act: number; alpha: number; prelu: Float32Array | null }

/** The epilogue of a fused kernel, or null when an operand or activation needs the cpu kernel. */
export function planEpilogue(args: KernelArgs, outShape: number[]): Epilogue | null {
  const { bias, preluActivationWeights } = args.inputs;
  const activation = (args.attrs?.activation as string | undefined) ?? "linear";
  const act = ACTIVATIONS[activation];
  if (act === undefined) return null;
  const b = epilogueOperand(args, bias, outShape);
  const p = activation === "prelu" ? epilogueOperand(args, preluActivationWeights, outShape) : null;
  if (b === undefined || p === undefined || (activation === "prelu" && !p)) return null;
  return { bias: b, act, alpha: Number(args.attrs?.leakyreluAlpha ?? 0.2), prelu: p };
}

export function runEpilogue(addon: NativeAddon, e: Epilogue, out: Float32Array, outShape: number[]): void {
  const cols = outShape[outShape.length - 1] ?? 1;
  const rows = cols === 0 ? 0 : out.length / cols;
  if (out.length > 0) addon.biasAct(out, rows, cols, e.bias, e.act, e.alpha, e.prelu);
}

interface PreparedMatMul { shape: number[]; run(): Float32Array }

function prepareMatMul(addon: NativeAddon, args: KernelArgs): PreparedMatMul | null {
  const { a, b } = args.inputs;
  const av = f32(args.backend, a), bv = f32(args.backend, b);
  if (!a || !b || !av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const transA = Boolean(args.attrs?.transposeA), transB = Boolean(args.attrs?.transposeB);
  const ra = a.shape.length, rb = b.shape.length;
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null;  // let the cpu kernel raise its usual error
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = sizeOf(outer);
  // Per output batch, the batch index in a and in b (true broadcasting, not modulo).
  const aIdx = new Int32Array(batch), bIdx = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    let rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = outer.length - 1; d >= 0; d--) {
      const q = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
      const da = outerA[d - (outer.length - outerA.length)], db = outerB[d - (outer.length - outerB.length)];
      if (da !== undefined) { ia += (da === 1 ? 0 : q) * sa; sa *= da; }
      if (db !== undefined) { ib += (db === 1 ? 0 : q) * sb; sb *= db; }
    }
    aIdx[i] = ia;
    bIdx[i] = ib;
  }
  return {
    shape: [...outer, m, n],
    run: () => {
      const out = alloc(batch * m * n);
      if (out.length > 0) addon.matmul(av, bv, out, batch, m, n, k, transA, transB, aIdx, bIdx);
      return out;
    },
  };
}

export function matmulKernels(addon: NativeAddon): KernelTable {
  return {
    BatchMatMul: (args) => {
      const p = prepareMatMul(addon, args);
      return p && output(args.backend, p.shape, p.run());
    },
    _FusedMatMul: (args) => {
      const p = prepareMatMul(addon, args);
      // Plan the epilogue before the product, so a fallback wastes nothing.
      const e = p && planEpilogue(args, p.shape);
      if (!p || !e) return null;
      const out = p.run();
      runEpilogue(addon, e, out, p.shape);
      return output(args.backend, p.shape, out);
    },
  };
}
