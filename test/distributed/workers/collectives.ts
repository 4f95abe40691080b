// Worker for collectives.test.ts: runs each collective on its rank's values and prints one JSON line of results.
import { initWorld } from '../../../src/distributed/world_c10d.js';
import { DataParallel } from '../../../src/distributed/data_parallel.js';
import { BatchNorm1d, Linear, Sequential } from '../../../src/nn/index.js';
import { arange, liveTensors, manualSeed, noGrad, tensor, tidy } from '../../../src/tensor/index.js';
import { batchNormCase, ntxentCase } from './cases.js';

const world = initWorld();
const pg = world.group!;
const r = world.rank;
const errorOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return `${(err as Error).constructor.name}: ${(err as Error).message}`;
  }
};

/** A layer initialised differently on each rank: DataParallel makes every rank hold rank 0's values, buffers included. */
function broadcastState(): number[] {
  manualSeed(100 + r);
  const net = new Sequential(new Linear({ inFeatures: 3, outFeatures: 2 }), new BatchNorm1d({ numFeatures: 2 }));
  const bn = net.layers[1] as BatchNorm1d;
  noGrad(() => bn.runningMean!.fill_(r + 1));
  new DataParallel(world, net, { bucketBytes: 16 }); // several buckets
  const values = [...net.stateDict().values()].flatMap((t) => t.toFlatArray());
  net.dispose();
  return values;
}

const before = liveTensors();
const out = tidy(() => {
  const reduce = (op: 'sum' | 'max' | 'min') => pg.allReduce_(tensor([r + 1, -(r + 1), 10 * r]), op).toFlatArray();
  const strided = arange(6).float().reshape([2, 3]).add(r).t(); // (3, 2), not contiguous
  pg.allReduce_(strided);
  const bcast = pg.broadcast_(tensor([7 * r, 1]), 1).toFlatArray();
  pg.barrier();
  const x = tensor([[r, r + 0.5]]).requiresGrad_(); // (1, 2)
  const gathered = world.allGather(x); // (W, 2)
  gathered.mul(tensor([[1, 1], [2, 2]]).mul(r + 1)).sum().backward();
  const s = tensor([r + 1.0, 2.0]).requiresGrad_();
  world.allReduceSum(s).mul(tensor([1, 3]).mul(r + 1)).sum().backward();
  return {
    rank: r, size: world.size, localRank: world.localRank,
    sum: reduce('sum'), max: reduce('max'), min: reduce('min'), strided: strided.toFlatArray(),
    gather: pg.allGather(tensor([[r, r + 0.5]])).toFlatArray(), gatherInt: pg.allGather(tensor([r], { dtype: 'int64' })).toFlatArray(),
    broadcast: bcast, gatherGradForward: gathered.toFlatArray(), gatherGrad: x.grad!.toFlatArray(), reduceGrad: s.grad!.toFlatArray(),
    backend: pg.backendFor(x),
    badRoot: errorOf(() => pg.broadcast_(tensor([1]), 5)),
    gatherScalar: errorOf(() => pg.allGather(tensor(1))),
    ntxent: ntxentCase(world, world.size),
    broadcastState: broadcastState(),
    bn: batchNormCase(world, world.size),
  };
});
const leaked = liveTensors() - before;
const stats = pg.stats();
world.close();
process.stdout.write(`${JSON.stringify({ ...out, leaked, stats, useAfterClose: errorOf(() => pg.barrier()) })}\n`);
