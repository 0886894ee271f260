/** Sum, Mean, Max, Min over a contiguous run of axes (float64 accumulators), and AddN. */
import { backend_util, util } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon";
import { alloc, f32, output, sizeOf, type KernelArgs, type KernelTable } from "./util";

const REDUCE: Record<string, number> = { Sum: 0, Mean: 1, Max: 2, Min: 3 };

export function reduceKernels(addon: NativeAddon): KernelTable {
  const table: KernelTable = {};
  for (const [name, op] of Object.entries(REDUCE)) {
    table[name] = (args: KernelArgs) => {
      const x = args.inputs.x;
      const xv = f32(args.backend, x);
      if (!x || !xv || xv.length === 0) return null;
      // Max names its axes reductionIndices; Sum, Mean and Min call them axis.
      const axes = util.parseAxisParam((args.attrs?.reductionIndices ?? args.attrs?.axis) as number | number[], x.shape);
      const sorted = [...new Set(axes)].sort((p, q) => p - q);
      // [outer, reduced, inner] view; non-adjacent axes would need a transpose: leave to cpu.
      if (sorted.length === 0 || sorted[sorted.length - 1] - sorted[0] !== sorted.length - 1) return null;
      const outer = sizeOf(x.shape.slice(0, sorted[0]));
      const reduced = sizeOf(x.shape.slice(sorted[0], sorted[sorted.length - 1] + 1));
      const inner = sizeOf(x.shape.slice(sorted[sorted.length - 1] + 1));
      const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, sorted);
      const out = alloc(outer * inner);
      addon.reduce(op, xv, out, outer, reduced, inner);
      const shape = args.attrs?.keepDims ? backend_util.expandShapeToKeepDim(outShape, sorted) : outShape;
      return output(args.backend, shape, out);
    };
  }
  table.AddN = (args) => {
    const xs = Object.keys(args.inputs).map((k) => args.inputs[k]);
    const vals = xs.map((t) => f32(args.backend, t));
    const first = xs[0];
    if (!first || vals.some((v) => !v || v.length !== vals[0]!.length)) return null;
    const out = alloc(vals[0]!.length);
    if (out.length > 0) addon.addN(vals as Float32Array[], out);
    return output(args.backend, [...first.shape], out);
  };
  return table;
}
