"""Reference test vectors for the csops-core statistics module.

What it produces
----------------
A single JSON object on stdout, written to ``tests/vectors/stats.json``.
Every key except ``"generated_with"`` is an array of cases; each case carries its
inputs and the values an independent, widely used implementation computes for
them:

  wilson                  statsmodels proportion_confint(method="wilson", alpha=0.05)
  two_proportion_z        statsmodels proportions_ztest (pooled, two-sided)
  fisher                  scipy.stats.fisher_exact (two-sided)
  normal_sf, chi2_sf      scipy.stats.norm.sf, scipy.stats.chi2.sf
  auc                     sklearn roc_auc_score / roc_curve(drop_intermediate=False),
                          Youden threshold, DeLong SE (own O(n*m) implementation,
                          cross-checked against a vectorised midrank "fast DeLong"),
                          Hanley & McNeil 1982 SE
  brier                   sklearn brier_score_loss
  logistic_l2             sklearn LogisticRegression(solver="newton-cholesky"),
                          cross-checked against solver="lbfgs" and a gradient check
  logistic_unpenalised_1d statsmodels Logit (Platt scaling of a 0-100 score)
  isotonic                sklearn IsotonicRegression.fit_transform
  kaplan_meier            lifelines KaplanMeierFitter (survival_function_, event_table)
  logrank                 lifelines multivariate_logrank_test
  deciles                 stable ascending sort + numpy.array_split + pandas groupby
  lift                    stable descending sort, top ceil(fraction*n)

Non-finite floats are encoded as the strings "inf", "-inf" and "nan" (JSON has no
literal for them); every other float is written with Python's shortest
round-trip repr, i.e. full double precision.

Regenerate (from the repository root)
-------------------------------------
    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install numpy scipy scikit-learn statsmodels lifelines pandas
    /tmp/refvenv/bin/python scripts/reference/stats_vectors.py > tests/vectors/stats.json

The output is deterministic for a fixed set of library versions: all random
inputs come from ``numpy.random.default_rng(20261123)`` drawn in a fixed order.

Library versions used for the committed vectors (also recorded in the JSON under
"generated_with"):
    python 3.11.7, numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1,
    statsmodels 0.15.0, lifelines 0.30.3, pandas 2.3.3
"""

import json
import math
import platform
import sys
import warnings
from fractions import Fraction

import lifelines
import numpy as np
import pandas as pd
import scipy
import scipy.stats
import sklearn
import statsmodels
import statsmodels.api as sm
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

SEED = 20261123
rng = np.random.default_rng(SEED)


# --------------------------------------------------------------------------
# encoding helpers
# --------------------------------------------------------------------------
def f(x):
    """A float for JSON: Python float, non-finite values as strings."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def fl(xs):
    return [f(x) for x in xs]


def il(xs):
    return [int(x) for x in xs]


# --------------------------------------------------------------------------
# wilson
# --------------------------------------------------------------------------
def gen_wilson():
    cases = []
    for k, n in [
        (0, 1), (1, 1), (0, 10), (10, 10), (3, 10), (5, 10), (1, 20), (0, 250),
        (37, 120), (250, 250), (4999, 10000), (123, 1000000), (999999, 1000000),
    ]:
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        cases.append({"k": k, "n": n, "lo": f(lo), "hi": f(hi)})
    return cases


# --------------------------------------------------------------------------
# two_proportion_z
# --------------------------------------------------------------------------
def gen_two_proportion_z():
    cases = []
    for k1, n1, k2, n2 in [
        (10, 100, 10, 100),      # equal rates -> z = 0, p = 1
        (30, 300, 20, 200),      # equal rates, unequal n
        (45, 100, 30, 100),
        (12, 80, 25, 90),
        (1, 50, 0, 40),
        (900, 1000, 100, 1000),  # huge difference, p << 1e-20
        (5120, 20000, 4890, 20000),
    ]:
        z, p = proportions_ztest([k1, k2], [n1, n2])
        cases.append({"k1": k1, "n1": n1, "k2": k2, "n2": n2, "z": f(z), "p": f(p)})
    assert any(c["p"] < 1e-20 for c in cases)
    return cases


# --------------------------------------------------------------------------
# fisher
# --------------------------------------------------------------------------
def gen_fisher():
    cases = []
    for a, b, c, d in [
        (3, 3, 3, 3),      # symmetric -> odds ratio 1, p 1
        (8, 2, 1, 5),
        (1, 9, 11, 3),
        (0, 5, 5, 5),      # zero cell -> odds ratio 0
        (5, 0, 5, 5),      # zero cell -> odds ratio inf
        (0, 0, 5, 5),      # empty row -> odds ratio nan, p 1
        (0, 5, 0, 5),      # empty column -> odds ratio nan, p 1
        (30, 70, 90, 10),
        (12, 5, 7, 20),
        (100, 120, 110, 95),
    ]:
        r = scipy.stats.fisher_exact([[a, b], [c, d]], alternative="two-sided")
        cases.append({"a": a, "b": b, "c": c, "d": d,
                      "odds_ratio": f(r.statistic), "p": f(r.pvalue)})
    return cases


# --------------------------------------------------------------------------
# normal_sf / chi2_sf
# --------------------------------------------------------------------------
def gen_normal_sf():
    xs = [-8.0, -3.0, -1.96, 0.0, 0.5, 1.959963984540054, 3.0, 6.0, 10.0, 37.0]
    return [{"x": f(x), "sf": f(scipy.stats.norm.sf(x))} for x in xs]


def gen_chi2_sf():
    cases = []
    for df in [1, 2, 3, 5]:
        for x in [0.01, 0.5, 1.0, 3.841458820694124, 5.991464547107979, 10.0, 25.0, 80.0]:
            cases.append({"x": f(x), "df": df, "sf": f(scipy.stats.chi2.sf(x, df))})
    return cases


# --------------------------------------------------------------------------
# auc
# --------------------------------------------------------------------------
def delong_var_naive(scores, labels):
    """DeLong et al. 1988, straight from the definition, O(m*n) psi evaluations."""
    pos = [s for s, l in zip(scores, labels) if l == 1]
    neg = [s for s, l in zip(scores, labels) if l == 0]
    m, n = len(pos), len(neg)

    def psi(x, y):
        return 1.0 if x > y else (0.5 if x == y else 0.0)

    v10 = [sum(psi(x, y) for y in neg) / n for x in pos]
    v01 = [sum(psi(x, y) for x in pos) / m for y in neg]
    auc = sum(v10) / m

    def svar(v):
        mu = sum(v) / len(v)
        return sum((t - mu) ** 2 for t in v) / (len(v) - 1)

    return auc, svar(v10) / m + svar(v01) / n


def midrank(x):
    """Midranks (1-based, ties get the average rank), vectorised."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    # start index of each run of equal values
    new_run = np.r_[True, xs[1:] != xs[:-1]]
    starts = np.flatnonzero(new_run)
    ends = np.r_[starts[1:], len(xs)]  # exclusive
    run_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1..ends
    run_id = np.cumsum(new_run) - 1
    out = np.empty(len(x))
    out[order] = run_rank[run_id]
    return out


def delong_var_fast(scores, labels):
    """Sun & Xu 2014 fast DeLong via midranks."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels)
    x = scores[labels == 1]
    y = scores[labels == 0]
    m, n = len(x), len(y)
    tx = midrank(x)
    ty = midrank(y)
    tz = midrank(np.r_[x, y])
    auc = tz[:m].sum() / (m * n) - (m + 1.0) / (2.0 * n)
    v10 = (tz[:m] - tx) / n
    v01 = 1.0 - (tz[m:] - ty) / m
    return auc, np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n


def hanley_mcneil_var(a, m, n):
    q1 = a / (2.0 - a)
    q2 = 2.0 * a * a / (1.0 + a)
    return (a * (1 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n)


def auc_case(scores, labels):
    scores = [float(s) for s in scores]
    labels = [int(l) for l in labels]
    m = sum(labels)
    n = len(labels) - m
    auc = roc_auc_score(labels, scores)
    a1, v1 = delong_var_naive(scores, labels)
    a2, v2 = delong_var_fast(scores, labels)
    assert abs(a1 - auc) < 1e-12 and abs(a2 - auc) < 1e-12, (a1, a2, auc)
    assert abs(v1 - v2) < 1e-12, (v1, v2)
    fpr, tpr, thr = roc_curve(labels, scores, drop_intermediate=False)
    j = int(np.argmax(tpr - fpr))
    return {
        "scores": fl(scores),
        "labels": labels,
        "auc": f(auc),
        "delong_se": f(math.sqrt(v1)),
        "hanley_mcneil_se": f(math.sqrt(hanley_mcneil_var(auc, m, n))),
        "roc": {"fpr": fl(fpr), "tpr": fl(tpr), "thresholds": fl(thr)},
        "youden_threshold": f(thr[j]),
    }


def gen_auc():
    cases = []
    # small hand case with ties (8 points), ties across and within classes
    cases.append(auc_case([0.9, 0.8, 0.8, 0.6, 0.6, 0.4, 0.3, 0.1],
                          [1, 1, 0, 1, 0, 0, 1, 0]))
    # ~500 points, integer scores 0-100 (many ties)
    n = 500
    y = rng.binomial(1, 0.3, n)
    s = np.clip(np.round(rng.normal(50 + 12 * y, 18)), 0, 100)
    cases.append(auc_case(s, y))
    # ~2000 continuous scores
    n = 2000
    y = rng.binomial(1, 0.2, n)
    s = rng.normal(0.0, 1.0, n) + 0.8 * y
    cases.append(auc_case(s, y))
    # perfectly separated
    cases.append(auc_case([0.1, 0.2, 0.25, 0.3, 0.7, 0.8, 0.85, 0.95],
                          [0, 0, 0, 0, 1, 1, 1, 1]))
    # AUC < 0.5 (score points the wrong way)
    n = 60
    y = rng.binomial(1, 0.4, n)
    s = np.round(rng.normal(60 - 15 * y, 15), 1)
    cases.append(auc_case(s, y))
    assert cases[-1]["auc"] < 0.5
    assert cases[3]["auc"] == 1.0
    return cases


# --------------------------------------------------------------------------
# brier
# --------------------------------------------------------------------------
def gen_brier():
    cases = []

    def add(p, y):
        p = [float(v) for v in p]
        y = [int(v) for v in y]
        cases.append({"p": fl(p), "y": y, "brier": f(brier_score_loss(y, p))})

    add([0.1, 0.9, 0.8, 0.3, 0.5], [0, 1, 1, 0, 1])
    add([0.0, 1.0, 0.0, 1.0], [0, 1, 0, 1])  # perfect
    add([1.0, 0.0], [0, 1])                  # worst
    p = rng.uniform(0, 1, 300)
    add(p, rng.binomial(1, p))
    return cases


# --------------------------------------------------------------------------
# logistic_l2
# --------------------------------------------------------------------------
def l2_objective_grad(X, y, C, w, b):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    r = p - y
    return np.r_[C * (X.T @ r) + w, C * r.sum()]


def logistic_l2_case(X, y, C):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any ConvergenceWarning is fatal
        nc = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12,
                                max_iter=1000).fit(X, y)
        lb = LogisticRegression(C=C, solver="lbfgs", tol=1e-12,
                                max_iter=100000).fit(X, y)
    w, b = nc.coef_[0], nc.intercept_[0]
    assert np.max(np.abs(w - lb.coef_[0])) < 1e-6, (w, lb.coef_[0])
    assert abs(b - lb.intercept_[0]) < 1e-6, (b, lb.intercept_[0])
    # independent check of the objective C*sum(logloss) + 0.5*|w|^2: gradient ~ 0
    g = l2_objective_grad(X, y, C, w, b)
    scale = 1.0 + C * len(y)
    assert np.max(np.abs(g)) / scale < 1e-8, g
    return {"X": [fl(row) for row in X], "y": il(y), "C": f(C),
            "coef": fl(w), "intercept": f(b)}


def gen_logistic_l2():
    cases = []
    # n=400, k=3, standard-normal features
    n, k = 400, 3
    X = rng.normal(0, 1, (n, k))
    beta = np.array([1.2, -0.7, 0.3])
    y = rng.binomial(1, 1 / (1 + np.exp(-(X @ beta - 0.5))))
    for C in [0.01, 1.0, 100.0]:
        cases.append(logistic_l2_case(X, y, C))
    # n=2000, k=6, integer features on 0-100 divided by 100
    n, k = 2000, 6
    X = rng.integers(0, 101, (n, k)) / 100.0
    beta = np.array([2.0, -1.5, 0.8, 0.0, -0.4, 1.0])
    y = rng.binomial(1, 1 / (1 + np.exp(-(X @ beta - 1.0))))
    for C in [0.01, 1.0, 100.0]:
        cases.append(logistic_l2_case(X, y, C))
    # nearly separable, C = 1
    n, k = 200, 2
    X = rng.normal(0, 1, (n, k))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    flip = rng.choice(n, 3, replace=False)
    y[flip] = 1 - y[flip]
    cases.append(logistic_l2_case(X, y, 1.0))
    return cases


# --------------------------------------------------------------------------
# logistic_unpenalised_1d (Platt scaling)
# --------------------------------------------------------------------------
def logit1d_case(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=int)
    res = sm.Logit(y, sm.add_constant(x)).fit(disp=0, tol=1e-12)
    assert res.mle_retvals["converged"]
    b, w = res.params
    # independent check: score equations of the unpenalised likelihood
    p = 1 / (1 + np.exp(-(b + w * x)))
    assert abs(np.sum(p - y)) < 1e-8 and abs(np.sum((p - y) * x)) < 1e-6
    return {"x": fl(x), "y": il(y), "coef": f(w), "intercept": f(b)}


def gen_logistic_unpenalised_1d():
    cases = []
    # integer health scores 0-100, churn more likely at low scores
    n = 500
    x = rng.integers(0, 101, n).astype(float)
    y = rng.binomial(1, 1 / (1 + np.exp(-(2.0 - 0.06 * x))))
    cases.append(logit1d_case(x, y))
    # continuous scores on 0-100, churn more likely at high risk scores
    n = 300
    x = np.round(rng.uniform(0, 100, n), 3)
    y = rng.binomial(1, 1 / (1 + np.exp(-(-3.0 + 0.05 * x))))
    cases.append(logit1d_case(x, y))
    # small hand case
    cases.append(logit1d_case([5, 10, 20, 30, 40, 50, 60, 70, 80, 95],
                              [1, 1, 0, 1, 1, 0, 0, 1, 0, 0]))
    return cases


# --------------------------------------------------------------------------
# isotonic
# --------------------------------------------------------------------------
def isotonic_case(x, y, increasing):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    fitted = IsotonicRegression(increasing=increasing).fit_transform(x, y)
    return {"x": fl(x), "y": fl(y), "increasing": bool(increasing), "fitted": fl(fitted)}


def gen_isotonic():
    cases = []
    # small hand case with ties in x, unsorted input
    cases.append(isotonic_case([3, 1, 2, 2, 4, 5, 5, 6],
                               [1, 0, 1, 0, 0, 1, 1, 0], True))
    # binary outcomes, integer x 0-100 (ties), increasing
    n = 300
    x = rng.integers(0, 101, n).astype(float)
    y = rng.binomial(1, 0.1 + 0.6 * x / 100).astype(float)
    cases.append(isotonic_case(x, y, True))
    # float y, continuous x, increasing
    n = 150
    x = np.round(rng.uniform(0, 10, n), 2)
    y = np.sqrt(x) + rng.normal(0, 0.5, n)
    cases.append(isotonic_case(x, y, True))
    # decreasing: churn vs health score (0-100 integers, ties)
    n = 300
    x = rng.integers(0, 101, n).astype(float)
    y = rng.binomial(1, 0.7 - 0.6 * x / 100).astype(float)
    cases.append(isotonic_case(x, y, False))
    return cases


# --------------------------------------------------------------------------
# kaplan_meier
# --------------------------------------------------------------------------
def km_own(durations, events, timeline):
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    s, out, ar, ob = 1.0, [], [], []
    for t in timeline:
        at_risk = int(np.sum(d >= t))
        obs = int(np.sum((d == t) & (e == 1)))
        if at_risk > 0:
            s *= 1.0 - obs / at_risk
        out.append(s)
        ar.append(at_risk)
        ob.append(obs)
    return np.array(out), ar, ob


def km_case(durations, events):
    durations = [float(t) for t in durations]
    events = [int(v) for v in events]
    kmf = KaplanMeierFitter().fit(durations, events)
    sf = kmf.survival_function_
    timeline = sf.index.values.astype(float)
    survival = sf.iloc[:, 0].values.astype(float)
    et = kmf.event_table.reindex(sf.index)
    assert not et.isna().any().any(), "event_table lacks a timeline row"
    at_risk = et["at_risk"].astype(int).tolist()
    observed = et["observed"].astype(int).tolist()
    s2, ar2, ob2 = km_own(durations, events, timeline)
    assert np.allclose(s2, survival, rtol=0, atol=1e-12)
    # the time-0 row lifelines prepends (when no duration is 0) has at_risk = n
    assert ar2 == at_risk and ob2 == observed, (ar2, at_risk, ob2, observed)
    return {"durations": fl(durations), "events": events, "timeline": fl(timeline),
            "survival": fl(survival), "at_risk": at_risk, "observed": observed}


def gen_kaplan_meier():
    cases = []
    # hand case: event and censoring tied at t=3 and t=7, last observation censored
    cases.append(km_case([1, 3, 3, 3, 5, 7, 7, 8, 10, 12],
                         [1, 1, 0, 1, 0, 1, 0, 1, 1, 0]))
    # hand case with durations at time 0 (an event and a censoring at 0)
    cases.append(km_case([0, 0, 2, 2, 4, 6, 6, 9],
                         [1, 0, 1, 1, 0, 1, 1, 1]))
    # all events, last one an event -> survival reaches 0
    cases.append(km_case([2, 4, 4, 6, 9], [1, 1, 1, 1, 1]))
    # random: integer months 1-36 with heavy ties, ~40% censored
    n = 400
    t = np.ceil(rng.exponential(18, n))
    c = rng.integers(6, 37, n).astype(float)
    d = np.minimum(t, c)
    e = (t <= c).astype(int)
    cases.append(km_case(d, e))
    return cases


# --------------------------------------------------------------------------
# logrank
# --------------------------------------------------------------------------
def logrank_own(durations, groups, events):
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    g = np.asarray(groups)
    labels = sorted(set(groups))
    k = len(labels)
    O = np.zeros(k)
    E = np.zeros(k)
    V = np.zeros((k, k))
    for t in np.unique(d[e == 1]):
        risk = d >= t
        n_t = risk.sum()
        died = (d == t) & (e == 1)
        o_t = died.sum()
        nj = np.array([(risk & (g == lab)).sum() for lab in labels], dtype=float)
        oj = np.array([(died & (g == lab)).sum() for lab in labels], dtype=float)
        O += oj
        E += o_t * nj / n_t
        if n_t > 1:
            f_ = o_t * (n_t - o_t) / (n_t - 1) / n_t
            V += f_ * (np.diag(nj) - np.outer(nj, nj) / n_t)
    diff = (O - E)[:-1]
    chi2 = float(diff @ np.linalg.solve(V[:-1, :-1], diff))
    return chi2, k - 1


def logrank_case(durations, events, groups):
    durations = [float(t) for t in durations]
    events = [int(v) for v in events]
    groups = [str(v) for v in groups]
    r = multivariate_logrank_test(durations, groups, events)
    chi2, df = logrank_own(durations, groups, events)
    assert int(r.degrees_of_freedom) == df
    assert abs(chi2 - r.test_statistic) < 1e-9 * max(1.0, chi2), (chi2, r.test_statistic)
    return {"durations": fl(durations), "events": events, "groups": groups,
            "chi2": f(r.test_statistic), "df": int(r.degrees_of_freedom), "p": f(r.p_value)}


def surv_sample(hazard_scale, n):
    t = np.ceil(rng.exponential(hazard_scale, n))
    c = rng.integers(6, 37, n).astype(float)
    return np.minimum(t, c), (t <= c).astype(int)


def gen_logrank():
    cases = []
    # 2 groups, different hazards
    d1, e1 = surv_sample(12, 120)
    d2, e2 = surv_sample(24, 150)
    cases.append(logrank_case(np.r_[d1, d2], np.r_[e1, e2],
                              ["a"] * 120 + ["b"] * 150))
    # 3 groups red / yellow / green with decreasing hazard, interleaved order
    parts = [("red", 8, 90), ("yellow", 16, 110), ("green", 30, 130)]
    d, e, g = [], [], []
    for name, scale, n in parts:
        dd, ee = surv_sample(scale, n)
        d += list(dd)
        e += list(ee)
        g += [name] * n
    perm = rng.permutation(len(d))
    cases.append(logrank_case(np.array(d)[perm], np.array(e)[perm],
                              np.array(g)[perm]))
    # 2 groups, no difference in hazard
    d1, e1 = surv_sample(18, 140)
    d2, e2 = surv_sample(18, 140)
    cases.append(logrank_case(np.r_[d1, d2], np.r_[e1, e2],
                              ["x"] * 140 + ["y"] * 140))
    return cases


# --------------------------------------------------------------------------
# deciles
# --------------------------------------------------------------------------
def deciles_case(risk, y):
    risk = np.asarray(risk, dtype=float)
    y = np.asarray(y, dtype=int)
    order = np.argsort(risk, kind="stable")
    decile = np.empty(len(risk), dtype=int)
    for i, idx in enumerate(np.array_split(order, 10)):
        decile[idx] = i + 1
    df = pd.DataFrame({"risk": risk, "y": y, "decile": decile})
    agg = df.groupby("decile").agg(n=("y", "size"), mean_risk=("risk", "mean"),
                                   observed=("y", "mean"))
    table = [{"decile": int(dec), "n": int(row.n), "mean_risk": f(row.mean_risk),
              "observed": f(row.observed)} for dec, row in agg.iterrows()]
    assert [t["decile"] for t in table] == list(range(1, 11))
    return {"risk": fl(risk), "y": il(y), "table": table}


def gen_deciles():
    cases = []
    # n = 1000 continuous
    n = 1000
    r = rng.uniform(0, 1, n)
    cases.append(deciles_case(r, rng.binomial(1, r * 0.5)))
    # n = 997 (not divisible by 10), integer risk 0-100 with many ties
    n = 997
    r = rng.integers(0, 101, n).astype(float)
    cases.append(deciles_case(r, rng.binomial(1, r / 150)))
    # n = 25 hand-ish case: sizes 3,3,3,3,3,2,2,2,2,2 and ties across boundaries
    r = [0.5, 0.1, 0.1, 0.3, 0.3, 0.3, 0.9, 0.2, 0.7, 0.7, 0.7, 0.4, 0.6,
         0.6, 0.8, 0.05, 0.05, 0.5, 0.5, 0.95, 0.3, 0.2, 0.85, 0.4, 0.1]
    y = [0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0]
    cases.append(deciles_case(r, y))
    return cases


# --------------------------------------------------------------------------
# lift
# --------------------------------------------------------------------------
def lift_case(risk, y, fraction):
    risk = np.asarray(risk, dtype=float)
    y = np.asarray(y, dtype=int)
    n = len(risk)
    k = math.ceil(fraction * n)
    # k must not depend on whether fraction*n is computed exactly or in binary
    # floating point (e.g. 0.1*30 = 3.0000000000000004 would give 4, not 3)
    exact = Fraction(repr(fraction)) * n
    assert k == math.ceil(exact), (fraction, n)
    order = np.argsort(-risk, kind="stable")
    top = order[:k]
    captured = int(y[top].sum())
    total = int(y.sum())
    capture = captured / total
    lift = (captured / k) / (total / n)
    return {"risk": fl(risk), "y": il(y), "fraction": f(fraction), "k": int(k),
            "captured": captured, "capture": f(capture), "lift": f(lift)}


def gen_lift():
    cases = []
    n = 1000
    r = rng.uniform(0, 1, n)
    y = rng.binomial(1, r * 0.4)
    for fr in [0.1, 0.2]:
        cases.append(lift_case(r, y, fr))
    # n = 997, integer risk with ties at the cutoff (stable order decides)
    n = 997
    r = rng.integers(0, 101, n).astype(float)
    y = rng.binomial(1, r / 150)
    for fr in [0.1, 0.2]:
        cases.append(lift_case(r, y, fr))
    # small hand case, n = 12 -> k = 2 (0.1) and 3 (0.2); ties at the top
    r = [0.9, 0.5, 0.9, 0.2, 0.9, 0.1, 0.7, 0.3, 0.9, 0.4, 0.6, 0.8]
    y = [0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0]
    for fr in [0.1, 0.2]:
        cases.append(lift_case(r, y, fr))
    return cases


# --------------------------------------------------------------------------
def main():
    out = {
        "generated_with": {
            "script": "scripts/reference/stats_vectors.py",
            "seed": SEED,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "statsmodels": statsmodels.__version__,
            "lifelines": lifelines.__version__,
            "pandas": pd.__version__,
        },
        "wilson": gen_wilson(),
        "two_proportion_z": gen_two_proportion_z(),
        "fisher": gen_fisher(),
        "normal_sf": gen_normal_sf(),
        "chi2_sf": gen_chi2_sf(),
        "auc": gen_auc(),
        "brier": gen_brier(),
        "logistic_l2": gen_logistic_l2(),
        "logistic_unpenalised_1d": gen_logistic_unpenalised_1d(),
        "isotonic": gen_isotonic(),
        "kaplan_meier": gen_kaplan_meier(),
        "logrank": gen_logrank(),
        "deciles": gen_deciles(),
        "lift": gen_lift(),
    }
    # one case per line: readable diffs, compact file; allow_nan=False guarantees
    # no bare NaN/Infinity tokens slipped through (they must be strings)
    dump = lambda v: json.dumps(v, allow_nan=False, separators=(",", ":"))
    lines = ["{"]
    items = list(out.items())
    for i, (key, val) in enumerate(items):
        tail = "," if i + 1 < len(items) else ""
        if key == "generated_with":
            lines.append(f"{json.dumps(key)}: {json.dumps(val, allow_nan=False)}{tail}")
            continue
        lines.append(f"{json.dumps(key)}: [")
        lines.append(",\n".join(dump(c) for c in val))
        lines.append(f"]{tail}")
    lines.append("}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
