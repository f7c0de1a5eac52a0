"""Hostile inputs never crash the interpreter; each raises the right csops error, whose
message names the place (file, row, field, option) where that applies."""

from __future__ import annotations

import errno
import random
from pathlib import Path

import pytest

import csops
from conftest import CLEAN_CSV

ACCOUNTS_HEADER = "id,name,currency,arr,start_date\n"
GOOD_ACCOUNTS = ACCOUNTS_HEADER + "A1,Acme,USD,1,2024-01-01\n"


# Paths ------------------------------------------------------------------------------------------


def test_nonexistent_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-book"
    with pytest.raises(csops.CsopsIOError) as info:
        csops.load_book(missing)
    err = info.value
    assert isinstance(err, OSError) and isinstance(err, csops.CsopsError)
    assert err.filename == str(missing)
    assert str(missing) in str(err)


def test_nonexistent_json_file(tmp_path: Path) -> None:
    missing = tmp_path / "book.json"
    with pytest.raises(OSError) as info:
        csops.load_book(missing)
    err = info.value
    assert isinstance(err, csops.CsopsIOError)
    assert err.errno == errno.ENOENT
    assert err.filename == str(missing)
    assert str(missing) in str(err)


def test_file_that_is_neither_a_directory_nor_json(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(GOOD_ACCOUNTS, encoding="utf-8")
    with pytest.raises(csops.CsopsIOError) as info:
        csops.load_book(path)
    assert "directory of CSV files or a .json document" in str(info.value)
    assert str(path) in str(info.value)


def test_source_of_the_wrong_type() -> None:
    with pytest.raises(TypeError):
        csops.load_book(42)  # type: ignore[arg-type]


# CSV content -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_as_csv_text(seed: int) -> None:
    rng = random.Random(seed)
    garbage = bytes(rng.randrange(256) for _ in range(8192)).decode("latin-1")
    with pytest.raises((csops.ValidationError, csops.FormatError)) as info:
        csops.load_book_csv({"accounts": garbage})
    assert "accounts.csv" in str(info.value)
    # Lenient too: the file lacks the required columns (a file-level error in every mode),
    # and the error's report says why, naming only that file.
    with pytest.raises((csops.ValidationError, csops.FormatError)) as info:
        csops.load_book_csv({"accounts": garbage}, mode="lenient")
    assert "accounts.csv" in str(info.value)
    if isinstance(info.value, csops.ValidationError):
        assert {p.file for p in info.value.problems} == {"accounts.csv"}


def test_binary_garbage_in_an_optional_file_is_named_and_nothing_else_blamed() -> None:
    garbage = "".join(chr(c) for c in range(1, 256)) * 16
    # A file without its required columns fails the load in every mode (it is not a few bad
    # rows); the error names that file only, and lists its rows.
    with pytest.raises((csops.ValidationError, csops.FormatError)) as info:
        csops.load_book_csv({"accounts": GOOD_ACCOUNTS, "tickets": garbage}, mode="lenient")
    assert "tickets.csv" in str(info.value)
    if isinstance(info.value, csops.ValidationError):
        assert {p.file for p in info.value.problems} == {"tickets.csv"}
        report = info.value.report
        assert report is not None
        assert report.files["accounts.csv"]["rejected"] == 0


def test_nul_bytes_and_lone_surrogates() -> None:
    with pytest.raises(csops.ValidationError, match="accounts.csv"):
        csops.load_book_csv({"accounts": "\x00" * 1000})
    # A str that cannot be UTF-8 at all is refused before reaching the core.
    with pytest.raises(UnicodeEncodeError):
        csops.load_book_csv({"accounts": GOOD_ACCOUNTS + "\ud800"})


def test_one_megabyte_single_line() -> None:
    # A header line of 1 MB with no newline: one unknown column, reported with its file.
    with pytest.raises(csops.ValidationError) as info:
        csops.load_book_csv({"accounts": "x" * (1 << 20)})
    assert "accounts.csv" in str(info.value)


def test_one_megabyte_field() -> None:
    # A 1 MB name loads; a 1 MB number is reported at its row and field.
    name = "n" * (1 << 20)
    book = csops.load_book_csv({"accounts": f"{ACCOUNTS_HEADER}A1,{name},USD,1,2024-01-01\n"})
    assert len(book.accounts()[0]["name"]) == 1 << 20
    arr = "9" * (1 << 20)
    with pytest.raises(csops.ValidationError) as info:
        csops.load_book_csv({"accounts": f"{ACCOUNTS_HEADER}A1,Acme,USD,{arr},2024-01-01\n"})
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.field) == ("accounts.csv", 2, "arr")


def test_invalid_utf8_in_a_csv_file(tmp_path: Path) -> None:
    """One bad byte rejects its row (reported with file, row and field), not the whole file."""
    (tmp_path / "accounts.csv").write_bytes(
        ACCOUNTS_HEADER.encode()
        + b"A1,Ac\xff\xfeme,USD,1,2024-01-01\n"
        + b"A2,Fine,USD,1,2024-01-01\n"
    )
    with pytest.raises(csops.ValidationError) as info:
        csops.load_book(tmp_path)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.field, problem.kind) == ("accounts.csv", 2, "name", "malformed")
    assert "utf-8" in problem.reason.lower()
    book = csops.load_book(tmp_path, mode="lenient")
    assert book.account_ids == ["A2"]
    (rejected,) = book.report.rejected
    assert "\ufffd" in rejected["fields"]["name"]


def test_unknown_csv_stem() -> None:
    with pytest.raises(csops.FormatError, match="acounts"):
        csops.load_book_csv({"acounts": GOOD_ACCOUNTS})


def test_texts_of_the_wrong_type() -> None:
    with pytest.raises(TypeError):
        csops.load_book_csv({"accounts": b"id\n"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        csops.load_book_csv(["accounts"])  # type: ignore[arg-type]


# JSON content ------------------------------------------------------------------------------------


def test_deeply_nested_json() -> None:
    for text in ("[" * 100_000, '{"accounts": ' + "[" * 100_000, "{" * 100_000):
        with pytest.raises(csops.FormatError) as info:
            csops.load_book_json(text)
        assert "book.json" in str(info.value)


def test_json_with_wrong_types() -> None:
    with pytest.raises(csops.FormatError) as info:
        csops.load_book_json('{"accounts": 5}')
    assert "`accounts` must be an array" in str(info.value)
    with pytest.raises(csops.FormatError, match="element 1"):
        csops.load_book_json('{"accounts": [5]}')
    with pytest.raises(csops.FormatError, match="JSON object"):
        csops.load_book_json("[]")
    with pytest.raises(csops.FormatError, match="unknown key `acounts`"):
        csops.load_book_json('{"acounts": []}')


def test_malformed_json_file(tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(csops.FormatError, match="book.json"):
        csops.load_book(path)


# Options ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["", "Strict", "loose", "strict "])
def test_unknown_mode(mode: str) -> None:
    with pytest.raises(csops.ConfigError) as info:
        csops.load_book_csv(CLEAN_CSV, mode=mode)  # type: ignore[arg-type]
    err = info.value
    assert isinstance(err, ValueError)
    assert len(err.problems) == 1
    assert "mode" in err.problems[0]


def test_header_map_of_the_wrong_type() -> None:
    # A value of another type is a TypeError (csops.ArgumentError), as in Node
    # (CSOPS_INVALID_ARGUMENT); a map of the wrong shape is a ConfigError (below).
    for bad in (5, 1.5, ["accounts"], object()):
        with pytest.raises(csops.ArgumentError) as info:
            csops.load_book_csv(CLEAN_CSV, header_map=bad)  # type: ignore[arg-type]
        assert "header_map" in str(info.value)


def test_header_map_with_bad_contents(tmp_path: Path) -> None:
    with pytest.raises(csops.ConfigError) as info:
        csops.load_book_csv(CLEAN_CSV, header_map={"accounts": {"X": "nope"}, "acounts": {}})
    problems = info.value.problems
    assert len(problems) == 2
    assert any("nope" in p for p in problems) and any("acounts" in p for p in problems)
    with pytest.raises(csops.ConfigError, match="header map"):
        csops.load_book_csv(CLEAN_CSV, header_map={"accounts": 5})  # type: ignore[dict-item]
    with pytest.raises(csops.ConfigError, match="line 1"):
        csops.load_book_csv(CLEAN_CSV, header_map="[accounts\n")
    circular: dict[str, object] = {}
    circular["accounts"] = circular
    # (a TypeError, as Node's CSOPS_INVALID_ARGUMENT for an object nested too deep)
    with pytest.raises(csops.ArgumentError, match="is it circular"):
        csops.load_book_csv(CLEAN_CSV, header_map=circular)  # type: ignore[arg-type]
    missing = tmp_path / "missing.toml"
    with pytest.raises(csops.CsopsIOError) as io_info:
        csops.load_book_csv(CLEAN_CSV, header_map=missing)
    assert io_info.value.filename == str(missing)


@pytest.mark.parametrize("as_of", ["2024-02-30", "yesterday", "03/31/2024", ""])
def test_features_as_of_a_bad_date_string(book: csops.Book, as_of: str) -> None:
    with pytest.raises(csops.ConfigError) as info:
        book.features_as_of(as_of)
    assert "as_of" in str(info.value)
    assert f"`{as_of}`" in str(info.value)


def test_features_as_of_a_bad_date_type(book: csops.Book) -> None:
    # A wrong type is a TypeError, as Python has it; a string that is no day a ConfigError.
    with pytest.raises(TypeError, match="as_of must be a datetime.date"):
        book.features_as_of(20240331)  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="as_of: `20240331` is not a date"):
        book.features_as_of("20240331")


def test_features_with_an_invalid_config_lists_every_problem(book: csops.Book) -> None:
    config = {
        "usage_window_days": 0,
        "ticket_window_days": 0,
        "dau_mau_window_days": 65,
        "key_features": [],
    }
    with pytest.raises(csops.ConfigError) as info:
        book.features_as_of("2024-03-31", config=config)
    problems = info.value.problems
    assert len(problems) == 4, problems
    for name in ("usage_window_days", "ticket_window_days", "dau_mau_window_days", "key_features"):
        assert sum(name in p for p in problems) == 1, (name, problems)
        assert name in str(info.value)


def test_features_with_a_negative_window(book: csops.Book) -> None:
    # A negative number does not fit the core's unsigned windows: the parser stops at it.
    with pytest.raises(csops.ConfigError, match="-5"):
        book.features_as_of("2024-03-31", config={"usage_window_days": -5})
    with pytest.raises(csops.ConfigError, match="usage_window_days"):
        book.features_as_of("2024-03-31", config="usage_window_days = -5")


def test_features_with_a_config_of_the_wrong_shape(book: csops.Book) -> None:
    with pytest.raises(csops.ConfigError, match="unknown field `usage_window`"):
        book.features_as_of("2024-03-31", config={"usage_window": 7})
    with pytest.raises(csops.ArgumentError, match="config: invalid type: integer `7`"):
        book.features_as_of("2024-03-31", config=7)  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="feature config"):
        book.features_as_of("2024-03-31", config="{not json")
    # NaN is no option value: a TypeError, as every non-finite option (options are JSON's)
    with pytest.raises(csops.ArgumentError, match="config.usage_window_days: NaN"):
        book.features_as_of("2024-03-31", config={"usage_window_days": float("nan")})


def test_extreme_dates(book: csops.Book) -> None:
    import datetime

    assert len(book.features_as_of(datetime.date.min)) == 0
    assert len(book.features_as_of(datetime.date.max)) == 2


def test_dates_python_cannot_represent() -> None:
    # The core reads signed and five-digit years (`-2024-01-01`, `+12345-01-01`); Python dates
    # stop at years 1..9999. Either the load rejects them, or converting them names the value.
    texts = {
        "accounts": f"{ACCOUNTS_HEADER}A1,Acme,USD,1,-2024-01-01\n",
        "tickets": "id,account_id,opened,priority,status\nT1,A1,+12345-01-01,low,open\n",
    }
    try:
        book = csops.load_book_csv(texts)
    except csops.ValidationError as e:
        assert {p.field for p in e.problems} <= {"start_date", "opened"}
        return
    with pytest.raises(ValueError, match="account `A1`, field `start_date`: -2024-01-01"):
        book.accounts()
    with pytest.raises(ValueError, match="latest_date: \\+12345-01-01"):
        book.latest_date()
