// Shared test helpers for the tensor layer: fixture decoding, closeness assertions, live-tensor checks.
// Fixtures come from scripts/make_tensor_fixtures.py (PyTorch 1.13).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveTensors, tensor, type DType, type Tensor } from '../../src/tensor/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tensor');

/** A tensor as stored in the JSON fixtures: shape, dtype and flat row-major values. */
export interface EncodedTensor { shape: number[]; dtype: DType; data: (number | boolean)[] }

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** Builds the tensor exactly (float32 values are exact in double, so the float64 detour loses nothing). */
export function decode(e: EncodedTensor): Tensor {
  if (e.dtype === 'int64') return tensor(BigInt64Array.from(e.data, (v) => BigInt(v as number)), e.shape);
  return tensor(Float64Array.from(e.data, Number), e.shape, { dtype: e.dtype });
}

/** Asserts shape, dtype and values within |a - e| <= atol + rtol * |e| (exact for integer and bool tensors). */
export function assertClose(actual: Tensor, expected: EncodedTensor, label: string, atol = 1e-5, rtol = 1e-5): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  const got = actual.toFlatArray();
  const exact = !['float16', 'float32', 'float64', 'bfloat16'].includes(expected.dtype);
  for (let i = 0; i < got.length; i++) {
    const want = Number(expected.data[i]);
    const ok = exact ? got[i] === want : Math.abs(got[i] - want) <= atol + rtol * Math.abs(want);
    if (!ok) assert.fail(`${label}: element ${i} is ${got[i]}, expected ${want} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Runs fn and asserts it leaves the live-tensor count where it found it. */
export function assertNoLeak(label: string, fn: () => void): void {
  const before = liveTensors();
  fn();
  assert.equal(liveTensors(), before, `${label}: live tensors before ${before}, after ${liveTensors()}`);
}
