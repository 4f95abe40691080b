// safetensors I/O: round trips for every dtype, metadata, atomic writes, corrupt-file errors, and interchange
// with PyTorch both ways (fixture written by scripts/safetensors_io.py; TS-written file checked by Python if present).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { liveTensors, loadSafetensors, parseSafetensors, randn, saveSafetensors, serializeSafetensors, tensor, tidy, zeros, SafetensorsError, type DType, type Tensor } from '../../src/tensor/index.js';
import { assertClose, FIXTURES, readFixture, type EncodedTensor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One tensor of every storable dtype, with edge values (extremes, negative zero, 0-d, empty). */
function everyDtype(): Record<string, Tensor> {
  return {
    f32: tensor([[1.5, -2.25, 3e-38], [0, -0, 7]]),
    f64: tensor([1 / 3, -1e300, 5e-324], { dtype: 'float64' }),
    f16: tensor([1.5, -2, 65504, 0.1], { dtype: 'float16' }),
    bf16: tensor([1.5, -3.14159, 1e30], { dtype: 'bfloat16' }),
    i64: tensor(BigInt64Array.from([2n ** 40n + 1n, -(2n ** 50n), -1n]), [3]),
    i32: tensor(Int32Array.from([2 ** 31 - 1, -(2 ** 31)]), [2]),
    i16: tensor(Int16Array.from([-32768, 32767]), [2]),
    i8: tensor(Int8Array.from([-128, 127]), [2]),
    u8: tensor(Uint8Array.from([0, 255, 7]), [3]),
    bool: tensor([[true, false], [false, true]]),
    scalar: tensor(2.5),
    empty: zeros([0, 4]),
  };
}

function assertSameTensor(a: Tensor, b: Tensor, label: string): void {
  assert.equal(a.dtype, b.dtype, `${label}: dtype`);
  assert.deepEqual(a.shape, b.shape, `${label}: shape`);
  assert.deepEqual(a.dataSync(), b.dataSync(), `${label}: values`);
}

const tempFiles = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.tmp'));

test('round trip of every dtype, 0-d and empty tensors, with metadata, through bytes and through a file', () => {
  const before = liveTensors();
  tidy(() => {
    const original = everyDtype();
    const metadata = { format: 'pt', step: '42', unicode: 'ünï ✓' };
    const parsed = parseSafetensors(serializeSafetensors(original, metadata));
    assert.deepEqual(parsed.metadata, metadata);
    assert.deepEqual([...parsed.tensors.keys()].sort(), Object.keys(original).sort());
    for (const [name, t] of Object.entries(original)) assertSameTensor(parsed.tensors.get(name)!, t, name);
    const path = join(dir, 'all.safetensors');
    saveSafetensors(path, new Map(Object.entries(original)), metadata);
    const loaded = loadSafetensors(path);
    for (const [name, t] of Object.entries(original)) assertSameTensor(loaded.tensors.get(name)!, t, `file ${name}`);
    assert.deepEqual(loaded.metadata, metadata);
    assert.equal(Object.is(loaded.tensors.get('f32')!.toFlatArray()[4], -0), true, 'negative zero kept');
  });
  assert.equal(liveTensors(), before, 'no tensors leaked');
});

test('non-contiguous, channels-last and requires-grad tensors are stored in logical row-major order', () => tidy(() => {
  const x = randn([2, 3, 4, 5]);
  const w = randn([3, 4]).requiresGrad_(true);
  const back = parseSafetensors(serializeSafetensors({ t: x.transpose(1, 3), cl: x.contiguous('channelsLast'), w })).tensors;
  assertSameTensor(back.get('t')!, x.transpose(1, 3).contiguous(), 'transposed');
  assertSameTensor(back.get('cl')!, x, 'channels-last');
  assertSameTensor(back.get('w')!, w.detach(), 'requires grad');
  assert.equal(back.get('w')!.requiresGrad, false);
}));

test('layout: header padded with spaces to 8 bytes, contiguous aligned offsets, larger dtypes first', () => tidy(() => {
  const bytes = serializeSafetensors(everyDtype(), { a: 'b' });
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  const text = bytes.subarray(8, 8 + n).toString('utf8');
  assert.match(text, /^\{"__metadata__":\{"a":"b"\}/);
  assert.match(text, /\}\s*$/);
  const header = JSON.parse(text) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__').sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let expected = 0;
  const size: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1 };
  for (const [name, e] of entries) {
    assert.equal(e.data_offsets[0], expected, `${name} starts where the previous ended`);
    assert.equal(e.data_offsets[0] % size[e.dtype], 0, `${name} aligned`);
    expected = e.data_offsets[1];
  }
  assert.equal(8 + n + expected, bytes.length);
}));

test('atomic save: replaces a file whole, leaves no temp file, and keeps the old file when serialization throws', () => {
  const folder = join(dir, 'atomic');
  mkdirSync(folder);
  const path = join(folder, 'ckpt.safetensors');
  tidy(() => {
    saveSafetensors(path, { a: tensor([1, 2]) }, { version: '1' });
    saveSafetensors(path, { a: tensor([3, 4, 5]) }, { version: '2' });
    assert.deepEqual(readdirSync(folder), ['ckpt.safetensors'], 'no temp file left');
    const good = readFileSync(path);
    assert.equal(loadSafetensors(path).metadata.version, '2');
    const disposed = tensor([9]);
    disposed.dispose();
    assert.throws(() => saveSafetensors(path, { a: tensor([1]), b: disposed }), /tensor 'b' was disposed/);
    assert.throws(() => saveSafetensors(path, { a: tensor([1]) }, { step: 3 as never }), /metadata 'step' must be a string/);
    assert.throws(() => saveSafetensors(path, { __metadata__: tensor([1]) }), /invalid tensor name '__metadata__'/);
    assert.throws(() => saveSafetensors(path, { a: 'not a tensor' as never }), /'a' is not a Tensor/);
    assert.deepEqual(readFileSync(path), good, 'old file intact');
    assert.deepEqual(readdirSync(folder), ['ckpt.safetensors']);
  });
});

test('a failed write names the path and removes its temp file', () => tidy(() => {
  const folder = join(dir, 'blocked');
  mkdirSync(join(folder, 'target.safetensors'), { recursive: true }); // a folder where the file should go: rename fails
  assert.throws(() => saveSafetensors(join(folder, 'target.safetensors'), { a: tensor([1]) }), /cannot write .*target\.safetensors/);
  assert.deepEqual(tempFiles(folder), []);
  assert.throws(() => saveSafetensors(join(dir, 'no', 'such', 'dir', 'x.safetensors'), { a: tensor([1]) }), /cannot write .*x\.safetensors/);
}));

/** Writes a file whose header is `header` (padded) followed by `data`, returns its path. */
function craft(name: string, header: unknown, data = Buffer.alloc(0)): string {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([length, text, data]));
  return path;
}

test('corrupt files give SafetensorsError naming the file and the fault', () => {
  const before = liveTensors();
  const f32 = (shape: number[], offsets: [number, number]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const cases: [string, string, RegExp][] = [
    ['short', (writeFileSync(join(dir, 'short.safetensors'), Buffer.from([1, 2, 3])), join(dir, 'short.safetensors')), /too short for the 8-byte header length/],
    ['long header', (() => { const p = join(dir, 'long.safetensors'); const b = Buffer.alloc(16); b.writeBigUInt64LE(1000n); writeFileSync(p, b); return p; })(), /bad header length 1000 for a file of 16 bytes/],
    ['huge header', (() => { const p = join(dir, 'huge.safetensors'); const b = Buffer.alloc(16); b.writeBigUInt64LE(2n ** 63n); writeFileSync(p, b); return p; })(), /bad header length/],
    ['not json', craft('notjson.safetensors', '{"a": '), /header is not valid UTF-8 JSON/],
    ['array header', craft('array.safetensors', '[1,2]'), /header must be a JSON object/],
    ['unknown dtype', craft('dtype.safetensors', { a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)), /tensor 'a': unknown dtype 'F8_E4M3'/],
    ['offsets past end', craft('range.safetensors', { a: f32([2], [0, 8]) }, Buffer.alloc(4)), /tensor 'a': data_offsets \[0, 8\] out of range/],
    ['overlap', craft('overlap.safetensors', { a: f32([2], [0, 8]), b: f32([1], [4, 8]) }, Buffer.alloc(8)), /data_offsets \[4, 8\] out of range \(expected to start at 8/],
    ['gap', craft('gap.safetensors', { a: f32([1], [4, 8]) }, Buffer.alloc(8)), /expected to start at 0/],
    ['byte count', craft('count.safetensors', { a: f32([3], [0, 8]) }, Buffer.alloc(8)), /shape \[3\] of float32 needs 12 bytes but data_offsets span 8/],
    ['trailing bytes', craft('trailing.safetensors', { a: f32([1], [0, 4]) }, Buffer.alloc(12)), /data section is 12 bytes but tensors cover 4/],
    ['bad shape', craft('shape.safetensors', { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /shape must be a list of non-negative integers/],
    ['bad offsets', craft('offsets.safetensors', { a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, Buffer.alloc(4)), /data_offsets must be \[begin, end\]/],
    ['metadata', craft('meta.safetensors', { __metadata__: { step: 3 } }), /__metadata__ 'step' must be a string/],
  ];
  for (const [label, path, message] of cases) {
    assert.throws(() => loadSafetensors(path), (err: Error) => {
      assert.ok(err instanceof SafetensorsError, `${label}: ${err.constructor.name}`);
      assert.ok(err.message.startsWith(`${path}: `), `${label}: message names the file: ${err.message}`);
      assert.match(err.message, message, label);
      return true;
    }, label);
  }
  assert.throws(() => loadSafetensors(join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read file/);
  assert.throws(() => parseSafetensors(Buffer.from([1, 2, 3])), /^SafetensorsError: <buffer>: file is 3 bytes, too short/);
  assert.throws(() => parseSafetensors(readFileSync(craft('p.safetensors', { a: { dtype: 'X' } })), 'upload.bin'), /^SafetensorsError: upload\.bin: tensor 'a': unknown dtype 'X'/);
  assert.equal(liveTensors(), before);
});

test('bool tensors load as 0/1 even if a writer stored other nonzero bytes', () => tidy(() => {
  const path = craft('bool.safetensors', { b: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, Buffer.from([0, 2, 1]));
  assert.deepEqual(loadSafetensors(path).tensors.get('b')!.toArray(), [false, true, true]);
}));

interface TorchFixture { tensors: Record<string, EncodedTensor>; metadata: Record<string, string> }
const torchFixture = readFixture<TorchFixture>('torch_written.json');
const torchFile = join(FIXTURES, 'torch_written.safetensors');

test('a PyTorch-written file loads with exact values, dtypes, shapes and metadata', () => tidy(() => {
  const { tensors, metadata } = loadSafetensors(torchFile);
  assert.deepEqual(metadata, torchFixture.metadata);
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(torchFixture.tensors).sort());
  for (const [name, expected] of Object.entries(torchFixture.tensors)) {
    const t = tensors.get(name)!;
    assert.equal(t.dtype, expected.dtype as DType, name);
    assertClose(t, expected, name, 0, 0);
  }
}));

test('re-serializing the PyTorch file in TypeScript reproduces it byte for byte', () => tidy(() => {
  const original = readFileSync(torchFile);
  const { tensors, metadata } = parseSafetensors(original, torchFile);
  assert.deepEqual(serializeSafetensors(tensors, metadata), original);
}));

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)']).status === 0;
const noTorch = hasTorch ? false : `${PYTHON} with torch is not available to read the TypeScript-written files`;

test('PyTorch reads TypeScript-written files with exact values (scripts/check_safetensors_roundtrip.py)', { skip: noTorch }, () => tidy(() => {
  // 1. the PyTorch fixture, loaded and saved again by TypeScript
  const fromTorch = loadSafetensors(torchFile);
  const resaved = join(dir, 'resaved.safetensors');
  saveSafetensors(resaved, fromTorch.tensors, fromTorch.metadata);
  // 2. tensors made in TypeScript, with expected values written from TypeScript
  const mine = everyDtype();
  const expected = {
    metadata: { made: 'typescript' },
    tensors: Object.fromEntries(Object.entries(mine).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype, data: t.toFlatArray() }])),
  };
  const file = join(dir, 'from_ts.safetensors');
  saveSafetensors(file, mine, expected.metadata);
  writeFileSync(join(dir, 'from_ts.json'), JSON.stringify(expected));
  // 3. a deliberately wrong expectation: the checker must fail it
  expected.tensors.f32.data[0] = 99;
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify(expected));
  const pairs = [resaved, join(FIXTURES, 'torch_written.json'), file, join(dir, 'from_ts.json'), file, join(dir, 'wrong.json')];
  const r = spawnSync(PYTHON, [join(REPO, 'scripts', 'check_safetensors_roundtrip.py'), ...pairs], { encoding: 'utf8' });
  assert.match(r.stdout, new RegExp(`^OK ${resaved}: 13 tensors match$`, 'm'), r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^OK ${file}: 12 tensors match$`, 'm'), r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL .*from_ts\.safetensors: f32: values differ/m, 'the checker catches a wrong value');
  assert.equal(r.stdout.match(/^FAIL/gm)?.length, 1, r.stdout);
  assert.equal(r.status, 1);
}));
