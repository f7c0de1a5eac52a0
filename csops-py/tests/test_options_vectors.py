"""The option vectors (tests/conformance/options/), run through the Python API: options as a
user writes them, read by the core, so the same options give the same forecast (and the same
text: the core renders ``repr``) as in Rust and Node, or the same error kind and message word
for word."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import csops

ROOT = Path(__file__).resolve().parents[2]
DOC = json.loads((ROOT / "tests" / "conformance" / "options" / "forecast.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book() -> csops.Book:
    return csops.load_book(str(ROOT / DOC["book"]), mode="lenient")


@pytest.fixture(scope="module")
def default_backtest(book: csops.Book) -> csops.Backtest:
    return csops.backtest(book, csops.Scorecard.default_heuristic())


def summary(f: csops.RenewalForecast) -> dict[str, Any]:
    d = f.to_dict()
    dist = d["distribution"]
    return {
        "as_of": d["as_of"],
        "start": d["from"],
        "end": d["to"],
        "lines": len(d["lines"]),
        "expected_renewal": d["expected_renewal"],
        "expected_expansion": d["expected_expansion"],
        "commit": d["commit"],
        "best_case": d["best_case"],
        "p_renew_values": sorted({line["p_renew"] for line in d["lines"]}),
        "p50": dist["p50"] if dist else None,
        "text": repr(f),
    }


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_option_vector(book: csops.Book, default_backtest: csops.Backtest, case: dict[str, Any]) -> None:
    expect = case["expect"]
    options = case["options"]

    def run() -> Any:
        if case["call"] == "forecast":
            return summary(csops.forecast(book, **options))
        if case["call"] == "backtest":
            return {"text": repr(csops.backtest(book, csops.Scorecard.default_heuristic(), **options))}
        if case["call"] == "recalibrate":
            return {"text": repr(default_backtest.recalibrate(**options))}
        if case["call"] in ("retention", "retention_series"):
            method = book.retention if case["call"] == "retention" else book.retention_series
            rows = method("2025-09-30", "2026-09-30", **options)
            # An empty cohort's rates are None in the core, NaN in a float column.
            rate = lambda x: None if x is None or x != x else x  # noqa: E731
            return [{"label": r["label"], "grr": rate(r["grr"]), "nrr": rate(r["nrr"])} for r in rows.to_dict("records")]
        if case["call"] == "load":
            loaded = csops.load_book_csv(DOC["load_texts"], **options)
            return {
                "accounts": [{"id": a["id"], "name": a["name"], "arr": str(a["arr"])} for a in loaded.accounts()],
                "problems": len(loaded.report.problems),
            }
        r = csops.forecast(book).reconcile(book, **options)
        return {"gap": r.gap, "passes": r.passes, "issues": len(r.issues), "text": repr(r)}

    if "ok" in expect:
        assert run() == expect["ok"]
    elif expect["kind"] == "config":
        with pytest.raises(csops.ConfigError) as e:
            run()
        assert e.value.problems == expect["problems"]
    else:
        assert expect["kind"] == "invalid_argument"
        with pytest.raises(TypeError) as e:
            run()
        if isinstance(e.value, csops.ArgumentError):
            assert str(e.value) == expect["message"]
            assert expect["message"].startswith(e.value.path + ": ")
        else:
            # An unknown option is an unknown keyword argument, and a keyword typed in the
            # signature (`mode: str`) refuses another type: Python's own TypeError, naming it.
            assert any(
                f"unexpected keyword argument '{k}'" in str(e.value) or f"argument '{k}'" in str(e.value)
                for k in options
            ), str(e.value)
