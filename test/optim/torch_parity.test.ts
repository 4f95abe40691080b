// SGD (momentum, dampening, Nesterov, weight decay, groups) and AdamW: 5 steps on fixed parameters and
// gradients match torch.optim (PyTorch 1.13) to 1e-6, and their state dicts hold torch's buffers.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Parameter } from '../../src/nn/index.js';
import { AdamW, SGD, type Optimizer } from '../../src/optim/index.js';
import { dispose, liveTensors, tidy } from '../../src/tensor/index.js';
import { assertClose } from '../nn/helpers.js';
import { fixtureParams, optimFixture as fx, setFixtureGrads, STEPS } from './helpers.js';

after(() => dispose(fx.tensors));

interface TorchCase {
  optimizer: 'SGD' | 'AdamW';
  groups: Array<{ params: string[] } & Record<string, unknown>>;
  options: Record<string, unknown>;
}

/** torch keyword options -> ours (weight_decay -> weightDecay, betas -> beta1/beta2). */
function translate(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'params') continue;
    if (k === 'weight_decay') out.weightDecay = v;
    else if (k === 'betas') [out.beta1, out.beta2] = v as number[];
    else out[k] = v;
  }
  return out;
}

/**
 * Our optimiser for a torch case. A torch group with weight_decay 0 next to decayed groups is expressed
 * the way this project does it: one group, and the parameter's own weightDecay flag turned off.
 */
function build(name: string, params: Map<string, Parameter>): Optimizer<never> {
  const c = fx.config[name] as TorchCase;
  const Ctor = (c.optimizer === 'SGD' ? SGD : AdamW) as unknown as new (p: unknown, o: unknown) => Optimizer<never>;
  if (name.endsWith('_excluded')) {
    for (const g of c.groups) if (g.weight_decay === 0) for (const k of g.params) params.get(k)!.weightDecay = false;
    return new Ctor([...params.values()], translate(c.options));
  }
  const groups = c.groups.map((g) => ({ ...translate(g), params: g.params.map((k) => params.get(k)!) }));
  return new Ctor(groups, translate(c.options));
}

const CASES = ['sgd_momentum_dampening', 'sgd_nesterov_wd', 'sgd_plain_wd', 'sgd_groups', 'sgd_excluded', 'adamw_default', 'adamw_custom', 'adamw_excluded'];

describe('SGD and AdamW match torch.optim', () => {
  for (const name of CASES) {
    it(`${name}: 5 steps to 1e-6, state buffers as torch's`, () => {
      const before = liveTensors();
      const params = fixtureParams(['w', 'b']);
      const opt = build(name, params);
      for (let step = 0; step < STEPS; step++) {
        setFixtureGrads(params, step);
        opt.step();
        for (const [k, p] of params) assertClose(p, fx.get(`${name}.step${step}.${k}`), 1e-6, `${name} step ${step} param ${k}`);
      }
      tidy(() => {
        const { tensors, meta } = opt.stateDict();
        const expected = [...fx.tensors.keys()].filter((k) => k.startsWith(`${name}.state.`)).map((k) => k.slice(name.length + 1));
        assert.deepEqual([...tensors.keys()].sort(), expected.sort(), 'state tensor names as torch');
        for (const key of expected) assertClose(tensors.get(key)!, fx.get(`${name}.${key}`), 1e-6, `${name} ${key}`);
        assert.deepEqual(meta.steps, { 0: STEPS, 1: STEPS });
      });
      opt.dispose();
      dispose([...params.values()]);
      assert.equal(liveTensors(), before, 'no tensor leaks');
    });
  }

  it('the cases differ from each other (the fixture checks options, not a shared trajectory)', () => {
    const finals = CASES.map((name) => fx.get(`${name}.step4.w`).toFlatArray()[0]);
    assert.equal(new Set(finals).size, CASES.length);
  });
});
