// Forward values of tensor ops and F.* functions against PyTorch 1.13 (test/fixtures/tensor/ops.json).
// Regenerate the fixture with `/usr/bin/python3 scripts/make_tensor_fixtures.py`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, liveTensors, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, decode, readFixture, type EncodedTensor } from './helpers.js';

type Args = Record<string, any>;
type Inputs = Record<string, Tensor>;
interface Case { name: string; op: string; args: Args; inputs: Record<string, EncodedTensor>; outputs: Record<string, EncodedTensor> }

const REDUCTION = (a: Args) => (a.reduction ?? 'mean') as F.Reduction;

/** One TypeScript implementation per fixture op; each returns its outputs by the fixture's names. */
const OPS: Record<string, (i: Inputs, a: Args) => Record<string, Tensor>> = {
  conv2d: (i, a) => ({ out: F.conv2d(i.x, i.weight, i.bias, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }) }),
  batch_norm: (i, a) => ({
    out: F.batchNorm(i.x, { weight: i.weight, bias: i.bias, runningMean: i.running_mean, runningVar: i.running_var, training: a.training, momentum: a.momentum, eps: a.eps }),
    running_mean: i.running_mean,
    running_var: i.running_var,
  }),
  max_pool2d: (i, a) => ({ out: F.maxPool2d(i.x, a.kernel_size, a.stride, a.padding) }),
  avg_pool2d: (i, a) => ({ out: F.avgPool2d(i.x, a.kernel_size, a.stride, a.padding) }),
  adaptive_avg_pool2d: (i, a) => ({ out: F.adaptiveAvgPool2d(i.x, a.output_size) }),
  softmax: (i, a) => ({ out: F.softmax(i.x, a.dim) }),
  log_softmax: (i, a) => ({ out: F.logSoftmax(i.x, a.dim) }),
  cross_entropy: (i, a) => ({
    out: F.crossEntropy(i.logits, i.target, { reduction: REDUCTION(a), labelSmoothing: a.label_smoothing, ignoreIndex: a.ignore_index, weight: i.weight }),
  }),
  nll_loss: (i) => ({ out: F.nllLoss(i.x, i.target) }),
  mse_loss: (i) => ({ out: F.mseLoss(i.x, i.target) }),
  normalize: (i, a) => ({ out: F.normalize(i.x, { p: a.p, dim: a.dim, eps: a.eps }) }),
  interpolate: (i, a) => ({ out: F.interpolate(i.x, { size: a.size, scaleFactor: a.scale_factor, mode: a.mode, alignCorners: a.align_corners }) }),
  affine_grid: (i, a) => ({ out: F.affineGrid(i.theta, a.size, a.align_corners) }),
  grid_sample: (i, a) => ({ out: F.gridSample(i.x, i.grid, { mode: a.mode, paddingMode: a.padding_mode, alignCorners: a.align_corners }) }),
  pad: (i, a) => ({ out: F.pad(i.x, a.pads, a.mode, a.value) }),
  topk: (i, a) => ({ ...i.x.topk(a.k, a.dim, a.largest) }),
  sort: (i, a) => ({ ...i.x.sort(a.dim, a.descending) }),
  max: (i, a) => ({ ...i.x.max(a.dim) }),
  logsumexp: (i, a) => ({ out: i.x.logsumexp(a.dim, a.keepdim) }),
  var: (i, a) => ({ out: i.x.var(a.dim, { unbiased: a.unbiased, keepdim: a.keepdim }) }),
  std: (i, a) => ({ out: i.x.std(a.dim, { unbiased: a.unbiased, keepdim: a.keepdim }) }),
  norm: (i, a) => ({ out: i.x.norm(a.p, a.dim, a.keepdim) }),
  sum: (i, a) => ({ out: i.x.sum(a.dim, a.keepdim) }),
  mean: (i, a) => ({ out: i.x.mean(a.dim, a.keepdim) }),
  gather: (i, a) => ({ out: i.x.gather(a.dim, i.index) }),
  scatter: (i, a) => ({ out: i.x.scatter(a.dim, i.index, a.value ?? i.src) }),
  scatter_add: (i, a) => ({ out: i.x.scatterAdd(a.dim, i.index, i.src) }),
  index_select: (i, a) => ({ out: i.x.indexSelect(a.dim, i.index) }),
  matmul: (i) => ({ out: i.a.matmul(i.b) }),
  linear: (i) => ({ out: F.linear(i.x, i.weight, i.bias) }),
};

const fixture = readFixture<{ torch: string; cases: Case[] }>('ops.json');

test('the fixture covers every op family the brief names', () => {
  const ops = new Set(fixture.cases.map((c) => c.op));
  for (const op of ['conv2d', 'batch_norm', 'max_pool2d', 'avg_pool2d', 'adaptive_avg_pool2d', 'softmax', 'log_softmax', 'cross_entropy',
    'normalize', 'interpolate', 'affine_grid', 'grid_sample', 'pad', 'topk', 'logsumexp', 'var', 'norm', 'gather', 'scatter', 'matmul']) {
    assert.ok(ops.has(op), `ops.json has no ${op} case`);
  }
});

for (const c of fixture.cases) {
  test(`${c.op}: ${c.name} matches PyTorch ${fixture.torch}`, () => {
    const impl = OPS[c.op];
    assert.ok(impl, `no TypeScript implementation registered for fixture op '${c.op}'`);
    const before = liveTensors();
    tidy(() => {
      const inputs: Inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, decode(v)]));
      const outputs = impl(inputs, c.args);
      assert.deepEqual(Object.keys(outputs).sort(), Object.keys(c.outputs).sort(), 'output names');
      for (const [name, expected] of Object.entries(c.outputs)) assertClose(outputs[name], expected, `${c.name}.${name}`);
    });
    assert.equal(liveTensors(), before, 'tidy released every tensor');
  });
}
