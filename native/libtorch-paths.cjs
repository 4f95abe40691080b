// Prints include or library directories of the libtorch to build against, for binding.gyp.
// LIBTORCH=/path/to/libtorch (an unpacked libtorch, e.g. a CUDA build) overrides Debian's libtorch-dev;
// CMAKE_PREFIX_PATH entries containing share/cmake/Torch are honoured too. `defines` enables NCCL process groups.
const fs = require('node:fs');
const path = require('node:path');

function libtorchRoot() {
  if (process.env.LIBTORCH) return process.env.LIBTORCH;
  for (const entry of (process.env.CMAKE_PREFIX_PATH || '').split(':').filter(Boolean)) {
    if (fs.existsSync(path.join(entry, 'share/cmake/Torch'))) return entry;
  }
  return null; // Debian: headers in /usr/include, libraries on the default search path
}

// NCCL for CUDA tensors in process groups: needs a CUDA libtorch with ProcessGroupNCCL, nccl.h and the CUDA headers.
// SIMCLR_NCCL=0 turns it off. Without it, collectives on CUDA tensors go through Gloo.
function ncclIncludes(root, libdir) {
  if (process.env.SIMCLR_NCCL === '0') return null;
  const base = root ? path.join(root, 'include') : '/usr/include';
  if (!fs.existsSync(path.join(base, 'torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp'))) return null;
  if (!fs.existsSync(path.join(libdir, 'libtorch_cuda.so'))) return null;
  const cudaHome = process.env.CUDA_HOME || process.env.CUDA_PATH || '/usr/local/cuda';
  const dirs = [base, path.join(cudaHome, 'include'), '/usr/include'];
  const nccl = dirs.find((d) => fs.existsSync(path.join(d, 'nccl.h')));
  const cuda = dirs.find((d) => fs.existsSync(path.join(d, 'cuda_runtime_api.h')));
  return nccl && cuda ? [...new Set([nccl, cuda])] : null;
}

const root = libtorchRoot();
const libdirOf = () => (root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu');
const what = process.argv[2];
if (what === 'include') {
  const base = root ? path.join(root, 'include') : '/usr/include';
  if (![base, '/usr/include', '/usr/local/include'].some((d) => fs.existsSync(path.join(d, 'gloo/rendezvous/store.h')))) {
    console.error('libtorch-paths: Gloo headers (gloo/rendezvous/store.h) not found; c10d process groups need them: apt-get install libgloo-dev');
  }
  console.log([base, path.join(base, 'torch/csrc/api/include'), ...(ncclIncludes(root, libdirOf()) ?? [])].join(' '));
} else if (what === 'defines') {
  console.log(ncclIncludes(root, libdirOf()) ? 'SIMCLR_WITH_NCCL USE_C10D_NCCL' : '');
} else if (what === 'libdir') {
  console.log(root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu');
} else if (what === 'libs') {
  const libdir = root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
  const cuda = ['torch_cuda', 'c10_cuda'].filter((l) => fs.existsSync(path.join(libdir, `lib${l}.so`)));
  console.log(['torch', 'torch_cpu', 'c10', ...cuda].map((l) => `-l${l}`).join(' '));
} else {
  console.error('usage: libtorch-paths.cjs include|libdir|libs|defines');
  process.exit(2);
}
