// CUDA end to end (issue 14, item 3): every stage on --device cuda gives the CPU's losses within float tolerance,
// checkpoints are CPU safetensors that load and resume on either device, evaluation and inference run on the GPU,
// batches arrive through pinned memory, fp16 steps go through the gradient scaler. Without a GPU every test says it
// is skipped; scripts/gpu-check.sh runs this file on the GPU machine.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataLoader } from '../../src/data/loader.js';
import { firstN } from '../../src/data/dataset.js';
import { loadDataSpec } from '../../src/data/spec.js';
import { resolvePretrainConfig, type PretrainConfigInput } from '../../src/pipeline/config/pretrain_config.js';
import { resolveFinetuneConfig, type FinetuneConfigInput } from '../../src/pipeline/config/finetune_config.js';
import { resolveDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { pretrain } from '../../src/pipeline/stages/pretrain.js';
import { finetune } from '../../src/pipeline/stages/finetune.js';
import { distill } from '../../src/pipeline/stages/distill.js';
import { evaluateCheckpoint } from '../../src/pipeline/stages/evaluate.js';
import { loadModel } from '../../src/pipeline/stages/predict.js';
import { loadCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { StopSignal } from '../../src/pipeline/run/stop_signal.js';
import type { StageEvent } from '../../src/pipeline/run/events.js';
import { cuda, dispose, liveTensors } from '../../src/tensor/index.js';
import { maxAbsDiff, readJson, stepLosses, tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from './helpers.js';

const skip = cuda.isAvailable() ? false : 'no CUDA device (scripts/gpu-check.sh runs these on the GPU machine)';
// GPU kernels sum in other orders than the CPU's (cuDNN picks its algorithms): a few steps agree to about 1e-4.
const TOLERANCE = 2e-3;

/** The grad_scale every logged fp16 step used. */
function stepScales(run: string): number[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((r) => typeof r.grad_scale === 'number').map((r) => r.grad_scale as number);
}

describe('CUDA end to end', { skip }, () => {
  const { dir, cleanup } = tempDir('simclr-cuda-');
  after(cleanup);
  const pretrained = skip ? '' : writePretrainCheckpoint(join(dir, 'pretrained'));
  const teacher = skip ? '' : writeFinetuneCheckpoint(join(dir, 'teacher'), pretrained);
  const pretrainConfig = (o: Partial<PretrainConfigInput>) => resolvePretrainConfig({ preset: 'tiny', overrides: { steps: 4, logEvery: 1, checkpointEvery: 2, evalLimit: 64, ...o } });
  const finetuneConfig = (o: Partial<FinetuneConfigInput>) => resolveFinetuneConfig({ preset: 'tiny', overrides: { from: pretrained, labels: '10%', steps: 4, logEvery: 1, evalLimit: 64, ...o } });

  it('the data loader pins each batch and copies it to the GPU', async () => {
    const data = firstN((await loadDataSpec('fashion-mnist')).train, 64);
    const loader = new DataLoader(data, { batchSize: 16, seed: 0, device: 'cuda' });
    const batch = loader.next();
    assert.equal(batch.x!.device, 'cuda:0');
    assert.equal(batch.labels!.device, 'cuda:0');
    dispose([batch.x, batch.labels]);
  });

  it('pretraining on cuda matches the CPU step by step; its checkpoint holds CPU tensors', async () => {
    const before = liveTensors();
    const cpu = await pretrain(pretrainConfig({}), { out: join(dir, 'pretrain-cpu') });
    const gpu = await pretrain(pretrainConfig({ device: 'cuda' }), { out: join(dir, 'pretrain-cuda') });
    assert.equal(liveTensors(), before, 'a CUDA run leaves no tensor alive');
    const [a, b] = [stepLosses(join(dir, 'pretrain-cpu')), stepLosses(join(dir, 'pretrain-cuda'))];
    assert.ok(maxAbsDiff(a.map(([, l]) => l), b.map(([, l]) => l)) <= TOLERANCE, `losses cpu ${a} vs cuda ${b}`);
    assert.ok(Math.abs((cpu.knn_top1 as number) - (gpu.knn_top1 as number)) <= 0.05, `kNN ${cpu.knn_top1} vs ${gpu.knn_top1}`);
    const { weights } = loadCheckpoint(gpu.checkpoint);
    for (const [name, t] of weights) assert.equal(t.device, 'cpu', `${name} was saved from the GPU as is`);
    dispose([...weights.values()]);
  });

  it('a run stopped on cuda resumes on the cpu (and one stopped on the cpu on cuda) as if uninterrupted', async () => {
    for (const [first, second] of [['cuda', 'cpu'], ['cpu', 'cuda']] as const) {
      const out = join(dir, `resume-${first}-${second}`);
      const stop = new StopSignal();
      const stopAt2 = (e: StageEvent) => {
        if (e.type === 'step' && e.step === 2) stop.request('test');
      };
      const interrupted = await pretrain(pretrainConfig({ device: first }), { out, stop, onEvent: stopAt2 });
      assert.equal(interrupted.interrupted, true);
      await pretrain(pretrainConfig({ device: second }), { out, resume: true });
      const [whole, halves] = [stepLosses(join(dir, 'pretrain-cpu')), stepLosses(out)];
      assert.deepEqual(halves.map(([step]) => step), [1, 2, 3, 4]);
      assert.ok(maxAbsDiff(whole.map(([, l]) => l), halves.map(([, l]) => l)) <= TOLERANCE, `${first} -> ${second}: ${halves} vs ${whole}`);
    }
  });

  it('fine-tuning, distillation, evaluation and prediction on cuda agree with the CPU', async () => {
    await finetune(finetuneConfig({}), { out: join(dir, 'finetune-cpu') });
    const tuned = await finetune(finetuneConfig({ device: 'cuda' }), { out: join(dir, 'finetune-cuda') });
    const [a, b] = [stepLosses(join(dir, 'finetune-cpu')), stepLosses(join(dir, 'finetune-cuda'))];
    assert.ok(maxAbsDiff(a.map(([, l]) => l), b.map(([, l]) => l)) <= TOLERANCE, `fine-tuning cpu ${a} vs cuda ${b}`);

    const distilled = await distill(resolveDistillConfig({ preset: 'tiny', overrides: { teacher, alpha: 0.5, labels: '10%', steps: 3, evalLimit: 64, device: 'cuda' } }), { out: join(dir, 'distill-cuda') });
    assert.equal(typeof distilled.top1, 'number');
    assert.equal(typeof distilled.teacher_top1, 'number');

    const [onCpu, onGpu] = [
      await evaluateCheckpoint(tuned.checkpoint, { data: 'fashion-mnist', limit: 128, trainLimit: 256, knn: { k: 10 }, linear: { maxIterations: 50 } }),
      await evaluateCheckpoint(tuned.checkpoint, { data: 'fashion-mnist', limit: 128, trainLimit: 256, knn: { k: 10 }, linear: { maxIterations: 50 }, device: 'cuda' }),
    ];
    assert.ok(Math.abs(onCpu.top1! - onGpu.top1!) <= 2 / 128, `classifier ${onCpu.top1} vs ${onGpu.top1}`);
    assert.ok(Math.abs(onCpu.knn_top1! - onGpu.knn_top1!) <= 2 / 128, `kNN ${onCpu.knn_top1} vs ${onGpu.knn_top1}`);
    assert.ok(Math.abs(onCpu.linear_top1! - onGpu.linear_top1!) <= 4 / 128, `linear ${onCpu.linear_top1} vs ${onGpu.linear_top1}`);

    const images = firstN((await loadDataSpec('fashion-mnist')).test!, 20);
    const [mc, mg] = [await loadModel(tuned.checkpoint), await loadModel(tuned.checkpoint, { device: 'cuda' })];
    try {
      const [pc, pg] = [await mc.predict(images), await mg.predict(images)];
      assert.equal(pg.probabilities.device, 'cpu', 'outputs come back on the CPU');
      assert.ok(maxAbsDiff(pc.probabilities.toFlatArray(), pg.probabilities.toFlatArray()) <= 1e-4);
      dispose([pc.probabilities, pg.probabilities]);
    } finally {
      mc.dispose();
      mg.dispose();
    }
  });

  it('fp16 on cuda: steps through the gradient scaler, whose state the checkpoint keeps; bf16 stays near fp32', async () => {
    const fp16 = await finetune(finetuneConfig({ device: 'cuda', precision: 'fp16' }), { out: join(dir, 'finetune-fp16') });
    const bf16 = await finetune(finetuneConfig({ device: 'cuda', precision: 'bf16' }), { out: join(dir, 'finetune-bf16') });
    const fp32 = stepLosses(join(dir, 'finetune-cuda'));
    for (const [name, run] of [['fp16', 'finetune-fp16'], ['bf16', 'finetune-bf16']]) {
      const losses = stepLosses(join(dir, run));
      assert.ok(maxAbsDiff(fp32.map(([, l]) => l), losses.map(([, l]) => l)) <= 0.05, `${name} ${losses} vs fp32 ${fp32}`);
    }
    assert.equal(fp16.precision, 'fp16');
    assert.equal(bf16.precision, 'bf16');
    const sidecar = readJson<{ extra: { precision: string; gradScaler?: { scale: number } } }>(fp16.checkpoint);
    assert.equal(sidecar.extra.precision, 'fp16');
    assert.ok((sidecar.extra.gradScaler?.scale ?? 0) > 0, 'the checkpoint keeps the scaler state');
    const scales = stepScales(join(dir, 'finetune-fp16'));
    assert.equal(scales.length, 4, 'every fp16 step logs the scale it used');
  });

  it('--precision auto on a bf16-capable GPU (compute capability 8.0+) trains in bf16', async () => {
    assert.equal(cuda.supportsBf16(), true, 'the GPU check runs on an H200: native bf16');
    const auto = await finetune(finetuneConfig({ device: 'cuda', precision: 'auto' }), { out: join(dir, 'finetune-auto') });
    assert.equal(auto.precision, 'bf16');
  });

  it('pretraining with a memory queue and an EMA encoder runs on cuda', async () => {
    const s = await pretrain(pretrainConfig({ device: 'cuda', memorySize: 64, steps: 3, checkpointEvery: 3 }), { out: join(dir, 'memory-cuda') });
    assert.equal(s.interrupted, false);
    assert.ok(Number.isFinite(s.loss as number));
  });
});
