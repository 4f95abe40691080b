// The local launcher: torchrun's environment for each worker, rank-prefixed output, every worker stopped when one
// fails, and a real c10d rendezvous through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, launch } from '../../src/distributed/launch.js';
import { workerScript } from './helpers.js';

function collect() {
  const lines: { line: string; stream: string }[] = [];
  return { lines, onLine: (line: string, stream: 'stdout' | 'stderr') => lines.push({ line, stream }) };
}

test('each worker gets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT and threads; output is prefixed', async () => {
  const { lines, onLine } = collect();
  const port = await freePort();
  const result = await launch({ nproc: 3, threadsPerProc: 2, args: ['ok'], script: workerScript('launch_probe.mjs'), port, onLine });
  assert.equal(result.exitCode, 0);
  assert.equal(result.failedRank, null);
  for (const rank of [0, 1, 2]) {
    const json = lines.find((l) => l.line.startsWith(`[rank ${rank}] {`))!;
    assert.ok(json, `no output from rank ${rank}`);
    assert.deepEqual(JSON.parse(json.line.slice(`[rank ${rank}] `.length)), {
      RANK: String(rank), WORLD_SIZE: '3', LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port),
      OMP_NUM_THREADS: '2', args: ['ok', '--threads', '2'],
    });
    assert.ok(lines.some((l) => l.line === `[rank ${rank}] to stderr from ${rank}` && l.stream === 'stderr'));
  }
});

test('when one worker fails the others are stopped and the exit code is the failed one', async () => {
  const { lines, onLine } = collect();
  const start = Date.now();
  const result = await launch({ nproc: 3, args: ['fail-rank-1', '--threads', '1'], script: workerScript('launch_probe.mjs'), graceMs: 300, onLine });
  assert.equal(result.exitCode, 3);
  assert.equal(result.failedRank, 1);
  assert.deepEqual(result.workers.map((w) => w.signal), ['SIGTERM', null, 'SIGTERM']);
  assert.ok(Date.now() - start < 10_000);
  assert.ok(lines.some((l) => l.line === '[launch] rank 1 exited with code 3; stopping the other workers'));
  assert.ok(lines.some((l) => l.line.includes('"args":["fail-rank-1","--threads","1"]')), 'an explicit --threads is kept as given');
});

test('workers started by launch() join one c10d process group', async () => {
  const { lines, onLine } = collect();
  const result = await launch({ nproc: 2, args: [], script: workerScript('allreduce_rank.ts'), nodeArgs: ['--import', 'tsx'], onLine });
  assert.equal(result.exitCode, 0, lines.map((l) => l.line).join('\n'));
  for (const rank of [0, 1]) assert.ok(lines.some((l) => l.line === `[rank ${rank}] rank ${rank} of 2: sum of ranks 1`), lines.map((l) => l.line).join('\n'));
});

test('bad options are refused with the flag named', async () => {
  await assert.rejects(launch({ nproc: 0, args: ['pretrain'], script: 'x.js' }), /--nproc must be a positive integer, got 0/);
  await assert.rejects(launch({ nproc: 2, threadsPerProc: 0, args: ['pretrain'], script: 'x.js' }), /--threads-per-proc must be a positive integer/);
  await assert.rejects(launch({ nproc: 2, args: ['pretrain'], script: '' }), /`script` \(the program every worker runs\) is required/);
});
