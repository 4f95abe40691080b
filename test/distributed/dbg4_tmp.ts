import { singleProcess } from '../../src/distributed/world.js';
import { BatchNormBase } from '../../src/nn/index.js';
import { noGrad, saveSafetensors, keep } from '../../src/tensor/index.js';
import { trainTiny } from './workers/train_tiny.js';
const orig = BatchNormBase.prototype.forward;
const calls = new Map<BatchNormBase, number>();
let idx = new Map<BatchNormBase, number>(); let n = 0;
BatchNormBase.prototype.forward = function (x) {
  if (!idx.has(this)) idx.set(this, n++);
  const k = (calls.get(this) ?? 0) + 1; calls.set(this, k);
  if (k === 4 && idx.get(this) === 7) noGrad(() => {
    console.log('bn7', x.shape, x.strides());
    saveSafetensors('/tmp/bn7.safetensors', new Map([['x', x.contiguous()], ['w', this.weight!], ['b', this.bias!], ['rm', this.runningMean!], ['rv', this.runningVar!]]));
  });
  return orig.call(this, x);
};
trainTiny(singleProcess);
