// Runs the cross-language conformance vectors of tests/conformance/data_layer/ exactly as the
// Rust runner (csops-core/tests/conformance.rs) does: the same input must give the same result
// in Rust, Python and Node.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadBookCsv, loadBookJson } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectorDir = join(workspaceDir, 'tests', 'conformance', 'data_layer');
// The one-fault books of the bad-input suite (scripts/make_bad_input_suite.py) use the same format.
const badInputDir = join(workspaceDir, 'tests', 'conformance', 'bad_input');
const read = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, v: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
// And the hostile CSV texts of the hostile-input suite (scripts/make_hostile_suite.py).
const hostileBooksDir = join(workspaceDir, 'tests', 'conformance', 'hostile_books');
const badInput = [...read(badInputDir), ...read(hostileBooksDir)];
const vectors = [...read(vectorDir), ...badInput];

// Vector keys are the core's snake_case names; the Node API is camelCase.
const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const errorCodes = { validation: 'CSOPS_VALIDATION', format: 'CSOPS_FORMAT', config: 'CSOPS_CONFIG' };

test('the conformance vectors are all there', () => {
  assert.ok(vectors.length - badInput.length >= 8, `only ${vectors.length - badInput.length} vectors in ${vectorDir}`);
  assert.ok(badInput.length >= 200, `only ${badInput.length} bad-input books in ${badInputDir}`);
});

function load(v) {
  const options = { mode: v.mode === 'strict' ? 'strict' : 'lenient' };
  if (v.header_map !== undefined) options.headerMap = v.header_map;
  if (v.source_map !== undefined) options.sourceMap = v.source_map;
  if (v.csv !== undefined) return loadBookCsv(v.csv, options);
  const text = typeof v.json === 'string' ? v.json : JSON.stringify(v.json);
  return loadBookJson(text, options);
}

function checkProblems(name, actual, expected) {
  assert.equal(actual.length, expected.length, `${name}: problems ${JSON.stringify(actual, null, 1)}`);
  expected.forEach((e, i) => {
    for (const [k, want] of Object.entries(e)) {
      assert.deepEqual(actual[i][camel(k)], want, `${name}: problem ${i} field ${k} of ${JSON.stringify(actual[i])}`);
    }
  });
}

function checkNotes(name, actual, expected) {
  assert.equal(actual.length, expected.length, `${name}: notes ${JSON.stringify(actual, null, 1)}`);
  expected.forEach((e, i) => {
    for (const [k, want] of Object.entries(e)) {
      if (k === 'note') assert.ok(actual[i].note.includes(want), `${name}: note ${actual[i].note} lacks ${want}`);
      else assert.deepEqual(actual[i][k], want, `${name}: note ${i} field ${k} of ${JSON.stringify(actual[i])}`);
    }
  });
}

function checkRecords(name, doc, expected) {
  for (const [kind, records] of Object.entries(expected)) {
    const got = doc[kind] ?? [];
    assert.equal(got.length, records.length, `${name}: ${kind} ${JSON.stringify(got)}`);
    records.forEach((w, i) => {
      for (const [k, want] of Object.entries(w)) {
        assert.deepEqual(got[i][k] ?? null, want, `${name}: ${kind}[${i}].${k} of ${JSON.stringify(got[i])}`);
      }
    });
  }
}

// The core's snake_case missing notes, as the Node API returns them (camelCase).
const snakeKeys = (o) =>
  Array.isArray(o)
    ? o.map(snakeKeys)
    : o && typeof o === 'object'
      ? Object.fromEntries(
          Object.entries(o)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]),
        )
      : o;

function checkReport(name, report, expect) {
  if (expect.notes !== undefined) checkNotes(name, report.notes, expect.notes);
  if (expect.problems !== undefined) checkProblems(name, report.problems, expect.problems);
  if (expect.rejected !== undefined) assert.equal(report.rejected.length, expect.rejected, `${name}: rejected rows`);
}

for (const { file, v } of vectors) {
  test(`conformance: ${file}`, () => {
    const expect = v.expect;
    if (expect.error) {
      let thrown;
      assert.throws(() => load(v), (e) => {
        thrown = e;
        return true;
      });
      assert.ok(thrown instanceof Error, `${file}: not an Error`);
      assert.equal(thrown.code, errorCodes[expect.error], `${file}: ${thrown.message}`);
      if (expect.config_messages !== undefined) {
        assert.equal(thrown.problems.length, expect.config_messages.length, `${file}: ${JSON.stringify(thrown.problems)}`);
        expect.config_messages.forEach((want, i) => assert.ok(thrown.problems[i].includes(want), `${file}: ${thrown.problems[i]} lacks ${want}`));
      }
      if (expect.error === 'validation') {
        // The problems carried by the error are the report's.
        checkReport(file, { problems: thrown.problems, rejected: thrown.report.rejected }, expect);
        assert.deepEqual(thrown.report.problems, thrown.problems);
      }
      return;
    }

    const book = load(v);
    checkReport(file, book.report, expect);
    if (expect.records) checkRecords(file, JSON.parse(book.toJson()), expect.records);
    if (expect.counts) {
      const counts = book.counts();
      for (const [k, n] of Object.entries(expect.counts)) {
        assert.ok(camel(k) in counts, `${file}: no count ${camel(k)}`);
        assert.equal(counts[camel(k)], n, `${file}: count of ${k}`);
      }
    }
    if (expect.features) {
      const frame = book.featuresAsOf(expect.features.as_of, v.feature_config ?? null);
      if (expect.features.missing_notes !== undefined) {
        assert.deepEqual(snakeKeys(frame.missingNotes), expect.features.missing_notes, `${file}: missing notes`);
      }
      for (const [account, values] of Object.entries(expect.features.values)) {
        for (const [feature, want] of Object.entries(values)) {
          const got = frame.value(account, feature);
          if (want === null) {
            assert.equal(got, null, `${file}: ${account}.${feature}`);
          } else {
            assert.equal(typeof got, 'number', `${file}: ${account}.${feature} missing`);
            assert.ok(Math.abs(got - want) < 1e-9, `${file}: ${account}.${feature} = ${got}, want ${want}`);
          }
        }
      }
    }
  });
}
