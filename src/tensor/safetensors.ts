// safetensors checkpoint I/O: tensors + string metadata in the format PyTorch/Hugging Face load, written atomically.
// Reference: huggingface/safetensors README "Format" and safetensors/src/tensor.rs (validation, header padding).
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { dtypeBytes, dtypeCode, type DType } from './dtype.js';
import { callTensor } from './op.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';
import { tensor } from './creation.js';

/** safetensors dtype names and the tensor dtypes they map to. */
export const SAFETENSORS_DTYPES = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
} as const satisfies Record<string, DType>;
export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;
const NAME_OF = new Map<DType, SafetensorsDType>(
  Object.entries(SAFETENSORS_DTYPES).map(([name, dtype]) => [dtype, name as SafetensorsDType]),
);
/** The reference implementation refuses headers above 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export type TensorDict = Map<string, Tensor> | Record<string, Tensor>;
export interface SafetensorsContent {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** A malformed or unreadable safetensors file; `source` is the file (or '<buffer>'). */
export class SafetensorsError extends Error {
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'SafetensorsError';
  }
}

function checkLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: only little-endian hosts are supported');
}

/** The raw little-endian bytes of a tensor, row-major (a copy). */
function tensorBytes(t: Tensor): Uint8Array {
  return tidy(() => {
    const flat = t.detach().to('cpu').contiguous().reshape([-1]); // (numel,)
    const bytes = t.dtype === 'uint8' ? flat : callTensor('aten::view.dtype', [flat, dtypeCode('uint8')]); // (numel * size,)
    return bytes.dataSync() as Uint8Array;
  });
}

function entriesOf(tensors: TensorDict): [string, Tensor][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (tensors === null || typeof tensors !== 'object') throw new TypeError('serializeSafetensors: tensors must be a Map or a plain object of Tensors');
  return Object.entries(tensors);
}

function checkEntry(name: string, t: unknown): DType {
  if (typeof name !== 'string' || name.length === 0 || name === METADATA_KEY) {
    throw new TypeError(`serializeSafetensors: invalid tensor name '${String(name)}'`);
  }
  if (!(t instanceof Tensor)) throw new TypeError(`serializeSafetensors: '${name}' is not a Tensor`);
  if (t.isDisposed) throw new Error(`serializeSafetensors: tensor '${name}' was disposed`);
  const dtype = t.dtype;
  if (!NAME_OF.has(dtype)) throw new TypeError(`serializeSafetensors: tensor '${name}' has dtype ${dtype}, which safetensors cannot store`);
  return dtype;
}

function checkMetadata(metadata: Record<string, string>): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new TypeError(`serializeSafetensors: metadata '${key}' must be a string, got ${typeof value}`);
  }
}

interface Planned { name: string; t: Tensor; byteLength: number }

/** Validates the tensors and lays them out: the length-prefixed, space-padded header and each tensor's slot. */
function plan(tensors: TensorDict, metadata: Record<string, string>): { head: Buffer; slots: Planned[] } {
  checkLittleEndian();
  checkMetadata(metadata);
  const entries = entriesOf(tensors).map(([name, t]) => ({ name, t, dtype: checkEntry(name, t) }));
  // Larger dtypes first, then by name (as the reference does), so every tensor's data stays aligned.
  entries.sort((a, b) => dtypeBytes(b.dtype) - dtypeBytes(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  const slots: Planned[] = [];
  let offset = 0;
  for (const { name, t, dtype } of entries) {
    const byteLength = t.numel * dtypeBytes(dtype);
    header[name] = { dtype: NAME_OF.get(dtype), shape: t.shape, data_offsets: [offset, offset + byteLength] };
    slots.push({ name, t, byteLength });
    offset += byteLength;
  }
  const text = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(text.length + ((8 - (text.length % 8)) % 8), 0x20); // spaces
  text.copy(padded);
  const head = Buffer.alloc(8 + padded.length);
  head.writeBigUInt64LE(BigInt(padded.length));
  padded.copy(head, 8);
  return { head, slots };
}

/** Each tensor's bytes in file order, one tensor at a time (peak memory: one tensor). */
function* slotBytes(slots: Planned[]): Generator<Uint8Array> {
  for (const { name, t, byteLength } of slots) {
    const bytes = tensorBytes(t);
    if (bytes.length !== byteLength) throw new Error(`serializeSafetensors: tensor '${name}' gave ${bytes.length} bytes, expected ${byteLength}`);
    yield bytes;
  }
}

/** The bytes of a safetensors file holding `tensors` and string `metadata`. */
export function serializeSafetensors(tensors: TensorDict, metadata: Record<string, string> = {}): Buffer {
  const { head, slots } = plan(tensors, metadata);
  return Buffer.concat([head, ...slotBytes(slots)]);
}

interface EntryInfo { name: string; dtype: DType; shape: number[]; begin: number; end: number }

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The header length from the first 8 bytes, checked against the file length. */
function headerLength(first8: Uint8Array, fileLength: number, source: string): number {
  if (fileLength < 8) throw new SafetensorsError(source, `file is ${fileLength} bytes, too short for the 8-byte header length`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES) || 8n + n > BigInt(fileLength)) {
    throw new SafetensorsError(source, `bad header length ${n} for a file of ${fileLength} bytes`);
  }
  return Number(n);
}

/** Metadata and tensor entries from the JSON header bytes. */
function decodeHeader(bytes: Uint8Array, source: string): { metadata: Record<string, string>; entries: EntryInfo[] } {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new SafetensorsError(source, `header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(source, 'header must be a JSON object');
  }
  const fields = header as Record<string, unknown>;
  const metadata = readMetadata(fields[METADATA_KEY], source);
  const entries = Object.entries(fields).filter(([name]) => name !== METADATA_KEY).map(([name, v]) => readEntry(name, v, source));
  return { metadata, entries };
}

function readMetadata(value: unknown, source: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new SafetensorsError(source, '__metadata__ must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SafetensorsError(source, `__metadata__ '${key}' must be a string`);
  }
  return { ...(value as Record<string, string>) };
}

function readEntry(name: string, value: unknown, source: string): EntryInfo {
  const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (info === null || typeof info !== 'object') throw new SafetensorsError(source, `tensor '${name}': entry must be an object`);
  if (typeof info.dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPES, info.dtype)) {
    throw new SafetensorsError(source, `tensor '${name}': unknown dtype '${String(info.dtype)}' (known: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`);
  }
  const dtype = SAFETENSORS_DTYPES[info.dtype as SafetensorsDType];
  const shape = info.shape;
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
    throw new SafetensorsError(source, `tensor '${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const offsets = info.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt) || offsets[1] < offsets[0]) {
    throw new SafetensorsError(source, `tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  return { name, dtype, shape, begin: offsets[0], end: offsets[1] };
}

/** Checks offsets are contiguous, in range, cover the data section and match each shape's byte count. */
function checkLayout(entries: EntryInfo[], dataLength: number, source: string): void {
  let expected = 0;
  for (const e of [...entries].sort((a, b) => a.begin - b.begin)) {
    if (e.begin !== expected || e.end > dataLength) {
      throw new SafetensorsError(source, `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] out of range ` +
        `(expected to start at ${expected}, data section is ${dataLength} bytes)`);
    }
    const bytes = e.shape.reduce((a, b) => a * b, 1) * dtypeBytes(e.dtype);
    if (bytes !== e.end - e.begin) {
      throw new SafetensorsError(source, `tensor '${e.name}': shape [${e.shape}] of ${e.dtype} needs ${bytes} bytes but data_offsets span ${e.end - e.begin}`);
    }
    expected = e.end;
  }
  if (expected !== dataLength) throw new SafetensorsError(source, `data section is ${dataLength} bytes but tensors cover ${expected}`);
}

/** A tensor of `dtype` and `shape` from its raw little-endian bytes (copied). */
function tensorFromBytes(bytes: Uint8Array, dtype: DType, shape: number[]): Tensor {
  return tidy(() => {
    const raw = tensor(bytes, [bytes.length], { dtype: 'uint8' }); // (bytes,)
    if (dtype === 'bool') return raw.ne(0).reshape(shape); // any nonzero byte is true
    const typed = dtype === 'uint8' ? raw : callTensor('aten::view.dtype', [raw, dtypeCode(dtype)]); // (numel,)
    return typed.reshape(shape);
  });
}

/** Tensors and metadata from the bytes of a safetensors file; `source` names the file in errors. */
export function parseSafetensors(buf: Uint8Array, source = '<buffer>'): SafetensorsContent {
  checkLittleEndian();
  const n = headerLength(buf.subarray(0, 8), buf.length, source);
  const { metadata, entries } = decodeHeader(buf.subarray(8, 8 + n), source);
  const dataStart = 8 + n;
  checkLayout(entries, buf.length - dataStart, source);
  return tidy(() => {
    const tensors = new Map<string, Tensor>();
    for (const e of entries) tensors.set(e.name, tensorFromBytes(buf.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, e.shape));
    return { tensors, metadata };
  });
}

/** The temp files writeChunksAtomic makes, `.<name>.<pid>.<8 hex>.tmp` (group 1: the writer's pid), for cleanup after a kill. */
export const ATOMIC_TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Writes chunks to path through a temp file in the same folder + fsync + rename: readers never see half a file. */
function writeChunksAtomic(path: string, chunks: Iterable<Uint8Array>): void {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      for (const bytes of chunks) {
        for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new Error(`cannot write ${target}: ${(err as Error).message}`, { cause: err });
  }
  syncDirectory(dirname(target));
}

/** Writes bytes to path atomically (temp file + fsync + rename), e.g. for JSON sidecars of checkpoints. */
export function writeFileAtomicSync(path: string, bytes: Uint8Array): void {
  writeChunksAtomic(path, [bytes]);
}

/** Makes the rename durable; some file systems refuse to fsync a directory, which is harmless here. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Saves tensors (+ string metadata) to a .safetensors file atomically: an existing file is replaced whole or not
 * at all, and bad input throws before anything is written. Streams one tensor at a time (no whole-file buffer).
 */
export function saveSafetensors(path: string, tensors: TensorDict, metadata: Record<string, string> = {}): void {
  const { head, slots } = plan(tensors, metadata);
  writeChunksAtomic(path, (function* () {
    yield head;
    yield* slotBytes(slots);
  })());
}

/** Reads exactly `length` bytes at `position` of an open file. */
function readExactly(fd: number, length: number, position: number, source: string): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let done = 0; done < length;) {
    const got = readSync(fd, out, done, length - done, position + done);
    if (got === 0) throw new SafetensorsError(source, `file ended early at byte ${position + done}`);
    done += got;
  }
  return out;
}

/**
 * Loads every tensor and the metadata of a .safetensors file; errors name the file. Reads the header, validates
 * the whole layout against the file size, then reads one tensor at a time (no whole-file buffer).
 */
export function loadSafetensors(path: string): SafetensorsContent {
  checkLittleEndian();
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new SafetensorsError(path, `cannot read file (${(err as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    const n = headerLength(size < 8 ? Buffer.alloc(8) : readExactly(fd, 8, 0, path), size, path);
    const { metadata, entries } = decodeHeader(readExactly(fd, n, 8, path), path);
    checkLayout(entries, size - 8 - n, path);
    return tidy(() => {
      const tensors = new Map<string, Tensor>();
      for (const e of entries) tensors.set(e.name, tensorFromBytes(readExactly(fd, e.end - e.begin, 8 + n + e.begin, path), e.dtype, e.shape));
      return { tensors, metadata };
    });
  } finally {
    closeSync(fd);
  }
}
