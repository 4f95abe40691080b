// The pretraining stage end to end on tiny settings: loss falls, run folder contract, exact resume,
// the online linear head never sends gradient into the encoder, config validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { pretrain } from '../../src/pipeline/stages/pretrain.js';
import { setupPretrain } from '../../src/pipeline/stages/pretrain_setup.js';
import { loadCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { ConfigError } from '../../src/pipeline/config/config_errors.js';
import { buildModel } from '../../src/models/index.js';
import { ntXent } from '../../src/losses/ntxent.js';
import { F, cat, manualSeed, randn, randint, tidy, dispose, liveTensors } from '../../src/tensor/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'simclr-pretrain-'));
const readJsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

test('a short run lowers the contrastive loss and writes the whole run folder', async () => {
  const out = tmp();
  try {
    const config = resolvePretrainConfig({ preset: 'tiny', overrides: { steps: 40, logEvery: 1, checkpointEvery: 20, learningRate: 1.0, evalLimit: 200 } });
    const summary = await pretrain(config, { out });
    for (const file of ['config.json', 'metrics.jsonl', 'summary.json', 'checkpoints/step-0000040.json', 'checkpoints/step-0000040.safetensors', 'checkpoints/step-0000040.train.safetensors']) {
      assert.ok(existsSync(join(out, file)), `missing ${file}`);
    }
    const saved = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(saved, JSON.parse(JSON.stringify(summary)));
    for (const key of ['knn_top1', 'linear_top1', 'contrastive_top1', 'images_per_s', 'epochs', 'steps', 'wall_s']) assert.equal(typeof saved[key], 'number', key);
    assert.equal(saved.steps, 40);
    const losses = readJsonl(join(out, 'metrics.jsonl')).filter((r) => 'contrastive_loss' in r).map((r) => r.contrastive_loss as number);
    assert.equal(losses.length, 40);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-8)) < mean(losses.slice(0, 8)) - 0.1, `loss did not fall: ${mean(losses.slice(0, 8))} -> ${mean(losses.slice(-8))}`);
    const { sidecar, weights } = loadCheckpoint(join(out, 'checkpoints/step-0000040.json'));
    assert.equal(sidecar.kind, 'pretrain');
    for (const name of ['encoder.conv1.weight', 'projection_head.0.linear.weight', 'supervised_head.weight']) {
      assert.ok(weights.has(name), `checkpoint lacks ${name}: ${[...weights.keys()].slice(0, 8).join(', ')}...`);
    }
    dispose([...weights.values()]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('k steps + resume for k steps equals 2k steps (losses and final weights)', async () => {
  const [whole, split] = [tmp(), tmp()];
  try {
    const base = { steps: 12, logEvery: 1, checkpointEvery: 6, keepCheckpoints: 3, evalLimit: 100, memorySize: 64 };
    await pretrain(resolvePretrainConfig({ preset: 'tiny', overrides: base }), { out: whole });
    // Interrupt after the step-6 checkpoint by asking to stop at once, then resume.
    const stop = { requested: null as string | null };
    await pretrain(resolvePretrainConfig({ preset: 'tiny', overrides: base }), {
      out: split, stop: stop as never,
      onEvent: (e) => { if (e.type === 'checkpoint' && e.step === 6) stop.requested = 'test'; },
    });
    assert.equal(JSON.parse(readFileSync(join(split, 'summary.json'), 'utf8')).steps, 6);
    await pretrain(resolvePretrainConfig({ preset: 'tiny', overrides: base }), { out: split, resume: true });
    const lossesOf = (dir: string) => readJsonl(join(dir, 'metrics.jsonl')).filter((r) => 'loss' in r).map((r) => [r.step, r.loss]);
    const [a, b] = [lossesOf(whole), lossesOf(split)];
    assert.equal(a.length, 12);
    assert.equal(b.length, 12);
    a.forEach(([step, loss], i) => {
      assert.equal(b[i][0], step);
      assert.ok(Math.abs(b[i][1] - loss) < 1e-5, `step ${step}: ${loss} vs ${b[i][1]}`);
    });
    const wa = loadCheckpoint(join(whole, 'checkpoints/step-0000012.json')).weights;
    const wb = loadCheckpoint(join(split, 'checkpoints/step-0000012.json')).weights;
    for (const [name, t] of wa) {
      const diff = tidy(() => t.float().sub(wb.get(name)!.float()).abs().max().item());
      assert.ok(diff < 1e-5, `${name} differs by ${diff}`);
    }
    dispose([...wa.values(), ...wb.values()]);
  } finally {
    rmSync(whole, { recursive: true, force: true });
    rmSync(split, { recursive: true, force: true });
  }
});

test('the online linear head never sends gradient into the encoder', () => {
  manualSeed(0);
  const description = { depth: 18, widthMultiplier: 0.125, inChannels: 1, imageSize: 16, numClasses: 10 } as const;
  const withHead = buildModel(description);
  const without = buildModel({ ...description, numClasses: 0 });
  without.loadStateDict(withHead.stateDict(), { strict: false });
  const before = liveTensors();
  const encoderGrads = (model: typeof withHead, useHead: boolean) => tidy(() => {
    manualSeed(1);
    const x = randn([8, 1, 16, 16]); // (2N, C, H, W)
    const labels = randint(0, 10, [8]);
    const out = model.forward(x, { linearEval: true });
    let loss = ntXent(out.z, { temperature: 0.5 }).loss;
    if (useHead) loss = loss.add(F.crossEntropy(out.logits!, labels));
    model.zeroGrad();
    loss.backward();
    return cat(model.encoder.parameters().map((p) => p.grad!.flatten()), 0).toFlatArray();
  });
  const a = encoderGrads(withHead, true);
  const b = encoderGrads(without, false);
  assert.equal(a.length, b.length);
  a.forEach((g, i) => assert.ok(Math.abs(g - b[i]) <= 1e-6 * Math.max(1, Math.abs(g)), `grad ${i}: ${g} vs ${b[i]}`));
  tidy(() => assert.ok(withHead.supervisedHead!.weight.grad !== null, 'the head itself must learn'));
  withHead.zeroGrad();
  without.zeroGrad();
  assert.equal(liveTensors(), before);
  withHead.dispose();
  without.dispose();
});

test('linearEvalLrScale slows only the online linear head (default 1, as the official code)', async () => {
  const setup = await setupPretrain(resolvePretrainConfig({ preset: 'tiny', overrides: { linearEvalLrScale: 0.1 } }));
  try {
    const head = setup.model.supervisedHead!.parameters();
    assert.equal(head.length, 2);
    for (const p of head) assert.equal(p.lrScale, 0.1);
    for (const p of setup.model.parameters().filter((q) => !head.includes(q))) assert.equal(p.lrScale, 1);
    assert.equal(resolvePretrainConfig({ preset: 'tiny' }).linearEvalLrScale, 1);
    assert.throws(() => resolvePretrainConfig({ preset: 'tiny', overrides: { linearEvalLrScale: 0 } }), /linearEvalLrScale/);
  } finally {
    setup.model.dispose();
    setup.optimizer.dispose();
  }
});

test('viewSize renders the training views at that side; the model and evaluation keep the native 28 px', async () => {
  const setup = await setupPretrain(resolvePretrainConfig({ preset: 'tiny', overrides: { viewSize: 20 } }));
  const batch = setup.loader.next();
  try {
    for (const view of batch.views!) assert.deepEqual(view.shape.slice(-2), [20, 20]);
    assert.equal(setup.model.description.imageSize, 28);
    assert.throws(() => resolvePretrainConfig({ preset: 'tiny', overrides: { viewSize: 2 } }), /viewSize/);
  } finally {
    dispose([batch.views, batch.labels]);
    setup.model.dispose();
    setup.optimizer.dispose();
  }
});

test('config validation: clear errors for bad values, unknown keys and missing data', () => {
  const problems = (overrides: Record<string, unknown>, preset: string | null = 'tiny') => {
    try {
      resolvePretrainConfig({ preset: preset ?? undefined, overrides });
      return '';
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return (err as Error).message;
    }
  };
  assert.match(problems({ learningRate: -1 }), /learningRate/);
  assert.match(problems({ batchSize: 1 }), /batchSize must be at least 2/);
  assert.match(problems({ tempreature: 0.5 }), /unknown key 'tempreature' \(did you mean 'temperature'\?\)/);
  assert.match(problems({}, null), /data is required/);
  assert.match(problems({ depth: 19 }), /depth/);
  assert.match(problems({ device: 'gpu' }), /device must be/);
  assert.throws(() => resolvePretrainConfig({ preset: 'nope' }), /unknown pretrain preset 'nope'/);
  assert.equal(problems({ temperature: 0.2 }), '');
});
