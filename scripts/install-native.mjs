// npm's install step: builds the libtorch addon only when it is missing or stale, and never leaves a checkout
// without a working addon. A stamp (hash of the native sources, binding.gyp, the libtorch headers' version file and
// library, and Node's ABI) sits beside build/Release/simclr_native.node; equal stamp = nothing to do. A rebuild
// runs in build-staging/ and the finished .node replaces the old one by rename, so an interrupted build or a
// failed one leaves the previous addon in place.
// --asan: the AddressSanitizer + UndefinedBehaviorSanitizer build for scripts/asan-run.sh instead, always rebuilt,
// into build-asan/build/Release/ (the normal build stays as it is). Only the addon is instrumented.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'build', 'Release', 'simclr_native.node');
const stampFile = join(root, 'build', 'Release', 'simclr_native.stamp');
const staging = join(root, 'build-staging');
const asanFolder = join(root, 'build-asan');
// -O1 -g: readable ASan reports at a usable speed; UBSan findings abort instead of scrolling past.
const SANITIZE = '-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined';

function libtorchPaths(what) {
  const out = spawnSync(process.execPath, [join(root, 'native', 'libtorch-paths.cjs'), what], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : '';
}

/** The libtorch this build would use: its version header and main library, or null when there is none. */
function findLibtorch() {
  const includes = libtorchPaths('include').split(' ').filter(Boolean);
  const version = includes.map((d) => join(d, 'torch', 'version.h')).find(existsSync);
  const lib = join(libtorchPaths('libdir'), 'libtorch_cpu.so');
  return version && existsSync(lib) ? { version, lib } : null;
}

function stampOf(libtorch) {
  const hash = createHash('sha256');
  const nativeDir = join(root, 'native');
  for (const name of readdirSync(nativeDir).sort()) hash.update(name).update(readFileSync(join(nativeDir, name)));
  hash.update(readFileSync(join(root, 'binding.gyp')));
  hash.update(readFileSync(libtorch.version));
  const lib = statSync(libtorch.lib);
  hash.update(`${libtorch.lib}:${lib.size}:${lib.mtimeMs}:${process.versions.modules}:${process.env.LIBTORCH ?? ''}:${process.env.SIMCLR_NCCL ?? ''}`);
  return hash.digest('hex');
}

function missingLibtorch() {
  console.error([
    'simclr-ts: libtorch was not found, so the native addon cannot be built.',
    '  Debian/Ubuntu: sudo apt-get install libtorch-dev libgloo-dev libopenblas0-openmp g++ make python3',
    '  Another libtorch (for example a CUDA build): LIBTORCH=/path/to/libtorch npm rebuild simclr-ts (or npm ci)',
  ].join('\n'));
  process.exit(1);
}

/** Node's headers as npm's own setting names them (npm passes it to scripts; a direct run asks npm). */
function nodedirArgs() {
  let dir = process.env.npm_config_nodedir;
  if (!dir) dir = spawnSync('npm', ['config', 'get', 'nodedir'], { cwd: root, encoding: 'utf8' }).stdout?.trim();
  return dir && dir !== 'undefined' && dir !== 'null' ? ['--nodedir', dir] : [];
}

/**
 * node-gyp in `folder`, which mirrors the sources (node-gyp builds into ./build of the folder it runs in), so ./build
 * of the checkout is untouched. `env`: extra compiler flags. Returns the built .node.
 */
function buildIn(folder, env = {}) {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  symlinkSync(join(root, 'native'), join(folder, 'native')); // binding.gyp names its sources native/*.cc
  copyFileSync(join(root, 'binding.gyp'), join(folder, 'binding.gyp'));
  // node-addon-api resolves from the folder up through the package's (or the installing project's) node_modules;
  // node-gyp is npm's own under `npm install`, else this checkout's development copy.
  const gyp = process.env.npm_config_node_gyp ?? join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const result = spawnSync(process.execPath, [gyp, 'rebuild', '-j', '2', ...nodedirArgs()], { cwd: folder, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error('simclr-ts: building the native addon failed (the previous build, if any, is kept). See the compiler output above.');
    process.exit(result.status ?? 1);
  }
  return join(folder, 'build', 'Release', 'simclr_native.node');
}

function buildAsan() {
  const started = Date.now();
  const built = buildIn(asanFolder, { CXXFLAGS: `${SANITIZE} -O1 -g`, LDFLAGS: SANITIZE });
  console.log(`simclr-ts: sanitizer build of the addon in ${((Date.now() - started) / 1000).toFixed(0)} s: ${built.slice(root.length + 1)}`);
}

const libtorch = findLibtorch();
if (!libtorch) missingLibtorch();
if (process.argv.includes('--asan')) {
  buildAsan();
  process.exit(0);
}
const stamp = stampOf(libtorch);
if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && !process.env.SIMCLR_FORCE_BUILD) {
  console.log('simclr-ts: native addon up to date (build/Release/simclr_native.node)');
  process.exit(0);
}
const started = Date.now();
console.log(`simclr-ts: building the native addon against ${dirname(libtorch.lib)} (about 1-2 minutes on 2 cores)`);
const built = buildIn(staging);
mkdirSync(dirname(target), { recursive: true });
const incoming = `${target}.incoming`;
copyFileSync(built, incoming);
renameSync(incoming, target); // atomic: running processes keep the old file's inode
writeFileSync(stampFile, stamp);
rmSync(staging, { recursive: true, force: true });
console.log(`simclr-ts: native addon built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
