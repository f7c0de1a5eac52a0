// Loading a team's own exports through a source map, from Node: the map as TOML text or as
// an object, its errors, the report's notes and the frame's missing notes. The transforms
// themselves are checked by the conformance vectors shared with Rust and Python.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadBook, loadBookAsync, loadBookCsv, loadBookTables } from 'csops';
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
  // The map's file path is the same map (the core's one rule for a configuration argument,
  // as Python's source_map= takes a path); a missing file is CSOPS_IO naming it.
  const byPath = loadBook(exportsDir, { mode: 'lenient', sourceMap: join(exportsDir, 'source-map.toml') });
  assert.equal(byPath.toJson(), messy.toJson());
  const missing = join(exportsDir, 'no-such-map.toml');
  assert.throws(() => loadBook(exportsDir, { sourceMap: missing }), (e) => e.code === 'CSOPS_IO' && e.message.includes('no-such-map.toml'));
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

test('tables as arrays of rows or objects of columns load as CSV text would', () => {
  const rows = loadBookTables({
    accounts: [
      { id: 'A1', name: 'Acme', currency: 'USD', arr: 1200.5, start_date: '2024-01-01', seats: 202.0 },
      { id: 'A2', name: 'Beta', currency: 'EUR', arr: 10, start_date: new Date(Date.UTC(2024, 1, 1)), seats: 12.5 },
    ],
  }, { mode: 'lenient' });
  const columns = loadBookTables({
    accounts: {
      id: ['A1', 'A2'],
      name: ['Acme', 'Beta'],
      currency: ['USD', 'EUR'],
      arr: Float64Array.of(1200.5, 10),
      start_date: ['2024-01-01', '2024-02-01'],
      seats: Float64Array.of(202, 12.5),
    },
  }, { mode: 'lenient' });
  for (const book of [rows, columns]) {
    const doc = JSON.parse(book.toJson());
    assert.deepEqual(doc.accounts.map((a) => [a.id, a.seats, a.arr]), [['A1', 202, '1200.5']]);
    const [p] = book.report.problems;
    assert.deepEqual([p.file, p.row, p.field, p.kind], ['accounts', 2, 'seats', 'malformed']);
  }
  // A NaN is an empty cell; unequal columns and unknown tables are CSOPS_FORMAT errors.
  const nan = loadBookTables({ accounts: { id: ['A1'], name: ['Acme'], currency: ['USD'], arr: [1], start_date: ['2024-01-01'], seats: Float64Array.of(NaN) } });
  assert.equal(JSON.parse(nan.toJson()).accounts[0].seats, undefined);
  assert.throws(() => loadBookTables({ accounts: { id: ['A1', 'A2'], name: ['Acme'] } }), (e) => e.code === 'CSOPS_FORMAT' && /equally long/.test(e.message));
  assert.throws(() => loadBookTables({ acounts: [] }), (e) => e.code === 'CSOPS_FORMAT');
  assert.throws(() => loadBookTables(42), (e) => e.code === 'CSOPS_INVALID_ARGUMENT' && /`tables`/.test(e.message));
});
