// Synchronised batch norm's arithmetic in one process: with an identity all-gather (one process) it must equal
// fused batch norm in output, gradients and running statistics; BatchNorm layers switch to it only when shared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchNorm1d, BatchNorm2d, Sequential, setBatchNormSync, syncBatchNorm, type BatchNormSync } from '../../src/nn/index.js';
import { F, Generator, grad, liveTensors, randn, tidy, type Tensor } from '../../src/tensor/index.js';

const oneProcess: BatchNormSync = { size: 1, allGather: (t) => t };
const maxDiff = (a: Tensor, b: Tensor) => a.sub(b).abs().max().item();

for (const shape of [[6, 3], [5, 4, 7], [4, 3, 5, 5]]) {
  test(`equals fused batch norm on shape [${shape}] (float64): output, d input, d weight, d bias, running stats`, () => {
    tidy(() => {
      const g = new Generator(3);
      const c = shape[1];
      const x = randn(shape, { dtype: 'float64', generator: g }).mul(3).add(1).requiresGrad_();
      const w = randn([c], { dtype: 'float64', generator: g }).requiresGrad_();
      const b = randn([c], { dtype: 'float64', generator: g }).requiresGrad_();
      const dy = randn(shape, { dtype: 'float64', generator: g });
      const stats = () => [randn([c], { dtype: 'float64', generator: new Generator(1) }), randn([c], { dtype: 'float64', generator: new Generator(2) }).abs()];
      const [rm1, rv1] = stats();
      const [rm2, rv2] = stats();
      const fused = F.batchNorm(x, { weight: w, bias: b, runningMean: rm1, runningVar: rv1, training: true, momentum: 0.3, eps: 1e-5 });
      const composed = syncBatchNorm(x, oneProcess, { weight: w, bias: b, runningMean: rm2, runningVar: rv2, momentum: 0.3, eps: 1e-5 });
      assert.ok(maxDiff(fused, composed) < 1e-12, 'output');
      const g1 = grad([fused], [x, w, b], { gradOutputs: [dy] });
      const g2 = grad([composed], [x, w, b], { gradOutputs: [dy] });
      ['input', 'weight', 'bias'].forEach((name, i) => assert.ok(maxDiff(g1[i]!, g2[i]!) < 1e-11, `d ${name}: ${maxDiff(g1[i]!, g2[i]!)}`));
      assert.ok(maxDiff(rm1, rm2) < 1e-12, 'running_mean');
      assert.ok(maxDiff(rv1, rv2) < 1e-12, 'running_var (unbiased)');
    });
  });
}

test('without weight or bias (centre-only or plain), channels-last input', () => {
  tidy(() => {
    const x = randn([4, 3, 2, 2], { generator: new Generator(4) }).contiguous('channelsLast');
    const b = randn([3], { generator: new Generator(5) });
    const fused = F.batchNorm(x, { weight: null, bias: b, runningMean: null, runningVar: null, training: true, eps: 1e-5 });
    const composed = syncBatchNorm(x, oneProcess, { weight: null, bias: b, runningMean: null, runningVar: null, momentum: 0.1, eps: 1e-5 });
    assert.ok(maxDiff(fused, composed) < 1e-5);
    const plain = syncBatchNorm(x, oneProcess, { weight: null, bias: null, runningMean: null, runningVar: null, momentum: 0.1, eps: 1e-5 });
    assert.ok(maxDiff(plain.add(b.view([1, 3, 1, 1])), fused) < 1e-5);
  });
});

test('a layer uses the shared statistics only in training with more than one process; setBatchNormSync reaches every BN', () => {
  const net = new Sequential(new BatchNorm2d({ numFeatures: 2 }), new BatchNorm1d({ numFeatures: 2 }));
  let gathers = 0;
  const twoProcesses: BatchNormSync = { size: 2, allGather: (t) => (gathers++, t) };
  assert.equal(setBatchNormSync(net, twoProcesses), 2);
  const bn = new BatchNorm2d({ numFeatures: 2 });
  bn.sync = twoProcesses;
  const before = liveTensors();
  tidy(() => {
    bn.forward(randn([3, 2, 2, 2]));
    assert.equal(gathers, 1);
    bn.eval().forward(randn([3, 2, 2, 2])); // running statistics: no communication
    assert.equal(gathers, 1);
    bn.train().sync = oneProcess;
    bn.forward(randn([3, 2, 2, 2]));
    assert.equal(gathers, 1);
  });
  assert.equal(liveTensors(), before);
  assert.equal(setBatchNormSync(net, null), 2);
  net.dispose();
  bn.dispose();
});
