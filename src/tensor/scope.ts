// Deterministic tensor lifetime: tidy(fn) frees every tensor made inside fn except what fn returns.
// Like tf.tidy; the finalizer in the addon is only a safety net.

/** What a scope tracks: anything that can be disposed once (tensors). */
export interface Tracked {
  dispose(): void;
  readonly isDisposed: boolean;
}

type Scope = Set<Tracked>;
const scopes: Scope[] = [];
const keptForever = new WeakSet<Tracked>();

/** Called by every tensor constructor: the innermost open scope owns the new tensor. */
export function trackTensor(t: Tracked): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

/** Takes a tensor out of every open scope: the caller now owns it and must dispose it. */
export function keep<T extends Tracked>(t: T): T {
  keptForever.add(t);
  for (const scope of scopes) scope.delete(t);
  return t;
}

/** Collects every Tracked value reachable through arrays, plain objects, Maps and Sets. */
function collect(value: unknown, into: Set<Tracked>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTracked(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) collect(item, into, seen);
  } else if (value instanceof Map) {
    for (const item of value.values()) collect(item, into, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collect(item, into, seen);
  }
}

function isTracked(value: object): value is Tracked {
  return typeof (value as Tracked).dispose === 'function' && 'isDisposed' in value;
}

/**
 * Runs fn in a new scope. Tensors created inside are disposed when fn returns, except those reachable
 * from its result (tensors, arrays, plain objects, Maps), which move to the enclosing scope.
 * On a throw, every tensor of the scope is disposed and the error propagates.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = new Set();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    disposeAll(scope, new Set());
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    disposeAll(scope, new Set());
    throw new TypeError('tidy(fn): fn must be synchronous (it returned a Promise); tidy each synchronous step instead');
  }
  const survivors = new Set<Tracked>();
  collect(result, survivors);
  disposeAll(scope, survivors);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of survivors) if (scope.has(t) && !keptForever.has(t)) parent.add(t);
  return result;
}

function disposeAll(scope: Scope, except: Set<Tracked>): void {
  for (const t of scope) if (!except.has(t) && !t.isDisposed) t.dispose();
}

/** Disposes every Tracked value reachable from `value` (tensors, arrays, objects, Maps). */
export function dispose(value: unknown): void {
  const all = new Set<Tracked>();
  collect(value, all);
  for (const t of all) if (!t.isDisposed) t.dispose();
}

/** Number of nested scopes now open (for tests and debugging). */
export function scopeDepth(): number {
  return scopes.length;
}
