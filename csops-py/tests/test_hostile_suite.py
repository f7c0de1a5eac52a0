"""The hostile-input suite (tests/conformance/hostile/, made by scripts/make_hostile_suite.py),
run through the Python API: the same outcome as the Rust and Node runners and, for
configuration errors, the same problems word for word. No input may crash, hang or give
anything but the case's outcome."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import csops

HOSTILE = Path(__file__).resolve().parents[2] / "tests" / "conformance" / "hostile"
FILES = sorted(HOSTILE.glob("*.json"))
CASES = [(path, doc, case) for path in FILES for doc in [json.loads(path.read_text(encoding="utf-8"))] for case in doc["cases"]]


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "".join(piece * times for piece, times in value["repeat"])


def condition_summary(c: csops.Condition) -> dict[str, Any]:
    return {"fields": sorted(set(c.fields)), "text": str(c)}


_context: dict[str, Any] = {}


def clean_book(doc: dict[str, Any]) -> csops.Book:
    key = doc["book"]
    if key not in _context:
        vector = json.loads((HOSTILE / key).read_text(encoding="utf-8"))
        _context[key] = csops.load_book_csv(vector["csv"])
    return _context[key]


def run(target: str, value: Any, doc: dict[str, Any]) -> dict[str, Any]:
    """The summary of what was read; raises what the API raises."""
    if target == "condition":
        return condition_summary(csops.Condition(text(value)))
    if target == "condition_json":
        return condition_summary(csops.Condition.from_json(text(value)))
    if target == "scorecard_toml":
        csops.Scorecard.from_toml(text(value))
        return {}
    if target == "scorecard_json":
        csops.Scorecard.from_json(text(value))
        return {}
    if target == "tier_rules_toml":
        return {"tiers": csops.TierRules.from_toml(text(value)).tiers}
    if target == "tier_rules_json":
        return {"tiers": csops.TierRules.from_json(text(value)).tiers}
    if target == "playbook_toml":
        return {"plays": csops.Playbook.from_toml(text(value)).plays}
    if target == "playbook_json":
        return {"plays": csops.Playbook.from_json(text(value)).plays}
    if target == "model_set_json":
        csops.ModelSet.from_json(text(value))
        return {}
    if target == "fire_history_json":
        csops.FireHistory.from_json(text(value))
        return {}
    if target == "day":
        frame = clean_book(doc).features_as_of(value)
        return {"day": frame.as_of.isoformat()}
    if target == "account_id":
        card = csops.Scorecard.from_toml(doc["scorecard"])
        frame = doc["frame"]
        data = {"account_id": frame["account_ids"], **frame["columns"]}
        card.explain(data, value)
        return {"account_id": str(value)}
    raise AssertionError(f"unknown target {target}")


# What each error kind of the suite is in Python.
KINDS: dict[str, tuple[type[BaseException], ...]] = {
    "config": (csops.ConfigError,),
    "not_found": (csops.NotFoundError,),
    # A value of the right type that is not valid: a ValueError (ConfigError is one).
    "invalid_value": (csops.ConfigError,),
    "invalid_type": (TypeError,),
}


def test_the_suite_is_present() -> None:
    assert len(CASES) >= 250, f"the hostile inputs are missing from {HOSTILE}"


@pytest.mark.parametrize(
    ("path", "doc", "case"),
    CASES,
    ids=[f"{p.stem}:{c['name'][:60]}" for p, _, c in CASES],
)
def test_hostile_input(path: Path, doc: dict[str, Any], case: dict[str, Any]) -> None:
    expect = case["expect"]
    name = f"{path.name}: {case['name']}"
    if "ok" in expect:
        summary = run(doc["target"], case["input"], doc)
        for key, want in expect["ok"].items():
            assert summary.get(key) == want, f"{name}: {key} = {summary.get(key)!r}"
        return
    kind = expect["error"]
    with pytest.raises(Exception) as info:
        run(doc["target"], case["input"], doc)
    error = info.value
    assert isinstance(error, KINDS[kind]), f"{name}: expected {kind}, got {error!r}"
    if kind == "invalid_type":
        # The type is Python's own to name; the argument's name must be in the message.
        assert str(error), name
        return
    message = str(error)
    for words in expect["contains"]:
        assert words in message, f"{name}: {message[:300]!r} lacks {words!r}"
    if kind == "config":
        assert error.problems == expect["problems"], f"{name}: {error.problems!r}"
    elif kind == "not_found":
        assert [message] == expect["problems"], f"{name}: {message!r}"
