// Finite-difference gradient check: the full Jacobian by central differences against autograd's, in float64.
// Reference: torch.autograd.gradcheck (torch/autograd/gradcheck.py; same eps/atol/rtol defaults, slow mode).
import { grad, noGrad } from './autograd.js';
import { tensor, zeros } from './creation.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step (torch default 1e-6). */
  eps?: number;
  /** Absolute tolerance (torch default 1e-5). */
  atol?: number;
  /** Relative tolerance (torch default 1e-3). */
  rtol?: number;
}

export interface GradcheckMismatch {
  input: number;
  inputIndex: number;
  outputIndex: number;
  analytical: number;
  numerical: number;
}

export interface GradcheckResult {
  ok: boolean;
  maxAbsError: number;
  /** The first few entries outside tolerance. */
  mismatches: GradcheckMismatch[];
}

type Fn = (...inputs: Tensor[]) => Tensor;

function values(t: Tensor): Float64Array {
  return Float64Array.from(t.toFlatArray());
}

/** Output values of fn with input `which` replaced by `data` (no graph recorded). */
function evaluate(fn: Fn, inputs: Tensor[], which: number, data: Float64Array): Float64Array {
  return tidy(() => noGrad(() => {
    const args = inputs.map((x, i) => (i === which ? tensor(data, x.shape, { dtype: 'float64' }) : x.detach()));
    return values(fn(...args));
  }));
}

/** Numerical Jacobian d out / d inputs[which]: rows = input elements, each a column of output values. */
function numericalJacobian(fn: Fn, inputs: Tensor[], which: number, eps: number): Float64Array[] {
  const base = values(inputs[which]);
  const rows: Float64Array[] = [];
  for (let j = 0; j < base.length; j++) {
    const plus = Float64Array.from(base);
    const minus = Float64Array.from(base);
    plus[j] += eps;
    minus[j] -= eps;
    const fPlus = evaluate(fn, inputs, which, plus);
    const fMinus = evaluate(fn, inputs, which, minus);
    rows.push(fPlus.map((v, k) => (v - fMinus[k]) / (2 * eps)));
  }
  return rows;
}

/** Analytical Jacobian by one backward pass per output element: result[input][outputIndex] = gradient values. */
function analyticalJacobian(fn: Fn, inputs: Tensor[], checked: number[]): Float64Array[][] {
  return tidy(() => {
    const out = fn(...inputs);
    if (out.dtype !== 'float64') throw new TypeError(`gradcheck: fn must return float64 (finite differences need it), got ${out.dtype}`);
    const result: Float64Array[][] = checked.map(() => []);
    for (let k = 0; k < out.numel; k++) {
      tidy(() => {
        const oneHot = zeros([out.numel], { dtype: 'float64' }); // (numel,)
        oneHot.narrow(0, k, 1).fill_(1);
        const grads = grad([out], checked.map((i) => inputs[i]), { gradOutputs: [oneHot.reshape(out.shape)], retainGraph: true, allowUnused: true });
        grads.forEach((g, c) => result[c].push(g === null ? new Float64Array(inputs[checked[c]].numel) : values(g)));
      });
    }
    return result;
  });
}

/**
 * Compares autograd's Jacobian of fn with central differences for every input that requires grad.
 * Inputs must be float64. Passes when |analytical - numerical| <= atol + rtol * |numerical| everywhere.
 */
export function gradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = options;
  const checked = inputs.flatMap((x, i) => (x.requiresGrad ? [i] : []));
  if (checked.length === 0) throw new TypeError('gradcheck: no input requires grad');
  for (const i of checked) {
    if (inputs[i].dtype !== 'float64') throw new TypeError(`gradcheck: input ${i} must be float64, got ${inputs[i].dtype}`);
  }
  const analytical = analyticalJacobian(fn, inputs, checked);
  const mismatches: GradcheckMismatch[] = [];
  let maxAbsError = 0;
  checked.forEach((input, c) => {
    const numerical = numericalJacobian(fn, inputs, input, eps);
    numerical.forEach((column, inputIndex) => column.forEach((n, outputIndex) => {
      const a = analytical[c][outputIndex][inputIndex];
      const err = Math.abs(a - n);
      maxAbsError = Math.max(maxAbsError, err);
      if (!(err <= atol + rtol * Math.abs(n)) && mismatches.length < 10) mismatches.push({ input, inputIndex, outputIndex, analytical: a, numerical: n });
    }));
  });
  return { ok: mismatches.length === 0, maxAbsError, mismatches };
}

/** gradcheck that throws an Error listing the mismatching Jacobian entries. */
export function assertGradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}, label = 'gradcheck'): void {
  const r = gradcheck(fn, inputs, options);
  if (r.ok) return;
  const lines = r.mismatches.map((m) =>
    `  input ${m.input}[${m.inputIndex}] -> output[${m.outputIndex}]: analytical ${m.analytical}, numerical ${m.numerical}`);
  throw new Error(`${label}: Jacobian mismatch (max abs error ${r.maxAbsError})\n${lines.join('\n')}`);
}
