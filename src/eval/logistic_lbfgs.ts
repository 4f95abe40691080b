// Multinomial logistic regression fitted by full-batch L-BFGS: the standard linear-probe solver (scikit-learn's
// LogisticRegression default). Two-loop recursion, Armijo backtracking, analytic gradient of mean CE + l2/2 ||W||^2.
// Reference: Nocedal & Wright, Numerical Optimization, algorithms 7.4 and 7.5.
import { zeros, F, cat, keep, tidy, type Tensor, yieldToEventLoop } from '../tensor/index.js';

export interface LbfgsOptions {
  numClasses: number;
  /** L2 penalty on the weights (not the bias) added to the mean cross-entropy. */
  l2: number;
  /** Iterations at most (default 500). */
  maxIterations?: number;
  /** Curvature pairs kept (default 10). */
  history?: number;
  /** Stop when the largest gradient entry falls below this (default 1e-5). */
  tolerance?: number;
  /** Stop when an iteration lowers the objective by less than this, relative (default 1e-9, as SciPy's ftol). */
  functionTolerance?: number;
  /** Checked every iteration: once aborted, the fit rejects with its reason. */
  signal?: AbortSignal;
}

export interface LogisticFit {
  /** (K, D) and (K,); the caller owns them. */
  weight: Tensor;
  bias: Tensor;
  loss: number;
  iterations: number;
}

const dot = (a: Tensor, b: Tensor) => tidy(() => a.mul(b).sum().item());

/** Objective and gradient at theta = [W flattened, b] for features x (N, D) and labels y (N,). */
function objective(theta: Tensor, x: Tensor, y: Tensor, K: number, l2: number): { f: number; g: Tensor } {
  return tidy(() => {
    const [N, D] = x.shape;
    const W = theta.narrow(0, 0, K * D).view([K, D]); // (K, D)
    const b = theta.narrow(0, K * D, K); // (K,)
    const logits = x.matmul(W.t()).add(b); // (N, K)
    const logp = F.logSoftmax(logits, 1); // (N, K)
    const f = logp.gather(1, y.unsqueeze(1)).mean().neg().item() + 0.5 * l2 * W.square().sum().item();
    const G = logp.exp().sub(F.oneHot(y, K).to(x.dtype)).div(N); // (N, K) dLoss/dlogits
    const g = cat([G.t().matmul(x).add(W.mul(l2)).flatten(), G.sum(0)], 0); // (K*D + K,)
    return { f, g: keep(g) };
  });
}

/**
 * Fits W, b by L-BFGS; yields to the event loop every iteration (one iteration costs a few passes over x, so a stop
 * request is seen within about that time). In float32 the objective's rounding limits the
 * gradient reached to about 1e-3 (ample for accuracy); float64 features converge to the tolerance.
 */
export async function fitLogisticLbfgs(x: Tensor, y: Tensor, o: LbfgsOptions): Promise<LogisticFit> {
  const { numClasses: K, l2, maxIterations = 500, history = 10, tolerance = 1e-5, functionTolerance = 1e-9 } = o;
  const D = x.shape[1];
  const pairs: Array<{ s: Tensor; y: Tensor; rho: number }> = [];
  let theta = keep(zeros([K * D + K], { dtype: x.dtype, device: x.device })); // (P,) float32, or float64 for float64 features
  let { f, g } = objective(theta, x, y, K, l2);
  let iterations = 0;
  try {
    for (; iterations < maxIterations; iterations++) {
      if (tidy(() => g.abs().max().item()) < tolerance) break;
      let d = direction(g, pairs); // (P,)
      let gd = dot(g, d);
      if (!(gd < 0)) { // not a descent direction: forget the curvature and follow the gradient
        for (const p of pairs.splice(0)) p.s.dispose(), p.y.dispose();
        d.dispose();
        d = keep(tidy(() => g.neg()));
        gd = dot(g, d);
      }
      let t = pairs.length ? 1 : Math.min(1, 1 / tidy(() => g.abs().sum().item()));
      let next: { theta: Tensor; f: number; g: Tensor };
      for (;;) { // Armijo backtracking
        const candidate = keep(tidy(() => theta.add(d.mul(t)))); // (P,)
        const r = objective(candidate, x, y, K, l2);
        next = { theta: candidate, ...r };
        if (r.f <= f + 1e-4 * t * gd || t < 1e-10) break;
        candidate.dispose();
        r.g.dispose();
        t *= 0.5;
      }
      d.dispose();
      const s = keep(tidy(() => next.theta.sub(theta))); // (P,)
      const yk = keep(tidy(() => next.g.sub(g))); // (P,)
      const sy = dot(s, yk);
      if (sy > 1e-10) pairs.push({ s, y: yk, rho: 1 / sy });
      else s.dispose(), yk.dispose();
      if (pairs.length > history) {
        const old = pairs.shift()!;
        old.s.dispose();
        old.y.dispose();
      }
      const previous = f;
      theta.dispose();
      g.dispose();
      ({ theta, f, g } = next);
      if (previous - f <= functionTolerance * Math.max(1, Math.abs(f))) { iterations++; break; }
      await yieldToEventLoop(o.signal);
    }
    const [weight, bias] = tidy(() => [theta.narrow(0, 0, K * D).view([K, D]).clone(), theta.narrow(0, K * D, K).clone()]);
    return { weight: keep(weight), bias: keep(bias), loss: f, iterations };
  } finally {
    theta.dispose();
    g.dispose();
    for (const p of pairs) p.s.dispose(), p.y.dispose();
  }
}

/** The two-loop recursion: -H g with the stored curvature pairs (H0 = gamma I, gamma = s.y / y.y of the newest pair). */
function direction(g: Tensor, pairs: Array<{ s: Tensor; y: Tensor; rho: number }>): Tensor {
  return keep(tidy(() => {
    let q = g.clone(); // (P,)
    const alphas: number[] = [];
    for (let i = pairs.length - 1; i >= 0; i--) {
      const a = pairs[i].rho * dot(pairs[i].s, q);
      alphas[i] = a;
      q = q.sub(pairs[i].y.mul(a));
    }
    const last = pairs[pairs.length - 1];
    let r = last ? q.mul(dot(last.s, last.y) / dot(last.y, last.y)) : q; // (P,)
    for (let i = 0; i < pairs.length; i++) {
      const beta = pairs[i].rho * dot(pairs[i].y, r);
      r = r.add(pairs[i].s.mul(alphas[i] - beta));
    }
    return r.neg();
  }));
}
