// SimCLRv2 projection head: Linear (no bias) + BN per layer, ReLU on all but the last, hidden width = input width
// unless hiddenDim says otherwise (wider heads help narrow encoders, as solo-learn's proj_hidden_dim),
// last BN without beta (official LinearLayer: center=use_bias=False). Reference: tf2/model.py ProjectionHead, LinearLayer.
import { BatchNorm1d, Layer, Linear, Module, init } from '../nn/index.js';
import { type Tensor } from '../tensor/index.js';
import { reluInplace } from './ops.js';
import type { BnSpec } from './spec.js';

export interface ProjectionHeadOptions {
  /** Width of h (the encoder output). */
  inFeatures: number;
  /** Width of the middle layers; defaults to inFeatures (the official head). */
  hiddenDim?: number;
  /** Layers of the full head (mode 'none' = 0, 'linear' = 1); the last maps to outDim. */
  numLayers: number;
  outDim: number;
  /** Layers actually built (fewer after cutting for fine-tuning); defaults to numLayers. */
  keepLayers?: number;
  bn: BnSpec;
}

/** The width of the head's middle layers. */
export function hiddenWidth(o: Pick<ProjectionHeadOptions, 'inFeatures' | 'hiddenDim'>): number {
  return o.hiddenDim ?? o.inFeatures;
}

interface LayerShape { inFeatures: number; outFeatures: number; last: boolean }

/** Output width of each layer that is built (the kept ones). */
export function projectionLayerWidths(o: ProjectionHeadOptions): number[] {
  return layerShapes(o).map((shape) => shape.outFeatures);
}

function layerShapes(o: ProjectionHeadOptions): LayerShape[] {
  const kept = o.keepLayers ?? o.numLayers;
  if (kept > o.numLayers) throw new RangeError(`ProjectionHead: keepLayers (${kept}) exceeds numLayers (${o.numLayers})`);
  return Array.from({ length: kept }, (_, i) => {
    const last = i === o.numLayers - 1;
    return { inFeatures: i === 0 ? o.inFeatures : hiddenWidth(o), outFeatures: last ? o.outDim : hiddenWidth(o), last };
  });
}

/** One projection layer: dense without bias, BN (beta only on middle layers), ReLU on middle layers. */
export class ProjectionLayer extends Layer {
  readonly linear: Linear; // (out, in)
  readonly bn: BatchNorm1d;

  constructor(readonly shape: LayerShape, bn: BnSpec) {
    super();
    this.linear = this.registerModule('linear', new Linear({ inFeatures: shape.inFeatures, outFeatures: shape.outFeatures, bias: false }));
    init.normal_(this.linear.weight, 0, 0.01); // as the official RandomNormal(stddev=0.01)
    this.bn = this.registerModule('bn', new BatchNorm1d({ numFeatures: shape.outFeatures, momentum: bn.momentum, eps: bn.eps, center: !shape.last }));
  }

  forward(x: Tensor): Tensor {
    const out = this.bn.forward(this.linear.forward(x)); // (N, out)
    return this.shape.last ? out : reluInplace(out);
  }
}

export class ProjectionHead extends Module {
  readonly layers: ProjectionLayer[];

  constructor(readonly options: ProjectionHeadOptions) {
    super();
    this.layers = layerShapes(options).map((shape, i) => this.registerModule(String(i), new ProjectionLayer(shape, options.bn)));
  }

  /** Width of each entry of forward()'s list: [h, layer 1, ..., layer k]. */
  widths(): number[] {
    return [this.options.inFeatures, ...this.layers.map((l) => l.shape.outFeatures)];
  }

  /** [h, output of layer 1, ..., output of the last kept layer]; entry 0 is h itself. */
  forward(h: Tensor): Tensor[] {
    const out = [h]; // (N, in)
    for (const layer of this.layers) out.push(layer.forward(out[out.length - 1])); // (N, width_k)
    return out;
  }

  /** Keeps the first k layers (their weights untouched) and frees the rest. */
  cut(k: number): void {
    if (!Number.isInteger(k) || k < 0 || k > this.layers.length) {
      throw new RangeError(`ProjectionHead.cut: k must be an integer in 0..${this.layers.length}, got ${k}`);
    }
    for (let i = this.layers.length - 1; i >= k; i--) this.removeModule(String(i)).dispose();
    this.layers.length = k;
  }
}
