// Random state: global seed and state round trips, independent Generators, and draws identical to PyTorch's.
// Reference: torch.manual_seed / get_rng_state / torch.Generator; fixture test/fixtures/tensor/rng.json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, Generator, getRngState, manualSeed, rand, randint, randn, randperm, setRngState, tidy, zeros, type Tensor } from '../../src/tensor/index.js';
import { assertClose, readFixture, type EncodedTensor } from './helpers.js';

/** A fixed mix of draws from the global generator (or one Generator), as plain numbers. */
function drawAll(generator?: Generator): number[] {
  return tidy(() => {
    const parts: Tensor[] = [randn([4], { generator }), rand([3], { generator }), randint(0, 100, [3], { generator }).float(),
      randperm(5, { generator }).float()];
    if (!generator) parts.push(zeros([3]).uniform_(-1, 1), zeros([2]).normal_(5, 2), F.dropout(zeros([6]).add(1), 0.5, true));
    return parts.flatMap((t) => t.toFlatArray());
  });
}

test('global RNG: save state, draw, restore, draw again gives identical values', () => {
  manualSeed(123);
  const state = getRngState();
  const first = drawAll();
  const drift = drawAll();
  assert.notDeepEqual(first, drift, 'consecutive draws differ');
  setRngState(state);
  assert.deepEqual(drawAll(), first);
  assert.deepEqual(getRngState().length, state.length);
});

test('manualSeed makes draws repeatable', () => {
  manualSeed(7);
  const a = drawAll();
  manualSeed(7);
  assert.deepEqual(drawAll(), a);
  manualSeed(8);
  assert.notDeepEqual(drawAll(), a);
});

test('Generator: state round trip, seeding, and independence from the global stream', () => {
  const g = new Generator(11);
  const state = g.getState();
  const a = drawAll(g);
  g.setState(state);
  assert.deepEqual(drawAll(g), a);
  assert.deepEqual(drawAll(new Generator(11)), a, 'same seed, same stream');
  assert.notDeepEqual(drawAll(new Generator(12)), a);
  g.manualSeed(11);
  assert.deepEqual(drawAll(g), a, 'manualSeed restarts the stream');

  manualSeed(5);
  const globalState = getRngState();
  const expected = drawAll();
  setRngState(globalState);
  drawAll(new Generator(99)); // must not advance the global generator
  assert.deepEqual(drawAll(), expected);
});

test('bernoulli with a Generator is repeatable', () => {
  const draw = (g: Generator) => tidy(() => F.bernoulli(zeros([16]).add(0.5), g).toFlatArray());
  assert.deepEqual(draw(new Generator(3)), draw(new Generator(3)));
});

test('draws match PyTorch 1.13 bit for bit after the same seed', () => {
  const fx = readFixture<{ seed: number; generator_seed: number; draws: Record<string, EncodedTensor> }>('rng.json');
  tidy(() => {
    manualSeed(fx.seed);
    assertClose(randn([6]), fx.draws.randn, 'randn', 0, 0);
    assertClose(rand([5]), fx.draws.rand, 'rand', 0, 0);
    assertClose(randint(0, 10, [6]), fx.draws.randint, 'randint', 0, 0);
    assertClose(randperm(8), fx.draws.randperm, 'randperm', 0, 0);
    assertClose(randn([3], { dtype: 'float64' }), fx.draws.randn_f64, 'randn float64', 0, 0);
    const g = new Generator(fx.generator_seed);
    assertClose(randn([4], { generator: g }), fx.draws.generator_randn, 'generator randn', 0, 0);
    assertClose(rand([3], { generator: g }), fx.draws.generator_rand, 'generator rand', 0, 0);
  });
});

test('bad RNG states are refused with libtorch\'s message', () => {
  assert.throws(() => setRngState(new Uint8Array(3)), /RNG state size to be 3/);
  assert.throws(() => new Generator(1).setState(new Uint8Array(3)), /RNG state size to be 3/);
});

test('seeds: a BigInt seeds like the same Number; negative, fractional or too large seeds are refused by name', () => {
  assert.deepEqual(drawAll(new Generator(5n)), drawAll(new Generator(5)));
  const big = new Generator(2n ** 64n - 1n);
  assert.equal(drawAll(big).length, drawAll(new Generator(1)).length);
  assert.throws(() => new Generator(2n ** 64n), /newGenerator: a BigInt seed must be in \[0, 2\^64\)/);
  assert.throws(() => new Generator(-1n), /newGenerator: a BigInt seed/);
  assert.throws(() => new Generator(-1), /newGenerator: seed must be a non-negative integer/);
  assert.throws(() => new Generator(1.5), /newGenerator: seed must be a non-negative integer/);
  assert.throws(() => new Generator(2 ** 53), /up to 2\^53 - 1/);
  assert.throws(() => new Generator(0).manualSeed(Number.NaN), /generatorSeed: seed must be a non-negative integer/);
  assert.throws(() => manualSeed(-3), /manualSeed: seed must be a non-negative integer/);
  manualSeed(7n);
  const fromBigInt = drawAll();
  manualSeed(7);
  assert.deepEqual(drawAll(), fromBigInt);
});
