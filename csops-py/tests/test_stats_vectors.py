"""The statistics against independent implementations, from Python: the values in
``tests/vectors/stats.json`` were computed by scikit-learn, statsmodels, scipy, lifelines and
pandas (``scripts/reference/stats_vectors.py``); ``csops-core/tests/stats_vectors.rs`` and
``csops-node/__test__/stats_vectors.test.mjs`` check the same values with the same tolerances
(1e-9 relative with a 1e-14 floor; logistic coefficients within 1e-6).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import csops
from csops import stats
from conftest import REPO

VECTORS = json.loads((REPO / "tests" / "vectors" / "stats.json").read_text())


def num(v: Any) -> float:
    if isinstance(v, str):
        return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[v]
    return float(v)


def nums(v: list[Any]) -> list[float]:
    return [num(x) for x in v]


def close(what: str, got: float, want: float, rel: float) -> None:
    if math.isnan(want):
        assert math.isnan(got), f"{what}: {got}, want NaN"
    elif math.isinf(want):
        assert got == want, f"{what}: {got}, want {want}"
    else:
        assert abs(got - want) <= rel * abs(want) + 1e-14, f"{what}: {got}, want {want}"


def cases(key: str) -> list[dict[str, Any]]:
    c = VECTORS[key]
    assert c, f"no `{key}` vectors"
    return c


def test_wilson_matches_statsmodels() -> None:
    for c in cases("wilson"):
        i = stats.wilson(c["k"], c["n"])
        assert i is not None
        close(f"wilson {c}", i["lo"], num(c["lo"]), 1e-9)
        close(f"wilson {c}", i["hi"], num(c["hi"]), 1e-9)
    assert stats.wilson(0, 0) is None
    # Another z is another interval: z = 0 collapses it onto the observed rate.
    assert stats.wilson(3, 10, z=0.0) == {"lo": 0.3, "hi": 0.3}


def test_two_proportion_z_matches_statsmodels() -> None:
    for c in cases("two_proportion_z"):
        t = stats.two_proportion_z(c["k1"], c["n1"], c["k2"], c["n2"])
        assert t is not None
        close(f"z {c}", t["statistic"], num(c["z"]), 1e-9)
        close(f"z {c}", t["p_value"], num(c["p"]), 1e-9)


def test_fisher_matches_scipy() -> None:
    for c in cases("fisher"):
        t = stats.fisher_exact(c["a"], c["b"], c["c"], c["d"])
        close(f"fisher {c}", t["statistic"], num(c["odds_ratio"]), 1e-9)
        close(f"fisher {c}", t["p_value"], num(c["p"]), 1e-9)


def test_normal_and_chi2_tails_match_scipy() -> None:
    for c in cases("normal_sf"):
        close(f"normal_sf {c}", stats.normal_sf(num(c["x"])), num(c["sf"]), 1e-9)
    for c in cases("chi2_sf"):
        close(f"chi2_sf {c}", stats.chi2_sf(num(c["x"]), num(c["df"])), num(c["sf"]), 1e-9)


def test_auc_roc_and_youden_match_scikit_learn_and_delong() -> None:
    for i, c in enumerate(cases("auc")):
        s, y = nums(c["scores"]), c["labels"]
        a = stats.roc_auc(s, y)
        close(f"auc case {i}", a["auc"], num(c["auc"]), 1e-9)
        close(f"auc case {i}", a["se_delong"], num(c["delong_se"]), 1e-9)
        close(f"auc case {i}", a["se_hanley_mcneil"], num(c["hanley_mcneil_se"]), 1e-9)
        curve = stats.roc_curve(s, y)
        th = nums(c["roc"]["thresholds"])
        assert len(curve) == len(th), f"auc case {i}: ROC points"
        for p, f, t, h in zip(curve, nums(c["roc"]["fpr"]), nums(c["roc"]["tpr"]), th):
            close(f"auc case {i}", p["fpr"], f, 1e-12)
            close(f"auc case {i}", p["tpr"], t, 1e-12)
            close(f"auc case {i}", p["threshold"], h, 0.0)
        threshold, _ = stats.youden(s, y)
        close(f"auc case {i} youden", threshold, num(c["youden_threshold"]), 0.0)


def test_brier_matches_scikit_learn() -> None:
    for c in cases("brier"):
        close("brier", stats.brier(nums(c["p"]), c["y"]), num(c["brier"]), 1e-9)


def test_l2_logistic_matches_scikit_learn() -> None:
    for i, c in enumerate(cases("logistic_l2")):
        rows = [nums(r) for r in c["X"]]
        columns = [[r[j] for r in rows] for j in range(len(rows[0]))]
        fit = stats.logistic(columns, c["y"], c=num(c["C"]))
        for got, want in zip(fit["coef"], nums(c["coef"]), strict=True):
            assert abs(got - want) <= 1e-6, f"logistic case {i}: coef {got} vs {want}"
        assert abs(fit["intercept"] - num(c["intercept"])) <= 1e-6, f"logistic case {i}"


def test_unpenalised_logistic_matches_statsmodels_logit() -> None:
    for c in cases("logistic_unpenalised_1d"):
        fit = stats.logistic([nums(c["x"])], c["y"])
        close("logit coef", fit["coef"][0], num(c["coef"]), 1e-6)
        close("logit intercept", fit["intercept"], num(c["intercept"]), 1e-6)


def test_isotonic_matches_scikit_learn() -> None:
    for c in cases("isotonic"):
        fitted = stats.isotonic(nums(c["x"]), nums(c["y"]), increasing=c["increasing"])
        for i, (got, want) in enumerate(zip(fitted, nums(c["fitted"]), strict=True)):
            close(f"isotonic row {i}", got, want, 1e-9)


def test_kaplan_meier_matches_lifelines() -> None:
    for i, c in enumerate(cases("kaplan_meier")):
        km = stats.kaplan_meier(nums(c["durations"]), c["events"])
        t, s = nums(c["timeline"]), nums(c["survival"])
        assert len(km) == len(t), f"km case {i}: timeline"
        for j, p in enumerate(km):
            what = f"km case {i} t = {t[j]}"
            close(what, p["time"], t[j], 0.0)
            close(what, p["survival"], s[j], 1e-9)
            assert p["at_risk"] == c["at_risk"][j], what
            assert p["observed"] == c["observed"][j], what


def test_logrank_matches_lifelines() -> None:
    for i, c in enumerate(cases("logrank")):
        test, df = stats.logrank(nums(c["durations"]), c["events"], c["groups"])
        close(f"logrank case {i}", test["statistic"], num(c["chi2"]), 1e-9)
        close(f"logrank case {i}", test["p_value"], num(c["p"]), 1e-9)
        assert df == c["df"], f"logrank case {i}: df"


def test_deciles_and_lift_match_pandas() -> None:
    for i, c in enumerate(cases("deciles")):
        table = stats.deciles(nums(c["risk"]), c["y"])
        assert len(table) == len(c["table"]), f"deciles case {i}"
        for row, w in zip(table, c["table"]):
            what = f"deciles case {i} decile {row['decile']}"
            assert row["decile"] == w["decile"], what
            assert row["n"] == w["n"], what
            close(what, row["mean_risk"], num(w["mean_risk"]), 1e-9)
            close(what, row["observed"], num(w["observed"]), 1e-9)
    for i, c in enumerate(cases("lift")):
        lift = stats.lift(nums(c["risk"]), c["y"], num(c["fraction"]))
        assert lift["k"] == c["k"], f"lift case {i}: k"
        assert lift["captured"] == c["captured"], f"lift case {i}: captured"
        close(f"lift case {i}", lift["capture"], num(c["capture"]), 1e-9)
        close(f"lift case {i}", lift["lift"], num(c["lift"]), 1e-9)


def test_logistic_takes_a_frame_or_a_dict_of_columns() -> None:
    c = cases("logistic_l2")[0]
    rows = [nums(r) for r in c["X"]]
    columns = {f"x{j}": [r[j] for r in rows] for j in range(len(rows[0]))}
    want = stats.logistic(list(columns.values()), c["y"], c=num(c["C"]))
    assert stats.logistic(columns, c["y"], c=num(c["C"])) == want
    pd = pytest.importorskip("pandas")
    assert stats.logistic(pd.DataFrame(columns), pd.Series(c["y"]), c=num(c["C"])) == want


def test_columns_come_as_numpy_pandas_and_polars_alike() -> None:
    c = cases("auc")[0]
    want = stats.roc_auc(nums(c["scores"]), c["labels"])
    np = pytest.importorskip("numpy")
    assert stats.roc_auc(np.array(c["scores"]), np.array(c["labels"], dtype=bool)) == want
    pd = pytest.importorskip("pandas")
    assert stats.roc_auc(pd.Series(c["scores"]), pd.Series(c["labels"])) == want
    pl = pytest.importorskip("polars")
    assert stats.roc_auc(pl.Series(c["scores"]), pl.Series(c["labels"]).cast(pl.Boolean)) == want


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(csops.ConfigError, match=r"positive\[1\] is 0.5"):
        stats.roc_auc([0.1, 0.2, 0.3], [1, 0.5, 0])
    with pytest.raises(csops.ConfigError, match=r"positive\[0\] is NaN"):
        stats.roc_auc([0.1, 0.2], [None, 1])
    with pytest.raises(csops.ConfigError, match="needs positives and negatives"):
        stats.roc_auc([0.1, 0.2], [1, 1])
    with pytest.raises(csops.ConfigError, match="risk has 2 values but positive has 3"):
        stats.roc_auc([0.1, 0.2], [1, 0, 1])
    with pytest.raises(csops.ConfigError, match="is not a number"):
        stats.brier(["high", 0.2], [1, 0])
    # Tails that do not exist are NaN, never a panic.
    assert math.isnan(stats.chi2_sf(3.84, 0)) and stats.chi2_sf(math.inf, 1) == 0.0
    with pytest.raises(csops.ConfigError, match=r"y\[0\] is NaN"):
        stats.isotonic([1.0, 2.0, 3.0], [math.nan, 1.0, 2.0])
    with pytest.raises(csops.ArgumentError, match=r"groups\[1\] must be a str"):
        stats.logrank([1.0, 2.0], [True, False], ["a", 2])
    with pytest.raises(csops.ConfigError, match="at least two groups"):
        stats.logrank([1.0, 2.0], [True, False], ["a", "a"])
