'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');

test('CJS: require("csops") works', async () => {
  const { workspaceVersion } = await import('./helpers.mjs');
  const csops = require('csops');
  assert.equal(typeof csops.version, 'function');
  assert.equal(csops.version(), workspaceVersion());
});

test('CJS: require and import give the same module', async () => {
  const viaRequire = require('csops');
  const viaImport = await import('csops');
  assert.equal(viaImport.default, viaRequire);
  assert.equal(viaImport.version, viaRequire.version);
});

test('CJS: destructuring require works', () => {
  const { version } = require('csops');
  assert.equal(version(), require('csops').version());
});
