// GradScaler: PyTorch 1.13's own GradScaler trajectories (scripts/make_amp_fixtures.py: scale, skipped steps,
// parameters under SGD), inf/NaN steps skipped with the scale backed off, growth, true gradients after unscale_,
// state dict round trip and validation, misuse errors, the disabled pass-through, LARS/AdamW, no tensor leaks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Parameter } from '../../src/nn/index.js';
import { AdamW, GradScaler, LARS, SGD, type GradScalerState } from '../../src/optim/index.js';
import { liveTensors, ones, tensor, tidy } from '../../src/tensor/index.js';

interface Step { scale_before: number; stepped: boolean; scale_after: number; growth_tracker: number; params: Record<string, number[]> }
interface Case {
  options: { init_scale: number; growth_factor: number; backoff_factor: number; growth_interval: number };
  init: Record<string, number[]>;
  true_grads: Record<string, number[]>[];
  poisons: Record<string, [string, number, string][]>;
  trace: Step[];
  state_dict: { scale: number; growth_factor: number; backoff_factor: number; growth_interval: number; growth_tracker: number };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/optim/grad_scaler.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };

/** Sets p.grad to the true gradient times the scale in float32 (what backward of scale * loss gives), then poisons. */
function setScaledGrad(p: Parameter, values: number[], scale: number, poisons: [number, string][]): void {
  const data = Float32Array.from(values, (g) => g * scale); // float32 product, as torch's
  for (const [i, v] of poisons) data[i] = v === 'nan' ? NaN : v === '-inf' ? -Infinity : Infinity;
  tidy(() => { p.grad = tensor(data, p.shape); });
}

function assertClose(actual: number[], expected: number[], label: string, tol = 1e-6): void {
  assert.equal(actual.length, expected.length, label);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${label}[${i}]: ${a} vs ${expected[i]}`));
}

function param(values: number[]): Parameter {
  return tidy(() => new Parameter(tensor(values)));
}

describe('GradScaler against PyTorch 1.13 GradScaler', () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(`${name}: same scales, skipped steps and SGD parameters`, () => {
      const params = new Map(Object.entries(c.init).map(([k, v]) => [k, param(v)]));
      const opt = new SGD([...params.values()], { lr: 0.1, momentum: 0.9 });
      const o = c.options;
      const scaler = new GradScaler({ initScale: o.init_scale, growthFactor: o.growth_factor, backoffFactor: o.backoff_factor, growthInterval: o.growth_interval });
      c.trace.forEach((want, step) => {
        assert.equal(scaler.getScale(), want.scale_before, `step ${step}: scale before`);
        for (const [k, p] of params) {
          const poisons = (c.poisons[String(step)] ?? []).filter(([pk]) => pk === k).map(([, i, v]): [number, string] => [i, v]);
          setScaledGrad(p, c.true_grads[step][k], scaler.getScale(), poisons);
        }
        assert.equal(scaler.step(opt), want.stepped, `step ${step}: stepped`);
        scaler.update();
        assert.equal(scaler.getScale(), want.scale_after, `step ${step}: scale after`);
        assert.equal(scaler.growthTracker, want.growth_tracker, `step ${step}: growth tracker`);
        for (const [k, p] of params) assertClose(p.toFlatArray(), want.params[k], `step ${step}: ${k}`);
      });
      const s = c.state_dict;
      assert.deepEqual(scaler.stateDict(), { scale: s.scale, growthFactor: s.growth_factor, backoffFactor: s.backoff_factor, growthInterval: s.growth_interval, growthTracker: s.growth_tracker });
      opt.dispose();
      for (const p of params.values()) p.dispose();
    });
  }
});

describe('GradScaler', () => {
  it('skips a step whose gradient holds inf (parameter untouched) and halves the scale', () => {
    const w = param([1, 2, 3]);
    const opt = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler();
    assert.equal(scaler.getScale(), 65536);
    setScaledGrad(w, [0.5, 0.5, 0.5], scaler.getScale(), [[1, 'inf']]);
    assert.equal(scaler.step(opt), false);
    scaler.update();
    assert.deepEqual(w.toFlatArray(), [1, 2, 3]);
    assert.equal(scaler.getScale(), 32768);
    setScaledGrad(w, [0.5, 0.5, 0.5], scaler.getScale(), [[0, 'nan']]);
    assert.equal(scaler.step(opt), false);
    scaler.update();
    assert.equal(scaler.getScale(), 16384);
    assert.deepEqual(w.toFlatArray(), [1, 2, 3]);
    w.dispose();
  });

  it('grows the scale by growthFactor after growthInterval good steps in a row, and an inf step resets the count', () => {
    const w = param([1]);
    const opt = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler({ initScale: 8, growthInterval: 3 });
    const iterate = (poison: boolean) => {
      setScaledGrad(w, [1], scaler.getScale(), poison ? [[0, 'inf']] : []);
      scaler.step(opt);
      scaler.update();
      return [scaler.getScale(), scaler.growthTracker];
    };
    assert.deepEqual([iterate(false), iterate(false)], [[8, 1], [8, 2]]);
    assert.deepEqual(iterate(false), [16, 0]);
    assert.deepEqual([iterate(false), iterate(true), iterate(false), iterate(false), iterate(false)], [[16, 1], [8, 0], [8, 1], [8, 2], [16, 0]]);
    w.dispose();
  });

  it('unscale_ gives the true gradients of a backward through scale(loss)', () => {
    const w = param([0.25, -1.5, 3]);
    const opt = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler();
    tidy(() => scaler.scale(w.mul(tensor([2, -3, 0.125])).sum()).backward()); // d/dw = [2, -3, 0.125]
    assert.deepEqual(tidy(() => w.grad!.toFlatArray()), [2 * 65536, -3 * 65536, 0.125 * 65536]);
    scaler.unscale_(opt);
    assert.deepEqual(tidy(() => w.grad!.toFlatArray()), [2, -3, 0.125]);
    assert.equal(scaler.step(opt), true); // uses the already unscaled gradients
    scaler.update();
    assertClose(w.toFlatArray(), [0.25 - 0.2, -1.5 + 0.3, 3 - 0.0125], 'w');
    w.dispose();
  });

  it('round-trips its state dict and validates a loaded one', () => {
    const w = param([1]);
    const opt = new SGD([w], { lr: 0.1 });
    const a = new GradScaler({ initScale: 1024, growthInterval: 5 });
    for (const poison of [false, true, false, false]) {
      setScaledGrad(w, [1], a.getScale(), poison ? [[0, 'inf']] : []);
      a.step(opt);
      a.update();
    }
    const state: GradScalerState = JSON.parse(JSON.stringify(a.stateDict()));
    assert.deepEqual(state, { scale: 512, growthFactor: 2, backoffFactor: 0.5, growthInterval: 5, growthTracker: 2 });
    const b = new GradScaler();
    b.loadStateDict(state);
    assert.deepEqual(b.stateDict(), state);
    assert.throws(() => b.loadStateDict({ ...state, scale: -1 }), /GradScaler\.loadStateDict: scale must be a finite number > 0, got -1/);
    assert.throws(() => b.loadStateDict({ ...state, growthTracker: 5 }), /growthTracker must be an integer from 0 to growthInterval - 1, got 5/);
    assert.throws(() => b.loadStateDict({ ...state, backoffFactor: 1.5 }), /backoffFactor must be < 1, got 1.5/);
    assert.throws(() => new GradScaler({ growthFactor: 1 }), /GradScaler: growthFactor must be > 1, got 1/);
    assert.deepEqual(b.stateDict(), state, 'a rejected state changes nothing');
    w.dispose();
  });

  it('refuses unscale_ twice, step twice and update without an inf check', () => {
    const w = param([1]);
    const opt = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler();
    assert.throws(() => scaler.update(), /no inf checks were recorded/);
    setScaledGrad(w, [1], scaler.getScale(), []);
    scaler.unscale_(opt);
    assert.throws(() => scaler.unscale_(opt), /unscale_\(\) has already been called on this optimizer since the last update\(\)/);
    scaler.step(opt);
    assert.throws(() => scaler.step(opt), /step\(\) has already been called since the last update\(\)/);
    scaler.update();
    setScaledGrad(w, [1], scaler.getScale(), []);
    scaler.step(opt); // a fresh iteration after update()
    scaler.update();
    w.dispose();
  });

  it('disabled: passes the loss through, always steps, scale 1', () => {
    const w = param([1]);
    const opt = new SGD([w], { lr: 0.5 });
    const scaler = new GradScaler({ enabled: false });
    tidy(() => {
      const loss = w.sum();
      assert.equal(scaler.scale(loss), loss);
      loss.backward();
    });
    assert.equal(scaler.step(opt), true);
    scaler.update();
    assert.equal(scaler.getScale(), 1);
    assert.deepEqual(w.toFlatArray(), [0.5]);
    w.dispose();
  });

  it('drives LARS and AdamW (a skipped step leaves their state untouched) without leaking tensors', () => {
    for (const make of [(p: Parameter[]) => new LARS(p, { lr: 0.1 }), (p: Parameter[]) => new AdamW(p, { lr: 0.1 })]) {
      const w = tidy(() => new Parameter(ones([2, 3])));
      const opt = make([w]);
      const scaler = new GradScaler({ initScale: 4 });
      const before = liveTensors();
      setScaledGrad(w, [1, 2, 3, 4, 5, 6], scaler.getScale(), [[4, 'inf']]);
      assert.equal(scaler.step(opt), false);
      scaler.update();
      assert.equal(opt.stateOf(w), undefined, `${opt.name}: no state after a skipped step`);
      setScaledGrad(w, [1, 2, 3, 4, 5, 6], scaler.getScale(), []);
      assert.equal(scaler.step(opt), true);
      scaler.update();
      assert.equal(opt.stateOf(w)?.step, 1, `${opt.name}: one real step`);
      assert.ok(w.toFlatArray().every((v) => v < 1), `${opt.name}: parameters moved against the gradient`);
      const stateTensors = opt.stateOf(w)!.buffers.size;
      assert.equal(liveTensors(), before + stateTensors, `${opt.name}: only the optimiser's own state is new`);
      opt.dispose();
      w.dispose();
    }
  });

  it('refuses float16 gradients (master weights must stay float32)', () => {
    const w = tidy(() => new Parameter(tensor([1, 2]).to('float16')));
    const opt = new SGD([w], { lr: 0.1 });
    tidy(() => { w.grad = tensor([1, 1]).to('float16'); });
    assert.throws(() => new GradScaler().step(opt), /GradScaler\.unscale_: float16 gradients/);
    w.dispose();
  });
});
