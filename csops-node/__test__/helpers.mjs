// Shared helpers for the csops Node tests (not a test file itself).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder: the tests (and their tsconfig.json), wherever they run from. */
export const testDir = dirname(fileURLToPath(import.meta.url));
/** The csops package under test, as `import 'csops'` finds it: this checkout's csops-node, or
 * (the installed-package run of scripts/test-node-package.sh) the copy npm installed. */
export const packageDir = dirname(createRequire(import.meta.url).resolve('csops/package.json'));
/** The csops repository (test data, Cargo.toml): CSOPS_WORKSPACE when the tests run outside it. */
export const workspaceDir = process.env.CSOPS_WORKSPACE ?? join(testDir, '..', '..');
/** The csops-node sources (its Cargo.toml and package-lock.json, not shipped in the package). */
export const sourceDir = join(workspaceDir, 'csops-node');

/** The `version` of the `[workspace.package]` table of the workspace Cargo.toml. */
export function workspaceVersion() {
  const text = readFileSync(join(workspaceDir, 'Cargo.toml'), 'utf8');
  let section = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const kv = /^version\s*=\s*"([^"]+)"$/.exec(line);
    if (section === 'workspace.package' && kv) return kv[1];
  }
  throw new Error('no version in [workspace.package] of the workspace Cargo.toml');
}

export function packageJson() {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
}

/** Assert that `f` throws an Error with `code` and a message; returns the error. */
export function throwsCode(f, code) {
  let error;
  assert.throws(f, (e) => {
    error = e;
    return true;
  });
  assert.ok(error instanceof Error, `not an Error: ${error}`);
  assert.equal(error.code, code, `code ${error.code}: ${error.message}`);
  assert.equal(typeof error.message, 'string');
  return error;
}

/** Assert that `promise` (an async call's, which must not throw synchronously) rejects with an
 * Error with `code`; returns the error. */
export async function rejectsCode(promise, code) {
  assert.ok(promise instanceof Promise, 'an async call threw synchronously');
  let error;
  await assert.rejects(promise, (e) => {
    error = e;
    return true;
  });
  assert.ok(error instanceof Error, `not an Error: ${error}`);
  assert.equal(error.code, code, `code ${error.code}: ${error.message}`);
  return error;
}
