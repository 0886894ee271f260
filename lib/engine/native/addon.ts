/** Loads the compiled addon and describes its functions. */
import * as fs from "fs";
import * as path from "path";

/** Functions exported by src/addon.cc (see the comments there for argument order). */
export interface NativeAddon {
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number,
    transA: boolean, transB: boolean, aIdx: Int32Array, bIdx: Int32Array): void;
  biasAct(out: Float32Array, rows: number, cols: number, bias: Float32Array | null, act: number, alpha: number,
    prelu: Float32Array | null): void;
  /** With `columns`, also leaves the batch's im2col there when it fits one tile; returns whether it did. */
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, shape: Int32Array, columns?: Float32Array | null): boolean;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, shape: Int32Array): void;
  /** `columns`: x's im2col from conv2d (then x is not read), or null. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, shape: Int32Array, columns?: Float32Array | null): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array | Uint8Array, shape: Int32Array,
    aStrides: Int32Array, bStrides: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  eluGrad(dy: Float32Array, y: Float32Array, out: Float32Array): void;
  leakyReluGrad(dy: Float32Array, x: Float32Array, out: Float32Array, alpha: number): void;
  tanhGrad(dy: Float32Array, y: Float32Array, out: Float32Array): void;
  /** x, dy, dx: [rows, C]; mean, scale, r = rsqrt(variance + eps), mhrc = r³·(−0.5) and the four sums: [C]. */
  batchNormGrad(x: Float32Array, dy: Float32Array, mean: Float32Array, scale: Float32Array, r: Float32Array, mhrc: Float32Array,
    dx: Float32Array, dMean: Float32Array, dVariance: Float32Array, dScale: Float32Array, dOffset: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): void;
  addN(xs: Float32Array[], out: Float32Array): void;
  select(cond: Uint8Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  adam(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, pOut: Float32Array, mOut: Float32Array,
    vOut: Float32Array, lr: number, b1: number, oneMinusB1: number,
    b2: number, oneMinusB2: number, eps: number, oneMinusAccB1: number, oneMinusAccB2: number): void;
  tile(x: Float32Array, out: Float32Array, shape: Int32Array, reps: Int32Array): void;
  /** dst[dOff + Σ i·dStrides] = src[sOff + Σ i·srcStrides] over `shape`; src and dst share an element size (4, or 1 for bool). */
  copyBlock(src: Float32Array | Int32Array | Uint8Array, dst: Float32Array | Int32Array | Uint8Array, shape: Int32Array,
    srcStrides: Int32Array, srcOffset: number, dstStrides: Int32Array, dstOffset: number): void;
  /** Concatenation as rows: each output row is the inputs' rows (inners[k] elements each) side by side, `outer` rows. */
  concatRows(srcs: Array<Float32Array | Int32Array | Uint8Array>, inners: Int32Array, outer: number, dst: Float32Array | Int32Array | Uint8Array): void;
  /** The k largest of each row, sorted as tfjs sorts them; false (nothing written) when x has a NaN or infinity. */
  topK(x: Float32Array, rows: number, n: number, k: number, values: Float32Array, indices: Int32Array): boolean;
  batchNorm(x: Float32Array, out: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array | null,
    offset: Float32Array | null, eps: number): void;
  setThreads(n: number): void;
  info(): { threads: number; gemm: string; hardwareThreads: number };
}

/** Where `npm run build:native` puts the addon. */
export const ADDON_PATH = path.join(__dirname, "build", "Release", "vaegan_native.node");

let cached: NativeAddon | undefined;

/** The addon, or an Error saying why it cannot load. */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const rel = path.relative(process.cwd(), ADDON_PATH) || ADDON_PATH;
  if (!fs.existsSync(ADDON_PATH)) {
    throw new Error(`addon not built: ${rel} missing; run npm run build:native (needs g++ and make)`);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cached = require(ADDON_PATH) as NativeAddon;
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new Error(`addon ${rel} failed to load (${msg}); rebuild with npm run build:native`);
  }
  return cached;
}
