// autocast(): CPU bfloat16 regions as torch.autocast('cpu'): conv/linear/matmul run in bfloat16 inside, float32
// outside; the previous state comes back after a throw; nesting and enabled:false; the cast cache's lifetime.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  autocast, autocastDtype, cuda, F, isAutocastEnabled, liveTensors, noGrad, ones, randn, tensor, tidy, type Tensor,
} from '../../src/tensor/index.js';

const cpu = { device: 'cpu', dtype: 'bfloat16' } as const;

/** conv2d, linear and matmul outputs on fresh float32 inputs. */
function lowPrecisionOps(): Tensor[] {
  const x = randn([2, 3, 6, 6]); // (N, C, H, W)
  const conv = F.conv2d(x, randn([4, 3, 3, 3]), null, { padding: 1 }); // (N, 4, H, W)
  const linear = F.linear(randn([5, 7]), randn([2, 7]), randn([2])); // (5, 2)
  const matmul = randn([3, 4]).matmul(randn([4, 2])); // (3, 2)
  return [conv, linear, matmul];
}

describe('autocast on CPU', () => {
  it('runs conv2d, linear and matmul in bfloat16 inside, float32 outside', () => {
    tidy(() => {
      assert.equal(isAutocastEnabled('cpu'), false);
      const inside = autocast(cpu, () => {
        assert.equal(isAutocastEnabled('cpu'), true);
        assert.equal(autocastDtype('cpu'), 'bfloat16');
        return lowPrecisionOps();
      });
      assert.deepEqual(inside.map((t) => t.dtype), ['bfloat16', 'bfloat16', 'bfloat16']);
      assert.deepEqual(lowPrecisionOps().map((t) => t.dtype), ['float32', 'float32', 'float32']);
      assert.equal(isAutocastEnabled('cpu'), false);
    });
  });

  it('keeps values close to float32 and sends float32 gradients to float32 leaves', () => {
    tidy(() => {
      const w = randn([8, 16]).requiresGrad_(true); // (8, 16)
      const x = randn([4, 16]); // (4, 16)
      const exact = F.linear(x, w); // (4, 8)
      const low = autocast(cpu, () => F.linear(x, w)); // (4, 8) bfloat16
      const err = low.float().sub(exact).abs().max().item() as number;
      assert.ok(err < 0.05 * ((exact.abs().max().item() as number) + 1), `bfloat16 linear is off by ${err}`);
      low.float().sum().backward();
      assert.equal(w.grad!.dtype, 'float32');
    });
  });

  it('restores the previous state when fn throws, also inside an enclosing region', () => {
    assert.throws(() => autocast(cpu, () => { throw new Error('boom'); }), /boom/);
    assert.equal(isAutocastEnabled('cpu'), false);
    autocast(cpu, () => {
      assert.throws(() => autocast({ device: 'cpu', enabled: false }, () => { throw new RangeError('inner'); }), /inner/);
      assert.equal(isAutocastEnabled('cpu'), true, 'the outer region is still on');
      tidy(() => assert.equal(randn([2, 2]).matmul(randn([2, 2])).dtype, 'bfloat16'));
    });
    assert.equal(isAutocastEnabled('cpu'), false);
  });

  it('nests: enabled:false turns it off for an inner region only, and regions return their values', () => {
    tidy(() => {
      const [outerBefore, inner, outerAfter] = autocast(cpu, () => {
        const a = randn([2, 3]).matmul(randn([3, 2])); // (2, 2)
        const b = autocast({ device: 'cpu', enabled: false }, () => randn([2, 3]).matmul(randn([3, 2]))); // (2, 2)
        const c = autocast(cpu, () => autocast(cpu, () => randn([2, 3]).matmul(randn([3, 2])))); // (2, 2)
        return [a, b, c];
      });
      assert.deepEqual([outerBefore.dtype, inner.dtype, outerAfter.dtype], ['bfloat16', 'float32', 'bfloat16']);
    });
  });

  it('frees the cast cache when the outermost region ends, not before', () => {
    tidy(() => {
      const w = ones([1, 4]).requiresGrad_(true); // (1, 4) a leaf weight: its bfloat16 copy is cached
      const x = ones([1, 4]); // (1, 4)
      const linear = () => F.linear(x, w).item() as number;
      const [first, stale] = autocast(cpu, () => {
        const a = autocast(cpu, linear);
        noGrad(() => w.add_(1)); // in place: a cached copy would not see it
        return [a, autocast(cpu, linear)]; // inner regions end at depth 1: the cache lives on
      });
      assert.deepEqual([first, stale], [4, 4]);
      assert.equal(autocast(cpu, linear), 8, 'a new outermost region casts the updated weight');
      const uncached = autocast({ ...cpu, cacheEnabled: false }, () => {
        const a = linear();
        noGrad(() => w.add_(1));
        return [a, linear()];
      });
      assert.deepEqual(uncached, [8, 12]);
    });
  });

  it('refuses a Promise-returning fn after restoring the state, and bad options with clear errors', async () => {
    const pending = Promise.resolve(1);
    assert.throws(() => autocast(cpu, () => pending), /autocast: fn returned a Promise; autocast regions are synchronous/);
    assert.equal(isAutocastEnabled('cpu'), false);
    await pending;
    assert.throws(() => autocast({ device: 'tpu' as 'cpu' }, () => 0), /autocast: device must be 'cpu', 'cuda' or 'cuda:N', got 'tpu'/);
    assert.throws(() => autocast({ device: 'cpu', dtype: 'float32' as 'bfloat16' }, () => 0), /autocast: dtype must be 'bfloat16' or 'float16', got 'float32'/);
    // float16 on CPU: libtorch 2.4+ runs it, 1.13 refuses naming the dtype it supports.
    try {
      assert.equal(autocast({ device: 'cpu', dtype: 'float16' }, () => tidy(() => randn([2, 2]).matmul(randn([2, 2])).dtype)), 'float16');
    } catch (err) {
      assert.match((err as Error).message, /CPU autocast in libtorch 1\.13.* supports bfloat16 only/);
    }
    assert.equal(isAutocastEnabled('cpu'), false);
  });

  it('CUDA regions need a CUDA build; they leave CPU ops alone', { skip: cuda.isAvailable() ? 'CUDA present: covered by the GPU check' : false }, () => {
    assert.throws(() => autocast({ device: 'cuda:0' }, () => 0), /CUDA autocast needs a CUDA build of libtorch/);
    assert.equal(isAutocastEnabled('cuda'), false);
    tidy(() => assert.equal(autocast({ device: 'cuda', enabled: false }, () => randn([2, 2]).matmul(randn([2, 2]))).dtype, 'float32'));
  });

  it('leaves no tensors behind', () => {
    const before = liveTensors();
    tidy(() => { autocast(cpu, () => lowPrecisionOps()); });
    autocast(cpu, () => tidy(() => { tensor([1, 2]).mul(2); }));
    assert.equal(liveTensors(), before);
  });
});
