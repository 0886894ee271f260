/**
 * Seeded randomness for everything that is not a tfjs op (shuffles, splits, subsets).
 * sfc32 seeded through splitmix32: fast, 128-bit state, the same stream on every machine.
 */

/** A seeded uniform generator on [0, 1). */
export type Rng = () => number;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Returns a generator whose stream depends only on `seed` (an integer). */
export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`Seed must be an integer, got ${seed}.`);
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = init();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** Derives an independent seed for a named sub-stream (e.g. `deriveSeed(seed, "split")`). */
export function deriveSeed(seed: number, label: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return splitmix32(h)();
}

/** A permutation of 0..n-1 (Fisher–Yates) determined by `seed`. */
export function permutation(n: number, seed: number): Uint32Array {
  const rng = makeRng(seed);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
