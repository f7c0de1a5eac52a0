// Loading a team's own exports through a source map, from Node: the map as TOML text or as
// an object, its errors, the report's notes and the frame's missing notes. The transforms
// themselves are checked by the conformance vectors shared with Rust and Python.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadBook, loadBookAsync, loadBookCsv } from 'csops';
import { workspaceDir } from './helpers.mjs';

const exportsDir = join(workspaceDir, 'data', 'exports-sample');
const mapText = readFileSync(join(exportsDir, 'source-map.toml'), 'utf8');
const ACCOUNTS = 'Account ID,Name,Currency,ARR,Since\nA1,Acme,,100,03/15/2024\n';
const MAP = {
  accounts: {
    files: ['crm.csv'],
    columns: {
      id: 'Account ID',
      name: 'Name',
      currency: { from: 'Currency', default: 'USD' },
      arr: 'ARR',
      start_date: { from: 'Since', format: '%m/%d/%Y' },
    },
  },
};

test('a source map as an object or as TOML text loads the same book', () => {
  const toml = '[accounts]\nfiles = ["crm.csv"]\ncolumns.id = "Account ID"\ncolumns.name = "Name"\n'
    + 'columns.currency = { from = "Currency", default = "USD" }\ncolumns.arr = "ARR"\n'
    + 'columns.start_date = { from = "Since", format = "%m/%d/%Y" }\n';
  const a = loadBookCsv({ 'crm.csv': ACCOUNTS }, { sourceMap: MAP });
  const b = loadBookCsv({ 'crm.csv': ACCOUNTS }, { sourceMap: toml });
  assert.equal(a.toJson(), b.toJson());
  const account = JSON.parse(a.toJson()).accounts[0];
  assert.deepEqual([account.currency, account.start_date], ['USD', '2024-03-15']);
  assert.deepEqual(a.report.notes.map((n) => n.field).sort(), ['currency', 'start_date']);
  assert.ok(a.report.notes.every((n) => n.row === null && n.file === 'crm.csv'));
});

test('every mistake in a map is one CSOPS_CONFIG error with its place', () => {
  let err;
  assert.throws(() => loadBookCsv({ 'crm.csv': ACCOUNTS }, { sourceMap: { acounts: {}, accounts: { columns: { naem: 'Name' } } } }), (e) => {
    err = e;
    return true;
  });
  assert.equal(err.code, 'CSOPS_CONFIG');
  assert.equal(err.problems.length, 2);
  assert.match(err.problems[0], /\[accounts\.columns\.naem\].*did you mean `name`/);
  assert.match(err.problems[1], /\[acounts\].*did you mean `accounts`/);
  assert.throws(() => loadBookCsv({ 'crm.csv': ACCOUNTS }, { sourceMap: 'not = [toml' }), (e) => e.code === 'CSOPS_CONFIG');
});

test('the shipped export loads as the sample book, sync and async, and says what it did', async () => {
  const plain = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
  const messy = loadBook(exportsDir, { mode: 'lenient', sourceMap: mapText });
  const again = await loadBookAsync(exportsDir, { mode: 'lenient', sourceMap: mapText });
  assert.equal(again.toJson(), messy.toJson());
  const [c, p] = [messy.counts(), plain.counts()];
  // The wide table's 469 blank cells are snapshots without a value; all else is equal.
  assert.equal(c.usageSnapshots - p.usageSnapshots, 469);
  assert.deepEqual({ ...c, usageSnapshots: 0 }, { ...p, usageSnapshots: 0 });
  assert.equal(messy.report.problems.length, 9);
  const rowNotes = messy.report.notes.filter((n) => n.row !== null);
  assert.equal(rowNotes.length, 191);
  assert.ok(rowNotes.every((n) => n.note.includes('no earlier addition')));
  const frame = messy.featuresAsOf('2026-09-30', { snapshot_metrics: ['active_users'] });
  const blank = frame.missingNotes.filter((n) => n.why.kind === 'no_value_for_period');
  assert.ok(blank.length > 0);
  for (const n of blank) assert.equal(frame.value(n.accountId, n.feature), null);
});
