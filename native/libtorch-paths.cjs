// Prints include or library directories of the libtorch to build against, for binding.gyp.
// LIBTORCH=/path/to/libtorch (an unpacked libtorch, e.g. a CUDA build, or a pip wheel's torch/ folder) overrides
// Debian's libtorch-dev; CMAKE_PREFIX_PATH entries containing share/cmake/Torch are honoured too. `defines` enables
// NCCL process groups and matches the libstdc++ ABI that libtorch was built with.
const fs = require('node:fs');
const path = require('node:path');

function libtorchRoot() {
  if (process.env.LIBTORCH) return process.env.LIBTORCH;
  for (const entry of (process.env.CMAKE_PREFIX_PATH || '').split(':').filter(Boolean)) {
    if (fs.existsSync(path.join(entry, 'share/cmake/Torch'))) return entry;
  }
  return null; // Debian: headers in /usr/include, libraries on the default search path
}

// Include folders of NVIDIA's pip packages beside a wheel's torch/ (site-packages/nvidia/nccl/include,
// nvidia/cuda_runtime/include, or CUDA 13's nvidia/cu13/include).
function pipNvidiaIncludes(root) {
  const nvidia = root ? path.join(root, '..', 'nvidia') : null;
  if (!nvidia || !fs.existsSync(nvidia)) return [];
  return fs.readdirSync(nvidia).map((d) => path.join(nvidia, d, 'include')).filter((d) => fs.existsSync(d));
}

// The CUDA toolkit's include folder: CUDA_HOME/CUDA_PATH, the nvcc on PATH, or /usr/local/cuda.
function cudaToolkitInclude() {
  const home = process.env.CUDA_HOME || process.env.CUDA_PATH;
  if (home) return path.join(home, 'include');
  for (const dir of (process.env.PATH || '').split(':').filter(Boolean)) {
    if (fs.existsSync(path.join(dir, 'nvcc'))) return path.join(dir, '..', 'include');
  }
  return '/usr/local/cuda/include';
}

// NCCL for CUDA tensors in process groups: needs a CUDA libtorch with ProcessGroupNCCL, nccl.h and the CUDA headers.
// SIMCLR_NCCL=0 turns it off; NCCL_INCLUDE_DIR names nccl.h's folder when it is nowhere standard. Without NCCL,
// collectives on CUDA tensors go through Gloo.
function ncclIncludes(root, libdir) {
  if (process.env.SIMCLR_NCCL === '0') return null;
  const base = root ? path.join(root, 'include') : '/usr/include';
  if (!fs.existsSync(path.join(base, 'torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp'))) return null;
  if (!fs.existsSync(path.join(libdir, 'libtorch_cuda.so'))) return null;
  const dirs = [process.env.NCCL_INCLUDE_DIR, base, cudaToolkitInclude(), ...pipNvidiaIncludes(root), '/usr/include'].filter(Boolean);
  const nccl = dirs.find((d) => fs.existsSync(path.join(d, 'nccl.h')));
  const cuda = dirs.find((d) => fs.existsSync(path.join(d, 'cuda_runtime_api.h')));
  if (!nccl || !cuda) {
    console.error(`libtorch-paths: CUDA libtorch without ${nccl ? 'cuda_runtime_api.h' : 'nccl.h'} in ${dirs.join(', ')}: ` +
      'building without NCCL (set NCCL_INCLUDE_DIR or CUDA_HOME)');
    return null;
  }
  return [...new Set([nccl, cuda])];
}

// libtorch's libstdc++ ABI (pip wheels before 2.7 used the old one): TorchConfig.cmake records it as TORCH_CXX_FLAGS.
// Debian's libtorch and node-gyp both use the default, new ABI, so nothing is printed for them.
function abiDefine(root) {
  if (!root) return [];
  const config = path.join(root, 'share/cmake/Torch/TorchConfig.cmake');
  const m = fs.existsSync(config) ? /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(fs.readFileSync(config, 'utf8')) : null;
  return m ? [`_GLIBCXX_USE_CXX11_ABI=${m[1]}`] : [];
}

const root = libtorchRoot();
const libdir = root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
const what = process.argv[2];
if (what === 'include') {
  const base = root ? path.join(root, 'include') : '/usr/include';
  if (![base, '/usr/include', '/usr/local/include'].some((d) => fs.existsSync(path.join(d, 'gloo/rendezvous/store.h')))) {
    console.error('libtorch-paths: Gloo headers (gloo/rendezvous/store.h) not found; c10d process groups need them: apt-get install libgloo-dev');
  }
  console.log([base, path.join(base, 'torch/csrc/api/include'), ...(ncclIncludes(root, libdir) ?? [])].join(' '));
} else if (what === 'defines') {
  const nccl = ncclIncludes(root, libdir) ? ['SIMCLR_WITH_NCCL', 'USE_C10D_NCCL'] : [];
  console.log([...nccl, ...abiDefine(root)].join(' '));
} else if (what === 'libdir') {
  console.log(libdir);
} else if (what === 'libs') {
  const cuda = ['torch_cuda', 'c10_cuda'].filter((l) => fs.existsSync(path.join(libdir, `lib${l}.so`)));
  console.log(['torch', 'torch_cpu', 'c10', ...cuda].map((l) => `-l${l}`).join(' '));
} else {
  console.error('usage: libtorch-paths.cjs include|libdir|libs|defines');
  process.exit(2);
}
