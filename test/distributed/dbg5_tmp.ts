import { loadSafetensors, F, randn, Generator, grad } from '../../src/tensor/index.js';
const { tensors: t } = loadSafetensors('/tmp/bn7.safetensors');
const x0 = t.get('x')!;
const run = (x, dt) => { const xx = x.to(dt).requiresGrad_(); const w = t.get('w')!.to(dt).requiresGrad_(); const b = t.get('b')!.to(dt).requiresGrad_();
  const dy = randn(x.shape, { generator: new Generator(1) }).to(dt);
  const y = F.batchNorm(xx, { weight: w, bias: b, runningMean: null, runningVar: null, training: true, momentum: 0.1, eps: 1e-5 });
  return [y, ...grad([y], [xx, w, b], { gradOutputs: [dy] })].map((q) => q!.to('float64')); };
const truth = run(x0, 'float64');
for (const [name, x] of [['contig', x0], ['cl', x0.contiguous('channelsLast')]] as const) {
  const r = run(x, 'float32');
  console.log(name, x.strides(), r.map((q, i) => Math.max(...q.sub(truth[i]).abs().toFlatArray()).toExponential(2)).join(' '));
}
