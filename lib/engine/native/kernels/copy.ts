/**
 * Slice, StridedSlice, SplitV, PadV2 and Transpose as strided block copies, Concat as rows (src/copy.cc).
 * The cpu backend runs most of them with per-element index arithmetic in JS; a channel-axis
 * SplitV (the gradient of the conditional GAN's label concatenation) cost ~0.3 s per step.
 * float32, int32 and bool tensors of rank ≤ 8; anything else falls back to the cpu kernels.
 * Every output is a fresh buffer (the cpu Slice returns a view for contiguous slices; a copy keeps
 * the fused Adam's in-place moment update from ever showing through an alias).
 */
import { backend_util, slice_util, util, type DataType, type TensorInfo } from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "../addon";
import { alloc, output, sizeOf, type KernelArgs, type KernelTable } from "./util";

type Elements = Float32Array | Int32Array | Uint8Array;

const MAX_RANK = 8;

/** The buffer behind t when its dtype is one the copy kernel moves (4-byte float32/int32, 1-byte bool). */
function elements(backend: MathBackendCPU, t: TensorInfo | undefined): Elements | null {
  if (!t || t.shape.length > MAX_RANK) return null;
  const v = backend.data.get(t.dataId).values;
  if (t.dtype === "float32" && v instanceof Float32Array) return v;
  if (t.dtype === "int32" && v instanceof Int32Array) return v;
  if (t.dtype === "bool" && v instanceof Uint8Array) return v;
  return null;
}

function allocLike(dtype: DataType, n: number): Elements {
  if (dtype === "float32") return alloc(n);
  return dtype === "int32" ? new Int32Array(n) : new Uint8Array(n);
}

/** Row-major strides in elements, one per axis (the last is 1). */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

const i32 = (a: readonly number[]): Int32Array => Int32Array.from(a);

export function copyKernels(addon: NativeAddon): KernelTable {
  /** Copies the `shape` block of src starting at flat offset srcOffset (with srcStrides) into dst. */
  const copy = (src: Elements, dst: Elements, shape: readonly number[], srcStrides: readonly number[], srcOffset: number,
    dstStrides: readonly number[], dstOffset: number): void => {
    if (sizeOf(shape) > 0) addon.copyBlock(src, dst, i32(shape), i32(srcStrides), srcOffset, i32(dstStrides), dstOffset);
  };
  /** A contiguous tensor of `shape` holding the block of x at `begin` with per-axis steps `step`. */
  const sliceOut = (backend: MathBackendCPU, x: TensorInfo, xv: Elements, begin: readonly number[], shape: number[],
    step?: readonly number[], outShape: number[] = shape): TensorInfo => {
    const xs = strides(x.shape);
    const out = allocLike(x.dtype, sizeOf(shape));
    const offset = begin.reduce((s, b, i) => s + b * xs[i], 0);
    copy(xv, out, shape, xs.map((s, i) => s * (step?.[i] ?? 1)), offset, strides(shape), 0);
    return output(backend, outShape, out, x.dtype);
  };

  return {
    Slice: (args) => {
      const x = args.inputs.x;
      const xv = elements(args.backend, x);
      if (!x || !xv) return null;
      const [begin, size] = slice_util.parseSliceParams(x, args.attrs?.begin as number | number[], args.attrs?.size as number | number[]);
      slice_util.assertParamsValid(x, begin, size);
      return sliceOut(args.backend, x, xv, begin, size);
    },
    StridedSlice: (args) => {
      const x = args.inputs.x;
      const xv = elements(args.backend, x);
      if (!x || !xv || x.shape.length === 0) return null;
      const a = args.attrs ?? {};
      const info = slice_util.sliceInfo(x.shape, a.begin as number[], a.end as number[], a.strides as number[],
        a.beginMask as number, a.endMask as number, a.ellipsisMask as number, a.newAxisMask as number, a.shrinkAxisMask as number);
      // The dense (processing) shape has one entry per axis of x; shrunk axes have size 1 and new
      // axes size 1 too, so its elements come in the final shape's order.
      const shape = info.begin.map((b, i) => Math.max(0, Math.ceil((info.end[i] - b) / info.strides[i])));
      if (sizeOf(shape) !== sizeOf(info.finalShape)) return null;
      return sliceOut(args.backend, x, xv, info.begin, shape, info.strides, info.finalShape);
    },
    SplitV: (args) => {
      const x = args.inputs.x;
      const xv = elements(args.backend, x);
      if (!x || !xv) return null;
      const axis = util.parseAxisParam(args.attrs?.axis as number, x.shape)[0];
      const sizes = backend_util.prepareSplitSize(x as never, args.attrs?.numOrSizeSplits as number | number[], axis);
      const begin = new Array<number>(x.shape.length).fill(0);
      return sizes.map((s) => {
        const shape = x.shape.slice();
        shape[axis] = s;
        const piece = sliceOut(args.backend, x, xv, begin, shape);
        begin[axis] += s;
        return piece;
      });
    },
    Concat: (args) => {
      const all = Object.keys(args.inputs).map((k) => args.inputs[k]!);
      const first = all[0];
      if (!first || all.some((t) => t.dtype !== first.dtype)) return null;
      const axis = util.parseAxisParam(args.attrs?.axis as number, first.shape)[0];
      const shapes = all.map((t) => t.shape);
      backend_util.assertParamsConsistent(shapes, axis);
      const outShape = backend_util.computeOutShape(shapes, axis);
      const parts = all.filter((t) => sizeOf(t.shape) > 0);
      const vals = parts.map((t) => elements(args.backend, t));
      if (vals.some((v) => !v) || outShape.length > MAX_RANK) return null;
      const out = allocLike(first.dtype, sizeOf(outShape));
      if (out.length > 0) {
        const outer = sizeOf(outShape.slice(0, axis));
        addon.concatRows(vals as Elements[], Int32Array.from(parts, (t) => sizeOf(t.shape.slice(axis))), outer, out);
      }
      return output(args.backend, outShape, out, first.dtype);
    },
    PadV2: (args) => {
      const x = args.inputs.x;
      const xv = elements(args.backend, x);
      const paddings = args.attrs?.paddings as Array<[number, number]> | undefined;
      if (!x || !xv || !paddings || paddings.length !== x.shape.length || paddings.some((p) => p[0] < 0 || p[1] < 0)) return null;
      const outShape = paddings.map((p, i) => p[0] + x.shape[i] + p[1]);
      const out = allocLike(x.dtype, sizeOf(outShape));
      const fill = Number(args.attrs?.constantValue ?? 0);
      // The border needs the constant (the buffer comes uninitialised); x then overwrites the interior.
      if (out.length > sizeOf(x.shape)) out.fill(fill);
      const os = strides(outShape);
      copy(xv, out, x.shape, strides(x.shape), 0, os, paddings.reduce((s, p, i) => s + p[0] * os[i], 0));
      return output(args.backend, outShape, out, x.dtype);
    },
    Transpose: (args) => {
      const x = args.inputs.x;
      const xv = elements(args.backend, x);
      const perm = args.attrs?.perm as number[] | undefined;
      if (!x || !xv || !perm || perm.length !== x.shape.length) return null;
      const shape = perm.map((p) => x.shape[p]);
      const xs = strides(x.shape);
      const out = allocLike(x.dtype, sizeOf(shape));
      copy(xv, out, shape, perm.map((p) => xs[p]), 0, strides(shape), 0);
      return output(args.backend, shape, out, x.dtype);
    },
  };
}
