// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay: torch.optim.SGD
// semantics (weight decay added to the gradient, first momentum buffer = that gradient).
import { type Tensor } from '../tensor/index.js';
import type { Parameter } from '../nn/parameter.js';
import { Optimizer, type GroupOptions, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

export interface SGDOptions extends GroupOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  /** Weight decay applies only to parameters whose `weightDecay` flag is set. */
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, { weightDecay: 0, momentum: 0, dampening: 0, nesterov: false, ...options });
  }

  protected override checkGroup(group: ParamGroup<SGDOptions>, index: number): void {
    super.checkGroup(group, index);
    if (!(group.momentum >= 0)) throw new RangeError(`SGD: momentum must be >= 0, got ${group.momentum} (group ${index})`);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new RangeError(`SGD: nesterov needs momentum > 0 and dampening 0 (group ${index})`);
    }
  }

  protected updateParameter(p: Parameter, grad: Tensor, group: ParamGroup<SGDOptions>, state: ParamState): void {
    const { lr, weightDecay, momentum, dampening, nesterov } = group;
    let d = weightDecay !== 0 && p.weightDecay ? grad.add(p, weightDecay) : grad; // like p
    if (momentum !== 0) {
      const fresh = !state.buffers.has('momentum_buffer');
      const buf = this.buffer(state, 'momentum_buffer', () => d.clone());
      if (!fresh) buf.mul_(momentum).add_(d, 1 - dampening);
      d = nesterov ? d.add(buf, momentum) : buf;
    }
    p.add_(d, -lr);
  }
}
