// The package's types (index.d.ts, re-exporting the generated binding.d.ts): meaningful types
// (no `any`/`unknown` but a type guard's argument), every export declared and documented, and
// __test__/usage.ts, a typed use of the whole API, type-checks against them (`tsc --noEmit`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import * as csops from 'csops';
import { packageDir, testDir } from './helpers.mjs';

const dts = ['binding.d.ts', 'index.d.ts']
  .map((f) => readFileSync(join(packageDir, f), 'utf8'))
  .join('\n')
  // The re-export of the binding's types by the entry, not a declaration.
  .replace(/^(export \* from|import type) .*$/gm, '');
// Declarations without their doc comments.
const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

test('index.d.ts has no any or unknown types', () => {
  // String literal types (a trigger's kind `'any'` or `"any"`) are values, not the `any` type;
  // a type guard takes any value (`value: unknown`).
  const types = code
    .replace(/'[^'\n]*'/g, "''")
    .replace(/"[^"\n]*"/g, '""')
    .replace(/\(value: unknown\): value is/g, '(value): value is');
  assert.doesNotMatch(types, /\bany\b/);
  assert.doesNotMatch(types, /\bunknown\b/);
});

test('index.d.ts declares every runtime export', () => {
  for (const name of Object.keys(csops)) {
    // String enums: napi exports a runtime object, but the declaration is a type-only union.
    if (name === 'default' || name === 'ProblemKind' || name === 'Direction') continue;
    assert.match(code, new RegExp(`export declare (function|class|const|namespace) ${name}\\b`), name);
  }
});

test('index.d.ts documents every declaration', () => {
  const undocumented = dts
    .split('\n')
    .map((line, i, lines) => [line, lines[i - 1] ?? ''])
    // A namespace (`stats`) has no doc comment of its own in napi's output; its members do.
    .filter(([line]) => /^\s*(export|get |[a-zA-Z]+\??[(:])/.test(line) && !/^\s*(export type .* = \{|\||export declare namespace )/.test(line))
    .filter(([, prev]) => !/\*\/\s*$/.test(prev))
    .map(([line]) => line.trim());
  assert.deepEqual(undocumented, []);
});

test('usage.ts type-checks against index.d.ts (tsc --noEmit)', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(testDir, 'tsconfig.json')], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
