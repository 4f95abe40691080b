// Fine-tuning mechanics: fineTuneAfterBlock freezing (no gradient, BN stats fixed even under train()), cutting the
// projection head at the selected layer with its weights kept, supervised-head options and online linear evaluation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimCLRModel, type ModelDescriptionInput } from '../../src/models/index.js';
import { BatchNorm1d, BatchNorm2d } from '../../src/nn/index.js';
import { randn, tidy, type Tensor } from '../../src/tensor/index.js';

const SMALL: ModelDescriptionInput = { depth: 18, widthMultiplier: 0.0625, imageSize: 16, numClasses: 3 };

function snapshot(tensors: Iterable<[string, Tensor]>): Map<string, number[]> {
  return new Map([...tensors].map(([name, t]) => [name, t.toFlatArray()]));
}

function trainStep(model: SimCLRModel): void {
  tidy(() => {
    const out = model.forward(randn([4, 3, 16, 16])); // (4, 3, 16, 16) images
    out.z.square().mean().add(out.logits!.square().mean()).backward();
  });
}

test('fineTuneAfterBlock = 2 freezes the stem, layer1 and layer2: no gradient, BN statistics unchanged', () => {
  const model = new SimCLRModel(SMALL).setFineTuneAfterBlock(2);
  try {
    model.train();
    const frozenPrefixes = ['encoder.conv1.', 'encoder.bn1.', 'encoder.layer1.', 'encoder.layer2.'];
    const isFrozen = (name: string) => frozenPrefixes.some((p) => name.startsWith(p));
    const buffersBefore = snapshot(model.namedBuffers());
    trainStep(model);
    for (const [name, p] of model.namedParameters()) {
      const g = p.grad;
      assert.equal(g === null, isFrozen(name), `${name}: ${g ? 'has' : 'has no'} gradient`);
      assert.equal(p.requiresGrad, !isFrozen(name), `${name}: requiresGrad`);
      g?.dispose();
    }
    for (const [name, t] of model.namedBuffers()) {
      const moved = JSON.stringify(t.toFlatArray()) !== JSON.stringify(buffersBefore.get(name));
      assert.equal(moved, !isFrozen(name), `${name}: running statistic ${moved ? 'moved' : 'did not move'}`);
    }
    for (const [name, m] of model.namedModules()) {
      if (m instanceof BatchNorm2d || m instanceof BatchNorm1d) assert.equal(m.training, !isFrozen(`${name}.`), `${name}.training`);
    }
  } finally {
    model.dispose();
  }
});

test('fineTuneAfterBlock = 4 freezes the whole encoder; -1 unfreezes it again', () => {
  const model = new SimCLRModel(SMALL);
  try {
    model.setFineTuneAfterBlock(4).train();
    assert.equal(model.encoder.numParameters(true), 0);
    const norms = model.encoder.modules().filter((m) => m instanceof BatchNorm2d);
    assert.ok(norms.every((m) => !m.training));
    model.setFineTuneAfterBlock(-1);
    assert.equal(model.encoder.numParameters(true), model.encoder.numParameters());
    assert.ok(norms.every((m) => m.training));
    assert.throws(() => model.setFineTuneAfterBlock(5), /fineTuneAfterBlock must be an integer in -1\.\.4, got 5/);
  } finally {
    model.dispose();
  }
});

test('cutProjectionHead(1) keeps layer 1 with its weights, frees layers 2-3, and reads logits from layer 1', () => {
  const model = new SimCLRModel({ ...SMALL, ftProjSelector: 1 });
  try {
    const kept = snapshot([...model.projectionHead.namedParameters()].filter(([n]) => n.startsWith('0.')));
    const supervised = snapshot(model.supervisedHead!.namedParameters());
    const dropped = model.projectionHead.layers[1].linear.weight;
    model.cutProjectionHead();
    assert.ok(dropped.isDisposed);
    assert.equal(model.projectionHead.layers.length, 1);
    assert.deepEqual(snapshot(model.projectionHead.namedParameters()), kept);
    assert.deepEqual(snapshot(model.supervisedHead!.namedParameters()), supervised);
    assert.deepEqual(model.description.projHead, { mode: 'nonlinear', numLayers: 3, outDim: 128, keepLayers: 1 });
    assert.equal(model.description.ftProjSelector, -1);
    // The description rebuilds the cut model, names and shapes included.
    assert.deepEqual(SimCLRModel.paramShapes(model.description), [...model.namedParameters()].map(([n, p]) => [n, p.shape]));
    model.eval();
    tidy(() => {
      const out = model.forward(randn([2, 3, 16, 16]));
      assert.equal(out.projections.length, 2);
      assert.equal(out.z, out.projections[1]);
      const expected = model.supervisedHead!.forward(out.projections[1]);
      assert.deepEqual(out.logits!.toFlatArray(), expected.toFlatArray());
    });
  } finally {
    model.dispose();
  }
});

test('cutting at a layer of another width rebuilds the supervised head for it', () => {
  const model = new SimCLRModel({ ...SMALL, ftProjSelector: -1 }); // reads z (128)
  try {
    assert.deepEqual(model.supervisedHead!.weight.shape, [3, 128]);
    model.cutProjectionHead(0);
    assert.deepEqual(model.supervisedHead!.weight.shape, [3, 32]); // h of ResNet-18 at width 1/16
    assert.equal(model.projectionHead.layers.length, 0);
    assert.throws(() => model.cutProjectionHead(1), /k must be an integer in 0\.\.0, got 1/);
  } finally {
    model.dispose();
  }
});

test('linearEval detaches the supervised head input: the encoder gets no gradient from the logits', () => {
  const model = new SimCLRModel(SMALL);
  try {
    tidy(() => {
      const out = model.forward(randn([4, 3, 16, 16]), { linearEval: true });
      out.logits!.square().mean().backward();
    });
    assert.equal(tidy(() => model.encoder.parameters().filter((p) => p.grad !== null).length), 0);
    assert.ok(tidy(() => model.supervisedHead!.weight.grad !== null));
    model.zeroGrad();
    tidy(() => model.forward(randn([4, 3, 16, 16])).logits!.square().mean().backward());
    assert.ok(tidy(() => model.encoder.parameters().every((p) => p.grad !== null)));
  } finally {
    model.dispose();
  }
});

test('supervised head: N(0, 0.01) init, zeroInitLogits, no weight decay / LARS, replaceable', () => {
  const model = new SimCLRModel({ ...SMALL, widthMultiplier: 0.25 });
  try {
    const head = model.supervisedHead!;
    const std = tidy(() => head.weight.std().item());
    assert.ok(std > 0.007 && std < 0.013, `std ${std}`);
    assert.ok(head.parameters().every((p) => !p.weightDecay && !p.larsAdapt));
    model.setSupervisedHead(7, { zeroInit: true });
    assert.ok(head.weight.isDisposed);
    assert.deepEqual(model.supervisedHead!.weight.shape, [7, 128]); // h of ResNet-18 at width 1/4
    assert.equal(tidy(() => model.supervisedHead!.weight.abs().sum().item()), 0);
    assert.equal(model.description.numClasses, 7);
    model.setSupervisedHead(0);
    assert.equal(model.supervisedHead, null);
    assert.ok(![...model.namedParameters()].some(([n]) => n.startsWith('supervised_head')));
  } finally {
    model.dispose();
  }
});
