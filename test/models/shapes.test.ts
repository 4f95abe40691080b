// Output shapes of every depth at 32x32 (CIFAR stem) and 224x224 (ImageNet / ResNet-D stems), grayscale and RGB, and
// the summary's per-stage shapes against the real ones. Small widths keep this fast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEPTHS, SimCLRModel, modelSummary, type ModelDescriptionInput } from '../../src/models/index.js';
import { noGrad, randn, tidy } from '../../src/tensor/index.js';

const EXPANSION = { basic: 1, bottleneck: 4 };

function checkShapes(input: ModelDescriptionInput, batch: number): void {
  const model = new SimCLRModel(input);
  const d = model.description;
  const summary = modelSummary(d);
  const rowShape = (name: string) => summary.rows.find((r) => r.name === name)?.outputShape;
  try {
    model.eval();
    tidy(() => noGrad(() => {
      const x = randn([batch, d.inChannels, d.imageSize, d.imageSize]); // (N, C_in, S, S)
      let t = model.encoder.stem(x);
      model.encoder.stages.forEach((stage, s) => {
        t = stage.forward(t);
        assert.deepEqual(t.shape.slice(1), rowShape(`encoder.layer${s + 1}`), `layer${s + 1} shape`);
      });
      const out = model.forward(x);
      const c = Math.round(512 * d.widthMultiplier) * EXPANSION[DEPTHS[d.depth].block];
      assert.deepEqual(out.h.shape, [batch, c]);
      assert.deepEqual(out.projections.map((p) => p.shape), [[batch, c], [batch, c], [batch, c], [batch, 128]]);
      assert.deepEqual(out.z.shape, [batch, 128]);
      assert.deepEqual(out.logits?.shape, [batch, 10]);
    }));
  } finally {
    model.dispose();
  }
}

for (const depth of [18, 34, 50, 101, 152, 200] as const) {
  for (const inChannels of [1, 3]) {
    test(`ResNet-${depth} at 32x32, ${inChannels} channel(s): CIFAR stem shapes`, () => {
      checkShapes({ depth, widthMultiplier: 0.0625, imageSize: 32, inChannels, numClasses: 10 }, 2);
    });
  }
}

const LARGE: ModelDescriptionInput[] = [
  { depth: 18, widthMultiplier: 0.125, inChannels: 1 },
  { depth: 50, widthMultiplier: 0.0625, inChannels: 3 },
  { depth: 50, widthMultiplier: 0.0625, inChannels: 1, skRatio: 0.0625, seRatio: 0.25 },
  { depth: 101, widthMultiplier: 0.0625, inChannels: 3, skRatio: 0.0625 },
];
for (const input of LARGE) {
  test(`224x224: ${JSON.stringify(input)}`, () => checkShapes({ ...input, imageSize: 224, numClasses: 10 }, 1));
}

test('stride2 stem: 28x28 and odd 27x27 inputs give the summary\'s half-resolution shapes', () => {
  checkShapes({ depth: 18, widthMultiplier: 0.0625, imageSize: 28, inChannels: 1, stem: 'stride2', numClasses: 10 }, 2);
  checkShapes({ depth: 50, widthMultiplier: 0.0625, imageSize: 27, stem: 'stride2', numClasses: 10 }, 2);
  const model = new SimCLRModel({ depth: 18, widthMultiplier: 0.0625, imageSize: 28, inChannels: 1, stem: 'stride2' });
  try {
    tidy(() => noGrad(() => assert.deepEqual(model.encoder.stem(randn([2, 1, 28, 28])).shape, [2, 4, 14, 14])));
  } finally {
    model.dispose();
  }
});

test('odd image sizes: ImageNet stem and ResNet-D shortcuts round up like the summary says', () => {
  checkShapes({ depth: 50, widthMultiplier: 0.0625, imageSize: 75, skRatio: 0.0625, numClasses: 10 }, 2);
  checkShapes({ depth: 18, widthMultiplier: 0.0625, imageSize: 45, numClasses: 10 }, 2);
});
