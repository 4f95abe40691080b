// ONNX nodes for the layers the SimCLR models use, in eval mode, each reading its weights by PyTorch name:
// Conv2d, BatchNorm (running statistics), Linear, ReLU, pooling. Reference: onnx/docs/Operators.md (opset 17).
import { float, int, ints, type GraphBuilder } from './graph.js';
import type { ExportWeights } from './weights.js';

/** A value of the graph with its static shape without the batch dimension: [C, H, W] or [D]. */
export interface Value {
  name: string;
  shape: number[];
}

export interface ConvOptions {
  stride?: number;
  /** Adds `<prefix>.bias` (the SE layer's convs have one). */
  bias?: boolean;
}

/** Output side of a convolution or pooling window, as PyTorch (floor mode). */
export function windowOutput(side: number, kernel: number, stride: number, padBegin: number, padEnd = padBegin): number {
  return Math.floor((side + padBegin + padEnd - kernel) / stride) + 1;
}

export class LayerEmitter {
  constructor(readonly g: GraphBuilder, readonly weights: ExportWeights, readonly source: string) {}

  /** The initializer for a state-dict weight, named as in the state dict; `shape` is checked when given. */
  weight(name: string, shape?: readonly number[]): { name: string; shape: number[] } {
    const { data, shape: actual } = this.weights.get(name, shape);
    this.g.floatInitializer(name, data, actual);
    return { name, shape: actual };
  }

  /** nn.Conv2d with PyTorch's padding floor(k / 2); the kernel size comes from the weight (out, in, k, k). */
  conv(prefix: string, x: Value, o: ConvOptions = {}): Value {
    const stride = o.stride ?? 1;
    const [inC, h, w] = this.#spatial(x, prefix);
    const weight = this.weight(`${prefix}.weight`);
    const [outC, wIn, k] = weight.shape;
    if (wIn !== inC) throw new Error(`${this.source}: '${prefix}.weight' takes ${wIn} input channels but its input '${x.name}' has ${inC}`);
    const pad = Math.floor(k / 2);
    const inputs = [x.name, weight.name, ...(o.bias ? [this.weight(`${prefix}.bias`, [outC]).name] : [])];
    const name = this.g.node('Conv', inputs, prefix, { kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]) });
    return { name, shape: [outC, windowOutput(h, k, stride, pad), windowOutput(w, k, stride, pad)] };
  }

  /** BatchNorm in eval mode over channel dimension 1 (running statistics); gamma 1 / beta 0 where the layer has none. */
  batchNorm(prefix: string, x: Value, eps: number): Value {
    const c = x.shape[0];
    const param = (key: string, fill: number) => {
      if (this.weights.has(`${prefix}.${key}`)) return this.weight(`${prefix}.${key}`, [c]).name;
      return this.g.floatInitializer(`${prefix}.${key}`, new Float32Array(c).fill(fill), [c]);
    };
    const inputs = [x.name, param('weight', 1), param('bias', 0), this.weight(`${prefix}.running_mean`, [c]).name, this.weight(`${prefix}.running_var`, [c]).name];
    return { name: this.g.node('BatchNormalization', inputs, prefix, { epsilon: float(eps) }), shape: x.shape };
  }

  relu(x: Value): Value {
    return { name: this.g.node('Relu', [x.name], `${x.name}/relu`), shape: x.shape };
  }

  /** relu(x + y): the end of a residual block. */
  addRelu(x: Value, y: Value, prefix: string): Value {
    if (x.shape.join() !== y.shape.join()) throw new Error(`${this.source}: ${prefix}: residual shapes [${x.shape}] and [${y.shape}] differ`);
    return this.relu({ name: this.g.node('Add', [x.name, y.name], `${prefix}/add`), shape: x.shape });
  }

  /** nn.MaxPool2d(kernel, stride, padding), floor mode. */
  maxPool(x: Value, name: string, kernel: number, stride: number, pad: number): Value {
    const [c, h, w] = this.#spatial(x, name);
    const attrs = { kernel_shape: ints([kernel, kernel]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]) };
    return { name: this.g.node('MaxPool', [x.name], name, attrs), shape: [c, windowOutput(h, kernel, stride, pad), windowOutput(w, kernel, stride, pad)] };
  }

  /** A 2x2 average pool with end-only padding: `countPad` counts the zeros in the mean (stride 2) or not ('SAME', stride 1). */
  avgPool2x2(x: Value, name: string, stride: 1 | 2, padEnd: [number, number], countPad: boolean): Value {
    const [c, h, w] = this.#spatial(x, name);
    const attrs = { kernel_shape: ints([2, 2]), strides: ints([stride, stride]), pads: ints([0, 0, padEnd[0], padEnd[1]]), count_include_pad: int(countPad ? 1 : 0) };
    return { name: this.g.node('AveragePool', [x.name], name, attrs), shape: [c, windowOutput(h, 2, stride, 0, padEnd[0]), windowOutput(w, 2, stride, 0, padEnd[1])] };
  }

  /** Mean over H and W, kept as (C, 1, 1). */
  globalAvgPool(x: Value, name: string): Value {
    const [c] = this.#spatial(x, name);
    return { name: this.g.node('GlobalAveragePool', [x.name], name), shape: [c, 1, 1] };
  }

  /** nn.Linear: x W^T (+ b). */
  linear(prefix: string, x: Value, bias: boolean): Value {
    const weight = this.weight(`${prefix}.weight`);
    const [out, inF] = weight.shape;
    if (x.shape.length !== 1 || x.shape[0] !== inF) throw new Error(`${this.source}: '${prefix}.weight' takes ${inF} features but its input '${x.name}' is [${x.shape}]`);
    const inputs = [x.name, weight.name, ...(bias ? [this.weight(`${prefix}.bias`, [out]).name] : [])];
    return { name: this.g.node('Gemm', inputs, prefix, { transB: int(1) }), shape: [out] };
  }

  #spatial(x: Value, what: string): [number, number, number] {
    if (x.shape.length !== 3) throw new Error(`${this.source}: ${what} needs an (N, C, H, W) input, got '${x.name}' of shape [N, ${x.shape}]`);
    return x.shape as [number, number, number];
  }
}
