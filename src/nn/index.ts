// The nn layer's public API: Module, Parameter, layers and initialisers.
export { Module, type StateDict } from './module.js';
export { Parameter, type ParameterOptions } from './parameter.js';
export { Layer } from './layers/layer.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Conv2d, type Conv2dOptions } from './layers/conv.js';
export { BatchNorm1d, BatchNorm2d, BatchNormBase, setBatchNormSync, type BatchNormOptions } from './layers/batchnorm.js';
export { syncBatchNorm, type BatchNormSync, type SyncBatchNormArgs } from './layers/sync_batchnorm.js';
export { ReLU, Identity, Flatten, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Sequential } from './layers/basic.js';
export * as init from './init.js';
