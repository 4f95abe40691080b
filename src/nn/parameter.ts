// Parameter: a leaf tensor that requires grad and carries its own optimiser flags, decided at creation
// (STYLE.md 8): whether it gets weight decay, whether LARS adapts its learning rate, and a learning-rate factor.
import { callOpHandle, keep, Tensor } from '../tensor/index.js';

export interface ParameterOptions {
  requiresGrad?: boolean;
  /** Apply weight decay to this parameter (false for batch-norm parameters and biases). */
  weightDecay?: boolean;
  /** Let LARS scale this parameter's step by its trust ratio (false for batch-norm parameters and biases). */
  larsAdapt?: boolean;
  /** Factor on the group's learning rate for this parameter (default 1), e.g. a slower online linear head. */
  lrScale?: number;
}

export class Parameter extends Tensor {
  weightDecay: boolean;
  larsAdapt: boolean;
  #lrScale = 1;

  /** Takes a detached copy of `data`'s handle (sharing storage); the caller still owns `data`. */
  constructor(data: Tensor, options: ParameterOptions = {}) {
    super(callOpHandle('aten::detach', [data]));
    keep(this); // parameters live as long as their module, never in a scope
    this.requiresGrad_(options.requiresGrad ?? true);
    this.weightDecay = options.weightDecay ?? true;
    this.larsAdapt = options.larsAdapt ?? true;
    this.lrScale = options.lrScale ?? 1;
  }

  /** Factor every optimiser applies to its learning rate for this parameter. */
  get lrScale(): number {
    return this.#lrScale;
  }

  set lrScale(scale: number) {
    if (!(Number.isFinite(scale) && scale >= 0)) throw new RangeError(`Parameter.lrScale must be a finite number >= 0, got ${scale}`);
    this.#lrScale = scale;
  }

  /** Flags for biases and normalisation parameters: no weight decay, no LARS adaptation. */
  static excluded(data: Tensor): Parameter {
    return new Parameter(data, { weightDecay: false, larsAdapt: false });
  }
}
