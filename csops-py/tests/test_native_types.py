"""Native types (issue 20), as a pandas user meets them: dates are datetime64 (resampling
works), money float64 (plots work) with the exact amounts in the Arrow frames' decimal128
columns, a missing owner is missing (`isna()` finds it), a band has one dtype in every table;
books, feature frames and every result pickle; tables convert to polars and pyarrow and speak
the Arrow PyCapsule interface."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import csops

from conftest import REPO

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

SAMPLE = REPO / "data" / "sample-book"


@pytest.fixture(scope="module")
def book() -> csops.Book:
    return csops.load_book(SAMPLE, mode="lenient")


@pytest.fixture(scope="module")
def forecast(book: csops.Book) -> csops.RenewalForecast:
    return csops.forecast(book)


def test_dates_are_datetime64_and_resample(forecast: csops.RenewalForecast) -> None:
    lines = forecast.lines
    assert lines["renewal_date"].dtype.kind == "M", lines.dtypes
    # By month, as a finance user would: the same totals as the forecast's own months.
    monthly = lines.set_index("renewal_date").resample("MS")["arr"].sum()
    monthly = monthly[monthly != 0]
    by_month = forecast.by_month
    assert [d.strftime("%Y-%m") for d in monthly.index] == list(by_month["month"])
    assert np.allclose(monthly.to_numpy(), by_month["arr"].to_numpy(), atol=0.005)


def test_money_is_float64_and_plots(forecast: csops.RenewalForecast) -> None:
    lines = forecast.lines
    for column in ["arr", "expected_renewal", "expected_expansion"]:
        assert lines[column].dtype == np.float64, (column, lines.dtypes)
    assert lines["arr"].sum() == pytest.approx(float(forecast.arr), abs=0.01)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = lines.plot(x="renewal_date", y="arr")  # "no numeric data" when money was Decimal
    assert ax.get_lines()[0].get_ydata().size == len(lines)
    matplotlib.pyplot.close("all")


def test_the_exact_amounts_are_the_arrow_frames_decimals(book: csops.Book) -> None:
    pa = pytest.importorskip("pyarrow")
    exact = csops.forecast(book, frame="pyarrow")
    table = exact.lines
    assert pa.types.is_decimal(table.schema.field("arr").type)
    assert pa.types.is_date32(table.schema.field("renewal_date").type)
    total = sum((a for a in table.column("arr").to_pylist() if a is not None), Decimal(0))
    assert total == exact.arr  # to the cent, no float in between
    # pandas' float64 is the float nearest each exact amount, as float(Decimal) gives.
    floats = csops.forecast(book).lines["arr"]
    assert list(floats) == [float(a) for a in table.column("arr").to_pylist()]
    rows = exact.to_dict()["lines"]
    assert [Decimal(r["arr"]) for r in rows] == table.column("arr").to_pylist()


def test_replayed_plays_are_dated(book: csops.Book) -> None:
    last = book.latest_date()
    first = last - datetime.timedelta(days=27)
    replay = csops.replay_plays(book, csops.Playbook.sponsor_left(), first, last)
    fired = replay.fired
    assert fired["date"].dtype.kind == "M", fired.dtypes
    assert len(fired) > 0, "the sample book's sponsor-left play fires in its last four weeks"
    days = fired["date"].dt.date
    assert days.min() >= first and days.max() <= last
    # Grouped by week, as a CS Ops lead would count them.
    weekly = fired.set_index("date").resample("W").size()
    assert weekly.sum() == len(fired)


def test_a_book_pickles_to_the_same_book_and_report(book: csops.Book) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(book))
    assert again.to_json() == book.to_json()
    assert again.report.render() == book.report.render()
    assert len(again.report.problems) == len(book.report.problems) > 0
    # And computes the same figures.
    assert csops.forecast(again).arr == csops.forecast(book).arr


def test_a_feature_frame_pickles_and_converts(book: csops.Book) -> None:
    import math
    import pickle

    frame = book.features_as_of(book.latest_date())
    again = pickle.loads(pickle.dumps(frame))
    assert again.account_ids == frame.account_ids and again.columns == frame.columns
    for c in frame.columns:
        a, b = frame.column(c), again.column(c)
        assert all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b)), c
    assert again.missing_notes == frame.missing_notes

    pa = pytest.importorskip("pyarrow")
    table = frame.to_arrow()
    assert table.column_names == ["account_id", *frame.columns]
    assert table.num_rows == len(frame)
    first = frame.columns[0]
    nan = sum(1 for x in frame.column(first) if math.isnan(x))
    assert table.column(first).null_count == nan  # missing is null, not NaN
    assert pa.table(frame).equals(table)  # the PyCapsule stream gives the same table
    pl = pytest.importorskip("polars")
    df = frame.to_polars()
    assert df.columns == table.column_names and df.height == len(frame)
    assert df[first].null_count() == nan
    assert pl.DataFrame(frame).equals(df)


def test_a_missing_owner_is_missing(book: csops.Book, forecast: csops.RenewalForecast) -> None:
    lines = forecast.lines
    unowned = {a["id"] for a in book.accounts() if a.get("owner_csm") is None}
    assert unowned, "the sample book has accounts without an owner"
    missing = lines[lines["csm"].isna()]
    assert len(missing) > 0
    assert set(missing["account_id"]) <= unowned
    assert not (lines["csm"] == "none").any()
    # The subtotal still counts them, under the core's label for "no CSM".
    by_csm = forecast.by_csm.set_index("csm")
    assert by_csm.loc["none", "renewals"] == len(missing)


def test_a_band_has_one_dtype_in_every_table(book: csops.Book) -> None:
    card = csops.Scorecard.default_heuristic()
    day = book.latest_date()
    scores = card.score(book.features_as_of(day))
    dtype = scores["band"].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
    assert list(dtype.categories) == [b["name"] for b in card.to_dict()["bands"]]
    bt = csops.backtest(book, card)
    tables = {
        "health_as_of": book.health_as_of(card, day),
        "observations": bt.observations,
        "bands": bt.bands,
        "survival": bt.survival,
        "forecast lines": csops.forecast(book, health=scores).lines,
    }
    # A window whose renewals are all in one band still has every band as a category.
    narrow = csops.forecast(book, health=scores, start="2026-11-01", end="2026-11-03").lines
    assert set(narrow["band"].dropna()) == {"yellow"}
    tables["forecast lines of one band"] = narrow
    for name, table in tables.items():
        assert table["band"].dtype == dtype, (name, table["band"].dtype)
    # Tables join on the band without falling back to object.
    merged = tables["observations"].merge(tables["bands"].query("slice == 'all'"), on="band")
    assert merged["band"].dtype == dtype
    # Unscored is missing, as in the scores.
    obs = tables["observations"]
    assert obs["band"].isna().sum() == obs["score"].isna().sum()


def test_every_result_pickles(book: csops.Book) -> None:
    import pickle

    card = csops.Scorecard.default_heuristic()
    last = book.latest_date()
    bt = csops.backtest(book, card)
    features = book.features_as_of(last)
    forecast = csops.forecast(book)
    segmentation = book.segment()
    replay = csops.replay_plays(
        book, csops.Playbook.sponsor_left(), last - datetime.timedelta(days=27), last
    )
    results = {
        "Backtest": bt,
        "Recalibration": bt.recalibrate(),
        "Explanation": card.explain(features, features.account_ids[0]),
        "ArrBridge": book.arr_bridge(last - datetime.timedelta(days=365), last),
        "RenewalForecast": forecast,
        "Reconciliation": forecast.reconcile(book),
        "Segmentation": segmentation,
        "WhatIf": segmentation.what_if(csops.TierRules.default()),
        "PlayRun": csops.run_plays(book, csops.Playbook.sponsor_left(), last),
        "PlayReplay": replay,
        "FireHistory": replay.history,
        "ValidationReport": book.report,
        "Problem": book.report.problems[0],
    }
    for name, result in results.items():
        assert type(result).__name__ == name
        again = pickle.loads(pickle.dumps(result))
        assert type(again) is type(result), name
        assert repr(again) == repr(result), name
        assert str(again) == str(result), name
        if hasattr(result, "to_dict"):
            assert again.to_dict() == result.to_dict(), name
    # Tables read from a restored result are the same tables.
    again = pickle.loads(pickle.dumps(bt))
    pd.testing.assert_frame_equal(again.observations, bt.observations)
    again = pickle.loads(pickle.dumps(segmentation))
    pd.testing.assert_frame_equal(again.assignment, segmentation.assignment)


def test_table_results_convert_to_every_kind(book: csops.Book) -> None:
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    last = book.latest_date()
    frames = {
        kind: csops.forecast(book, frame=kind).lines for kind in ["pandas", "polars", "pyarrow"]
    }
    exact = frames["pyarrow"]
    # Every kind speaks the Arrow PyCapsule interface, so any Arrow reader takes it.
    for kind, table in frames.items():
        assert hasattr(table, "__arrow_c_stream__"), kind
        read = pa.table(table)
        assert read.num_rows == exact.num_rows and read.column_names == exact.column_names
    # polars keeps the exact amounts as decimals; pandas has them as float64.
    assert isinstance(frames["polars"].schema["arr"], pl.Decimal)
    assert frames["polars"]["renewal_date"].dtype == pl.Date
    assert frames["pandas"]["arr"].dtype == np.float64
    assert pa.table(frames["pandas"]).column("renewal_date").type == pa.timestamp("s")
    bridge = book.arr_bridge(last - datetime.timedelta(days=365), last, frame="polars")
    assert pl.DataFrame(bridge.accounts).height == bridge.accounts.height


def test_a_tier_has_one_dtype_in_every_table(book: csops.Book) -> None:
    seg = book.segment()
    dtype = seg.tiers["tier"].dtype
    assert isinstance(dtype, pd.CategoricalDtype)
    assert list(dtype.categories) == csops.TierRules.default().tiers
    for name in ["coverage", "csms", "assignment", "owners"]:
        table = getattr(seg, name)
        assert table["tier"].dtype == dtype, (name, table["tier"].dtype)
    # So a tier's accounts and its coverage row join as categories.
    joined = seg.tiers.merge(seg.coverage, on="tier", suffixes=("", "_tier"))
    assert joined["tier"].dtype == dtype and len(joined) == len(seg.tiers)
