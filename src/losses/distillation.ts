// Distillation loss of SimCLRv2 (Chen et al. 2020b, eq. 2): the student matches the teacher's
// temperature-softened class distribution on unlabeled images, L = -sum_y P_T(y|x; tau) log P_S(y|x; tau).
import { F, type Tensor } from '../tensor/index.js';

export interface DistillationOptions {
  /** Softmax temperature tau for both teacher and student (paper default 1). */
  temperature?: number;
  /** Multiply by tau^2 so gradient magnitudes do not shrink with tau (Hinton et al.; the SimCLR notebook). */
  scaleByTemperatureSquared?: boolean;
}

/** Mean over the batch of the cross-entropy from teacher to student distributions. Teacher gets no gradient. */
export function distillationLoss(studentLogits: Tensor, teacherLogits: Tensor, options: DistillationOptions = {}): Tensor {
  const { temperature = 1, scaleByTemperatureSquared = false } = options;
  if (!(temperature > 0)) throw new RangeError(`distillationLoss: temperature must be > 0, got ${temperature}`);
  const [a, b] = [studentLogits.shape, teacherLogits.shape];
  if (a.length !== 2 || a[0] !== b[0] || a[1] !== b[1] || b.length !== 2) {
    throw new RangeError(`distillationLoss: student logits [${a}] and teacher logits [${b}] must both be (N, C)`);
  }
  const teacherProbs = F.softmax(teacherLogits.detach().div(temperature), 1); // (N, C)
  const studentLogProbs = F.logSoftmax(studentLogits.div(temperature), 1); // (N, C)
  const loss = teacherProbs.mul(studentLogProbs).sum(1).neg().mean(); // ()
  return scaleByTemperatureSquared ? loss.mul(temperature * temperature) : loss;
}
