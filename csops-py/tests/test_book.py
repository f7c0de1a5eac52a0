"""Loading books, reading them back, writing them, and deriving features."""

from __future__ import annotations

import datetime
import json
import math
import pathlib
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import csops
from conftest import BAD_CSV, CLEAN_CSV, REPO

SAMPLE_BOOK = REPO / "data" / "sample-book"


def same_floats(a: list[float], b: list[float]) -> bool:
    """Equal lists of floats, NaN equal to NaN."""
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b)
    )


# Loading and round trips --------------------------------------------------------------


def test_counts(book: csops.Book) -> None:
    counts = book.counts()
    assert counts["accounts"] == 2
    assert counts["usage_events"] == 3
    assert counts["tickets"] == 2
    assert counts["meetings"] == 1
    assert counts["renewal_outcomes"] == 0
    assert list(counts)[0] == "accounts"
    assert all(isinstance(n, int) for n in counts.values())
    assert len(book) == 2
    assert book.account_ids == ["A1", "A2"]
    assert book.report.is_clean


def test_write_csv_round_trips(book: csops.Book, tmp_path: Path) -> None:
    out = tmp_path / "book"
    written = book.write_csv(out)
    assert written, "nothing written"
    assert all(isinstance(p, pathlib.Path) and p.is_file() for p in written)
    assert out / "accounts.csv" in written
    for source in (out, str(out)):
        again = csops.load_book(source)
        assert again.counts() == book.counts()
        assert again.to_json() == book.to_json()
        assert again.report.is_clean


def test_load_book_json_file(book: csops.Book, tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    path.write_text(book.to_json(), encoding="utf-8")
    again = csops.load_book(path)
    assert again.counts() == book.counts()
    assert again.to_json() == book.to_json()
    # Upper-case extension, str path.
    upper = tmp_path / "BOOK.JSON"
    upper.write_text(book.to_json(), encoding="utf-8")
    assert csops.load_book(str(upper)).counts() == book.counts()


def test_load_book_json_text(book: csops.Book) -> None:
    text = book.to_json()
    doc = json.loads(text)
    assert doc["schema_version"] == 1
    assert [a["id"] for a in doc["accounts"]] == ["A1", "A2"]
    assert csops.load_book_json(text).to_json() == text


def test_load_book_csv_accepts_any_mapping(book: csops.Book) -> None:
    from types import MappingProxyType

    again = csops.load_book_csv(MappingProxyType(CLEAN_CSV))
    assert again.to_json() == book.to_json()


def test_strict_is_the_default() -> None:
    with pytest.raises(csops.ValidationError) as info:
        csops.load_book_csv(BAD_CSV)
    err = info.value
    assert len(err.problems) == 2
    assert err.report is not None
    assert err.report.problems == err.problems
    assert len(err.report.rejected) == 2
    assert "tickets.csv" in str(err)


# Accounts and dates ---------------------------------------------------------------------


def test_latest_date_is_a_date(book: csops.Book) -> None:
    latest = book.latest_date()
    assert type(latest) is datetime.date
    assert latest == datetime.date(2024, 4, 2)


def test_latest_date_none_without_dated_records() -> None:
    only_accounts = csops.load_book_csv({"accounts": CLEAN_CSV["accounts"]})
    assert only_accounts.latest_date() is None


def test_accounts_use_decimal_and_date(book: csops.Book) -> None:
    a1, a2 = book.accounts()
    assert a1["id"] == "A1"
    assert a1["arr"] == Decimal("1000.00")
    assert isinstance(a1["arr"], Decimal)
    assert str(a1["arr"]) == "1000.00"  # exact, scale kept
    assert a1["currency"] == "USD"
    assert a2["arr"] == Decimal("2000.50")
    assert a2["currency"] == "EUR"
    assert a1["start_date"] == datetime.date(2024, 1, 1)
    assert a1["renewal_date"] == datetime.date(2024, 6, 30)
    assert a2["renewal_date"] is None
    assert a1["seats"] == 4
    assert a2["seats"] is None
    assert a1["segment"] == "enterprise"
    assert a1["owner_csm"] is None
    assert a1["attributes"] == {"source": "web"}
    assert a2["attributes"] == {}


# Header maps -------------------------------------------------------------------------------

CRM_EXPORT = {
    "accounts": (
        "Account ID,Account Name,Currency,ARR,Start,Notes,Source\n"
        "A1,Acme,USD,5.00,2024-01-01,hi,web\n"
    )
}
CRM_MAP = {
    "accounts": {
        "Account ID": "id",
        "Account Name": "name",
        "Currency": "currency",
        "ARR": "arr",
        "Start": "start_date",
        "Notes": "",
        "Source": "attr.source",
    }
}
CRM_TOML = """
[accounts]
"Account ID" = "id"
"Account Name" = "name"
"Currency" = "currency"
"ARR" = "arr"
"Start" = "start_date"
"Notes" = ""
"Source" = "attr.source"
"""


def test_header_map_forms(tmp_path: Path) -> None:
    toml_path = tmp_path / "map.toml"
    toml_path.write_text(CRM_TOML, encoding="utf-8")
    json_path = tmp_path / "map.json"
    json_path.write_text(json.dumps(CRM_MAP), encoding="utf-8")
    forms: list[object] = [CRM_MAP, CRM_TOML, toml_path, str(toml_path), json_path, str(json_path)]
    books = [csops.load_book_csv(CRM_EXPORT, header_map=form) for form in forms]  # type: ignore[arg-type]
    for b in books:
        (account,) = b.accounts()
        assert account["id"] == "A1"
        assert account["arr"] == Decimal("5.00")
        assert account["attributes"] == {"source": "web"}
    assert len({b.to_json() for b in books}) == 1


def test_header_map_on_a_directory(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(CRM_EXPORT["accounts"], encoding="utf-8")
    b = csops.load_book(tmp_path, header_map=CRM_MAP)
    assert b.account_ids == ["A1"]
    with pytest.raises(csops.ValidationError, match="Account ID"):
        csops.load_book(tmp_path)


# Features ------------------------------------------------------------------------------------


def test_features_as_of_date_or_string(book: csops.Book) -> None:
    by_date = book.features_as_of(datetime.date(2024, 3, 31))
    by_text = book.features_as_of("2024-03-31")
    by_datetime = book.features_as_of(datetime.datetime(2024, 3, 31, 23, 59))
    for frame in (by_date, by_text, by_datetime):
        assert frame.as_of == datetime.date(2024, 3, 31)
        assert type(frame.as_of) is datetime.date
    assert by_date.columns == by_text.columns
    for name in by_date.columns:
        assert same_floats(by_date.column(name), by_text.column(name))
        assert same_floats(by_date.column(name), by_datetime.column(name))


def test_feature_frame(book: csops.Book) -> None:
    frame = book.features_as_of("2024-03-31")
    assert len(frame) == 2
    assert frame.account_ids == ["A1", "A2"]
    assert "nps" in frame.columns and "days_to_renewal" in frame.columns
    assert frame.value("A1", "nps") == pytest.approx(0.0)
    assert frame.value("A1", "exec_sponsor_present") == 1.0
    assert frame.value("A1", "days_to_renewal") == 91.0
    assert frame.value("A1", "days_since_last_ebr") == 16.0
    assert frame.value("A2", "open_high_priority_tickets") == 1.0
    assert frame.value("A2", "nps") is None  # missing
    assert frame.value("nobody", "nps") is None
    nps = frame.column("nps")
    assert nps[0] == 0.0 and math.isnan(nps[1])
    with pytest.raises(KeyError, match="no_such_feature"):
        frame.column("no_such_feature")

    as_dict = frame.to_dict()
    assert list(as_dict) == ["account_id", *frame.columns]
    assert as_dict["account_id"] == ["A1", "A2"]
    assert same_floats(as_dict["nps"], nps)  # type: ignore[arg-type]

    summary = frame.summary()
    assert [s["name"] for s in summary] == frame.columns
    nps_summary = summary[frame.columns.index("nps")]
    assert nps_summary == {
        "name": "nps",
        "present": 1,
        "missing": 1,
        "mean": 0.0,
        "min": 0.0,
        "median": 0.0,
        "max": 0.0,
    }
    text = frame.render_summary()
    assert text.startswith("features as of 2024-03-31 (2 accounts)")
    assert "days_to_renewal" in text


def test_feature_config_forms(book: csops.Book) -> None:
    as_dict = {"usage_window_days": 7, "snapshot_metrics": ["seats_used"]}
    as_toml = 'usage_window_days = 7\nsnapshot_metrics = ["seats_used"]\n'
    as_json = json.dumps(as_dict)
    frames = [book.features_as_of("2024-03-31", config=c) for c in (as_dict, as_toml, as_json)]
    for frame in frames:
        assert frame.columns[-1] == "snapshot.seats_used"
        assert frame.value("A1", "snapshot.seats_used") is None
    default = book.features_as_of("2024-03-31")
    assert "snapshot.seats_used" not in default.columns
    # A 7-day window on 2024-03-31 sees one login by one user: 1 login/user/week.
    assert frames[0].value("A1", "logins_per_user_week") == pytest.approx(1.0)
    assert default.value("A1", "logins_per_user_week") == pytest.approx(0.125)


def test_to_pandas(book: csops.Book) -> None:
    pd = pytest.importorskip(
        "pandas", reason="pandas is not installed (scripts/test-python.sh installs it)"
    )
    frame = book.features_as_of("2024-03-31")
    df = frame.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "account_id"
    assert list(df.index) == ["A1", "A2"]
    assert list(df.columns) == frame.columns
    assert all(str(t) == "float64" for t in df.dtypes)
    assert df.loc["A1", "days_to_renewal"] == 91.0
    assert math.isnan(df.loc["A2", "nps"])


def test_to_pandas_on_an_empty_frame(book: csops.Book) -> None:
    pytest.importorskip("pandas", reason="pandas is not installed")
    df = book.features_as_of("2000-01-01").to_pandas()
    assert df.shape == (0, 15)


def test_to_pandas_without_pandas(book: csops.Book, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match="needs pandas"):
        book.features_as_of("2024-03-31").to_pandas()


# Reports and problems -----------------------------------------------------------------------


def test_clean_report(book: csops.Book) -> None:
    report = book.report
    assert report is book.report
    assert report.is_clean
    assert report.problems == []
    assert report.rejected == []
    assert report.files["accounts.csv"] == {"read": 2, "loaded": 2, "rejected": 0}
    assert "no problems" in report.render()
    assert report.summary().startswith("0 problem(s)")


def test_lenient_report(lenient_book: csops.Book) -> None:
    report = lenient_book.report
    assert not report.is_clean
    assert lenient_book.counts()["tickets"] == 1
    first, second = report.problems
    assert (first.file, first.row, first.record_id, first.field, first.kind) == (
        "tickets.csv",
        2,
        "T1",
        "priority",
        "unknown_value",
    )
    assert "critical" in first.reason
    assert second.kind == "unknown_reference" and second.field == "account_id"
    assert str(first) == f"tickets.csv, row 2 (T1), field `priority`: {first.reason}"

    assert report.files["tickets.csv"] == {"read": 3, "loaded": 1, "rejected": 2}
    rejected = report.rejected
    assert [r["row"] for r in rejected] == [2, 3]
    assert rejected[0]["file"] == "tickets.csv"
    assert rejected[0]["record_id"] == "T1"
    assert rejected[0]["fields"]["priority"] == "critical"

    as_dict = report.to_dict()
    assert set(as_dict) == {"problems", "rejected", "files", "notes"}
    assert report.notes == []
    assert as_dict["problems"][0] == first.to_dict()
    assert first.to_dict() == {
        "file": "tickets.csv",
        "row": 2,
        "record_id": "T1",
        "field": "priority",
        "kind": "unknown_value",
        "reason": first.reason,
    }
    assert "2 problem(s)" in report.render()
    assert "unknown_value" in report._repr_html_()


def test_problem_value_semantics(lenient_book: csops.Book) -> None:
    a = lenient_book.report.problems
    # One list, built on first access (a loop over report.problems[i] is not quadratic).
    assert a is lenient_book.report.problems
    b = csops.load_book_csv(BAD_CSV, mode="lenient").report.problems  # equal, not the same
    assert a == b and a[0] is not b[0]
    assert hash(a[0]) == hash(b[0])
    assert a[0] != a[1]
    assert a[0] != "not a problem"
    assert len({*a, *b}) == 2
    with pytest.raises(AttributeError):
        a[0].row = 3  # type: ignore[misc]


def test_html_is_escaped() -> None:
    book = csops.load_book_csv(
        {"accounts": "id,name,currency,arr,start_date\nA<1>,x,USD,-1,2024-01-01\nA2,y,USD,1,2024-01-01\n"},
        mode="lenient",
    )
    html = book.report._repr_html_()
    assert "A&lt;1&gt;" in html and "A<1>" not in html


# Objects and reprs --------------------------------------------------------------------------


def test_reprs(book: csops.Book, lenient_book: csops.Book) -> None:
    assert repr(book) == (
        "<Book 2 accounts, 1 contacts, 1 contact roles, 3 usage events, 2 tickets, "
        "2 surveys, 1 meetings>"
    )
    frame = book.features_as_of("2024-03-31")
    assert repr(frame) == "<FeatureFrame as of 2024-03-31: 2 accounts × 15 features>"
    assert repr(book.report) == "<ValidationReport: 0 problem(s); 0 of 12 row(s) rejected>"
    assert repr(lenient_book.report).startswith(
        "<ValidationReport: 2 problem(s); 2 of 5 row(s) rejected; first: tickets.csv, row 2"
    )
    problem = lenient_book.report.problems[0]
    assert repr(problem).startswith(
        "Problem(file='tickets.csv', row=2, record_id='T1', field='priority', "
        "kind='unknown_value', reason="
    )


def test_objects_are_immutable_and_not_constructible(book: csops.Book) -> None:
    with pytest.raises(AttributeError):
        book.report = None  # type: ignore[misc, assignment]
    for cls in (csops.Book, csops.FeatureFrame, csops.ValidationReport, csops.Problem):
        with pytest.raises(TypeError):
            cls()
        assert cls.__module__ == "csops"


# The sample book -------------------------------------------------------------------------------


def test_sample_book_lenient_keeps_what_is_valid() -> None:
    assert SAMPLE_BOOK.is_dir(), "data/sample-book/ ships with the repository"
    book = csops.load_book(SAMPLE_BOOK, mode="lenient")
    report = book.report
    assert len(book) > 0
    assert not report.is_clean, "the sample book is expected to carry some bad rows"
    assert report.rejected
    loaded = sum(c["loaded"] for c in report.files.values())
    assert loaded > len(report.rejected)
    assert all(p.file for p in report.problems)
    with pytest.raises(csops.ValidationError) as info:
        csops.load_book(SAMPLE_BOOK)
    assert len(info.value.problems) == len(report.problems)
    latest = book.latest_date()
    assert latest is not None
    frame = book.features_as_of(latest)
    assert 0 < len(frame) <= len(book)


def test_a_day_argument_follows_the_cores_one_rule(book: csops.Book) -> None:
    # The same texts Node refuses (csops_core::interchange::parse_day): a ConfigError naming
    # the argument, never a bare ValueError later.
    for bad in ["2026-1-1", "+2026-01-01", "-0001-01-01", "24-01-01", "2026-02-30", "0000-01-01"]:
        with pytest.raises(csops.ConfigError, match="as_of"):
            book.features_as_of(bad)
    assert book.features_as_of(" 2024-03-31 ").as_of == datetime.date(2024, 3, 31)
