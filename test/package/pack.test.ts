// The published package: `npm pack` (prepare compiles dist/), install the tarball into a fresh project, then import
// it from TypeScript (types resolve: a wrong type is an error) and from plain JavaScript, and run its `simclr` bin.
// The native addon is copied in rather than rebuilt (scripts/install-native.mjs is what `npm install` would run).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'simclr-pack-'));
const consumer = join(work, 'consumer');
after(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

before(() => {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], repo)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), 'dist/ is packed');
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources and tests stay out');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const typesNode = (JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')).packages['node_modules/@types/node'] as { version: string }).version;
  run('npm', ['install', tarball, `@types/node@${typesNode}`, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], consumer);
  const addonDir = join(consumer, 'node_modules', 'simclr-ts', 'build', 'Release');
  mkdirSync(addonDir, { recursive: true });
  copyFileSync(join(repo, 'build', 'Release', 'simclr_native.node'), join(addonDir, 'simclr_native.node'));
});

test('TypeScript resolves the types: correct code compiles, a wrong type is an error', () => {
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['main.ts'],
  }));
  writeFileSync(join(consumer, 'main.ts'), [
    "import { tensor, nn, stages } from 'simclr-ts';",
    'const x: tensor.Tensor = tensor.ones([2, 3]);',
    'const layer = new nn.Linear({ inFeatures: 3, outFeatures: 4 });',
    'const shape: number[] = layer.forward(x).shape;',
    "const config: stages.PretrainConfig = stages.resolvePretrainConfig({ preset: 'tiny' });",
    '// @ts-expect-error a tensor is not a number: this line fails to compile only if the types resolved',
    'const wrong: number = x;',
    'console.log(shape, config.depth, wrong);',
  ].join('\n'));
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc: ${tsc.stdout}${tsc.stderr}`);
});

test('plain JavaScript imports the package and trains a step on libtorch', () => {
  writeFileSync(join(consumer, 'main.mjs'), [
    "import { tensor, nn, optim } from 'simclr-ts';",
    'const layer = new nn.Linear({ inFeatures: 3, outFeatures: 1 });',
    'const opt = new optim.SGD(layer.parameters(), { lr: 0.1 });',
    'const x = tensor.ones([4, 3]);',
    'const loss = () => layer.forward(x).pow(2).mean();',
    'const before = loss().item();',
    'loss().backward(); opt.step();',
    'console.log(JSON.stringify({ before, after: loss().item() }));',
  ].join('\n'));
  const out = JSON.parse(run(process.execPath, ['main.mjs'], consumer)) as { before: number; after: number };
  assert.ok(out.after < out.before, `one SGD step did not lower the loss: ${out.before} -> ${out.after}`);
});

test('the installed simclr bin runs from dist/', () => {
  const help = run(join(consumer, 'node_modules', '.bin', 'simclr'), ['--help'], consumer);
  assert.match(help, /pretrain/);
  assert.match(help, /doctor/);
});
