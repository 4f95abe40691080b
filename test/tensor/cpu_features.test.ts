// CPU features from /proc/cpuinfo text: the model, the flags, and whether bf16 is native (AVX512-BF16 or AMX-BF16).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuFeatures, cuda, describeCpu, hasNativeBf16 } from '../../src/tensor/index.js';

const CPUINFO = (model: string, flags: string) => `processor\t: 0\nmodel name\t: ${model}\nflags\t\t: ${flags}\n\nprocessor\t: 1\nmodel name\t: ${model}\nflags\t\t: ${flags}\n`;

test('the first processor gives the model and its flags', () => {
  const cpu = cpuFeatures(CPUINFO('AMD EPYC', 'fpu sse2 avx2 avx512f avx512_bf16'));
  assert.equal(cpu.model, 'AMD EPYC');
  assert.deepEqual([...cpu.flags], ['fpu', 'sse2', 'avx2', 'avx512f', 'avx512_bf16']);
});

test('bf16 is native with AVX512-BF16 or AMX-BF16, not with AVX-512 or AMX tiles alone', () => {
  assert.equal(hasNativeBf16(cpuFeatures(CPUINFO('Zen 4', 'avx2 avx512f avx512_bf16'))), true);
  assert.equal(hasNativeBf16(cpuFeatures(CPUINFO('Sapphire Rapids', 'avx2 avx512f amx_tile amx_bf16'))), true);
  assert.equal(hasNativeBf16(cpuFeatures(CPUINFO('Skylake-SP', 'avx2 avx512f'))), false);
  assert.equal(hasNativeBf16(cpuFeatures(CPUINFO('odd', 'amx_tile amx_int8'))), false);
});

test('without /proc/cpuinfo text nothing is native and the model is unknown', () => {
  const cpu = cpuFeatures('');
  assert.equal(cpu.model, 'unknown CPU');
  assert.equal(cpu.flags.size, 0);
  assert.equal(hasNativeBf16(cpu), false);
  assert.equal(describeCpu(cpu), 'unknown CPU: AVX2 no, AVX-512 no, AVX512-BF16 no, AMX no, AMX-BF16 no');
});

test('describeCpu names each flag that decides the kernels', () => {
  assert.equal(describeCpu(cpuFeatures(CPUINFO('Test', 'avx2 amx_tile amx_bf16'))), 'Test: AVX2 yes, AVX-512 no, AVX512-BF16 no, AMX yes, AMX-BF16 yes');
});

test('cuda.supportsBf16 is false without a CUDA device', { skip: cuda.isAvailable() ? 'a CUDA device is present (the GPU check covers it)' : false }, () => {
  assert.equal(cuda.supportsBf16(), false);
});
