// The Optimizer base: groups, zeroGrad, skipped parameters, no host round trips or tensor leaks in step(),
// state dict contents and errors, and an exact resume (model + optimiser + RNG state through safetensors).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchNorm1d, Linear, Parameter, ReLU, Sequential } from '../../src/nn/index.js';
import { AdamW, LARS, SGD, type GroupOptions, type Optimizer, type OptimizerMeta } from '../../src/optim/index.js';
import { dispose, F, getRngState, liveTensors, manualSeed, ones, parseSafetensors, randint, randn, serializeSafetensors, setRngState, Tensor, tidy, zeros } from '../../src/tensor/index.js';

type AnyOptimizer = Optimizer<GroupOptions>;
const FACTORIES: Record<string, (params: Parameter[]) => AnyOptimizer> = {
  SGD: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  LARS: (p) => new LARS(p, { lr: 0.5, momentum: 0.9, weightDecay: 1e-3 }),
  AdamW: (p) => new AdamW(p, { lr: 1e-2 }),
};

function mlp(): Sequential {
  return new Sequential(new Linear({ inFeatures: 6, outFeatures: 8 }), new BatchNorm1d({ numFeatures: 8 }), new ReLU(), new Linear({ inFeatures: 8, outFeatures: 3 }));
}

/** One training step on a batch drawn from the global generator. */
function trainStep(model: Sequential, opt: AnyOptimizer): void {
  tidy(() => {
    const x = randn([10, 6]); // (N, 6)
    const y = randint(0, 3, [10]); // (N,)
    F.crossEntropy(model.forward(x), y).backward();
  });
  opt.step();
  opt.zeroGrad();
}

function values(model: Sequential): number[][] {
  return [...model.stateDict().values()].map((t) => t.toFlatArray());
}

describe('Optimizer basics', () => {
  it('skips parameters without a gradient (no state, no change) and zeroGrad clears gradients', () => {
    const a = new Parameter(ones([2]));
    const b = new Parameter(ones([2]));
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9 });
    tidy(() => { a.grad = ones([2]); });
    opt.step();
    assert.deepEqual(a.toFlatArray().map((v) => Math.round(v * 1e6) / 1e6), [0.9, 0.9]);
    assert.deepEqual(b.toFlatArray(), [1, 1]);
    assert.ok(opt.stateOf(a)?.buffers.has('momentum_buffer'));
    assert.equal(opt.stateOf(b), undefined);
    opt.zeroGrad();
    assert.equal(a.grad, null);
    opt.dispose();
    dispose([a, b]);
  });

  it('validates groups and options, naming the problem', () => {
    const p = new Parameter(ones([2]));
    assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
    assert.throws(() => new SGD([p, p], { lr: 0.1 }), /SGD: a parameter appears twice \(group 0, entry 1\)/);
    assert.throws(() => new SGD([{ params: [p], lr: -1 }], { lr: 0.1 }), /SGD: lr must be >= 0, got -1 \(group 0\)/);
    assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 and dampening 0/);
    assert.throws(() => new AdamW([p], { beta2: 1 }), /AdamW: beta2 must be in \[0, 1\), got 1/);
    assert.throws(() => new SGD([ones([2]) as unknown as Parameter], { lr: 0.1 }), /entry 0 is not a Parameter/);
    p.dispose();
  });

  for (const [name, make] of Object.entries(FACTORIES)) {
    it(`${name}: a parameter's lrScale gives it the step of that fraction of the learning rate, from the first step on`, () => {
      // The same gradients for a parameter at lrScale 0.25 and a copy in an optimiser whose lr is 0.25x.
      const scaled = new Parameter(ones([3]), { lrScale: 0.25, larsAdapt: false });
      const plain = new Parameter(ones([3]), { larsAdapt: false });
      const optScaled = make([scaled]);
      const optPlain = make([plain]);
      for (const g of optPlain.paramGroups) g.lr *= 0.25;
      for (let step = 0; step < 3; step++) {
        tidy(() => {
          scaled.grad = ones([3]).mul(step + 1);
          plain.grad = ones([3]).mul(step + 1);
        });
        optScaled.step();
        optPlain.step();
      }
      assert.ok(scaled.toFlatArray()[0] < 1, 'the scaled parameter moved');
      assert.deepEqual(scaled.toFlatArray(), plain.toFlatArray());
      assert.equal(optScaled.paramGroups[0].lr, optPlain.paramGroups[0].lr * 4, "the group's own lr is untouched");
      assert.throws(() => { scaled.lrScale = -1; }, /Parameter.lrScale must be a finite number >= 0, got -1/);
      optScaled.dispose();
      optPlain.dispose();
      dispose([scaled, plain]);
    });

    it(`${name}: step() reads nothing back to the host and leaks no tensor`, () => {
      manualSeed(3);
      const model = mlp();
      const opt = make(model.parameters());
      trainStep(model, opt); // creates the state buffers
      const live = liveTensors();
      const proto = Tensor.prototype as unknown as Record<string, unknown>;
      const saved = { item: proto.item, dataSync: proto.dataSync };
      tidy(() => F.crossEntropy(model.forward(randn([10, 6])), randint(0, 3, [10])).backward());
      proto.item = proto.dataSync = () => { throw new Error('host round trip inside step()'); };
      try {
        opt.step();
      } finally {
        Object.assign(proto, saved);
      }
      opt.zeroGrad();
      for (let i = 0; i < 3; i++) trainStep(model, opt);
      assert.equal(liveTensors(), live, 'live tensors unchanged across steps');
      opt.dispose();
      model.dispose();
    });
  }
});

describe('Optimizer state dict', () => {
  it('holds copies named state.<index>.<buffer>, with group options and step counts in JSON', () => {
    const a = new Parameter(zeros([3]));
    const b = new Parameter(zeros([2]));
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    tidy(() => { a.grad = ones([3]); b.grad = ones([2]); });
    opt.step();
    tidy(() => {
      const { tensors, meta } = opt.stateDict();
      assert.deepEqual([...tensors.keys()], ['state.0.momentum_buffer', 'state.1.momentum_buffer']);
      assert.deepEqual(meta, {
        optimizer: 'SGD',
        paramGroups: [
          { options: { lr: 0.1, weightDecay: 0, momentum: 0.9, dampening: 0, nesterov: false }, params: [0] },
          { options: { lr: 0.5, weightDecay: 0, momentum: 0.9, dampening: 0, nesterov: false }, params: [1] },
        ],
        steps: { 0: 1, 1: 1 },
      } satisfies OptimizerMeta);
      opt.step(); // the saved tensors are copies: later steps leave them alone
      assert.deepEqual(tensors.get('state.0.momentum_buffer')!.toFlatArray(), [1, 1, 1]);
    });
    opt.dispose();
    dispose([a, b]);
  });

  it('loadStateDict rejects a state from another optimiser, shape or layout, naming it', () => {
    const p = new Parameter(zeros([3]));
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
    tidy(() => { p.grad = ones([3]); });
    sgd.step();
    tidy(() => {
      const state = sgd.stateDict();
      assert.throws(() => new LARS([p], { lr: 1 }).loadStateDict(state), /LARS\.loadStateDict: the state is from a 'SGD' optimiser/);
      const q = new Parameter(zeros([4]));
      assert.throws(() => new SGD([q], { lr: 0.1, momentum: 0.9 }).loadStateDict(state),
        /'state\.0\.momentum_buffer' has shape \[3\] but parameter 0 has shape \[4\]/);
      assert.throws(() => new SGD([p, q], { lr: 0.1 }).loadStateDict(state), /group 0 has 1 parameters in the state, 2 here/);
      assert.throws(() => new SGD([{ params: [p] }, { params: [q] }], { lr: 0.1 }).loadStateDict(state), /the state has 1 parameter groups, this optimiser 2/);
      const badKey = new Map([...state.tensors, ['state.0.momentum.extra', state.tensors.get('state.0.momentum_buffer')!]]);
      assert.throws(() => sgd.loadStateDict({ tensors: badKey, meta: state.meta }), /unexpected tensor key 'state\.0\.momentum\.extra'/);
      assert.deepEqual(sgd.stateOf(p)!.buffers.get('momentum_buffer')!.toFlatArray(), [1, 1, 1], 'a failed load changes nothing');
      q.dispose();
    });
    sgd.dispose();
    p.dispose();
  });

  it('loadStateDict casts state into the parameter dtype and restores group options', () => {
    const p32 = new Parameter(zeros([2]));
    const sgd32 = new SGD([p32], { lr: 0.1, momentum: 0.9 });
    tidy(() => { p32.grad = ones([2]).mul(0.5); });
    sgd32.step();
    const p64 = new Parameter(zeros([2], { dtype: 'float64' }));
    const sgd64 = new SGD([p64], { lr: 7, momentum: 0.1 });
    tidy(() => sgd64.loadStateDict(sgd32.stateDict()));
    const buf = sgd64.stateOf(p64)!.buffers.get('momentum_buffer')!;
    assert.equal(buf.dtype, 'float64');
    assert.deepEqual(buf.toFlatArray(), [0.5, 0.5]);
    assert.deepEqual([sgd64.paramGroups[0].lr, sgd64.paramGroups[0].momentum, sgd64.stateOf(p64)!.step], [0.1, 0.9, 1]);
    sgd32.dispose();
    sgd64.dispose();
    dispose([p32, p64]);
  });

  for (const name of Object.keys(FACTORIES)) {
    it(`${name}: run k, save (model + optimiser + RNG through safetensors), run k; restore fresh, run k: identical`, () => {
      const before = liveTensors();
      const k = 4;
      manualSeed(11);
      const model = mlp();
      const opt = FACTORIES[name](model.parameters());
      for (let i = 0; i < k; i++) trainStep(model, opt);
      const checkpoint = tidy(() => {
        const { tensors, meta } = opt.stateDict();
        const all = new Map([...model.stateDict()].map(([key, t]) => [`model.${key}`, t]));
        for (const [key, t] of tensors) all.set(`optim.${key}`, t);
        return serializeSafetensors(all, { optimizer: JSON.stringify(meta) });
      });
      const rng = getRngState();
      for (let i = 0; i < k; i++) trainStep(model, opt);
      const expected = values(model);

      manualSeed(999); // a different initialisation, to be overwritten
      const fresh = mlp();
      const freshOpt = FACTORIES[name](fresh.parameters());
      tidy(() => {
        const { tensors, metadata } = parseSafetensors(checkpoint, 'checkpoint');
        const pick = (prefix: string) => new Map([...tensors].filter(([key]) => key.startsWith(prefix)).map(([key, t]) => [key.slice(prefix.length), t]));
        fresh.loadStateDict(pick('model.'));
        freshOpt.loadStateDict({ tensors: pick('optim.'), meta: JSON.parse(metadata.optimizer) as OptimizerMeta });
      });
      setRngState(rng);
      for (let i = 0; i < k; i++) trainStep(fresh, freshOpt);
      const actual = values(fresh);
      actual.forEach((v, i) => assert.deepEqual(v, expected[i], `state entry ${i} identical after resume`));
      for (const [o, m] of [[opt, model], [freshOpt, fresh]] as const) {
        o.dispose();
        m.dispose();
      }
      assert.equal(liveTensors(), before, 'no tensor leaks');
    });
  }
});
