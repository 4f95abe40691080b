// Test helpers for the models tests: fixture loading and tolerance checks against PyTorch outputs.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSafetensors, tidy, type Tensor } from '../../src/tensor/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/models/', import.meta.url));

/** Tensors of test/fixtures/models/<name>.safetensors (the caller disposes them). */
export function loadFixture(name: string): Map<string, Tensor> {
  return loadSafetensors(`${FIXTURES}${name}.safetensors`).tensors;
}

/** Asserts |actual - expected| <= atol + rtol * max|expected| elementwise, naming `what` on failure. */
export function assertClose(actual: Tensor, expected: Tensor, what: string, atol = 1e-4, rtol = 0): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const [diff, scale] = tidy(() => [actual.sub(expected).abs().max().item(), expected.abs().max().item()]);
  const limit = atol + rtol * scale;
  assert.ok(diff <= limit, `${what}: max |diff| ${diff.toExponential(3)} > ${limit.toExponential(3)} (max |expected| ${scale.toExponential(3)})`);
}
