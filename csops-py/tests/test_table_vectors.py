"""The result tables of the sample book (``tests/conformance/tables/``), value for value:
Python's frames are the core's tables (``csops-core/tests/tables.rs``). Every kind of
frame is checked: pyarrow and
polars against the values (exact amounts, dates, categories in order), pandas against the
documented native dtypes (datetime64[s], float64 amounts, ordered band categoricals)."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any, Callable

import pytest

import csops
from conftest import REPO

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

TABLES = REPO / "tests" / "conformance" / "tables"
SAMPLE = REPO / "data" / "sample-book"


@pytest.fixture(scope="module")
def sample() -> csops.Book:
    return csops.load_book(str(SAMPLE), mode="lenient")


_MADE: dict[str, dict[str, Callable[[], Any]]] = {}


def _tables(book: csops.Book, frame: str) -> dict[str, Callable[[], Any]]:
    """Each vector's table, as Python makes it with ``frame`` (the results made once)."""
    if frame not in _MADE:
        _MADE[frame] = _make(book, frame)
    return _MADE[frame]


def _make(book: csops.Book, frame: str) -> dict[str, Callable[[], Any]]:
    card = csops.Scorecard.default_heuristic()
    bt = csops.backtest(book, card, frame=frame)
    latest = book.latest_date()
    health = book.health_as_of(card, latest, frame="pyarrow")
    fc = csops.forecast(book, health=health, frame=frame)
    seg = book.segment(scorecard=card, as_of=latest, frame=frame)
    start = latest - dt.timedelta(days=365)
    return {
        "backtest_bands": lambda: bt.bands,
        "backtest_quarters": lambda: bt.quarters,
        "backtest_measures": lambda: bt.measures,
        "backtest_calibration": lambda: bt.calibration,
        "backtest_lift": lambda: bt.lift,
        "backtest_survival": lambda: bt.survival,
        "backtest_observations": lambda: bt.observations,
        "health_as_of": lambda: book.health_as_of(card, latest, frame=frame),
        "forecast_lines": lambda: fc.lines,
        "forecast_by_segment": lambda: fc.by_segment,
        "forecast_by_csm": lambda: fc.by_csm,
        "forecast_by_month": lambda: fc.by_month,
        "forecast_months": lambda: fc.months,
        "arr_bridge_accounts": lambda: book.arr_bridge(start, latest, frame=frame).accounts,
        "segmentation_tiers": lambda: seg.tiers,
        "segmentation_coverage": lambda: seg.coverage,
        "segmentation_csms": lambda: seg.csms,
        "segmentation_assignment": lambda: seg.assignment,
        "segmentation_owners": lambda: seg.owners,
    }


NAMES = sorted(p.stem for p in TABLES.glob("*.json"))


def test_every_vector_has_a_python_table(sample: csops.Book) -> None:
    assert NAMES and sorted(_tables(sample, "pyarrow")) == NAMES


def _vector(name: str) -> dict[str, Any]:
    return json.loads((TABLES / f"{name}.json").read_text(encoding="utf-8"))


def _same(got: Any, want: Any, kind: str) -> bool:
    """One cell against the vector's (JSON) value, by the column's kind."""
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if kind == "amount":
        return got == Decimal(want)
    if kind == "date":
        return got == dt.date.fromisoformat(want)
    if kind == "number":
        return got == want or (isinstance(want, float) and got == float(want))
    return got == want


ARROW_TYPES = {
    "number": lambda t: pa.types.is_float64(t),
    "count": lambda t: pa.types.is_int64(t),
    "text": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t),
    "flag": lambda t: pa.types.is_boolean(t) or pa.types.is_null(t),
    "date": lambda t: pa.types.is_date32(t),
    "amount": lambda t: pa.types.is_decimal(t),
    "ordered_category": lambda t: pa.types.is_dictionary(t),
    "category": lambda t: pa.types.is_dictionary(t),
}


@pytest.mark.parametrize("name", NAMES)
def test_pyarrow_tables_are_the_core_tables(sample: csops.Book, name: str) -> None:
    want = _vector(name)
    table = _tables(sample, "pyarrow")[name]()
    assert table.column_names == [c["name"] for c in want["schema"]]
    for col in want["schema"]:
        column = table.column(col["name"])
        assert ARROW_TYPES[col["kind"]](column.type), (name, col, column.type)
        if col["categories"] is not None:
            assert column.type.value_type == pa.string()
            values = column.combine_chunks().dictionary.to_pylist()
            assert values == col["categories"], (name, col["name"])
        got, expect = column.to_pylist(), want["columns"][col["name"]]
        assert len(got) == len(expect), (name, col["name"])
        bad = [i for i, (g, w) in enumerate(zip(got, expect)) if not _same(g, w, col["kind"])]
        assert not bad, (name, col["name"], bad[:3], [got[i] for i in bad[:3]], [expect[i] for i in bad[:3]])


PANDAS_DTYPES = {
    "number": lambda d: d == "float64",
    "count": lambda d: d == "int64",
    "text": lambda d: d == object or pd.api.types.is_string_dtype(d),
    "flag": lambda d: d == bool or str(d) == "boolean",
    "date": lambda d: str(d) == "datetime64[s]",
    "amount": lambda d: d == "float64",
    "ordered_category": lambda d: isinstance(d, pd.CategoricalDtype) and d.ordered,
    "category": lambda d: isinstance(d, pd.CategoricalDtype) and not d.ordered,
}


@pytest.mark.parametrize("name", NAMES)
def test_pandas_tables_have_the_native_dtypes_and_the_same_values(
    sample: csops.Book, name: str
) -> None:
    want = _vector(name)
    df = _tables(sample, "pandas")[name]()
    columns = [df.index.name, *df.columns] if df.index.name else list(df.columns)
    assert columns == [c["name"] for c in want["schema"]]
    for col in want["schema"]:
        series = df.index.to_series() if col["name"] == df.index.name else df[col["name"]]
        assert PANDAS_DTYPES[col["kind"]](series.dtype), (name, col, series.dtype)
        if col["categories"] is not None:
            assert list(series.cat.categories) == col["categories"]
        expect = want["columns"][col["name"]]
        for g, w in zip(series.tolist(), expect):
            if w is None:
                assert g is None or pd.isna(g), (name, col["name"], g)
            elif col["kind"] == "amount":
                assert g == float(Decimal(w)), (name, col["name"], g, w)
            elif col["kind"] == "date":
                assert g == pd.Timestamp(w), (name, col["name"], g, w)
            else:
                assert g == w, (name, col["name"], g, w)


@pytest.mark.parametrize("name", NAMES)
def test_polars_tables_are_the_core_tables(sample: csops.Book, name: str) -> None:
    pl = pytest.importorskip("polars")
    want = _vector(name)
    df = _tables(sample, "polars")[name]()
    assert df.columns == [c["name"] for c in want["schema"]]
    for col in want["schema"]:
        s = df[col["name"]]
        if col["categories"] is not None:
            assert s.dtype == pl.Enum(col["categories"]), (name, col["name"], s.dtype)
        got, expect = s.to_list(), want["columns"][col["name"]]
        bad = [i for i, (g, w) in enumerate(zip(got, expect)) if not _same(g, w, col["kind"])]
        assert not bad, (name, col["name"], bad[:3])
