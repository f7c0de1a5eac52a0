// The Book and FeatureFrame API: loading, round trips, plain-object shapes, sync = async.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  Book,
  FeatureFrame,
  defaultFeatureConfig,
  loadBook,
  loadBookAsync,
  loadBookCsv,
  loadBookJson,
} from 'csops';
import { AS_OF, CSV, frameData, tempDir } from './fixtures.mjs';

const book = loadBookCsv(CSV);

test('a clean load: counts, report and camelCase keys', () => {
  assert.ok(book instanceof Book);
  assert.deepEqual(book.counts(), {
    accounts: 3,
    contacts: 2,
    contactRoles: 2,
    usageEvents: 4,
    usageSnapshots: 1,
    tickets: 2,
    surveys: 2,
    meetings: 1,
    milestones: 1,
    opportunities: 0,
    arrSnapshots: 2,
    renewalOutcomes: 0,
  });
  const report = book.report;
  assert.equal(report.isClean, true);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.rejected, []);
  assert.deepEqual(report.files['accounts.csv'], { read: 3, loaded: 3, rejected: 0 });
  assert.match(report.summary, /^0 problem\(s\); 0 of 20 row\(s\) rejected/);
  assert.match(book.renderReport(), /no problems/);
});

test('accounts are plain objects: money as exact decimal strings, ISO dates, null when absent', () => {
  assert.deepEqual(book.accountIds(), ['A1', 'A2', 'A3']);
  const [a1, a2, a3] = book.accounts();
  assert.deepEqual(a1, {
    id: 'A1',
    name: 'Acme',
    ownerCsm: 'dana',
    segment: 'enterprise',
    tier: null,
    region: null,
    industry: null,
    plan: null,
    arr: { amount: '1200.50', currency: 'USD' },
    seats: 10,
    startDate: '2024-01-01',
    renewalDate: '2024-12-31',
    termMonths: 12,
    attributes: { source: 'web' },
  });
  assert.equal(Object.getPrototypeOf(a1), Object.prototype);
  // Money never goes through a float: beyond 2^53 and with trailing zeros, still exact.
  assert.equal(typeof a2.arr.amount, 'string');
  assert.equal(a2.arr.amount, '99999999999999.99');
  assert.equal(a3.arr.amount, '0.10');
  assert.equal(a2.renewalDate, null);
  assert.equal(a2.seats, null);
  assert.deepEqual(a2.attributes, {});
  assert.equal(book.latestDate(), '2024-04-02');
});

test('write CSV, load it back: same counts and the same JSON document', (t) => {
  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  const written = book.writeCsv(join(dir, 'book'));
  assert.ok(written.length >= 12, `wrote ${written}`);
  assert.ok(written.every((p) => typeof p === 'string' && p.endsWith('.csv')));
  const back = loadBook(join(dir, 'book'));
  assert.deepEqual(back.counts(), book.counts());
  assert.equal(back.toJson(), book.toJson());
  assert.deepEqual(back.accounts(), book.accounts());
});

test('toJson round-trips through loadBookJson and a .json file', (t) => {
  const text = book.toJson();
  assert.equal(JSON.parse(text).schema_version, 1);
  assert.equal(loadBookJson(text).toJson(), text);

  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  const path = join(dir, 'book.json');
  writeFileSync(path, text);
  const fromFile = loadBook(path);
  assert.deepEqual(fromFile.counts(), book.counts());
  assert.equal(fromFile.toJson(), text);
});

test('loadBookAsync resolves to the same book as loadBook', async (t) => {
  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  book.writeCsv(dir);
  const promise = loadBookAsync(dir, { mode: 'lenient' });
  assert.ok(promise instanceof Promise);
  const [sync, async] = [loadBook(dir, { mode: 'lenient' }), await promise];
  assert.ok(async instanceof Book);
  assert.deepEqual(async.counts(), sync.counts());
  assert.deepEqual(async.report, sync.report);
  assert.equal(async.toJson(), sync.toJson());
});

test('featuresAsOf takes an ISO string or a Date (its UTC day)', () => {
  const fromString = book.featuresAsOf(AS_OF);
  const fromDate = book.featuresAsOf(new Date(`${AS_OF}T00:00:00Z`));
  const lateInTheDay = book.featuresAsOf(new Date(`${AS_OF}T23:59:59.999Z`));
  assert.ok(fromString instanceof FeatureFrame);
  assert.equal(fromDate.asOf, AS_OF);
  assert.equal(lateInTheDay.asOf, AS_OF);
  assert.deepEqual(frameData(fromDate), frameData(fromString));
  assert.deepEqual(frameData(lateInTheDay), frameData(fromString));
});

test('a day argument follows the core\'s one rule (as Python does)', () => {
  for (const bad of ['2026-1-1', '+2026-01-01', '-0001-01-01', '24-01-01', '2026-02-30', '0000-01-01']) {
    // Text that is not a day is a value the core refuses: CSOPS_CONFIG, as Python's ConfigError.
    assert.throws(() => book.featuresAsOf(bad), (e) => e.code === 'CSOPS_CONFIG', bad);
  }
  assert.equal(book.featuresAsOf(` ${AS_OF} `).asOf, AS_OF);
});

test('the FeatureFrame API', () => {
  const frame = book.featuresAsOf(AS_OF);
  assert.equal(frame.asOf, AS_OF);
  assert.deepEqual(frame.accountIds, ['A1', 'A2', 'A3']);
  assert.equal(frame.length, 3);
  assert.equal(frame.columns.length, 15);
  assert.ok(frame.columns.includes('nps'));

  const nps = frame.column('nps');
  assert.ok(nps instanceof Float64Array);
  assert.equal(nps.length, frame.length);
  assert.equal(nps[0], 0); // one promoter, one detractor
  assert.ok(Number.isNaN(nps[1])); // no answers: missing is NaN in a column...
  assert.equal(frame.value('A2', 'nps'), null); // ...and null from value()
  assert.equal(frame.value('A1', 'feature_breadth'), 0.125);
  assert.equal(frame.value('A1', 'exec_sponsor_present'), 1);
  assert.equal(frame.value('nobody', 'nps'), null);
  assert.equal(frame.value('A1', 'no_such_feature'), null);
  // A column is a copy: writing to it does not change the frame.
  nps[0] = 42;
  assert.equal(frame.value('A1', 'nps'), 0);

  const summary = frame.summary();
  assert.equal(summary.length, frame.columns.length);
  assert.deepEqual(
    summary.find((s) => s.name === 'nps'),
    { name: 'nps', present: 1, missing: 2, mean: 0, min: 0, median: 0, max: 0 },
  );
  assert.deepEqual(
    summary.find((s) => s.name === 'usage_change_pct'),
    { name: 'usage_change_pct', present: 0, missing: 3, mean: null, min: null, median: null, max: null },
  );
  assert.match(frame.renderSummary(), /^features as of 2024-03-31 \(3 accounts\)/);
});

test('point in time: a day before any record sees none of them', () => {
  const frame = book.featuresAsOf('2024-01-15');
  assert.deepEqual(frame.accountIds, ['A1']); // A2 and A3 start later
  assert.equal(frame.value('A1', 'tickets_opened'), 0);
  assert.equal(frame.value('A1', 'logins_per_user_week'), null);
});

test('feature config: object (snake_case), JSON text and TOML text agree', () => {
  const cfg = { usage_window_days: 7, snapshot_metrics: ['active_users'] };
  const fromObject = book.featuresAsOf(AS_OF, cfg);
  assert.deepEqual(fromObject.columns.at(-1), 'snapshot.active_users');
  assert.equal(fromObject.value('A1', 'snapshot.active_users'), 7);
  assert.deepEqual(frameData(book.featuresAsOf(AS_OF, JSON.stringify(cfg))), frameData(fromObject));
  const toml = 'usage_window_days = 7\nsnapshot_metrics = ["active_users"]\n';
  assert.deepEqual(frameData(book.featuresAsOf(AS_OF, toml)), frameData(fromObject));
  // null and undefined mean the defaults.
  assert.deepEqual(frameData(book.featuresAsOf(AS_OF, null)), frameData(book.featuresAsOf(AS_OF)));
  // An object is checked by the core exactly as its text is.
  for (const bad of [{ usage_window_days: 0 }, JSON.stringify({ usage_window_days: 0 }), 'usage_window_days = 0']) {
    assert.throws(
      () => book.featuresAsOf(AS_OF, bad),
      (e) => e.code === 'CSOPS_CONFIG' && e.problems.includes('usage_window_days must be between 1 and 3660 days, got 0'),
    );
  }
});

test('defaultFeatureConfig has every key, snake_case, and is what featuresAsOf uses', () => {
  const defaults = defaultFeatureConfig();
  assert.deepEqual(Object.keys(defaults).sort(), [
    'csat_window_days',
    'dau_mau_window_days',
    'include_churned',
    'key_features',
    'login_feature',
    'max_age_days',
    'nps_window_days',
    'snapshot_max_age_days',
    'snapshot_metrics',
    'ticket_window_days',
    'usage_window_days',
  ]);
  assert.equal(defaults.usage_window_days, 28);
  assert.deepEqual(frameData(book.featuresAsOf(AS_OF, defaults)), frameData(book.featuresAsOf(AS_OF)));
});

test('featuresAsOfAsync resolves to the same frame as featuresAsOf', async () => {
  for (const asOf of [AS_OF, new Date(AS_OF), '2024-01-15']) {
    const cfg = { snapshot_metrics: ['active_users'] };
    const promise = book.featuresAsOfAsync(asOf, cfg);
    assert.ok(promise instanceof Promise);
    const frame = await promise;
    assert.ok(frame instanceof FeatureFrame);
    assert.deepEqual(frameData(frame), frameData(book.featuresAsOf(asOf, cfg)));
  }
});

test('many async calls share one book concurrently', async () => {
  const days = Array.from({ length: 32 }, (_, i) => `2024-03-${String((i % 28) + 1).padStart(2, '0')}`);
  const frames = await Promise.all(days.map((d) => book.featuresAsOfAsync(d)));
  frames.forEach((f, i) => assert.deepEqual(frameData(f), frameData(book.featuresAsOf(days[i]))));
});

test('a lenient load keeps the good rows and reports the rest', () => {
  const lenient = loadBookCsv(
    {
      ...CSV,
      tickets: CSV.tickets + 'T3,A1,2024-03-05,,critical,open,false,\nT4,A9,2024-03-05,,low,open,false,\n',
    },
    { mode: 'lenient' },
  );
  assert.equal(lenient.counts().tickets, 2);
  const { problems, rejected, files, isClean } = lenient.report;
  assert.equal(isClean, false);
  assert.deepEqual(
    problems.map((p) => [p.file, p.row, p.recordId, p.field, p.kind]),
    [
      ['tickets.csv', 4, 'T3', 'priority', 'unknown_value'],
      ['tickets.csv', 5, 'T4', 'account_id', 'unknown_reference'],
    ],
  );
  assert.ok(problems.every((p) => typeof p.reason === 'string' && p.reason.length > 0));
  assert.deepEqual(rejected[0], {
    file: 'tickets.csv',
    row: 4,
    recordId: 'T3',
    fields: {
      id: 'T3',
      account_id: 'A1',
      opened: '2024-03-05',
      closed: '',
      priority: 'critical',
      status: 'open',
      escalated: 'false',
      csat: '',
    },
  });
  assert.deepEqual(files['tickets.csv'], { read: 4, loaded: 2, rejected: 2 });
  assert.match(lenient.renderReport(), /2 problem\(s\)/);
});

test('header maps: an object or TOML text', () => {
  const accounts = 'Account ID,Account Name,Currency,ARR,Start,Notes,Source\nA1,Acme,USD,5.00,2024-01-01,hi,web\n';
  const map = {
    accounts: {
      'Account ID': 'id',
      'Account Name': 'name',
      Currency: 'currency',
      ARR: 'arr',
      Start: 'start_date',
      Notes: '',
      Source: 'attr.source',
    },
  };
  const fromObject = loadBookCsv({ accounts }, { headerMap: map });
  assert.deepEqual(fromObject.accounts()[0].attributes, { source: 'web' });
  const toml =
    '[accounts]\n"Account ID" = "id"\n"Account Name" = "name"\nCurrency = "currency"\nARR = "arr"\n' +
    'Start = "start_date"\nNotes = ""\nSource = "attr.source"\n';
  assert.deepEqual(loadBookCsv({ accounts }, { headerMap: toml }).accounts(), fromObject.accounts());
});

test('options may be omitted, undefined or null', () => {
  for (const options of [undefined, null, {}, { mode: undefined, headerMap: undefined }, { mode: 'strict' }]) {
    assert.deepEqual(loadBookCsv(CSV, options).counts(), book.counts());
  }
});

test('a Book or a FeatureFrame cannot be constructed from JavaScript: a coded error naming the way', () => {
  for (const [make, way] of [
    [() => new Book(), /loadBook/],
    [() => new Book('{"accounts": []}'), /loadBook/],
    [() => new FeatureFrame(), /featuresAsOf/],
  ]) {
    assert.throws(make, (e) => e instanceof Error && e.code === 'CSOPS_INVALID_ARGUMENT' && /no public constructor/.test(e.message) && way.test(e.message));
  }
  // Instances come from the functions that make them.
  assert.ok(book.featuresAsOf(AS_OF) instanceof FeatureFrame);
});

test('keys that come from data are plain keys: an attribute called __proto__', () => {
  const csv = 'id,name,currency,arr,start_date,attr.__proto__,__proto__\nA1,Acme,USD,10,2024-01-01,x,y\nA2,Bad,USD,-5,2024-01-01,z,w\n';
  const b = loadBookCsv({ accounts: csv }, { mode: 'lenient' });
  // An account attribute.
  const [account] = b.accounts();
  assert.equal(Object.getPrototypeOf(account.attributes), Object.prototype);
  assert.ok(Object.hasOwn(account.attributes, '__proto__'));
  assert.deepEqual(Object.keys(account.attributes), ['__proto__']);
  assert.equal(account.attributes['__proto__'], 'x');
  // The raw fields of a rejected row (by column; the unknown column `__proto__` is reported,
  // not kept) and the counts per file: plain objects with own keys, written as defined
  // properties like every map keyed by data.
  const { rejected, files, problems } = b.report;
  assert.ok(problems.some((p) => p.reason.includes('unknown column `__proto__`')));
  assert.equal(rejected.length, 1);
  const { fields } = rejected[0];
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.ok(Object.hasOwn(fields, 'attr.__proto__'));
  assert.equal(fields['attr.__proto__'], 'z');
  assert.equal(fields.arr, '-5');
  // Counts per file: a plain object with own keys.
  assert.equal(Object.getPrototypeOf(files), Object.prototype);
  assert.deepEqual(files['accounts.csv'], { read: 2, loaded: 1, rejected: 1 });
  // Through JSON and back, nothing is lost.
  assert.deepEqual(JSON.parse(JSON.stringify(fields)), { ...fields });
  assert.equal(JSON.parse(JSON.stringify(account.attributes))['__proto__'], 'x');
});

test('book.report is built once and kept: the same object on every access, not enumerable', () => {
  const texts = { accounts: 'id,name,currency,arr,start_date\nA1,One,USD,10,2024-01-01\nA1,Again,USD,10,2024-01-01\nA2,Two,USD,ten,2024-01-01\n' };
  const book = loadBookCsv(texts, { mode: 'lenient' });
  const first = book.report;
  assert.equal(first.problems.length, 2);
  // The same object: a loop over `book.report.problems[i]` builds it once.
  assert.equal(book.report, first);
  assert.equal(book.report.problems, first.problems);
  // Kept as a read-only, non-enumerable property: not in the book's keys, not replaceable.
  assert.deepEqual(Object.keys(book), []);
  assert.throws(() => {
    'use strict';
    book.report = null;
  }, TypeError);
  assert.equal(book.report, first);
  // Another book has its own report.
  assert.notEqual(loadBookCsv(texts, { mode: 'lenient' }).report, first);
});
