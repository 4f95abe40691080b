// The native export list (native/addon.cc's ENTRIES) and the TypeScript declaration of the addon (NativeAddon in
// src/native/addon.ts) name the same functions, and the loaded addon exports exactly those: one cannot drift.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { native } from '../../src/native/addon.js';

const source = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

function nativeEntries(): string[] {
  const block = /#define ENTRIES\(X\)([\s\S]*?)\nENTRIES\(DECLARE\)/.exec(source('native/addon.cc'))?.[1];
  assert.ok(block, 'native/addon.cc: ENTRIES(X) block not found');
  return [...block.matchAll(/X\((\w+)\)/g)].map((m) => m[1]).sort();
}

function declaredMembers(): string[] {
  const body = /export interface NativeAddon \{([\s\S]*?)\n\}/.exec(source('src/native/addon.ts'))?.[1];
  assert.ok(body, 'src/native/addon.ts: interface NativeAddon not found');
  return [...body.matchAll(/^\s{2}(\w+)\(/gm)].map((m) => m[1]).sort();
}

test('addon.cc exports exactly what NativeAddon declares', () => {
  const entries = nativeEntries();
  const declared = declaredMembers();
  assert.ok(entries.length > 30, `only ${entries.length} entries parsed`);
  assert.deepEqual(entries.filter((e) => !declared.includes(e)), [], 'exported by addon.cc but not declared in NativeAddon');
  assert.deepEqual(declared.filter((d) => !entries.includes(d)), [], 'declared in NativeAddon but not exported by addon.cc');
});

test('the loaded addon has a function for every declared member and nothing else', () => {
  const loaded = Object.keys(native).sort();
  assert.deepEqual(loaded, declaredMembers());
  for (const name of loaded) assert.equal(typeof (native as unknown as Record<string, unknown>)[name], 'function', name);
});
