// Confusion matrix of a classifier on the test set (issue 16 section 2): counts of (true class, predicted class),
// drawn as a Vega-Lite heatmap PNG with the count in every cell and the class names on both axes.
import type { TopLevelSpec } from 'vega-lite';
import { writeVegaLitePng } from './vega_png.js';

export interface ConfusionMatrixOptions {
  /** Predicted class of every test image. */
  predictions: ArrayLike<number>;
  /** True class of every test image. */
  labels: ArrayLike<number>;
  classNames: readonly string[];
  /** PNG file to write. */
  out: string;
  /** e.g. 'SimCLRv2 fine-tuned, 10% labels'. */
  title?: string;
}

/** counts[t][p]: images of true class t predicted as p. */
export function confusionCounts(predictions: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  if (predictions.length !== labels.length) throw new RangeError(`confusion matrix: ${predictions.length} predictions but ${labels.length} labels`);
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [t, p] = [labels[i], predictions[i]];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses && Number.isInteger(t) && Number.isInteger(p))) {
      throw new RangeError(`confusion matrix: image ${i} has label ${t} and prediction ${p}; both must be class indices in [0, ${numClasses})`);
    }
    counts[t][p]++;
  }
  return counts;
}

function spec(counts: number[][], classNames: readonly string[], title: string): TopLevelSpec {
  const names = [...classNames];
  const values = counts.flatMap((row, t) => row.map((count, p) => ({
    truth: names[t], predicted: names[p], count, rate: count / Math.max(1, row.reduce((a, b) => a + b, 0)),
  })));
  const axis = (field: string, title: string) => ({ field, type: 'nominal' as const, title, sort: names, axis: { labelAngle: field === 'predicted' ? -40 : 0 } });
  const side = Math.max(240, 34 * names.length);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title, width: side, height: side, background: 'white',
    data: { values },
    encoding: { x: axis('predicted', 'predicted class'), y: axis('truth', 'true class') },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'rate', type: 'quantitative', title: 'share of row', scale: { domain: [0, 1], range: ['#ffffff', '#08306b'], interpolate: 'lab' } } } },
      {
        mark: { type: 'text', fontSize: names.length > 12 ? 8 : 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.rate > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** Writes the heatmap PNG; returns the counts, the accuracy they imply and a caption. */
export async function writeConfusionMatrix(o: ConfusionMatrixOptions): Promise<{ out: string; width: number; height: number; counts: number[][]; accuracy: number; caption: string }> {
  const counts = confusionCounts(o.predictions, o.labels, o.classNames.length);
  const total = o.labels.length;
  if (total === 0) throw new RangeError('confusion matrix: no test images');
  const accuracy = counts.reduce((a, row, t) => a + row[t], 0) / total;
  const title = o.title ?? 'Confusion matrix';
  const { width, height } = await writeVegaLitePng(o.out, spec(counts, o.classNames, title));
  const caption = `${title}: counts of the ${total} test images by true class (rows) and predicted class (columns); ` +
    `shade = share of the row. Top-1 ${(100 * accuracy).toFixed(1)}%.`;
  return { out: o.out, width, height, counts, accuracy, caption };
}
