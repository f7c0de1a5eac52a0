// Shared helpers for the csops Node tests (not a test file itself).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const workspaceDir = join(packageDir, '..');

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
