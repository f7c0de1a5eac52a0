"""Runs the cross-language playbook vectors of ``tests/conformance/playbook/``.

As ``csops-core/tests/conformance.rs::playbook_vectors_agree`` does: each vector's inline book
is loaded lenient, its playbook read in the core's serde form, and its runs made in order
with no scorecard, each with the history given (a dict in the core's form) or, for
``"history": "previous"``, the one the previous successful run returned, after closing the
tasks its ``close_tasks`` lists (each must be open). A run with
``error_contains`` must raise ``csops.ConfigError`` whose problems contain that text (the
previous history is then left as it was); otherwise exactly the expected plays fire, in
order, each matching the keys its expected entry gives (``play``, ``account_id``, ``mode``,
``actions``; numbers within 1e-9) with a reason containing ``reason_contains``.

Each vector runs twice: with the playbook and histories as ``csops.Playbook`` /
``csops.FireHistory`` objects (the history of the previous run as returned, tasks closed
with ``close_task``), and as plain dicts (read back from ``to_dict``, tasks closed by
removing them from ``open_tasks``). Every run's ``fired`` DataFrame must say what its dicts
say.
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

VECTORS_DIR = REPO / "tests" / "conformance" / "playbook"
VECTORS = sorted(VECTORS_DIR.glob("*.json"))
FORMS = ["objects", "dicts"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 2, f"playbook vectors are missing from {VECTORS_DIR}"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def subset(name: str, path: str, expected: Any, actual: Any) -> None:
    """Keys present in ``expected`` must match (a missing key is None; numbers within 1e-9,
    relative when large), as the Rust runner's ``subset``."""
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


def plain(x: Any) -> Any:
    if type(x).__name__ == "Timestamp":  # a datetime64 cell: the day it is
        return x.date()
    if hasattr(x, "item") and not isinstance(x, (str, list, dict)):
        x = x.item()
    if x is None or (isinstance(x, float) and math.isnan(x)) or type(x).__name__ in ("NAType", "NaTType"):
        return None
    return x


def check_frame(name: str, run: csops.PlayRun) -> None:
    """The DataFrame rows say what the core's dicts say."""
    pytest.importorskip("pandas", reason="PlayRun.fired is a pandas DataFrame")
    dicts = run.to_dicts()
    rows = [{k: plain(v) for k, v in r.items()} for r in run.fired.to_dict("records")]
    assert len(rows) == len(dicts), name
    for row, d in zip(rows, dicts):
        task = next((a for a in d["actions"] if a["action"] == "task"), None)
        assert row["date"] == datetime.date.fromisoformat(d["date"]), name
        assert (row["play"], row["account_id"], row["csm"], row["mode"], row["reason"]) == (
            d["play"],
            d["account_id"],
            d["csm"],
            d["mode"],
            d["reason"],
        ), name
        assert row["actions"] == d["actions"], name
        if task is None:
            assert row["assignee"] is None and row["due"] is None, name
        else:
            assert (row["assignee"], row["title"], row["body"], row["priority"]) == (
                task["assignee"],
                task["title"],
                task["body"],
                task["priority"],
            ), name
            assert row["due"] == datetime.date.fromisoformat(task["due"]), name
        assert row["tags"] == [a["tag"] for a in d["actions"] if a["action"] == "tag"], name
        assert row["routes"] == [a["to"] for a in d["actions"] if a["action"] == "route"], name


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_runs(path: Path, form: str) -> None:
    v = load(path)
    name = path.name
    book = csops.load_book_json(json.dumps(v["book_json"]), mode="lenient")
    playbook: Any = csops.Playbook.from_dict(v["playbook"])
    assert playbook == csops.Playbook.from_json(json.dumps(v["playbook"]))
    if form == "dicts":
        playbook = playbook.to_dict()
    previous: Any = csops.FireHistory() if form == "objects" else {}
    runs = v["runs"]
    assert runs, f"{name}: no runs"
    for k, r in enumerate(runs):
        where = f"{name} run {k}"
        if r["history"] == "previous":
            history = previous
        elif form == "objects":
            history = csops.FireHistory.from_dict(r["history"])
        else:
            history = r["history"]
        for play, account in r.get("close_tasks", []):
            # Tasks done before the run; each must be open.
            if form == "objects":
                assert history.close_task(play, account), f"{where}: no open task {play} {account}"
            else:
                history = dict(history)
                open_tasks = [list(t) for t in history.get("open_tasks", [])]
                assert [play, account] in open_tasks, f"{where}: no open task {play} {account}"
                history["open_tasks"] = [t for t in open_tasks if t != [play, account]]
        if "error_contains" in r:
            assert r.get("expect_error", "config") == "config", where
            with pytest.raises(csops.ConfigError) as info:
                csops.run_plays(book, playbook, r["day"], history=history)
            assert r["error_contains"] in "; ".join(info.value.problems), f"{where}: {info.value.problems}"
            assert r["error_contains"] in str(info.value), where
            continue
        out = csops.run_plays(book, playbook, r["day"], history=history)
        assert out.date == datetime.date.fromisoformat(r["day"]), where
        fired = out.to_dicts()
        expect = r["expect"]
        assert len(fired) == len(expect), f"{where}: {json.dumps(fired, indent=1)}"
        assert len(out) == len(expect), where
        for f, e in zip(fired, expect):
            expected = dict(e)
            reason = expected.pop("reason_contains", None)
            actual = {"play": f["play"], "account_id": f["account_id"], "mode": f["mode"], "actions": f["actions"]}
            subset(name, "fired", expected, actual)
            if reason is not None:
                assert reason in f["reason"], f"{where}: reason {f['reason']!r} lacks {reason!r}"
        check_frame(where, out)
        previous = out.history if form == "objects" else out.history.to_dict()
