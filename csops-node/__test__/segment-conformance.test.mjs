// Runs the cross-language segmentation vectors of tests/conformance/segmentation/ as the Rust
// runner (csops-core/tests/conformance.rs, `segmentation_vectors_agree`) does: the vector's
// typed columns become the table; every condition, in its text and its JSON form, selects the
// expected rows (or fails with the expected error); the tier rules give the expected tiers;
// coverage and assignment against the vector's model and roster match (keys present in the
// expectations, numbers within 1e-9). The columns are given as plain arrays (their kind read
// from their values), with numbers as Float64Arrays, and in the vector's own tagged form
// ({ number | text | bool }).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Condition, TierRules, segmentColumns } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectorDir = join(workspaceDir, 'tests', 'conformance', 'segmentation');
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, v: JSON.parse(readFileSync(join(vectorDir, f), 'utf8')) }));

test('the segmentation conformance vectors are all there', () => {
  assert.ok(vectors.length >= 2, `only ${vectors.length} vectors in ${vectorDir}`);
});

/**
 * The vector's typed columns as plain arrays (`null` = missing), checking `rows`; with
 * `typed`, number columns as `Float64Array`s (`NaN` = missing).
 */
function plainColumns(name, table, typed) {
  const out = {};
  for (const [field, column] of Object.entries(table.columns)) {
    const [[kind, values]] = Object.entries(column);
    assert.ok(['number', 'text', 'bool'].includes(kind), `${name}: column ${field} is ${kind}`);
    assert.equal(values.length, table.rows, `${name}: column ${field} has ${values.length} rows`);
    out[field] = kind === 'number' && typed ? Float64Array.from(values, (x) => (x === null ? NaN : x)) : [...values];
  }
  return out;
}

/** `expected` ⊆ `actual`: every key of the expectation present and equal. */
function subset(name, path, expected, actual) {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${name}: ${path} is not an object`);
    for (const [k, e] of Object.entries(expected)) subset(name, `${path}.${k}`, e, actual[k] ?? null);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${name}: ${path} is not an array`);
    assert.equal(actual.length, expected.length, `${name}: ${path} has ${actual.length} items, want ${expected.length}`);
    expected.forEach((e, i) => subset(name, `${path}[${i}]`, e, actual[i]));
  } else if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${name}: ${path} = ${actual}, want ${expected}`);
    assert.ok(Math.abs(expected - actual) <= 1e-9 * Math.max(Math.abs(expected), 1), `${name}: ${path} = ${actual}, want ${expected}`);
  } else {
    assert.deepEqual(actual, expected, `${name}: ${path}`);
  }
}

/** The error `f` throws (it must throw one). */
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

for (const { file, v } of vectors) {
  const forms = [
    ['plain arrays', plainColumns(file, v.table, false)],
    ['Float64Array numbers', plainColumns(file, v.table, true)],
    ['tagged columns', v.table.columns],
  ];
  for (const [form, columns] of forms) {
    test(`segmentation conformance: ${file} (${form})`, () => {
      for (const [i, c] of (v.conditions ?? []).entries()) {
        const name = `${file} #${i} ${JSON.stringify(c.text)}`;
        if (c.expect_error !== undefined) {
          // Parsing or checking against the columns fails: either step may report it.
          const e = thrown(() => new Condition(c.text).filter(columns));
          assert.ok(e instanceof Error, `${name}: expected an error`);
          assert.equal(e.code, `CSOPS_${c.expect_error.toUpperCase()}`, `${name}: ${e.code}: ${e.message}`);
          assert.ok(e.problems.join('; ').includes(c.error_contains), `${name}: ${e.problems} lacks ${c.error_contains}`);
          assert.ok(e.message.includes(c.error_contains), `${name}: ${e.message}`);
          continue;
        }
        const fromText = new Condition(c.text);
        assert.deepEqual(fromText.filter(columns), c.expect, `${name} (text)`);
        const fromJson = Condition.fromJson(c.json);
        assert.deepEqual(fromJson.filter(columns), c.expect, `${name} (JSON)`);
        assert.deepEqual(Condition.fromJson(JSON.stringify(c.json)).filter(columns), c.expect, `${name} (JSON text)`);
        // The two forms are the same condition: the same text, the same structure.
        assert.equal(String(fromJson), String(fromText), `${name}: forms differ`);
        assert.deepEqual(fromJson.toJson(), fromText.toJson(), `${name}: forms differ`);
        assert.deepEqual(fromText.toJson(), c.json, `${name}: toJson`);
        // The text form parses back to the same condition.
        assert.deepEqual(new Condition(String(fromText)).toJson(), c.json, `${name}: round trip`);
      }

      // Rules that do not fit the table: refused with the core's problems, word for word.
      for (const [i, c] of (v.segment_errors ?? []).entries()) {
        assert.throws(
          () => segmentColumns(columns, c.rules, { model: v.model, roster: v.roster }),
          (e) => {
            assert.equal(e.code, 'CSOPS_CONFIG', `${file} #${i}: ${e.message}`);
            assert.deepEqual(e.problems, c.problems, `${file} #${i}`);
            return true;
          },
        );
      }

      if (v.rules !== undefined) {
        const rules = TierRules.fromJson(v.rules);
        assert.deepEqual(rules.assign(columns), v.expect_tiers, `${file}: tiers`);
        const s = segmentColumns(columns, rules, { model: v.model, roster: v.roster });
        assert.deepEqual(
          s.tiers.map((t) => t.tier),
          v.expect_tiers,
          `${file}: segmentation tiers`,
        );
        const ids = columns.id.text ?? columns.id;
        assert.deepEqual(s.tiers.map((t) => t.accountId), [...ids], `${file}: account ids`);
        const coverage = {
          tiers: s.coverage.tiers.map((t) => ({ tier: t.tier, accounts: t.accounts, needed: t.needed })),
          csms: s.coverage.csms.map((x) => ({
            csm: x.csm,
            accounts: x.accounts,
            utilisation: x.utilisation,
            status: x.status,
            off_tier: x.offTier,
          })),
          unowned: s.coverage.unowned,
        };
        subset(file, 'coverage', v.expect_coverage, coverage);
        const assignment = {
          moves: s.assignment.moves.map((m) => [m.accountId, m.from, m.to]),
          unplaced: s.assignment.unplaced,
          owners: s.assignment.owners,
        };
        subset(file, 'assignment', v.expect_assignment, assignment);
        // The same text as the core renders, in every language.
        if (v.expect_summary !== undefined) assert.equal(s.summary, v.expect_summary, `${file}: summary`);
        // The rules given as data (not a TierRules) give the same result.
        assert.deepEqual(segmentColumns(columns, v.rules, { model: v.model, roster: v.roster }), s);
      }
    });
  }
}
