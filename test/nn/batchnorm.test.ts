// BatchNorm1d/2d against PyTorch 1.13: three training steps (outputs, running_mean, running_var,
// num_batches_tracked after each; momentum 0.1, eps 1e-5), then eval-mode outputs. Fixture: make_nn_fixtures.py.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BatchNorm1d, BatchNorm2d, type BatchNormBase } from '../../src/nn/index.js';
import { dispose, liveTensors, noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { assertClose, loadFixture } from './helpers.js';

const fx = loadFixture('nn/nn.safetensors');
after(() => dispose(fx.tensors));

function runAgainstTorch(bn: BatchNormBase, name: string): void {
  bn.loadStateDict(new Map([
    ['weight', fx.get(`${name}.weight`)], ['bias', fx.get(`${name}.bias`)],
  ]), { strict: false });
  bn.train();
  for (let step = 0; step < 3; step++) {
    tidy(() => {
      const y = bn.forward(fx.get(`${name}.x${step}`)); // like x
      assertClose(y, fx.get(`${name}.y${step}`), 2e-5, `${name} step ${step} output`, 1e-5);
    });
    assertClose(bn.runningMean!, fx.get(`${name}.running_mean${step}`), 1e-6, `${name} step ${step} running_mean`, 1e-6);
    assertClose(bn.runningVar!, fx.get(`${name}.running_var${step}`), 1e-5, `${name} step ${step} running_var`, 1e-6);
    assert.equal(bn.numBatchesTracked!.dtype, 'int64');
    assert.equal(bn.numBatchesTracked!.item(), fx.get(`${name}.num_batches_tracked${step}`).item(), `${name} step ${step} num_batches_tracked`);
  }
  bn.eval();
  tidy(() => {
    const y = bn.forward(fx.get(`${name}.x_eval`));
    assertClose(y, fx.get(`${name}.y_eval`), 2e-5, `${name} eval output`, 1e-5);
  });
  assert.equal(bn.numBatchesTracked!.item(), 3, 'eval mode does not count batches');
}

describe('BatchNorm', () => {
  it('BatchNorm2d matches PyTorch over 3 training steps, then in eval mode', () => {
    const before = liveTensors();
    const bn = new BatchNorm2d({ numFeatures: 3 });
    runAgainstTorch(bn, 'bn2d');
    bn.dispose();
    assert.equal(liveTensors(), before, 'no tensor leaks');
  });

  it('BatchNorm1d matches PyTorch on (N, C) inputs', () => {
    const bn = new BatchNorm1d({ numFeatures: 5 });
    runAgainstTorch(bn, 'bn1d');
    bn.dispose();
  });

  it('BatchNorm1d matches PyTorch on (N, C, L) inputs', () => {
    const bn = new BatchNorm1d({ numFeatures: 4 });
    runAgainstTorch(bn, 'bn1d3');
    bn.dispose();
  });

  it('follows the PyTorch momentum convention (decay 0.9 = momentum 0.1) with an unbiased running variance', () => {
    const bn = new BatchNorm1d({ numFeatures: 1, momentum: 0.25 });
    tidy(() => bn.forward(tensor([[1], [2], [3], [6]]))); // mean 3, unbiased var 14/3
    assertClose(bn.runningMean!, [0.25 * 3], 1e-6, 'running mean');
    assertClose(bn.runningVar!, [0.75 + 0.25 * (14 / 3)], 1e-6, 'running var');
    bn.dispose();
  });

  it('has PyTorch state names, excluded parameter flags and the SimCLR options', () => {
    const bn = new BatchNorm2d({ numFeatures: 2, zeroInitGamma: true });
    assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    assert.deepEqual(bn.weight!.toFlatArray(), [0, 0], 'zero-init gamma');
    for (const p of bn.parameters()) assert.deepEqual([p.weightDecay, p.larsAdapt], [false, false]);
    const centreOnly = new BatchNorm1d({ numFeatures: 2, scale: false });
    assert.deepEqual([...centreOnly.stateDict().keys()], ['bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    bn.dispose();
    centreOnly.dispose();
  });

  it('without running statistics uses batch statistics in eval mode too', () => {
    const bn = new BatchNorm1d({ numFeatures: 1, trackRunningStats: false }).eval();
    const y = tidy(() => noGrad(() => bn.forward(tensor([[1], [3]]))).toFlatArray());
    assertClose(y, [-1, 1], 1e-4, 'normalised by the batch');
    assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias']);
    bn.dispose();
  });

  it('rejects inputs of the wrong rank and bad options', () => {
    const bn = new BatchNorm2d({ numFeatures: 3 });
    assert.throws(() => tidy(() => bn.forward(tensor([[1, 2, 3]]))), /BatchNorm2d: expected a 4-D input, got shape \[1,3\]/);
    assert.throws(() => new BatchNorm2d({ numFeatures: 3, eps: 0 }), /eps must be > 0/);
    assert.throws(() => new BatchNorm2d({ numFeatures: 3, momentum: 2 }), /momentum must be in \[0, 1\]/);
    bn.dispose();
  });
});
