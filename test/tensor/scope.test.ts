// Tensor lifetime: tidy() scopes, keep(), dispose(), and the live-tensor counter returning to its baseline.
// Reference: tf.tidy semantics (tfjs-core engine), DESIGN.md section 3 "Tensor lifetime".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispose, keep, liveTensors, liveTensorBytes, ones, scopeDepth, tensor, tidy, zeros, type Tensor } from '../../src/tensor/index.js';

test('tidy frees every tensor made inside except the result', () => {
  const base = liveTensors();
  const out = tidy(() => {
    const a = ones([3, 3]);
    const b = a.mul(2).add(1);
    return b.sum();
  });
  assert.equal(liveTensors(), base + 1, 'only the result survives');
  assert.equal(out.item(), 27);
  out.dispose();
  assert.equal(liveTensors(), base);
});

test('tidy keeps tensors reachable from arrays, objects and Maps in the result', () => {
  const base = liveTensors();
  const r = tidy(() => {
    const a = ones([2]);
    const b = a.add(1);
    ones([5]); // dropped
    return { list: [a], nested: { b }, map: new Map([['c', b.mul(3)]]) };
  });
  assert.equal(liveTensors(), base + 3);
  assert.deepEqual(r.map.get('c')!.toFlatArray(), [6, 6]);
  dispose(r);
  assert.equal(liveTensors(), base);
});

test('nested tidy: the inner result moves to the outer scope and is freed there', () => {
  const base = liveTensors();
  let inner: Tensor | undefined;
  const outer = tidy(() => {
    inner = tidy(() => ones([2]).mul(5));
    assert.equal(scopeDepth(), 1);
    assert.equal(inner.isDisposed, false, 'inner result alive inside the outer scope');
    return inner.add(1);
  });
  assert.equal(inner!.isDisposed, true, 'outer scope freed the inner result it did not return');
  assert.equal(liveTensors(), base + 1);
  outer.dispose();
  assert.equal(liveTensors(), base);
  assert.equal(scopeDepth(), 0);
});

test('a throw inside tidy frees the scope and propagates the error', () => {
  const base = liveTensors();
  assert.throws(() => tidy(() => {
    ones([4]).add(2);
    tidy(() => {
      zeros([3]);
      throw new Error('boom');
    });
  }), /boom/);
  assert.equal(liveTensors(), base);
  assert.equal(scopeDepth(), 0, 'every scope was closed');
});

test('an async function is rejected by tidy and its tensors are freed', async () => {
  const base = liveTensors();
  let promise: Promise<unknown> | undefined;
  assert.throws(() => tidy(() => {
    ones([2]);
    promise = (async () => 1)();
    return promise;
  }), (err: Error) => err instanceof TypeError && /must be synchronous/.test(err.message));
  await promise;
  assert.equal(liveTensors(), base);
  assert.equal(scopeDepth(), 0);
});

test('keep() takes a tensor out of every scope; tensors from outside a scope are untouched', () => {
  const base = liveTensors();
  const outside = ones([2]);
  let kept: Tensor | undefined;
  tidy(() => {
    tidy(() => {
      kept = keep(outside.mul(4));
      outside.add(1);
    });
  });
  assert.equal(outside.isDisposed, false);
  assert.equal(kept!.isDisposed, false);
  assert.deepEqual(kept!.toFlatArray(), [4, 4]);
  dispose([outside, kept]);
  assert.equal(liveTensors(), base);
});

test('returning an input tensor from tidy does not dispose or adopt it', () => {
  const x = ones([2]);
  const same = tidy(() => x);
  assert.equal(same, x);
  tidy(() => tidy(() => x));
  assert.equal(x.isDisposed, false);
  x.dispose();
});

test('dispose is idempotent and a loop inside tidy holds the live count and bytes flat', () => {
  const base = liveTensors();
  const baseBytes = liveTensorBytes();
  const t = tensor([1, 2, 3]);
  t.dispose();
  t.dispose();
  assert.equal(t.isDisposed, true);
  for (let i = 0; i < 50; i++) {
    tidy(() => {
      const x = ones([16, 16]).mul(i);
      return x.matmul(x).sum().item();
    });
  }
  assert.equal(liveTensors(), base);
  assert.equal(liveTensorBytes(), baseBytes);
});

test('using-style disposal through Symbol.dispose', () => {
  const base = liveTensors();
  {
    const t = ones([3]);
    t[Symbol.dispose]();
    assert.equal(t.isDisposed, true);
  }
  assert.equal(liveTensors(), base);
});
