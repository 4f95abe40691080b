// c10d collectives across 2 processes on loopback: values of every collective, the gradients of the differentiable
// ones, the all-gathered NT-Xent gradient and synchronised batch norm against one process on the concatenated batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { singleProcess } from '../../src/distributed/world.js';
import { assertAllSucceeded, resultOf, runWorkers, workerScript } from './helpers.js';
import { BN, NTXENT, batchNormCase, ntxentCase, type BnResult } from './workers/cases.js';

interface Out {
  rank: number; size: number; localRank: number; sum: number[]; max: number[]; min: number[]; strided: number[];
  gather: number[]; gatherInt: number[]; broadcast: number[]; gatherGradForward: number[]; gatherGrad: number[]; reduceGrad: number[];
  backend: string; badRoot: string | null; gatherScalar: string | null; leaked: number; stats: { collectives: number; waitMs: number };
  useAfterClose: string | null; broadcastState: number[]; ntxent: { loss: number; grad: number[] }; bn: BnResult;
}

const W = 2;
const workers = await runWorkers(workerScript('collectives.ts'), W, { timeoutMs: 90_000 });
const outs = workers.map((w) => resultOf<Out>(w));

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${a} vs ${expected[i]}`));
}

test('both workers exit 0, leak no tensors and refuse use after close', () => {
  assertAllSucceeded(workers);
  for (const o of outs) {
    assert.equal(o.leaked, 0);
    assert.equal(o.size, W);
    assert.equal(o.localRank, o.rank);
    assert.match(o.useAfterClose!, /used after destroy/);
    assert.ok(o.stats.collectives >= 10 && o.stats.waitMs >= 0, JSON.stringify(o.stats));
  }
});

test('allReduce (sum, max, min), in place, also on non-contiguous tensors', () => {
  for (const o of outs) {
    assert.deepEqual(o.sum, [3, -3, 10]);
    assert.deepEqual(o.max, [2, -1, 10]);
    assert.deepEqual(o.min, [1, -2, 0]);
    assert.deepEqual(o.strided, [1, 7, 3, 9, 5, 11]); // (arange(6).reshape(2,3) * 2 + 1).t()
    assert.equal(o.backend, 'gloo');
  }
});

test('allGather concatenates in rank order; broadcast copies the root; bad arguments name the problem', () => {
  for (const o of outs) {
    assert.deepEqual(o.gather, [0, 0.5, 1, 1.5]);
    assert.deepEqual(o.gatherInt, [0, 1]);
    assert.deepEqual(o.broadcast, [7, 1]);
    assert.match(o.badRoot!, /broadcast: root rank 5 is outside \[0, 2\)/);
    assert.match(o.gatherScalar!, /cannot gather a 0-dim tensor/);
  }
});

test('DataParallel starts every rank from rank 0 parameters and buffers', () => {
  assert.deepEqual(outs[1].broadcastState, outs[0].broadcastState);
  assert.ok(outs[0].broadcastState.includes(1), 'running_mean is rank 0 value');
});

test('differentiable allGather and allReduceSum send back the gradient summed over ranks', () => {
  // rank r's loss: sum(gathered * [[1, 1], [2, 2]] * (r + 1)); d(sum over ranks)/d(gathered) = [[3, 3], [6, 6]].
  assert.deepEqual(outs[0].gatherGradForward, [0, 0.5, 1, 1.5]);
  assert.deepEqual(outs[0].gatherGrad, [3, 3]);
  assert.deepEqual(outs[1].gatherGrad, [6, 6]);
  // rank r's loss: sum(allReduceSum(s) * [1, 3] * (r + 1)); gradient [1, 3] * (1 + 2) on every rank.
  for (const o of outs) assert.deepEqual(o.reduceGrad, [3, 9]);
});

test('all-gathered NT-Xent: mean loss and averaged gradient equal one process on the concatenated batch', () => {
  const ref = ntxentCase(singleProcess, W); // (2 * W * B, D) batch in one process
  const meanLoss = outs.reduce((s, o) => s + o.ntxent.loss, 0) / W;
  assert.ok(Math.abs(meanLoss - ref.loss) < 1e-12, `loss ${meanLoss} vs ${ref.loss}`);
  const { perRank: b, dim: d } = NTXENT;
  const n = b * W;
  for (const o of outs) {
    // Local rows: view-1 rows [rank * B, (rank + 1) * B), then the same rows of view 2.
    const rows = (start: number) => ref.grad.slice(start * d, (start + b) * d);
    const expected = [...rows(o.rank * b), ...rows(n + o.rank * b)];
    assertClose(o.ntxent.grad.map((g) => g / W), expected, 1e-12, `rank ${o.rank} d loss / d z`);
  }
});

test('synchronised batch norm equals batch norm of the concatenated batch: output, gradients, running statistics', () => {
  const ref = batchNormCase(singleProcess, W);
  const per = BN.perRank * BN.channels * BN.side * BN.side;
  for (const o of outs) {
    assertClose(o.bn.y, ref.y.slice(o.rank * per, (o.rank + 1) * per), 1e-5, `rank ${o.rank} y`);
    assertClose(o.bn.gradX.map((g) => g / W), ref.gradX.slice(o.rank * per, (o.rank + 1) * per), 1e-5, `rank ${o.rank} dx`);
    assertClose(o.bn.gradWeight, ref.gradWeight, 1e-5, `rank ${o.rank} d weight`);
    assertClose(o.bn.gradBias, ref.gradBias, 1e-5, `rank ${o.rank} d bias`);
    assertClose(o.bn.runningMean, ref.runningMean, 1e-5, `rank ${o.rank} running_mean`);
    assertClose(o.bn.runningVar, ref.runningVar, 1e-5, `rank ${o.rank} running_var (unbiased)`);
  }
});
