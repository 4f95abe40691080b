// The optim layer's public API: optimisers (SGD, LARS, AdamW) and learning-rate schedules.
export { Optimizer, type GroupOptions, type ParamGroup, type ParamsInput, type ParamState, type OptimizerMeta, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { LARS, trustRatio, type LARSOptions } from './lars.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { GradScaler, type GradScalerOptions, type GradScalerState, type ScalableOptimizer } from './grad_scaler.js';
export {
  type LrSchedule, type LrScaling, type WarmupCosineOptions, scaleLearningRate, trainSteps, warmupStepsFromEpochs,
  warmupStepsFromFraction, warmupCosineSchedule, constantSchedule,
} from './schedule.js';
