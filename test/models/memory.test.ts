// Memory discipline: a forward + backward of the SimCLR model inside tidy() leaves no tensor behind, in train and eval
// mode, with selective kernels, a frozen prefix and both input layouts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimCLRModel, type ModelDescriptionInput } from '../../src/models/index.js';
import { liveTensors, noGrad, randn, tidy } from '../../src/tensor/index.js';

function step(model: SimCLRModel, side: number): void {
  tidy(() => {
    const out = model.forward(randn([4, model.description.inChannels, side, side]), { linearEval: true }); // (4, C, S, S)
    out.z.square().mean().add(out.logits!.square().mean()).backward();
  });
  model.zeroGrad();
}

const CASES: [string, ModelDescriptionInput][] = [
  ['ResNet-18 CIFAR stem', { depth: 18, widthMultiplier: 0.125, imageSize: 32, numClasses: 10 }],
  ['ResNet-50 SK+SE ResNet-D stem', { depth: 50, widthMultiplier: 0.0625, imageSize: 64, skRatio: 0.0625, seRatio: 0.25, inChannels: 1, numClasses: 10 }],
];

for (const [name, description] of CASES) {
  test(`${name}: forward + backward in tidy() leaves liveTensors() unchanged`, () => {
    const model = new SimCLRModel(description);
    try {
      const side = model.description.imageSize;
      step(model, side); // first step creates nothing lasting either, but warm up anyway
      const before = liveTensors();
      for (let i = 0; i < 2; i++) step(model, side);
      assert.equal(liveTensors(), before, 'train step');
      model.setFineTuneAfterBlock(1);
      model.encoder.memoryFormat = 'contiguous';
      step(model, side);
      assert.equal(liveTensors(), before, 'frozen prefix + NCHW step');
      model.eval();
      tidy(() => {
        noGrad(() => model.forward(randn([2, model.description.inChannels, side, side]))); // result dropped: freed by tidy
      });
      assert.equal(liveTensors(), before, 'eval forward');
    } finally {
      model.dispose();
    }
  });
}

test('dispose() frees every parameter and buffer of a model', () => {
  const before = liveTensors();
  const model = new SimCLRModel(CASES[1][1]);
  assert.ok(liveTensors() > before);
  model.dispose();
  assert.equal(liveTensors(), before);
});
