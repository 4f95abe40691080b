// Raw-pixel floors: the stratified holdout of the labelled subset, and both floors on a small separable dataset
// (candidates tried on the holdout only, the chosen value refit on every labelled image).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { K_GRID, L2_GRID, pixelFloors, pixelRows, stratifiedHoldout } from '../../src/pipeline/stages/pixel_floors.js';
import { liveTensors } from '../../src/tensor/index.js';

/** n images of 4x4, 1 channel: class c lights row c (value 200) over a noise floor (0..40), from a fixed LCG. */
function toy(n: number, seed: number): InMemoryDataset {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const images = new Uint8Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let p = 0; p < 16; p++) images[i * 16 + p] = Math.floor(next() * 40) + (Math.floor(p / 4) === labels[i] ? 160 : 0);
  }
  return new InMemoryDataset({ name: `toy${seed}`, images, height: 4, width: 4, channels: 1, labels, classNames: ['a', 'b', 'c'] });
}

test('the holdout takes 20% of every class, disjoint from the fitting part, reproducibly', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const labelled = Int32Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 95); // class 2 keeps 9
  const { fit, validation } = stratifiedHoldout(labels, labelled, 0.2, 1);
  const count = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => labels[i] === c).length;
  assert.deepEqual([0, 1, 2].map((c) => count(validation, c)), [12, 6, 2]);
  assert.equal(fit.length + validation.length, 99);
  assert.ok(Array.from(validation).every((i) => !fit.includes(i) && labelled.includes(i)));
  assert.deepEqual(stratifiedHoldout(labels, labelled, 0.2, 1).validation, validation);
  assert.notDeepEqual(stratifiedHoldout(labels, labelled, 0.2, 2).validation, validation);
});

test('pixels become rows in [0, 1]; both floors separate a separable toy set, choosing on the holdout', async () => {
  const before = liveTensors();
  const train = toy(60, 1);
  const rows = pixelRows(train, [0, 1]);
  assert.deepEqual(rows.x.shape, [2, 16]);
  assert.ok(rows.x.toFlatArray().every((v) => v >= 0 && v <= 1));
  assert.deepEqual(rows.y.toFlatArray(), [0, 1]);
  rows.x.dispose();
  rows.y.dispose();
  const labelled = Int32Array.from({ length: 30 }, (_, i) => i);
  const floors = await pixelFloors(train, toy(30, 2), labelled, { seed: 0 });
  assert.equal(floors.labelled_images, 30);
  assert.equal(floors.validation_images, 6);
  assert.equal(floors.test_images, 30);
  assert.equal(floors.logistic.top1, 1);
  assert.equal(floors.knn.top1, 1);
  assert.deepEqual(floors.logistic.validation.map((v) => v.value), L2_GRID);
  assert.deepEqual(floors.knn.validation.map((v) => v.value), K_GRID.filter((k) => k <= 24), 'k at most the 24 fitting images');
  assert.ok(L2_GRID.includes(floors.logistic.chosen) && K_GRID.includes(floors.knn.chosen));
  assert.ok(floors.logistic.wall_s >= 0 && floors.knn.wall_s >= 0);
  assert.deepEqual([floors.logistic.chosenOn, floors.knn.chosenOn], ['validation', 'validation']);
  // One image per class: nothing to hold out, so fixed settings (L2 1/N, k 20 capped at N).
  const fixed = await pixelFloors(train, toy(30, 2), Int32Array.of(0, 1, 2), { seed: 0 });
  assert.deepEqual([fixed.validation_images, fixed.logistic.chosenOn, fixed.logistic.chosen, fixed.knn.chosen, fixed.knn.validation.length], [0, 'fixed', 1 / 3, 3, 0]);
  assert.ok(fixed.logistic.top1 > 0.9, `logistic from one image per class: ${fixed.logistic.top1}`);
  assert.equal(liveTensors(), before);
});
