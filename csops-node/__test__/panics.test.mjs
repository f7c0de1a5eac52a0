// A panic in the core never reaches JavaScript as anything but a CSOPS_INTERNAL error: every
// entry point, driven while the core is made to panic (the test build's `panic-injection`
// feature), throws (or, async, rejects with) a CSOPS_INTERNAL error naming the panic, and the
// addon keeps working after it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import * as csops from 'csops';
import { packageDir, workspaceDir } from './helpers.mjs';

const {
  Condition, ModelSet, Playbook, Scorecard, TierRules, backtest, backtestAsync, closeTask, forecast, forecastAsync,
  loadBook, loadBookAsync, loadBookCsv, loadBookJson, replayPlays, runPlays, runPlaysAsync, weekReport,
  weekReportAsync,
} = csops;
// `armPanic` exists only in the test build's addon, which the published loader (index.js,
// the release build's) does not list: it is taken from the addon itself, the same module
// instance the loader loaded (Node caches an addon by its path).
const addons = readdirSync(packageDir).filter((f) => f.endsWith('.node'));
const native = addons.length === 1 ? createRequire(import.meta.url)(join(packageDir, addons[0])) : {};
const armed = typeof native.armPanic === 'function';
const texts = JSON.parse(readFileSync(join(workspaceDir, 'tests', 'conformance', 'bad_input', '000_the_clean_book.json'), 'utf8')).csv;
const DAY = '2026-01-31';
const CARD = `
schema_version = 1
name = "small"
[[groups]]
name = "usage"
weight = 1.0
[[groups.measures]]
name = "logins"
feature = "logins_per_user_week"
weight = 1.0
normaliser = { kind = "linear", worst = 0.0, best = 10.0 }
`;
const RULES = 'default_tier = "d"\n[[rules]]\ntier = "a"\nwhen = "arr > 1"\n';
const PLAY = `
[[plays]]
name = "renewing"
owner = "cs-ops"
trigger = { kind = "renewal", within_days = 90 }
actions = [{ action = "tag", tag = "renewing" }]
`;
const data = { accountIds: ['A', 'B'], columns: { logins_per_user_week: [1, 2] } };
const columns = { arr: [5, 0.5] };

const skip = !armed && process.env.CSOPS_PANIC_INJECTION !== '1' && 'this build has no panic-injection feature (scripts/test-node.sh builds with it)';

test('every entry point turns a core panic into CSOPS_INTERNAL, sync and async', { skip }, async () => {
  assert.ok(armed, 'CSOPS_PANIC_INJECTION=1 but the build has no panic-injection feature');
  const book = loadBookCsv(texts);
  const dir = mkdtempSync(join(tmpdir(), 'csops-panics-'));
  for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, `${name}.csv`), text);
  const card = Scorecard.fromToml(CARD);
  const rules = TierRules.fromToml(RULES);
  const plays = Playbook.fromToml(PLAY);
  const cond = new Condition('arr > 1');
  const calls = [
    ['loadBookCsv', () => loadBookCsv(texts)],
    ['loadBook (a directory)', () => loadBook(dir)],
    ['loadBookAsync', () => loadBookAsync(dir)],
    ['loadBookJson', () => loadBookJson(book.toJson())],
    ['book.toJson', () => book.toJson()],
    ['book.featuresAsOf', () => book.featuresAsOf(DAY)],
    ['book.featuresAsOfAsync', () => book.featuresAsOfAsync(DAY)],
    ['book.arrBridge', () => book.arrBridge('2025-01-01', DAY)],
    ['book.retention', () => book.retention('2025-01-01', DAY)],
    ['book.trailingTwelveMonths', () => book.trailingTwelveMonths(DAY)],
    ['book.accountTable', () => book.accountTable(DAY)],
    ['book.healthAsOf', () => book.healthAsOf(card, DAY)],
    ['book.healthAsOfAsync', () => book.healthAsOfAsync(card, DAY)],
    ['forecast', () => forecast(book, { asOf: DAY })],
    ['forecastAsync', () => forecastAsync(book, { asOf: DAY })],
    ['new Condition', () => new Condition('arr > 1')],
    ['Condition.fromJson', () => Condition.fromJson('{"field": "arr", "op": ">", "value": 1}')],
    ['condition.filter', () => cond.filter(columns)],
    ['Scorecard.fromToml', () => Scorecard.fromToml(CARD)],
    ['scorecard.score', () => card.score(data)],
    ['scorecard.scoreAsync', () => card.scoreAsync(data)],
    ['scorecard.explain', () => card.explain(data, 'A')],
    ['TierRules.fromToml', () => TierRules.fromToml(RULES)],
    ['tierRules.assign', () => rules.assign(columns)],
    ['Playbook.fromToml', () => Playbook.fromToml(PLAY)],
    ['playbook.validate', () => plays.validate(book)],
    ['runPlays', () => runPlays(book, plays, DAY)],
    ['runPlaysAsync', () => runPlaysAsync(book, plays, DAY)],
    ['replayPlays', () => replayPlays(book, plays, '2026-01-01', DAY)],
    ['closeTask (reads a history)', () => closeTask('{}', 'p', 'A')],
    ['ModelSet.fromJson', () => ModelSet.fromJson({ default: card.toJson() })],
    ['backtest', () => backtest(book, card)],
    ['backtestAsync', () => backtestAsync(book, card)],
    ['weekReport', () => weekReport(book, { asOf: DAY })],
    ['weekReportAsync', () => weekReportAsync(book, { asOf: DAY })],
  ];
  // Each works unarmed (an error below is then the injected panic, not a bad call).
  for (const [name, call] of calls) {
    try {
      await call();
    } catch (e) {
      assert.notEqual(e.code, 'CSOPS_INTERNAL', `${name}: ${e.message}`);
    }
  }
  const failures = [];
  for (const [name, call] of calls) {
    native.armPanic(true);
    let error;
    try {
      await call();
    } catch (e) {
      error = e;
    } finally {
      native.armPanic(false);
    }
    if (!error) failures.push(`${name}: no error while armed`);
    else if (error.code !== 'CSOPS_INTERNAL') failures.push(`${name}: ${error.code} ${error.message}`);
    else if (!/injected panic in /.test(error.message)) failures.push(`${name}: ${error.message}`);
  }
  assert.deepEqual(failures, []);
  // The addon keeps working.
  assert.deepEqual(loadBookCsv(texts).counts(), book.counts());
});
