/** Tile and FusedBatchNorm: memory-bound kernels the cpu backend runs with per-element index math. */
import type { NativeAddon } from "../addon";
import { alloc, f32, output, sizeOf, type KernelTable } from "./util";

export function layoutKernels(addon: NativeAddon): KernelTable {
  return {
    Tile: (args) => {
      const x = args.inputs.x;
      const xv = f32(args.backend, x);
      const reps = args.attrs?.reps as number[] | undefined;
      if (!x || !xv || !reps || reps.length !== x.shape.length || x.shape.length === 0 || x.shape.length > 8) return null;
      const shape = x.shape.map((d, i) => d * reps[i]);
      const out = alloc(sizeOf(shape));
      if (out.length > 0) addon.tile(xv, out, Int32Array.from(x.shape), Int32Array.from(reps));
      return output(args.backend, shape, out);
    },
    FusedBatchNorm: (args) => {
      const { x, mean, variance, scale, offset } = args.inputs;
      const xv = f32(args.backend, x), mv = f32(args.backend, mean), vv = f32(args.backend, variance);
      const sv = scale ? f32(args.backend, scale) : null, ov = offset ? f32(args.backend, offset) : null;
      if (!x || !xv || !mv || !vv || (scale && !sv) || (offset && !ov) || xv.length === 0) return null;
      // Parameters cycle over the flat x; natively only when each has length 1 or L with L | size.
      const L = Math.max(mv.length, vv.length, sv?.length ?? 1, ov?.length ?? 1);
      if ([mv, vv, sv, ov].some((p) => p && p.length !== 1 && p.length !== L) || xv.length % L !== 0) return null;
      const out = alloc(xv.length);
      addon.batchNorm(xv, out, mv, vv, sv, ov, Number(args.attrs?.varianceEpsilon ?? 0.001));
      return output(args.backend, [...x.shape], out);
    },
  };
}
