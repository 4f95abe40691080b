import { loadSafetensors, randn, Generator } from '../../src/tensor/index.js';
import { syncBatchNorm } from '../../src/nn/index.js';
const { tensors: t } = loadSafetensors('/tmp/bn7.safetensors');
const x = t.get('x')!.contiguous('channelsLast');
const y = syncBatchNorm(x, { size: 2, allGather: (q) => q }, { weight: t.get('w')!, bias: t.get('b')!, runningMean: null, runningVar: null, momentum: 0.1, eps: 1e-5 });
console.log('composed out strides', y.strides(), 'in', x.strides());
