"""Back-testing from Python: ``csops.backtest``, ``Backtest`` and ``Recalibration``.

The statistics are the core's (pinned by the conformance vectors, run by
``test_backtest_conformance.py``, and checked against scikit-learn, statsmodels, scipy and
lifelines in the core's own tests). These tests check the binding: the tables are complete
and consistent with one another and with the replayed renewals, a few figures recomputed
here independently (the AUC by Mann–Whitney, the Wilson interval by its textbook formula),
the re-calibration's story on the sample book, errors, text, HTML and plain data.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import threading
from decimal import Decimal
from collections.abc import Callable
from typing import Any

import pytest

import csops
from conftest import CLEAN_CSV, REPO

pd = pytest.importorskip("pandas", reason="the back-test tables are pandas DataFrames")
np = pytest.importorskip("numpy")

SAMPLE_BOOK = REPO / "data" / "sample-book"
Z95 = 1.959963984540054

OBSERVATION_COLUMNS = [
    "renewal_id",
    "account_id",
    "segment",
    "renewal_date",
    "quarter",
    "scored_on",
    "outcome",
    "churned",
    "arr_before",
    "arr_after",
    "currency",
    "score",
    "band",
]


@pytest.fixture(scope="module")
def book() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


@pytest.fixture(scope="module")
def card() -> csops.Scorecard:
    return csops.Scorecard.default_heuristic()


@pytest.fixture(scope="module")
def bt(book: csops.Book, card: csops.Scorecard) -> csops.Backtest:
    return csops.backtest(book, card)


@pytest.fixture(scope="module")
def btx(book: csops.Book, card: csops.Scorecard) -> csops.Backtest:
    """The back-test with exact tables (pyarrow: decimal128 amounts, date32 days)."""
    return csops.backtest(book, card, frame="pyarrow")


def exact(table: Any) -> Any:
    """A pyarrow table as pandas with its exact values (``Decimal``, ``datetime.date``)."""
    return table.to_pandas()


@pytest.fixture(scope="module")
def rc(bt: csops.Backtest) -> csops.Recalibration:
    return bt.recalibrate()


def mann_whitney_auc(risk: Any, positive: Any) -> float:
    """ROC AUC as the Mann–Whitney U statistic over the class sizes, ties by midranks."""
    risk = pd.Series(np.asarray(risk, dtype="float64"))
    positive = np.asarray(positive, dtype=bool)
    ranks = risk.rank(method="average").to_numpy()
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval, from the textbook formula."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# The replayed renewals -------------------------------------------------------------------------


def test_observations_one_row_per_renewal(bt: csops.Backtest, btx: csops.Backtest, card: csops.Scorecard) -> None:
    obs = bt.observations
    measure_names = [m["name"] for m in card.measures]
    assert list(obs.columns) == OBSERVATION_COLUMNS + [f"measure:{m}" for m in measure_names]
    assert len(obs) == 205  # as the Rust example prints for the sample book
    assert obs["renewal_id"].is_unique
    assert obs["churned"].dtype == bool
    assert obs["score"].dtype == "float64"
    # pandas: days as datetime64, amounts as float64; the exact values in the pyarrow table.
    assert obs["renewal_date"].dtype == "datetime64[s]" and obs["scored_on"].dtype == "datetime64[s]"
    assert obs["arr_before"].dtype == "float64" and obs["arr_after"].dtype == "float64"
    obs = exact(btx.observations)
    assert [float(a) for a in obs["arr_before"]] == list(bt.observations["arr_before"])
    first = obs.iloc[0]
    assert type(first["renewal_date"]) is datetime.date
    assert type(first["scored_on"]) is datetime.date
    assert isinstance(first["arr_before"], Decimal) and isinstance(first["arr_after"], Decimal)
    # Scored 90 days before renewal, inside the window, in its calendar quarter.
    assert all(r - s == datetime.timedelta(days=90) for r, s in zip(obs["renewal_date"], obs["scored_on"]))
    assert all(bt.window_start <= d <= bt.window_end for d in obs["renewal_date"])
    assert all(q == f"{d.year}-Q{(d.month - 1) // 3 + 1}" for q, d in zip(obs["quarter"], obs["renewal_date"]))
    # By renewal date, then id.
    keys = list(zip(obs["renewal_date"], obs["renewal_id"]))
    assert keys == sorted(keys)
    # By default only churn is churn.
    assert (obs["churned"] == (obs["outcome"] == "churned")).all()
    assert set(obs["outcome"]) <= {"renewed", "churned", "contracted", "expanded"}
    # A churned account's ARR after is zero.
    assert all(a == 0 for a, c in zip(obs["arr_after"], obs["churned"]) if c)
    # Bands follow the scorecard's thresholds.
    bands = card.bands
    for score, band in zip(obs["score"], obs["band"]):
        if math.isnan(score):
            assert band is None or (isinstance(band, float) and math.isnan(band))
        else:
            expected = [b["name"] for b in bands if b["min"] <= score][-1]
            assert band == expected


def test_the_window_and_lead_follow_the_arguments(book: csops.Book, card: csops.Scorecard) -> None:
    end = datetime.date(2026, 6, 30)
    bt = csops.backtest(book, card, end=end, quarters=2, lead_days=60)
    assert (bt.window_start, bt.window_end) == (datetime.date(2026, 1, 1), end)
    obs = bt.observations
    assert len(obs) > 0
    assert all(r - s == datetime.timedelta(days=60) for r, s in zip(obs["renewal_date"], obs["scored_on"]))
    assert set(obs["quarter"]) == {"2026-Q1", "2026-Q2"}
    # The end as ISO text is the same day.
    same = csops.backtest(book, card, end="2026-06-30", quarters=2, lead_days=60)
    # (repr, since a statistic that does not exist is NaN, which is unequal to itself)
    assert repr(same.to_dict()) == repr(bt.to_dict())
    # A datetime counts as its day.
    as_datetime = csops.backtest(book, card, end=datetime.datetime(2026, 6, 30, 12), quarters=2, lead_days=60)
    assert repr(as_datetime.to_dict()) == repr(bt.to_dict())


def test_contractions_can_count_as_churn(book: csops.Book, card: csops.Scorecard) -> None:
    obs = csops.backtest(book, card, contraction_is_churn=True).observations
    assert (obs["churned"] == obs["outcome"].isin(["churned", "contracted"])).all()
    assert obs["churned"].sum() > (obs["outcome"] == "churned").sum()


# The report adds up -----------------------------------------------------------------------------


def test_totals_add_up(btx: csops.Backtest) -> None:
    obs, bands, quarters = exact(btx.observations), exact(btx.bands), exact(btx.quarters)
    bt = btx
    assert list(quarters["slice"]) == ["all", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    overall = quarters.iloc[0]
    assert overall["renewals"] == len(obs) == 205
    assert overall["churned"] == obs["churned"].sum() == 36
    assert overall["unscored"] == obs["score"].isna().sum()
    # Quarters add up to the whole window.
    assert quarters["renewals"].iloc[1:].sum() == overall["renewals"]
    assert quarters["churned"].iloc[1:].sum() == overall["churned"]
    for _, q in quarters.iterrows():
        in_slice = obs if q["slice"] == "all" else obs[obs["quarter"] == q["slice"]]
        b = bands[bands["slice"] == q["slice"]]
        # Bands add up to the slice, renewed + churned = renewals.
        assert b["renewals"].sum() == q["renewals"] == len(in_slice)
        assert (b["renewals"] - b["renewed"]).sum() == q["churned"] == in_slice["churned"].sum()
        # ARR is exact: the bands' ARR up is the renewals' ARR before, to the cent.
        assert sum(b["arr_up"], Decimal(0)) == sum(in_slice["arr_before"], Decimal(0))
        renewed_arr = sum(in_slice.loc[~in_slice["churned"], "arr_before"], Decimal(0))
        assert sum(b["arr_renewed"], Decimal(0)) == renewed_arr
        for _, row in b.iterrows():
            members = in_slice[in_slice["band"] == row["band"]]
            assert row["renewals"] == len(members)
            assert row["renewed"] == (~members["churned"]).sum()
            assert row["rate"] == pytest.approx(row["renewed"] / row["renewals"], rel=1e-15)
            up = sum(members["arr_before"], Decimal(0))
            assert row["arr_up"] == up
            assert row["arr_rate"] == pytest.approx(float(row["arr_renewed"] / up), rel=1e-12)
    assert set(bands["currency"]) == {"USD"}
    assert [b for b in bands.loc[bands["slice"] == "all", "band"]] == ["red", "yellow", "green"]


def test_overall_auc_is_mann_whitney(bt: csops.Backtest) -> None:
    obs = bt.observations
    scored = obs[obs["score"].notna()]
    quarters = bt.quarters
    for _, q in quarters.iterrows():
        rows = scored if q["slice"] == "all" else scored[scored["quarter"] == q["slice"]]
        expected = mann_whitney_auc(100.0 - rows["score"], rows["churned"])
        assert abs(q["auc"] - expected) <= 1e-12, q["slice"]
        assert q["auc_lo"] <= q["auc"] <= q["auc_hi"]
    assert quarters.iloc[0]["auc"] == pytest.approx(0.6435733070348455, abs=1e-12)
    try:
        from sklearn.metrics import roc_auc_score  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    sk = roc_auc_score(scored["churned"].to_numpy(), (100.0 - scored["score"]).to_numpy())
    assert abs(quarters.iloc[0]["auc"] - sk) <= 1e-12


def test_each_measures_auc_is_mann_whitney(bt: csops.Backtest, card: csops.Scorecard) -> None:
    obs, measures = bt.observations, bt.measures
    assert list(measures["measure"]) == [m["name"] for m in card.measures]
    assert list(measures["group"]) == [m["group"] for m in card.measures]
    assert measures["weight_share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert measures["power_share"].sum() == pytest.approx(1.0, abs=1e-12)
    for _, m in measures.iterrows():
        col = obs[f"measure:{m['measure']}"]
        have = col.notna()
        assert m["observed"] == have.sum()
        expected = mann_whitney_auc(100.0 - col[have], obs.loc[have, "churned"])
        assert abs(m["auc"] - expected) <= 1e-12, m["measure"]
        direction = "as designed" if m["auc"] >= 0.52 else "reversed" if m["auc"] <= 0.48 else "none"
        assert m["direction"] == direction
    flags = dict(zip(measures["measure"], measures["flag"]))
    assert flags["logins"] == "over-weighted" and flags["breadth"] == "under-weighted"


def test_wilson_interval_is_the_textbook_formula(bt: csops.Backtest) -> None:
    bands = bt.bands
    for _, row in bands.iterrows():
        lo, hi = wilson(int(row["renewed"]), int(row["renewals"]))
        assert abs(row["ci_lo"] - lo) <= 1e-12 and abs(row["ci_hi"] - hi) <= 1e-12
    red = bands[(bands["slice"] == "all") & (bands["band"] == "red")].iloc[0]
    assert (red["renewals"], red["renewed"]) == (35, 27)
    assert (red["ci_lo"], red["ci_hi"]) == pytest.approx(wilson(27, 35), abs=1e-15)


def test_verdict_test_and_p_value(bt: csops.Backtest) -> None:
    quarters = bt.quarters
    overall = quarters.iloc[0]
    assert bt.verdict == overall["verdict"]
    assert bt.verdict is not None and bt.verdict.startswith("red renews at 77%")
    assert overall["test_used"] == "fisher"
    assert overall["separates"] is not pd.NA and not overall["separates"]
    assert overall["p_value"] == pytest.approx(0.13691130401021903, abs=1e-12)
    assert str(quarters["separates"].dtype) == "boolean"
    comparison = bt.to_dict()["overall"]["comparison"]
    assert comparison["verdict"] == bt.verdict
    assert comparison["fisher"]["p_value"] == overall["p_value"]


def test_calibration_lift_and_survival(bt: csops.Backtest) -> None:
    obs = bt.observations
    scored = obs[obs["score"].notna()]
    calibration, lift = bt.calibration, bt.lift
    assert list(calibration.columns) == ["slice", "decile", "n", "positives", "mean_risk", "observed"]
    for label, rows in calibration.groupby("slice", sort=False):
        in_slice = scored if label == "all" else scored[scored["quarter"] == label]
        assert rows["n"].sum() == len(in_slice)
        assert rows["positives"].sum() == in_slice["churned"].sum()
        assert list(rows["decile"]) == sorted(rows["decile"])
        assert ((rows["observed"] - rows["positives"] / rows["n"]).abs() < 1e-12).all()
    assert list(lift.columns) == ["slice", "fraction", "k", "captured", "capture", "lift"]
    overall_lift = lift[lift["slice"] == "all"]
    assert list(overall_lift["fraction"]) == [0.1, 0.2]
    assert list(overall_lift["k"]) == [21, 41] and list(overall_lift["captured"]) == [5, 10]
    churned = scored["churned"].sum()
    for _, row in overall_lift.iterrows():
        assert row["capture"] == pytest.approx(row["captured"] / churned, rel=1e-15)
        assert row["lift"] == pytest.approx(row["capture"] / (row["k"] / len(scored)), rel=1e-12)
    survival = bt.survival
    assert list(survival.columns) == ["band", "time", "at_risk", "observed", "censored", "survival"]
    for band, curve in survival.groupby("band", sort=False):
        members = scored[scored["band"] == band]
        assert curve["at_risk"].iloc[0] == len(members)
        assert curve["observed"].sum() == members["churned"].sum()
        assert curve["observed"].sum() + curve["censored"].sum() == len(members)
        assert (curve["survival"].diff().dropna() <= 0).all()
    assert bt.logrank is not None
    assert set(bt.logrank) == {"chi2", "df", "p_value"}
    assert bt.logrank["df"] == 2 and bt.logrank["chi2"] == pytest.approx(2.6606040553006816, abs=1e-12)


def test_lift_fractions_are_taken(book: csops.Book, card: csops.Scorecard) -> None:
    bt = csops.backtest(book, card, lift_fractions=[0.05, 0.5, 1])
    overall = bt.lift[bt.lift["slice"] == "all"]
    assert list(overall["fraction"]) == [0.05, 0.5, 1.0]
    assert overall["capture"].iloc[-1] == 1.0


def test_a_recalibrated_card_can_be_backtested(book: csops.Book, rc: csops.Recalibration) -> None:
    again = csops.backtest(book, rc.scorecard)
    assert again.scorecard == rc.scorecard
    assert len(again.observations) == 205


# Re-calibration ---------------------------------------------------------------------------------


def test_recalibration_on_the_sample_book(rc: csops.Recalibration) -> None:
    w = rc.weights.set_index("measure")
    assert list(rc.weights.columns) == ["measure", "group", "coefficient", "share_before", "share_after"]
    assert w["share_before"].sum() == pytest.approx(1.0, abs=1e-12)
    assert w["share_after"].sum() == pytest.approx(1.0, abs=1e-12)
    # The login-heavy default: breadth gains weight, logins lose it.
    assert w.loc["breadth", "share_after"] > w.loc["breadth", "share_before"]
    assert w.loc["logins", "share_after"] < w.loc["logins", "share_before"]
    assert rc.dropped == ["champion", "business_review"]
    assert (w.loc[rc.dropped, "share_after"] == 0).all()
    assert rc.train == {"quarters": ["2025-Q4", "2026-Q1", "2026-Q2"], "renewals": 162, "churned": 30}
    assert rc.test == {"quarters": ["2026-Q3"], "renewals": 43, "churned": 6}
    # Held out: the re-weighted card ranks churn better (the figures the Rust example prints).
    assert rc.before["auc"] == pytest.approx(0.523, abs=5e-4)
    assert rc.after["auc"] == pytest.approx(0.770, abs=5e-4)
    before_auc, after_auc = rc.before["auc"], rc.after["auc"]
    before_brier, after_brier = rc.before["brier"], rc.after["brier"]
    assert before_auc is not None and after_auc is not None and after_auc > before_auc
    assert before_brier is not None and after_brier is not None and after_brier < before_brier
    assert set(rc.before) == {"scored", "auc", "auc_lo", "auc_hi", "brier"}
    assert rc.before["scored"] == rc.after["scored"] == 43


def test_the_recalibrated_scorecard_scores_a_frame(book: csops.Book, rc: csops.Recalibration) -> None:
    card = rc.scorecard
    assert isinstance(card, csops.Scorecard)
    assert card.name.endswith("(recalibrated)")
    names = {m["name"] for m in card.measures}
    assert "breadth" in names and not names & set(rc.dropped)
    latest = book.latest_date()
    assert latest is not None
    frame = book.features_as_of(latest)
    scores = card.score(frame)
    assert len(scores) == len(frame)
    assert scores["score"].notna().any()
    assert scores["score"].dropna().between(0, 100).all()


def test_recalibration_band_choices(rc: csops.Recalibration) -> None:
    bands = rc.bands
    assert list(bands.columns) == [
        "method",
        "band",
        "min",
        "train_renewals",
        "train_churn_rate",
        "test_renewals",
        "test_churn_rate",
    ]
    assert list(dict.fromkeys(bands["method"])) == ["current", "target churn rates", "youden"]
    for _, choice in bands.groupby("method", sort=False):
        assert choice["min"].iloc[0] == 0.0 and choice["min"].is_monotonic_increasing
        assert choice["train_renewals"].sum() == rc.train["renewals"]
        assert choice["test_renewals"].sum() == rc.test["renewals"]


def test_churn_probability(rc: csops.Recalibration, bt: csops.Backtest) -> None:
    p50 = rc.churn_probability(50)
    assert isinstance(p50, float) and 0 < p50 < 1
    assert rc.churn_probability(50.0) == p50
    grid = np.linspace(0, 100, 101)
    p = rc.churn_probability(grid)
    assert isinstance(p, np.ndarray) and p.dtype == np.float64 and p.shape == (101,)
    assert p[50] == p50
    assert (np.diff(p) <= 0).all(), "a higher score never churns more"
    assert rc.churn_probability([0, 50, 100]).tolist() == [p[0], p50, p[100]]
    assert rc.churn_probability(grid.reshape(101, 1)).shape == (101, 1)
    missing = rc.churn_probability([50, None, float("nan")])
    assert missing[0] == p50 and np.isnan(missing[1]) and np.isnan(missing[2])
    assert math.isnan(rc.churn_probability(float("nan")))
    assert rc.churn_probability(pd.Series([50.0])).tolist() == [p50]
    # A Series is read by its method: numpy.asarray would look up `__array_struct__` through
    # pandas' attribute fallback, which hashes the index (a million string ids: ~85 MB, 0.3 s).
    from pandas.core.generic import NDFrame

    by_id = pd.Series([50.0, 0.0], index=pd.Index(["A-1", "A-2"], name="account_id"))
    looked_up: list[str] = []
    fallback = NDFrame.__getattr__

    def spy(self: object, name: str) -> object:
        looked_up.append(name)
        return fallback(self, name)

    NDFrame.__getattr__ = spy  # type: ignore[method-assign]
    try:
        assert rc.churn_probability(by_id).tolist() == [p50, p[0]]
    finally:
        NDFrame.__getattr__ = fallback  # type: ignore[method-assign]
    assert looked_up == []
    with pytest.raises(TypeError, match="list or array of numbers; got Series"):
        rc.churn_probability(pd.Series(["a", "b"]))
    # Isotonic: a step function, also non-increasing.
    iso = bt.recalibrate(probability="isotonic")
    q = iso.churn_probability(grid)
    assert (np.diff(q) <= 1e-15).all() and ((q >= 0) & (q <= 1)).all()
    assert iso.to_dict()["probability"]["method"] == "isotonic"
    assert rc.to_dict()["probability"]["method"] == "platt"
    for bad in ("50", b"50", True, None, {"a": 1}, ["x"], object()):
        with pytest.raises(TypeError):
            rc.churn_probability(bad)


def test_recalibration_arguments_are_taken(bt: csops.Backtest) -> None:
    strong = bt.recalibrate(c=0.01)
    assert strong.to_dict()["c"] == 0.01
    assert strong.weights.set_index("measure")["coefficient"].abs().sum() < (
        bt.recalibrate().weights["coefficient"].abs().sum()
    ), "a stronger penalty shrinks the coefficients"
    two = bt.recalibrate(holdout_quarters=2)
    assert two.test["quarters"] == ["2026-Q2", "2026-Q3"]
    loose = bt.recalibrate(red_churn_target=0.1, green_churn_target=0.2)
    target = loose.bands[loose.bands["method"] == "target churn rates"]
    default = bt.recalibrate().bands
    assert not target.reset_index(drop=True).equals(
        default[default["method"] == "target churn rates"].reset_index(drop=True)
    )


# Errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quarters": 0}, "1 to 400 quarters"),
        ({"lift_fractions": (1.5,)}, "lift fraction 1.5 is not in (0, 1]"),
        ({"lift_fractions": (0.1, 0.0)}, "lift fraction 0 is not in (0, 1]"),
        ({"lead_days": -1}, "lead_days"),
        ({"quarters": -2}, "quarters"),
        ({"lead_days": 2**32 - 1}, "leaves the calendar"),
        ({"lead_days": 2**32}, "lead_days"),
        ({"end": "2026-02-30"}, "end"),
        ({"end": "next year"}, "YYYY-MM-DD"),
        ({"feature_config": {"no_such_setting": 1}}, "no_such_setting"),
    ],
)
def test_bad_backtest_arguments_raise_config_error(
    book: csops.Book, card: csops.Scorecard, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(csops.ConfigError) as info:
        csops.backtest(book, card, **kwargs)
    assert message in str(info.value)
    assert info.value.problems and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"holdout_quarters": 4}, "more quarters than the 4 held out"),
        ({"holdout_quarters": 0}, "held out"),
        ({"holdout_quarters": -1}, "holdout_quarters"),
        ({"probability": "logistic"}, "unknown variant `logistic`"),
        ({"c": 0.0}, "C must be positive"),
        ({"c": -1.0}, "C must be positive"),
    ],
)
def test_bad_recalibration_arguments_raise_config_error(
    bt: csops.Backtest, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(csops.ConfigError) as info:
        bt.recalibrate(**kwargs)
    assert message in str(info.value)
    assert info.value.problems


def test_none_is_the_default(book: csops.Book, card: csops.Scorecard, bt: csops.Backtest) -> None:
    # An option given as None is not given: the core's default, as a Node `null`.
    assert repr(csops.backtest(book, card, quarters=None, lead_days=None)) == repr(bt)


def test_nan_is_no_option_value(bt: csops.Backtest) -> None:
    # JSON has no NaN: the core refuses it by name (never as "not given"), as in Node.
    with pytest.raises(csops.ArgumentError, match="c: NaN is not a number an option takes"):
        bt.recalibrate(c=float("nan"))


def test_probability_names_the_choices(bt: csops.Backtest) -> None:
    with pytest.raises(csops.ConfigError) as info:
        bt.recalibrate(probability="logistic")  # type: ignore[arg-type]
    assert "platt" in str(info.value) and "isotonic" in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead_days": "90"},
        {"lead_days": 90.0},
        {"contraction_is_churn": "yes"},
        {"lift_fractions": "0.1"},
        {"lift_fractions": 0.1},
        {"lift_fractions": ["a"]},
        {"end": 20260630},
        {"feature_config": 3},
    ],
)
def test_wrong_types_raise_type_error(book: csops.Book, card: csops.Scorecard, kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        csops.backtest(book, card, **kwargs)


def test_wrong_objects_raise_type_error(book: csops.Book, card: csops.Scorecard, bt: csops.Backtest) -> None:
    with pytest.raises(TypeError):
        csops.backtest(book, csops.ModelSet(card))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.backtest(None, card)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.backtest(book, card, 90)  # type: ignore[misc]  # keyword-only
    with pytest.raises(TypeError):
        bt.recalibrate(1.0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        bt.recalibrate(c="strong")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bt.recalibrate(holdout_quarters="1")  # type: ignore[arg-type]


def test_a_book_without_renewal_outcomes(card: csops.Scorecard) -> None:
    book = csops.load_book_csv(CLEAN_CSV)
    with pytest.raises(csops.ConfigError, match="no renewal outcomes"):
        csops.backtest(book, card)
    # With an end, the window is empty: nothing to report, no error.
    empty = csops.backtest(book, card, end="2024-06-30")
    assert len(empty.observations) == 0
    assert list(empty.observations.columns)[: len(OBSERVATION_COLUMNS)] == OBSERVATION_COLUMNS
    assert empty.verdict is None and empty.logrank is None
    assert empty.quarters["renewals"].tolist() == [0]
    assert len(empty.lift) == 0 and len(empty.survival) == 0
    assert "0 renewals" in str(empty)
    json.dumps(empty.to_dict())
    with pytest.raises(csops.ConfigError):
        empty.recalibrate()


# Text, HTML, plain data -------------------------------------------------------------------------


def test_text_is_the_core_report(bt: csops.Backtest, card: csops.Scorecard) -> None:
    text = str(bt)
    assert repr(bt) == text
    assert text.startswith("Back-test of `default heuristic (login-heavy)`: renewals 2025-10-01 to 2026-09-28")
    assert bt.verdict is not None and bt.verdict in text
    for m in card.measures:
        assert m["name"] in text
    assert "ROC AUC 0.644 [0.550–0.737]" in text


def test_recalibration_text(rc: csops.Recalibration) -> None:
    text = str(rc)
    assert repr(rc) == text
    assert text.startswith("Re-calibration: trained on 2025-Q4, 2026-Q1, 2026-Q2")
    assert "Held out, before: AUC 0.523" in text and "Held out, after:  AUC 0.770" in text
    assert "breadth" in text and "dropped (no protective effect): champion, business_review" in text


def test_html(bt: csops.Backtest, rc: csops.Recalibration, card: csops.Scorecard) -> None:
    html = bt._repr_html_()
    assert html.startswith('<div class="csops-backtest">') and html.endswith("</div>")
    assert html.count("<table>") == 3  # bands, measures, quarters
    assert "Verdict:" in html and "red renews at 77%" in html
    for m in card.measures:
        assert f"<td>{m['name']}</td>" in html
    assert "1,457,496 USD" in html
    html = rc._repr_html_()
    assert html.startswith('<div class="csops-recalibration">') and html.count("<table>") == 3
    assert "<td>breadth</td>" in html and "0.770" in html


def test_html_escapes_names(book: csops.Book) -> None:
    spec = csops.Scorecard.default_heuristic().to_dict()
    spec["name"] = "<b>mine</b> & co"
    bt = csops.backtest(book, csops.Scorecard.from_dict(spec))
    html = bt._repr_html_()
    assert "<b>mine</b>" not in html and "&lt;b&gt;mine&lt;/b&gt; &amp; co" in html


def snake_keys(value: Any, path: str = "") -> list[str]:
    """Every dict key, recursively, that is not snake_case."""
    bad: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", k):
                bad.append(f"{path}.{k}")
            bad += snake_keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            bad += snake_keys(v, f"{path}[{i}]")
    return bad


def test_to_dict_is_plain_json_data(bt: csops.Backtest, rc: csops.Recalibration) -> None:
    d = bt.to_dict()
    json.dumps(d)
    assert snake_keys(d) == []
    assert set(d) >= {"scorecard", "window_start", "window_end", "lead_days", "overall", "quarters", "measures"}
    assert d["lead_days"] == 90 and d["contraction_is_churn"] is False
    assert d["window_start"] == "2025-10-01" and d["window_end"] == "2026-09-28"
    assert d["overall"]["renewals"] == 205 and len(d["quarters"]) == 4
    assert [lift["fraction"] for lift in d["overall"]["lift"]] == [0.1, 0.2]  # the default
    r = rc.to_dict()
    json.dumps(r)
    assert snake_keys(r) == []
    assert r["dropped"] == rc.dropped and r["c"] == 1.0 and r["train"] == rc.train
    assert csops.Scorecard.from_dict(r["scorecard"]) == rc.scorecard


def test_defaults_are_the_cores(book: csops.Book, card: csops.Scorecard, bt: csops.Backtest) -> None:
    explicit = csops.backtest(
        book, card, lead_days=90, quarters=4, end=None, contraction_is_churn=False, lift_fractions=(0.1, 0.2)
    )
    assert explicit.to_dict() == bt.to_dict()
    # The conformance vector with an empty configuration holds the core's defaults' answer
    # (see test_backtest_conformance.py); here, the recalibration's own record of them.
    r = bt.recalibrate(
        c=1.0, holdout_quarters=1, probability="platt", red_churn_target=0.25, green_churn_target=0.05
    ).to_dict()
    assert r == bt.recalibrate().to_dict()


# Threads ----------------------------------------------------------------------------------------


def test_the_replay_releases_the_gil(book: csops.Book, card: csops.Scorecard, pause_shares: Callable[[Callable[[], object]], list[float]]) -> None:
    """While a back-test runs, another Python thread keeps running: the longest pause of a
    ticking thread during the call is a small part of the call (holding the GIL, it would be
    nearly all of it)."""

    shares = pause_shares(lambda: csops.backtest(book, card, quarters=8))
    assert min(shares) < 0.5, shares


def test_backtests_from_threads_agree(book: csops.Book, card: csops.Scorecard, bt: csops.Backtest) -> None:
    reference = bt.to_dict()
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(csops.backtest(book, card).to_dict())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 12 and all(r == reference for r in results)
