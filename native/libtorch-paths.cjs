// Prints include or library directories of the libtorch to build against, for binding.gyp.
// LIBTORCH=/path/to/libtorch (an unpacked libtorch, e.g. a CUDA build) overrides Debian's libtorch-dev;
// CMAKE_PREFIX_PATH entries containing share/cmake/Torch are honoured too.
const fs = require('node:fs');
const path = require('node:path');

function libtorchRoot() {
  if (process.env.LIBTORCH) return process.env.LIBTORCH;
  for (const entry of (process.env.CMAKE_PREFIX_PATH || '').split(':').filter(Boolean)) {
    if (fs.existsSync(path.join(entry, 'share/cmake/Torch'))) return entry;
  }
  return null; // Debian: headers in /usr/include, libraries on the default search path
}

const root = libtorchRoot();
const what = process.argv[2];
if (what === 'include') {
  const base = root ? path.join(root, 'include') : '/usr/include';
  console.log([base, path.join(base, 'torch/csrc/api/include')].join(' '));
} else if (what === 'libdir') {
  console.log(root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu');
} else if (what === 'libs') {
  const libdir = root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
  const cuda = ['torch_cuda', 'c10_cuda'].filter((l) => fs.existsSync(path.join(libdir, `lib${l}.so`)));
  console.log(['torch', 'torch_cpu', 'c10', ...cuda].map((l) => `-l${l}`).join(' '));
} else {
  console.error('usage: libtorch-paths.cjs include|libdir|libs');
  process.exit(2);
}
