// --device checks before any work: CUDA without a CUDA build or GPU, an unknown device type, a GPU index too large.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDevice, stageDevice } from '../../src/pipeline/stages/device_check.js';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { finetune } from '../../src/pipeline/stages/finetune.js';
import { cuda } from '../../src/tensor/index.js';

test('cpu passes; other device types and malformed names are errors naming --device', () => {
  checkDevice('cpu');
  assert.throws(() => checkDevice('mps'), /--device mps: only cpu, cuda and cuda:N are supported/);
  assert.throws(() => checkDevice('cuda:x'), /--device: 'cuda:x' is not a device/);
});

test('without a usable GPU, cuda is refused before any work, naming the flag', { skip: cuda.isAvailable() ? 'CUDA present' : false }, async () => {
  assert.throws(() => checkDevice('cuda'), /--device cuda: no CUDA device is usable here \(libtorch built without CUDA, or no GPU visible to this process\); use --device cpu/);
  assert.throws(() => stageDevice('cuda', { rank: 1, size: 2 }), /--device cuda:1: no CUDA device is usable here/);
  const out = join(mkdtempSync(join(tmpdir(), 'simclr-device-')), 'run');
  try {
    const config = resolveFinetuneConfig({ preset: 'tiny', overrides: { device: 'cuda', labels: '1%', depth: 18, widthMultiplier: 0.125 } });
    await assert.rejects(finetune(config, { out }), /--device cuda: no CUDA device is usable here/);
    assert.equal(existsSync(join(out, 'config.json')), false, 'nothing written for a refused device');
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

test('with CUDA, an index past the last GPU is an error listing the ones there are', { skip: cuda.isAvailable() ? false : 'no CUDA device (the GPU check runs this)' }, () => {
  const count = cuda.deviceCount();
  checkDevice('cuda:0');
  assert.throws(() => checkDevice(`cuda:${count}`), new RegExp(`this machine has ${count} CUDA device\\(s\\), cuda:0 to cuda:${count - 1}`));
});
