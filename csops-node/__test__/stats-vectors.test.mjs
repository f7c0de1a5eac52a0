// The statistics against independent implementations, from Node: the values in
// tests/vectors/stats.json were computed by scikit-learn, statsmodels, scipy, lifelines and
// pandas (scripts/reference/stats_vectors.py). csops-core/tests/stats_vectors.rs and
// csops-py/tests/test_stats_vectors.py check the same values with the same tolerances (1e-9
// relative with a 1e-14 floor; logistic coefficients within 1e-6).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { stats } from 'csops';
import { throwsCode, workspaceDir } from './helpers.mjs';

const vectors = JSON.parse(readFileSync(join(workspaceDir, 'tests/vectors/stats.json'), 'utf8'));

const num = (v) => (typeof v === 'string' ? { inf: Infinity, '-inf': -Infinity, nan: NaN }[v] : v);
const nums = (v) => v.map(num);

function close(what, got, want, rel) {
  if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `${what}: ${got}, want NaN`);
  else if (!Number.isFinite(want)) assert.equal(got, want, what);
  else assert.ok(Math.abs(got - want) <= rel * Math.abs(want) + 1e-14, `${what}: ${got}, want ${want}`);
}

function cases(key) {
  const c = vectors[key];
  assert.ok(c && c.length > 0, `no \`${key}\` vectors`);
  return c;
}

test('wilson matches statsmodels', () => {
  for (const c of cases('wilson')) {
    const i = stats.wilson(c.k, c.n);
    close(`wilson ${c.k}/${c.n}`, i.lo, num(c.lo), 1e-9);
    close(`wilson ${c.k}/${c.n}`, i.hi, num(c.hi), 1e-9);
  }
  assert.equal(stats.wilson(0, 0), null);
  assert.deepEqual(stats.wilson(3, 10, 0), { lo: 0.3, hi: 0.3 });
  assert.equal(stats.Z95, 1.959963984540054);
});

test('two-proportion z matches statsmodels', () => {
  for (const c of cases('two_proportion_z')) {
    const t = stats.twoProportionZ(c.k1, c.n1, c.k2, c.n2);
    close('z', t.statistic, num(c.z), 1e-9);
    close('z', t.pValue, num(c.p), 1e-9);
  }
});

test('fisher matches scipy', () => {
  for (const c of cases('fisher')) {
    const t = stats.fisherExact(c.a, c.b, c.c, c.d);
    close(`fisher ${JSON.stringify(c)}`, t.statistic, num(c.odds_ratio), 1e-9);
    close(`fisher ${JSON.stringify(c)}`, t.pValue, num(c.p), 1e-9);
  }
});

test('normal and chi-squared tails match scipy', () => {
  for (const c of cases('normal_sf')) close('normal_sf', stats.normalSf(num(c.x)), num(c.sf), 1e-9);
  for (const c of cases('chi2_sf')) close('chi2_sf', stats.chi2Sf(num(c.x), num(c.df)), num(c.sf), 1e-9);
});

test('AUC, ROC and Youden match scikit-learn and DeLong', () => {
  cases('auc').forEach((c, i) => {
    const [s, y] = [nums(c.scores), c.labels];
    const a = stats.rocAuc(s, y);
    close(`auc case ${i}`, a.auc, num(c.auc), 1e-9);
    close(`auc case ${i}`, a.seDelong, num(c.delong_se), 1e-9);
    close(`auc case ${i}`, a.seHanleyMcneil, num(c.hanley_mcneil_se), 1e-9);
    const curve = stats.rocCurve(new Float64Array(s), y);
    const th = nums(c.roc.thresholds);
    assert.equal(curve.length, th.length, `auc case ${i}: ROC points`);
    curve.forEach((p, j) => {
      close(`auc case ${i}`, p.fpr, num(c.roc.fpr[j]), 1e-12);
      close(`auc case ${i}`, p.tpr, num(c.roc.tpr[j]), 1e-12);
      close(`auc case ${i}`, p.threshold, th[j], 0);
    });
    const [threshold] = stats.youden(s, y);
    close(`auc case ${i} youden`, threshold, num(c.youden_threshold), 0);
  });
});

test('brier matches scikit-learn', () => {
  for (const c of cases('brier')) close('brier', stats.brier(nums(c.p), c.y), num(c.brier), 1e-9);
});

test('L2 logistic matches scikit-learn', () => {
  cases('logistic_l2').forEach((c, i) => {
    const rows = c.X.map(nums);
    const columns = rows[0].map((_, j) => rows.map((r) => r[j]));
    const fit = stats.logistic(columns, c.y, num(c.C));
    assert.equal(fit.coef.length, c.coef.length);
    fit.coef.forEach((got, j) => assert.ok(Math.abs(got - num(c.coef[j])) <= 1e-6, `logistic case ${i}: coef ${got}`));
    assert.ok(Math.abs(fit.intercept - num(c.intercept)) <= 1e-6, `logistic case ${i}: intercept`);
  });
});

test('unpenalised logistic matches statsmodels Logit', () => {
  for (const c of cases('logistic_unpenalised_1d')) {
    const fit = stats.logistic([nums(c.x)], c.y);
    close('logit coef', fit.coef[0], num(c.coef), 1e-6);
    close('logit intercept', fit.intercept, num(c.intercept), 1e-6);
  }
});

test('isotonic matches scikit-learn', () => {
  for (const c of cases('isotonic')) {
    const fitted = stats.isotonic(nums(c.x), nums(c.y), c.increasing);
    assert.equal(fitted.length, c.fitted.length);
    fitted.forEach((got, i) => close(`isotonic row ${i}`, got, num(c.fitted[i]), 1e-9));
  }
});

test('Kaplan-Meier matches lifelines', () => {
  cases('kaplan_meier').forEach((c, i) => {
    const km = stats.kaplanMeier(nums(c.durations), c.events);
    const [t, s] = [nums(c.timeline), nums(c.survival)];
    assert.equal(km.length, t.length, `km case ${i}: timeline`);
    km.forEach((p, j) => {
      close(`km case ${i} t = ${t[j]}`, p.time, t[j], 0);
      close(`km case ${i} t = ${t[j]}`, p.survival, s[j], 1e-9);
      assert.equal(p.atRisk, c.at_risk[j]);
      assert.equal(p.observed, c.observed[j]);
    });
  });
});

test('log-rank matches lifelines', () => {
  cases('logrank').forEach((c, i) => {
    const [t, df] = stats.logrank(nums(c.durations), c.events, c.groups);
    close(`logrank case ${i}`, t.statistic, num(c.chi2), 1e-9);
    close(`logrank case ${i}`, t.pValue, num(c.p), 1e-9);
    assert.equal(df, c.df);
  });
});

test('deciles and lift match pandas', () => {
  cases('deciles').forEach((c, i) => {
    const table = stats.deciles(nums(c.risk), c.y);
    assert.equal(table.length, c.table.length, `deciles case ${i}`);
    table.forEach((row, j) => {
      const w = c.table[j];
      assert.equal(row.decile, w.decile);
      assert.equal(row.n, w.n);
      close(`deciles case ${i}`, row.meanRisk, num(w.mean_risk), 1e-9);
      close(`deciles case ${i}`, row.observed, num(w.observed), 1e-9);
    });
  });
  cases('lift').forEach((c, i) => {
    const l = stats.lift(nums(c.risk), c.y, num(c.fraction));
    assert.equal(l.k, c.k, `lift case ${i}: k`);
    assert.equal(l.captured, c.captured, `lift case ${i}: captured`);
    close(`lift case ${i}`, l.capture, num(c.capture), 1e-9);
    close(`lift case ${i}`, l.lift, num(c.lift), 1e-9);
  });
});

test('outcomes may be booleans, numbers or a Float64Array alike', () => {
  const c = cases('auc')[0];
  const want = stats.rocAuc(nums(c.scores), c.labels);
  assert.deepEqual(stats.rocAuc(new Float64Array(nums(c.scores)), c.labels.map((l) => l === 1)), want);
  assert.deepEqual(stats.rocAuc(nums(c.scores), new Float64Array(c.labels)), want);
});

test('bad input is a clear error', () => {
  // Tails that do not exist are NaN, never a crash of the process.
  assert.ok(Number.isNaN(stats.chi2Sf(3.84, 0)));
  assert.equal(stats.chi2Sf(Infinity, 1), 0);
  assert.match(throwsCode(() => stats.rocAuc([0.1, 0.2, 0.3], [1, 0.5, 0]), 'CSOPS_CONFIG').message, /positive\[1\] is 0\.5/);
  assert.match(throwsCode(() => stats.rocAuc([0.1, 0.2], [null, 1]), 'CSOPS_CONFIG').message, /positive\[0\] is NaN/);
  assert.match(throwsCode(() => stats.rocAuc([0.1, 0.2], [1, 1]), 'CSOPS_CONFIG').message, /needs positives and negatives/);
  assert.match(throwsCode(() => stats.brier(['high', 0.2], [1, 0]), 'CSOPS_INVALID_ARGUMENT').message, /probability\[0\]/);
  assert.match(throwsCode(() => stats.rocAuc('0.1,0.2', [1, 0]), 'CSOPS_INVALID_ARGUMENT').message, /`risk` must be/);
  assert.match(throwsCode(() => stats.wilson(1.5, 10), 'CSOPS_CONFIG').message, /whole number/);
  assert.match(throwsCode(() => stats.logrank([1, 2], [true, false], ['a', 'a']), 'CSOPS_CONFIG').message, /at least two groups/);
});
