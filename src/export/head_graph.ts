// The SimCLRv2 heads as ONNX nodes: projection layers 1..k (Linear without bias, BN, ReLU on all but the last) and the
// supervised head with its softmax. Reference: src/models/projection_head.ts, simclr_model.ts; tf2/model.py.
import { int } from './graph.js';
import type { LayerEmitter, Value } from './layers.js';

/** Projection layers 1..k on h, as ProjectionHead.forward()[k] in eval mode; k = 0 returns h. */
export function emitProjections(e: LayerEmitter, h: Value, k: number, numLayers: number, eps: number, prefix = 'projection_head'): Value {
  let out = h; // (N, C)
  for (let i = 0; i < k; i++) {
    const normed = e.batchNorm(`${prefix}.${i}.bn`, e.linear(`${prefix}.${i}.linear`, out, false), eps); // (N, width_i)
    out = i === numLayers - 1 ? normed : e.relu(normed);
  }
  return out;
}

/** softmax(supervised_head(x)) over the classes: (N, D) -> (N, numClasses), named `name`. */
export function emitClassifier(e: LayerEmitter, x: Value, name: string, prefix = 'supervised_head'): Value {
  const logits = e.linear(prefix, x, true); // (N, K)
  return { name: e.g.node('Softmax', [logits.name], name, { axis: int(1) }), shape: logits.shape };
}
