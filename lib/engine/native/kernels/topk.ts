/** TopK (sorted, float32) along the last axis: the k-nearest-neighbour step of precision/recall. */
import type { NativeAddon } from "../addon";
import { alloc, f32, output, type KernelTable } from "./util";

export function topKKernels(addon: NativeAddon): KernelTable {
  return {
    TopK: (args) => {
      const x = args.inputs.x;
      const xv = f32(args.backend, x);
      const k = Number(args.attrs?.k);
      // Unsorted output is whatever order tfjs' selection leaves: only the sorted variant is reproducible.
      if (!x || !xv || x.shape.length === 0 || args.attrs?.sorted === false) return null;
      const n = x.shape[x.shape.length - 1];
      if (!Number.isInteger(k) || k < 0 || k > n || n === 0) return null;
      const rows = xv.length / n;
      const values = alloc(rows * k), indices = new Int32Array(rows * k);
      if (values.length > 0 && !addon.topK(xv, rows, n, k, values, indices)) return null;
      const shape = [...x.shape.slice(0, -1), k];
      return [output(args.backend, shape, values), output(args.backend, shape, indices, "int32")];
    },
  };
}
