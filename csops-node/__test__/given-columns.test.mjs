// Columns as users give them (tests/conformance/given_columns/cases.json): an object of plain
// arrays (null = missing) read by the core's rules, as the Rust (csops-core/tests/
// given_columns.rs) and Python (csops-py/tests/test_given_columns.py) suites read them: the
// same rows match, the same errors (CSOPS_CONFIG, with the same problems) are raised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Condition } from 'csops';
import { workspaceDir } from './helpers.mjs';

const { cases } = JSON.parse(
  readFileSync(join(workspaceDir, 'tests', 'conformance', 'given_columns', 'cases.json'), 'utf8'),
);

test('the given-columns cases are there', () => assert.ok(cases.length >= 10));

for (const c of cases) {
  test(`columns as given: ${c.name}`, () => {
    const condition = new Condition(c.condition);
    if (c.expect) {
      assert.deepEqual(condition.filter(c.columns), c.expect);
      return;
    }
    assert.equal(c.expect_error, 'config');
    assert.throws(
      () => condition.filter(c.columns),
      (e) => {
        assert.equal(e.code, 'CSOPS_CONFIG', e.message);
        for (const text of c.error_contains) {
          assert.ok(e.problems.some((p) => p.includes(text)), `${text} not in ${JSON.stringify(e.problems)}`);
        }
        return true;
      },
    );
  });
}
