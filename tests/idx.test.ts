import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { encodeIdxUint8, parseIdx, readIdx, IdxFormatError } from "../lib/data/idx";
import { tempDir } from "./helpers/fixtures";

const sample = encodeIdxUint8([2, 3, 2], Uint8Array.from({ length: 12 }, (_, i) => i));

test("parses a uint8 IDX file, plain and gzip", () => {
  for (const bytes of [sample, zlib.gzipSync(sample)]) {
    const { shape, data } = parseIdx(bytes);
    assert.deepEqual(shape, [2, 3, 2]);
    assert.ok(data instanceof Uint8Array);
    assert.deepEqual(Array.from(data), Array.from({ length: 12 }, (_, i) => i));
  }
});

test("parses big-endian int32 and float32 bodies", () => {
  const header = Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 2]);
  const body = Buffer.alloc(8);
  body.writeFloatBE(1.5, 0);
  body.writeFloatBE(-2.25, 4);
  assert.deepEqual(Array.from(parseIdx(Buffer.concat([header, body])).data), [1.5, -2.25]);
  const ints = Buffer.concat([Buffer.from([0, 0, 0x0c, 1, 0, 0, 0, 1]), Buffer.from([0xff, 0xff, 0xff, 0xfe])]);
  assert.deepEqual(Array.from(parseIdx(ints).data), [-2]);
});

test("the parsed array does not alias the input", () => {
  const input = Buffer.from(sample);
  const { data } = parseIdx(input);
  input.fill(0);
  assert.equal(data[11], 11);
});

const corrupt: [string, Buffer, RegExp][] = [
  ["too short", Buffer.from([0, 0]), /shorter than the 4-byte header/],
  ["bad magic", Buffer.from([0x12, 0x34, 8, 1, 0, 0, 0, 1, 5]), /bad magic number 0x12340801/],
  ["unknown dtype", Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), /unknown dtype byte 0x7/],
  ["rank 0", Buffer.from([0, 0, 8, 0]), /rank 0/],
  ["header cut", Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]), /declares 3 dimensions/],
  ["zero dimension", Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]), /dimension 0 is 0/],
  ["truncated body", sample.subarray(0, sample.length - 1), /truncated: dimensions 2×3×2 of uint8 need 28 bytes, found 27/],
  ["trailing bytes", Buffer.concat([sample, Buffer.from([1])]), /has trailing bytes/],
  ["corrupt gzip", zlib.gzipSync(sample).subarray(0, 20), /gzip data is corrupt or truncated/],
];
for (const [what, bytes, message] of corrupt) {
  test(`rejects a corrupt file: ${what}`, () => {
    assert.throws(() => parseIdx(bytes, "bad.idx"), (err: unknown) => {
      assert.ok(err instanceof IdxFormatError);
      assert.match((err as Error).message, /^bad\.idx: not a valid IDX file: /);
      assert.match((err as Error).message, message);
      return true;
    });
  });
}

test("readIdx names a missing file", () => {
  const file = path.join(tempDir("idx"), "nope.idx");
  assert.throws(() => readIdx(file), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: cannot read IDX file \\(ENOENT\\)`));
});

test("readIdx reads a file from disk", () => {
  const file = path.join(tempDir("idx"), "ok.idx.gz");
  fs.writeFileSync(file, zlib.gzipSync(sample));
  assert.deepEqual(readIdx(file).shape, [2, 3, 2]);
});
