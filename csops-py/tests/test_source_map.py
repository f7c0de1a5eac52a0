"""Loading a team's own exports through a source map, as a notebook user would.

The transforms and shapes themselves are checked by the conformance vectors (the same files
in Rust, Python and Node); this file checks the Python surface: every way of giving the map,
the errors, the notes, and the shipped messy export against the plain sample book.
"""

from __future__ import annotations

import datetime
import json
import pathlib
from typing import Any

import pytest

import csops

from conftest import REPO

EXPORTS = REPO / "data" / "exports-sample"
MAP = EXPORTS / "source-map.toml"

ACCOUNTS = "Account ID,Name,Currency,ARR,Since\nA1,Acme,,100,03/15/2024\n"
MAP_DICT = {
    "accounts": {
        "files": ["crm.csv"],
        "columns": {
            "id": "Account ID",
            "name": "Name",
            "currency": {"from": "Currency", "default": "USD"},
            "arr": "ARR",
            "start_date": {"from": "Since", "format": "%m/%d/%Y"},
        },
    }
}


def _load(source_map: object) -> csops.Book:
    return csops.load_book_csv({"crm.csv": ACCOUNTS}, source_map=source_map)


def test_a_source_map_may_be_a_dict_toml_text_or_a_path(tmp_path: pathlib.Path) -> None:
    toml = (
        '[accounts]\nfiles = ["crm.csv"]\ncolumns.id = "Account ID"\ncolumns.name = "Name"\n'
        'columns.currency = { from = "Currency", default = "USD" }\ncolumns.arr = "ARR"\n'
        'columns.start_date = { from = "Since", format = "%m/%d/%Y" }\n'
    )
    (tmp_path / "map.toml").write_text(toml)
    (tmp_path / "map.json").write_text(json.dumps(MAP_DICT))
    books = [
        _load(MAP_DICT),
        _load(toml),
        _load(tmp_path / "map.toml"),
        _load(str(tmp_path / "map.json")),
        # JSON text is the map too (the core's rule: text starting with `{` is JSON)
        _load(json.dumps(MAP_DICT)),
    ]
    docs = [json.loads(b.to_json()) for b in books]
    assert all(d == docs[0] for d in docs)
    account = docs[0]["accounts"][0]
    assert (account["currency"], account["start_date"]) == ("USD", "2024-03-15")
    notes = books[0].report.notes
    assert {n["field"] for n in notes} == {"currency", "start_date"}
    assert all(n["row"] is None and n["file"] == "crm.csv" for n in notes)


def test_every_mistake_in_a_map_is_one_config_error() -> None:
    bad = {"acounts": {}, "accounts": {"columns": {"naem": "Name", "arr": {"scale": "x"}}}}
    with pytest.raises(csops.ConfigError) as info:
        _load(bad)
    assert isinstance(info.value, ValueError)
    with pytest.raises(csops.ConfigError) as info:
        _load({"acounts": {}, "accounts": {"columns": {"naem": "Name"}}})
    problems = info.value.problems
    assert len(problems) == 2
    assert "[accounts.columns.naem]" in problems[0] and "did you mean `name`" in problems[0]
    assert "[acounts]" in problems[1] and "did you mean `accounts`" in problems[1]
    # A value of another type is a TypeError (csops.ArgumentError), as Node's
    # CSOPS_INVALID_ARGUMENT; the rule for what a map may be is the core's.
    with pytest.raises(csops.ArgumentError, match="source_map: .*an object, TOML text, or the path of a .toml or .json file"):
        _load(42)


def test_a_header_the_map_names_but_the_file_lacks_fails_even_a_lenient_load() -> None:
    m = json.loads(json.dumps(MAP_DICT))
    m["accounts"]["columns"]["arr"] = "Annual Revenue"
    with pytest.raises(csops.ValidationError) as info:
        csops.load_book_csv({"crm.csv": ACCOUNTS}, mode="lenient", source_map=m)
    (problem,) = [p for p in info.value.problems if p.field == "arr"]
    assert problem.row is None and problem.kind == "missing"
    assert "`Annual Revenue`" in problem.reason


def test_the_shipped_export_loads_as_the_sample_book() -> None:
    plain = csops.load_book(REPO / "data" / "sample-book", mode="lenient")
    messy = csops.load_book(EXPORTS, mode="lenient", source_map=MAP)
    counts, plain_counts = messy.counts(), plain.counts()
    # The wide table's blank cells are snapshots without a value (469 of them); all else equal.
    assert counts.pop("usage_snapshots") - plain_counts.pop("usage_snapshots") == 469
    assert counts == plain_counts
    assert len(messy.report.problems) == len(plain.report.problems) == 9
    row_notes = [n for n in messy.report.notes if n["row"] is not None]
    assert len(row_notes) == 191
    assert all("no earlier addition" in n["note"] for n in row_notes)
    frame = messy.features_as_of("2026-09-30", config={"snapshot_metrics": ["active_users"]})
    blank = [n for n in frame.missing_notes if n["why"]["kind"] == "no_value_for_period"]
    assert blank, "some accounts' last month is blank in the wide table"
    assert all(frame.value(n["account_id"], n["feature"]) is None for n in blank)


def test_explanations_say_why_a_measure_is_missing() -> None:
    book = csops.load_book_csv(
        {
            "accounts": "id,name,currency,arr,start_date\nA1,Acme,USD,1000,2023-01-01\n",
            "surveys": "id,account_id,date,kind,score\nS1,A1,2023-11-01,nps,9\n",
        }
    )
    frame = book.features_as_of("2024-06-30")
    card = csops.Scorecard.default_heuristic()
    why = {m["name"]: m.get("missing_why") for m in card.explain(frame, "A1").measures}
    assert why["nps"] == {
        "kind": "stale",
        "last_value_on": "2023-11-01",
        "stale_since": "2024-04-30",
    }


# Frames in ---------------------------------------------------------------------------------

SAMPLE = REPO / "data" / "sample-book"


def _normalised(book: csops.Book) -> dict[str, Any]:
    """The book's JSON document with amounts as Decimals (a float frame writes 0.0 for 0.00)."""
    from decimal import Decimal

    doc = json.loads(book.to_json())
    for records in doc.values():
        if not isinstance(records, list):
            continue
        for r in records:
            for k, v in r.items():
                if isinstance(v, dict) and set(v) >= {"amount"}:
                    v["amount"] = Decimal(v["amount"])
                elif k in {"arr", "amount", "arr_before", "arr_after", "rate"} and isinstance(v, str):
                    r[k] = Decimal(v)
    return doc


def test_pandas_frames_load_as_the_csv_files_do() -> None:
    pd = pytest.importorskip("pandas")
    frames = {
        p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""], dtype={"user_id": str})
        for p in sorted(SAMPLE.glob("*.csv"))
    }
    # Dates as datetime64, as a notebook would have them.
    frames["tickets"]["opened"] = pd.to_datetime(frames["tickets"]["opened"])
    from_frames = csops.load_book_tables(frames, mode="lenient")
    from_files = csops.load_book(SAMPLE, mode="lenient")
    assert from_frames.counts() == from_files.counts()
    assert _normalised(from_frames) == _normalised(from_files)
    # Seats came in as float64 (the column has blanks): whole numbers all the same.
    assert frames["accounts"]["seats"].dtype == "float64"
    assert [p.kind for p in from_frames.report.problems] == [
        p.kind for p in from_files.report.problems
    ]
    # Rows are numbered from 1 in a table (the CSV's header is line 1).
    assert [p.row for p in from_frames.report.problems] == [
        p.row - 1 for p in from_files.report.problems if p.row is not None
    ]


def test_polars_and_pyarrow_tables_go_through_the_source_map() -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    crm = pl.DataFrame(
        {
            "Account ID": ["A1", "A2"],
            "Name": ["Acme", "Beta"],
            "Currency": [None, "EUR"],
            "ARR": [100.5, 20.0],
            "Since": ["03/15/2024", "01/02/2023"],
            "seats": [202.0, 12.5],
        }
    )
    tickets = pa.table(
        {
            "id": ["T1"],
            "account_id": ["A1"],
            "opened": pa.array([datetime.date(2024, 4, 1)], pa.date32()),
            "priority": ["high"],
            "status": ["open"],
        }
    )
    book = csops.load_book_tables(
        {"crm.csv": crm, "tickets": tickets}, mode="lenient", source_map=MAP_DICT
    )
    doc = json.loads(book.to_json())
    assert [a["id"] for a in doc["accounts"]] == ["A1"]
    assert doc["accounts"][0]["seats"] == 202
    assert doc["accounts"][0]["currency"] == "USD"
    assert doc["tickets"][0]["opened"] == "2024-04-01"
    (problem,) = book.report.problems
    assert (problem.file, problem.row, problem.field, problem.kind) == (
        "crm.csv",
        2,
        "seats",
        "malformed",
    )


def test_tables_must_be_a_mapping_of_frames() -> None:
    with pytest.raises(TypeError, match="mapping of record type"):
        csops.load_book_tables([1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"tables\['accounts'\] must be a pandas"):
        csops.load_book_tables({"accounts": [1, 2]})


def test_a_directory_of_parquet_files_loads_as_its_csv_files(tmp_path: pathlib.Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow.csv as pcsv

    for p in sorted(SAMPLE.glob("*.csv")):
        # Every column as text, as the CSV has it (pyarrow would otherwise guess types, and
        # read `NA` as null); the Parquet typing itself is checked by the Rust suite.
        names = p.read_text().splitlines()[0].split(",")
        table = pcsv.read_csv(
            p,
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
        pq.write_table(table, tmp_path / f"{p.stem}.parquet", compression="zstd")
    from_parquet = csops.load_book(tmp_path, mode="lenient")
    from_csv = csops.load_book(SAMPLE, mode="lenient")
    assert from_parquet.to_json() == from_csv.to_json()
    assert [p.kind for p in from_parquet.report.problems] == [
        p.kind for p in from_csv.report.problems
    ]
    assert from_parquet.report.problems[0].file.endswith(".parquet")
