"""``csops.plot``: each plot draws the object's own figures, checked artist by artist.

Bar heights are the back-test's rates and the whiskers its Wilson bounds; the ROC lines are
``Backtest.roc`` (the core's curve) and their trapezoid areas the reported AUCs; the
calibration lines are ``Backtest.calibration`` with each decile's count; lift, survival and
retention lines are their tables; the waterfall walks from the bridge's start to its end; the
forecast fan is ``RenewalForecast.months``. matplotlib runs
with the Agg backend (no display).
"""

from __future__ import annotations

import datetime
import math
import subprocess
import sys
from typing import Any

import pytest

import csops
from conftest import REPO

pd = pytest.importorskip("pandas", reason="the back-test tables are pandas DataFrames")
np = pytest.importorskip("numpy")
matplotlib = pytest.importorskip(
    "matplotlib", reason="matplotlib is optional (scripts/test-python.sh installs it)"
)
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

import csops.plot  # noqa: E402

SAMPLE_BOOK = REPO / "data" / "sample-book"


@pytest.fixture(scope="module")
def book() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


@pytest.fixture(scope="module")
def bt(book: csops.Book) -> csops.Backtest:
    return csops.backtest(book, csops.Scorecard.default_heuristic())


@pytest.fixture(scope="module")
def rf(book: csops.Book, bt: csops.Backtest) -> csops.RenewalForecast:
    rc = bt.recalibrate()
    return csops.forecast(book, health=book.health_as_of(rc.scorecard), probability=rc)


@pytest.fixture(autouse=True)
def close_figures() -> Any:
    yield
    plt.close("all")


def slices_of(bt: csops.Backtest) -> list[str]:
    return list(bt.quarters["slice"])


# Back-test: band rates -------------------------------------------------------------------------


def bar_containers(ax: Any) -> list[Any]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


@pytest.mark.parametrize("which", ["all", None, ["2026-Q1", "all"]])
def test_band_bars_are_the_rates_and_whiskers_the_wilson_bounds(bt: csops.Backtest, which: Any) -> None:
    ax = csops.plot.band_rates(bt, slices=which)
    table = bt.bands
    expected = slices_of(bt) if which is None else ([which] if isinstance(which, str) else which)
    containers = bar_containers(ax)
    assert [c.get_label() for c in containers] == expected
    bands = list(dict.fromkeys(table["band"]))
    assert [t.get_text() for t in ax.get_xticklabels()] == bands
    for k, (name, c) in enumerate(zip(expected, containers)):
        rows = table[(table["slice"] == name) & table["rate"].notna()]
        assert len(rows) > 0
        # Heights: the rates, exactly (float64 all the way).
        assert [bar.get_height() for bar in c] == list(rows["rate"])
        # Each bar sits over its band: within the band's slot, in slice order.
        for bar, band in zip(c, rows["band"]):
            centre = bar.get_x() + bar.get_width() / 2
            assert bands.index(band) - 0.4 < centre < bands.index(band) + 0.4
        # Whiskers: one vertical segment per bar, from ci_lo to ci_hi.
        assert c.errorbar is not None
        segments = [s for coll in c.errorbar.lines[2] if isinstance(coll, LineCollection) for s in coll.get_segments()]
        assert len(segments) == len(rows)
        for seg, bar, lo, hi in zip(segments, c, rows["ci_lo"], rows["ci_hi"]):
            (x0, y0), (x1, y1) = seg
            assert x0 == x1 == pytest.approx(bar.get_x() + bar.get_width() / 2)
            assert y0 == pytest.approx(lo, abs=1e-12) and y1 == pytest.approx(hi, abs=1e-12)
            assert y0 <= bar.get_height() <= y1


def test_band_rates_cover_unscored_and_every_slice(bt: csops.Backtest) -> None:
    ax = csops.plot.band_rates(bt, slices=None)
    drawn = sum(len(c) for c in bar_containers(ax))
    assert drawn == int(bt.bands["rate"].notna().sum())


def test_an_unknown_slice_is_named(bt: csops.Backtest) -> None:
    with pytest.raises(ValueError, match=r"no slice '2019-Q1'.*'all', '2025-Q4'"):
        csops.plot.band_rates(bt, slices="2019-Q1")
    with pytest.raises(ValueError, match="no slice 'nope'"):
        csops.plot.roc(bt, slices=["all", "nope"])


# Back-test: ROC and calibration ----------------------------------------------------------------


def test_roc_is_the_core_curve_and_its_area_the_auc(bt: csops.Backtest) -> None:
    curve = bt.roc
    assert list(curve.columns) == ["slice", "threshold", "fpr", "tpr"]
    assert set(curve["slice"]) == set(slices_of(bt))
    ax = csops.plot.roc(bt, slices=None)
    lines = [ln for ln in ax.get_lines() if ln.get_label() != "chance"]
    assert len(lines) == len(slices_of(bt))
    for line, (name, auc) in zip(lines, zip(bt.quarters["slice"], bt.quarters["auc"])):
        rows = curve[curve["slice"] == name]
        x, y = line.get_xdata(), line.get_ydata()
        assert list(x) == list(rows["fpr"]) and list(y) == list(rows["tpr"])
        assert line.get_label() == f"{name} (AUC {auc:.3f})"
        # The trapezoid area under the drawn curve is the core's AUC (Mann–Whitney, DeLong).
        area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
        assert abs(area - auc) < 1e-12
        # The curve runs from flagging nothing to flagging everything, monotonically.
        assert (x[0], y[0], x[-1], y[-1]) == (0.0, 0.0, 1.0, 1.0)
        assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0)
        thresholds = rows["threshold"].to_numpy()
        assert math.isinf(thresholds[0]) and np.all(np.diff(thresholds) < 0)
    chance = [ln for ln in ax.get_lines() if ln.get_label() == "chance"]
    assert len(chance) == 1 and list(chance[0].get_xdata()) == [0, 1]


def test_roc_points_follow_the_observations(bt: csops.Backtest) -> None:
    """Each point of the curve flags the renewals with risk (100 − score) at or above its
    threshold: recount a few from the observations."""
    obs = bt.observations
    obs = obs[obs["score"].notna()]
    risk = 100.0 - obs["score"].to_numpy()
    churned = obs["churned"].to_numpy(dtype=bool)
    rows = bt.roc[bt.roc["slice"] == "all"]
    for t, fpr, tpr in list(zip(rows["threshold"], rows["fpr"], rows["tpr"]))[1::17]:
        flagged = risk >= t
        assert tpr == pytest.approx((flagged & churned).sum() / churned.sum(), abs=1e-12)
        assert fpr == pytest.approx((flagged & ~churned).sum() / (~churned).sum(), abs=1e-12)


def test_a_slice_without_both_outcomes_has_no_curve() -> None:
    """One quarter of renewals, all renewed: no AUC, no ROC rows, no line."""
    accounts = "id,name,currency,arr,start_date\n" + "".join(
        f"A{i},Acc {i},USD,1000,2023-01-01\n" for i in range(4)
    )
    usage = "account_id,user_id,feature,timestamp\n" + "".join(
        f"A{i},u{i},login,2024-0{1 + i % 3}-10T00:00:00Z\n" for i in range(4)
    )
    outcomes = "id,account_id,renewal_date,outcome,arr_before,arr_after,currency\n" + "".join(
        f"R{i},A{i},2024-06-{10 + i},renewed,1000,1000,USD\n" for i in range(4)
    )
    book = csops.load_book_csv({"accounts": accounts, "usage_events": usage, "renewal_outcomes": outcomes})
    bt = csops.backtest(book, csops.Scorecard.default_heuristic(), quarters=1)
    assert bt.roc.empty and list(bt.roc.columns) == ["slice", "threshold", "fpr", "tpr"]
    ax = csops.plot.roc(bt)
    assert [ln.get_label() for ln in ax.get_lines()] == ["chance"]


def test_calibration_lines_are_the_deciles(bt: csops.Backtest) -> None:
    ax = csops.plot.calibration(bt, slices=["all", "2026-Q2"])
    table = bt.calibration
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {"all", "2026-Q2", "perfect calibration"}
    for name in ["all", "2026-Q2"]:
        rows = table[table["slice"] == name]
        assert list(lines[name].get_xdata()) == list(rows["mean_risk"])
        assert list(lines[name].get_ydata()) == list(rows["observed"])
    diagonal = lines["perfect calibration"]
    assert list(diagonal.get_xdata()) == list(diagonal.get_ydata())


# ARR bridge -------------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [("2025-09-30", "2026-09-30"), ("2026-03-31", "2026-06-30")])
def test_the_waterfall_walks_from_start_to_end(book: csops.Book, window: tuple[str, str]) -> None:
    bridge = book.arr_bridge(*window)
    # The identity, exactly, in Decimal.
    assert (
        bridge.start + bridge.new + bridge.expansion - bridge.contraction - bridge.churn + bridge.reactivation
        == bridge.end
    )
    ax = csops.plot.arr_bridge(bridge)
    bars = list(ax.patches)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "start",
        "new",
        "expansion",
        "contraction",
        "churn",
        "reactivation",
        "end",
    ]
    assert len(bars) == 7
    start, *moves, end = bars
    assert (start.get_y(), start.get_height()) == (0.0, float(bridge.start))
    assert (end.get_y(), end.get_height()) == (0.0, float(bridge.end))
    level = float(bridge.start)
    signed = [bridge.new, bridge.expansion, -bridge.contraction, -bridge.churn, bridge.reactivation]
    for bar, amount in zip(moves, signed):
        assert bar.get_y() == pytest.approx(level, rel=1e-12)  # starts where the last one ended
        assert bar.get_height() == pytest.approx(float(amount), rel=1e-12, abs=1e-6)
        level = bar.get_y() + bar.get_height()
    # The walk ends at the bridge's end (up to float rounding of Decimal amounts).
    assert level == pytest.approx(float(bridge.end), rel=1e-12)
    assert str(bridge.start_date) in ax.get_title() and bridge.currency in ax.get_title()


# Forecast --------------------------------------------------------------------------------------


def test_the_forecast_fan_is_the_months_running_total(rf: csops.RenewalForecast) -> None:
    months = rf.months
    assert len(months) == 3 and list(months["renewals"])[-1] == len(rf)
    ax = csops.plot.forecast(rf)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines["P50 (median)"].get_ydata()) == list(months["p50"])
    assert list(lines["ARR at stake"].get_ydata()) == [float(a) for a in months["at_stake"]]
    (band,) = [c for c in ax.collections if c.get_label() == "P10–P90"]
    ys = band.get_paths()[0].vertices[:, 1]
    assert min(ys) == pytest.approx(min(months["p10"])) and max(ys) == pytest.approx(max(months["p90"]))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(months["month"])
    # The last month's band is the whole window's distribution; nothing is drawn below zero.
    d = rf.distribution
    assert (months["p10"].iloc[-1], months["p90"].iloc[-1]) == (d["p10"], d["p90"])
    assert ax.get_ylim()[0] == 0
    # The legend sits below the axes, off the lines.
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().y1 < ax.get_window_extent().y0


def test_a_forecast_with_nothing_renewing_draws_an_empty_fan() -> None:
    small = csops.load_book_csv(
        {
            "accounts": "id,name,currency,arr,start_date,renewal_date\n"
            "A1,Acme,USD,1000.00,2024-01-01,2024-06-30\n"
            "A2,Beta,USD,2000.00,2024-02-01,\n"
        }
    )  # A1 renews on 2024-06-30, A2 has no renewal date
    rf = csops.forecast(small, as_of="2024-06-30", start="2024-07-01", end="2024-09-30")
    assert len(rf) == 0 and rf.distribution is None and len(rf.months) == 0
    ax = csops.plot.forecast(rf)
    assert not ax.get_lines() and not ax.collections
    assert "2024-07-01 to 2024-09-30" in ax.get_title()


# Lift, survival, retention ---------------------------------------------------------------------


def test_lift_is_the_capture_of_the_riskiest(bt: csops.Backtest) -> None:
    ax = csops.plot.lift(bt)
    rows = bt.lift[bt.lift["slice"] == "all"]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines["all"].get_xdata()) == [0.0, *rows["fraction"]]
    assert list(lines["all"].get_ydata()) == [0.0, *rows["capture"]]
    assert [t.get_text() for t in ax.texts] == [f"lift {x:.1f}" for x in rows["lift"]]
    assert list(lines["random order"].get_xdata()) == list(lines["random order"].get_ydata())


def test_survival_is_a_step_curve_per_band(bt: csops.Backtest) -> None:
    ax = csops.plot.survival(bt)
    table = bt.survival
    bands = list(dict.fromkeys(table["band"].astype(object)))
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines) == [str(b) for b in bands]
    for band in bands:
        rows = table[table["band"].astype(object) == band]
        line = lines[str(band)]
        assert line.get_drawstyle() == "steps-post"
        assert list(line.get_xdata()) == [0.0, *rows["time"]]
        assert list(line.get_ydata()) == [1.0, *rows["survival"]]
    # Named at their ends, not only by colour.
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(b) for b in bands)


def test_retention_lines_are_the_series(book: csops.Book) -> None:
    series = book.retention_series("2025-09-30", "2026-09-30")
    ax = csops.plot.retention(series)
    lines = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_label() in ("GRR", "NRR", "logo retention")}
    assert list(lines["GRR"].get_ydata()) == list(series["grr"])
    assert list(lines["NRR"].get_ydata()) == list(series["nrr"])
    assert list(lines["logo retention"].get_ydata()) == list(series["logo_retention"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(series["label"])


def test_band_bars_say_how_many_and_mark_too_few(bt: csops.Backtest) -> None:
    ax = csops.plot.band_rates(bt)
    rows = bt.bands[(bt.bands["slice"] == "all") & bt.bands["rate"].notna()]
    (bars,) = bar_containers(ax)
    labels = [t.get_text() for t in ax.texts]
    assert labels == [f"n={n}" + (" too few" if few else "") for n, few in zip(rows["renewals"], rows["too_few"])]
    assert any(rows["too_few"]), "the sample book's green band has fewer than 20 renewals"
    for bar, few in zip(bars, rows["too_few"]):
        assert (bar.get_hatch() == "//") == bool(few)


def test_calibration_says_each_deciles_count(bt: csops.Backtest) -> None:
    ax = csops.plot.calibration(bt)
    rows = bt.calibration[bt.calibration["slice"] == "all"]
    assert [t.get_text() for t in ax.texts] == [f"n={n}" for n in rows["n"]]


# Axes and dependencies -------------------------------------------------------------------------


def test_each_plot_draws_on_the_axes_given_and_returns_it(book: csops.Book, bt: csops.Backtest, rf: csops.RenewalForecast) -> None:
    fig, axes = plt.subplots(1, 8)
    calls = [
        lambda ax: csops.plot.band_rates(bt, ax=ax),
        lambda ax: csops.plot.calibration(bt, ax=ax),
        lambda ax: csops.plot.roc(bt, ax=ax),
        lambda ax: csops.plot.lift(bt, ax=ax),
        lambda ax: csops.plot.survival(bt, ax=ax),
        lambda ax: csops.plot.arr_bridge(book.arr_bridge("2025-09-30", "2026-09-30"), ax=ax),
        lambda ax: csops.plot.retention(book.retention_series("2025-09-30", "2026-09-30"), ax=ax),
        lambda ax: csops.plot.forecast(rf, ax=ax),
    ]
    for ax, call in zip(axes, calls):
        assert call(ax) is ax
        assert ax.has_data()
    assert len(fig.axes) == 8
    # Without ax: a new figure each time.
    a, b = csops.plot.roc(bt), csops.plot.roc(bt)
    assert a.figure is not b.figure and a.figure is not fig


def test_without_matplotlib_a_clear_import_error(bt: csops.Backtest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    for call in [
        lambda: csops.plot.band_rates(bt),
        lambda: csops.plot.roc(bt),
        lambda: csops.plot.calibration(bt),
    ]:
        with pytest.raises(ImportError, match="pip install matplotlib"):
            call()


def test_importing_csops_plot_imports_neither_matplotlib_nor_pandas() -> None:
    code = "import sys, csops.plot; print(sorted(m for m in ('matplotlib', 'pandas', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_dates_in_titles_are_the_objects(book: csops.Book, rf: csops.RenewalForecast) -> None:
    ax = csops.plot.forecast(rf)
    assert f"{rf.start} to {rf.end}" in ax.get_title()
    assert isinstance(rf.start, datetime.date)
