// Revenue from Node on the sample book: the ARR bridge identity to the last digit (decimal
// strings added as scaled BigInts, never floats), retention cuts that partition the whole,
// forecast totals that are the sums of their lines, sync = async, the main job's forecast and
// reconciliation (section 6 of `cargo run --release --example cs_week`) and retention
// (section 7) reproduced, probability options, the forecast read back by `reconcile`, and
// coded errors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { Scorecard, backtest, forecast, forecastAsync, loadBook, loadBookCsv, reconcile } from 'csops';
import { CSV } from './fixtures.mjs';
import { rejectsCode, throwsCode, workspaceDir } from './helpers.mjs';

const book = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
const AS_OF = book.latestDate();
const card = Scorecard.defaultHeuristic();
// The main job's steps 4–6: back-test, re-tune, score today with the re-tuned scorecard,
// forecast next quarter with its calibrated probabilities.
const rc = backtest(book, card).recalibrate();
const health = book.healthAsOf(rc.scorecard);
const f = forecast(book, { health, probability: rc });

// Exact decimal arithmetic on the amount strings: each is an integer of 10^-SCALE units.
const SCALE = 12;
function units(amount) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  assert.ok(m, `not a decimal string: ${JSON.stringify(amount)}`);
  const fraction = m[3] ?? '';
  assert.ok(fraction.length <= SCALE, `more than ${SCALE} decimals: ${amount}`);
  const v = BigInt(m[2]) * 10n ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, '0'));
  return m[1] ? -v : v;
}
const total = (amounts) => amounts.reduce((a, x) => a + units(x), 0n);
/** Units back to a decimal string (with SCALE decimals). */
function decimal(u) {
  const a = u < 0n ? -u : u;
  const one = 10n ** BigInt(SCALE);
  return `${u < 0n ? '-' : ''}${a / one}.${String(a % one).padStart(SCALE, '0')}`;
}
/** An amount rounded to the cent, half to even (as the core's `round_dp(2)`), as text. */
function cents(amount) {
  const u = units(amount);
  const step = 10n ** BigInt(SCALE - 2);
  let q = u / step;
  const r = u - q * step;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > step || (twice === step && q % 2n !== 0n)) q += u < 0n ? -1n : 1n;
  const sign = q < 0n ? '-' : '';
  const a = q < 0n ? -q : q;
  return `${sign}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

test('the ARR bridge adds up exactly, account by account', () => {
  const b = book.arrBridge('2025-09-30', AS_OF);
  assert.equal(b.from, '2025-09-30');
  assert.equal(b.to, AS_OF);
  assert.equal(b.currency, 'USD');
  // The core's text (Python's repr): a headline, then one line per term of the identity.
  const lines = b.summary.split('\n');
  assert.equal(lines[0], `ARR bridge from 2025-09-30 to ${AS_OF} (USD)`);
  assert.deepEqual(
    lines.slice(1).map((l) => l.slice(2).trim().split(/\s+/)[0]),
    ['start', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'end'],
  );
  assert.match(lines[7], new RegExp(`^= end\\s+[\\d,]+\\.\\d\\d\\s+${b.logosEnd} logos$`));
  // start + new + expansion − contraction − churn + reactivation = end, to the last digit.
  assert.equal(
    units(b.start) + units(b.new) + units(b.expansion) - units(b.contraction) - units(b.churn) + units(b.reactivation),
    units(b.end),
  );
  // The totals are the sums of the accounts' movements.
  const by = (kind) => b.accounts.filter((a) => a.movement === kind);
  assert.equal(total(b.accounts.map((a) => a.start)), units(b.start));
  assert.equal(total(b.accounts.map((a) => a.end)), units(b.end));
  assert.equal(total(by('new').map((a) => a.end)), units(b.new));
  assert.equal(total(by('reactivation').map((a) => a.end)), units(b.reactivation));
  assert.equal(total(by('churn').map((a) => a.start)), units(b.churn));
  assert.equal(
    by('expansion').reduce((s, a) => s + units(a.end) - units(a.start), 0n),
    units(b.expansion),
  );
  assert.equal(
    by('contraction').reduce((s, a) => s + units(a.start) - units(a.end), 0n),
    units(b.contraction),
  );
  for (const a of b.accounts) {
    const [s, e] = [units(a.start), units(a.end)];
    const want = s === 0n ? (a.movement === 'reactivation' ? 'reactivation' : 'new') : e === 0n ? 'churn' : e > s ? 'expansion' : e < s ? 'contraction' : 'flat';
    assert.equal(a.movement, want, a.accountId);
  }
  // Logos.
  assert.equal(b.logosStart, b.accounts.filter((a) => units(a.start) > 0n).length);
  assert.equal(b.logosEnd, b.accounts.filter((a) => units(a.end) > 0n).length);
  assert.equal(b.logosNew, by('new').length);
  assert.equal(b.logosChurned, by('churn').length);
  assert.equal(b.logosReactivated, by('reactivation').length);
  assert.equal(b.logosStart + b.logosNew - b.logosChurned + b.logosReactivated, b.logosEnd);
  assert.deepEqual(Object.keys(b.accounts[0]), ['accountId', 'start', 'end', 'movement']);
});

test('retention: TTM, the bridge and the cuts agree; every cut partitions the whole', () => {
  const ttm = book.trailingTwelveMonths();
  assert.deepEqual(book.trailingTwelveMonths(AS_OF), ttm);
  assert.equal(ttm.label, 'ttm');
  assert.deepEqual([ttm.from, ttm.to], ['2025-09-30', AS_OF]);
  const [all] = book.retention(ttm.from, ttm.to);
  assert.deepEqual({ ...all, label: 'ttm' }, ttm);
  // The cohort's start and end are the bridge's start, and start + expansion − contraction − churn.
  const b = book.arrBridge(ttm.from, ttm.to);
  assert.equal(units(ttm.startArr), units(b.start));
  assert.equal(units(ttm.endArr), units(b.start) + units(b.expansion) - units(b.contraction) - units(b.churn));
  assert.equal(units(ttm.retainedArr), units(b.start) - units(b.contraction) - units(b.churn));
  assert.equal(ttm.logos, b.logosStart);
  assert.equal(ttm.logosRetained, b.logosStart - b.logosChurned);
  assert.ok(Math.abs(ttm.grr - Number(ttm.retainedArr) / Number(ttm.startArr)) < 1e-12);
  assert.ok(Math.abs(ttm.nrr - Number(ttm.endArr) / Number(ttm.startArr)) < 1e-12);
  assert.equal(ttm.logoRetention, ttm.logosRetained / ttm.logos);

  // Health bands at the start as labels (accounts without one are `none`).
  const bands = Object.fromEntries(
    Object.entries(book.healthAsOf(card, ttm.from)).map(([id, h]) => [id, h.band ?? 'unscored']),
  );
  const cuts = ['segment', 'tier', 'region', 'industry', 'plan', 'owner_csm', 'currency', 'start_cohort', 'attr.source', bands];
  for (const by of cuts) {
    const rows = book.retention(ttm.from, ttm.to, { by });
    const name = typeof by === 'string' ? by : 'bands';
    assert.ok(rows.length >= 1, name);
    const labels = rows.map((r) => r.label);
    assert.deepEqual(labels, [...labels].sort(), `${name}: labels in order`);
    assert.equal(new Set(labels).size, labels.length, `${name}: labels unique`);
    assert.equal(sum(rows.map((r) => r.logos)), ttm.logos, `${name}: logos`);
    assert.equal(sum(rows.map((r) => r.logosRetained)), ttm.logosRetained, `${name}: logos retained`);
    for (const k of ['startArr', 'retainedArr', 'endArr']) {
      assert.equal(total(rows.map((r) => r[k])), units(ttm[k]), `${name}: ${k}`);
    }
  }
  const bySegment = book.retention(ttm.from, ttm.to, { by: 'segment' });
  assert.deepEqual(bySegment.map((r) => r.label), ['enterprise', 'mid_market', 'smb']);
  assert.ok(book.retention(ttm.from, ttm.to, { by: 'start_cohort' }).every((r) => /^\d{4}-Q[1-4]$/.test(r.label)));
  // null options and a null `by` are the defaults.
  assert.deepEqual(book.retention(ttm.from, ttm.to, null), [all]);
  assert.deepEqual(book.retention(ttm.from, ttm.to, { by: null }), [all]);
  // Every key is present; undefined rates are null, not missing.
  assert.deepEqual(Object.keys(ttm), [
    'label', 'from', 'to', 'currency', 'logos', 'logosRetained', 'startArr', 'retainedArr', 'endArr', 'grr', 'nrr', 'logoRetention',
  ]);
  const empty = book.retention('1990-01-01', '1990-12-31');
  assert.deepEqual([empty[0].logos, empty[0].grr, empty[0].nrr, empty[0].logoRetention], [0, null, null, null]);
});

test('retention series: consecutive calendar periods', () => {
  const quarters = book.retentionSeries('2025-09-30', AS_OF);
  assert.deepEqual(quarters, book.retentionSeries('2025-09-30', AS_OF, { period: 'quarter' }));
  assert.deepEqual(quarters.map((q) => q.label), ['2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3']);
  const months = book.retentionSeries('2025-10-01', AS_OF, { period: 'month' });
  assert.equal(months.length, 12);
  assert.deepEqual([months[0].label, months[11].label], ['2025-10', '2026-09']);
  for (const series of [quarters, months]) {
    series.forEach((p, i) => {
      if (i > 0) assert.equal(p.from, series[i - 1].to);
      assert.ok(p.grr <= 1);
    });
  }
  const years = book.retentionSeries('2024-01-01', AS_OF, { period: 'year' });
  assert.ok(years.every((y) => /^\d{4}$/.test(y.label) && y.to.endsWith('-12-31')));
  assert.deepEqual(book.retentionSeries('2026-09-01', '2026-09-15'), []);
});

test('the main job: retention (section 7 of cs_week) is reproduced', () => {
  const ttm = book.trailingTwelveMonths();
  assert.deepEqual([pct(ttm.grr), pct(ttm.nrr), pct(ttm.logoRetention), ttm.logosRetained, ttm.logos], ['83.5%', '88.5%', '82.4%', 169, 205]);
  const segments = book.retention(ttm.from, ttm.to, { by: 'segment' }).map((s) => [s.label, pct(s.grr), pct(s.nrr), s.logos, cents(s.startArr)]);
  assert.deepEqual(segments, [
    ['enterprise', '83.6%', '90.0%', 25, '9087594.01'],
    ['mid_market', '83.9%', '85.2%', 64, '3210242.40'],
    ['smb', '79.6%', '82.1%', 116, '555905.05'],
  ]);
  const b = book.arrBridge(ttm.from, ttm.to);
  assert.deepEqual(
    ['start', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'end'].map((k) => cents(b[k])),
    ['12853741.46', '5721411.94', '641753.35', '235664.69', '1886337.20', '0.00', '17094904.85'],
  );
  assert.deepEqual(
    book.retentionSeries(ttm.from, AS_OF).map((q) => [q.label, pct(q.grr), pct(q.nrr)]),
    [
      ['2025-Q4', '96.6%', '99.3%'],
      ['2026-Q1', '95.8%', '95.8%'],
      ['2026-Q2', '93.8%', '94.8%'],
      ['2026-Q3', '99.0%', '99.9%'],
    ],
  );
});

test('health on a day: every active account, score and band, as the scorecard gives them', async () => {
  const ids = Object.keys(health);
  assert.equal(ids.length, 237);
  for (const [id, h] of Object.entries(health)) {
    assert.deepEqual(Object.keys(h), ['score', 'band'], id);
    assert.equal(h.score === null, h.band === null, id);
    if (h.score !== null) assert.ok(h.score >= 0 && h.score <= 100 && ['red', 'yellow', 'green'].includes(h.band), id);
  }
  // The same scores as scoring the features of that day.
  const scores = rc.scorecard.score(book.featuresAsOf(AS_OF));
  scores.accountIds.forEach((id, i) => {
    assert.equal(health[id].score, Number.isNaN(scores.scores[i]) ? null : scores.scores[i], id);
    assert.equal(health[id].band, scores.bands[i], id);
  });
  assert.deepEqual(book.healthAsOf(rc.scorecard, AS_OF, { features: null }), health);
  assert.deepEqual(await book.healthAsOfAsync(rc.scorecard), health);
  assert.deepEqual(await book.healthAsOfAsync(rc.scorecard, new Date(`${AS_OF}T12:00:00Z`)), health);
});

test('the main job: the forecast and its reconciliation (section 6 of cs_week) are reproduced', () => {
  assert.deepEqual([f.asOf, f.from, f.to, f.currency], [AS_OF, '2026-10-01', '2026-12-31', 'USD']);
  assert.equal(f.lines.length, 62);
  assert.deepEqual(
    [f.arr, f.expectedRenewal, f.expectedExpansion, f.otherExpansion],
    ['6307077.14', '5449394.79', '556.91', '54704.75'],
  );
  assert.equal(f.distribution.method, 'grid');
  assert.deepEqual([f.distribution.p10, f.distribution.p50, f.distribution.p90].map(Math.round), [4562540, 5580060, 6077247]);
  assert.deepEqual([f.commit, f.bestCase, f.pipeline], ['2337730.38', '3828116.41', '141230.35']);
  assert.deepEqual(
    f.byMonth.map((m) => [m.key, m.renewals, m.arr, m.expectedRenewal]),
    [
      ['2026-10', 16, '513568.61', '454819.91'],
      ['2026-11', 28, '3971652.67', '3440388.48'],
      ['2026-12', 18, '1821855.86', '1554186.40'],
    ],
  );
  const r = reconcile(book, f);
  assert.deepEqual([r.crmArr, r.forecastArr], ['6344144.27', '6307077.14']);
  assert.equal(`${r.gap >= 0 ? '+' : ''}${(100 * r.gap).toFixed(2)}%`, '-0.58%');
  assert.equal(r.passes, true);
  assert.equal(r.tolerance, 0.02);
  assert.equal(r.forecastExpected, f.expectedRenewal);
  const kinds = {};
  for (const i of r.issues) kinds[i.kind] = (kinds[i.kind] ?? 0) + 1;
  assert.deepEqual(kinds, { missing_opportunity: 3, amount_mismatch: 1, commit_on_at_risk_account: 4 });
  assert.deepEqual(
    r.issues.slice(0, 6).map((i) => [i.accountId, i.kind]),
    [
      ['A-00067', 'missing_opportunity'],
      ['A-00108', 'missing_opportunity'],
      ['A-00258', 'missing_opportunity'],
      ['A-00236', 'amount_mismatch'],
      ['A-00021', 'commit_on_at_risk_account'],
      ['A-00129', 'commit_on_at_risk_account'],
    ],
  );
  assert.equal(r.issues[0].detail, 'renews 2026-12-21 with ARR 1296.00 USD, but the CRM has no open renewal opportunity');
  assert.equal(r.issues[0].opportunityId, null);
  assert.equal(r.issues[3].detail, 'opportunity amount 641528.17 USD vs ARR 599559.04 USD');
  assert.match(r.issues[4].detail, /health says red \(score 28\.0\)/);
  assert.ok(r.issues.slice(3).every((i) => typeof i.opportunityId === 'string'));
  // Options take effect: a tolerance of 0.5% fails the same gap; wider amount tolerance
  // drops the mismatch; no at-risk bands, no commit issues.
  const strict = reconcile(book, f, { tolerance: 0.005, amountTolerance: 0.1, atRiskBands: [], matchDays: 60 });
  assert.equal(strict.passes, false);
  assert.equal(strict.gap, r.gap);
  assert.deepEqual([...new Set(strict.issues.map((i) => i.kind))], ['missing_opportunity']);
});

test('forecast totals are the exact sums of the lines; subtotals partition them', () => {
  const lines = f.lines;
  assert.equal(total(lines.map((l) => l.arr)), units(f.arr));
  assert.equal(total(lines.map((l) => l.expectedRenewal)), units(f.expectedRenewal));
  assert.equal(total(lines.map((l) => l.expectedExpansion)), units(f.expectedExpansion));
  assert.equal(units(f.commit) + units(f.bestCase) + units(f.pipeline), units(f.arr));
  for (const [category, key] of [['commit', 'commit'], ['best_case', 'bestCase'], ['pipeline', 'pipeline']]) {
    assert.equal(total(lines.filter((l) => l.category === category).map((l) => l.arr)), units(f[key]), category);
  }
  for (const [subtotals, key] of [[f.bySegment, 'segment'], [f.byCsm, 'csm'], [f.byMonth, 'month']]) {
    assert.equal(sum(subtotals.map((s) => s.renewals)), lines.length, key);
    for (const k of ['arr', 'expectedRenewal', 'expectedExpansion']) {
      assert.equal(total(subtotals.map((s) => s[k])), units(f[k]), `${key} ${k}`);
    }
    for (const s of subtotals) {
      // A line without a segment or CSM (null) is in the subtotal under "none".
      const mine = lines.filter((l) => (l[key] ?? 'none') === s.key);
      assert.equal(mine.length, s.renewals, `${key} ${s.key}`);
      assert.equal(total(mine.map((l) => l.arr)), units(s.arr), `${key} ${s.key}`);
    }
  }
  // A missing owner is null, never a placeholder (the sample book has unowned accounts).
  assert.ok(lines.some((l) => l.csm === null));
  assert.ok(!lines.some((l) => l.csm === 'none'));
  for (const [i, l] of lines.entries()) {
    assert.ok(l.renewalDate >= f.from && l.renewalDate <= f.to, l.accountId);
    assert.equal(l.month, l.renewalDate.slice(0, 7));
    assert.ok(l.pRenew >= 0 && l.pRenew <= 1);
    assert.equal(l.category, l.pRenew >= 0.9 ? 'commit' : l.pRenew >= 0.6 ? 'best_case' : 'pipeline');
    assert.equal(l.score, health[l.accountId].score);
    assert.equal(l.band, health[l.accountId].band);
    // P(renew) is 1 − P(churn) of the re-calibration's mapping.
    assert.ok(Math.abs(l.pRenew - (1 - rc.churnProbability(l.score)[0])) < 1e-12, l.accountId);
    assert.match(l.arr, /^\d+\.\d{2}$/);
    const p = lines[i - 1];
    if (p) assert.ok(p.renewalDate < l.renewalDate || (p.renewalDate === l.renewalDate && p.accountId < l.accountId), 'by date, then account');
  }
  assert.ok(Math.abs(f.distribution.mean - Number(f.expectedRenewal)) < 1);
  assert.ok(f.distribution.p10 <= f.distribution.p50 && f.distribution.p50 <= f.distribution.p90);
  // Plain data: a JSON round trip loses nothing.
  assert.deepEqual(JSON.parse(JSON.stringify(f)), f);
});

test('forecastAsync gives the same forecast as forecast, off the event loop', async () => {
  const options = { health, probability: rc };
  const pending = forecastAsync(book, options);
  assert.ok(pending instanceof Promise);
  assert.deepEqual(await pending, f);
  const mc = { health, probability: rc, distribution: 'monte_carlo', draws: 2000, seed: 7 };
  assert.deepEqual(await forecastAsync(book, mc), forecast(book, mc));
  const [a, b] = await Promise.all([forecastAsync(book, options), forecastAsync(book, options)]);
  assert.deepEqual(a, b);
});

test('probability options: a Recalibration, its map, band priors, supplied, fallbacks', () => {
  const same = (options) => forecast(book, { health, ...options });
  assert.deepEqual(same({ probability: { calibrated: rc } }), f);
  assert.deepEqual(same({ probability: { calibrated: rc.report.probability } }), f);
  assert.deepEqual(same({ probability: { calibrated: rc, fallback: 0.85 } }), f);
  // Without health every renewal takes the fallback (0.85 by default).
  assert.ok(forecast(book, { probability: rc }).lines.every((l) => l.pRenew === 0.85 && l.score === null));
  assert.ok(forecast(book, { probability: { calibrated: rc, fallback: 0.5 } }).lines.every((l) => l.pRenew === 0.5));
  // Band priors: per band; the default priors when none are given.
  const priors = same({ probability: { bandPriors: { red: 0.1, yellow: 0.2, green: 0.3 }, fallback: 0.4 } });
  for (const l of priors.lines) assert.equal(l.pRenew, { red: 0.1, yellow: 0.2, green: 0.3 }[l.band] ?? 0.4);
  const defaults = same({});
  for (const l of defaults.lines) assert.equal(l.pRenew, { red: 0.7, yellow: 0.85, green: 0.95 }[l.band] ?? 0.85);
  // Supplied per account.
  const first = f.lines[0].accountId;
  const supplied = forecast(book, { probability: { supplied: { [first]: 0.25 }, fallback: 1 } });
  for (const l of supplied.lines) assert.equal(l.pRenew, l.accountId === first ? 0.25 : 1);
  assert.equal(supplied.lines[0].category, 'pipeline');
  // Categories follow the thresholds.
  const everything = same({ commitFrom: 0, bestCaseFrom: 0 });
  assert.deepEqual([everything.commit, everything.bestCase, everything.pipeline].map(units), [units(f.arr), 0n, 0n]);
  // A window, expansion and the exact distribution.
  const oct = same({ start: '2026-10-01', end: '2026-10-31', distribution: 'exact', expansion: 'none' });
  assert.equal(oct.lines.length, 16);
  assert.equal(oct.distribution.method, 'exact');
  assert.equal(units(oct.expectedExpansion) + units(oct.otherExpansion), 0n);
  const history = same({ expansion: 'history' });
  assert.ok(units(history.expectedExpansion) > 0n);
  assert.equal(units(history.otherExpansion), 0n);
});

test('reconcile reads the forecast back exactly; a changed forecast is refused or reconciled as given', () => {
  const r = reconcile(book, f);
  assert.deepEqual(reconcile(book, JSON.parse(JSON.stringify(f))), r);
  assert.deepEqual(reconcile(book, f, null), r);
  // Totals that are not the sums of the lines are refused.
  throwsCode(() => reconcile(book, { ...f, arr: '1.00' }), 'CSOPS_INVALID_ARGUMENT');
  // Dropping a line (and its amounts from the totals) reconciles what is left.
  const [dropped, ...rest] = f.lines;
  const fewer = {
    ...f,
    lines: rest,
    arr: decimal(units(f.arr) - units(dropped.arr)),
    expectedRenewal: decimal(units(f.expectedRenewal) - units(dropped.expectedRenewal)),
  };
  const r2 = reconcile(book, fewer);
  assert.equal(units(r2.forecastArr), units(f.arr) - units(dropped.arr));
  assert.equal(units(r2.forecastExpected), units(f.expectedRenewal) - units(dropped.expectedRenewal));
  const others = (rec) => rec.issues.filter((i) => i.accountId !== dropped.accountId);
  assert.deepEqual(others(r2), others(r));
  // Malformed forecasts.
  for (const bad of [
    {},
    { ...f, lines: 'many' },
    { ...f, currency: 'usd dollars' },
    { ...f, asOf: '30/09/2026' },
    { ...f, lines: [{ ...f.lines[0], arr: 1143.76 }, ...f.lines.slice(1)] },
    { ...f, lines: [{ ...f.lines[0], arr: '1e3' }, ...f.lines.slice(1)] },
    { ...f, lines: [{ ...f.lines[0], category: 'maybe' }, ...f.lines.slice(1)] },
    { ...f, bySegment: [{ key: 'x' }] },
    { ...f, distribution: { method: 'grid' } },
    'forecast',
    null,
  ]) {
    throwsCode(() => reconcile(book, bad), 'CSOPS_INVALID_ARGUMENT');
  }
  // A forecast of another book names accounts this one does not have.
  const other = loadBookCsv({ accounts: 'id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\n' });
  throwsCode(() => reconcile(other, f), 'CSOPS_CONFIG');
});

test('errors: backwards periods are CSOPS_CONFIG, bad types CSOPS_INVALID_ARGUMENT', async () => {
  // Backwards (or empty) periods.
  throwsCode(() => book.arrBridge(AS_OF, '2025-09-30'), 'CSOPS_CONFIG');
  throwsCode(() => book.arrBridge(AS_OF, AS_OF), 'CSOPS_CONFIG');
  throwsCode(() => book.retention(AS_OF, '2025-09-30'), 'CSOPS_CONFIG');
  throwsCode(() => book.retention(AS_OF, '2025-09-30', { by: 'segment' }), 'CSOPS_CONFIG');
  throwsCode(() => book.retentionSeries(AS_OF, '2025-09-30'), 'CSOPS_CONFIG');
  throwsCode(() => forecast(book, { start: '2026-12-31', end: '2026-10-01' }), 'CSOPS_CONFIG');
  await rejectsCode(forecastAsync(book, { start: '2026-12-31', end: '2026-10-01' }), 'CSOPS_CONFIG');
  // Values the core refuses.
  const config = [
    () => book.retention('2025-09-30', AS_OF, { by: 'colour' }),
    () => book.retentionSeries('2025-09-30', AS_OF, { period: 'week' }),
    () => forecast(book, { start: '2026-10-01' }),
    () => forecast(book, { expansion: 'magic' }),
    () => forecast(book, { distribution: 'normal' }),
    () => forecast(book, { distribution: 'exact' }), // 62 renewals > 20
    () => forecast(book, { distribution: 'monte_carlo', draws: 0 }),
    () => forecast(book, { probability: { bandPriors: {}, supplied: {} } }),
    () => forecast(book, { seed: -1 }),
    () => forecast(book, { probability: { bandPriors: { red: 1.5 } } }),
    () => forecast(book, { probability: { supplied: {}, fallback: -0.1 } }),
    () => forecast(book, { probability: { calibrated: { method: 'isotonic', x: [2, 1], y: [0, 1] } } }),
    () => forecast(book, { commitFrom: 0.5, bestCaseFrom: 0.6 }),
    () => reconcile(book, f, { tolerance: -1 }),
    () => reconcile(book, f, { matchDays: -1 }),
    // Text that is not a day is a value the core refuses, as in Python.
    () => book.arrBridge('2025-9-30', AS_OF),
    () => book.healthAsOf(card, 'yesterday'),
  ];
  for (const fn of config) throwsCode(fn, 'CSOPS_CONFIG');
  // Arguments of the wrong type or shape.
  const invalid = [
    () => book.arrBridge(20250930, AS_OF),
    () => book.arrBridge('2025-09-30'),
    () => book.retention('2025-09-30', AS_OF, { by: 5 }),
    () => book.retention('2025-09-30', AS_OF, { by: { 'A-00001': 5 } }),
    () => book.retention('2025-09-30', AS_OF, { cut: 'segment' }),
    () => book.retention('2025-09-30', AS_OF, 'segment'),
    () => book.retentionSeries('2025-09-30', AS_OF, { period: 3 }),
    () => book.trailingTwelveMonths(2026),
    () => book.healthAsOf(card.toJson()),
    () => book.healthAsOf(card, AS_OF, { window: 28 }),
    () => forecast('data/sample-book'),
    () => forecast(book, 'next quarter'),
    () => forecast(book, { horizon: 90 }),
    () => forecast(book, { health: 5 }),
    () => forecast(book, { health: { 'A-00001': { score: 'high' } } }),
    () => forecast(book, { health: { 'A-00001': { score: 50, colour: 'red' } } }),
    () => forecast(book, { probability: 'calibrated' }),
    () => forecast(book, { from: '2026-10-01', to: '2026-12-31' }),
    () => forecast(book, { draws: 1.5 }),
    () => forecast(book, { probability: { bandPriors: { red: '0.7' } } }),
    () => forecast(book, { probability: { platt: {} } }),
    () => forecast(book, { probability: { calibrated: { intercept: 0, slope: -0.1 } } }),
    () => forecast(book, { probability: rc, commitFrom: '0.9' }),
    () => forecast(book, { draws: '100' }),
    () => reconcile(f, book),
    () => reconcile(book, f, { matchDays: '60' }),
    () => reconcile(book, f, { atRiskBands: 'red' }),
    () => reconcile(book, f, { tolerence: 0.02 }),
  ];
  for (const fn of invalid) throwsCode(fn, 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(forecastAsync('data/sample-book'), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(forecastAsync(book, { probability: 5 }), 'CSOPS_INVALID_ARGUMENT');
  // A circular option is an error naming the limit, not a stack overflow.
  const circular = {};
  circular.supplied = circular;
  assert.throws(() => forecast(book, { probability: circular }), (e) => e.code === 'CSOPS_INVALID_ARGUMENT' && /nested more than 64 deep/.test(e.message));
  await rejectsCode(book.healthAsOfAsync(null), 'CSOPS_INVALID_ARGUMENT');
  // A book of three currencies without an FX table cannot add its ARR up.
  const mixed = loadBookCsv(CSV);
  throwsCode(() => mixed.trailingTwelveMonths('2024-12-31'), 'CSOPS_MONEY');
  throwsCode(() => mixed.arrBridge('2024-01-31', '2024-12-31'), 'CSOPS_MONEY');
  throwsCode(() => forecast(mixed, { asOf: '2024-03-31' }), 'CSOPS_MONEY');
  // A book without dated records has no default day.
  const undated = loadBookCsv({ accounts: 'id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\n' });
  assert.equal(undated.latestDate(), null);
  throwsCode(() => undated.trailingTwelveMonths(), 'CSOPS_CONFIG');
  throwsCode(() => undated.healthAsOf(card), 'CSOPS_CONFIG');
  throwsCode(() => forecast(undated), 'CSOPS_CONFIG');
});

test('an account called __proto__ is a plain key of the health map', () => {
  const b = loadBookCsv({
    accounts:
      'id,name,currency,arr,start_date,renewal_date\n__proto__,Proto,USD,100,2024-01-01,2024-11-15\nA2,Beta,USD,50,2024-01-01,2024-12-01\n',
    arr_snapshots: 'account_id,date,currency,arr\n__proto__,2024-09-30,USD,100\nA2,2024-09-30,USD,50\n',
  });
  const h = b.healthAsOf(card, '2024-09-30');
  assert.deepEqual(Object.keys(h).sort(), ['A2', '__proto__']);
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.ok(Object.hasOwn(h, '__proto__'));
  const fc = forecast(b, { health: h, asOf: '2024-09-30', probability: { supplied: JSON.parse('{"__proto__": 0.5}'), fallback: 1 } });
  assert.deepEqual(fc.lines.map((l) => [l.accountId, l.pRenew]), [['__proto__', 0.5], ['A2', 1]]);
  assert.deepEqual(reconcile(b, fc).issues.map((i) => [i.kind, i.accountId]), [
    ['missing_opportunity', 'A2'],
    ['missing_opportunity', '__proto__'],
  ]);
  // A window without renewals: no lines, no distribution, nothing to reconcile.
  const none = forecast(b, { asOf: '2024-09-30', start: '2025-01-01', end: '2025-01-31' });
  assert.deepEqual([none.lines.length, none.distribution, units(none.arr)], [0, null, 0n]);
  const r = reconcile(b, none);
  assert.deepEqual([r.gap, r.passes, r.issues, units(r.crmArr)], [null, false, [], 0n]);
});
