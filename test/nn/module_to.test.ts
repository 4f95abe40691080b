// Module.to: parameters and buffers moved or cast in place, as torch.nn.Module.to (the same objects, so optimisers and
// layers keep their references); integer buffers keep their dtype; gradients move with their parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchNorm2d, Conv2d, Flatten, AdaptiveAvgPool2d, Linear, Sequential } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { cuda, manualSeed, randn, tidy } from '../../src/tensor/index.js';

function small(): Sequential {
  manualSeed(0);
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3 }), new BatchNorm2d({ numFeatures: 4 }),
    new AdaptiveAvgPool2d(1), new Flatten(), new Linear({ inFeatures: 4, outFeatures: 3 }),
  );
}

test('to(float64) casts every floating parameter and buffer in place; the integer counter stays int64', () => {
  const model = small();
  try {
    const params = model.parameters();
    const buffers = [...model.namedBuffers()].map(([, b]) => b);
    const before = tidy(() => model.forward(randn([2, 1, 6, 6], { generator: undefined })).dtype);
    assert.equal(before, 'float32');
    assert.equal(model.to('float64'), model);
    assert.deepEqual(model.parameters(), params, 'the same Parameter objects');
    assert.deepEqual([...model.namedBuffers()].map(([, b]) => b), buffers, 'the same buffer objects');
    for (const p of params) assert.equal(p.dtype, 'float64');
    const dtypes = Object.fromEntries([...model.namedBuffers()].map(([name, b]) => [name, b.dtype]));
    assert.deepEqual(dtypes, { '1.running_mean': 'float64', '1.running_var': 'float64', '1.num_batches_tracked': 'int64' });
    tidy(() => assert.equal(model.forward(randn([2, 1, 6, 6], { dtype: 'float64' })).dtype, 'float64'));
    assert.equal(model.device, 'cpu');
  } finally {
    model.dispose();
  }
});

test('values survive the cast, gradients move with their parameters, and an optimiser built before keeps working', () => {
  const model = small();
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  try {
    const x = randn([2, 1, 6, 6]);
    tidy(() => model.forward(x).sum().backward()); // (train mode: moves the running statistics)
    const reference = tidy(() => { model.eval(); const y = model.forward(x).toFlatArray(); model.train(); return y; });
    const grads = model.parameters().map((p) => tidy(() => p.grad!.toFlatArray()));
    model.to('float64');
    model.parameters().forEach((p, i) => tidy(() => {
      assert.equal(p.grad!.dtype, 'float64');
      assert.deepEqual(p.grad!.toFlatArray().map(Math.fround), grads[i]);
    }));
    const cast = tidy(() => { model.eval(); const y = model.forward(x.double()).toFlatArray(); model.train(); return y; });
    cast.forEach((v, i) => assert.ok(Math.abs(v - reference[i]) < 1e-5, `output ${i}: ${v} vs ${reference[i]}`));
    const weight = model.parameters()[0];
    const old = tidy(() => weight.toFlatArray());
    optimizer.step();
    tidy(() => assert.notDeepEqual(weight.toFlatArray(), old, 'the optimiser stepped the moved parameter'));
    x.dispose();
  } finally {
    optimizer.dispose();
    model.dispose();
  }
});

test('to() refuses a non-floating dtype and a device libtorch cannot swap in place, leaving the module as it was', () => {
  const model = small();
  try {
    assert.throws(() => model.to('int64'), /Sequential\.to: 'int64' is not a floating-point dtype/);
    assert.throws(() => model.to('meta'), /incompatible tensor type|set_data/);
    assert.equal(model.parameters()[0].device, 'cpu');
  } finally {
    model.dispose();
  }
});

test('to(cuda) and back: the same objects on the GPU, the same values on return', { skip: cuda.isAvailable() ? false : 'no CUDA device (the GPU check runs this)' }, () => {
  const model = small();
  try {
    const values = model.parameters().map((p) => tidy(() => p.toFlatArray()));
    model.to('cuda');
    assert.equal(model.device, 'cuda:0');
    for (const [, b] of model.namedBuffers()) assert.equal(b.device, 'cuda:0');
    tidy(() => assert.equal(model.forward(randn([2, 1, 6, 6], { device: 'cuda' })).device, 'cuda:0'));
    model.to('cpu');
    model.parameters().forEach((p, i) => tidy(() => assert.deepEqual(p.toFlatArray(), values[i])));
  } finally {
    model.dispose();
  }
});
