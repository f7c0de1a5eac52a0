// Runs the cross-language back-test vectors of tests/conformance/backtest/ exactly as the Rust
// runner (csops-core/tests/conformance.rs, `backtest_actual` and `subset`) does: the same
// book, scorecard and configuration must give the same figures in Rust, Python and Node.
// Every key present in `expect` is compared; numbers within 1e-9 (relative for large values).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Scorecard, backtest, backtestAsync, loadBook, loadBookJson } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectorDir = join(workspaceDir, 'tests', 'conformance', 'backtest');
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, v: JSON.parse(readFileSync(join(vectorDir, f), 'utf8')) }));

test('the back-test conformance vectors are all there', () => {
  assert.ok(vectors.length >= 5, `only ${vectors.length} vectors in ${vectorDir}`);
});

// Vector keys are the core's snake_case names; the Node options are camelCase. Nested values
// (a `features` FeatureConfig) keep their snake_case keys, as the Node API takes them.
const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const options = (config) =>
  config == null ? undefined : Object.fromEntries(Object.entries(config).map(([k, x]) => [camel(k), x]));

/** The vector's book: a CSV directory of the repository or an inline JSON book, lenient. */
function book(v) {
  if (v.book_dir !== undefined) return loadBook(join(workspaceDir, v.book_dir), { mode: 'lenient' });
  return loadBookJson(JSON.stringify(v.book_json), { mode: 'lenient' });
}

/** The vector's scorecard: `"default"` or scorecard JSON. */
const scorecard = (v) => (v.scorecard === 'default' ? Scorecard.defaultHeuristic() : Scorecard.fromJson(v.scorecard));

/**
 * The Rust runner maps a configuration the core refuses (including one serde cannot read) to
 * `"config"`; so does this one: a `CSOPS_CONFIG` error, or a `CSOPS_INVALID_ARGUMENT` error
 * raised while reading the options converted from the vector's configuration.
 */
function errorOf(e) {
  if (e.code === 'CSOPS_CONFIG') return { error: 'config' };
  if (e.code === 'CSOPS_INVALID_ARGUMENT' && e.message.startsWith('`options')) return { error: 'config' };
  return { error: e.message };
}

/** What a vector's `expect` holds, from a back-test and its re-calibration (if any). */
function figures(bt, rc) {
  const r = bt.report;
  const all = r.overall;
  const c = all.comparison;
  const out = {
    error: null,
    window: [r.windowStart, r.windowEnd],
    renewals: all.renewals,
    churned: all.churned,
    unscored: all.unscored,
    bands: all.bands.map((b) => ({
      band: b.band,
      renewals: b.renewals,
      renewed: b.renewed,
      ci95: b.ci95 === null ? null : [b.ci95.lo, b.ci95.hi],
      arr_up: b.arrUp.amount,
      arr_renewed: b.arrRenewed.amount,
    })),
    test_used: c === null ? null : c.testUsed,
    fisher_p: c === null ? null : c.fisher.pValue,
    separates: c === null ? null : c.separates,
    auc: all.auc === null ? null : all.auc.auc,
    auc_se_delong: all.auc === null ? null : all.auc.seDelong,
    brier: all.brier,
    quarters: r.quarters.map((q) => ({ quarter: q.label, renewals: q.renewals, churned: q.churned })),
    lift: all.lift.map((l) => ({ fraction: l.fraction, k: l.k, captured: l.captured })),
    measures: r.measures.map((m) => ({ measure: m.measure, auc: m.auc, flag: m.flag })),
    logrank: r.logrank === null ? null : { chi2: r.logrank[0].statistic, df: r.logrank[1] },
  };
  if (rc !== undefined) {
    const x = rc.report;
    out.recalibration = {
      train_renewals: x.train.renewals,
      test_renewals: x.test.renewals,
      dropped: x.dropped,
      before_auc: x.before.auc === null ? null : x.before.auc.auc,
      after_auc: x.after.auc === null ? null : x.after.auc.auc,
      after_brier: x.after.brier,
      share_after: Object.fromEntries(x.weights.map((w) => [w.measure, w.shareAfter])),
    };
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

for (const { file, v } of vectors) {
  test(`back-test conformance: ${file}`, async () => {
    const b = book(v);
    const card = scorecard(v);
    const opts = options(v.config);
    const recalibrating = v.recalibration !== undefined && v.recalibration !== null;
    let actual;
    let bt;
    let rc;
    try {
      bt = backtest(b, card, opts);
      if (recalibrating) rc = bt.recalibrate(options(v.recalibration));
      actual = figures(bt, rc);
    } catch (e) {
      assert.ok(e instanceof Error, `${file}: not an Error: ${e}`);
      actual = errorOf(e);
    }
    subset(file, 'expect', v.expect, actual);

    // The async path gives the same figures, or rejects with the same error.
    let asyncActual;
    try {
      const abt = await backtestAsync(b, card, opts);
      const arc = recalibrating ? await abt.recalibrateAsync(options(v.recalibration)) : undefined;
      asyncActual = figures(abt, arc);
      assert.deepEqual(abt.report, bt.report, `${file}: backtestAsync report`);
      if (arc !== undefined) assert.deepEqual(arc.report, rc.report, `${file}: recalibrateAsync report`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      asyncActual = errorOf(e);
    }
    assert.deepEqual(asyncActual, actual, `${file}: async and sync differ`);
  });
}
