// The stages' public API: pretraining, fine-tuning (and the supervised baseline), distillation, the whole pipeline,
// evaluation, prediction and embedding, with their validated configurations and presets.
export { pretrain, type PretrainOptions, type PretrainSummary } from './stages/pretrain.js';
export { pretrainSchema, pretrainPresets, resolvePretrainConfig, validatePretrainConfig, type PretrainConfig, type PretrainConfigInput } from './config/pretrain_config.js';
export { finetune, type FinetuneSummary } from './stages/finetune.js';
export { finetuneSchema, finetunePresets, resolveFinetuneConfig, validateFinetuneConfig, type FinetuneConfig, type FinetuneConfigInput } from './config/finetune_config.js';
export { distill, type DistillSummary } from './stages/distill.js';
export { distillSchema, distillPresets, resolveDistillConfig, validateDistillConfig, type DistillConfig, type DistillConfigInput } from './config/distill_config.js';
export { runPipeline, type PipelineOptions, type PipelinePlan, type PipelineResult } from './stages/semi_supervised.js';
export type { PlanGoals } from './stages/pipeline_goals.js';
export { pipelinePresets } from './config/pipeline_presets.js';
export { evaluateCheckpoint, type EvaluateOptions, type EvaluationSummary } from './stages/evaluate.js';
export { embed, predict, loadModel, LoadedModel, writeEmbeddings, writePredictions, type ImageInput, type LoadOptions } from './stages/predict.js';
export { loadCheckpoint, latestCheckpoint, listCheckpoints, type CheckpointSidecar } from './run/checkpoint.js';
export { StopSignal } from './run/stop_signal.js';
export type { StageEvent, EventSink } from './run/events.js';
