// The checks of `simclr doctor`: libtorch build, CUDA, BLAS speed, threads, CPU features, Node, datasets. Each
// returns a verdict and, when something is off, what to do about it.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FASHION_MNIST_DEBIAN_DIR } from '../../data/idx.js';
import { backendConfig, cpuFeatures, cuda, describeCpu, getNumThreads, hasNativeBf16, randn, setNumThreads, tidy } from '../../tensor/index.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  /** What to do when the verdict is not ok. */
  advice?: string;
}

/** Shared libraries mapped into this process whose file name matches `pattern` (Linux /proc). */
function mappedLibraries(pattern: RegExp): string[] {
  if (!existsSync('/proc/self/maps')) return [];
  const paths = readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((p) => pattern.test(p));
  return [...new Set(paths)];
}

const configValue = (config: string, key: string) => new RegExp(`${key}=([^,\\s]+)`).exec(config)?.[1] ?? 'unknown';

export function libtorchCheck(config = backendConfig()): Check {
  const path = mappedLibraries(/libtorch_cpu\.so/)[0] ?? 'unknown path';
  const onednn = /MKL-DNN (v[\d.]+)/.exec(config)?.[1] ?? 'none';
  const capability = /CPU capability usage: (\S+)/.exec(config)?.[1] ?? 'unknown';
  return { name: 'libtorch', verdict: 'ok', detail: `${configValue(config, 'TORCH_VERSION')} at ${path}; oneDNN ${onednn}; CPU kernels ${capability}` };
}

export function cudaCheck(config = backendConfig()): Check {
  const built = configValue(config, 'USE_CUDA') === 'ON';
  const devices = cuda.deviceCount();
  if (!built) return { name: 'CUDA', verdict: 'ok', detail: 'CPU-only libtorch build (GPU training needs a CUDA libtorch: LIBTORCH=/path npm run build:native)' };
  if (devices === 0) return { name: 'CUDA', verdict: 'warn', detail: 'CUDA build, but no GPU visible', advice: 'check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES' };
  return { name: 'CUDA', verdict: 'ok', detail: `CUDA build, ${devices} GPU(s) visible` };
}

/** Single-precision matrix-product speed over about `seconds`, in GFLOP/s. */
export function matmulGflops(seconds = 2, n = 1024): number {
  return tidy(() => {
    const [a, b] = [randn([n, n]), randn([n, n])];
    a.matmul(b).dispose(); // warm-up
    let runs = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      a.matmul(b).dispose();
      runs++;
    }
    return (2 * n ** 3 * runs) / ((performance.now() - start) / 1000) / 1e9;
  });
}

/** Measured with the thread count runs use by default (every core). */
export function blasCheck(seconds = 2): Check {
  const libs = [...new Set(mappedLibraries(/lib(open)?blas/).map((p) => realpathSync(p)))];
  const before = getNumThreads();
  setNumThreads(availableParallelism());
  const gflops = matmulGflops(seconds);
  setNumThreads(before);
  const detail = `${libs.join(', ') || 'no BLAS library mapped'}; 1024^3 SGEMM ${gflops.toFixed(1)} GFLOP/s on ${availableParallelism()} thread(s)`;
  // The reference BLAS measured 3.2 GFLOP/s on 2 cores here, OpenBLAS 126 (DESIGN.md section 3); a busy machine
  // halves OpenBLAS at most, so below 6 it is the reference BLAS or something is badly wrong.
  if (!libs.some((p) => /openblas|mkl|blis/i.test(p)) || gflops < 6) {
    return { name: 'BLAS', verdict: 'warn', detail, advice: 'install OpenBLAS (apt-get install libopenblas0-openmp): the reference BLAS is about 40x slower' };
  }
  return { name: 'BLAS', verdict: 'ok', detail };
}

export function threadsCheck(): Check {
  const threads = getNumThreads();
  const cores = availableParallelism();
  const detail = `libtorch uses ${threads} intra-op thread(s); ${cores} core(s) available (runs default to --threads ${cores})`;
  return threads > cores
    ? { name: 'threads', verdict: 'warn', detail, advice: 'more threads than cores slows OpenMP down: lower OMP_NUM_THREADS or --threads' }
    : { name: 'threads', verdict: 'ok', detail };
}

export function cpuFeaturesCheck(cpuinfo?: string): Check {
  const cpu = cpuFeatures(cpuinfo);
  const detail = describeCpu(cpu);
  if (!cpu.flags.has('avx2')) return { name: 'CPU', verdict: 'warn', detail, advice: 'without AVX2 oneDNN and OpenBLAS run their slow generic kernels' };
  return { name: 'CPU', verdict: 'ok', detail: `${detail}; --precision auto trains in ${hasNativeBf16(cpu) ? 'bf16 (native here)' : 'fp32 (no native bf16 here)'}` };
}

export function nodeCheck(execArgv = process.execArgv, version = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  const gc = execArgv.includes('--single-threaded-gc');
  const detail = `Node ${version}; V8 ${gc ? 'single-threaded GC (as bin/simclr.js runs it)' : 'concurrent GC'}`;
  if (major < 20) return { name: 'Node', verdict: 'fail', detail, advice: 'Node 20 or newer is required (NodeSource or nvm)' };
  if (!gc) return { name: 'Node', verdict: 'warn', detail, advice: 'run through bin/simclr.js (its shebang passes --single-threaded-gc: +14% images/s)' };
  return { name: 'Node', verdict: 'ok', detail };
}

export function datasetsCheck(dir = FASHION_MNIST_DEBIAN_DIR): Check {
  const files = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'];
  if (files.every((f) => existsSync(`${dir}/${f}`))) return { name: 'datasets', verdict: 'ok', detail: `Fashion-MNIST at ${dir}` };
  return { name: 'datasets', verdict: 'warn', detail: `Fashion-MNIST not found at ${dir}`, advice: 'apt-get install dataset-fashion-mnist (the demo and benchmarks use it)' };
}

/** Every check, in the order printed. */
export function runChecks(o: { blasSeconds?: number } = {}): Check[] {
  const config = backendConfig();
  return [libtorchCheck(config), cudaCheck(config), blasCheck(o.blasSeconds ?? 2), threadsCheck(), cpuFeaturesCheck(), nodeCheck(), datasetsCheck()];
}
