// Computations run both by each distributed worker (on its shard, with a c10d World) and by the tests in one process
// (on the whole batch, with singleProcess), so the two can be compared.
import { DataParallel } from '../../../src/distributed/data_parallel.js';
import { singleProcess, type World } from '../../../src/distributed/world.js';
import { ntXent } from '../../../src/losses/ntxent.js';
import { BatchNorm2d } from '../../../src/nn/index.js';
import { Generator, cat, noGrad, randn, tidy, type Tensor } from '../../../src/tensor/index.js';

/** Rows [rank * n, (rank + 1) * n) of a (size * n, ...) tensor; the whole tensor for a single process. */
function shardRows(t: Tensor, world: World, totalRanks: number): Tensor {
  if (world.size === 1) return t;
  const n = t.shape[0] / totalRanks;
  return t.narrow(0, world.rank * n, n);
}

export const NTXENT = { perRank: 3, dim: 5, temperature: 0.5 };

/**
 * NT-Xent over a global batch of totalRanks * perRank images (projections from a fixed seed, float64): this
 * process's loss (a mean over its local rows) and the gradient of that loss with respect to its own projections.
 */
export function ntxentCase(world: World, totalRanks: number): { loss: number; grad: number[] } {
  return tidy(() => {
    const n = NTXENT.perRank * totalRanks;
    const z = randn([2 * n, NTXENT.dim], { dtype: 'float64', generator: new Generator(11) }); // (2n, D): view 1 rows, view 2 rows
    const [v1, v2] = z.chunk(2, 0);
    const local = cat([shardRows(v1, world, totalRanks), shardRows(v2, world, totalRanks)], 0).detach().requiresGrad_(); // (2B, D)
    const { loss } = ntXent(local, { temperature: NTXENT.temperature, world });
    loss.backward();
    return { loss: loss.item(), grad: local.grad!.toFlatArray() };
  });
}

export const BN = { perRank: 3, channels: 4, side: 3 };

export interface BnResult {
  y: number[];
  gradX: number[];
  gradWeight: number[];
  gradBias: number[];
  runningMean: number[];
  runningVar: number[];
}

/**
 * A BatchNorm2d in training mode on a global batch of totalRanks * perRank images, loss = mean over the local rows of
 * sum(y * c) with fixed c. With several processes it runs under DataParallel (synchronised statistics, parameter
 * gradients averaged); gradX is the raw gradient of this process's loss with respect to its own inputs.
 */
export function batchNormCase(world: World, totalRanks: number): BnResult {
  return tidy(() => {
    const gen = new Generator(5);
    const n = BN.perRank * totalRanks;
    const shape = [n, BN.channels, BN.side, BN.side];
    const xAll = randn(shape, { generator: gen }).mul(2).add(0.5); // (n, C, S, S)
    const cAll = randn(shape, { generator: gen }); // (n, C, S, S)
    const bn = new BatchNorm2d({ numFeatures: BN.channels, momentum: 0.3 });
    noGrad(() => {
      bn.weight!.copy_(randn([BN.channels], { generator: gen }).add(1));
      bn.bias!.copy_(randn([BN.channels], { generator: gen }));
    });
    const parallel = world.size > 1 ? new DataParallel(world, bn) : null;
    const x = shardRows(xAll, world, totalRanks).detach().requiresGrad_();
    const y = bn.forward(x); // (B, C, S, S)
    y.mul(shardRows(cAll, world, totalRanks)).sum().div(x.shape[0]).backward();
    parallel?.syncGradients();
    const out: BnResult = {
      y: y.toFlatArray(), gradX: x.grad!.toFlatArray(), gradWeight: bn.weight!.grad!.toFlatArray(), gradBias: bn.bias!.grad!.toFlatArray(),
      runningMean: bn.runningMean!.toFlatArray(), runningVar: bn.runningVar!.toFlatArray(),
    };
    bn.dispose();
    return out;
  });
}

export { singleProcess };
