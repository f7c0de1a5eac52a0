"""A panic in the core never reaches Python: every entry point, driven while the core is made
to panic (the test build's `panic-injection` feature), raises `csops.CsopsError` itself (not a
subclass) with an "internal error" message naming the panic, and the package keeps working
after it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import csops
from csops import _csops

CLEAN = Path(__file__).resolve().parents[2] / "tests" / "conformance" / "bad_input" / "000_the_clean_book.json"
TEXTS: dict[str, str] = json.loads(CLEAN.read_text(encoding="utf-8"))["csv"]
DAY = "2026-01-31"
CARD = """
schema_version = 1
name = "small"
[[groups]]
name = "usage"
weight = 1.0
[[groups.measures]]
name = "logins"
feature = "logins_per_user_week"
weight = 1.0
normaliser = { kind = "linear", worst = 0.0, best = 10.0 }
"""
RULES = 'default_tier = "d"\n[[rules]]\ntier = "a"\nwhen = "arr > 1"\n'
PLAY = """
[[plays]]
name = "renewing"
owner = "cs-ops"
trigger = { kind = "renewal", within_days = 90 }
actions = [{ action = "tag", tag = "renewing" }]
"""
DATA = {"account_id": ["A", "B"], "logins_per_user_week": [1.0, 2.0], "arr": [5.0, 0.5]}

ARMED = hasattr(_csops, "_arm_panic")
pytestmark = pytest.mark.skipif(
    not ARMED and os.environ.get("CSOPS_PANIC_INJECTION") != "1",
    reason="this build has no panic-injection feature (scripts/test-python.sh builds with it)",
)


def entry_points(book: csops.Book, tmp: Path) -> list[tuple[str, Callable[[], Any]]]:
    card = csops.Scorecard.from_toml(CARD)
    rules = csops.TierRules.from_toml(RULES)
    plays = csops.Playbook.from_toml(PLAY)
    cond = csops.Condition("arr > 1")
    for name, text in TEXTS.items():
        (tmp / f"{name}.csv").write_text(text, encoding="utf-8")
    return [
        ("load_book_csv", lambda: csops.load_book_csv(TEXTS)),
        ("load_book (a directory)", lambda: csops.load_book(tmp)),
        ("load_book_json", lambda: csops.load_book_json(book.to_json())),
        ("Book.to_json", book.to_json),
        ("Book.features_as_of", lambda: book.features_as_of(DAY)),
        ("Book.arr_bridge", lambda: book.arr_bridge("2025-01-01", DAY)),
        ("Book.retention", lambda: book.retention("2025-01-01", DAY)),
        ("Book.trailing_twelve_months", lambda: book.trailing_twelve_months(DAY)),
        ("Book.account_table", lambda: book.account_table(DAY)),
        ("Book.health_as_of", lambda: book.health_as_of(card, DAY)),
        ("forecast", lambda: csops.forecast(book, as_of=DAY)),
        ("Condition(text)", lambda: csops.Condition("arr > 1")),
        ("Condition.from_json", lambda: csops.Condition.from_json('{"field": "arr", "op": ">", "value": 1}')),
        ("Condition.filter", lambda: cond.filter(DATA)),
        ("Scorecard.from_toml", lambda: csops.Scorecard.from_toml(CARD)),
        ("Scorecard.score", lambda: card.score(DATA)),
        ("Scorecard.explain", lambda: card.explain(DATA, "A")),
        ("TierRules.from_toml", lambda: csops.TierRules.from_toml(RULES)),
        ("TierRules.assign", lambda: rules.assign(DATA)),
        ("Playbook.from_toml", lambda: csops.Playbook.from_toml(PLAY)),
        ("Playbook.validate", lambda: plays.validate(book)),
        ("run_plays", lambda: csops.run_plays(book, plays, DAY)),
        ("replay_plays", lambda: csops.replay_plays(book, plays, "2026-01-01", DAY)),
        ("FireHistory.from_json", lambda: csops.FireHistory.from_json("{}")),
        ("ModelSet.from_json", lambda: csops.ModelSet.from_json(json.dumps({"default": json.loads(card.to_json())}))),
        ("backtest", lambda: csops.backtest(book, card)),
        ("week_report", lambda: csops.week_report(book, as_of=DAY)),
    ]


def test_every_entry_point_turns_a_core_panic_into_an_internal_error(tmp_path: Path) -> None:
    assert ARMED, "CSOPS_PANIC_INJECTION=1 but the build has no panic-injection feature"
    book = csops.load_book_csv(TEXTS)
    calls = entry_points(book, tmp_path)
    # Each works unarmed (so an error below is the injected panic, not a bad call).
    for name, call in calls:
        try:
            call()
        except csops.CsopsError as e:  # a figure the tiny book cannot give is fine here
            assert "internal error" not in str(e), f"{name}: {e}"
    failures = []
    for name, call in calls:
        _csops._arm_panic(True)
        try:
            call()
            failures.append(f"{name}: no error while armed")
        except BaseException as e:  # noqa: BLE001 - the point is what crosses the boundary
            if type(e) is not csops.CsopsError:
                failures.append(f"{name}: {type(e).__name__}: {e}")
            elif not str(e).startswith("internal error: injected panic in "):
                failures.append(f"{name}: {e}")
        finally:
            _csops._arm_panic(False)
    assert not failures, "\n".join(failures)
    # The package keeps working.
    assert csops.load_book_csv(TEXTS).counts() == book.counts()
