import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { version } from 'csops';
import { packageJson, sourceDir, workspaceVersion } from './helpers.mjs';

test('version() equals [workspace.package] version of the workspace Cargo.toml', () => {
  const expected = workspaceVersion();
  assert.match(expected, /^\d+\.\d+\.\d+/);
  assert.equal(version(), expected);
});

test('package.json version equals the crate version', () => {
  assert.equal(packageJson().version, workspaceVersion());
  // The crate takes its version from the workspace, so the two cannot drift.
  const crateToml = readFileSync(join(sourceDir, 'Cargo.toml'), 'utf8');
  assert.match(crateToml, /^version\.workspace\s*=\s*true\s*$/m);
});

test('package-lock.json is in step with package.json', () => {
  const lock = JSON.parse(readFileSync(join(sourceDir, 'package-lock.json'), 'utf8'));
  assert.equal(lock.name, 'csops');
  assert.equal(lock.version, packageJson().version);
});
