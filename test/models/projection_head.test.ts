// Projection head modes (none / linear / nonlinear, including the mode the official code breaks: linear returns None
// there), layer widths, BN without beta on the last layer, ReLU only between layers. Reference: tf2/model.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProjectionHead, SimCLRModel } from '../../src/models/index.js';
import { noGrad, randn, tidy } from '../../src/tensor/index.js';

const BN = { momentum: 0.1, eps: 1e-5 };

test('nonlinear head: hidden width = input width, ReLU on middle layers only, last BN has gamma but no beta', () => {
  const head = new ProjectionHead({ inFeatures: 12, numLayers: 3, outDim: 5, bn: BN });
  try {
    assert.deepEqual([...head.namedParameters()].map(([n, p]) => [n, p.shape]), [
      ['0.linear.weight', [12, 12]], ['0.bn.weight', [12]], ['0.bn.bias', [12]],
      ['1.linear.weight', [12, 12]], ['1.bn.weight', [12]], ['1.bn.bias', [12]],
      ['2.linear.weight', [5, 12]], ['2.bn.weight', [5]],
    ]);
    assert.deepEqual(head.widths(), [12, 12, 12, 5]);
    tidy(() => {
      const out = head.forward(randn([16, 12])); // (16, 12)
      assert.equal(out.length, 4);
      assert.equal(out[1].lt(0).any().item(), 0, 'middle layers are ReLU outputs');
      assert.equal(out[3].lt(0).any().item(), 1, 'the last layer has no ReLU');
      // Training-mode BN without beta: every output column has mean 0.
      assert.ok(out[3].mean(0).abs().max().item() < 1e-5);
    });
  } finally {
    head.dispose();
  }
});

test("linear mode is one BN'd linear layer to outDim (the official code returns None here)", () => {
  const model = new SimCLRModel({ depth: 18, widthMultiplier: 0.0625, imageSize: 16, projHead: { mode: 'linear', outDim: 8 }, numClasses: 2, ftProjSelector: 1 });
  try {
    model.eval();
    tidy(() => noGrad(() => {
      const out = model.forward(randn([3, 3, 16, 16]));
      assert.deepEqual(out.projections.map((p) => p.shape), [[3, 32], [3, 8]]);
      assert.equal(out.z, out.projections[1]);
      assert.deepEqual(out.logits!.shape, [3, 2]);
    }));
    assert.deepEqual([...model.projectionHead.namedParameters()].map(([n]) => n), ['0.linear.weight', '0.bn.weight']);
  } finally {
    model.dispose();
  }
});

test('mode none: z is h and the supervised head reads h', () => {
  const model = new SimCLRModel({ depth: 18, widthMultiplier: 0.0625, imageSize: 16, projHead: { mode: 'none' }, numClasses: 4 });
  try {
    model.eval();
    tidy(() => noGrad(() => {
      const out = model.forward(randn([2, 3, 16, 16]));
      assert.deepEqual(out.projections, [out.h]);
      assert.equal(out.z, out.h);
      assert.deepEqual(out.logits!.shape, [2, 4]);
    }));
    assert.equal(model.projectionHead.numParameters(), 0);
  } finally {
    model.dispose();
  }
});

test('projection weights start N(0, 0.01) as the official RandomNormal(stddev=0.01)', () => {
  const head = new ProjectionHead({ inFeatures: 256, numLayers: 2, outDim: 128, bn: BN });
  try {
    const std = tidy(() => head.layers[0].linear.weight.std().item());
    assert.ok(Math.abs(std - 0.01) < 0.0005, `std ${std}`);
  } finally {
    head.dispose();
  }
});

test('hiddenDim widens the middle layers only; a model cut after a middle layer feeds the supervised head that width', () => {
  const head = new ProjectionHead({ inFeatures: 12, hiddenDim: 20, numLayers: 3, outDim: 5, bn: BN });
  try {
    assert.deepEqual([...head.namedParameters()].filter(([n]) => n.endsWith('linear.weight')).map(([n, p]) => [n, p.shape]), [
      ['0.linear.weight', [20, 12]], ['1.linear.weight', [20, 20]], ['2.linear.weight', [5, 20]],
    ]);
    assert.deepEqual(head.widths(), [12, 20, 20, 5]);
  } finally {
    head.dispose();
  }
  const description = { depth: 18, widthMultiplier: 0.0625, imageSize: 16, numClasses: 3, ftProjSelector: 1 } as const;
  const model = new SimCLRModel({ ...description, projHead: { mode: 'nonlinear', outDim: 8, hiddenDim: 24, keepLayers: 1 } });
  try {
    model.eval();
    assert.deepEqual(model.description.projHead, { mode: 'nonlinear', numLayers: 3, outDim: 8, keepLayers: 1, hiddenDim: 24 });
    tidy(() => noGrad(() => {
      const out = model.forward(randn([2, 3, 16, 16]));
      assert.deepEqual(out.projections.map((p) => p.shape), [[2, 32], [2, 24]]);
      assert.deepEqual(out.logits!.shape, [2, 3]);
    }));
  } finally {
    model.dispose();
  }
});
