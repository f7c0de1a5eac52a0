// Runs the cross-language revenue vectors of tests/conformance/revenue/ exactly as the Rust
// runner (csops-core/tests/conformance.rs, `revenue_vectors_agree`) does: ARR bridges,
// retention (optionally cut), a forecast and its reconciliation, on an inline JSON book.
// Amounts compare as exact decimals ("0" equals "0.00"); other numbers within 1e-9.
// The vectors list the FX rates used; a result gives them as the core does, `{ reporting,
// rates }`, so the runner compares `ratesUsed.rates`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { forecast, forecastAsync, loadBookJson, reconcile } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectorDir = join(workspaceDir, 'tests', 'conformance', 'revenue');
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, v: JSON.parse(readFileSync(join(vectorDir, f), 'utf8')) }));

test('the revenue conformance vectors are all there', () => {
  assert.ok(vectors.length >= 3, `only ${vectors.length} vectors in ${vectorDir}`);
});

/** A decimal string in a canonical form: no trailing fractional zeros, no `-0`. */
function canonical(amount) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  assert.ok(m, `not a decimal string: ${JSON.stringify(amount)}`);
  const whole = m[2].replace(/^0+(?=\d)/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const zero = whole === '0' && fraction === '';
  return `${zero ? '' : m[1]}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** `actual` and `expected` are the same exact decimal amount. */
function sameAmount(name, path, actual, expected) {
  assert.equal(typeof actual, 'string', `${name}: ${path} is not a decimal string: ${actual}`);
  assert.equal(canonical(actual), canonical(expected), `${name}: ${path} = ${actual}, want ${expected}`);
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

/** Everything but the named keys (the amounts, compared exactly on their own). */
const without = (object, keys) => Object.fromEntries(Object.entries(object).filter(([k]) => !keys.includes(k)));

// Vector configurations are the core's serde form (snake_case); the Node options are
// camelCase, and a probability is `{ calibrated | bandPriors | supplied, fallback }`.
const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function probabilityOption(p) {
  const [[kind, body]] = Object.entries(p);
  const fallback = body.fallback === undefined ? {} : { fallback: body.fallback };
  switch (kind) {
    case 'calibrated':
      return { calibrated: body.map, ...fallback };
    case 'band_priors':
      return { bandPriors: body.priors, ...fallback };
    case 'supplied':
      return { supplied: body.probabilities, ...fallback };
    default:
      throw new Error(`unknown probability kind ${kind}`);
  }
}

function forecastOptions(config, health) {
  const options = {};
  for (const [k, x] of Object.entries(config ?? {})) {
    options[camel(k)] = k === 'probability' ? probabilityOption(x) : x;
  }
  if (health !== undefined && health !== null) options.health = health;
  return options;
}

const reconcileOptions = (config) => Object.fromEntries(Object.entries(config ?? {}).map(([k, x]) => [camel(k), x]));

const BRIDGE_AMOUNTS = ['start', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'end'];
const RETENTION_AMOUNTS = ['start_arr', 'retained_arr', 'end_arr'];
const FORECAST_AMOUNTS = ['arr', 'expected_renewal', 'expected_expansion', 'commit', 'best_case', 'pipeline'];

for (const { file, v } of vectors) {
  test(`revenue conformance: ${file}`, async () => {
    const book = loadBookJson(JSON.stringify(v.book_json), { mode: 'lenient' });

    for (const [i, c] of (v.bridge ?? []).entries()) {
      const name = `${file} bridge[${i}]`;
      const e = c.expect;
      let b;
      try {
        b = book.arrBridge(c.from, c.to);
      } catch (err) {
        assert.equal(err.code, 'CSOPS_CONFIG', `${name}: ${err.code}: ${err.message}`);
        assert.equal(e.error, 'config', `${name}: unexpected error ${err.message}`);
        continue;
      }
      assert.ok(e.error === undefined || e.error === null, `${name}: expected an error`);
      for (const k of BRIDGE_AMOUNTS) sameAmount(name, k, b[camel(k)], e[k]);
      const actual = {
        logos_start: b.logosStart,
        logos_new: b.logosNew,
        logos_churned: b.logosChurned,
        logos_reactivated: b.logosReactivated,
        logos_end: b.logosEnd,
        movements: Object.fromEntries(b.accounts.map((m) => [m.accountId, m.movement])),
        rates_used: b.ratesUsed?.rates,
      };
      subset(name, 'bridge', without(e, [...BRIDGE_AMOUNTS, 'error']), actual);
    }

    for (const [i, c] of (v.retention ?? []).entries()) {
      const name = `${file} retention[${i}]`;
      const got = c.cut === null || c.cut === undefined ? book.retention(c.from, c.to) : book.retention(c.from, c.to, { by: c.cut });
      assert.equal(got.length, c.expect.length, `${name}: cohorts`);
      got.forEach((g, j) => {
        const w = c.expect[j];
        for (const k of RETENTION_AMOUNTS) sameAmount(name, `${g.label} ${k}`, g[camel(k)], w[k]);
        const actual = {
          label: g.label,
          logos: g.logos,
          logos_retained: g.logosRetained,
          grr: g.grr,
          nrr: g.nrr,
          logo_retention: g.logoRetention,
        };
        subset(name, 'retention', without(w, RETENTION_AMOUNTS), actual);
      });
    }

    if (v.forecast !== undefined) {
      const name = `${file} forecast`;
      const options = forecastOptions(v.forecast.config, v.forecast.health);
      const f = forecast(book, options);
      const e = v.forecast.expect;
      for (const k of FORECAST_AMOUNTS) sameAmount(name, k, f[camel(k)], e[k]);
      assert.notEqual(f.distribution, null, `${name}: no distribution`);
      const d = f.distribution;
      subset(
        name,
        'forecast',
        { from: e.from, to: e.to, accounts: e.accounts, distribution: e.distribution, ...(e.rates_used ? { rates_used: e.rates_used } : {}) },
        {
          from: f.from,
          to: f.to,
          accounts: f.lines.map((l) => l.accountId),
          distribution: { method: d.method, p10: d.p10, p50: d.p50, p90: d.p90, mean: d.mean },
          rates_used: f.ratesUsed?.rates,
        },
      );
      // The async path gives the same forecast.
      assert.deepEqual(await forecastAsync(book, options), f, `${name}: forecastAsync`);

      if (v.reconcile !== undefined) {
        const rname = `${file} reconcile`;
        const r = reconcile(book, f, reconcileOptions(v.reconcile.config));
        const re = v.reconcile.expect;
        sameAmount(rname, 'forecast_arr', r.forecastArr, re.forecast_arr);
        sameAmount(rname, 'crm_arr', r.crmArr, re.crm_arr);
        subset(
          rname,
          'reconcile',
          { gap: re.gap, passes: re.passes, issues: re.issues, ...(re.rates_used ? { rates_used: re.rates_used } : {}) },
          { gap: r.gap, passes: r.passes, issues: r.issues.map((x) => [x.kind, x.accountId]), rates_used: r.ratesUsed?.rates },
        );
        // The forecast read back from its JSON reconciles the same.
        assert.deepEqual(reconcile(book, JSON.parse(JSON.stringify(f)), reconcileOptions(v.reconcile.config)), r);
      }
    }
  });
}
