import { singleProcess } from '../../src/distributed/world.js';
import { loadSafetensors } from '../../src/tensor/index.js';
import { runWorkers, workerScript, assertAllSucceeded } from './helpers.js';
import { TINY, trainTiny } from './workers/train_tiny.js';
TINY.steps = Number(process.env.STEPS ?? 1);
const w = await runWorkers(workerScript('train_tiny.ts'), 2, { args: ['/tmp/dbg.safetensors'], env: { STEPS: String(TINY.steps) } });
assertAllSucceeded(w);
const ref = trainTiny(singleProcess);
const { tensors } = loadSafetensors('/tmp/dbg.safetensors');
const rows = [];
for (const [name, r] of ref.state) {
  const got = tensors.get(name)!.toFlatArray(); const want = r.toFlatArray();
  let m = 0, mv = 0; for (let i = 0; i < want.length; i++) { m = Math.max(m, Math.abs(got[i] - want[i])); mv = Math.max(mv, Math.abs(want[i])); }
  rows.push([m, mv, name]);
}
rows.sort((a, b) => (b[0] as number) - (a[0] as number));
console.log(rows.slice(0, 12).map((r) => r.join(' ')).join('\n'));
