// Batch normalisation over the channel dimension, as torch.nn.BatchNorm1d/2d (same buffers and names).
// Momentum follows PyTorch: running = (1 - momentum) * running + momentum * batch, so the official
// SimCLR decay 0.9 is momentum 0.1.
import { noGrad, ones, zeros, F, type Tensor } from '../../tensor/index.js';
import type { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Layer, requirePositiveInt } from './layer.js';
import { syncBatchNorm, type BatchNormSync } from './sync_batchnorm.js';

export interface BatchNormOptions {
  numFeatures: number;
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
  /** Start gamma at 0 (the last BN of a residual block, "zero-init residual"). */
  zeroInitGamma?: boolean;
  /** Centre only (beta, no gamma), as the SimCLR projection head's last layer (`center=True, scale=False`). */
  scale?: boolean;
  center?: boolean;
}

export abstract class BatchNormBase extends Layer {
  readonly weight: Parameter | null; // gamma (C)
  readonly bias: Parameter | null; // beta (C)
  readonly runningMean: Tensor | null; // (C)
  readonly runningVar: Tensor | null; // (C)
  readonly numBatchesTracked: Tensor | null; // () int64
  readonly options: Required<BatchNormOptions>;
  protected abstract readonly expectedDims: number[];
  /** Processes whose batches share statistics in training (synchronised batch norm); null = this batch only. */
  sync: BatchNormSync | null = null;

  constructor(options: BatchNormOptions) {
    super();
    const c = requirePositiveInt(this.constructor.name, 'numFeatures', options.numFeatures);
    this.options = { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true, zeroInitGamma: false, scale: true, center: true, ...options };
    const { affine, scale, center, zeroInitGamma, trackRunningStats, eps, momentum } = this.options;
    if (!(eps > 0)) throw new RangeError(`${this.constructor.name}: eps must be > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`${this.constructor.name}: momentum must be in [0, 1], got ${momentum}`);
    this.weight = affine && scale ? this.registerParameter('weight', ownedParameter(zeroInitGamma ? zeros([c]) : ones([c]))) : this.registerParameter('weight', null);
    this.bias = affine && center ? this.registerParameter('bias', ownedParameter(zeros([c]))) : this.registerParameter('bias', null);
    this.runningMean = this.registerBuffer('running_mean', trackRunningStats ? zeros([c]) : null);
    this.runningVar = this.registerBuffer('running_var', trackRunningStats ? ones([c]) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { dtype: 'int64' }) : null);
  }

  forward(x: Tensor): Tensor {
    if (!this.expectedDims.includes(x.ndim)) {
      throw new RangeError(`${this.constructor.name}: expected a ${this.expectedDims.join('-D or ')}-D input, got shape [${x.shape}]`);
    }
    const useBatchStats = this.training || !this.options.trackRunningStats;
    if (this.training && this.numBatchesTracked) noGrad(() => this.numBatchesTracked!.add_(1));
    if (this.training && this.sync && this.sync.size > 1) {
      const { momentum, eps } = this.options;
      return syncBatchNorm(x, this.sync, { weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar, momentum, eps });
    }
    return F.batchNorm(x, {
      weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar,
      training: useBatchStats, momentum: this.options.momentum, eps: this.options.eps,
    }); // same shape as x
  }
}

function ownedParameter(t: Tensor): Parameter {
  const p = Parameter.excluded(t);
  t.dispose();
  return p;
}

/** Over (N, C) or (N, C, L) inputs. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly expectedDims = [2, 3];
}

/** Over (N, C, H, W) inputs. */
export class BatchNorm2d extends BatchNormBase {
  protected readonly expectedDims = [4];
}

/** Makes every batch norm inside `module` synchronise over `sync` (null turns it off); returns how many it set. */
export function setBatchNormSync(module: Module, sync: BatchNormSync | null): number {
  let count = 0;
  for (const m of module.modules()) {
    if (m instanceof BatchNormBase) {
      m.sync = sync;
      count++;
    }
  }
  return count;
}
