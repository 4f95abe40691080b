// Writers for embeddings and predictions: NumPy .npy (format 1.0, little-endian float32, written by hand) and JSON
// lines. Reference: numpy/lib/format.py (magic, version, header dict padded to 64 bytes, raw C-order data).
import { mkdirSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, resolve } from 'node:path';
import { writeFileAtomicSync, tidy, type Tensor } from '../../tensor/index.js';
import { checkOutputPath } from './output_path.js';

export { checkOutputPath, outputFormat } from './output_path.js';

/** The bytes of a float32 .npy file holding `data` with `shape` (C order). */
export function npyBytes(data: Float32Array, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npyBytes: shape [${shape}] holds ${count} values but ${data.length} were given`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1; // magic (6) + version (2) + header length (2) + dict + '\n'
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = Buffer.alloc(10 + header.length + data.byteLength);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1; // format version 1.0
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  if (endianness() === 'LE') {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 10 + header.length);
  } else {
    for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], 10 + header.length + 4 * i);
  }
  return out;
}

/** Writes bytes to `path` atomically after checking it, creating missing parent folders. */
function writeOutput(path: string, bytes: Uint8Array): void {
  checkOutputPath(path);
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileAtomicSync(path, bytes);
}

/** Writes a tensor as a float32 .npy file (atomically). */
export function writeNpy(path: string, t: Tensor): void {
  const data = tidy(() => t.to('float32').contiguous().dataSync() as Float32Array); // a copy, C order
  writeOutput(path, npyBytes(data, t.shape));
}

/** Writes one JSON object per line (atomically). */
export function writeJsonLines(path: string, rows: Iterable<unknown>): void {
  const lines: string[] = [];
  for (const row of rows) lines.push(JSON.stringify(row));
  writeOutput(path, Buffer.from(lines.length ? `${lines.join('\n')}\n` : '', 'utf8'));
}

/** Writes one JSON document (atomically), e.g. the row names beside a .npy file. */
export function writeJson(path: string, value: unknown): void {
  writeOutput(path, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'));
}
