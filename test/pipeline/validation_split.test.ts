// The validation split: disjoint from the labelled subset, reproducible from the seed, another seed another split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validationIndices, withoutIndices } from '../../src/pipeline/config/validation_split.js';
import { liveTensors } from '../../src/tensor/index.js';

test('validation indices avoid the labelled subset, are sorted, distinct and reproducible', () => {
  const before = liveTensors();
  const labelled = Int32Array.from({ length: 50 }, (_, i) => 2 * i); // the even images below 100
  const a = validationIndices(200, 60, { exclude: labelled, seed: 3 });
  assert.equal(a.length, 60);
  assert.equal(new Set(a).size, 60);
  assert.ok(a.every((i, k) => i >= 0 && i < 200 && (k === 0 || a[k - 1] < i)), 'sorted, in range');
  assert.ok(a.every((i) => i >= 100 || i % 2 === 1), 'no labelled image');
  assert.deepEqual(validationIndices(200, 60, { exclude: labelled, seed: 3 }), a);
  assert.notDeepEqual(validationIndices(200, 60, { exclude: labelled, seed: 4 }), a);
  assert.deepEqual(validationIndices(200, 150, { exclude: labelled, seed: 0 }), withoutIndices(200, labelled));
  assert.equal(validationIndices(10, 0, { seed: 0 }).length, 0);
  assert.throws(() => validationIndices(200, 151, { exclude: labelled, seed: 0 }), /valSplit 151: only 150 training images lie outside the labelled subset/);
  assert.deepEqual(withoutIndices(6, [1, 4]), Int32Array.of(0, 2, 3, 5));
  assert.equal(liveTensors(), before);
});
