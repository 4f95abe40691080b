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
};

/** libtorch's build configuration (BLAS, oneDNN, OpenMP, CUDA), as torch.__config__.show(). */
export function backendConfig(): string {
  return native.Config();
}
