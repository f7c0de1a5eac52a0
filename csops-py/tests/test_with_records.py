"""``Book.with_records`` (a book with extra records, as a webhook or a nightly delta brings
them) and ``run_plays(accounts=...)`` (a run for some accounts only)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

import csops

BASE = {
    "accounts": [
        {"id": "A1", "name": "Acme", "currency": "USD", "arr": "1000.00", "start_date": "2025-01-01", "owner_csm": "sam"},
        {"id": "A2", "name": "Beta", "currency": "USD", "arr": "2000.00", "start_date": "2025-01-01", "owner_csm": "kim"},
    ],
    "contacts": [
        {"id": "C1", "account_id": "A1", "name": "Jane"},
        {"id": "C2", "account_id": "A2", "name": "Joe"},
    ],
    "contact_roles": [
        {"contact_id": "C1", "role": "executive_sponsor", "added": "2025-01-01"},
        {"contact_id": "C2", "role": "executive_sponsor", "added": "2025-01-01"},
    ],
    "tickets": [{"id": "T1", "account_id": "A1", "opened": "2026-01-05", "priority": "low", "status": "open"}],
}


@pytest.fixture()
def base() -> csops.Book:
    return csops.load_book_json(json.dumps(BASE))


def test_records_are_added_and_restated(base: csops.Book) -> None:
    extra = {
        "accounts": [
            {"id": "A1", "name": "Acme Corp", "currency": "USD", "arr": Decimal("1500.00"), "start_date": datetime.date(2025, 1, 1)},
            {"id": "A3", "name": "Gamma", "currency": "USD", "arr": "300", "start_date": "2026-01-01"},
        ],
        "tickets": [
            {"id": "T1", "account_id": "A1", "opened": "2026-01-05", "closed": "2026-01-09", "priority": "low", "status": "closed"},
            {"id": "T2", "account_id": "A3", "opened": "2026-01-06", "priority": "high", "status": "open"},
        ],
    }
    book = base.with_records(extra)
    assert book is not base
    assert book.account_ids == ["A1", "A2", "A3"]
    accounts = {a["id"]: a for a in book.accounts()}
    assert accounts["A1"]["name"] == "Acme Corp" and accounts["A1"]["arr"] == Decimal("1500.00")
    assert accounts["A2"]["name"] == "Beta"
    assert book.counts()["tickets"] == 2 and book.counts()["contacts"] == 2
    assert book.report.is_clean
    # The original book is unchanged.
    assert base.account_ids == ["A1", "A2"] and base.counts()["tickets"] == 1
    # JSON text gives the same book.
    assert base.with_records(json.dumps(extra, default=str)).to_json() == book.to_json()


def test_ending_a_role_spell_is_restating_it(base: csops.Book) -> None:
    ended = {"contact_roles": [{"contact_id": "C1", "role": "executive_sponsor", "added": "2025-01-01", "removed": "2026-02-01"}]}
    book = base.with_records(ended)
    assert book.counts()["contact_roles"] == 2
    roles = json.loads(book.to_json())["contact_roles"]
    assert {r["contact_id"]: r.get("removed") for r in roles} == {"C1": "2026-02-01", "C2": None}


def test_bad_extra_records_are_named_by_type_and_position(base: csops.Book) -> None:
    extra = {
        "tickets": [
            {"id": "T5", "account_id": "A1", "opened": "2026-01-05", "priority": "low", "status": "open"},
            {"id": "T6", "account_id": "A9", "opened": "2026-01-05", "priority": "critical", "status": "open"},
        ]
    }
    with pytest.raises(csops.ValidationError) as info:
        base.with_records(extra)
    problems = info.value.problems
    assert {(p.file, p.row) for p in problems} == {("records#tickets", 2)}
    assert {p.field for p in problems} >= {"priority"}
    # Lenient: the good ticket is added, the bad one reported.
    book = base.with_records(extra, mode="lenient")
    assert book.counts()["tickets"] == 2
    assert not book.report.is_clean
    assert {p.file for p in book.report.problems} == {"records#tickets"}
    assert [r["row"] for r in book.report.rejected] == [2]
    assert book.report.files["records#tickets"] == {"read": 2, "loaded": 1, "rejected": 1}
    # Accounts added as context to check references are not counted.
    assert "records#accounts" not in book.report.files or book.report.files["records#accounts"]["read"] == 0


def test_a_merged_book_is_validated_as_a_whole(base: csops.Book) -> None:
    # A duplicate within the extra records themselves.
    twice = {"tickets": [{"id": "T9", "account_id": "A1", "opened": "2026-01-05", "priority": "low", "status": "open"}] * 2}
    with pytest.raises(csops.ValidationError, match="T9"):
        base.with_records(twice)


def test_with_records_argument_errors(base: csops.Book) -> None:
    with pytest.raises(TypeError, match="records must be"):
        base.with_records(5)  # type: ignore[arg-type]
    with pytest.raises(csops.FormatError, match="records"):
        base.with_records("{not json")
    with pytest.raises(csops.FormatError, match="JSON object"):
        base.with_records("[]")
    with pytest.raises(csops.FormatError, match="unknown key `tikets`"):
        base.with_records({"tikets": []})
    with pytest.raises(csops.FormatError, match="must be an array"):
        base.with_records({"tickets": 5})
    with pytest.raises(csops.ConfigError, match="mode"):
        base.with_records({}, mode="loose")  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="records"):
        base.with_records({"tickets": [{"id": float("nan")}]})
    assert base.with_records({}).to_json() == base.to_json()


SPONSOR_LEFT = {"contact_roles": [
    {"contact_id": "C1", "role": "executive_sponsor", "added": "2025-01-01", "removed": "2026-02-01"},
    {"contact_id": "C2", "role": "executive_sponsor", "added": "2025-01-01", "removed": "2026-02-01"},
]}


def test_run_plays_for_some_accounts(base: csops.Book) -> None:
    book = base.with_records(SPONSOR_LEFT)
    pb = csops.Playbook.sponsor_left()
    history = csops.FireHistory(last_run="2026-01-31")
    everyone = csops.run_plays(book, pb, "2026-02-01", history=history)
    assert sorted(everyone.fired["account_id"]) == ["A1", "A2"]
    one = csops.run_plays(book, pb, "2026-02-01", history=history, accounts=["A2"])
    assert list(one.fired["account_id"]) == ["A2"]
    # A scoped run does not move the last run: a full run later still sees A1's event.
    assert one.history.last_run == datetime.date(2026, 1, 31)
    rest = csops.run_plays(book, pb, "2026-02-01", history=one.history)
    assert list(rest.fired["account_id"]) == ["A1"]
    assert len(csops.run_plays(book, pb, "2026-02-01", history=history, accounts=[])) == 0
    with pytest.raises(csops.ConfigError, match="`A9` is not in the account table"):
        csops.run_plays(book, pb, "2026-02-01", history=history, accounts=("A9",))


def test_run_plays_accounts_errors(base: csops.Book) -> None:
    pb = csops.Playbook.sponsor_left()
    with pytest.raises(TypeError, match="accounts must be"):
        csops.run_plays(base, pb, "2026-02-01", accounts="A1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="accounts must be"):
        csops.run_plays(base, pb, "2026-02-01", accounts=5)  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match=r"accounts\[1\]"):
        csops.run_plays(base, pb, "2026-02-01", accounts=["A1", None])  # type: ignore[list-item]
