// simclr-ts: SimCLRv2 (Chen et al., NeurIPS 2020) on libtorch. The package's public entry point: one namespace per
// layer of DESIGN.md, bottom (tensor) to top (stages, report). `import { tensor, stages } from 'simclr-ts'`.
export * as tensor from './tensor/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as models from './models/index.js';
export * as losses from './losses/index.js';
export * as data from './data/index.js';
export * as evaluation from './eval/index.js';
export * as distributed from './distributed/index.js';
export * as stages from './pipeline/index.js';
export * as onnx from './export/index.js';
export * as report from './report/index.js';
