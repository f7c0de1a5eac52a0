"""The texts the core renders (``tests/conformance/render/``), word for word: Python's
``repr`` and ``_repr_html_`` are the core's rendering, as Rust's ``render()`` and Node's
``render()`` (``csops-core/tests/render_vectors.rs``, ``render-vectors.test.mjs``)."""

from __future__ import annotations

import csops
from conftest import REPO

RENDER = REPO / "tests" / "conformance" / "render"


def test_the_default_scorecard_reads_the_same_everywhere() -> None:
    card = csops.Scorecard.default_heuristic()
    assert repr(card) == (RENDER / "default_scorecard.txt").read_text(encoding="utf-8")
    assert card._repr_html_() == (RENDER / "default_scorecard.html").read_text(encoding="utf-8")


def test_the_default_tier_rules_read_the_same_everywhere() -> None:
    rules = csops.TierRules.default()
    assert repr(rules) == (RENDER / "default_tier_rules.txt").read_text(encoding="utf-8")
    assert rules._repr_html_() == (RENDER / "default_tier_rules.html").read_text(encoding="utf-8")
