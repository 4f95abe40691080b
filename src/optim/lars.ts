// LARS (You, Gitman & Ginsburg 2017) as google-research/simclr tf2/lars_optimizer.py with classic momentum:
// g += wd*w; trust = eta*||w||/||g|| (1 if either norm is 0); v = m*v + lr*trust*g; w -= v (or Nesterov).
import { where, zerosLike, type Tensor } from '../tensor/index.js';
import type { Parameter } from '../nn/parameter.js';
import { Optimizer, type GroupOptions, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

export interface LARSOptions extends GroupOptions {
  momentum: number;
  nesterov: boolean;
  /** Trust coefficient ("eeta" in the official code). */
  eta: number;
}

/**
 * Parameters whose `weightDecay` flag is off get no decay; those whose `larsAdapt` flag is off use trust 1
 * (plain momentum SGD). The SimCLR recipe turns both off for batch-norm parameters and biases.
 */
export class LARS extends Optimizer<LARSOptions> {
  constructor(params: ParamsInput<LARSOptions>, options: Partial<LARSOptions> & { lr: number }) {
    super('LARS', params, { momentum: 0.9, nesterov: false, weightDecay: 0, eta: 0.001, ...options });
  }

  protected override checkGroup(group: ParamGroup<LARSOptions>, index: number): void {
    super.checkGroup(group, index);
    if (!(group.momentum >= 0)) throw new RangeError(`LARS: momentum must be >= 0, got ${group.momentum} (group ${index})`);
    if (!(group.eta > 0)) throw new RangeError(`LARS: eta must be > 0, got ${group.eta} (group ${index})`);
  }

  protected updateParameter(p: Parameter, grad: Tensor, group: ParamGroup<LARSOptions>, state: ParamState): void {
    const { lr, weightDecay, momentum, nesterov, eta } = group;
    const g = weightDecay !== 0 && p.weightDecay ? grad.add(p, weightDecay) : grad; // like p
    const v = this.buffer(state, 'momentum', () => zerosLike(p)); // like p
    if (p.larsAdapt) {
      const trust = trustRatio(p, g, eta); // () on p's device: no host round trip
      v.mul_(momentum).addcmul_(g, trust, lr);
      if (nesterov) p.sub_(v, momentum).addcmul_(g, trust, -lr);
      else p.sub_(v);
    } else {
      v.mul_(momentum).add_(g, lr);
      if (nesterov) p.sub_(v, momentum).sub_(g, lr);
      else p.sub_(v);
    }
  }
}

/** eta * ||w|| / ||g|| where both norms are positive, else 1, as a 0-dim tensor. */
export function trustRatio(w: Tensor, g: Tensor, eta: number): Tensor {
  const wNorm = w.norm(); // ()
  const gNorm = g.norm(); // ()
  const ratio = wNorm.mul(eta).div(gNorm); // (), inf or nan where gNorm is 0: not selected below
  return where(wNorm.gt(0), where(gNorm.gt(0), ratio, 1), 1); // ()
}
