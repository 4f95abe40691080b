// Fashion-MNIST from Debian's dataset-fashion-mnist (skipped when the package is not installed).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tidy } from '../../src/tensor/index.js';
import { classCounts, drawSubset, FASHION_MNIST_DEBIAN_DIR, loadDataSpec } from '../../src/data/index.js';

const installed = existsSync(FASHION_MNIST_DEBIAN_DIR);

describe('Fashion-MNIST', { skip: installed ? false : `${FASHION_MNIST_DEBIAN_DIR} missing (apt-get install dataset-fashion-mnist)` }, () => {
  it('loads 60000 train and 10000 test 28x28 grayscale images, balanced classes, and a 1% subset of 60 per class', async () => {
    const { train, test } = await loadDataSpec('fashion-mnist');
    assert.ok(test);
    assert.deepEqual([train.length, test.length], [60000, 10000]);
    assert.deepEqual([train.height, train.width, train.channels, train.numClasses], [28, 28, 1, 10]);
    assert.equal(train.classNames[9], 'Ankle boot');
    assert.deepEqual(classCounts(train.labels!, 10), new Array(10).fill(6000));
    assert.deepEqual(classCounts(test.labels!, 10), new Array(10).fill(1000));
    const shape = tidy(() => train.getBatch([0, 59999]).shape);
    assert.deepEqual(shape, [2, 1, 28, 28]);
    const onePercent = drawSubset(train.labels!, 10, { kind: 'fraction', fraction: 0.01 }, 0);
    assert.deepEqual(classCounts(Int32Array.from(onePercent, (i) => train.labels![i]), 10), new Array(10).fill(60));
  });
});
