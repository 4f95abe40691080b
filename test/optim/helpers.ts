// Shared pieces of the optimiser tests: the committed trajectories (scripts/make_optim_fixtures.py) and
// parameters built from them with chosen optimiser flags.
import { Parameter } from '../../src/nn/index.js';
import { noGrad, tidy, type DType } from '../../src/tensor/index.js';
import { loadFixture } from '../nn/helpers.js';

export const STEPS = 5;
export const optimFixture = loadFixture('optim/optim.safetensors');

export type Flags = Record<string, { weightDecay: boolean; larsAdapt: boolean }>;

/** Fresh parameters named as in the fixture (w, b, z, q) from its initial values, in `dtype`. */
export function fixtureParams(names: string[], dtype: DType = 'float32', flags: Flags = {}): Map<string, Parameter> {
  return new Map(names.map((k) => {
    const data = tidy(() => optimFixture.get(`init.${k}`).to(dtype).clone());
    const p = new Parameter(data, flags[k] ?? {});
    data.dispose();
    return [k, p];
  }));
}

/** Sets each parameter's .grad to the fixture's gradient of `step` (a copy, in the parameter's dtype). */
export function setFixtureGrads(params: Map<string, Parameter>, step: number): void {
  tidy(() => noGrad(() => {
    for (const [k, p] of params) p.grad = optimFixture.get(`grad${step}.${k}`).to(p.dtype).clone();
  }));
}
