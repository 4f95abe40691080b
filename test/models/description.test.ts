// ModelDescription: defaults, stem choice, validation messages naming the field, and the JSON round trip a checkpoint
// sidecar relies on (a saved description rebuilds the same architecture).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelDescriptionError, SimCLRModel, archDepth, parseModelDescription, resolveSelector, toPlain } from '../../src/models/index.js';

test('defaults follow the official code and the paper', () => {
  const d = parseModelDescription({ depth: 50 });
  assert.deepEqual(d, {
    depth: 50, widthMultiplier: 1, skRatio: 0, seRatio: 0, inChannels: 3, imageSize: 224, stem: 'imagenet', numClasses: 0,
    projHead: { mode: 'nonlinear', numLayers: 3, outDim: 128, keepLayers: 3 }, ftProjSelector: 0, zeroInitLogits: false,
    bnMomentum: 0.1, bnEps: 1e-5, zeroInitResidual: true,
  });
  assert.ok(Object.isFrozen(d) && Object.isFrozen(d.projHead));
});

test('the stem follows the image size unless given', () => {
  assert.equal(parseModelDescription({ depth: 18, imageSize: 32 }).stem, 'cifar');
  assert.equal(parseModelDescription({ depth: 18, imageSize: 28 }).stem, 'cifar');
  assert.equal(parseModelDescription({ depth: 18, imageSize: 33 }).stem, 'imagenet');
  assert.equal(parseModelDescription({ depth: 18, imageSize: 96, stem: 'cifar' }).stem, 'cifar');
  assert.equal(parseModelDescription({ depth: 18, imageSize: 28, stem: 'stride2' }).stem, 'stride2');
});

test('head modes: none has no layers, linear exactly one', () => {
  assert.deepEqual(parseModelDescription({ depth: 18, projHead: { mode: 'none' } }).projHead, { mode: 'none', numLayers: 0, outDim: 128, keepLayers: 0 });
  assert.deepEqual(parseModelDescription({ depth: 18, projHead: { mode: 'linear', outDim: 64 } }).projHead, { mode: 'linear', numLayers: 1, outDim: 64, keepLayers: 1 });
  assert.throws(() => parseModelDescription({ depth: 18, projHead: { mode: 'linear', numLayers: 3 } }), /projHead\.numLayers: mode 'linear' has exactly 1 layer, got 3/);
  assert.throws(() => parseModelDescription({ depth: 18, projHead: { mode: 'none', numLayers: 2 } }), /mode 'none' has 0 layers/);
  assert.throws(() => parseModelDescription({ depth: 18, projHead: { numLayers: 2, keepLayers: 3 } }), /keepLayers: 3 is more than numLayers \(2\)/);
});

test('invalid values are reported with their field paths', () => {
  const cases: [unknown, RegExp][] = [
    [{ depth: 51 }, /depth: must be one of 18, 34, 50, 101, 152, 200/],
    [{}, /depth: /],
    [{ depth: 50, widthMultiplier: 0 }, /widthMultiplier: /],
    [{ depth: 50, skRatio: 1.5 }, /skRatio: /],
    [{ depth: 50, inChannels: 2.5 }, /inChannels: /],
    [{ depth: 50, stem: 'tiny' }, /stem: /],
    [{ depth: 50, projHead: { mode: 'mlp' } }, /projHead\.mode: /],
    [{ depth: 50, bnMomentum: 2 }, /bnMomentum: /],
    [{ depth: 50, widht: 2 }, /widht/],
    [{ depth: 50, ftProjSelector: 4 }, /ftProjSelector: 4 is out of range for a projection head with 3 layer\(s\) \(valid: -4\.\.3\)/],
    ['resnet50', /description: /],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(() => parseModelDescription(input), (err: unknown) => err instanceof ModelDescriptionError && pattern.test(err.message), JSON.stringify(input));
  }
  const err = (() => { try { parseModelDescription({ depth: 7, seRatio: -1 }); } catch (e) { return e as ModelDescriptionError; } })();
  assert.equal(err?.problems.length, 2, 'every problem is listed');
});

test('ftProjSelector resolves like Python indexing into [h, layer 1, ..., layer k]', () => {
  assert.equal(resolveSelector(0, 3), 0);
  assert.equal(resolveSelector(2, 3), 2);
  assert.equal(resolveSelector(-1, 3), 3);
  assert.equal(resolveSelector(-4, 3), 0);
  assert.throws(() => resolveSelector(-5, 3), RangeError);
});

test('a description survives JSON and rebuilds the same architecture (including a cut head)', () => {
  const model = new SimCLRModel({ depth: 34, widthMultiplier: 0.0625, imageSize: 32, numClasses: 10, ftProjSelector: 2, seRatio: 0.5 });
  try {
    model.cutProjectionHead();
    const saved = JSON.stringify(toPlain(model.description));
    const rebuilt = new SimCLRModel(JSON.parse(saved));
    try {
      assert.deepEqual(rebuilt.description, model.description);
      const shapes = (m: SimCLRModel) => [...m.stateDict()].map(([k, t]) => [k, t.shape]);
      assert.deepEqual(shapes(rebuilt), shapes(model));
      rebuilt.loadStateDict(model.stateDict()); // strict
    } finally {
      rebuilt.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('archDepth reads resnet152 / r50 / 18 and rejects unknown names', () => {
  assert.equal(archDepth('resnet152'), 152);
  assert.equal(archDepth('R50'), 50);
  assert.equal(archDepth('18'), 18);
  assert.throws(() => archDepth('resnet51'), /unknown architecture 'resnet51' \(expected resnet18, resnet34, resnet50, resnet101, resnet152, resnet200\)/);
  assert.throws(() => archDepth('vit'), /unknown architecture 'vit'/);
});
