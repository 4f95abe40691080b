// The report layer's public API: the report writer, its results table, charts and pictures (retrieval grid, embedding
// map, label efficiency, confusion matrix), all from plain data. `import { report } from 'simclr-ts'`.
export { writeReport, type ReportInput, type CurveSet, type MetricsRecord } from './report.js';
export { aggregate, cellOf, formatCell, meanStd, resultsTable, runsTable, type Cell, type ResultRow } from './results.js';
export { writeLineChart, type ChartOptions, type Series } from './plots.js';
export { writeVegaLitePng } from './vega_png.js';
export { nearestNeighbours, pixelFeatures, type FeatureRows, type ImageSet, type Neighbours, type NeighbourOptions } from './neighbours.js';
export {
  writeRetrievalGrid, retrievalRows, firstPerClass, type LabelledImageSet, type RetrievalGridOptions, type RetrievalGridResult, type RetrievalRow,
} from './retrieval_grid.js';
export { writeEmbeddingMap, umap2d, subsample, seededRandom, type EmbeddingMapOptions, type EmbeddingMapResult } from './embedding_map.js';
export { writeLabelEfficiencyPlot, labelEfficiencyPoints, fractionPercent, type LabelEfficiencyOptions, type LabelEfficiencyPoint } from './label_efficiency_plot.js';
export { writeConfusionMatrix, confusionCounts, type ConfusionMatrixOptions } from './confusion_matrix.js';
export { renderPictures, picturesMarkdown, type PictureInput, type RenderedPicture } from './pictures.js';
