/** Broadcasting binary ops, unary activations, Select and EluGrad on float32 tensors. */
import { backend_util, type TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon";
import { alloc, broadcastStrides, f32, output, sizeOf, type KernelArgs, type KernelTable } from "./util";

/** Kernel name → op code of vg::binary (src/kernels.h); the second field marks bool outputs. */
const BINARY: Record<string, [number, boolean]> = {
  Add: [0, false], Sub: [1, false], Multiply: [2, false], RealDiv: [3, false], Maximum: [4, false],
  Minimum: [5, false], SquaredDifference: [6, false], Prelu: [7, false],
  Greater: [8, true], GreaterEqual: [9, true], Less: [10, true], LessEqual: [11, true], Equal: [12, true], NotEqual: [13, true],
};

/** Kernel name → op code of vg::unary; the attribute read as alpha, if any. */
const UNARY: Record<string, [number, string?]> = {
  Relu: [0], Relu6: [1], Step: [2, "alpha"], Sigmoid: [3], Tanh: [4], Neg: [5], Exp: [6], Log: [7], Abs: [8],
  Sqrt: [9], Rsqrt: [10], Square: [11], LeakyRelu: [12, "alpha"], Elu: [13], Reciprocal: [14], Log1p: [15],
  Softplus: [16], Sign: [17], Expm1: [18],
};

function binaryKernel(addon: NativeAddon, op: number, bool: boolean, names: [string, string]) {
  return (args: KernelArgs): TensorInfo | null => {
    const a = args.inputs[names[0]], b = args.inputs[names[1]];
    const av = f32(args.backend, a), bv = f32(args.backend, b);
    if (!a || !b || !av || !bv) return null;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (shape.length > 8) return null;  // src/elementwise.cc coalesces at most 8 axes
    const n = sizeOf(shape);
    const out = bool ? new Uint8Array(n) : alloc(n);
    if (n > 0) {
      const rank = shape.length;
      addon.binary(op, av, bv, out, Int32Array.from(shape), broadcastStrides(a.shape, rank), broadcastStrides(b.shape, rank));
    }
    return output(args.backend, shape, out, bool ? "bool" : "float32");
  };
}

export function elementwiseKernels(addon: NativeAddon): KernelTable {
  const table: KernelTable = {};
  for (const [name, [op, bool]] of Object.entries(BINARY)) {
    table[name] = binaryKernel(addon, op, bool, name === "Prelu" ? ["x", "alpha"] : ["a", "b"]);
  }
  for (const [name, [op, attr]] of Object.entries(UNARY)) {
    table[name] = (args) => {
      const x = args.inputs.x;
      const xv = f32(args.backend, x);
      if (!x || !xv) return null;
      const out = alloc(xv.length);
      const alpha = attr ? Number(args.attrs?.[attr] ?? 0) : 0;
      if (out.length > 0) addon.unary(op, xv, out, alpha);
      return output(args.backend, [...x.shape], out);
    };
  }
  table.EluGrad = (args) => {
    const { dy, y } = args.inputs;
    const dyv = f32(args.backend, dy), yv = f32(args.backend, y);
    if (!dy || !y || !dyv || !yv || dyv.length !== yv.length) return null;
    const out = alloc(yv.length);
    if (out.length > 0) addon.eluGrad(dyv, yv, out);
    return output(args.backend, [...y.shape], out);
  };
  table.Select = (args) => {
    const { condition, t, e } = args.inputs;
    const tv = f32(args.backend, t), ev = f32(args.backend, e);
    if (!condition || !t || !e || !tv || !ev || condition.dtype !== "bool") return null;
    const cv = args.backend.data.get(condition.dataId).values;
    // Only the same-shape form; rank-1 conditions over rows go to the cpu kernel.
    if (!(cv instanceof Uint8Array) || cv.length !== tv.length || tv.length !== ev.length) return null;
    const out = alloc(tv.length);
    if (out.length > 0) addon.select(cv, tv, ev, out);
    return output(args.backend, [...t.shape], out);
  };
  return table;
}
