import { singleProcess } from '../../src/distributed/world.js';
import { trainTiny } from './workers/train_tiny.js';
delete process.env.DUMP;
const a = trainTiny(singleProcess);
let worst = 0;
for (const at of ['0', '1', '2', '3']) for (const eps of ['3e-5', '-3e-5']) {
process.env.PERTURB_AT = at; process.env.EPS = eps;
const b = trainTiny(singleProcess);
for (const [k, t] of a.state) { const x = t.toFlatArray(), y = b.state.get(k)!.toFlatArray(); for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i])); }
}
console.log(process.env.SEED, process.env.LR, worst.toExponential(2), a.losses.map((l) => l.toFixed(3)).join(' '));
