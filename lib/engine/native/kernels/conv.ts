/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter as im2col/col2im + sgemm.
 * NHWC and dilation 1 only; NCHW, dilations > 1 and non-float32 fall back to the cpu kernels.
 *
 * While a gradient is recorded, Conv2D keeps the im2col columns of its input, and the filter
 * gradient of that same input (tfjs saves it under the same dataId) multiplies them instead of
 * building them again: the same product on the same values, ~4% of a conditional-GAN step. They
 * are dropped when the filter gradient used them or the input is disposed, and beyond 64 MB.
 */
import { backend_util, type DataId } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon";
import { release, retain } from "../buffer-pool";
import { planEpilogue, runEpilogue } from "./matmul";
import { alloc, f32, output, recordingGradient, sizeOf, type KernelArgs, type KernelTable } from "./util";

type ConvInfo = backend_util.Conv2DInfo;

/** Conv geometry for inputs of shape xShape and filters of shape filterShape, or null to fall back. */
function convInfo(args: KernelArgs, xShape: number[], filterShape: number[]): ConvInfo | null {
  const a = args.attrs ?? {};
  const dataFormat = (a.dataFormat as string | undefined) ?? "NHWC";
  if (dataFormat !== "NHWC" || xShape.length !== 4 || filterShape.length !== 4) return null;
  const dilations = (a.dilations ?? 1) as number | [number, number];
  if (Array.isArray(dilations) ? dilations.some((d) => d !== 1) : dilations !== 1) return null;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides as number | [number, number], dilations, a.pad as Parameters<typeof backend_util.computeConv2DInfo>[4],
    a.dimRoundingMode as Parameters<typeof backend_util.computeConv2DInfo>[5], false, "channelsLast");
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? info : null;
}

/** The Int32Array geometry read by src/addon.cc: [N,H,W,C,KH,KW,OC,OH,OW,SH,SW,PT,PL]. */
function geometry(c: ConvInfo): Int32Array {
  return Int32Array.from([c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth,
    c.outChannels, c.outHeight, c.outWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left]);
}

/** Columns kept by Conv2D for the filter gradient, by input dataId (oldest first). */
const columns = new Map<DataId, { geometry: string; values: Float32Array }>();
const MAX_KEPT_ELEMENTS = 16 << 20;  // 64 MB
let keptElements = 0;

/** Drops the columns kept for `dataId` (its tensor data is gone, or they were used); their buffer goes back to the pool. */
export function forgetColumns(dataId: DataId): void {
  const e = columns.get(dataId);
  if (!e) return;
  columns.delete(dataId);
  keptElements -= e.values.length;
  release(e.values);
}

/** Kept column matrices and their floats (tests and diagnostics). */
export function keptColumns(): { entries: number; elements: number } {
  return { entries: columns.size, elements: keptElements };
}

function keepColumns(dataId: DataId, geometry: string, values: Float32Array): void {
  forgetColumns(dataId);
  columns.set(dataId, { geometry, values });
  keptElements += values.length;
  for (const oldest of columns.keys()) {
    if (keptElements <= MAX_KEPT_ELEMENTS) break;
    forgetColumns(oldest);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function convKernels(addon: NativeAddon): KernelTable {
  const forward = (args: KernelArgs, fused: boolean) => {
    const { x, filter } = args.inputs;
    const xv = f32(args.backend, x), wv = f32(args.backend, filter);
    if (!x || !filter || !xv || !wv) return null;
    const c = convInfo(args, x.shape, filter.shape);
    if (!c) return null;
    const shape = c.outShape;
    const e = fused ? planEpilogue(args, shape) : null;
    if (fused && !e) return null;
    const y = alloc(sizeOf(shape));
    const g = geometry(c);
    const colLength = c.batchSize * c.outHeight * c.outWidth * c.filterHeight * c.filterWidth * c.inChannels;
    if (y.length > 0 && recordingGradient() && colLength > 0 && colLength <= MAX_KEPT_ELEMENTS) {
      const col = alloc(colLength);
      retain(col);
      if (addon.conv2d(xv, wv, y, g, col)) keepColumns(x.dataId, g.join(), col);
      else release(col);
    } else if (y.length > 0) {
      addon.conv2d(xv, wv, y, g);
    }
    if (e) runEpilogue(addon, e, y, shape);
    return output(args.backend, shape, y);
  };
  return {
    Conv2D: (args) => forward(args, false),
    FusedConv2D: (args) => forward(args, true),
    Conv2DBackpropInput: (args) => {
      const { dy, filter } = args.inputs;
      const dyv = f32(args.backend, dy), wv = f32(args.backend, filter);
      const inShape = args.attrs?.inputShape as number[] | undefined;
      if (!dy || !filter || !dyv || !wv || !inShape) return null;
      const c = convInfo(args, inShape, filter.shape);
      if (!c || !sameShape(c.outShape, dy.shape)) return null;
      const dx = alloc(sizeOf(inShape));
      if (dx.length > 0 && dyv.length > 0) addon.conv2dBackpropInput(dyv, wv, dx, geometry(c));
      else dx.fill(0);
      return output(args.backend, [...inShape], dx);
    },
    Conv2DBackpropFilter: (args) => {
      const { x, dy } = args.inputs;
      const xv = f32(args.backend, x), dyv = f32(args.backend, dy);
      const filterShape = args.attrs?.filterShape as number[] | undefined;
      if (!x || !dy || !xv || !dyv || !filterShape) return null;
      const c = convInfo(args, x.shape, filterShape);
      if (!c || !sameShape(c.outShape, dy.shape)) return null;
      const dw = alloc(sizeOf(filterShape));
      const g = geometry(c);
      const kept = columns.get(x.dataId);
      const col = kept && kept.geometry === g.join() ? kept.values : null;
      if (dw.length > 0 && dyv.length > 0) addon.conv2dBackpropFilter(xv, dyv, dw, g, col);
      else dw.fill(0);
      if (col) forgetColumns(x.dataId);
      return output(args.backend, [...filterShape], dw);
    },
  };
}
