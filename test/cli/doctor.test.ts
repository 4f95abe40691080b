// `simclr doctor`: each check's verdict on given inputs (CPU flags, Node flags, libtorch config, missing data), and
// the command itself printing every check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { blasCheck, cpuFeaturesCheck, datasetsCheck, libtorchCheck, nodeCheck } from '../../src/cli/doctor/checks.js';

test('CPU features come from the flags line', () => {
  const avx512 = cpuFeaturesCheck('model name\t: Test CPU\nflags\t\t: fpu sse avx2 avx512f avx512_bf16\n');
  assert.equal(avx512.verdict, 'ok');
  assert.match(avx512.detail, /Test CPU: AVX2 yes, AVX-512 yes, AVX512-BF16 yes, AMX no, AMX-BF16 no; --precision auto trains in bf16/);
  const avx2 = cpuFeaturesCheck('model name\t: AVX2 CPU\nflags\t\t: fpu sse avx2\n');
  assert.match(avx2.detail, /AVX512-BF16 no, AMX no, AMX-BF16 no; --precision auto trains in fp32/);
  const old = cpuFeaturesCheck('model name\t: Old CPU\nflags\t\t: fpu sse sse2\n');
  assert.equal(old.verdict, 'warn');
  assert.match(old.advice!, /AVX2/);
});

test('Node: version 20 is required, the single-threaded GC recommended', () => {
  assert.equal(nodeCheck(['--single-threaded-gc'], '20.1.0').verdict, 'ok');
  assert.equal(nodeCheck([], '22.0.0').verdict, 'warn');
  assert.equal(nodeCheck(['--single-threaded-gc'], '18.19.0').verdict, 'fail');
});

test('libtorch version, oneDNN and CPU kernels are read from the build configuration', () => {
  const config = 'PyTorch built with:\n  - Intel(R) MKL-DNN v3.5.3 (Git Hash N/A)\n  - CPU capability usage: AVX512\n  - Build settings: TORCH_VERSION=2.6.0, USE_CUDA=OFF,';
  assert.match(libtorchCheck(config).detail, /^2\.6\.0 at .*; oneDNN v3\.5\.3; CPU kernels AVX512$/);
});

test('a missing dataset folder is a warning that names the package', () => {
  const check = datasetsCheck('/nonexistent/fashion-mnist');
  assert.equal(check.verdict, 'warn');
  assert.match(check.advice!, /apt-get install dataset-fashion-mnist/);
});

test('the BLAS check names the library and measures GFLOP/s', () => {
  const check = blasCheck(0.2);
  assert.match(check.detail, /\d+\.\d GFLOP\/s on \d+ thread/);
  assert.ok(check.detail.includes('blas'), check.detail);
});

test('simclr doctor --json prints every check and exits 0 when none fails', () => {
  const run = spawnSync(process.execPath, ['--single-threaded-gc', 'bin/simclr.js', 'doctor', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const checks = JSON.parse(run.stdout) as Array<{ name: string; verdict: string }>;
  assert.deepEqual(checks.map((c) => c.name), ['libtorch', 'CUDA', 'BLAS', 'threads', 'CPU', 'Node', 'datasets']);
  assert.equal(checks.find((c) => c.name === 'Node')!.verdict, 'ok');
});
