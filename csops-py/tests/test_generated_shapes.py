"""The shapes generated from the core's serde types (the ``TypedDict``s between the markers of
``csops/_csops.pyi``, written by ``csops-core/tests/typescript.rs``) describe what ``to_dict()``
really returns: every required key present, no key the type does not name, every value of
its declared type, checked recursively on results of the sample book. A field renamed or
added in the core without the stubs following fails here."""

from __future__ import annotations

import ast
from typing import Any

import pytest

import csops
from conftest import REPO

STUB = REPO / "csops-py" / "python" / "csops" / "_csops.pyi"
BEGIN = "# --- Shapes generated from csops-core's serde types"
END = "# --- End of the generated shapes. ---"


def generated() -> dict[str, ast.expr]:
    text = STUB.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END)]
    shapes: dict[str, ast.expr] = {}
    for node in ast.parse(section).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        (target,) = node.targets
        assert isinstance(target, ast.Name)
        shapes[target.id] = node.value
    return shapes


SHAPES = generated()


def check(value: Any, t: ast.expr, where: str) -> list[str]:
    """The problems of `value` against the type expression `t`."""
    if isinstance(t, ast.Constant) and t.value is None:
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if isinstance(t, ast.Name):
        if t.id == "Any":
            return []
        if t.id == "str":
            return [] if isinstance(value, str) else [f"{where}: {value!r} is not str"]
        if t.id == "bool":
            return [] if isinstance(value, bool) else [f"{where}: {value!r} is not bool"]
        if t.id == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            return [] if ok else [f"{where}: {value!r} is not a number"]
        return check(value, SHAPES[t.id], where)
    if isinstance(t, ast.BinOp) and isinstance(t.op, ast.BitOr):
        left = check(value, t.left, where)
        if not left:
            return []
        right = check(value, t.right, where)
        return [] if not right else [f"{where}: {value!r} is none of the union"]
    if isinstance(t, ast.Subscript):
        head = t.value.id if isinstance(t.value, ast.Name) else "?"
        arg = t.slice
        if head == "Literal":
            assert isinstance(arg, ast.Constant)
            return [] if value == arg.value else [f"{where}: {value!r} is not {arg.value!r}"]
        if head == "list":
            if not isinstance(value, list):
                return [f"{where}: {value!r} is not a list"]
            return [p for i, v in enumerate(value) for p in check(v, arg, f"{where}[{i}]")]
        if head == "dict":
            assert isinstance(arg, ast.Tuple)
            if not isinstance(value, dict):
                return [f"{where}: {value!r} is not a dict"]
            return [p for k, v in value.items() for p in check(v, arg.elts[1], f"{where}[{k!r}]")]
        if head == "tuple":
            assert isinstance(arg, ast.Tuple)
            if not isinstance(value, (list, tuple)) or len(value) != len(arg.elts):
                return [f"{where}: {value!r} is not a {len(arg.elts)}-tuple"]
            return [p for i, (v, e) in enumerate(zip(value, arg.elts)) for p in check(v, e, f"{where}[{i}]")]
    if isinstance(t, ast.Call) and isinstance(t.func, ast.Name) and t.func.id == "TypedDict":
        spec = t.args[1]
        assert isinstance(spec, ast.Dict)
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not a dict"]
        problems = []
        known = set()
        for k, v in zip(spec.keys, spec.values):
            assert isinstance(k, ast.Constant)
            key = k.value
            known.add(key)
            optional = isinstance(v, ast.Subscript) and getattr(v.value, "id", "") == "NotRequired"
            inner = v.slice if optional else v
            if key not in value:
                if not optional:
                    problems.append(f"{where}: no key {key!r}")
                continue
            problems += check(value[key], inner, f"{where}.{key}")
        problems += [f"{where}: key {k!r} is not in the type" for k in value if k not in known]
        return problems
    raise AssertionError(f"{where}: a type the checker does not know: {ast.dump(t)}")


def test_the_section_is_there() -> None:
    assert len(SHAPES) > 50
    assert "_RenewalForecastData" in SHAPES


@pytest.fixture(scope="module")
def sample() -> csops.Book:
    return csops.load_book(str(REPO / "data" / "sample-book"), mode="lenient")


@pytest.fixture(scope="module")
def results(sample: csops.Book) -> dict[str, Any]:
    card = csops.Scorecard.default_heuristic()
    bt = csops.backtest(sample, card)
    rc = bt.recalibrate()
    rules = csops.TierRules.default()
    seg = sample.segment(rules)
    lower = rules.to_dict()
    lower["rules"][0]["when"] = "arr >= 50000"
    health = sample.health_as_of(card)
    forecast = csops.forecast(sample, health=health, probability=rc)
    end = sample.latest_date()
    return {
        "_ScorecardJsonData": card,
        "_ModelSetJsonData": csops.ModelSet(card),
        "_BacktestReportData": bt,
        "_RecalibrationReportData": rc,
        "_ArrBridgeData": sample.arr_bridge("2025-12-31", end),
        "_RenewalForecastData": forecast,
        "_ConditionJsonData": csops.Condition('arr >= 1000 and region in ["EMEA"] or not (band == "red")'),
        "_TierRulesJsonData": rules,
        "_WhatIfData": seg.what_if(lower),
        "_PlaybookJsonData": csops.Playbook.sponsor_left(),
    }


@pytest.mark.parametrize(
    "shape",
    [
        "_ScorecardJsonData",
        "_ModelSetJsonData",
        "_BacktestReportData",
        "_RecalibrationReportData",
        "_ArrBridgeData",
        "_RenewalForecastData",
        "_ConditionJsonData",
        "_TierRulesJsonData",
        "_WhatIfData",
        "_PlaybookJsonData",
    ],
)
def test_to_dict_is_its_generated_shape(results: dict[str, Any], shape: str) -> None:
    obj = results[shape]
    # The stub types `to_dict()` with this very shape.
    stub = STUB.read_text(encoding="utf-8")
    assert f"class {type(obj).__name__}" in stub
    problems = check(obj.to_dict(), ast.Name(id=shape), type(obj).__name__)
    assert not problems, "\n".join(problems[:20])


def test_the_checker_finds_a_wrong_shape(results: dict[str, Any]) -> None:
    d = results["_RenewalForecastData"].to_dict()
    d["surprise"] = 1
    del d["as_of"]
    d["lines"][0]["arr"] = 1.5
    problems = check(d, ast.Name(id="_RenewalForecastData"), "f")
    assert any("surprise" in p for p in problems)
    assert any("no key 'as_of'" in p for p in problems)
    assert any("lines[0].arr" in p for p in problems)


def test_calls_node_has_too(sample: csops.Book, results: dict[str, Any]) -> None:
    """Calls that existed in one binding only (docs/api.md) now exist in both, with the core's
    answers: contacts, render, the TOML form of a playbook, the default coverage model, the
    text of fired plays."""
    contacts = sample.contacts()
    assert len(contacts) == sample.counts()["contacts"]
    assert not check(contacts, ast.parse("list[_ContactData]", mode="eval").body, "contacts")
    bt, rc = results["_BacktestReportData"], results["_RecalibrationReportData"]
    assert bt.render() == repr(bt) and "AUC" in bt.render()
    assert rc.render() == repr(rc)
    model = csops.default_coverage_model()
    assert model["tiers"]["digital"] == "pooled"
    assert model["tiers"]["high_touch"] == {"accounts_per_csm": 15}
    assert not check(model, ast.Name(id="_CoverageModelJsonData"), "model")
    play = csops.Playbook.sponsor_left()
    assert csops.Playbook.from_toml(play.to_toml()) == play
    run = csops.run_plays(sample, play, sample.latest_date())
    text = csops.render_fired(run)
    assert text == csops.render_fired(run.to_dicts())
    assert text.count("\n") + (0 if text.endswith("\n") or not text else 1) == len(run.to_dicts())
