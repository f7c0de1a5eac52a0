// Hostile inputs: each throws an Error with the right stable `code`, and none aborts the
// process (node --test runs this file in its own process, so an abort fails the file).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadBook, loadBookAsync, loadBookCsv, loadBookJson, version } from 'csops';
import { AS_OF, CSV, tempDir } from './fixtures.mjs';
import { rejectsCode, throwsCode } from './helpers.mjs';

const ACCOUNTS = 'id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\n';
const book = loadBookCsv(CSV);

test('a nonexistent path is CSOPS_IO (directory or .json file), sync and async', async () => {
  throwsCode(() => loadBook('/nonexistent/csops/book'), 'CSOPS_IO');
  throwsCode(() => loadBook('/nonexistent/csops/book.json'), 'CSOPS_IO');
  await rejectsCode(loadBookAsync('/nonexistent/csops/book'), 'CSOPS_IO');
});

test('binary garbage as CSV text is reported, never a crash', () => {
  const garbage = String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  const strict = throwsCode(() => loadBookCsv({ accounts: garbage }), 'CSOPS_VALIDATION');
  assert.ok(strict.problems.length > 0);
  assert.equal(strict.report.isClean, false);
  // Lenient too: a file without its required columns fails the load in every mode, naming
  // that file only, with every row of it listed.
  const lenient = throwsCode(() => loadBookCsv({ accounts: ACCOUNTS, tickets: garbage }, { mode: 'lenient' }), 'CSOPS_VALIDATION');
  assert.ok(lenient.problems.length > 0);
  assert.ok(lenient.problems.every((p) => p.file === 'tickets.csv'));
  assert.equal(lenient.report.files['accounts.csv'].rejected, 0);
  // NUL bytes and control characters too.
  throwsCode(() => loadBookCsv({ accounts: '\0\x01\x02,\0\n\0\0\0\n' }), 'CSOPS_VALIDATION');
});

test('a 1 MB field loads intact; a 1 MB header is a validation problem', () => {
  const big = 'x'.repeat(1 << 20);
  const b = loadBookCsv({ accounts: `id,name,currency,arr,start_date\nA1,${big},USD,10,2024-01-01\n` });
  assert.equal(b.accounts()[0].name.length, 1 << 20);
  const e = throwsCode(() => loadBookCsv({ accounts: `${big}\nA1\n` }), 'CSOPS_VALIDATION');
  // The unknown 1 MiB column name is quoted clipped, not in full.
  assert.ok(e.problems.some((p) => p.field.startsWith(big.slice(0, 80)) && p.field.length < 200));
});

test('invalid UTF-8 in a CSV file on disk rejects that row with its place', (t) => {
  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  const bytes = Buffer.concat([
    Buffer.from('id,name,currency,arr,start_date\nA1,Ac'),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from('me,USD,10,2024-01-01\nA2,Fine,USD,1,2024-01-01\n'),
  ]);
  writeFileSync(join(dir, 'accounts.csv'), bytes);
  const e = throwsCode(() => loadBook(dir), 'CSOPS_VALIDATION');
  assert.equal(e.problems.length, 1);
  assert.deepEqual(
    [e.problems[0].file, e.problems[0].row, e.problems[0].field, e.problems[0].kind],
    ['accounts.csv', 2, 'name', 'malformed'],
  );
  assert.match(e.problems[0].reason, /UTF-8/i);
  const book = loadBook(dir, { mode: 'lenient' });
  assert.deepEqual(book.accountIds(), ['A2']);
  assert.match(book.report.rejected[0].fields.name, /\ufffd/);
});

test('deeply nested JSON (100k `[`) is CSOPS_FORMAT, not a stack overflow', () => {
  throwsCode(() => loadBookJson('['.repeat(100_000)), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson(`{"accounts": ${'['.repeat(100_000)}`), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson('{'.repeat(100_000)), 'CSOPS_FORMAT');
});

test('JSON of the wrong shape is CSOPS_FORMAT', () => {
  throwsCode(() => loadBookJson('{"accounts": 5}'), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson('[]'), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson('{"acounts": []}'), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson('{"schema_version": 99, "accounts": []}'), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson('{not json'), 'CSOPS_FORMAT');
  throwsCode(() => loadBookJson(''), 'CSOPS_FORMAT');
});

test('a CSV text under an unknown file stem is CSOPS_FORMAT', () => {
  throwsCode(() => loadBookCsv({ accounts: ACCOUNTS, ticket: 'id\n' }), 'CSOPS_FORMAT');
});

test('a mode that is not a mode is CSOPS_CONFIG (as Python\'s ConfigError); not text, CSOPS_INVALID_ARGUMENT', async () => {
  const e = throwsCode(() => loadBookCsv(CSV, { mode: 'loose' }), 'CSOPS_CONFIG');
  assert.match(e.message, /mode: unknown variant `loose`, expected `strict` or `lenient`/);
  throwsCode(() => loadBookCsv(CSV, { mode: 5 }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => loadBookCsv(CSV, { mode: 'STRICT ' }), 'CSOPS_CONFIG');
  await rejectsCode(loadBookAsync('/tmp', { mode: 'loose' }), 'CSOPS_CONFIG');
});

test('an unknown option is CSOPS_INVALID_ARGUMENT, not silently ignored', () => {
  const e = throwsCode(() => loadBookCsv(CSV, { headerMapp: {} }), 'CSOPS_INVALID_ARGUMENT');
  // (Messages name options in the core's snake_case spelling, as docs/api.md says.)
  assert.match(e.message, /header_mapp: unknown field/);
  // The snake_case spelling is the same option, as everywhere in Node.
  assert.equal(loadBookCsv(CSV, { header_map: {} }).counts().accounts, loadBookCsv(CSV).counts().accounts);
  throwsCode(() => loadBookCsv(CSV, 'lenient'), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => loadBookCsv(CSV, ['lenient']), 'CSOPS_INVALID_ARGUMENT');
});

test('a header map of the wrong type is CSOPS_INVALID_ARGUMENT; a map of the wrong shape or bad targets is CSOPS_CONFIG', () => {
  for (const headerMap of [5, true, ['accounts']]) {
    const e = throwsCode(() => loadBookCsv(CSV, { headerMap }), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, /an object, TOML text, or the path of a \.toml or \.json file/);
  }
  // As Python's dict of the wrong shape: the core's header-map reader says what is wrong.
  for (const headerMap of [{ accounts: 'id' }, { accounts: { X: 5 } }, { accounts: { X: null } }]) {
    assert.match(throwsCode(() => loadBookCsv(CSV, { headerMap }), 'CSOPS_CONFIG').message, /header map: invalid type/);
  }
  let deep = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  throwsCode(() => loadBookCsv(CSV, { headerMap: deep }), 'CSOPS_INVALID_ARGUMENT');

  const config = throwsCode(
    () => loadBookCsv(CSV, { headerMap: { accounts: { X: 'nonsense', Y: 'also_nonsense' }, nofile: {} } }),
    'CSOPS_CONFIG',
  );
  assert.equal(config.problems.length, 3, config.problems.join('\n'));
  assert.ok(config.problems.every((p) => typeof p === 'string'));
  throwsCode(() => loadBookCsv(CSV, { headerMap: 'this is = = not toml' }), 'CSOPS_CONFIG');
});

test('a bad date is CSOPS_CONFIG (text that is not a day) or CSOPS_INVALID_ARGUMENT (another type), sync and async', async () => {
  for (const asOf of ['2024-13-01', '2024-02-30', '31/03/2024', '2024-3-31', '+2024-03-31', '', 'today']) {
    throwsCode(() => book.featuresAsOf(asOf), 'CSOPS_CONFIG');
    await rejectsCode(book.featuresAsOfAsync(asOf), 'CSOPS_CONFIG');
  }
  for (const asOf of [new Date(NaN), 20240331, null, undefined, {}]) {
    throwsCode(() => book.featuresAsOf(asOf), 'CSOPS_INVALID_ARGUMENT');
    await rejectsCode(book.featuresAsOfAsync(asOf), 'CSOPS_INVALID_ARGUMENT');
  }
});

test('an invalid feature config is CSOPS_CONFIG listing every problem, sync and async', async () => {
  const bad = { usage_window_days: 0, dau_mau_window_days: 65, key_features: [], login_feature: ' ' };
  const e = throwsCode(() => book.featuresAsOf(AS_OF, bad), 'CSOPS_CONFIG');
  assert.equal(e.problems.length, 4, e.problems.join('\n'));
  assert.ok(e.problems.some((p) => p.includes('usage_window_days')));
  assert.ok(e.problems.some((p) => p.includes('dau_mau_window_days')));
  assert.ok(e.problems.some((p) => p.includes('key_features')));
  assert.ok(e.problems.some((p) => p.includes('login_feature')));
  const async = await rejectsCode(book.featuresAsOfAsync(AS_OF, bad), 'CSOPS_CONFIG');
  assert.deepEqual(async.problems, e.problems);

  // Unknown keys (camelCase included), wrong value types, bad JSON/TOML text.
  const camel = throwsCode(() => book.featuresAsOf(AS_OF, { usageWindowDays: 7 }), 'CSOPS_CONFIG');
  assert.match(camel.problems[0], /usageWindowDays/);
  throwsCode(() => book.featuresAsOf(AS_OF, { usage_window_days: 'seven' }), 'CSOPS_CONFIG');
  throwsCode(() => book.featuresAsOf(AS_OF, { usage_window_days: -1 }), 'CSOPS_CONFIG');
  throwsCode(() => book.featuresAsOf(AS_OF, { usage_window_days: 2.5 }), 'CSOPS_CONFIG');
  throwsCode(() => book.featuresAsOf(AS_OF, '{"usage_window_days": 0'), 'CSOPS_CONFIG');
  throwsCode(() => book.featuresAsOf(AS_OF, 'usage_window_days = = 0'), 'CSOPS_CONFIG');
  throwsCode(() => book.featuresAsOf(AS_OF, 'usage_window_days = 0'), 'CSOPS_CONFIG');
  let deep = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  // Nested past any configuration's depth: an argument error, as for every option (and as
  // Python's circular dict).
  assert.match(throwsCode(() => book.featuresAsOf(AS_OF, { key_features: deep }), 'CSOPS_INVALID_ARGUMENT').message, /is it circular/);
  // A config that is not an object or text at all is an argument error.
  throwsCode(() => book.featuresAsOf(AS_OF, 5), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => book.featuresAsOf(AS_OF, [1]), 'CSOPS_INVALID_ARGUMENT');
});

test('wrong argument types are CSOPS_INVALID_ARGUMENT naming the argument', async () => {
  const cases = [
    [() => loadBook(5), 'path'],
    [() => loadBook(), 'path'],
    [() => loadBook(Symbol('x')), 'path'],
    [() => loadBook(Buffer.from('/tmp')), 'path'],
    [() => loadBookJson({ accounts: [] }), 'text'],
    [() => loadBookJson(42), 'text'],
    [() => loadBookCsv('id,name\n'), 'texts'],
    [() => loadBookCsv(['accounts']), 'texts'],
    [() => loadBookCsv({ accounts: 5 }), 'texts'],
    [() => book.writeCsv(5), 'dir'],
    [() => book.featuresAsOf(AS_OF).column(5), 'name'],
    [() => book.featuresAsOf(AS_OF).value(1, 'nps'), 'accountId'],
    [() => book.featuresAsOf(AS_OF).value('A1', null), 'feature'],
  ];
  for (const [f, name] of cases) {
    const e = throwsCode(f, 'CSOPS_INVALID_ARGUMENT');
    assert.ok(e.message.includes(name), `${e.message} should name ${name}`);
  }
  // Async variants reject instead of throwing synchronously.
  const p = loadBookAsync(5);
  assert.ok(p instanceof Promise);
  await rejectsCode(p, 'CSOPS_INVALID_ARGUMENT');
});

test('an unknown feature column is CSOPS_INVALID_ARGUMENT listing the columns', () => {
  const e = throwsCode(() => book.featuresAsOf(AS_OF).column('no_such'), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /nps/);
});

test("a throwing getter in the options propagates the caller's own error", () => {
  const boom = new Error('boom');
  const options = {
    get mode() {
      throw boom;
    },
  };
  assert.throws(() => loadBookCsv(CSV, options), (e) => e === boom);
});

test('writing into an unwritable place is CSOPS_IO', (t) => {
  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  throwsCode(() => book.writeCsv(join(file, 'book')), 'CSOPS_IO');
});

test('a day at the edge of the calendar never aborts the process', async () => {
  // A Date this early is representable in both JavaScript and Rust, but the feature windows
  // reach before the first representable day. Whatever the core does with it must come back
  // as a result or as a coded error (CSOPS_INTERNAL if the core panics).
  const edge = new Date(Date.UTC(-262143, 0, 5));
  assert.ok(!Number.isNaN(edge.getTime()));
  for (const run of [() => book.featuresAsOf(edge), () => book.featuresAsOfAsync(edge)]) {
    try {
      await run();
    } catch (e) {
      assert.ok(e instanceof Error);
      assert.match(e.code, /^CSOPS_/);
      if (e.code === 'CSOPS_INTERNAL') assert.match(e.message, /panicked/);
    }
  }
  assert.equal(typeof version(), 'string'); // still alive
});
