import { loadSafetensors } from '../../src/tensor/index.js';
for (let step = 0; step < 4; step++) {
  const a = loadSafetensors(`/tmp/g-1-${step}.safetensors`).tensors, b = loadSafetensors(`/tmp/g-2-${step}.safetensors`).tensors;
  const rows = [];
  for (const [k, t] of a) { const x = t.toFlatArray(), y = b.get(k)!.toFlatArray(); let m = 0, n = 0; for (let i = 0; i < x.length; i++) { m = Math.max(m, Math.abs(x[i] - y[i])); n = Math.max(n, Math.abs(x[i])); } rows.push([m, n, k]); }
  rows.sort((p, q) => (q[0] as number) - (p[0] as number));
  console.log(step, rows.slice(0, 4).map((r) => r.join(' ')).join(' | '));
}
