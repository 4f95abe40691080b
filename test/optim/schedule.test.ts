// Learning-rate schedules against the hand formulas of google-research/simclr tf2/model.py
// (WarmUpAndCosineDecay, get_train_steps, learning_rate_scaling), and setLr driving an optimiser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parameter } from '../../src/nn/index.js';
import {
  constantSchedule, scaleLearningRate, SGD, trainSteps, warmupCosineSchedule, warmupStepsFromEpochs, warmupStepsFromFraction,
} from '../../src/optim/index.js';
import { dispose, ones, tidy } from '../../src/tensor/index.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('warm-up + cosine schedule', () => {
  const lr = 1.2;
  const s = warmupCosineSchedule({ lr, totalSteps: 1000, warmupSteps: 100 });

  it('rises linearly from 0 during warm-up', () => {
    close(s(0), 0, 'step 0');
    close(s(1), lr / 100, 'step 1');
    close(s(50), 0.6, 'half-way through warm-up');
    close(s(99), (lr * 99) / 100, 'last warm-up step');
  });

  it('peaks at the end of warm-up and follows lr/2 (1 + cos(pi t)) after it', () => {
    close(s(100), lr, 'warm-up end');
    close(s(325), lr * 0.5 * (1 + Math.cos(Math.PI * 0.25)), 'quarter of the decay');
    close(s(550), lr / 2, 'mid-cosine');
    close(s(775), lr * 0.5 * (1 + Math.cos(Math.PI * 0.75)), 'three quarters');
    close(s(1000), 0, 'end');
    close(s(1500), 0, 'held at 0 after the end');
  });

  it('without warm-up starts at the peak', () => {
    const noWarmup = warmupCosineSchedule({ lr: 0.5, totalSteps: 10, warmupSteps: 0 });
    close(noWarmup(0), 0.5, 'step 0');
    close(noWarmup(5), 0.25, 'mid');
  });

  it('rejects inconsistent step counts', () => {
    assert.throws(() => warmupCosineSchedule({ lr, totalSteps: 100, warmupSteps: 100 }), /totalSteps \(100\) must be an integer greater than warmupSteps \(100\)/);
    assert.throws(() => warmupCosineSchedule({ lr, totalSteps: 100, warmupSteps: -1 }), /warmupSteps must be an integer >= 0/);
  });

  it('constant schedule', () => {
    const c = constantSchedule(0.1);
    assert.deepEqual([c(0), c(10_000)], [0.1, 0.1]);
  });
});

describe('step counts and learning-rate scaling (official flags)', () => {
  it('warm-up steps from epochs as round(epochs * examples // batch)', () => {
    assert.equal(warmupStepsFromEpochs(10, 50_000, 512), 976);
    assert.equal(warmupStepsFromEpochs(0, 50_000, 512), 0);
    assert.equal(warmupStepsFromEpochs(0.5, 1000, 100), 5);
  });

  it('warm-up steps as a fraction of training (5% in the v2 paper)', () => {
    assert.equal(warmupStepsFromFraction(0.05, 1000), 50);
    assert.equal(warmupStepsFromFraction(0.05, 9766), 488);
    assert.throws(() => warmupStepsFromFraction(1.5, 10), /fraction must be in \[0, 1\]/);
  });

  it('total steps as get_train_steps: examples * epochs // batch + 1, unless given', () => {
    assert.equal(trainSteps({ numExamples: 50_000, epochs: 100, batchSize: 512 }), 9766);
    assert.equal(trainSteps({ numExamples: 50_000, epochs: 100, batchSize: 512, steps: 300 }), 300);
  });

  it('linear scaling lr * batch / 256 and sqrt scaling lr * sqrt(batch)', () => {
    close(scaleLearningRate(0.3, 4096, 'linear'), 4.8, 'tf2 default at batch 4096');
    close(scaleLearningRate(1.0, 512, 'linear'), 2.0, 'CIFAR-10 recipe');
    close(scaleLearningRate(0.1, 4096, 'sqrt'), 6.4, 'v2 paper at batch 4096');
    assert.throws(() => scaleLearningRate(0.1, 256, 'cubic' as 'sqrt'), /scaling must be 'linear' or 'sqrt', got 'cubic'/);
    assert.throws(() => scaleLearningRate(0.1, 0, 'sqrt'), /batchSize must be > 0/);
  });
});

describe('setLr', () => {
  it('drives the step size of every group from a schedule', () => {
    const data = ones([2]);
    const a = new Parameter(data);
    const b = new Parameter(data.clone());
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 5 }], { lr: 1 });
    const schedule = warmupCosineSchedule({ lr: 0.5, totalSteps: 4, warmupSteps: 2 });
    const seen: number[] = [];
    for (let step = 0; step < 4; step++) {
      opt.setLr(schedule(step));
      tidy(() => { a.grad = ones([2]); b.grad = ones([2]); });
      opt.step();
      seen.push(opt.paramGroups[1].lr);
    }
    assert.deepEqual(seen, [0, 0.25, 0.5, 0.25]);
    close(a.toFlatArray()[0], 1 - (0 + 0.25 + 0.5 + 0.25), 'parameter moved by the sum of the rates');
    assert.deepEqual(a.toFlatArray(), b.toFlatArray(), 'both groups follow the schedule');
    assert.throws(() => opt.setLr(Number.NaN), /SGD\.setLr: lr must be a finite number >= 0, got NaN/);
    opt.dispose();
    dispose([a, b, data]);
  });
});
