/**
 * Reader for the IDX format of LeCun's MNIST (also used by Fashion-MNIST), plain or gzip.
 * Layout: 0x00 0x00, a dtype byte, a rank byte, `rank` big-endian uint32 dimensions, then data.
 */
import * as fs from "fs";
import * as zlib from "zlib";

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its dimensions and values in row-major order. */
export interface IdxArray<T extends IdxData = IdxData> {
  shape: number[];
  /** The element type its dtype byte declares: uint8, int8, int16, int32, float32 or float64. */
  dtype: string;
  data: T;
}

const DTYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: "uint8", bytes: 1 },
  0x09: { name: "int8", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
};

/** An IDX file that is not what it claims to be; the message names the file and the problem. */
export class IdxFormatError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: not a valid IDX file: ${problem}`);
    this.name = "IdxFormatError";
  }
}

function gunzipOrThrow(bytes: Buffer, file: string): Buffer {
  try {
    return zlib.gunzipSync(bytes);
  } catch (err) {
    throw new IdxFormatError(file, `gzip data is corrupt or truncated (${(err as Error).message})`);
  }
}

/** Parses IDX bytes (gzip is detected by its magic number). `file` names the source in errors. */
export function parseIdx(input: Uint8Array, file = "<buffer>"): IdxArray {
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipOrThrow(bytes, file);
  if (bytes.length < 4) throw new IdxFormatError(file, `only ${bytes.length} bytes, shorter than the 4-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = bytes.readUInt32BE(0).toString(16).padStart(8, "0");
    throw new IdxFormatError(file, `bad magic number 0x${magic} (an IDX file starts with two zero bytes, a dtype byte and a rank byte)`);
  }
  const dtype = DTYPES[bytes[2]];
  if (!dtype) throw new IdxFormatError(file, `unknown dtype byte 0x${bytes[2].toString(16)} (expected one of 08, 09, 0b, 0c, 0d, 0e)`);
  const rank = bytes[3];
  if (rank === 0) throw new IdxFormatError(file, "rank 0 (no dimensions)");
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new IdxFormatError(file, `header declares ${rank} dimensions but the file ends after ${bytes.length} bytes`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = bytes.readUInt32BE(4 + 4 * i);
    if (d === 0) throw new IdxFormatError(file, `dimension ${i} is 0`);
    shape.push(d);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * dtype.bytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? "truncated" : "has trailing bytes";
    throw new IdxFormatError(file, `${what}: dimensions ${shape.join("×")} of ${dtype.name} need ${expected} bytes, found ${bytes.length}`);
  }
  return { shape, dtype: dtype.name, data: decode(bytes, headerBytes, count, bytes[2]) };
}

function decode(bytes: Buffer, offset: number, count: number, code: number): IdxData {
  // Copy into a fresh buffer: the result must not alias the (possibly pooled) input buffer.
  const body = bytes.subarray(offset);
  switch (code) {
    case 0x08:
      return new Uint8Array(body);
    case 0x09:
      return new Int8Array(new Uint8Array(body).buffer);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const read = {
    0x0b: { out: new Int16Array(count), get: (i: number) => view.getInt16(2 * i) },
    0x0c: { out: new Int32Array(count), get: (i: number) => view.getInt32(4 * i) },
    0x0d: { out: new Float32Array(count), get: (i: number) => view.getFloat32(4 * i) },
    0x0e: { out: new Float64Array(count), get: (i: number) => view.getFloat64(8 * i) },
  }[code as 0x0b | 0x0c | 0x0d | 0x0e];
  for (let i = 0; i < count; i++) read.out[i] = read.get(i);
  return read.out;
}

/** Reads and parses an IDX file (plain or `.gz`). */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read IDX file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseIdx(bytes, file);
}

/** Encodes a uint8 array as IDX bytes (used to make test fixtures and small data subsets). */
export function encodeIdxUint8(shape: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}
