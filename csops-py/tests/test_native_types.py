"""Native types (issue 20): the exact amounts in the Arrow frames' decimal128 columns; books
and feature frames pickle; a feature frame converts to polars and pyarrow and speaks the Arrow
PyCapsule interface. Not yet: pandas frames still hold dates as `datetime.date` objects and
money as `Decimal` objects; the tests of the datetime64 / float64 columns a pandas user
expects are marked xfail (strict, so they fail loudly once the dtypes change) until the 45
tests that read exact Decimals from pandas frames move to `frame="pyarrow"`."""

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


PANDAS_DTYPES = pytest.mark.xfail(
    strict=True,
    reason="issue 20, not done yet: pandas frames hold datetime.date and Decimal objects",
)


@PANDAS_DTYPES
def test_dates_are_datetime64_and_resample(forecast: csops.RenewalForecast) -> None:
    lines = forecast.lines
    assert lines["renewal_date"].dtype.kind == "M", lines.dtypes
    # By month, as a finance user would: the same totals as the forecast's own months.
    monthly = lines.set_index("renewal_date").resample("MS")["arr"].sum()
    monthly = monthly[monthly != 0]
    by_month = forecast.by_month
    assert [d.strftime("%Y-%m") for d in monthly.index] == list(by_month["month"])
    assert np.allclose(monthly.to_numpy(), by_month["arr"].to_numpy(), atol=0.005)


@PANDAS_DTYPES
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
    rows = exact.to_dict()["lines"]
    assert [Decimal(r["arr"]) for r in rows] == table.column("arr").to_pylist()


@PANDAS_DTYPES
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
