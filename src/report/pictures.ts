// The report's pictures (issue 16 section 2): each given as a PNG already written (path + caption) or as the plain data
// to render it (retrieval grid, embedding map, label efficiency, confusion matrix); rendered under <report>/pictures/.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { writeConfusionMatrix, type ConfusionMatrixOptions } from './confusion_matrix.js';
import { writeEmbeddingMap, type EmbeddingMapOptions } from './embedding_map.js';
import { writeLabelEfficiencyPlot, type LabelEfficiencyOptions } from './label_efficiency_plot.js';
import type { ResultRow } from './results.js';
import { writeRetrievalGrid, type RetrievalGridOptions } from './retrieval_grid.js';

interface Common {
  /** File name under pictures/ (default `<kind>-<position>.png`). */
  file?: string;
  /** Replaces the generated caption. */
  caption?: string;
  /** Replaces the generated alt text. */
  alt?: string;
}

/** A picture for the report: a PNG that exists, or the data of one of the generators. */
export type PictureInput =
  | { kind: 'file'; path: string; caption: string; alt: string }
  | (Common & { kind: 'retrieval'; options: Omit<RetrievalGridOptions, 'out'> })
  | (Common & { kind: 'embedding'; options: Omit<EmbeddingMapOptions, 'out'> })
  | (Common & { kind: 'label-efficiency'; options?: Omit<LabelEfficiencyOptions, 'out'> })
  | (Common & { kind: 'confusion'; options: Omit<ConfusionMatrixOptions, 'out'> });

export interface RenderedPicture {
  /** Path relative to the report's folder, with forward slashes (as the report links it). */
  path: string;
  caption: string;
  alt: string;
}

const DESCRIPTIONS = {
  retrieval: 'Nearest-neighbour retrieval grid',
  embedding: '2-D UMAP map of test embeddings coloured by class',
  'label-efficiency': 'Line chart of test top-1 against the fraction of labels',
  confusion: 'Confusion matrix heatmap of true against predicted class',
} as const;

async function render(p: Exclude<PictureInput, { kind: 'file' }>, out: string, results: ResultRow[]): Promise<{ caption: string; title?: string }> {
  switch (p.kind) {
    case 'retrieval': return { ...(await writeRetrievalGrid({ ...p.options, out })), title: p.options.title };
    case 'embedding': return { ...(await writeEmbeddingMap({ ...p.options, out })), title: p.options.title };
    case 'label-efficiency': return { ...(await writeLabelEfficiencyPlot(results, { ...p.options, out })), title: p.options?.title };
    case 'confusion': return { ...(await writeConfusionMatrix({ ...p.options, out })), title: p.options.title };
  }
}

/** Renders (or checks) every picture; returns what the report links, in the given order. */
export async function renderPictures(pictures: PictureInput[], outDir: string, results: ResultRow[]): Promise<RenderedPicture[]> {
  const rendered: RenderedPicture[] = [];
  for (const [i, p] of pictures.entries()) {
    if (p.kind === 'file') {
      const abs = isAbsolute(p.path) ? p.path : join(outDir, p.path);
      if (!existsSync(abs)) throw new Error(`report picture ${i + 1}: file ${abs} does not exist`);
      rendered.push({ path: relative(outDir, abs).split(sep).join('/'), caption: p.caption, alt: p.alt });
      continue;
    }
    const file = p.file ?? `${p.kind}-${i + 1}.png`;
    const { caption, title } = await render(p, join(outDir, 'pictures', file), results);
    const alt = p.alt ?? `${DESCRIPTIONS[p.kind]}${title ? `: ${title}` : ''}`;
    rendered.push({ path: `pictures/${file}`, caption: p.caption ?? caption, alt });
  }
  return rendered;
}

const altText = (s: string) => s.replace(/[[\]\n]/g, ' ');

/** The markdown of the pictures: image with alt text, then a numbered caption. */
export function picturesMarkdown(pictures: RenderedPicture[]): string[] {
  return pictures.flatMap((p, i) => [`![${altText(p.alt)}](${encodeURI(p.path)})`, '', `**Figure ${i + 1}.** ${p.caption}`, '']);
}
