// The hostile-input suite (tests/conformance/hostile/, made by scripts/make_hostile_suite.py),
// run through the Node API: the same outcome as the Rust and Python runners and, for
// configuration errors, the same problems word for word. No input may crash, hang or give
// anything but the case's outcome.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Condition, ModelSet, Playbook, Scorecard, TierRules, closeTask, loadBookCsv } from 'csops';
import { workspaceDir } from './helpers.mjs';

const dir = join(workspaceDir, 'tests', 'conformance', 'hostile');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

const text = (v) => (typeof v === 'string' ? v : v.repeat.map(([piece, times]) => piece.repeat(times)).join(''));
const conditionSummary = (c) => ({ fields: [...new Set(c.fields)].sort(), text: c.toString() });

const books = new Map();
const cleanBook = (doc) => {
  if (!books.has(doc.book)) {
    const vector = JSON.parse(readFileSync(join(dir, doc.book), 'utf8'));
    books.set(doc.book, loadBookCsv(vector.csv));
  }
  return books.get(doc.book);
};

// Node has no integer ids apart from numbers: an integral number is its decimal text, as in
// Python.
function run(target, value, doc) {
  switch (target) {
    case 'condition':
      return conditionSummary(new Condition(text(value)));
    case 'condition_json':
      return conditionSummary(Condition.fromJson(text(value)));
    case 'scorecard_toml':
      Scorecard.fromToml(text(value));
      return {};
    case 'scorecard_json':
      Scorecard.fromJson(text(value));
      return {};
    case 'tier_rules_toml':
      return { tiers: TierRules.fromToml(text(value)).tiers };
    case 'tier_rules_json':
      return { tiers: TierRules.fromJson(text(value)).tiers };
    case 'playbook_toml':
      return { plays: Playbook.fromToml(text(value)).plays };
    case 'playbook_json':
      return { plays: Playbook.fromJson(text(value)).plays };
    case 'model_set_json':
      ModelSet.fromJson(text(value));
      return {};
    case 'fire_history_json':
      // Read as every call taking a history reads it.
      closeTask(text(value), 'p', 'A');
      return {};
    case 'day':
      return { day: cleanBook(doc).featuresAsOf(value).asOf };
    case 'account_id': {
      const card = Scorecard.fromToml(doc.scorecard);
      card.explain({ accountIds: doc.frame.account_ids, columns: doc.frame.columns }, value);
      return { account_id: String(value) };
    }
    default:
      throw new Error(`unknown target ${target}`);
  }
}

// What each error kind of the suite is in Node: one code each, as in Python. A value the core
// refuses (text that is not a day) is CSOPS_CONFIG (Python's ConfigError); a value of the wrong
// type CSOPS_INVALID_ARGUMENT (Python's TypeError).
const CODES = {
  config: 'CSOPS_CONFIG',
  not_found: 'CSOPS_NOT_FOUND',
  invalid_value: 'CSOPS_CONFIG',
  invalid_type: 'CSOPS_INVALID_ARGUMENT',
};

let total = 0;
for (const file of files) {
  const doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  test(`hostile inputs: ${file}`, () => {
    for (const c of doc.cases) {
      total += 1;
      const name = `${file}: ${c.name}`;
      const expect = c.expect;
      if (expect.ok) {
        let summary;
        try {
          summary = run(doc.target, c.input, doc);
        } catch (e) {
          assert.fail(`${name}: ${e.code} ${String(e.message).slice(0, 300)}`);
        }
        for (const [key, want] of Object.entries(expect.ok)) assert.deepEqual(summary[key], want, `${name}: ${key}`);
        continue;
      }
      let error;
      try {
        run(doc.target, c.input, doc);
      } catch (e) {
        error = e;
      }
      assert.ok(error, `${name}: no error`);
      assert.equal(error.code, CODES[expect.error], `${name}: ${error.code} ${String(error.message).slice(0, 300)}`);
      if (expect.error === 'invalid_type') continue;
      for (const words of expect.contains) assert.ok(error.message.includes(words), `${name}: ${error.message.slice(0, 300)} lacks ${words}`);
      if (expect.error === 'config') assert.deepEqual(error.problems, expect.problems, name);
      if (expect.error === 'not_found') assert.deepEqual([error.message], expect.problems, name);
    }
  });
}

test('the hostile-input suite is present', () => {
  assert.ok(files.length >= 10, `the hostile inputs are missing from ${dir}`);
});
