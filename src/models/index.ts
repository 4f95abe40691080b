// The models layer's public API: descriptions, the ResNet(+SK/SE) encoder, heads, the SimCLR model and summaries.
export { DEPTHS, ModelDescriptionError, archDepth, parseModelDescription, resolveSelector, toPlain, withChanges, type Depth, type ModelDescription, type ModelDescriptionInput, type ProjHeadMode, type StemKind } from './description.js';
export { encoderSpec, type BlockSpec, type EncoderSpec, type StemSpec } from './spec.js';
export { ResNet, STAGE_NAMES } from './resnet.js';
export { BasicBlock, Bottleneck, type ResidualBlock } from './blocks.js';
export { SelectiveKernelConv2d } from './selective_kernel.js';
export { SqueezeExcite } from './squeeze_excite.js';
export { AvgPool2dSame } from './downsample.js';
export { ProjectionHead, ProjectionLayer } from './projection_head.js';
export { SimCLRModel, buildModel, type ForwardOptions, type SimCLROutput } from './simclr_model.js';
export { countEncoderParameters, formatSummaryTable, modelSummary, type ModelSummary, type SummaryRow } from './summary.js';
export { countParams, type ParamShape } from './param_shapes.js';
