// Strided 1x1 convolutions (ResNet projection shortcuts) against a matmul reference, in both memory layouts and for
// channel counts below, at and above oneDNN's channel block (8 with AVX2, 16 with AVX-512). Before F.conv2d computed
// them by subsampling, the channels-last weight gradient wrote past oneDNN's workspace here (issue 12: heap corruption).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, grad, manualSeed, randn, setNumThreads, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertNoLeak } from './helpers.js';

setNumThreads(1); // the overflow was in the single-thread partition of the workspace

/** 1x1 convolution by hand: subsample, then a matrix product over channels (shares no code with conv2d). */
function reference(x: Tensor, w: Tensor, b: Tensor, [sh, sw]: [number, number]): Tensor {
  const sub = x.slice(2, null, null, sh).slice(3, null, null, sw); // (N, C, H', W')
  const rows = sub.permute([0, 2, 3, 1]); // (N, H', W', C)
  const out = rows.matmul(w.reshape([w.shape[0], w.shape[1]]).transpose(0, 1)).add(b); // (N, H', W', O)
  return out.permute([0, 3, 1, 2]); // (N, O, H', W')
}

function maxDiff(a: Tensor, b: Tensor): number {
  return a.sub(b).abs().max().item() as number;
}

for (const layout of ['contiguous', 'channelsLast'] as const) {
  test(`strided 1x1 conv2d equals subsample + matmul, values and gradients (${layout})`, () => {
    manualSeed(0);
    for (const channels of [1, 3, 4, 5, 8, 12, 16, 20]) {
      for (const stride of [[2, 2], [3, 3], [2, 1]] as [number, number][]) {
        assertNoLeak(`C=${channels} stride ${stride}`, () => tidy(() => {
          const base = randn([32, channels, 32, 31]); // (N, C, H, W): odd width on purpose
          const x = (layout === 'channelsLast' ? base.contiguous('channelsLast') : base).requiresGrad_();
          const w = randn([2 * channels, channels, 1, 1]).requiresGrad_();
          const b = randn([2 * channels]).requiresGrad_();
          const y = F.conv2d(x, w, b, { stride }); // (N, 2C, ceil(32/sh), ceil(31/sw))
          const want = reference(x, w, b, stride);
          assert.deepEqual(y.shape, want.shape);
          const label = `C=${channels} stride ${stride}`;
          assert.ok(maxDiff(y, want) < 1e-4, `${label}: output differs by ${maxDiff(y, want)}`);
          const probe = randn(y.shape); // a random upstream gradient
          const got = grad([y.mul(probe).sum()], [x, w, b]) as Tensor[];
          const expected = grad([want.mul(probe).sum()], [x, w, b]) as Tensor[];
          for (const [i, name] of ['input', 'weight', 'bias'].entries()) {
            const scale = 1 + (expected[i].abs().max().item() as number);
            assert.ok(maxDiff(got[i], expected[i]) < 1e-4 * scale, `${label}: ${name} gradient differs by ${maxDiff(got[i], expected[i])}`);
          }
        }));
      }
    }
  });
}
