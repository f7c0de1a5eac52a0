"""Runs the cross-language conformance vectors of ``tests/conformance/data_layer/``.

Exactly as ``csops-core/tests/conformance.rs`` does (and the Node suite): the same input
must give the same result in all three languages. See that directory's README for the
format of a vector.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import pytest

import csops

VECTORS_DIR = Path(__file__).resolve().parents[2] / "tests" / "conformance" / "data_layer"
# The one-fault books of the bad-input suite (scripts/make_bad_input_suite.py) use the same format.
BAD_INPUT_DIR = VECTORS_DIR.parent / "bad_input"
# And the hostile CSV texts of the hostile-input suite (scripts/make_hostile_suite.py).
BAD_INPUT = sorted(BAD_INPUT_DIR.glob("*.json")) + sorted(
    (VECTORS_DIR.parent / "hostile_books").glob("*.json")
)
VECTORS = sorted(VECTORS_DIR.glob("*.json")) + BAD_INPUT

ERROR_CLASSES: dict[str, type[csops.CsopsError]] = {
    "validation": csops.ValidationError,
    "format": csops.FormatError,
    "config": csops.ConfigError,
}


def test_vectors_are_present() -> None:
    assert len(VECTORS) - len(BAD_INPUT) >= 8, f"conformance vectors are missing from {VECTORS_DIR}"
    assert len(BAD_INPUT) >= 200, f"the bad-input books are missing from {BAD_INPUT_DIR}"


def load(vector: dict[str, Any]) -> csops.Book:
    # As the Rust runner: anything but "strict" is lenient.
    mode: Literal["strict", "lenient"] = "strict" if vector["mode"] == "strict" else "lenient"
    header_map = vector.get("header_map")
    source_map = vector.get("source_map")
    if "csv" in vector:
        return csops.load_book_csv(
            vector["csv"], mode=mode, header_map=header_map, source_map=source_map
        )
    doc = vector["json"]
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return csops.load_book_json(text, mode=mode, header_map=header_map, source_map=source_map)


def check_problems(name: str, actual: list[csops.Problem], expected: list[dict[str, Any]]) -> None:
    assert len(actual) == len(expected), f"{name}: problems {actual!r}"
    for a, e in zip(actual, expected):
        for key, want in e.items():
            assert getattr(a, key) == want, f"{name}: problem field `{key}` of {a!r}"


def check_notes(name: str, actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert len(actual) == len(expected), f"{name}: notes {actual!r}"
    for a, e in zip(actual, expected):
        for key, want in e.items():
            if key == "note":
                assert want in a["note"], f"{name}: note {a!r} lacks {want!r}"
            else:
                assert a[key] == want, f"{name}: note field `{key}` of {a!r}"


def check_records(name: str, doc: dict[str, Any], expected: dict[str, Any]) -> None:
    for kind, records in expected.items():
        got = doc.get(kind, [])
        assert len(got) == len(records), f"{name}: {kind} {got!r}"
        for i, (g, w) in enumerate(zip(got, records)):
            for key, want in w.items():
                assert g.get(key) == want, f"{name}: {kind}[{i}].{key} of {g!r}"


def check_report(name: str, report: csops.ValidationReport, expect: dict[str, Any]) -> None:
    if "notes" in expect:
        check_notes(name, report.notes, expect["notes"])
    if "problems" in expect:
        check_problems(name, report.problems, expect["problems"])
    if "rejected" in expect:
        assert len(report.rejected) == expect["rejected"], f"{name}: rejected rows"


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    name = path.name
    vector = json.loads(path.read_text(encoding="utf-8"))
    expect = vector["expect"]
    want_error = expect.get("error")

    if want_error is not None:
        cls = ERROR_CLASSES[want_error]
        with pytest.raises(csops.CsopsError) as info:
            load(vector)
        assert type(info.value) is cls, f"{name}: expected {cls.__name__}, got {info.value!r}"
        if "config_messages" in expect:
            problems = info.value.problems
            assert len(problems) == len(expect["config_messages"]), f"{name}: {problems!r}"
            for p, want in zip(problems, expect["config_messages"]):
                assert want in p, f"{name}: {p!r} lacks {want!r}"
        if isinstance(info.value, csops.ValidationError):
            report = info.value.report
            assert report is not None
            assert info.value.problems == report.problems
            check_report(name, report, expect)
        return

    book = load(vector)
    check_report(name, book.report, expect)
    if "records" in expect:
        check_records(name, json.loads(book.to_json()), expect["records"])
    counts = book.counts()
    for key, n in expect.get("counts", {}).items():
        assert counts[key] == n, f"{name}: count of {key}"
    features = expect.get("features")
    if features is not None:
        frame = book.features_as_of(features["as_of"], config=vector.get("feature_config"))
        if "missing_notes" in features:
            assert frame.missing_notes == features["missing_notes"], f"{name}: missing notes"
        for account, values in features["values"].items():
            for feature, want in values.items():
                got = frame.value(account, feature)
                if want is None:
                    assert got is None, f"{name}: {account}.{feature} = {got}, want missing"
                else:
                    assert got is not None, f"{name}: {account}.{feature} missing"
                    assert math.isclose(got, want, rel_tol=0.0, abs_tol=1e-9), (
                        f"{name}: {account}.{feature} = {got}, want {want}"
                    )
