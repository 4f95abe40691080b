// Parameter-free layers: ReLU, Identity, Flatten, pooling, and the Sequential container.
import { F, type Tensor } from '../../tensor/index.js';
import { Layer } from './layer.js';

export class ReLU extends Layer {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class Identity extends Layer {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class Flatten extends Layer {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim); // (N, prod(rest))
  }
}

export class MaxPool2d extends Layer {
  constructor(readonly kernelSize: number, readonly stride = kernelSize, readonly padding = 0) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.stride, this.padding);
  }
}

export class AvgPool2d extends Layer {
  constructor(readonly kernelSize: number, readonly stride = kernelSize, readonly padding = 0) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.stride, this.padding);
  }
}

export class AdaptiveAvgPool2d extends Layer {
  constructor(readonly outputSize: number | [number, number] = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize); // (N, C, oh, ow)
  }
}

/** Applies layers in order; children are named "0", "1", ... as in PyTorch. */
export class Sequential extends Layer {
  readonly layers: Layer[];

  constructor(...layers: Layer[]) {
    super();
    this.layers = layers.map((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: Tensor): Tensor {
    // Intermediate tensors are freed by the caller's tidy scope; the input is never disposed here.
    let out = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out;
  }
}
