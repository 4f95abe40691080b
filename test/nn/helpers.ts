// Test helpers for nn/optim: load a committed PyTorch fixture (safetensors) and compare tensors elementwise.
// Fixtures come from scripts/make_nn_fixtures.py and scripts/make_optim_fixtures.py.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { type Tensor, loadSafetensors } from '../../src/tensor/index.js';

export interface Fixture {
  /** The tensor named `key`; throws naming the key when absent. */
  get(key: string): Tensor;
  has(key: string): boolean;
  config: Record<string, unknown>;
  tensors: Map<string, Tensor>;
}

/** Loads test/fixtures/<relative> (tensors kept alive: dispose `tensors` when done). */
export function loadFixture(relative: string): Fixture {
  const path = fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
  const { tensors, metadata } = loadSafetensors(path);
  return {
    tensors,
    config: JSON.parse(metadata.config ?? '{}') as Record<string, unknown>,
    has: (key) => tensors.has(key),
    get(key) {
      const t = tensors.get(key);
      if (!t) throw new Error(`fixture ${relative} has no tensor '${key}'`);
      return t;
    },
  };
}

/** Asserts same shape and |a - b| <= atol + rtol * |b| everywhere; the message names the worst element. */
export function assertClose(actual: Tensor | number[], expected: Tensor | number[], atol: number, what: string, rtol = 0): void {
  if (!Array.isArray(actual) && !Array.isArray(expected)) {
    assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  }
  const a = Array.isArray(actual) ? actual : actual.toFlatArray();
  const b = Array.isArray(expected) ? expected : expected.toFlatArray();
  assert.equal(a.length, b.length, `${what}: element count`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${a[worst]}, expected ${b[worst]} (atol ${atol}, rtol ${rtol})`);
}

/** The largest |a - b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
