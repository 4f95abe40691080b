// Process groups, the torchrun environment and DataParallel within one process: a group of one, argument and
// rendezvous errors (clear messages, no hang), environment parsing, and the single-process fallbacks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataParallel, buckets } from '../../src/distributed/data_parallel.js';
import { readDistributedEnv } from '../../src/distributed/env.js';
import { freePort } from '../../src/distributed/launch.js';
import { ProcessGroup } from '../../src/distributed/process_group.js';
import { c10dWorld, initWorld } from '../../src/distributed/world_c10d.js';
import { singleProcess } from '../../src/distributed/world.js';
import { Linear } from '../../src/nn/index.js';
import { liveTensors, ones, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';

test('a group of one process: every collective is the identity, gradients flow, stats count, destroy ends it', async () => {
  const pg = ProcessGroup.init({ rank: 0, size: 1, masterAddr: '127.0.0.1', masterPort: await freePort(), timeoutMs: 5000 });
  const before = liveTensors();
  tidy(() => {
    assert.deepEqual(pg.allReduce_(tensor([1, 2])).toFlatArray(), [1, 2]);
    assert.deepEqual(pg.allReduce_(tensor([1, 2]), 'max').toFlatArray(), [1, 2]);
    assert.deepEqual(pg.allGather(tensor([[1, 2]])).toFlatArray(), [1, 2]);
    assert.deepEqual(pg.broadcast_(tensor([3])).toFlatArray(), [3]);
    pg.barrier();
    const world = c10dWorld(pg);
    const x = tensor([1, 2, 3]).requiresGrad_();
    world.allGather(x).mul(tensor([1, 2, 3])).sum().add(world.allReduceSum(x).sum()).backward();
    assert.deepEqual(x.grad!.toFlatArray(), [2, 3, 4]);
  });
  assert.equal(liveTensors(), before);
  assert.ok(pg.stats().collectives >= 7);
  pg.destroy();
  assert.throws(() => pg.barrier(), /ProcessGroup \(rank 0\) was used after destroy\(\)/);
  pg.destroy(); // idempotent
});

test('bad options are refused before any connection', () => {
  const base = { rank: 0, size: 2, masterAddr: '127.0.0.1', masterPort: 29500 };
  assert.throws(() => ProcessGroup.init({ ...base, rank: 2 }), /rank 2 is outside \[0, 2\)/);
  assert.throws(() => ProcessGroup.init({ ...base, size: 1.5 }), TypeError);
  assert.throws(() => ProcessGroup.init({ ...base, masterPort: 70000 }), /masterPort must be in \[1, 65535\], got 70000/);
  assert.throws(() => ProcessGroup.init({ ...base, timeoutMs: 0 }), /timeoutMs and peerTimeoutMs must be > 0/);
});

test('a peer that never comes ends the rendezvous with an error after the timeout, on either side', async () => {
  const port = await freePort();
  const start = Date.now();
  assert.throws(() => ProcessGroup.init({ rank: 0, size: 2, masterAddr: '127.0.0.1', masterPort: port, timeoutMs: 1500 }),
    new RegExp(`rendezvous failed on rank 0 of 2: .*127\\.0\\.0\\.1:${port}.*rank 1 is missing \\(never joined\\)`));
  assert.throws(() => ProcessGroup.init({ rank: 1, size: 2, masterAddr: '127.0.0.1', masterPort: port, timeoutMs: 1500 }),
    new RegExp(`rendezvous failed on rank 1 of 2: no rendezvous with 2 processes at 127\\.0\\.0\\.1:${port} within 1\\.5 s`));
  assert.ok(Date.now() - start < 20_000, `took ${Date.now() - start} ms`);
});

test('the torchrun environment: parsed and checked; absent or WORLD_SIZE=1 means one process', () => {
  assert.equal(readDistributedEnv({}), null);
  assert.deepEqual(readDistributedEnv({ RANK: '1', WORLD_SIZE: '4', LOCAL_RANK: '0', MASTER_ADDR: '10.0.0.2', MASTER_PORT: '1234', SIMCLR_DIST_TIMEOUT_S: '2.5' }), {
    rank: 1, worldSize: 4, localRank: 0, masterAddr: '10.0.0.2', masterPort: 1234, timeoutMs: 2500, peerTimeoutMs: undefined,
  });
  assert.deepEqual(readDistributedEnv({ RANK: '0', WORLD_SIZE: '1' }), { rank: 0, worldSize: 1, localRank: 0, masterAddr: '127.0.0.1', masterPort: 29500, timeoutMs: undefined, peerTimeoutMs: undefined });
  assert.throws(() => readDistributedEnv({ RANK: '2', WORLD_SIZE: '2', MASTER_PORT: '1' }), /RANK must be an integer in \[0, 1\], got '2'/);
  assert.throws(() => readDistributedEnv({ WORLD_SIZE: '2', MASTER_PORT: '1' }), /RANK must be an integer in \[0, 1\], got nothing/);
  assert.throws(() => readDistributedEnv({ RANK: '0', WORLD_SIZE: '2' }), /MASTER_PORT is required when WORLD_SIZE > 1/);
  assert.throws(() => readDistributedEnv({ RANK: '0', WORLD_SIZE: '2', MASTER_PORT: 'x' }), /MASTER_PORT must be an integer in \[1, 65535\]/);
  assert.throws(() => readDistributedEnv({ RANK: '0', WORLD_SIZE: '1', SIMCLR_PEER_TIMEOUT_S: '-1' }), /SIMCLR_PEER_TIMEOUT_S must be a positive number/);
  const world = initWorld(readDistributedEnv({ RANK: '0', WORLD_SIZE: '1' }));
  assert.equal(world.group, null);
  assert.equal(world.size, 1);
  world.close();
  assert.equal(initWorld(null).rank, 0);
});

test('DataParallel in one process changes nothing; gradient buckets group by dtype and size', () => {
  const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
  const dp = new DataParallel(singleProcess, layer);
  assert.equal(dp.globalBn, false);
  tidy(() => {
    layer.forward(randn([4, 3])).sum().backward();
    const before = layer.weight.grad!.toFlatArray();
    dp.syncGradients();
    assert.deepEqual(layer.weight.grad!.toFlatArray(), before);
    const loss = tensor(2.5);
    assert.equal(dp.meanOverWorld({ loss, none: null }).loss, loss);
    assert.equal(dp.anyOverWorld(true), true);
    const [a, b, c, d] = [zeros([10]), zeros([10]), zeros([30]), zeros([5], { dtype: 'int64' })]; // 40, 40, 120, 40 bytes
    assert.deepEqual(buckets([a, b, c, d], 100).map((g) => g.map((t) => t.numel)), [[10, 10], [30], [5]]);
    assert.deepEqual(buckets([a, ones([100]), b], 80).map((g) => g.length), [1, 1, 1]);
  });
  assert.throws(() => new DataParallel(singleProcess, layer, { bucketBytes: 0 }), /bucketBytes must be > 0/);
  layer.dispose();
});
