import assert from 'node:assert/strict';
import { test } from 'node:test';

import csops, { version } from 'csops';
import { workspaceVersion } from './helpers.mjs';

test('ESM: named import works', () => {
  assert.equal(typeof version, 'function');
  assert.equal(version(), workspaceVersion());
});

test('ESM: default import is the CommonJS exports object', () => {
  assert.equal(typeof csops.version, 'function');
  assert.equal(csops.version, version);
});

test('ESM: dynamic import works', async () => {
  const mod = await import('csops');
  assert.equal(mod.version(), workspaceVersion());
});

test('ESM: the native addon is loaded, not a fallback', () => {
  assert.equal(csops.__napiBindingTarget, 'native');
});
