// --precision of the training stages: bf16 pretraining and fine-tuning train with fp32 master weights and losses,
// fp16 on CPU is refused early, a resume may switch bf16 -> fp32, and the fp16 scaler state goes through checkpoints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { addSchemaFlags, schemaOverrides } from '../../src/cli/schema_flags.js';
import { ConfigError } from '../../src/pipeline/config/config_errors.js';
import { resolveDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { pretrainSchema, resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { loadCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { StopSignal } from '../../src/pipeline/run/stop_signal.js';
import { finetune } from '../../src/pipeline/stages/finetune.js';
import { composeExtraStates, MixedPrecision, resolvePrecision } from '../../src/pipeline/stages/mixed_precision.js';
import { pretrain } from '../../src/pipeline/stages/pretrain.js';
import { dispose, hasNativeBf16, liveTensors, zeros } from '../../src/tensor/index.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-precision-');
after(cleanup);
const readJsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('a bf16 pretraining run trains (finite, falling loss), keeps fp32 weights and records its precision', async () => {
  const out = join(dir, 'pretrain-bf16');
  const live = liveTensors();
  const config = resolvePretrainConfig({ preset: 'tiny', overrides: { steps: 24, logEvery: 1, checkpointEvery: 24, learningRate: 1.0, evalLimit: 100, precision: 'bf16' } });
  const summary = await pretrain(config, { out });
  assert.equal(summary.precision, 'bf16');
  assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).precision, 'bf16');
  const losses = readJsonl(join(out, 'metrics.jsonl')).filter((r) => 'contrastive_loss' in r).map((r) => r.contrastive_loss);
  assert.equal(losses.length, 24);
  assert.ok(losses.every(Number.isFinite), `non-finite loss: ${losses}`);
  assert.ok(mean(losses.slice(-6)) < mean(losses.slice(0, 6)) - 0.05, `loss did not fall: ${mean(losses.slice(0, 6))} -> ${mean(losses.slice(-6))}`);
  const { sidecar, weights } = loadCheckpoint<unknown, { precision?: string }>(join(out, 'checkpoints/step-0000024.json'));
  try {
    assert.equal(sidecar.extra.precision, 'bf16');
    const floats = [...weights].filter(([name]) => !name.endsWith('num_batches_tracked'));
    assert.ok(floats.length > 10);
    for (const [name, t] of floats) assert.equal(t.dtype, 'float32', `${name} saved as ${t.dtype}`);
  } finally {
    dispose([...weights.values()]);
  }
  assert.equal(liveTensors(), live, 'tensors leaked');
});

test('a bf16 run resumes in fp32 (precision is a resumable setting)', async () => {
  const out = join(dir, 'pretrain-switch');
  const base = { steps: 4, logEvery: 1, checkpointEvery: 2, evalLimit: 50, memorySize: 64 };
  const stop = new StopSignal();
  await pretrain(resolvePretrainConfig({ preset: 'tiny', overrides: { ...base, precision: 'bf16' } }), {
    out, stop, onEvent: (e) => { if (e.type === 'checkpoint' && e.step === 2) stop.request('test'); },
  });
  const resumed = await pretrain(resolvePretrainConfig({ preset: 'tiny', overrides: { ...base, precision: 'fp32' } }), { out, resume: true });
  assert.equal(resumed.steps, 4);
  assert.equal(resumed.precision, 'fp32');
  assert.ok(Number.isFinite(resumed.loss));
});

test('fp16 on CPU is refused before anything runs, naming --precision', () => {
  const message = /--precision fp16 needs --device cuda: libtorch has no float16 autocast on CPU/;
  assert.throws(() => resolvePretrainConfig({ preset: 'tiny', overrides: { precision: 'fp16' } }), (err) => err instanceof ConfigError && message.test(err.message));
  assert.throws(() => resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, precision: 'fp16' } }), message);
  assert.throws(() => resolveDistillConfig({ preset: 'tiny', overrides: { teacher: 'x', precision: 'fp16' } }), message);
  assert.throws(() => new MixedPrecision('fp16', 'cpu'), message);
  assert.throws(() => resolvePretrainConfig({ preset: 'tiny', overrides: { precision: 'fp8' } }), /precision/);
  assert.equal(resolvePretrainConfig({ preset: 'tiny' }).precision, 'fp32');
});

test('--precision is a CLI flag with four choices', () => {
  const shape = pretrainSchema.shape as unknown as Record<string, never>;
  const parse = (words: string[]) => schemaOverrides(addSchemaFlags(new Command().exitOverride().configureOutput({ writeErr: () => {} }), shape).parse(words, { from: 'user' }).opts(), shape);
  assert.deepEqual(parse(['--precision', 'bf16']), { precision: 'bf16' });
  assert.deepEqual(parse(['--precision', 'auto']), { precision: 'auto' });
  assert.throws(() => parse(['--precision', 'half']), /Allowed choices are fp32, bf16, fp16, auto/);
});

test("--precision auto is bf16 where the CPU or GPU does bf16 natively, fp32 elsewhere; explicit choices pass through", () => {
  const machine = (cpu: boolean, gpu: boolean) => ({ cpu: () => cpu, cuda: () => gpu });
  assert.equal(resolvePrecision('auto', 'cpu', machine(true, false)), 'bf16');
  assert.equal(resolvePrecision('auto', 'cpu', machine(false, true)), 'fp32');
  assert.equal(resolvePrecision('auto', 'cuda:1', machine(false, true)), 'bf16');
  assert.equal(resolvePrecision('auto', 'cuda', machine(true, false)), 'fp32');
  for (const p of ['fp32', 'bf16', 'fp16'] as const) assert.equal(resolvePrecision(p, 'cpu', machine(true, true)), p);
  const bf16 = new MixedPrecision('auto', 'cpu', machine(true, false));
  assert.equal(bf16.precision, 'bf16');
  assert.equal(bf16.describe(), ', bf16 mixed precision (--precision auto: native bf16 here)');
  const fp32 = new MixedPrecision('auto', 'cpu', machine(false, false));
  assert.equal(fp32.precision, 'fp32');
  assert.equal(fp32.scaler, null);
  assert.equal(fp32.describe(), ', fp32 (--precision auto: no native bf16 here)');
  assert.equal(new MixedPrecision('fp32').describe(), '');
  assert.equal(new MixedPrecision('bf16').describe(), ', bf16 mixed precision');
});

test('a pretraining run at --precision auto records the precision it ran in, and the config keeps auto', async () => {
  const out = join(dir, 'pretrain-auto');
  const config = resolvePretrainConfig({ preset: 'tiny', overrides: { steps: 2, logEvery: 1, checkpointEvery: 0, evalLimit: 32, precision: 'auto' } });
  const summary = await pretrain(config, { out });
  assert.equal(summary.precision, hasNativeBf16() ? 'bf16' : 'fp32');
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).precision, 'auto');
});

test('a bf16 supervised baseline (finetune without from) trains and records its precision', async () => {
  const config = resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, widthMultiplier: 0.125, steps: 4, evalLimit: 32, precision: 'bf16' } });
  const summary = await finetune(config, { out: join(dir, 'finetune-bf16') });
  assert.equal(summary.precision, 'bf16');
  assert.equal(summary.steps, 4);
  const losses = readJsonl(join(dir, 'finetune-bf16', 'metrics.jsonl')).filter((r) => 'loss' in r).map((r) => r.loss);
  assert.equal(losses.length, 4);
  assert.ok(losses.every(Number.isFinite), `non-finite loss: ${losses}`);
  assert.ok(summary.top1 !== null && summary.top1 >= 0 && summary.top1 <= 1, `top1 ${summary.top1}`);
});

test('the fp16 scaler state round-trips through extraState; a checkpoint without it is refused', () => {
  const a = new MixedPrecision('fp16', 'cuda'); // no CUDA is touched: only the scaler and the autocast options exist
  const b = new MixedPrecision('fp16', 'cuda');
  assert.equal(new MixedPrecision('bf16').extraState(), undefined);
  a.scaler!.loadStateDict({ ...a.scaler!.stateDict(), scale: 512, growthTracker: 7 });
  const { extra, tensors } = a.extraState()!.save();
  b.extraState()!.restore(extra, tensors, 'step.json');
  assert.deepEqual(b.scaler!.stateDict(), a.scaler!.stateDict());
  assert.throws(() => b.extraState()!.restore({ precision: 'bf16' }, new Map(), 'ckpt/step-2.json'),
    /--resume with --precision fp16: ckpt\/step-2.json has no gradient-scaler state \(it was trained with --precision bf16\)/);
});

test('composeExtraStates saves and restores every part', () => {
  const seen: string[] = [];
  const part = (key: string) => ({
    save: () => ({ extra: { [key]: 1 }, tensors: new Map([[key, zeros([1])]]) }),
    restore: (extra: Record<string, unknown>, tensors: Map<string, unknown>) => { if (extra[key] === 1 && tensors.has(key)) seen.push(key); },
  });
  assert.equal(composeExtraStates(undefined, undefined), undefined);
  const one = part('a');
  assert.equal(composeExtraStates(undefined, one), one);
  const both = composeExtraStates(part('a'), undefined, part('b'))!;
  const { extra, tensors } = both.save();
  assert.deepEqual(extra, { a: 1, b: 1 });
  both.restore(extra, tensors, 'x.json');
  assert.deepEqual(seen, ['a', 'b']);
  dispose([...tensors.values()]);
});
