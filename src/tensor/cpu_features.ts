// What the CPU can do, read from /proc/cpuinfo: the model name and the instruction-set flags that decide which
// kernels oneDNN and OpenBLAS pick (AVX2, AVX-512) and whether bfloat16 arithmetic is native (AVX512-BF16, AMX).
import { existsSync, readFileSync } from 'node:fs';

export interface CpuFeatures {
  /** `model name` of the first processor, or 'unknown CPU'. */
  readonly model: string;
  /** The first processor's `flags` (Linux spelling: avx2, avx512f, avx512_bf16, amx_tile, amx_bf16...). */
  readonly flags: ReadonlySet<string>;
}

/** Parses /proc/cpuinfo text; without the file (not Linux) there are no flags, so nothing counts as native. */
export function cpuFeatures(cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : ''): CpuFeatures {
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/).filter((f) => f !== ''));
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  return { model, flags };
}

/**
 * bfloat16 matrix math in hardware: AVX512-BF16 dot products or AMX tiles. Without them oneDNN converts bf16 to fp32
 * and back around every kernel, so bf16 autocast is no faster than fp32 (or slower).
 */
export function hasNativeBf16(cpu: CpuFeatures = cpuFeatures()): boolean {
  return cpu.flags.has('avx512_bf16') || cpu.flags.has('amx_bf16');
}

/** One line for logs and benchmark headers: the model and the flags that matter here, each yes or no. */
export function describeCpu(cpu: CpuFeatures = cpuFeatures()): string {
  const has = (label: string, flag: string) => `${label} ${cpu.flags.has(flag) ? 'yes' : 'no'}`;
  return `${cpu.model}: ${[has('AVX2', 'avx2'), has('AVX-512', 'avx512f'), has('AVX512-BF16', 'avx512_bf16'), has('AMX', 'amx_tile'), has('AMX-BF16', 'amx_bf16')].join(', ')}`;
}
