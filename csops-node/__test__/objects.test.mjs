// csops objects behave as Node expects (index.js): JSON.stringify gives their data,
// console.log / util.inspect their text, every csops error is `instanceof CsopsError`, and an
// async call's rejection points at the caller.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

import {
  CsopsError,
  ModelSet,
  Playbook,
  Scorecard,
  TierRules,
  backtest,
  isCsopsError,
  loadBook,
  loadBookAsync,
} from 'csops';
import { workspaceDir } from './helpers.mjs';

const here = fileURLToPath(import.meta.url);
const sample = join(workspaceDir, 'data', 'sample-book');
const card = Scorecard.defaultHeuristic();

test('JSON.stringify of a configuration is its data (what res.json sends)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(card)), card.toJson());
  assert.ok(JSON.stringify(card).includes('"groups"'));
  // The data reads back as the same scorecard.
  assert.equal(Scorecard.fromJson(JSON.parse(JSON.stringify(card))).render(), card.render());
  const rules = TierRules.fromToml('default_tier = "d"\n[[rules]]\ntier = "a"\nwhen = "arr > 1"\n');
  assert.deepEqual(JSON.parse(JSON.stringify(rules)), rules.toJson());
  const set = ModelSet.fromJson({ default: card.toJson() });
  assert.deepEqual(JSON.parse(JSON.stringify(set)), set.toJson());
  const plays = Playbook.fromToml(
    '[[plays]]\nname = "p"\nowner = "o"\ntrigger = { kind = "renewal", within_days = 90 }\nactions = [{ action = "tag", tag = "t" }]\n',
  );
  assert.deepEqual(JSON.parse(JSON.stringify({ plays })).plays, plays.toJson());
});

test('JSON.stringify of a book is its JSON document; of a back-test its report', () => {
  const book = loadBook(sample, { mode: 'lenient' });
  assert.deepEqual(JSON.parse(JSON.stringify(book)), JSON.parse(book.toJson()));
  const bt = backtest(book, card);
  assert.deepEqual(JSON.parse(JSON.stringify(bt)), JSON.parse(JSON.stringify({ report: bt.report })));
});

test('JSON.stringify of a feature frame is its data, null where a value is missing', () => {
  const book = loadBook(sample, { mode: 'lenient' });
  const frame = book.featuresAsOf(book.latestDate());
  const data = JSON.parse(JSON.stringify(frame));
  assert.equal(data.asOf, frame.asOf);
  assert.deepEqual(data.accountIds, frame.accountIds);
  assert.deepEqual(data.columns.map((c) => c.name), frame.columns);
  let missing = 0;
  for (const c of data.columns) {
    const values = frame.column(c.name);
    assert.equal(c.values.length, values.length, c.name);
    c.values.forEach((v, i) => {
      if (Number.isNaN(values[i])) {
        assert.equal(v, null, `${c.name}[${i}]`);
        missing += 1;
      } else {
        assert.equal(v, values[i], `${c.name}[${i}]`);
      }
    });
  }
  assert.ok(missing > 0, 'the sample book has missing feature values');
  assert.deepEqual(data, frame.toJson());
});

test('console.log and util.inspect show the text, not an empty object', () => {
  const book = loadBook(sample, { mode: 'lenient' });
  assert.equal(inspect(book), book.toString());
  assert.notEqual(inspect(book), 'Book {}');
  assert.equal(inspect(card), card.render());
  const bt = backtest(book, card);
  assert.equal(inspect(bt), bt.render());
  // Inside other data too.
  assert.ok(inspect({ card }).includes(card.render().split('\n')[0]));
});

test('every csops error is instanceof CsopsError and passes isCsopsError; others do not', async () => {
  let sync;
  try {
    loadBook(sample); // strict: the sample book has bad rows
  } catch (e) {
    sync = e;
  }
  assert.ok(sync instanceof Error);
  assert.ok(sync instanceof CsopsError);
  assert.ok(isCsopsError(sync));
  assert.equal(sync.code, 'CSOPS_VALIDATION');
  const rejected = await loadBookAsync(join(workspaceDir, 'no-such-folder')).catch((e) => e);
  assert.ok(rejected instanceof CsopsError, String(rejected));
  assert.equal(rejected.code, 'CSOPS_IO');
  for (const other of [new Error('x'), new TypeError('y'), { code: 'CSOPS_CONFIG', message: 'a plain object' }, null, 'CSOPS_IO']) {
    assert.equal(other instanceof CsopsError, false, String(other));
    assert.equal(isCsopsError(other), false, String(other));
  }
  const coded = Object.assign(new Error('not ours'), { code: 'ENOENT' });
  assert.equal(isCsopsError(coded), false);
});

test("an async call's rejection carries the caller's stack frames", async () => {
  async function callerOfTheLoad() {
    return loadBookAsync(join(workspaceDir, 'no-such-folder'));
  }
  const e = await callerOfTheLoad().catch((x) => x);
  assert.ok(e instanceof Error);
  assert.ok(e.stack.startsWith(`Error: ${e.message}`) || e.stack.startsWith(`${e.name}: ${e.message}`), e.stack);
  assert.ok(e.stack.includes(here), `no frame of this file in:\n${e.stack}`);
  assert.ok(e.stack.includes('callerOfTheLoad'), e.stack);
  // Methods too (a class's ...Async).
  const book = loadBook(sample, { mode: 'lenient' });
  const m = await book.featuresAsOfAsync('not a day').catch((x) => x);
  assert.ok(m instanceof CsopsError);
  assert.ok(m.stack.includes(here), m.stack);
});
