"""The statistics of the back-test, on their own.

Every function here is the core's (``csops_core::backtest::stats`` and ``::fit``), checked
against scikit-learn, statsmodels, scipy and lifelines on the vectors in
``tests/vectors/stats.json``; the same vectors run in the Rust, Python and Node suites.

Columns may be lists, tuples, numpy arrays, pandas or polars Series. Outcomes (``positive``,
``events``, ``y``) are booleans or the numbers 1 and 0; anything else is a ``ConfigError``.
A *positive* is the event being predicted (a churn), and a higher ``risk`` means more likely
positive.

    >>> from csops import stats
    >>> {k: round(v, 4) for k, v in stats.wilson(3, 10).items()}
    {'lo': 0.1078, 'hi': 0.6032}
    >>> round(stats.roc_auc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0])["auc"], 2)
    0.75
"""

from __future__ import annotations

from csops._csops import _stats as _native

Z95: float = _native.Z95
"""The two-sided 95% normal quantile, the default ``z`` of :func:`wilson`."""

wilson = _native.wilson
two_proportion_z = _native.two_proportion_z
fisher_exact = _native.fisher_exact
normal_sf = _native.normal_sf
chi2_sf = _native.chi2_sf
roc_auc = _native.roc_auc
roc_curve = _native.roc_curve
youden = _native.youden
brier = _native.brier
deciles = _native.deciles
lift = _native.lift
kaplan_meier = _native.kaplan_meier
logrank = _native.logrank
logistic = _native.logistic
isotonic = _native.isotonic

__all__ = [
    "Z95",
    "brier",
    "chi2_sf",
    "deciles",
    "fisher_exact",
    "isotonic",
    "kaplan_meier",
    "lift",
    "logistic",
    "logrank",
    "normal_sf",
    "roc_auc",
    "roc_curve",
    "two_proportion_z",
    "wilson",
    "youden",
]
