// Process-wide runtime settings: intra-op threads, CUDA availability, libtorch build info.
import { availableParallelism } from 'node:os';
import { native } from '../native/addon.js';

/** Intra-op threads libtorch uses (OpenMP). */
export function setNumThreads(n: number): void {
  native.SetNumThreads(n);
}

export function getNumThreads(): number {
  return native.GetNumThreads();
}

/** The number of cores, the default thread count of runs. */
export function defaultThreads(): number {
  return availableParallelism();
}

export const cuda = {
  isAvailable: (): boolean => native.CudaIsAvailable(),
  deviceCount: (): number => native.CudaDeviceCount(),
  /** bfloat16 convolutions in hardware on the current device (compute capability 8.0+, cuDNN 8); false without CUDA. */
  supportsBf16: (): boolean => native.CudaSupportsBf16(),
};

/**
 * Keeps freed memory in the process heap (glibc mallopt: no mmap below 256 MB, no trimming below 1 GB): training
 * frees and reallocates the same activation buffers every step, and fresh pages cost page faults each time
 * (native/malloc_tuning.cc has the figures). Changes the whole process's heap, so it is opt-in: the CLI and the
 * benchmarks call it. Returns false when SIMCLR_DEFAULT_MALLOC=1 keeps glibc's defaults.
 */
export function tuneMalloc(): boolean {
  return native.TuneMalloc();
}

/** libtorch's build configuration (BLAS, oneDNN, OpenMP, CUDA), as torch.__config__.show(). */
export function backendConfig(): string {
  return native.Config();
}
