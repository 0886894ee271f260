/**
 * Procedural style images: textures computed here from a seed, so the style-transfer notebook needs
 * no artwork whose licence would have to be checked. They are patterns, not paintings; each is
 * described where it is drawn.
 */
import { ImageDataset } from "./dataset";
import { makeRng } from "../random";

export const TEXTURE_KINDS = ["stripes", "checks", "noise"] as const;
export type TextureKind = (typeof TEXTURE_KINDS)[number];

export interface TextureOptions {
  /** Side in pixels (square). */
  size: number;
  seed: number;
}

type Rgb = [number, number, number];

const PALETTES: Record<TextureKind, Rgb[]> = {
  stripes: [[230, 57, 70], [241, 250, 238], [69, 123, 157], [29, 53, 87], [244, 162, 97]],
  checks: [[38, 70, 83], [233, 196, 106], [231, 111, 81], [42, 157, 143]],
  noise: [[12, 36, 97], [50, 110, 180], [250, 230, 160], [200, 80, 40], [90, 20, 30]],
};

/** Linear interpolation through a palette, t in [0, 1]. */
function ramp(palette: Rgb[], t: number): Rgb {
  const u = Math.min(0.9999, Math.max(0, t)) * (palette.length - 1);
  const i = Math.floor(u);
  const f = u - i;
  return [0, 1, 2].map((c) => palette[i][c] * (1 - f) + palette[i + 1][c] * f) as Rgb;
}

/** Value noise on a grid of `cells`×`cells` random values, smoothly interpolated, periodic. */
function valueNoise(size: number, cells: number, rng: () => number): Float32Array {
  const grid = Float32Array.from({ length: cells * cells }, rng);
  const out = new Float32Array(size * size);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const gx = (x / size) * cells, gy = (y / size) * cells;
      const x0 = Math.floor(gx), y0 = Math.floor(gy);
      const fx = smooth(gx - x0), fy = smooth(gy - y0);
      const v = (i: number, j: number) => grid[((j % cells) * cells) + (i % cells)];
      const top = v(x0, y0) * (1 - fx) + v(x0 + 1, y0) * fx;
      const bottom = v(x0, y0 + 1) * (1 - fx) + v(x0 + 1, y0 + 1) * fx;
      out[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * One texture as an RGB image:
 * - `stripes`: diagonal bands of five colours whose widths wander (a sine warp), with thin dark edges;
 * - `checks`: a tartan — horizontal and vertical bands of four colours woven as a twill (alternate threads
 *   show the warp or the weft colour), so it has structure at two scales;
 * - `noise`: fractal value noise (four octaves) folded into veins and coloured through a five-colour ramp,
 *   a marbled look.
 */
export function textureImage(kind: TextureKind, options: TextureOptions): ImageDataset {
  const { size, seed } = options;
  if (!(TEXTURE_KINDS as readonly string[]).includes(kind)) throw new Error(`Unknown texture "${kind}"; valid: ${TEXTURE_KINDS.join(", ")}.`);
  if (!Number.isInteger(size) || size < 8) throw new Error(`textureImage: size must be an integer ≥ 8, got ${size}.`);
  const rng = makeRng(seed);
  const palette = PALETTES[kind];
  const pixels = new Uint8Array(size * size * 3);
  const put = (x: number, y: number, rgb: Rgb) => pixels.set(rgb.map((v) => Math.round(Math.max(0, Math.min(255, v)))), (y * size + x) * 3);
  // Feature sizes scale with the image so a texture looks the same at every resolution.
  const unit = size / 64;
  if (kind === "stripes") {
    const phase = rng() * Math.PI * 2;
    const period = 9 * unit;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const d = (x + y) / period + 0.6 * Math.sin((x - y) / (7 * unit) + phase);
      const band = Math.floor(d);
      const edge = d - band < 0.12 ? 0.35 : 1;
      const c = palette[((band % palette.length) + palette.length) % palette.length];
      put(x, y, c.map((v) => v * edge) as Rgb);
    }
  } else if (kind === "checks") {
    const bands = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * palette.length));
    const warp = bands(8), weft = bands(8);
    const width = 4 * unit;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const i = Math.floor(x / width) % warp.length, j = Math.floor(y / width) % weft.length;
      const thread = Math.floor((x + y) / Math.max(1, unit)) % 2 === 0;
      const [a, b] = [palette[warp[i]], palette[weft[j]]];
      put(x, y, (thread ? a : b).map((v, c) => 0.8 * v + 0.2 * (thread ? b : a)[c]) as Rgb);
    }
  } else {
    const octaves = [4, 8, 16, 32].map((cells, o) => ({ noise: valueNoise(size, cells, rng), weight: 0.5 ** o }));
    const total = octaves.reduce((s, o) => s + o.weight, 0);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const n = octaves.reduce((s, o) => s + o.weight * o.noise[y * size + x], 0) / total;
      // Folding the noise makes veins where it crosses the fold.
      put(x, y, ramp(palette, 0.5 + 0.5 * Math.sin(n * 14)));
    }
  }
  return new ImageDataset({ name: `texture-${kind}`, imageShape: [size, size, 3], images: pixels });
}
