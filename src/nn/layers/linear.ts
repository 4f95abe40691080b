// Linear (fully connected) layer y = x W^T + b, as torch.nn.Linear (same init and parameter names).
import { empty, F, type Tensor } from '../../tensor/index.js';
import { kaimingUniform_, uniform_, zeros_ } from '../init.js';
import { Parameter } from '../parameter.js';
import { Layer, requirePositiveInt } from './layer.js';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
  /** Start with all-zero weights and bias (SimCLR's zero_init_logits_layer). */
  zeroInit?: boolean;
}

export class Linear extends Layer {
  readonly weight: Parameter; // (out, in)
  readonly bias: Parameter | null; // (out)
  readonly options: Required<LinearOptions>;

  constructor(options: LinearOptions) {
    super();
    const inFeatures = requirePositiveInt('Linear', 'inFeatures', options.inFeatures);
    const outFeatures = requirePositiveInt('Linear', 'outFeatures', options.outFeatures);
    this.options = { bias: true, zeroInit: false, ...options };
    const w = empty([outFeatures, inFeatures]);
    this.weight = this.registerParameter('weight', new Parameter(w));
    w.dispose();
    this.bias = null;
    if (this.options.bias) {
      const b = empty([outFeatures]);
      this.bias = this.registerParameter('bias', Parameter.excluded(b));
      b.dispose();
    } else {
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.options.zeroInit) {
      zeros_(this.weight);
      if (this.bias) zeros_(this.bias);
      return;
    }
    kaimingUniform_(this.weight);
    if (this.bias) uniform_(this.bias, -1 / Math.sqrt(this.options.inFeatures), 1 / Math.sqrt(this.options.inFeatures));
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias); // (N, out)
  }
}
