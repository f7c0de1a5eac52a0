"""Columns as users give them (``tests/conformance/given_columns/cases.json``): a dict of plain
lists (None = missing) read by the core's rules, as the Rust (``csops-core/tests/
given_columns.rs``) and Node (``given-columns.test.mjs``) suites read them: the same rows
match, the same errors (``ConfigError``, with the same problems) are raised."""

from __future__ import annotations

import json

import pytest

import csops
from conftest import REPO

CASES = json.loads(
    (REPO / "tests" / "conformance" / "given_columns" / "cases.json").read_text(encoding="utf-8")
)["cases"]


def test_cases_are_there() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_columns_as_given(case: dict) -> None:
    condition = csops.Condition(case["condition"])
    if "expect" in case:
        assert [bool(x) for x in condition.filter(case["columns"])] == case["expect"]
        return
    assert case["expect_error"] == "config"
    with pytest.raises(csops.ConfigError) as e:
        condition.filter(case["columns"])
    for text in case["error_contains"]:
        assert any(text in p for p in e.value.problems), (text, e.value.problems)
