// Small in-place tensor helpers the residual blocks use (as torchvision's ReLU(inplace=True) and `out += identity`).
// In-place ops save one allocation per call; autograd allows them here because no backward needs the overwritten values.
import { callInplace, type Tensor } from '../tensor/index.js';

/** relu_(x): x = max(x, 0) in place; returns x. */
export function reluInplace(x: Tensor): Tensor {
  return callInplace(x, 'aten::relu_', []);
}

/** relu_(x += y): the residual sum and activation, in place on x; returns x. */
export function addReluInplace(x: Tensor, y: Tensor): Tensor {
  return reluInplace(x.add_(y));
}
