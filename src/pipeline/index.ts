// The stages' public API: pretraining, fine-tuning (and the supervised baseline), distillation, the whole pipeline,
// evaluation, prediction and embedding, with their validated configurations and presets.
export { pretrain, type PretrainOptions, type PretrainSummary } from './pretrain.js';
export { pretrainSchema, pretrainPresets, resolvePretrainConfig, validatePretrainConfig, type PretrainConfig, type PretrainConfigInput } from './pretrain_config.js';
export { finetune, type FinetuneSummary } from './finetune.js';
export { finetuneSchema, finetunePresets, resolveFinetuneConfig, validateFinetuneConfig, type FinetuneConfig, type FinetuneConfigInput } from './finetune_config.js';
export { distill, type DistillSummary } from './distill.js';
export { distillSchema, distillPresets, resolveDistillConfig, validateDistillConfig, type DistillConfig, type DistillConfigInput } from './distill_config.js';
export { runPipeline, type PipelineOptions, type PipelinePlan, type PipelineResult } from './semi_supervised.js';
export { pipelinePresets } from './pipeline_presets.js';
export { evaluateCheckpoint, type EvaluateOptions, type EvaluationSummary } from './evaluate.js';
export { embed, predict, loadModel, LoadedModel, writeEmbeddings, writePredictions, type ImageInput } from './predict.js';
export { loadCheckpoint, latestCheckpoint, listCheckpoints, type CheckpointSidecar } from './checkpoint.js';
export { StopSignal } from './stop_signal.js';
export type { StageEvent, EventSink } from './events.js';
