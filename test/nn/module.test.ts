// Module and Sequential: PyTorch state_dict key names and order, loading a PyTorch state dict (same outputs
// in train and eval mode), strict loading errors, train/eval propagation, freezing. Fixture: make_nn_fixtures.py.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential,
} from '../../src/nn/index.js';
import { dispose, liveTensors, tidy, zeros } from '../../src/tensor/index.js';
import { assertClose, loadFixture } from './helpers.js';

const fx = loadFixture('nn/nn.safetensors');
after(() => dispose(fx.tensors));

/** The fixture's torch model: Sequential(conv, bn, relu, Sequential(conv, bn, relu), pool, pool, flatten, linear). */
function smallCnn(): Sequential {
  return new Sequential(
    new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3 }), new BatchNorm2d({ numFeatures: 8 }), new ReLU(),
    new Sequential(
      new Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, bias: true }),
      new BatchNorm2d({ numFeatures: 8 }), new ReLU(),
    ),
    new MaxPool2d(2), new AdaptiveAvgPool2d(1), new Flatten(), new Linear({ inFeatures: 8, outFeatures: 5 }),
  );
}

function torchState(): Map<string, import('../../src/tensor/index.js').Tensor> {
  const keys = (fx.config.sequential as { keys: string[] }).keys;
  return new Map(keys.map((k) => [k, fx.get(`sequential.state.${k}`)]));
}

describe('Module state dict', () => {
  it("names and orders keys exactly as PyTorch's state_dict().keys()", () => {
    const model = smallCnn();
    const torchKeys = (fx.config.sequential as { keys: string[] }).keys;
    assert.deepEqual([...model.stateDict().keys()], torchKeys);
    assert.deepEqual([...model.namedParameters()].map(([k]) => k), [
      '0.weight', '1.weight', '1.bias', '3.0.weight', '3.0.bias', '3.1.weight', '3.1.bias', '7.weight', '7.bias',
    ]);
    model.dispose();
  });

  it("loads PyTorch's state dict and reproduces its train- and eval-mode outputs", () => {
    const before = liveTensors();
    const model = smallCnn();
    model.loadStateDict(torchState());
    tidy(() => {
      const x = fx.get('sequential.x'); // (4, 3, 8, 8)
      assertClose(model.train().forward(x), fx.get('sequential.y_train'), 1e-5, 'train-mode output', 1e-5);
      const bn = model.layers[1] as BatchNorm2d;
      assertClose(bn.runningMean!, fx.get('sequential.running_mean_after'), 1e-6, 'running mean after one step');
      assertClose(model.eval().forward(x), fx.get('sequential.y_eval'), 1e-5, 'eval-mode output', 1e-5);
    });
    model.dispose();
    assert.equal(liveTensors(), before, 'no tensor leaks');
  });

  it('strict loading names the missing, unexpected or mis-shaped key', () => {
    const model = smallCnn();
    const state = torchState();
    const missing = new Map(state);
    missing.delete('3.1.running_var');
    assert.throws(() => model.loadStateDict(missing), /missing key '3\.1\.running_var'/);
    const unexpected = new Map(state);
    const extra = zeros([2]);
    unexpected.set('3.2.weight', extra);
    assert.throws(() => model.loadStateDict(unexpected), /unexpected key '3\.2\.weight'/);
    const misShaped = new Map(state);
    const wrong = zeros([5, 4]);
    misShaped.set('7.weight', wrong);
    assert.throws(() => model.loadStateDict(misShaped), /'7\.weight' has shape \[5,4\] in the state dict but \[5,8\] in the model/);
    const result = model.loadStateDict(unexpected, { strict: false });
    assert.deepEqual(result, { missing: [], unexpected: ['3.2.weight'] });
    dispose([extra, wrong]);
    model.dispose();
  });

  it('load copies values (the source can be freed) and leaves the key set unchanged', () => {
    const model = new Linear({ inFeatures: 2, outFeatures: 1 });
    const w = zeros([1, 2]).add(3);
    const b = zeros([1]).add(-1);
    model.loadStateDict({ weight: w, bias: b });
    dispose([w, b]);
    assert.deepEqual(model.weight.toFlatArray(), [3, 3]);
    assert.deepEqual(model.bias!.toFlatArray(), [-1]);
    model.dispose();
  });
});

describe('Module modes', () => {
  it('train()/eval() reach every submodule', () => {
    const model = smallCnn();
    model.eval();
    assert.ok(model.modules().every((m) => !m.training));
    model.train();
    assert.ok(model.modules().every((m) => m.training));
    model.dispose();
  });

  it('requiresGrad_(false) freezes every parameter; numParameters counts elements', () => {
    const model = smallCnn();
    const total = 8 * 3 * 9 + 16 + (8 * 8 * 9 + 8) + 16 + 8 * 5 + 5;
    assert.equal(model.numParameters(), total);
    (model.layers[3] as Sequential).requiresGrad_(false);
    assert.equal(model.numParameters(true), total - (8 * 8 * 9 + 8) - 16);
    model.dispose();
  });

  it('rejects duplicate and dotted names', () => {
    const model = new Sequential(new ReLU());
    assert.throws(() => model.registerModule('0', new ReLU()), /'0' is already registered/);
    assert.throws(() => model.registerModule('a.b', new ReLU()), /invalid name 'a\.b'/);
  });
});
