// Back-testing from Node: totals that add up (bands to renewals, quarters to the window,
// observations to the report), observations as columns, options that take effect, sync =
// async (and off the event loop), re-calibration on the sample book (weight moves from logins
// to breadth, held-out AUC improves), churn probabilities, and coded errors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { Backtest, Recalibration, Scorecard, backtest, backtestAsync, loadBook, loadBookCsv } from 'csops';
import { CSV } from './fixtures.mjs';
import { rejectsCode, throwsCode, workspaceDir } from './helpers.mjs';

const book = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
const card = Scorecard.defaultHeuristic();
const bt = backtest(book, card);
const report = bt.report;
const rc = bt.recalibrate();

/** An exact decimal amount as an integer of millionths (the sample book has at most 6 places). */
function micros(amount) {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(amount);
  assert.ok(m, `not a decimal amount with at most 6 places: ${amount}`);
  const v = BigInt(m[2]) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] ? -v : v;
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const sumMicros = (xs) => xs.reduce((a, b) => a + b, 0n);

test('the classes are exported, and results are instances of them', () => {
  assert.ok(bt instanceof Backtest);
  assert.ok(rc instanceof Recalibration);
  assert.ok(rc.scorecard instanceof Scorecard);
});

test('band renewals add up to each slice, and the quarters to the whole window', () => {
  for (const s of [report.overall, ...report.quarters]) {
    assert.equal(sum(s.bands.map((b) => b.renewals)), s.renewals, `${s.label}: band renewals`);
    assert.equal(sum(s.bands.map((b) => b.renewed)), s.renewals - s.churned, `${s.label}: renewed`);
    for (const b of s.bands) {
      assert.ok(b.renewed <= b.renewals);
      if (b.renewals > 0) {
        assert.ok(Math.abs(b.rate - b.renewed / b.renewals) < 1e-12);
        assert.ok(b.ci95.lo <= b.rate && b.rate <= b.ci95.hi);
      }
      assert.ok(micros(b.arrRenewed.amount) <= micros(b.arrUp.amount));
    }
  }
  assert.equal(report.quarters.length, 4);
  for (const key of ['renewals', 'churned', 'unscored']) {
    assert.equal(sum(report.quarters.map((q) => q[key])), report.overall[key], key);
  }
  // Per band, the quarters' renewals and ARR add up to the window's, to the cent.
  for (const band of report.overall.bands) {
    const rows = report.quarters.flatMap((q) => q.bands.filter((b) => b.band === band.band));
    assert.equal(sum(rows.map((b) => b.renewals)), band.renewals, band.band);
    assert.equal(sumMicros(rows.map((b) => micros(b.arrUp.amount))), micros(band.arrUp.amount), band.band);
    assert.equal(sumMicros(rows.map((b) => micros(b.arrRenewed.amount))), micros(band.arrRenewed.amount));
  }
  assert.deepEqual(report.measures, report.overall.measures);
});

test('the report is plain data: camelCase keys, dates, money, null for what is undefined', () => {
  assert.equal(report.scorecard, card.name);
  assert.equal(report.leadDays, 90);
  assert.equal(report.contractionIsChurn, false);
  assert.match(report.windowStart, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(report.windowEnd, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(report.probabilityInSample, true);
  assert.equal(report.probability.method, 'platt');
  const { overall } = report;
  assert.equal(overall.label, 'all');
  assert.deepEqual(Object.keys(overall.bands[0]), ['band', 'renewals', 'renewed', 'rate', 'ci95', 'arrUp', 'arrRenewed', 'arrRate']);
  assert.deepEqual(Object.keys(overall.auc), ['auc', 'seDelong', 'seHanleyMcneil', 'ci95', 'positives', 'negatives']);
  assert.deepEqual(Object.keys(overall.comparison), ['low', 'high', 'zTest', 'fisher', 'testUsed', 'separates', 'verdict']);
  assert.deepEqual(overall.bands[0].arrUp, { amount: '1457495.668600', currency: 'USD' });
  assert.equal(overall.calibration.length, 10);
  assert.equal(sum(overall.calibration.map((r) => r.n)), overall.renewals - overall.unscored);
  assert.deepEqual(overall.lift.map((l) => l.fraction), [0.1, 0.2]);
  const [logrank, df] = report.logrank;
  assert.equal(df, 2);
  assert.ok(logrank.pValue > 0 && logrank.pValue < 1);
  assert.deepEqual(report.survival.map((s) => s.band), ['red', 'yellow', 'green']);
  for (const s of report.survival) {
    assert.equal(s.curve[0].time, 0);
    assert.ok(s.curve.every((p, i) => i === 0 || p.survival <= s.curve[i - 1].survival));
  }
  // A JSON round trip loses nothing: no NaN, no undefined, no class instances.
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  // A fresh object on every access.
  assert.notEqual(bt.report, report);
  assert.deepEqual(bt.report, report);
});

test('render() is the core report as text', () => {
  const text = bt.render();
  assert.match(text, /^Back-test of `default heuristic/);
  assert.match(text, /205 renewals, 36 churned/);
  assert.match(text, /ROC AUC 0\.644/);
  assert.ok(text.includes(report.overall.comparison.verdict));
});

test('observations are columns that agree with the report', () => {
  const o = bt.observations;
  const n = report.overall.renewals;
  for (const [key, column] of Object.entries(o)) {
    if (key !== 'measures') assert.equal(column.length, n, key);
  }
  assert.ok(o.score instanceof Float64Array);
  assert.deepEqual(Object.keys(o.measures), card.measureNames());
  for (const column of Object.values(o.measures)) {
    assert.ok(column instanceof Float64Array);
    assert.equal(column.length, n);
    assert.ok(column.every((x) => Number.isNaN(x) || (x >= 0 && x <= 100)));
  }
  const day = 86_400_000;
  for (let i = 0; i < n; i++) {
    assert.equal(Number.isNaN(o.score[i]), o.band[i] === null, `row ${i}: score and band`);
    assert.equal(Date.parse(o.renewalDate[i]) - Date.parse(o.scoredOn[i]), 90 * day, `row ${i}: lead`);
    const [y, m] = o.renewalDate[i].split('-').map(Number);
    assert.equal(o.quarter[i], `${y}-Q${Math.floor((m - 1) / 3) + 1}`);
    assert.equal(o.churned[i], o.outcome[i] === 'churned');
    assert.ok(o.renewalDate[i] >= report.windowStart && o.renewalDate[i] <= report.windowEnd);
    if (i > 0) assert.ok(o.renewalDate[i - 1] <= o.renewalDate[i], 'renewal order');
  }
  assert.ok(o.outcome.every((x) => ['renewed', 'churned', 'contracted', 'expanded'].includes(x)));
  assert.ok(o.currency.every((c) => c === 'USD'));
  assert.equal(o.churned.filter(Boolean).length, report.overall.churned);
  // The report's bands, recounted from the observations.
  for (const b of report.overall.bands) {
    const rows = [...o.band.keys()].filter((i) => (o.band[i] ?? 'unscored') === b.band);
    assert.equal(rows.length, b.renewals, b.band);
    assert.equal(rows.filter((i) => !o.churned[i]).length, b.renewed, b.band);
    assert.equal(sumMicros(rows.map((i) => micros(o.arrBefore[i]))), micros(b.arrUp.amount), b.band);
  }
});

test('options take effect: lead, quarters, end (string or Date), contraction, lift fractions, features', () => {
  const short = backtest(book, card, {
    leadDays: 60,
    quarters: 2,
    end: '2026-09-30',
    contractionIsChurn: true,
    liftFractions: [0.05, 0.5, 1],
  });
  const r = short.report;
  assert.equal(r.leadDays, 60);
  assert.equal(r.contractionIsChurn, true);
  assert.deepEqual([r.windowStart, r.windowEnd], ['2026-04-01', '2026-09-30']);
  assert.deepEqual(r.quarters.map((q) => q.label), ['2026-Q2', '2026-Q3']);
  assert.deepEqual(r.overall.lift.map((l) => l.fraction), [0.05, 0.5, 1]);
  assert.equal(r.overall.lift[2].capture, 1);
  const o = short.observations;
  assert.ok(o.churned.every((c, i) => c === (o.outcome[i] === 'churned' || o.outcome[i] === 'contracted')));
  // A Date is its UTC day; null and undefined options are the defaults.
  const byDate = backtest(book, card, { leadDays: 60, quarters: 2, end: new Date(Date.UTC(2026, 8, 30, 23)), contractionIsChurn: true, liftFractions: [0.05, 0.5, 1] });
  assert.deepEqual(byDate.report, r);
  assert.deepEqual(backtest(book, card, { leadDays: null, quarters: undefined, end: null }).report, report);
  assert.deepEqual(backtest(book, card, null).report, report);
  // Feature definitions reach the scoring (a shorter usage window changes the usage measures).
  const features = backtest(book, card, { features: { usage_window_days: 7 } });
  assert.notDeepEqual(features.observations.measures.logins, bt.observations.measures.logins);
  assert.deepEqual(backtest(book, card, { features: 'usage_window_days = 7\n' }).report, features.report);
});

test('backtestAsync and recalibrateAsync give exactly the sync results', async () => {
  const abt = await backtestAsync(book, card);
  assert.ok(abt instanceof Backtest);
  assert.deepEqual(abt.report, report);
  assert.deepEqual(abt.observations, bt.observations);
  assert.equal(abt.render(), bt.render());
  const arc = await bt.recalibrateAsync();
  assert.ok(arc instanceof Recalibration);
  assert.deepEqual(arc.report, rc.report);
  assert.equal(arc.render(), rc.render());
  const opts = { c: 0.5, holdoutQuarters: 2, probability: 'isotonic', redChurnTarget: 0.3, greenChurnTarget: 0.02 };
  assert.deepEqual((await abt.recalibrateAsync(opts)).report, bt.recalibrate(opts).report);
});

test('backtestAsync runs off the event loop', async () => {
  let immediates = 0;
  let running = true;
  const spin = () => {
    immediates++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  try {
    const abt = await backtestAsync(book, card, { quarters: 8 });
    assert.ok(abt.report.overall.renewals > 0);
  } finally {
    running = false;
  }
  assert.ok(immediates > 0, 'the event loop did not turn while the back-test ran');
});

test('re-calibration on the sample book moves weight from logins to breadth and improves held-out AUC', () => {
  const r = rc.report;
  const w = Object.fromEntries(r.weights.map((x) => [x.measure, x]));
  assert.deepEqual(Object.keys(w), card.measureNames());
  assert.ok(w.logins.shareAfter < w.logins.shareBefore / 10, `logins ${w.logins.shareBefore} -> ${w.logins.shareAfter}`);
  assert.ok(w.breadth.shareAfter > 4 * w.breadth.shareBefore, `breadth ${w.breadth.shareBefore} -> ${w.breadth.shareAfter}`);
  assert.ok(w.breadth.shareAfter === Math.max(...r.weights.map((x) => x.shareAfter)));
  assert.ok(Math.abs(sum(r.weights.map((x) => x.shareAfter)) - 1) < 1e-9);
  assert.ok(Math.abs(sum(r.weights.map((x) => x.shareBefore)) - 1) < 1e-9);
  assert.deepEqual(r.dropped, ['champion', 'business_review']);
  for (const m of r.dropped) assert.equal(w[m].shareAfter, 0);
  // The figures `cargo run --release --example cs_week` prints (section 5).
  assert.deepEqual(r.train.quarters, ['2025-Q4', '2026-Q1', '2026-Q2']);
  assert.deepEqual(r.test.quarters, ['2026-Q3']);
  assert.deepEqual([r.train.renewals, r.train.churned, r.test.renewals, r.test.churned], [162, 30, 43, 6]);
  assert.equal(r.before.auc.auc.toFixed(3), '0.523');
  assert.equal(r.after.auc.auc.toFixed(3), '0.770');
  assert.equal(r.before.brier.toFixed(4), '0.1353');
  assert.equal(r.after.brier.toFixed(4), '0.1205');
  assert.ok(r.after.auc.auc > r.before.auc.auc);
  assert.ok(r.after.brier < r.before.brier);
  assert.equal(r.c, 1);
  assert.equal(r.fit.coef.length, card.measureNames().length - r.dropped.length);
  assert.deepEqual(r.bands.map((b) => b.method), ['current', 'target churn rates', 'youden']);
  for (const choice of r.bands) {
    assert.equal(sum(choice.outcomes.map((o) => o.trainRenewals)), r.train.renewals, choice.method);
    assert.equal(sum(choice.outcomes.map((o) => o.testRenewals)), r.test.renewals, choice.method);
    assert.deepEqual(choice.outcomes.map((o) => o.band), choice.bands.map((b) => b.name));
  }
  assert.match(rc.render(), /^Re-calibration: trained on 2025-Q4, 2026-Q1, 2026-Q2/);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('the re-weighted scorecard is an ordinary Scorecard, and back-tests better on the held-out quarter', () => {
  const tuned = rc.scorecard;
  assert.equal(tuned.name, `${card.name} (recalibrated)`);
  assert.deepEqual(tuned.toJson(), rc.report.scorecard);
  assert.deepEqual(Scorecard.fromJson(tuned.toJson()).toJson(), tuned.toJson());
  assert.deepEqual(Scorecard.fromToml(tuned.toToml()).toJson(), tuned.toJson());
  assert.ok(!tuned.measureNames().includes('champion'));
  // The held-out quarter alone, with the mapping fitted on the training quarters: out of
  // sample, and the report says so.
  const held = backtest(book, tuned, { quarters: 1, probability: rc.report.probability });
  assert.equal(held.report.probabilityInSample, false);
  assert.deepEqual(held.report.probability, rc.report.probability);
  assert.equal(held.report.overall.renewals, rc.report.test.renewals);
  assert.ok(Math.abs(held.report.overall.auc.auc - rc.report.after.auc.auc) < 1e-12);
  assert.ok(Math.abs(held.report.overall.brier - rc.report.after.brier) < 1e-12);
});

test('churnProbability maps scores through the fitted mapping; NaN and null stay NaN', () => {
  const p = rc.report.probability;
  assert.equal(p.method, 'platt');
  const platt = (s) => 1 / (1 + Math.exp(-(p.intercept + p.slope * s)));
  const one = rc.churnProbability(50);
  assert.ok(one instanceof Float64Array);
  assert.equal(one.length, 1);
  assert.ok(Math.abs(one[0] - platt(50)) < 1e-12);
  const many = rc.churnProbability([0, 25, null, 50, NaN, 100]);
  assert.equal(many.length, 6);
  assert.ok(Number.isNaN(many[2]) && Number.isNaN(many[4]));
  [0, 25, 50, 100].forEach((s, i) => assert.ok(Math.abs(many[[0, 1, 3, 5][i]] - platt(s)) < 1e-12));
  assert.ok(many[0] > many[1] && many[1] > many[3] && many[3] > many[5], 'higher scores churn less');
  assert.deepEqual(rc.churnProbability(Float64Array.of(0, 25, NaN, 50, NaN, 100)), many);
  assert.deepEqual(rc.churnProbability([]), new Float64Array(0));
  // Isotonic: a non-increasing step function within 0–1.
  const iso = bt.recalibrate({ probability: 'isotonic' });
  const ip = iso.report.probability;
  assert.equal(ip.method, 'isotonic');
  assert.equal(ip.x.length, ip.y.length);
  const grid = Float64Array.from({ length: 101 }, (_, i) => i);
  const q = iso.churnProbability(grid);
  assert.ok(q.every((x, i) => x >= 0 && x <= 1 && (i === 0 || x <= q[i - 1])));
  // An isotonic map is a valid `probability` option too.
  const held = backtest(book, iso.scorecard, { quarters: 1, probability: ip });
  assert.deepEqual(held.report.probability, ip);
});

test('bad option values are CSOPS_CONFIG errors with the core message', async () => {
  let e = throwsCode(() => backtest(book, card, { quarters: 0 }), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, ['a back-test covers 1 to 400 quarters, not 0']);
  e = throwsCode(() => backtest(book, card, { liftFractions: [0.1, 1.5] }), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, ['lift fraction 1.5 is not in (0, 1]']);
  throwsCode(() => backtest(book, card, { liftFractions: [0] }), 'CSOPS_CONFIG');
  throwsCode(() => backtest(book, card, { quarters: -1 }), 'CSOPS_CONFIG');
  throwsCode(() => backtest(book, card, { leadDays: 1e12 }), 'CSOPS_CONFIG');
  throwsCode(() => backtest(book, card, { features: { usage_window_days: 0, bogus: 1 } }), 'CSOPS_CONFIG');
  e = throwsCode(() => backtest(loadBookCsv(CSV), card), 'CSOPS_CONFIG');
  assert.match(e.message, /no renewal outcomes/);
  e = throwsCode(() => bt.recalibrate({ holdoutQuarters: 4 }), 'CSOPS_CONFIG');
  assert.match(e.message, /a time split needs more quarters than the 4 held out; the observations span 4/);
  throwsCode(() => bt.recalibrate({ holdoutQuarters: 0 }), 'CSOPS_CONFIG');
  e = throwsCode(() => bt.recalibrate({ probability: 'sigmoid' }), 'CSOPS_CONFIG');
  assert.match(e.message, /unknown variant `sigmoid`, expected `platt` or `isotonic`/);
  e = throwsCode(() => bt.recalibrate({ c: 0 }), 'CSOPS_CONFIG');
  assert.match(e.message, /C must be positive/);
  // Probability maps the core could not use.
  throwsCode(() => backtest(book, card, { probability: { method: 'sigmoid' } }), 'CSOPS_CONFIG');
  throwsCode(() => backtest(book, card, { probability: { method: 'isotonic', x: [], y: [] } }), 'CSOPS_CONFIG');
  throwsCode(() => backtest(book, card, { probability: { method: 'isotonic', x: [1, 2], y: [0.5] } }), 'CSOPS_CONFIG');
  throwsCode(() => backtest(book, card, { probability: { method: 'isotonic', x: [2, 1], y: [0.5, 0.4] } }), 'CSOPS_CONFIG');
  // A fraction where a count belongs, and NaN (which no option takes), are wrong shapes.
  for (const f of [
    () => backtest(book, card, { leadDays: 1.5 }),
    () => backtest(book, card, { liftFractions: [NaN] }),
    () => bt.recalibrate({ c: NaN }),
    () => backtest(book, card, { probability: { method: 'platt', intercept: NaN, slope: 1 } }),
  ]) {
    throwsCode(f, 'CSOPS_INVALID_ARGUMENT');
  }
  // The async forms reject with the same codes.
  await rejectsCode(backtestAsync(book, card, { quarters: 0 }), 'CSOPS_CONFIG');
  await rejectsCode(bt.recalibrateAsync({ holdoutQuarters: 4 }), 'CSOPS_CONFIG');
  await rejectsCode(bt.recalibrateAsync({ probability: 'sigmoid' }), 'CSOPS_CONFIG');
});

test('arguments of the wrong type are CSOPS_INVALID_ARGUMENT errors', async () => {
  const bad = [
    () => backtest({}, card),
    () => backtest('data/sample-book', card),
    () => backtest(book, card.toJson()),
    () => backtest(book, null),
    () => backtest(card, book),
    () => backtest(book, card, 'quarters=4'),
    () => backtest(book, card, [4]),
    () => backtest(book, card, { quarters: '4' }),
    () => backtest(book, card, { end: 20260930 }),
    () => backtest(book, card, { end: new Date(NaN) }),
    () => backtest(book, card, { contractionIsChurn: 'yes' }),
    () => backtest(book, card, { liftFractions: 0.1 }),
    () => backtest(book, card, { liftFractions: ['0.1'] }),
    () => backtest(book, card, { features: 7 }),
    () => backtest(book, card, { probability: 'platt' }),
    () => backtest(book, card, { probability: { method: 'platt', intercept: 0 } }),
    () => backtest(book, card, { probability: { method: 'platt', intercept: 0, slope: 1, x: [] } }),
    () => backtest(book, card, { probability: { method: 1 } }),
    () => backtest(book, card, { leadTime: 90 }),
    () => bt.recalibrate({ c: '1' }),
    () => bt.recalibrate({ probability: 1 }),
    () => bt.recalibrate({ holdoutQuarters: true }),
    () => bt.recalibrate('platt'),
    () => rc.churnProbability('50'),
    () => rc.churnProbability(['50']),
    () => rc.churnProbability({ 0: 50 }),
    () => rc.churnProbability(Int32Array.of(50)),
    () => rc.churnProbability(),
  ];
  for (const f of bad) throwsCode(f, 'CSOPS_INVALID_ARGUMENT');
  // The core reads options in either casing (the same key, as Python and the vectors spell it).
  assert.equal(bt.recalibrate({ holdout_quarters: 1 }).render(), bt.recalibrate({ holdoutQuarters: 1 }).render());
  const e = throwsCode(() => backtest(book, card, { leadTime: 90 }), 'CSOPS_INVALID_ARGUMENT');
  // The core names the field as it spells it (snake_case), whichever casing was written.
  assert.match(e.message, /unknown field `lead_time`/);
  // Text that is not a day is a value the core refuses, as in Python.
  throwsCode(() => backtest(book, card, { end: 'tomorrow' }), 'CSOPS_CONFIG');
  await rejectsCode(backtestAsync({}, card), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(backtestAsync(book, card, { quarters: '4' }), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(bt.recalibrateAsync({ c: '1' }), 'CSOPS_INVALID_ARGUMENT');
});

test('the classes cannot be made from JavaScript: a coded error naming the way', () => {
  for (const [make, way] of [[() => new Backtest(), /backtest/], [() => new Recalibration(), /recalibrate/]]) {
    assert.throws(make, (e) => e instanceof Error && e.code === 'CSOPS_INVALID_ARGUMENT' && /no public constructor/.test(e.message) && way.test(e.message));
  }
});

test('an absurd number of quarters never crashes the process', () => {
  // Whatever the core says, the process survives (a panic would become CSOPS_INTERNAL).
  for (const quarters of [1e9, 4294967295]) {
    let error;
    try {
      backtest(book, card, { quarters });
    } catch (e) {
      error = e;
    }
    if (error !== undefined) {
      assert.ok(error instanceof Error);
      assert.match(error.code, /^CSOPS_/);
    }
  }
});

test('an absurd number of quarters is a CSOPS_CONFIG error', () => {
  throwsCode(() => backtest(book, card, { quarters: 1e9 }), 'CSOPS_CONFIG');
});
