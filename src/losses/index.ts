// The losses layer's public API: NT-Xent (SimCLR's contrastive loss) and the distillation loss.
export { ntXent, contrastiveAccuracy, type NtXentOptions, type NtXentResult } from './ntxent.js';
export { distillationLoss, type DistillationOptions } from './distillation.js';
