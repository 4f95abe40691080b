// NCCL smoke for scripts/gpu-check.sh: a world-size-1 c10d process group whose collectives on a CUDA tensor must go
// through NCCL and return exact values. Prints one JSON line. Reference: torch.distributed, backend='nccl'.
// Run: node --import tsx scripts/gpu-nccl-smoke.ts [--device cuda:0]
import { performance } from 'node:perf_hooks';
import { freePort } from '../src/distributed/launch.js';
import { ProcessGroup } from '../src/distributed/process_group.js';
import { arange, cuda, tidy, type Tensor } from '../src/tensor/index.js';

const i = process.argv.indexOf('--device');
const device = i >= 0 ? process.argv[i + 1] : 'cuda:0';

function expectValues(name: string, t: Tensor, expected: number[]): void {
  const got = Array.from(t.to('cpu').toArray() as number[]);
  if (got.length !== expected.length || got.some((v, k) => v !== expected[k])) {
    throw new Error(`${name} on ${device}: expected [${expected.join(', ')}], got [${got.join(', ')}]`);
  }
}

if (!cuda.isAvailable()) {
  console.log(JSON.stringify({ status: 'skipped', reason: 'cuda.isAvailable() is false: no CUDA device, or a CPU-only libtorch' }));
  process.exit(0);
}
const start = performance.now();
const pg = ProcessGroup.init({ rank: 0, size: 1, masterAddr: '127.0.0.1', masterPort: await freePort(), timeoutMs: 60_000 });
try {
  const backend = tidy(() => {
    const x = arange(0, 8, 1, { dtype: 'float32', device }); // (8,)
    const used = pg.backendFor(x);
    pg.allReduce_(x, 'sum');
    expectValues('allReduce_', x, [0, 1, 2, 3, 4, 5, 6, 7]);
    expectValues('allGather', pg.allGather(x), [0, 1, 2, 3, 4, 5, 6, 7]); // (1 * 8,)
    expectValues('broadcast_', pg.broadcast_(x.mul(2), 0), [0, 2, 4, 6, 8, 10, 12, 14]);
    pg.barrier();
    return used;
  });
  const ms = performance.now() - start;
  const ok = backend === 'nccl';
  console.log(JSON.stringify({
    status: ok ? 'ok' : 'failed',
    backend,
    device,
    ms: Math.round(ms),
    ...(ok ? {} : { reason: 'collectives on CUDA tensors went through Gloo: the addon was built without NCCL (see libtorch-paths.cjs defines)' }),
  }));
  process.exitCode = ok ? 0 : 1;
} finally {
  pg.destroy();
}
