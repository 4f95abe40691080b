// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019), torch.optim.AdamW semantics
// (decay w *= 1 - lr*wd before the moment update, bias-corrected step). No amsgrad.
import { zerosLike, type Tensor } from '../tensor/index.js';
import type { Parameter } from '../nn/parameter.js';
import { Optimizer, type GroupOptions, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

export interface AdamWOptions extends GroupOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

export class AdamW extends Optimizer<AdamWOptions> {
  /** Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 1e-2 (flagged parameters only). */
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, ...options });
  }

  protected override checkGroup(group: ParamGroup<AdamWOptions>, index: number): void {
    super.checkGroup(group, index);
    for (const key of ['beta1', 'beta2'] as const) {
      if (!(group[key] >= 0 && group[key] < 1)) throw new RangeError(`AdamW: ${key} must be in [0, 1), got ${group[key]} (group ${index})`);
    }
    if (!(group.eps >= 0)) throw new RangeError(`AdamW: eps must be >= 0, got ${group.eps} (group ${index})`);
  }

  protected updateParameter(p: Parameter, grad: Tensor, group: ParamGroup<AdamWOptions>, state: ParamState): void {
    const { lr, weightDecay, beta1, beta2, eps } = group;
    const expAvg = this.buffer(state, 'exp_avg', () => zerosLike(p)); // like p
    const expAvgSq = this.buffer(state, 'exp_avg_sq', () => zerosLike(p)); // like p
    if (weightDecay !== 0 && p.weightDecay) p.mul_(1 - lr * weightDecay);
    expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    const stepSize = lr / (1 - beta1 ** state.step);
    const denom = expAvgSq.sqrt().div_(Math.sqrt(1 - beta2 ** state.step)).add_(eps); // like p
    p.addcdiv_(expAvg, denom, -stepSize);
  }
}
