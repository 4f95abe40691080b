// Parameter: a leaf tensor that requires grad and carries its own optimiser flags, decided at creation
// (STYLE.md 8): whether it gets weight decay and whether LARS adapts its learning rate.
import { native } from '../native/addon.js';
import { findOp } from '../tensor/op.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';

export interface ParameterOptions {
  requiresGrad?: boolean;
  /** Apply weight decay to this parameter (false for batch-norm parameters and biases). */
  weightDecay?: boolean;
  /** Let LARS scale this parameter's step by its trust ratio (false for batch-norm parameters and biases). */
  larsAdapt?: boolean;
}

export class Parameter extends Tensor {
  weightDecay: boolean;
  larsAdapt: boolean;

  /** Takes a detached copy of `data`'s handle (sharing storage); the caller still owns `data`. */
  constructor(data: Tensor, options: ParameterOptions = {}) {
    super(native.CallOp(findOp('aten::detach'), [data.handle]) as never);
    keep(this); // parameters live as long as their module, never in a scope
    this.requiresGrad_(options.requiresGrad ?? true);
    this.weightDecay = options.weightDecay ?? true;
    this.larsAdapt = options.larsAdapt ?? true;
  }

  /** Flags for biases and normalisation parameters: no weight decay, no LARS adaptation. */
  static excluded(data: Tensor): Parameter {
    return new Parameter(data, { weightDecay: false, larsAdapt: false });
  }
}
