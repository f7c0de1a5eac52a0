"""The ARR bridge and retention against an independent pandas implementation, from Python:
the values in ``tests/vectors/retention.json`` were computed by
``scripts/reference/retention_pandas.py`` from the CSV files of a generated book. The same
book is generated here (``csops.generate_book``, the core's generator) and compared as
``csops-core/tests/retention_vectors.rs`` and ``csops-node/__test__/retention-vectors.test.mjs``
do: amounts exactly as decimals, counts exactly, rates within 1e-12 relative. The
``fallbacks`` book is the generated one with the vector's transform applied to its JSON
document (snapshots and renewal outcomes dropped, win-backs)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest

import csops
from conftest import REPO

pytest.importorskip("pandas", reason="retention tables are pandas DataFrames")

VECTORS = json.loads((REPO / "tests" / "vectors" / "retention.json").read_text())


@pytest.fixture(scope="module")
def generated() -> csops.Book:
    g = VECTORS["generator"]
    return csops.generate_book(**g)


class Counter:
    n = 0


def same_amount(what: str, got: Any, want: str) -> None:
    assert Decimal(str(got)) == Decimal(want), f"{what}: python {got}, pandas {want}"
    Counter.n += 1


def same_count(what: str, got: int, want: int) -> None:
    assert got == want, what
    Counter.n += 1


def close(what: str, got: float | None, want: float | None) -> None:
    if want is None:
        assert got is None or got != got, f"{what}: {got}, want none"  # None or NaN
    else:
        assert got is not None and abs(got - want) <= 1e-12 * abs(want), f"{what}: {got} vs {want}"
    Counter.n += 1


def day(s: str) -> datetime.date:
    return datetime.date.fromisoformat(s)


def check_retention(what: str, r: dict[str, Any], w: dict[str, Any], start: str, end: str) -> None:
    assert r["label"] == w["label"], what
    if "from" in r:
        assert (r["from"], r["to"]) == (day(start), day(end)), what
    assert r["currency"] == VECTORS["reporting_currency"], what
    what = f"{what} [{r['label']}]"
    same_count(f"{what} logos", r["logos"], w["logos"])
    same_count(f"{what} logos_retained", r["logos_retained"], w["logos_retained"])
    for k in ("start_arr", "retained_arr", "end_arr"):
        same_amount(f"{what} {k}", r[k], w[k])
    for k in ("grr", "nrr", "logo_retention"):
        close(f"{what} {k}", r[k], w[k])


def check_bridge(what: str, b: csops.ArrBridge, w: dict[str, Any]) -> None:
    assert b.currency == VECTORS["reporting_currency"], what
    for k in ("start", "new", "expansion", "contraction", "churn", "reactivation", "end"):
        same_amount(f"{what} bridge {k}", getattr(b, k), w[k])
    for k in ("logos_start", "logos_new", "logos_churned", "logos_reactivated", "logos_end"):
        same_count(f"{what} bridge {k}", getattr(b, k), w[k])
    accounts = b.to_dict()["accounts"]
    same_count(f"{what} accounts_listed", len(accounts), w["accounts_listed"])
    kinds: dict[str, int] = {}
    for a in accounts:
        kinds[a["movement"]] = kinds.get(a["movement"], 0) + 1
    for k, n in w["movement_counts"].items():
        same_count(f"{what} movement {k}", kinds.get(k, 0), n)
    assert set(kinds) <= set(w["movement_counts"]), what


def check_book(name: str, book: csops.Book) -> None:
    w = next(b for b in VECTORS["books"] if b["name"] == name)
    before = Counter.n
    for p in w["periods"]:
        what = f"{name} {p['from']}..{p['to']}"
        b = book.arr_bridge(p["from"], p["to"])
        check_bridge(what, b, p["bridge"])
        (r,) = book.retention(p["from"], p["to"], frame="pyarrow").to_pylist()
        check_retention(what, r, p["retention"], p["from"], p["to"])
        assert r["start_arr"] == b.start, what
        for cut, rows in p["cuts"].items():
            got = book.retention(p["from"], p["to"], by=cut, frame="pyarrow").to_pylist()
            assert [x["label"] for x in got] == [x["label"] for x in rows], f"{what} by {cut}"
            for x, want in zip(got, rows):
                check_retention(f"{what} by {cut}", x, want, p["from"], p["to"])
    for s in w["series"]:
        got = book.retention_series(s["from"], s["to"], period=s["period"], frame="pyarrow").to_pylist()
        assert len(got) == len(s["rows"]), f"{name} {s['period']} series"
        for x, want in zip(got, s["rows"]):
            check_retention(f"{name} {s['period']} series", x, want, want["from"], want["to"])
    for t in w["ttm"]:
        check_retention(f"{name} ttm", book.trailing_twelve_months(t["to"]), t, t["from"], t["to"])
    n = Counter.n - before
    assert n > 1000, f"only {n} values compared"


def test_the_generated_book_is_the_book_pandas_read(generated: csops.Book) -> None:
    assert generated.counts() == VECTORS["counts"]
    assert generated.latest_date() == day(VECTORS["latest_date"])
    assert generated.report.is_clean


def test_the_clean_book_agrees_with_pandas(generated: csops.Book) -> None:
    check_book("clean", generated)


def test_the_book_with_fallbacks_agrees_with_pandas(generated: csops.Book) -> None:
    t = next(b for b in VECTORS["books"] if b["name"] == "fallbacks")["transform"]
    doc = json.loads(generated.to_json())

    def number(account_id: str) -> int:
        return int(account_id.removeprefix("A-"))

    changed = 0
    for s in doc["arr_snapshots"]:
        n = number(s["account_id"])
        if (
            n % t["win_back_if_account_number_divisible_by"] == 0
            and s["date"] >= t["win_back_from"]
            and Decimal(s["arr"]) == 0
        ):
            s["arr"] = t["win_back_arr"]
            changed += n % t["drop_snapshots_if_account_number_divisible_by"] != 0
    doc["arr_snapshots"] = [
        s for s in doc["arr_snapshots"] if number(s["account_id"]) % t["drop_snapshots_if_account_number_divisible_by"]
    ]
    doc["renewal_outcomes"] = [
        o
        for o in doc["renewal_outcomes"]
        if number(o["account_id"]) % t["drop_renewal_outcomes_if_account_number_divisible_by"]
    ]
    assert changed == t["win_back_snapshots_changed"]
    check_book("fallbacks", csops.load_book_json(json.dumps(doc)))


def test_generate_book_options_are_the_cores() -> None:
    with pytest.raises(csops.ConfigError, match="quarters must be 1–400, got 0"):
        csops.generate_book(quarters=0)
    with pytest.raises(csops.ConfigError, match="start: .*is not a date"):
        csops.generate_book(start="2024-13-01")
    with pytest.raises(TypeError):
        csops.generate_book(acounts=5)  # type: ignore[call-arg]
    # The same options give the same book; a day may be a datetime.date.
    a = csops.generate_book(accounts=12, seed=3, start=datetime.date(2025, 1, 1))
    b = csops.generate_book(accounts=12, seed=3, start="2025-01-01")
    assert a.to_json() == b.to_json()
    assert len(a) == 12
