// The memory of negatives: FIFO order with wrap-around, normalised keys, EMA update formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, liveTensors, manualSeed } from '../../src/tensor/index.js';
import { Linear } from '../../src/nn/index.js';
import { NegativeQueue, emaUpdate } from '../../src/losses/memory_queue.js';

test('queue fills, wraps around oldest-first and stores normalised keys', () => {
  const before = liveTensors();
  const q = new NegativeQueue(5, 2);
  assert.equal(q.negatives(), null);
  tidy(() => q.enqueue(tensor([[3, 4], [0, 2], [1, 0]])));
  assert.deepEqual(q.state, { pointer: 3, filled: 3 });
  tidy(() => assert.deepEqual(q.negatives()!.toArray(), [[0.6, 0.800000011920929], [0, 1], [1, 0]].map((r) => r.map(Math.fround))));
  tidy(() => q.enqueue(tensor([[0, -1], [-1, 0], [0, 5]])));
  assert.deepEqual(q.state, { pointer: 1, filled: 5 });
  tidy(() => assert.deepEqual(q.keys.toArray(), [[0, 1], [0, 1], [1, 0], [0, -1], [-1, 0]]));
  q.dispose();
  assert.equal(liveTensors(), before);
});

test('EMA update moves each parameter by (1 - m) towards the online one', () => {
  manualSeed(1);
  const online = new Linear({ inFeatures: 3, outFeatures: 2 });
  const ema = new Linear({ inFeatures: 3, outFeatures: 2 });
  const [w0, e0] = [online.weight.toFlatArray(), ema.weight.toFlatArray()];
  emaUpdate(ema, online, 0.9);
  ema.weight.toFlatArray().forEach((v, i) => assert.ok(Math.abs(v - (0.9 * e0[i] + 0.1 * w0[i])) < 1e-6));
  assert.equal(ema.weight.grad, null);
});
