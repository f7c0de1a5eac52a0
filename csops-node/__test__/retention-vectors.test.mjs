// The ARR bridge and retention against an independent pandas implementation, from Node: the
// values in tests/vectors/retention.json were computed by scripts/reference/retention_pandas.py
// from the CSV files of a generated book. The same book is generated here (generateBook, the
// core's generator) and compared as csops-core/tests/retention_vectors.rs and
// csops-py/tests/test_retention_vectors.py do: amounts exactly as decimals, counts exactly,
// rates within 1e-12 relative. The `fallbacks` book is the generated one with the vector's
// transform applied to its JSON document (snapshots and renewal outcomes dropped, win-backs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { generateBook, loadBookJson } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectors = JSON.parse(readFileSync(join(workspaceDir, 'tests/vectors/retention.json'), 'utf8'));
const g = vectors.generator;
const generated = generateBook({
  accounts: g.accounts,
  seed: g.seed,
  start: g.start,
  quarters: g.quarters,
  missingRate: g.missing_rate,
  eventsPerAccountWeek: g.events_per_account_week,
  usageDays: g.usage_days,
  existingShare: g.existing_share,
});

/** A decimal's text without trailing zeros, so that `1.50` and `1.5` compare equal. */
function dec(s) {
  assert.equal(typeof s, 'string', `not a decimal string: ${s}`);
  let t = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  if (t === '-0') t = '0';
  return t;
}

let compared = 0;
const sameAmount = (what, got, want) => {
  assert.equal(dec(got), dec(want), what);
  compared++;
};
const sameCount = (what, got, want) => {
  assert.equal(got, want, what);
  compared++;
};
function close(what, got, want) {
  if (want === null) assert.equal(got, null, what);
  else assert.ok(Math.abs(got - want) <= 1e-12 * Math.abs(want), `${what}: node ${got}, pandas ${want}`);
  compared++;
}

function checkRetention(what, r, w, from, to) {
  assert.equal(r.label, w.label, what);
  assert.deepEqual([r.from, r.to], [from, to], what);
  assert.equal(r.currency, vectors.reporting_currency, what);
  what = `${what} [${r.label}]`;
  sameCount(`${what} logos`, r.logos, w.logos);
  sameCount(`${what} logos_retained`, r.logosRetained, w.logos_retained);
  sameAmount(`${what} start_arr`, r.startArr, w.start_arr);
  sameAmount(`${what} retained_arr`, r.retainedArr, w.retained_arr);
  sameAmount(`${what} end_arr`, r.endArr, w.end_arr);
  close(`${what} grr`, r.grr, w.grr);
  close(`${what} nrr`, r.nrr, w.nrr);
  close(`${what} logo_retention`, r.logoRetention, w.logo_retention);
}

function checkBridge(what, b, w) {
  assert.equal(b.currency, vectors.reporting_currency, what);
  for (const k of ['start', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'end']) {
    sameAmount(`${what} bridge ${k}`, b[k], w[k]);
  }
  sameCount(`${what} logos_start`, b.logosStart, w.logos_start);
  sameCount(`${what} logos_new`, b.logosNew, w.logos_new);
  sameCount(`${what} logos_churned`, b.logosChurned, w.logos_churned);
  sameCount(`${what} logos_reactivated`, b.logosReactivated, w.logos_reactivated);
  sameCount(`${what} logos_end`, b.logosEnd, w.logos_end);
  sameCount(`${what} accounts_listed`, b.accounts.length, w.accounts_listed);
  const kinds = {};
  for (const a of b.accounts) kinds[a.movement] = (kinds[a.movement] ?? 0) + 1;
  for (const [k, n] of Object.entries(w.movement_counts)) sameCount(`${what} movement ${k}`, kinds[k] ?? 0, n);
  assert.ok(Object.keys(kinds).every((k) => k in w.movement_counts), `${what}: ${JSON.stringify(kinds)}`);
}

function checkBook(name, book) {
  const w = vectors.books.find((b) => b.name === name);
  const before = compared;
  for (const p of w.periods) {
    const what = `${name} ${p.from}..${p.to}`;
    const b = book.arrBridge(p.from, p.to);
    checkBridge(what, b, p.bridge);
    const [r] = book.retention(p.from, p.to);
    checkRetention(what, r, p.retention, p.from, p.to);
    assert.equal(r.startArr, b.start, what);
    for (const [cut, rows] of Object.entries(p.cuts)) {
      const got = book.retention(p.from, p.to, { by: cut });
      assert.deepEqual(got.map((x) => x.label), rows.map((x) => x.label), `${what} by ${cut}`);
      got.forEach((x, i) => checkRetention(`${what} by ${cut}`, x, rows[i], p.from, p.to));
    }
  }
  for (const s of w.series) {
    const got = book.retentionSeries(s.from, s.to, { period: s.period });
    assert.equal(got.length, s.rows.length, `${name} ${s.period} series`);
    got.forEach((x, i) => checkRetention(`${name} ${s.period} series`, x, s.rows[i], s.rows[i].from, s.rows[i].to));
  }
  for (const t of w.ttm) checkRetention(`${name} ttm`, book.trailingTwelveMonths(t.to), t, t.from, t.to);
  const n = compared - before;
  assert.ok(n > 1000, `only ${n} values compared`);
}

test('the generated book is the book pandas read', () => {
  const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  assert.deepEqual(generated.counts(), Object.fromEntries(Object.entries(vectors.counts).map(([k, v]) => [camel(k), v])));
  assert.equal(generated.latestDate(), vectors.latest_date);
});

test('the clean book agrees with pandas', () => {
  checkBook('clean', generated);
});

test('the book with fallbacks agrees with pandas', () => {
  const t = vectors.books.find((b) => b.name === 'fallbacks').transform;
  const doc = JSON.parse(generated.toJson());
  const number = (id) => Number(id.replace(/^A-/, ''));
  let changed = 0;
  for (const s of doc.arr_snapshots) {
    const n = number(s.account_id);
    if (n % t.win_back_if_account_number_divisible_by === 0 && s.date >= t.win_back_from && Number(s.arr) === 0) {
      s.arr = t.win_back_arr;
      if (n % t.drop_snapshots_if_account_number_divisible_by !== 0) changed++;
    }
  }
  doc.arr_snapshots = doc.arr_snapshots.filter((s) => number(s.account_id) % t.drop_snapshots_if_account_number_divisible_by !== 0);
  doc.renewal_outcomes = doc.renewal_outcomes.filter((o) => number(o.account_id) % t.drop_renewal_outcomes_if_account_number_divisible_by !== 0);
  assert.equal(changed, t.win_back_snapshots_changed);
  checkBook('fallbacks', loadBookJson(JSON.stringify(doc)));
});
