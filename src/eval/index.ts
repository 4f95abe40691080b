// The evaluation layer's public API: top-k accuracy and the weighted kNN classifier on features.
export { topkAccuracy } from './accuracy.js';
export { knnScores, knnAccuracy, type KnnOptions } from './knn.js';
