// processDevice: one GPU per data-parallel process, cuda:LOCAL_RANK, as torchrun scripts do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processDevice } from '../../src/distributed/device.js';

test('alone, the device is kept as given', () => {
  for (const device of ['cpu', 'cuda', 'cuda:1']) assert.equal(processDevice(device, { rank: 0, size: 1 }), device);
});

test('several processes: cuda becomes cuda:LOCAL_RANK (the rank when the world has no local rank); cpu stays', () => {
  assert.equal(processDevice('cuda', { rank: 5, size: 8, localRank: 1 }), 'cuda:1');
  assert.equal(processDevice('cuda', { rank: 3, size: 4 }), 'cuda:3');
  assert.equal(processDevice('cpu', { rank: 3, size: 4, localRank: 3 }), 'cpu');
});

test('several processes on one explicit GPU is an error naming the flag', () => {
  assert.throws(() => processDevice('cuda:0', { rank: 1, size: 2 }), /--device cuda:0: with several processes give --device cuda; process LOCAL_RANK then uses cuda:LOCAL_RANK/);
});
