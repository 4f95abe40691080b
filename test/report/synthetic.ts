// Small synthetic data for the report's picture tests: labelled grey or RGB images with a class pattern, clustered
// feature rows, result rows of several methods, fractions and label subsets, a whole report input. Deterministic.
import { join } from 'node:path';
import { seededRandom } from '../../src/report/embedding_map.js';
import { pixelFeatures, type FeatureRows } from '../../src/report/neighbours.js';
import type { PictureInput } from '../../src/report/pictures.js';
import type { ReportInput } from '../../src/report/report.js';
import type { ResultRow } from '../../src/report/results.js';
import type { LabelledImageSet } from '../../src/report/retrieval_grid.js';

export const CLASS_NAMES = ['circle', 'bar', 'cross', 'dot'];

/** n images of side `size`, class i % classes: a class-specific bright pattern on noise. */
export function syntheticImages(n: number, o: { size?: number; channels?: 1 | 3; classes?: number; seed?: number } = {}): LabelledImageSet {
  const { size = 12, channels = 1, classes = CLASS_NAMES.length, seed = 0 } = o;
  const random = seededRandom(seed);
  const images = new Uint8Array(n * size * size * channels);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = (labels[i] === 0 && Math.abs(Math.hypot(x - size / 2, y - size / 2) - size / 3) < 1) || (labels[i] === 1 && x === size >> 1) ||
          (labels[i] === 2 && (x === y || x === size - 1 - y)) || (labels[i] === 3 && Math.hypot(x - size / 2, y - size / 2) < 2);
        for (let c = 0; c < channels; c++) images[((i * size + y) * size + x) * channels + c] = on ? 200 + c * 20 : Math.floor(random() * 60);
      }
    }
  }
  return { images, height: size, width: size, channels, labels };
}

/** One feature row per label: the class's centroid (a one-hot direction) plus uniform noise of amplitude `noise`. */
export function clusteredFeatures(labels: ArrayLike<number>, o: { dim?: number; noise?: number; seed?: number } = {}): FeatureRows {
  const { dim = 16, noise = 0.3, seed = 1 } = o;
  const random = seededRandom(seed);
  const data = new Float32Array(labels.length * dim);
  for (let i = 0; i < labels.length; i++) {
    for (let d = 0; d < dim; d++) data[i * dim + d] = (d === labels[i] ? 1 : 0) + noise * (random() - 0.5);
  }
  return { data, dim };
}

const row = (method: string, fraction: string, labelSeed: number, top1: number): ResultRow => ({
  method, fraction, labelSeed, top1, wallS: 10, runDir: `runs/x/${method}-${fraction}-${labelSeed}`, command: `simclr finetune --out runs/x-${labelSeed}`,
});

/** Three methods at 1% and 10% labels, two label subsets each. */
export function syntheticResults(): ResultRow[] {
  return [
    row('Supervised', '1%', 0, 0.70), row('Supervised', '1%', 1, 0.72), row('Supervised', '10%', 0, 0.85), row('Supervised', '10%', 1, 0.86),
    row('SimCLRv2 fine-tuned', '1%', 0, 0.80), row('SimCLRv2 fine-tuned', '1%', 1, 0.81), row('SimCLRv2 fine-tuned', '10%', 0, 0.88), row('SimCLRv2 fine-tuned', '10%', 1, 0.89),
    row('Distilled', '1%', 0, 0.82), row('Distilled', '1%', 1, 0.83), row('Distilled', '10%', 0, 0.89), row('Distilled', '10%', 1, 0.90),
  ];
}

/** A whole report's input with every kind of picture, from small synthetic data. */
export function syntheticReportInput(outDir: string, extra: PictureInput[] = []): ReportInput {
  const gallery = syntheticImages(80, { size: 12, seed: 5 });
  const test = syntheticImages(60, { size: 12, seed: 6 });
  const testFeatures = clusteredFeatures(test.labels, { seed: 7 });
  const metrics = Array.from({ length: 20 }, (_, i) => ({ step: 10 * i, contrastive_loss: 5 - i / 10, knn_top1: 0.5 + i / 50, lr: 0.1 }));
  const predictions = Int32Array.from(test.labels, (c, i) => (i % 7 === 0 ? (c + 1) % CLASS_NAMES.length : c));
  return {
    title: 'Synthetic report & pictures', outDir, dataset: 'synthetic', testImages: 60, labelSeeds: [0, 1],
    pretrain: { runDir: join(outDir, 'pretrain'), summary: { steps: 200, epochs: 2, knn_top1: 0.88, linear_top1: 0.86, images_per_s: 100, wall_s: 60 }, metrics, command: 'simclr pretrain --out x' },
    finetunes: [{ name: 'fine-tune 1%', metrics: metrics.map((m) => ({ step: m.step, loss: m.contrastive_loss / 2, val_top1: m.knn_top1 })) }],
    results: syntheticResults(), protocol: ['Test used once.'], pipelineCommand: 'simclr pipeline --out x', configuration: { seed: 0 }, totalWallS: 600,
    pictures: [
      { kind: 'retrieval', options: { queries: test, queryFeatures: testFeatures, gallery, galleryFeatures: clusteredFeatures(gallery.labels, { seed: 8 }), classNames: CLASS_NAMES, title: 'Pretrained encoder' } },
      { kind: 'retrieval', options: { queries: test, queryFeatures: pixelFeatures(test), gallery, galleryFeatures: pixelFeatures(gallery), classNames: CLASS_NAMES, title: 'Raw pixels' } },
      { kind: 'embedding', options: { features: testFeatures, labels: test.labels, classNames: CLASS_NAMES, maxPoints: 50, nEpochs: 50 } },
      { kind: 'label-efficiency', options: { methods: ['Supervised', 'SimCLRv2 fine-tuned', 'Distilled'] } },
      { kind: 'confusion', file: 'confusion.png', options: { predictions, labels: test.labels, classNames: CLASS_NAMES, title: 'Distilled, 10% labels' } },
      ...extra,
    ],
  };
}
