"""Runs the cross-language segmentation vectors of ``tests/conformance/segmentation/``.

As ``csops-core/tests/conformance.rs::segmentation_vectors_agree`` does: each vector's table is
built from its typed columns (numbers with null = NaN, text with null = None, yes/no with null
= None), as a dict of plain lists, as a pandas DataFrame (float64, object and nullable
``boolean`` columns) and as a polars one; every condition is evaluated in its text form and in
its structured form (``Condition.from_dict`` and ``Condition.from_json``), both must select the
expected rows and be the same condition; error cases must raise ``csops.ConfigError`` whose
problems contain the expected text. Tier rules are applied with ``TierRules.assign``, then
coverage and assignment through ``csops.segment_table`` (the coverage model both in the core's
``{"tiers": ...}`` form and bare), and compared with the ``expect_*`` objects: keys present
must match, numbers within 1e-9.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

VECTORS_DIR = REPO / "tests" / "conformance" / "segmentation"
VECTORS = sorted(VECTORS_DIR.glob("*.json"))
FORMS = ["dict", "pandas", "polars"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 2, f"segmentation vectors are missing from {VECTORS_DIR}"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def columns(v: dict[str, Any]) -> dict[str, tuple[str, list[Any]]]:
    out = {}
    for name, col in v["columns"].items():
        ((kind, values),) = col.items()
        assert kind in ("number", "text", "bool"), kind
        if kind == "number":
            values = [math.nan if x is None else float(x) for x in values]
        out[name] = (kind, values)
    return out


def table(v: dict[str, Any], form: str) -> Any:
    cols = columns(v)
    if form == "dict":
        return {name: values for name, (_, values) in cols.items()}
    if form == "pandas":
        pd = pytest.importorskip("pandas")
        np = pytest.importorskip("numpy")
        data = {}
        for name, (kind, values) in cols.items():
            if kind == "number":
                data[name] = np.array(values, dtype="float64")
            elif kind == "text":
                data[name] = pd.Series(values, dtype=object)
            else:
                data[name] = pd.array(values, dtype="boolean")
        return pd.DataFrame(data)
    pl = pytest.importorskip("polars")
    dtypes = {"number": pl.Float64, "text": pl.String, "bool": pl.Boolean}
    return pl.DataFrame(
        [
            pl.Series(name, values, dtype=dtypes[kind], nan_to_null=kind == "number")
            for name, (kind, values) in cols.items()
        ]
    )


def plain(x: Any) -> Any:
    """A table cell as plain data: NaN / None / pd.NA as None, numpy scalars as Python ones."""
    if x is None:
        return None
    if hasattr(x, "item") and not isinstance(x, str):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    if type(x).__name__ in ("NAType", "NaTType"):
        return None
    return x


def rows(df: Any) -> list[dict[str, Any]]:
    records = df.to_dicts() if hasattr(df, "to_dicts") else df.to_dict("records")
    return [{k: plain(v) for k, v in r.items()} for r in records]


def subset(name: str, path: str, expected: Any, actual: Any) -> None:
    """Keys present in ``expected`` must match (numbers within 1e-9, relative when large)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{name}: {path} is {actual!r}"
        for k, ev in expected.items():
            subset(name, f"{path}.{k}", ev, actual.get(k))
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{name}: {path} is {actual!r}"
        assert len(actual) == len(expected), f"{name}: {path} has {len(actual)} items, want {len(expected)}"
        for i, (ev, av) in enumerate(zip(expected, actual)):
            subset(name, f"{path}[{i}]", ev, av)
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), f"{name}: {path} is {actual!r}"
        assert abs(expected - actual) <= 1e-9 * max(abs(expected), 1.0), f"{name}: {path} = {actual}, want {expected}"
    else:
        assert actual == expected, f"{name}: {path} = {actual!r}, want {expected!r}"


def as_list(mask: Any) -> list[bool]:
    return [bool(x) for x in mask]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_conditions(path: Path, form: str) -> None:
    v = load(path)
    data = table(v["table"], form)
    for i, case in enumerate(v.get("conditions", [])):
        text = case["text"]
        where = f"{path.name} #{i}: {text}"
        if "expect_error" in case:
            assert case["expect_error"] == "config"
            with pytest.raises(csops.ConfigError) as info:
                csops.Condition(text).filter(data)
            problems = "; ".join(info.value.problems)
            assert case["error_contains"] in problems, f"{where}: {problems}"
            assert case["error_contains"] in str(info.value)
            continue
        c = csops.Condition(text)
        assert as_list(c.filter(data)) == case["expect"], where
        from_dict = csops.Condition.from_dict(case["json"])
        from_json = csops.Condition.from_json(json.dumps(case["json"]))
        assert as_list(from_dict.filter(data)) == case["expect"], f"{where} (JSON)"
        assert from_dict == c, f"{where}: forms differ"
        assert from_json == c and hash(from_json) == hash(c)
        # Each form gives back the same condition.
        assert csops.Condition(str(c)) == c
        assert csops.Condition.from_dict(c.to_dict()) == c
        assert csops.Condition.from_json(c.to_json()) == c


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("path", [p for p in VECTORS if "rules" in load(p)], ids=lambda p: p.stem)
def test_tiers_coverage_and_assignment(path: Path, form: str) -> None:
    pytest.importorskip("pandas", reason="the segmentation tables are pandas DataFrames")
    v = load(path)
    name = path.name
    data = table(v["table"], form)
    rules = csops.TierRules.from_dict(v["rules"])
    tiers = rules.assign(data)
    assert [str(t) for t in list(tiers)] == v["expect_tiers"], f"{name}: tiers"

    for model in (v["model"], v["model"]["tiers"]):
        seg = csops.segment_table(data, rules, model=model, roster=v["roster"])
        assert [str(t) for t in seg.tiers["tier"]] == v["expect_tiers"]
        coverage = {
            "tiers": [{k: r[k] for k in ("tier", "accounts", "needed")} for r in rows(seg.coverage)],
            "csms": [
                {k: r[k] for k in ("csm", "accounts", "utilisation", "status", "off_tier")} for r in rows(seg.csms)
            ],
            "unowned": seg.unowned,
        }
        subset(name, "coverage", v["expect_coverage"], coverage)
        assignment = {
            "moves": [[r["account_id"], r["from"], r["to"]] for r in rows(seg.assignment)],
            "unplaced": seg.unplaced,
            "owners": [plain(x) for x in seg.owners["owner"]],
        }
        subset(name, "assignment", v["expect_assignment"], assignment)
        # The same text as the core renders, in every language.
        if "expect_summary" in v:
            assert repr(seg) == v["expect_summary"]
        # The same numbers as plain data.
        d = seg.to_dict()
        assert d["tiers"] == v["expect_tiers"]
        assert d["assignment"]["unplaced"] == v["expect_assignment"]["unplaced"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("path", [p for p in VECTORS if "segment_errors" in load(p)], ids=lambda p: p.stem)
def test_rules_that_do_not_fit_the_table(path: Path, form: str) -> None:
    """The whole segmentation refuses them with the core's problems, word for word."""
    v = load(path)
    data = table(v["table"], form)
    for i, case in enumerate(v["segment_errors"]):
        with pytest.raises(csops.ConfigError) as e:
            csops.segment_table(data, case["rules"], model=v["model"], roster=v["roster"])
        assert e.value.problems == case["problems"], f"{path.name} #{i}"
