// Runs the cross-language playbook vectors of tests/conformance/playbook/ as the Rust runner
// (csops-core/tests/conformance.rs, `playbook_vectors_agree`) does: the vector's book loaded
// lenient from its inline JSON, its playbook, then each run in order on its day, without a
// scorecard, with the vector's history or ("previous") the one the previous run returned;
// `close_tasks` are closed first (each must be open); the plays that fire must be the
// expected ones, in order (keys present in an expectation must match, `reason_contains` must
// be in the reason), or the run must fail with the expected error (`expect_error`, whose
// problems contain `error_contains`).
//
// Every vector runs three ways that must all agree: sync with the history objects as
// returned, async (`runPlaysAsync`), and sync with every history handed over as the JSON text
// a backend would store (`JSON.stringify`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Playbook, closeTask, loadBookJson, runPlays, runPlaysAsync } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectorDir = join(workspaceDir, 'tests', 'conformance', 'playbook');
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, v: JSON.parse(readFileSync(join(vectorDir, f), 'utf8')) }));

test('the playbook conformance vectors are all there', () => {
  assert.ok(vectors.length >= 3, `only ${vectors.length} vectors in ${vectorDir}`);
});

/** `expected` ⊆ `actual`: every key of the expectation present and equal (as the Rust runner). */
function subset(name, path, expected, actual) {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${name}: ${path} is not an object`);
    for (const [k, e] of Object.entries(expected)) subset(name, `${path}.${k}`, e, Object.hasOwn(actual, k) ? actual[k] : null);
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

const ways = {
  sync: (book, pb, day, history) => runPlays(book, pb, day, { history }),
  async: (book, pb, day, history) => runPlaysAsync(book, pb, day, { history }),
  'history as JSON text': (book, pb, day, history) => runPlays(book, pb, day, { history: JSON.stringify(history) }),
};

/** The vector's runs, one way; returns what each run gave (`fired`, or the error's code). */
async function runVector(file, v, run) {
  const book = loadBookJson(JSON.stringify(v.book_json), { mode: 'lenient' });
  const pb = new Playbook(v.playbook);
  const outcomes = [];
  let previous = {};
  for (const [k, r] of v.runs.entries()) {
    const name = `${file} run ${k}`;
    let history = r.history === 'previous' ? previous : r.history;
    for (const [p, a] of r.close_tasks ?? []) {
      const open = (h) => (h.open_tasks ?? []).some(([x, y]) => x === p && y === a);
      assert.ok(open(history), `${name}: no open task ${p} ${a}`);
      const closed = closeTask(history, p, a);
      assert.ok(!open(closed), `${name}: task ${p} ${a} still open after closeTask`);
      assert.equal(closed.open_tasks.length, (history.open_tasks ?? []).length - 1, `${name}: closeTask closed more than one task`);
      history = closed;
    }
    let out;
    try {
      out = await run(book, pb, r.day, history);
    } catch (e) {
      if (r.error_contains === undefined) throw new Error(`${name}: ${e.code}: ${e.message}`);
      assert.equal(e.code, `CSOPS_${r.expect_error.toUpperCase()}`, `${name}: ${e.code}: ${e.message}`);
      assert.ok(e.problems.join('; ').includes(r.error_contains), `${name}: ${JSON.stringify(e.problems)} lacks ${r.error_contains}`);
      outcomes.push(e.code);
      continue;
    }
    assert.equal(r.error_contains, undefined, `${name}: expected a ${r.expect_error} error, got ${out.fired.length} fired`);
    assert.equal(out.date, r.day, `${name}: date`);
    assert.equal(out.fired.length, r.expect.length, `${name}: ${JSON.stringify(out.fired, null, 1)}`);
    out.fired.forEach((f, i) => {
      const actual = { play: f.play, account_id: f.accountId, mode: f.mode, actions: f.actions };
      const { reason_contains: reason, ...expected } = r.expect[i];
      subset(name, `fired[${i}]`, expected, actual);
      if (reason !== undefined) assert.ok(f.reason.includes(reason), `${name}: reason ${JSON.stringify(f.reason)} lacks ${reason}`);
      assert.equal(f.date, r.day, `${name}: fired[${i}].date`);
    });
    assert.equal(out.history.last_run, r.day, `${name}: the history records the run`);
    outcomes.push(out.fired);
    previous = out.history;
  }
  return outcomes;
}

for (const { file, v } of vectors) {
  test(`playbook conformance: ${file}`, async () => {
    const results = {};
    for (const [way, run] of Object.entries(ways)) results[way] = await runVector(`${file} (${way})`, v, run);
    assert.deepEqual(results.async, results.sync, `${file}: async differs from sync`);
    assert.deepEqual(results['history as JSON text'], results.sync, `${file}: the stored history differs`);
  });
}
