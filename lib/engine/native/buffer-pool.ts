/**
 * Reuse of the native backend's output buffers.
 *
 * Every kernel output is a new Float32Array. tfjs frees a tensor by forgetting its buffer; V8
 * collects it later, so a training step writes each output into memory it has not touched for
 * a while, missing the caches on every store (a 2 MB channel split took 330 µs into a fresh
 * buffer and 130 µs into a reused one). Here the backend hands a disposed tensor's buffer to the
 * next output of the same length, last freed first, while it is still in cache.
 *
 * A buffer is reused only when nothing else can see it:
 * - it was allocated here (`takeBuffer`), never by a caller (`tf.tensor(myArray)`);
 * - it never left the backend: `dataSync()`/`data()` return the backend's own array, so a read
 *   marks it as escaped for good (arrays a caller holds never change under them);
 * - every tensor over its memory is gone: views (a cpu kernel may return a subarray of an input)
 *   count as references of the same memory.
 */

/** Buffers below this many elements are left to V8: allocating them is cheap. */
export const POOL_MIN_ELEMENTS = 17;
/** Most memory the pool holds idle; beyond it freed buffers go to the garbage collector. */
const POOL_MAX_BYTES = 256 * 1024 * 1024;

interface Owned { refs: number; escaped: boolean; whole: Float32Array }

const owned = new WeakMap<ArrayBufferLike, Owned>();
const free = new Map<number, Float32Array[]>();
let idleBytes = 0;

/** An uninitialised float32 buffer of n elements: a freed one of that length if there is one. */
export function takeBuffer(n: number): Float32Array {
  if (n < POOL_MIN_ELEMENTS) return new Float32Array(n);
  const reused = free.get(n)?.pop();
  if (reused) {
    idleBytes -= reused.byteLength;
    return reused;
  }
  const whole = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
  owned.set(whole.buffer, { refs: 0, escaped: false, whole });
  return whole;
}

/** A tensor's data now refers to `values` (the buffer itself or a view of it). */
export function retain(values: unknown): void {
  const o = values instanceof Float32Array ? owned.get(values.buffer) : undefined;
  if (o) o.refs++;
}

/** `values` was handed out of the backend (a read): its buffer is never reused. */
export function escape(values: unknown): void {
  const o = ArrayBuffer.isView(values) ? owned.get(values.buffer) : undefined;
  if (o) o.escaped = true;
}

/** A tensor's data over `values` was disposed; the buffer returns to the pool when nothing refers to it. */
export function release(values: unknown): void {
  const o = values instanceof Float32Array ? owned.get(values.buffer) : undefined;
  if (!o || --o.refs > 0 || o.escaped || idleBytes + o.whole.byteLength > POOL_MAX_BYTES) return;
  const list = free.get(o.whole.length);
  if (list) list.push(o.whole);
  else free.set(o.whole.length, [o.whole]);
  idleBytes += o.whole.byteLength;
}

/** Idle buffers and their bytes (tests and diagnostics). */
export function poolStats(): { buffers: number; bytes: number } {
  let buffers = 0;
  for (const list of free.values()) buffers += list.length;
  return { buffers, bytes: idleBytes };
}

/** Drops every idle buffer (for the garbage collector). */
export function drainPool(): void {
  free.clear();
  idleBytes = 0;
}
