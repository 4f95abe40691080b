// Builds the optimiser a stage's config names, over parameters whose flags already say what gets weight
// decay and LARS adaptation (batch-norm parameters, biases and the supervised head do not).
import type { Parameter } from '../../nn/parameter.js';
import { AdamW, LARS, SGD, type GroupOptions, type Optimizer } from '../../optim/index.js';

export type OptimizerKind = 'lars' | 'sgd' | 'adamw';

export interface OptimizerSettings {
  kind: OptimizerKind;
  lr: number;
  weightDecay: number;
  momentum: number;
  /** Nesterov momentum (sgd only). */
  nesterov?: boolean;
}

export function buildOptimizer(params: Parameter[], s: OptimizerSettings): Optimizer<GroupOptions> {
  const trainable = params.filter((p) => p.requiresGrad);
  if (trainable.length === 0) throw new RangeError('buildOptimizer: no trainable parameters');
  if (s.nesterov && s.kind !== 'sgd') throw new RangeError(`buildOptimizer: nesterov applies to optimizer 'sgd' only, got '${s.kind}'`);
  switch (s.kind) {
    case 'lars':
      return new LARS(trainable, { lr: s.lr, weightDecay: s.weightDecay, momentum: s.momentum });
    case 'sgd': {
      // SGD has no per-parameter exclusion of its own: parameters flagged weightDecay=false go in a group without decay.
      const decayed = trainable.filter((p) => p.weightDecay);
      const plain = trainable.filter((p) => !p.weightDecay);
      const groups = [{ params: decayed, weightDecay: s.weightDecay }, { params: plain, weightDecay: 0 }].filter((g) => g.params.length);
      return new SGD(groups, { lr: s.lr, momentum: s.momentum, nesterov: s.nesterov ?? false });
    }
    case 'adamw': {
      const decayed = trainable.filter((p) => p.weightDecay);
      const plain = trainable.filter((p) => !p.weightDecay);
      const groups = [{ params: decayed, weightDecay: s.weightDecay }, { params: plain, weightDecay: 0 }].filter((g) => g.params.length);
      return new AdamW(groups, { lr: s.lr });
    }
  }
}
