// LARS against google-research/simclr tf2/lars_optimizer.py: a float64 transcription of its update written
// here, and the float64 numpy trajectory in the fixture (scripts/make_optim_fixtures.py); exclusion flags.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Parameter } from '../../src/nn/index.js';
import { LARS, SGD, trustRatio, type LARSOptions } from '../../src/optim/index.js';
import { dispose, liveTensors, tensor, tidy, type DType } from '../../src/tensor/index.js';
import { assertClose } from '../nn/helpers.js';
import { fixtureParams, optimFixture as fx, setFixtureGrads, STEPS, type Flags } from './helpers.js';

after(() => dispose(fx.tensors));
const NAMES = ['w', 'b', 'z', 'q'];

const norm = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

/**
 * The TF update (classic momentum) in float64 on plain arrays:
 * g += wd*w; trust = eta*||w||/||g|| if both > 0 else 1; v = m*v + lr*trust*g; w -= v (Nesterov: m*v + lr*trust*g).
 */
function tfLars(o: LARSOptions, flags: Flags): Array<Record<string, number[]>> {
  const w: Record<string, number[]> = {};
  const v: Record<string, number[]> = {};
  for (const k of NAMES) [w[k], v[k]] = [fx.get(`init.${k}`).toFlatArray(), fx.get(`init.${k}`).toFlatArray().map(() => 0)];
  const trajectory = [];
  for (let step = 0; step < STEPS; step++) {
    for (const k of NAMES) {
      let g = fx.get(`grad${step}.${k}`).toFlatArray();
      if (o.weightDecay && flags[k].weightDecay) g = g.map((x, i) => x + o.weightDecay * w[k][i]);
      const [wn, gn] = [norm(w[k]), norm(g)];
      const trust = flags[k].larsAdapt && wn > 0 && gn > 0 ? (o.eta * wn) / gn : 1;
      const scaledLr = o.lr * trust;
      v[k] = v[k].map((x, i) => o.momentum * x + scaledLr * g[i]);
      const update = o.nesterov ? v[k].map((x, i) => o.momentum * x + scaledLr * g[i]) : v[k];
      w[k] = w[k].map((x, i) => x - update[i]);
    }
    trajectory.push(Object.fromEntries(NAMES.map((k) => [k, [...w[k]]])));
  }
  return trajectory;
}

function runLars(name: string, dtype: DType): Array<Record<string, number[]>> {
  const { options, flags } = fx.config[name] as { options: LARSOptions; flags: Flags };
  const params = fixtureParams(NAMES, dtype, flags);
  const opt = new LARS([...params.values()], options);
  const trajectory = [];
  for (let step = 0; step < STEPS; step++) {
    setFixtureGrads(params, step);
    opt.step();
    trajectory.push(Object.fromEntries([...params].map(([k, p]) => [k, p.toFlatArray()])));
  }
  tidy(() => {
    const { tensors } = opt.stateDict();
    for (const [i, k] of NAMES.entries()) assertClose(tensors.get(`state.${i}.momentum`)!.double(), fx.get(`${name}.momentum.${k}`), dtype === 'float64' ? 1e-12 : 1e-5, `${name} momentum ${k}`);
  });
  opt.dispose();
  dispose([...params.values()]);
  return trajectory;
}

describe('LARS (SimCLR tf2 formula)', () => {
  for (const name of ['lars', 'lars_nesterov']) {
    it(`${name}: float64 run equals the TF formula and the numpy fixture to 1e-12`, () => {
      const before = liveTensors();
      const { options, flags } = fx.config[name] as { options: LARSOptions; flags: Flags };
      const ours = runLars(name, 'float64');
      const reference = tfLars(options, flags);
      for (let step = 0; step < STEPS; step++) {
        for (const k of NAMES) {
          assertClose(ours[step][k], reference[step][k], 1e-12, `${name} step ${step} ${k} vs formula`);
          assertClose(ours[step][k], fx.get(`${name}.step${step}.${k}`).toFlatArray(), 1e-12, `${name} step ${step} ${k} vs fixture`);
        }
      }
      assert.equal(liveTensors(), before, 'no tensor leaks');
    });

    it(`${name}: float32 run stays within 1e-5 of the float64 reference`, () => {
      const ours = runLars(name, 'float32');
      for (let step = 0; step < STEPS; step++) {
        for (const k of NAMES) assertClose(ours[step][k], fx.get(`${name}.step${step}.${k}`).toFlatArray(), 1e-5, `${name} step ${step} ${k}`, 1e-6);
      }
    });
  }

  it('an excluded parameter (no decay, no adaptation) moves exactly as momentum SGD without decay', () => {
    const before = liveTensors();
    const lars = fixtureParams(['b'], 'float64', { b: { weightDecay: false, larsAdapt: false } });
    const sgd = fixtureParams(['b'], 'float64');
    const optLars = new LARS([...lars.values()], { lr: 0.3, momentum: 0.9, weightDecay: 0.5 });
    const optSgd = new SGD([...sgd.values()], { lr: 0.3, momentum: 0.9 });
    for (let step = 0; step < STEPS; step++) {
      setFixtureGrads(lars, step);
      setFixtureGrads(sgd, step);
      optLars.step();
      optSgd.step();
      assertClose(lars.get('b')!, sgd.get('b')!, 1e-12, `step ${step}`);
    }
    optLars.dispose();
    optSgd.dispose();
    dispose([...lars.values(), ...sgd.values()]);
    assert.equal(liveTensors(), before, 'no tensor leaks');
  });

  it('decay and adaptation are decided by the parameter flags, each on its own', () => {
    // One step from v = 0: w1 = w0 - lr * trust * (g + wd * w0 if decayed).
    const w0 = [3, 4]; // ||w0|| = 5
    const g = [0.6, 0.8]; // ||g|| = 1
    const cases: Array<[boolean, boolean, number[]]> = [
      [true, true, (() => { const gd = g.map((x, i) => x + 0.5 * w0[i]); const t = (0.001 * 5) / norm(gd); return w0.map((x, i) => x - 2 * t * gd[i]); })()],
      [false, true, w0.map((x, i) => x - 2 * 0.005 * g[i])],
      [true, false, w0.map((x, i) => x - 2 * (g[i] + 0.5 * x))],
      [false, false, w0.map((x, i) => x - 2 * g[i])],
    ];
    for (const [weightDecay, larsAdapt, expected] of cases) {
      const data = tensor(w0, { dtype: 'float64' });
      const p = new Parameter(data, { weightDecay, larsAdapt });
      tidy(() => { p.grad = tensor(g, { dtype: 'float64' }); });
      const opt = new LARS([p], { lr: 2, weightDecay: 0.5 });
      opt.step();
      assertClose(p.toFlatArray(), expected, 1e-12, `weightDecay ${weightDecay}, larsAdapt ${larsAdapt}`);
      opt.dispose();
      dispose([p, data]);
    }
  });

  it('trustRatio is eta*||w||/||g||, and 1 when either norm is 0', () => {
    tidy(() => {
      const w = tensor([3, 4]);
      assertClose([trustRatio(w, tensor([0, 2]), 0.01).item()], [0.025], 1e-7, 'ratio');
      assert.equal(trustRatio(w, tensor([0, 0]), 0.01).item(), 1);
      assert.equal(trustRatio(tensor([0, 0]), tensor([1, 1]), 0.01).item(), 1);
      assert.deepEqual(trustRatio(w, tensor([0, 0]), 0.01).shape, [], '0-dim: stays on the device');
    });
  });

  it('rejects a bad trust coefficient or momentum', () => {
    const p = fixtureParams(['w']).get('w')!;
    assert.throws(() => new LARS([p], { lr: 1, eta: 0 }), /LARS: eta must be > 0, got 0 \(group 0\)/);
    assert.throws(() => new LARS([p], { lr: 1, momentum: -1 }), /momentum must be >= 0/);
    p.dispose();
  });
});
