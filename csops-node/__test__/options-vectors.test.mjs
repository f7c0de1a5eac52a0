// The option vectors (tests/conformance/options/), run through the Node API: options as a
// user writes them, read by the core, so the same options give the same forecast as in Rust
// and Python, or the same error code and message word for word. The vectors' keys are
// snake_case, which Node reads as well as camelCase; one case per vector is also run with its
// keys camelCased, which must give the same outcome.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { Scorecard, backtest, forecast, loadBook, loadBookCsv, reconcile } from 'csops';
import { workspaceDir } from './helpers.mjs';

const doc = JSON.parse(readFileSync(join(workspaceDir, 'tests/conformance/options/forecast.json'), 'utf8'));
const book = loadBook(join(workspaceDir, doc.book), { mode: 'lenient' });
const base = forecast(book);
const card = Scorecard.defaultHeuristic();
const defaultBacktest = backtest(book, card);

function summary(f) {
  return {
    as_of: f.asOf,
    start: f.from,
    end: f.to,
    lines: f.lines.length,
    expected_renewal: f.expectedRenewal,
    expected_expansion: f.expectedExpansion,
    commit: f.commit,
    best_case: f.bestCase,
    p_renew_values: [...new Set(f.lines.map((l) => l.pRenew))].sort((a, b) => a - b),
    p50: f.distribution ? f.distribution.p50 : null,
    text: f.summary,
  };
}

// Retention rows as the vectors compare them: each cohort's label, GRR and NRR.
const cohorts = (rows) => rows.map((r) => ({ label: r.label, grr: r.grr, nrr: r.nrr }));

function run(call, options) {
  if (call === 'forecast') return summary(forecast(book, options));
  if (call === 'retention') return cohorts(book.retention('2025-09-30', '2026-09-30', options));
  if (call === 'retention_series') return cohorts(book.retentionSeries('2025-09-30', '2026-09-30', options));
  if (call === 'backtest') return { text: backtest(book, card, options).render() };
  if (call === 'recalibrate') return { text: defaultBacktest.recalibrate(options).render() };
  if (call === 'load') {
    const loaded = loadBookCsv(doc.load_texts, options);
    return {
      accounts: loaded.accounts().map((a) => ({ id: a.id, name: a.name, arr: a.arr.amount })),
      problems: loaded.report.problems.length,
    };
  }
  const r = reconcile(book, base, options);
  return { gap: r.gap, passes: r.passes, issues: r.issues.length, text: r.summary };
}

// Field names camelCased; the keys of data maps (band names, account ids) and of
// configuration documents (header and source maps keep their file spelling) are kept.
const DATA = new Set(['band_priors', 'supplied', 'by', 'header_map', 'source_map']);
function camel(v, data = false) {
  if (Array.isArray(v)) return v.map((x) => camel(x));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [data ? k : k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), camel(x, DATA.has(k))]),
  );
}

for (const c of doc.cases) {
  test(`options: ${c.name}`, () => {
    const expect = c.expect;
    for (const options of [c.options, camel(c.options)]) {
      if (expect.ok) {
        assert.deepEqual(run(c.call, options), expect.ok);
        continue;
      }
      let error;
      try {
        run(c.call, options);
      } catch (e) {
        error = e;
      }
      assert.ok(error, 'expected an error');
      if (expect.kind === 'config') {
        assert.equal(error.code, 'CSOPS_CONFIG', error.message);
        // Messages name fields as the core spells them (snake_case), in either casing.
        assert.deepEqual(error.problems, expect.problems);
      } else {
        assert.equal(error.code, 'CSOPS_INVALID_ARGUMENT', error.message);
        if (options === c.options) {
          assert.equal(error.message, expect.message);
          // The core's path of the faulty part, as Python's ArgumentError.path.
          assert.ok(expect.message.startsWith(`${error.path}: `), `${error.path} / ${expect.message}`);
        }
      }
    }
  });
}
