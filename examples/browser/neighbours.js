// Nearest neighbours of a feature vector in an exported gallery (`simclr export --what encoder --gallery`, written by
// src/export/gallery.ts): cosine similarity against the gallery's L2-normalised features, top k, ties by gallery order.

/** Checks and decodes a parsed `<model>.onnx.gallery.json`: its features as a Float32Array (N x dim, row major). */
export function decodeGallery(g, featureCount) {
  if (g.format !== 'simclr-ts-gallery/1') throw new Error(`gallery: not a simclr-ts gallery file (format ${g.format})`);
  const { dim, base64 } = g.features;
  if (featureCount !== undefined && dim !== featureCount) throw new Error(`gallery: ${dim} features per image, but the model outputs ${featureCount}`);
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  if (bytes.length !== 4 * dim * g.items.length) throw new Error(`gallery: ${bytes.length} feature bytes for ${g.items.length} images of ${dim} features`);
  const view = new DataView(bytes.buffer);
  const features = Float32Array.from({ length: dim * g.items.length }, (_, i) => view.getFloat32(4 * i, true));
  return { ...g, dim, features };
}

/** The k gallery images most similar to `feature` (cosine): [{ position, index, label, name, similarity, image }]. */
export function nearest(feature, gallery, k = 8) {
  const { dim, features, items, classNames } = gallery;
  if (feature.length !== dim) throw new Error(`nearest: ${feature.length} features, the gallery has ${dim}`);
  let norm = 0;
  for (const v of feature) norm += v * v;
  norm = Math.max(Math.sqrt(norm), 1e-12); // F.normalize's eps
  const similarity = items.map((_, r) => {
    let dot = 0;
    for (let c = 0; c < dim; c++) dot += feature[c] * features[r * dim + c];
    return dot / norm;
  });
  const order = items.map((_, r) => r).sort((a, b) => similarity[b] - similarity[a] || a - b);
  return order.slice(0, k).map((r) => ({
    position: r, index: items[r].index, label: items[r].label, name: classNames[items[r].label] ?? String(items[r].label),
    similarity: similarity[r], image: items[r].image,
  }));
}
