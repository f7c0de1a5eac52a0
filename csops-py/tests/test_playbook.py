"""Playbooks from Python: ``csops.Playbook``, ``csops.FireHistory``, ``run_plays`` /
``PlayRun``, ``replay_plays`` / ``PlayReplay`` and ``play_effects``.

The engine's decisions are the core's (pinned by the conformance vectors, run by
``test_playbook_conformance.py``). These tests check the binding: every way of building a
playbook gives the same one; validation lists every problem; a run on a small book fires
exactly what was worked out by hand, as DataFrame rows and as the core's dicts; log-only and
live plays make the same decisions; re-running with the returned history fires nothing;
histories round-trip through JSON, dicts and pickle, and ``close_task`` lets a play fire
again; a replay is the same as running day by day, and finds every sponsor who left the
sample book (read from its CSV files); ``play_effects`` counts renewals as its definition
says (recomputed here from the CSV files); hostile inputs raise csops errors (or
TypeError), never crash; heavy calls run with the GIL released and agree across threads.
"""

from __future__ import annotations

import copy
import csv
import datetime
import json
import math
import pickle
import random
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

pd = pytest.importorskip("pandas", reason="the playbook tables are pandas DataFrames")

SAMPLE_BOOK = REPO / "data" / "sample-book"
Z95 = 1.959963984540054

# A small book, worked by hand --------------------------------------------------------------------

ACCOUNTS = (
    "id,name,currency,arr,start_date,renewal_date,term_months,owner_csm\n"
    "A1,Acme,USD,80000.00,2025-01-01,2027-01-01,12,ann\n"
    "A2,Globex,USD,20000.00,2025-01-01,2026-12-01,12,bob\n"
    "A3,Initech,USD,60000.00,2025-01-01,2027-06-01,12,bob\n"
    "A4,Hooli,USD,5000.00,2025-01-01,2026-11-15,12,\n"
)

#: On 2026-09-30, after a run on 2026-09-15 (events count from 2026-09-16): A1's sponsor Jane
#: Doe left on 2026-09-20 (A2's left on 2026-09-01, before the window); A3 answered NPS 3 on
#: 2026-09-28 (A2's 2 on 2026-09-10 is before the window, A1's 9 is no detractor). Renewals:
#: A4 in 46 days (ARR 5,000), A2 in 62, A1 in 93, A3 in 244.
RUN_BOOK = {
    "accounts": ACCOUNTS,
    "contacts": "id,account_id,name\nC1,A1,Jane Doe\nC2,A2,Sam Roe\n",
    "contact_roles": (
        "contact_id,role,added,removed\n"
        "C1,executive_sponsor,2025-01-01,2026-09-20\n"
        "C2,executive_sponsor,2025-01-01,2026-09-01\n"
    ),
    "surveys": (
        "id,account_id,date,kind,score\nS1,A3,2026-09-28,nps,3\nS2,A1,2026-09-29,nps,9\nS3,A2,2026-09-10,nps,2\n"
    ),
}

PLAYS_TOML = """
[[plays]]
name = "sponsor-left"
owner = "cs-ops"
mode = "live"
cooldown_days = 30
trigger = { kind = "event", event = "sponsor_removed" }
actions = [
  { action = "task", assign = { to = "owner" }, title = "Re-engage {name}: sponsor left",
    body = "{reason}. ARR {arr}.", due_in_days = 7, priority = "high" },
  { action = "tag", tag = "sponsor-risk" },
]

[[plays]]
name = "detractor"
owner = "cx"
trigger = { kind = "event", event = "nps_detractor" }
actions = [{ action = "task", assign = { to = "queue", queue = "cx-desk" },
             title = "{name}: detractor ({play}, {date})", due_in_days = 2, priority = "urgent" }]

[[plays]]
name = "renewal-watch"
owner = "renewals"
filter = "arr >= 10000"
cooldown_days = 30
trigger = { kind = "renewal", within_days = 90 }
actions = [{ action = "route", to = "renewals-desk" }]
"""

DAY = datetime.date(2026, 9, 30)
BEFORE = datetime.date(2026, 9, 15)

#: What fires on DAY after a run on BEFORE, by play then account.
EXPECTED = [
    {
        "date": "2026-09-30",
        "play": "sponsor-left",
        "account_id": "A1",
        "csm": "ann",
        "mode": "live",
        "reason": "executive sponsor Jane Doe left the role on 2026-09-20",
        "actions": [
            {
                "action": "task",
                "assignee": "ann",
                "title": "Re-engage Acme: sponsor left",
                "body": "executive sponsor Jane Doe left the role on 2026-09-20. ARR 80000.",
                "due": "2026-10-07",
                "priority": "high",
            },
            {"action": "tag", "tag": "sponsor-risk"},
        ],
    },
    {
        "date": "2026-09-30",
        "play": "detractor",
        "account_id": "A3",
        "csm": "bob",
        "mode": "log_only",
        "reason": "NPS 3 on 2026-09-28",
        "actions": [
            {
                "action": "task",
                "assignee": "queue:cx-desk",
                "title": "Initech: detractor (detractor, 2026-09-30)",
                "body": "",
                "due": "2026-10-02",
                "priority": "urgent",
            }
        ],
    },
    {
        "date": "2026-09-30",
        "play": "renewal-watch",
        "account_id": "A2",
        "csm": "bob",
        "mode": "log_only",
        "reason": "renews in 62 days",
        "actions": [{"action": "route", "to": "renewals-desk"}],
    },
]

FIRED_COLUMNS = [
    "date",
    "play",
    "account_id",
    "csm",
    "mode",
    "reason",
    "assignee",
    "title",
    "body",
    "due",
    "priority",
    "tags",
    "routes",
    "actions",
]


@pytest.fixture(scope="module")
def small() -> csops.Book:
    return csops.load_book_csv(RUN_BOOK)


@pytest.fixture(scope="module")
def plays() -> csops.Playbook:
    return csops.Playbook.from_toml(PLAYS_TOML)


@pytest.fixture(scope="module")
def sample() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


def plain(x: Any) -> Any:
    """A table cell as plain data: NaN / None / pd.NA as None, numpy scalars as Python ones."""
    if type(x).__name__ == "Timestamp":  # a datetime64 cell: the day it is
        return x.date()
    if hasattr(x, "item") and not isinstance(x, (str, list, dict)):
        x = x.item()
    if x is None or (isinstance(x, float) and math.isnan(x)) or type(x).__name__ in ("NAType", "NaTType"):
        return None
    return x


def records(df: Any) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]


def row_of(d: Mapping[str, Any]) -> dict[str, Any]:
    """The DataFrame row a fired dict (the core's form) should give."""
    task = next((a for a in d["actions"] if a["action"] == "task"), None)
    return {
        "date": datetime.date.fromisoformat(d["date"]),
        "play": d["play"],
        "account_id": d["account_id"],
        "csm": d["csm"],
        "mode": d["mode"],
        "reason": d["reason"],
        "assignee": task and task["assignee"],
        "title": task and task["title"],
        "body": task and task["body"],
        "due": task and datetime.date.fromisoformat(task["due"]),
        "priority": task and task["priority"],
        "tags": [a["tag"] for a in d["actions"] if a["action"] == "tag"],
        "routes": [a["to"] for a in d["actions"] if a["action"] == "route"],
        "actions": d["actions"],
    }


def with_modes(pb: csops.Playbook, mode: str) -> csops.Playbook:
    d = pb.to_dict()
    for p in d["plays"]:
        p["mode"] = mode
    return csops.Playbook.from_dict(d)


# Building a playbook ------------------------------------------------------------------------------


def test_every_way_of_building_a_playbook_gives_the_same_one(plays: csops.Playbook, tmp_path: Path) -> None:
    assert len(plays) == 3
    assert plays.plays == ["sponsor-left", "detractor", "renewal-watch"]
    d = plays.to_dict()
    assert d["schema_version"] == 1
    assert [p["mode"] for p in d["plays"]] == ["live", "log_only", "log_only"]
    assert d["plays"][2]["filter"] == "arr >= 10000"
    assert d["plays"][1]["actions"][0]["assign"] == {"to": "queue", "queue": "cx-desk"}
    # The defaults are filled in: no cooldown, priority normal, empty body.
    assert d["plays"][1]["cooldown_days"] == 0
    toml_path = tmp_path / "plays.toml"
    toml_path.write_text(PLAYS_TOML, encoding="utf-8")
    json_path = tmp_path / "PLAYS.JSON"
    json_path.write_text(plays.to_json(), encoding="utf-8")
    forms = [
        csops.Playbook.from_dict(d),
        csops.Playbook.from_json(plays.to_json()),
        csops.Playbook.from_toml(plays.to_toml()),
        csops.Playbook.from_json(json.dumps(d)),
        csops.Playbook(d["plays"]),
        csops.Playbook(iter(d["plays"])),
        csops.Playbook.load(toml_path),
        csops.Playbook.load(str(json_path)),
        pickle.loads(pickle.dumps(plays)),
        copy.deepcopy(plays),
    ]
    for f in forms:
        assert f == plays
        assert f.to_dict() == d
    assert plays != csops.Playbook(d["plays"][:2])
    assert (plays == "not a playbook") is False
    # A condition in its structured form is read as the same condition.
    structured = copy.deepcopy(d)
    structured["plays"][2]["filter"] = {"field": "arr", "op": ">=", "value": 10000}
    assert csops.Playbook.from_dict(structured) == plays
    assert csops.Playbook([]).plays == [] and len(csops.Playbook([])) == 0


def test_the_sponsor_left_play() -> None:
    pb = csops.Playbook.sponsor_left()
    assert pb.plays == ["sponsor-left"]
    (play,) = pb.to_dict()["plays"]
    assert play["mode"] == "log_only"
    assert play["trigger"] == {"kind": "event", "event": "sponsor_removed"}
    assert play["filter"] == "arr > 0"
    assert play["cooldown_days"] == 30
    (task,) = play["actions"]
    assert (task["action"], task["assign"], task["due_in_days"], task["priority"]) == ("task", {"to": "owner"}, 7, "high")
    # Plays compose: the sponsor-left play beside one of your own.
    mine = csops.Playbook.from_toml(PLAYS_TOML).to_dict()["plays"][1]
    both = csops.Playbook([play, mine])
    assert both.plays == ["sponsor-left", "detractor"]


def test_construction_errors_are_config_or_type_errors(tmp_path: Path) -> None:
    good = csops.Playbook.from_toml(PLAYS_TOML).to_dict()
    typo = copy.deepcopy(good)
    typo["plays"][0]["cooldown"] = 3
    with pytest.raises(csops.ConfigError) as info:
        csops.Playbook.from_dict(typo)
    assert "unknown field `cooldown`" in str(info.value)
    assert any("cooldown" in p for p in info.value.problems)
    kind = copy.deepcopy(good)
    kind["plays"][0]["trigger"]["kind"] = "sometimes"
    with pytest.raises(csops.ConfigError, match="sometimes"):
        csops.Playbook.from_dict(kind)
    bad_filter = copy.deepcopy(good)
    bad_filter["plays"][2]["filter"] = "arr >>= 3"
    with pytest.raises(csops.ConfigError):
        csops.Playbook.from_dict(bad_filter)
    with pytest.raises(csops.ConfigError, match="playbook"):
        csops.Playbook.from_toml("[[plays]]\nname = 1")
    with pytest.raises(csops.ConfigError):
        csops.Playbook.from_json("{not json")
    with pytest.raises(csops.ConfigError, match="JSON"):
        csops.Playbook.from_dict({"plays": [{"name": "x", "cooldown_days": math.nan}]})
    with pytest.raises(TypeError):
        csops.Playbook("[[plays]]")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.Playbook(good)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.Playbook.from_dict(good["plays"])  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match=r"\.toml or \.json"):
        csops.Playbook.load(tmp_path / "plays.yaml")
    with pytest.raises(csops.CsopsIOError) as io:
        csops.Playbook.load(tmp_path / "missing.toml")
    assert io.value.filename == str(tmp_path / "missing.toml")


def test_loading_lists_every_problem_that_needs_no_book() -> None:
    text = """
[[plays]]
name = "a"
owner = "x"
trigger = { kind = "change", field = "logins_per_user_week", window_days = 0 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Hi {nmae", due_in_days = 1, priority = "asap" }]

[[plays]]
name = "a"
owner = ""
trigger = { kind = "level", when = "regoin == 'EMEA'" }
actions = []

[[plays]]
name = "b"
owner = "x"
trigger = { kind = "change", field = "name", window_days = 30, drop = -0.5 }
actions = [{ action = "task", assign = { to = "owner" }, title = "", body = "{oops", due_in_days = 1 }]
"""
    with pytest.raises(csops.ConfigError) as info:
        csops.Playbook.from_toml(text)
    problems = info.value.problems
    wanted = [
        "priority `asap`",
        "used twice",
        "needs `drop` or `rise`",
        "window of 1 to 3660 days",
        "no owner",
        "no actions",
        "must be positive",
        "needs a title",
        "`{` without `}`",
    ]
    for want in wanted:
        assert any(want in p for p in problems), f"{want!r} not in {problems}"
        assert want in str(info.value)
    # Two broken templates: play a's title and play b's body.
    assert len(problems) == len(wanted) + 1, problems
    # The same plays as data fail the same way.
    import tomllib

    with pytest.raises(csops.ConfigError) as again:
        csops.Playbook(tomllib.loads(text)["plays"])
    assert again.value.problems == problems


def test_validate_lists_every_unknown_field(small: csops.Book, plays: csops.Playbook) -> None:
    plays.validate(small)
    plays.validate(small, as_of="2026-09-30")
    # Fields depend on the book: a playbook naming unknown ones loads, and validate lists each.
    bad = csops.Playbook.from_toml(
        """
[[plays]]
name = "a"
owner = "x"
trigger = { kind = "change", field = "name", window_days = 7, drop = 0.5 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Hi {nmae}", body = "{segment} {attr.nope}", due_in_days = 1 }]

[[plays]]
name = "b"
owner = "x"
trigger = { kind = "level", when = "regoin == 'EMEA'" }
actions = [{ action = "tag", tag = "t" }]
"""
    )
    with pytest.raises(csops.ConfigError) as info:
        bad.validate(small)
    problems = info.value.problems
    wanted = ["`{nmae}`", "`{attr.nope}`", "regoin", "needs a number field, not `name`"]
    for want in wanted:
        assert any(want in p for p in problems), f"{want!r} not in {problems}"
    assert len(problems) == len(wanted), problems
    # run_plays validates first, with the same problems.
    with pytest.raises(csops.ConfigError) as again:
        csops.run_plays(small, bad, DAY)
    assert again.value.problems == problems


def test_validate_sees_the_scorecard_fields(small: csops.Book) -> None:
    red = csops.Playbook(
        [
            {
                "name": "red",
                "owner": "x",
                "trigger": {"kind": "level", "when": 'band == "red"'},
                "actions": [{"action": "tag", "tag": "t"}],
            }
        ]
    )
    with pytest.raises(csops.ConfigError, match="band"):
        red.validate(small)
    red.validate(small, scorecard=csops.Scorecard.default_heuristic())
    with pytest.raises(TypeError):
        red.validate(small, feature_config=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        red.validate(small, as_of=3)  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="not a date"):
        red.validate(small, as_of="2026-02-30")


# Runs ---------------------------------------------------------------------------------------------


def test_a_run_fires_what_was_worked_out_by_hand(small: csops.Book, plays: csops.Playbook) -> None:
    run = csops.run_plays(small, plays, DAY, history=csops.FireHistory(last_run=BEFORE))
    assert run.date == DAY
    assert len(run) == 3
    assert run.to_dicts() == EXPECTED
    df = run.fired
    assert list(df.columns) == FIRED_COLUMNS
    assert records(df) == [row_of(d) for d in EXPECTED]
    assert records(run.live) == [row_of(EXPECTED[0])]
    assert records(run.would_have_fired) == [row_of(d) for d in EXPECTED[1:]]
    # The history: the last run, when each play fired, the open tasks (the route opens none).
    h = run.history
    assert h.last_run == DAY
    assert h.last_fired == {
        "detractor": {"A3": DAY},
        "renewal-watch": {"A2": DAY},
        "sponsor-left": {"A1": DAY},
    }
    assert h.open_tasks == [("detractor", "A3"), ("sponsor-left", "A1")]
    d = run.to_dict()
    assert d["date"] == "2026-09-30" and d["fired"] == EXPECTED
    assert d["history"] == h.to_dict()
    assert d["history"]["open_tasks"] == [["detractor", "A3"], ["sponsor-left", "A1"]]


def test_arguments_take_objects_dicts_dates_and_text(small: csops.Book, plays: csops.Playbook) -> None:
    reference = csops.run_plays(small, plays, DAY, history=csops.FireHistory(last_run=BEFORE)).to_dicts()
    for pb in (plays, plays.to_dict()):
        for day in (DAY, "2026-09-30", datetime.datetime(2026, 9, 30, 23, 59)):
            for history in (
                csops.FireHistory(last_run="2026-09-15"),
                {"last_run": "2026-09-15"},
                csops.FireHistory.from_dict({"last_run": "2026-09-15"}),
            ):
                got = csops.run_plays(small, pb, day, history=history)
                assert got.to_dicts() == reference
    with pytest.raises(TypeError, match="day"):
        csops.run_plays(small, plays, 20260930)  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="not a date"):
        csops.run_plays(small, plays, "30/09/2026")
    with pytest.raises(TypeError, match="playbook"):
        csops.run_plays(small, PLAYS_TOML, DAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="history"):
        csops.run_plays(small, plays, DAY, history="2026-09-15")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.run_plays(small, plays, DAY, scorecard={"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.run_plays(plays, plays, DAY)  # type: ignore[arg-type]


def test_without_a_history_events_of_the_day_itself_count(small: csops.Book, plays: csops.Playbook) -> None:
    """A first run: events count from the run's own day (A1's sponsor left on 2026-09-20; A2
    renews in 72 days then)."""
    on_the_day = csops.run_plays(small, plays, "2026-09-20")
    assert [(f["play"], f["account_id"]) for f in on_the_day.to_dicts()] == [
        ("sponsor-left", "A1"),
        ("renewal-watch", "A2"),
    ]
    later = csops.run_plays(small, plays, "2026-09-21")
    assert "sponsor-left" not in {f["play"] for f in later.to_dicts()}


def test_rerunning_with_the_returned_history_fires_nothing(small: csops.Book, plays: csops.Playbook) -> None:
    start = csops.FireHistory(last_run=BEFORE)
    first = csops.run_plays(small, plays, DAY, history=start)
    # Deterministic; the history given is not changed.
    assert csops.run_plays(small, plays, DAY, history=start).to_dict() == first.to_dict()
    assert start == csops.FireHistory(last_run=BEFORE)
    again = csops.run_plays(small, plays, DAY, history=first.history)
    assert len(again) == 0
    assert list(again.fired.columns) == FIRED_COLUMNS and len(again.fired) == 0
    assert again.history == first.history
    # The next day: nothing new either (events were counted, tasks are open, cooldowns hold).
    assert len(csops.run_plays(small, plays, DAY + datetime.timedelta(days=1), history=first.history)) == 0
    # Stored as JSON and read back, the history keeps that promise.
    stored = csops.FireHistory.from_json(first.history.to_json())
    assert len(csops.run_plays(small, plays, DAY, history=stored)) == 0
    # Runs go forwards.
    with pytest.raises(csops.ConfigError, match="runs go forwards"):
        csops.run_plays(small, plays, BEFORE, history=first.history)


def test_log_only_and_live_make_the_same_decisions(small: csops.Book, plays: csops.Playbook) -> None:
    live, quiet = with_modes(plays, "live"), with_modes(plays, "log_only")
    h_live = h_quiet = csops.FireHistory(last_run="2026-08-31")
    days = [datetime.date(2026, 9, 1) + datetime.timedelta(days=k) for k in range(0, 60, 3)]
    fired_any = 0
    for day in days:
        a = csops.run_plays(small, live, day, history=h_live)
        q = csops.run_plays(small, quiet, day, history=h_quiet)
        strip = lambda fs: [{k: v for k, v in f.items() if k != "mode"} for f in fs]  # noqa: E731
        assert strip(a.to_dicts()) == strip(q.to_dicts())
        assert all(f["mode"] == "live" for f in a.to_dicts())
        assert all(f["mode"] == "log_only" for f in q.to_dicts())
        assert len(a.live) == len(a) and len(a.would_have_fired) == 0
        assert len(q.would_have_fired) == len(q) and len(q.live) == 0
        assert a.history == q.history
        h_live, h_quiet = a.history, q.history
        fired_any += len(a)
    assert fired_any >= 3


def test_close_task_lets_the_play_fire_again(small: csops.Book) -> None:
    pb = csops.Playbook(
        [
            {
                "name": "renewal-call",
                "owner": "renewals",
                "mode": "live",
                "cooldown_days": 5,
                "filter": "arr >= 10000",
                "trigger": {"kind": "renewal", "within_days": 75},
                "actions": [
                    {"action": "task", "assign": {"to": "owner"}, "title": "Call {name}", "due_in_days": 3}
                ],
            }
        ]
    )
    # A2 renews in 62 days on DAY, A1 in 93 (83 ten days later), A4 is below the filter.
    day1 = DAY
    first = csops.run_plays(small, pb, day1)
    assert [(f["account_id"], f["actions"][0]["priority"]) for f in first.to_dicts()] == [("A2", "normal")]
    h = first.history
    assert h is first.history  # the same object on every access
    assert h.open_tasks == [("renewal-call", "A2")]
    # The task is open: not again, even after the cooldown.
    later = day1 + datetime.timedelta(days=10)
    assert len(csops.run_plays(small, pb, later, history=h)) == 0
    # Closed: again once the cooldown has passed, not within it.
    assert h.close_task("renewal-call", "A2") is True
    assert h.close_task("renewal-call", "A2") is False
    assert h.close_task("no-such-play", "A2") is False
    assert h.open_tasks == []
    assert first.history.open_tasks == []  # the same object
    assert first.to_dict()["history"]["open_tasks"] == []
    assert len(csops.run_plays(small, pb, day1 + datetime.timedelta(days=4), history=h)) == 0
    again = csops.run_plays(small, pb, day1 + datetime.timedelta(days=5), history=h)
    assert [f["account_id"] for f in again.to_dicts()] == ["A2"]
    assert again.history.last_fired == {"renewal-call": {"A2": day1 + datetime.timedelta(days=5)}}


def test_fire_history_round_trips(small: csops.Book, plays: csops.Playbook) -> None:
    empty = csops.FireHistory()
    assert empty.last_run is None and empty.open_tasks == [] and empty.last_fired == {}
    assert empty.to_dict() == {"last_run": None, "last_fired": {}, "open_tasks": [], "holding": {}}
    assert empty == csops.FireHistory.from_json("{}") == csops.FireHistory.from_dict({})
    h = csops.run_plays(small, plays, DAY, history=csops.FireHistory(last_run=BEFORE)).history
    text = h.to_json()
    assert json.loads(text) == h.to_dict()
    for back in (
        csops.FireHistory.from_json(text),
        csops.FireHistory.from_dict(h.to_dict()),
        csops.FireHistory.from_dict(json.loads(text)),
        pickle.loads(pickle.dumps(h)),
        copy.copy(h),
        copy.deepcopy(h),
    ):
        assert back == h and back is not h
        assert back.to_json() == text
    assert h == h
    assert h != empty
    assert (h == {"last_run": "2026-09-30"}) is False
    # A copy is independent.
    c = copy.copy(h)
    assert c.close_task("sponsor-left", "A1")
    assert c != h and ("sponsor-left", "A1") in h.open_tasks
    with pytest.raises(TypeError):
        hash(h)
    with pytest.raises(csops.ConfigError, match="fire history"):
        csops.FireHistory.from_json('{"last_run": "yesterday"}')
    with pytest.raises(csops.ConfigError, match="fire history"):
        csops.FireHistory.from_json("42")
    with pytest.raises(csops.ConfigError):
        csops.FireHistory.from_dict({"open_tasks": [["only-a-play"]]})
    with pytest.raises(TypeError):
        csops.FireHistory.from_dict("{}")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.FireHistory(last_run=20260915)  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError):
        csops.FireHistory(last_run="2026-09-31")
    with pytest.raises(TypeError):
        csops.FireHistory("2026-09-15")  # type: ignore[misc]


def test_reprs(small: csops.Book, plays: csops.Playbook) -> None:
    text = repr(plays)
    lines = text.splitlines()
    assert lines[0] == "Playbook: 3 plays"
    assert lines[1].split() == ["play", "mode", "trigger", "filter", "actions", "cooldown", "owner"]
    assert lines[2].startswith("  sponsor-left   live      event: sponsor_removed")
    assert "task -> owner (high, due in 7 days); tag sponsor-risk" in lines[2]
    assert "task -> queue:cx-desk (urgent, due in 2 days)" in lines[3]
    assert "renewal within 90 days" in lines[4] and "arr >= 10000" in lines[4]
    assert "(all accounts)" in lines[2]
    assert repr(csops.Playbook([])) == "Playbook: 0 plays"

    assert repr(csops.FireHistory()) == "<FireHistory: no run yet>"
    run = csops.run_plays(small, plays, DAY, history=csops.FireHistory(last_run=BEFORE))
    assert repr(run.history) == "<FireHistory: last run 2026-09-30; 3 plays fired for 3 accounts, 2 tasks open>"

    # The core's render_fired, one line each.
    assert repr(run).splitlines() == [
        "PlayRun 2026-09-30: 3 fired (1 live, 2 would have fired)",
        "2026-09-30 sponsor-left   A1        fired [executive sponsor Jane Doe left the role on 2026-09-20]"
        ' -> ann: "Re-engage Acme: sponsor left" due 2026-10-07',
        "2026-09-30 detractor      A3        would fire [NPS 3 on 2026-09-28]"
        ' -> queue:cx-desk: "Initech: detractor (detractor, 2026-09-30)" due 2026-10-02',
        "2026-09-30 renewal-watch  A2        would fire [renews in 62 days]",
    ]
    html = run._repr_html_()
    assert "<table>" in html and "&quot;Re-engage Acme: sponsor left&quot; due 2026-10-07" in html
    empty = csops.run_plays(small, plays, DAY, history=run.history)
    assert repr(empty) == "PlayRun 2026-09-30: 0 fired (0 live, 0 would have fired)"


# Replays on the sample book -----------------------------------------------------------------------


def sponsors_who_left(start: datetime.date, end: datetime.date) -> set[tuple[datetime.date, str]]:
    """(day, account) of every executive sponsor who left between start and end, from the CSV
    files of the sample book."""
    with open(SAMPLE_BOOK / "contacts.csv", encoding="utf-8") as f:
        account_of = {r["id"]: r["account_id"] for r in csv.DictReader(f)}
    out = set()
    with open(SAMPLE_BOOK / "contact_roles.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["role"] == "executive_sponsor" and r["removed"]:
                d = datetime.date.fromisoformat(r["removed"])
                if start <= d <= end:
                    out.add((d, account_of[r["contact_id"]]))
    return out


def test_a_replay_finds_every_sponsor_who_left(sample: csops.Book) -> None:
    """The main job's section 9: the sponsor-left play over the last four weeks."""
    end = sample.latest_date()
    assert end == datetime.date(2026, 9, 30)
    start = end - datetime.timedelta(days=27)
    pb = csops.Playbook.sponsor_left()
    pb.validate(sample)
    r = csops.replay_plays(sample, pb, start, end, history=csops.FireHistory(last_run=start - datetime.timedelta(days=1)))
    assert (r.start, r.end) == (start, end)
    expected = sponsors_who_left(start, end)
    assert len(expected) >= 3
    df = r.fired
    assert list(df.columns) == FIRED_COLUMNS
    assert df["date"].dtype == "datetime64[s]"
    assert set(zip(df["date"].dt.date, df["account_id"])) == expected
    assert list(df["date"]) == sorted(df["date"])
    assert set(df["mode"]) == {"log_only"}
    assert all(t.startswith("Re-engage ") and t.endswith(": executive sponsor left") for t in df["title"])
    assert all(due == d + datetime.timedelta(days=7) for d, due in zip(df["date"], df["due"]))
    assert r.per_play == {"sponsor-left": len(expected)}
    assert r.per_csm == df["assignee"].value_counts().to_dict()
    assert sum(r.per_csm.values()) == len(r) == len(expected)
    assert records(df) == [row_of(d) for d in r.to_dicts()]
    # Without a history, the same (events count from the first day itself).
    assert csops.replay_plays(sample, pb, start, end).to_dicts() == r.to_dicts()
    d = r.to_dict()
    assert (d["from"], d["to"]) == (start.isoformat(), end.isoformat())
    assert d["per_play"] == r.per_play and d["history"] == r.history.to_dict()
    assert r.history.last_run == end
    text = repr(r).splitlines()
    assert text[0] == f"PlayReplay {start} to {end} (log-only): {len(expected)} would have fired"
    assert text[1] == f"per play: sponsor-left {len(expected)}"
    assert len(text) == 3 + len(expected)


def test_a_replay_equals_running_day_by_day(sample: csops.Book) -> None:
    """As the core promises: every play log-only, tasks taken as done on their due day."""
    pb = csops.Playbook.from_dict(
        {
            "plays": [
                csops.Playbook.sponsor_left().to_dict()["plays"][0] | {"mode": "live"},
                {
                    "name": "escalated",
                    "owner": "support",
                    "mode": "live",
                    "trigger": {"kind": "event", "event": "ticket_escalated"},
                    "actions": [
                        {"action": "task", "assign": {"to": "owner"}, "title": "{name}: {reason}", "due_in_days": 3}
                    ],
                },
            ]
        }
    )
    end = datetime.date(2026, 9, 30)
    start = end - datetime.timedelta(days=45)
    r = csops.replay_plays(sample, pb, start, end)
    quiet = with_modes(pb, "log_only")
    h: Any = None
    fired: list[Any] = []
    due: dict[str, list[tuple[str, str]]] = {}
    day = start
    while day <= end:
        if h is not None:
            for play, account in due.pop(day.isoformat(), []):
                h.close_task(play, account)
        out = csops.run_plays(sample, quiet, day, history=h)
        for f in out.to_dicts():
            for a in f["actions"]:
                if a["action"] == "task":
                    due.setdefault(a["due"], []).append((f["play"], f["account_id"]))
        fired.extend(out.to_dicts())
        h = out.history
        day += datetime.timedelta(days=1)
    assert r.to_dicts() == fired
    assert r.history == h
    assert len(r.per_play) == 2 and min(r.per_play.values()) > 0
    assert r.per_play == {p: sum(f["play"] == p for f in fired) for p in r.per_play}


def test_replay_errors(sample: csops.Book) -> None:
    pb = csops.Playbook.sponsor_left()
    with pytest.raises(csops.ConfigError, match="runs backwards"):
        csops.replay_plays(sample, pb, "2026-09-30", "2026-09-01")
    with pytest.raises(csops.ConfigError, match="ten years"):
        csops.replay_plays(sample, pb, "2000-01-01", "2026-09-01")
    with pytest.raises(TypeError, match="start"):
        csops.replay_plays(sample, pb, None, "2026-09-01")  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="runs go forwards"):
        csops.replay_plays(sample, pb, "2026-09-01", "2026-09-30", history=csops.FireHistory(last_run="2026-10-01"))


def test_long_replays_are_shortened_in_the_repr(sample: csops.Book, long_replay: csops.PlayReplay) -> None:
    n = len(long_replay)
    assert n > 20
    lines = repr(long_replay).splitlines()
    assert lines[-1] == f"… and {n - 20} more (see .fired)"
    assert len(lines) == 3 + 20 + 1
    assert f"… and {n - 20} more" in long_replay._repr_html_()


# Effects ------------------------------------------------------------------------------------------


def wilson(k: int, n: int) -> tuple[float, float]:
    p, z2 = k / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


OUTCOME_BOOK = {
    "accounts": ACCOUNTS,
    "renewal_outcomes": (
        "id,account_id,renewal_date,outcome,currency,arr_before,arr_after\n"
        "R1,A1,2025-09-01,renewed,USD,80000.00,80000.00\n"
        "R2,A2,2025-12-01,churned,USD,20000.00,0.00\n"
        "R3,A3,2026-03-01,renewed,USD,60000.00,60000.00\n"
        "R4,A3,2026-09-01,churned,USD,60000.00,0.00\n"
        "R5,A4,2025-08-01,churned,USD,5000.00,0.00\n"
    ),
}


def test_play_effects_by_hand() -> None:
    """renewal-watch fired for A2 on 2025-06-01. Within 365 days A2 churned (0/1); of the others
    passing its filter that day (A1, A3: ARR >= 10,000; not A4), A1 renewed on 2025-09-01 and
    A3 on 2026-03-01 (its churn on 2026-09-01 is later): 2/2. Fisher's exact test of
    [[0, 1], [2, 0]]: the only table as unlikely has probability 1/3; odds ratio 0."""
    book = csops.load_book_csv(OUTCOME_BOOK)
    pb = csops.Playbook.from_toml(PLAYS_TOML)
    fired = [
        {
            "date": "2025-06-01",
            "play": "renewal-watch",
            "account_id": "A2",
            "csm": "bob",
            "mode": "log_only",
            "reason": "renews in 183 days",
            "actions": [{"action": "route", "to": "renewals-desk"}],
        }
    ]
    e = csops.play_effects(book, pb, fired)
    assert list(e.columns) == [
        "play",
        "fired_renewals",
        "fired_renewed",
        "fired_rate",
        "fired_ci_lo",
        "fired_ci_hi",
        "other_renewals",
        "other_renewed",
        "other_rate",
        "other_ci_lo",
        "other_ci_hi",
        "odds_ratio",
        "p_value",
        "verdict",
    ]
    (row,) = records(e)  # plays that never fired are left out
    assert row["play"] == "renewal-watch"
    assert (row["fired_renewals"], row["fired_renewed"], row["other_renewals"], row["other_renewed"]) == (1, 0, 2, 2)
    assert (row["fired_rate"], row["other_rate"]) == (0.0, 1.0)
    assert row["fired_ci_lo"] == pytest.approx(wilson(0, 1)[0], abs=1e-12)
    assert row["fired_ci_hi"] == pytest.approx(Z95**2 / (1 + Z95**2), rel=1e-12)
    assert row["other_ci_lo"] == pytest.approx(2 / (2 + Z95**2), rel=1e-12)
    assert row["other_ci_hi"] == pytest.approx(1.0, rel=1e-12)
    assert row["odds_ratio"] == 0.0
    assert row["p_value"] == pytest.approx(1 / 3, rel=1e-12)
    assert row["verdict"] == (
        "accounts it fired on renewed at 0% (0/1) vs 100% (2/2) for the others; "
        "Fisher p = 0.33: no significant difference"
    )
    # Over 100 days A2 has no renewal (its churn is later); of the others only A1 renewed.
    (short,) = records(csops.play_effects(book, pb, fired, horizon_days=100))
    assert (short["fired_renewals"], short["other_renewals"], short["other_renewed"]) == (0, 1, 1)
    assert short["fired_rate"] is None and short["fired_ci_lo"] is None and short["p_value"] is None
    assert short["odds_ratio"] is None
    assert short["other_ci_lo"] == pytest.approx(1 / (1 + Z95**2), rel=1e-12)
    assert short["verdict"] == "too few renewals after it fired to compare"
    # Nothing fired: an empty table with the same columns.
    assert list(csops.play_effects(book, pb, []).columns) == list(e.columns)
    assert len(csops.play_effects(book, pb, [])) == 0


@pytest.fixture(scope="module")
def long_replay(sample: csops.Book) -> csops.PlayReplay:
    """The main job's eighteen months of the sponsor-left play."""
    end = datetime.date(2026, 9, 30)
    start = end - datetime.timedelta(days=540)
    return csops.replay_plays(
        sample, csops.Playbook.sponsor_left(), start, end, history=csops.FireHistory(last_run=start - datetime.timedelta(days=1))
    )


def test_play_effects_on_the_sample_book_follow_their_definition(sample: csops.Book, long_replay: csops.PlayReplay) -> None:
    """The counts recomputed from the sample book's renewal outcomes: each fired account's first
    renewal within a year after its first firing; the other accounts with ARR > 0 on the first
    firing day (the play's filter), over the year after the last firing."""
    pb = csops.Playbook.sponsor_left()
    e = csops.play_effects(sample, pb, long_replay, horizon_days=365)
    (row,) = records(e)
    fired_on: dict[str, datetime.date] = {}
    for f in long_replay.to_dicts():
        fired_on.setdefault(f["account_id"], datetime.date.fromisoformat(f["date"]))
    first = min(fired_on.values())
    last = max(datetime.date.fromisoformat(f["date"]) for f in long_replay.to_dicts())
    table = sample.account_table(first)
    eligible = set(table["id"][table["arr"] > 0])
    outcomes: dict[str, list[tuple[datetime.date, str]]] = {}
    with open(SAMPLE_BOOK / "renewal_outcomes.csv", encoding="utf-8") as text:
        for r in csv.DictReader(text):
            outcomes.setdefault(r["account_id"], []).append((datetime.date.fromisoformat(r["renewal_date"]), r["outcome"]))
    year = datetime.timedelta(days=365)
    counts = {"fired": [0, 0], "other": [0, 0]}
    for account in sample.account_ids:
        since = fired_on.get(account)
        lo, hi = (since, since + year) if since else (first, last + year)
        within = sorted(o for o in outcomes.get(account, []) if lo < o[0] <= hi)
        if not within:
            continue
        group = "fired" if since else ("other" if account in eligible else None)
        if group:
            counts[group][0] += 1
            counts[group][1] += within[0][1] != "churned"
    assert (row["fired_renewals"], row["fired_renewed"]) == tuple(counts["fired"])
    assert (row["other_renewals"], row["other_renewed"]) == tuple(counts["other"])
    assert row["fired_renewals"] >= 10 and row["other_renewals"] >= 10
    assert row["fired_rate"] == row["fired_renewed"] / row["fired_renewals"]
    ci_lo, ci_hi = wilson(row["fired_renewed"], row["fired_renewals"])
    assert (row["fired_ci_lo"], row["fired_ci_hi"]) == (pytest.approx(ci_lo, rel=1e-9), pytest.approx(ci_hi, rel=1e-9))
    assert 0 < row["p_value"] <= 1
    a, b = row["fired_renewed"], row["fired_renewals"] - row["fired_renewed"]
    c, d = row["other_renewed"], row["other_renewals"] - row["other_renewed"]
    assert row["odds_ratio"] == pytest.approx(a * d / (b * c), rel=1e-12)
    assert f"({a}/{a + b})" in row["verdict"] and f"({c}/{c + d})" in row["verdict"]
    assert f"Fisher p = {row['p_value']:.2f}" in row["verdict"]
    # Every form of `fired` gives the same table.
    half = len(long_replay.to_dicts()) // 2
    dicts = long_replay.to_dicts()
    for fired in (
        [long_replay],
        dicts,
        json.loads(json.dumps(dicts)),
        dicts[:half] + dicts[half:],
        iter(dicts),
    ):
        assert records(csops.play_effects(sample, pb, fired)) == [row]


def test_play_effects_arguments(sample: csops.Book, long_replay: csops.PlayReplay) -> None:
    pb = csops.Playbook.sponsor_left()
    with pytest.raises(csops.ConfigError, match="horizon_days"):
        csops.play_effects(sample, pb, long_replay, horizon_days=-1)
    with pytest.raises(TypeError, match="fired"):
        csops.play_effects(sample, pb, "A-00001")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fired"):
        csops.play_effects(sample, pb, long_replay.fired)
    with pytest.raises(TypeError, match=r"fired\[1\]"):
        csops.play_effects(sample, pb, [long_replay, 3])  # type: ignore[list-item]
    with pytest.raises(csops.ConfigError, match=r"fired\[0\].*date"):
        csops.play_effects(sample, pb, [{"play": "sponsor-left"}])
    with pytest.raises(csops.ConfigError, match=r"fired\[0\]"):
        csops.play_effects(sample, pb, [{"date": datetime.date(2026, 1, 1)}])
    # A run counts as its fired plays.
    run = csops.run_plays(sample, pb, "2026-09-30", history=csops.FireHistory(last_run="2026-09-01"))
    assert len(run) > 0
    assert records(csops.play_effects(sample, pb, run)) == records(csops.play_effects(sample, pb, [run]))
    assert records(csops.play_effects(sample, pb, run)) == records(csops.play_effects(sample, pb, run.to_dicts()))


# Hostile inputs -----------------------------------------------------------------------------------


def test_hostile_numbers_and_dates_raise_csops_errors(small: csops.Book) -> None:
    """Spans the calendar cannot hold are refused when the playbook is checked (at most ten
    years), with a csops error naming the play; nothing crashes."""
    base = csops.Playbook.from_toml(PLAYS_TOML).to_dict()
    for due in (4_000_000_000, 3_000_000, 3661):
        huge_due = copy.deepcopy(base)
        huge_due["plays"][0]["actions"][0]["due_in_days"] = due
        with pytest.raises(csops.ConfigError, match=f"due in {due} days; at most 3660"):
            csops.run_plays(small, huge_due, DAY, history={"last_run": "2026-09-15"})
    ten_years = copy.deepcopy(base)
    ten_years["plays"][0]["actions"][0]["due_in_days"] = 3660
    run = csops.run_plays(small, ten_years, DAY, history={"last_run": "2026-09-15"})
    assert run.to_dicts()[0]["actions"][0]["due"] == str(DAY + datetime.timedelta(days=3660))
    too_big = copy.deepcopy(base)
    too_big["plays"][0]["cooldown_days"] = 2**32
    with pytest.raises(csops.ConfigError):
        csops.Playbook.from_dict(too_big)
    negative = copy.deepcopy(base)
    negative["plays"][0]["actions"][0]["due_in_days"] = -1
    with pytest.raises(csops.ConfigError):
        csops.Playbook.from_dict(negative)
    window = {
        "plays": [
            {
                "name": "w",
                "owner": "o",
                "trigger": {"kind": "change", "field": "arr", "window_days": 4_000_000_000, "drop": 0.3},
                "actions": [{"action": "tag", "tag": "t"}],
            }
        ]
    }
    with pytest.raises(csops.ConfigError, match="window of 1 to 3660 days, not 4000000000"):
        csops.run_plays(small, window, DAY)
    sponsor = csops.Playbook.sponsor_left()
    r = csops.replay_plays(small, sponsor, "2026-09-01", "2026-09-30")
    assert [f["account_id"] for f in r.to_dicts()] == ["A2", "A1"]
    with pytest.raises(csops.CsopsError):
        csops.play_effects(small, sponsor, r, horizon_days=4_000_000_000)
    assert len(csops.run_plays(small, sponsor, "9999-12-31")) == 0
    assert len(csops.run_plays(small, sponsor, "0001-01-01")) == 0


def test_deeply_nested_triggers_are_config_errors() -> None:
    leaf = {"kind": "renewal", "within_days": 90}
    t: dict[str, Any] = leaf
    for _ in range(40):
        t = {"kind": "all", "of": [t]}
    # Loading refuses it (the depth needs no book).
    with pytest.raises(csops.ConfigError, match="nested more than 16 deep"):
        csops.Playbook([{"name": "deep", "owner": "o", "trigger": t, "actions": [{"action": "tag", "tag": "x"}]}])
    deeper = leaf
    for _ in range(5000):
        deeper = {"kind": "any", "of": [deeper]}
    with pytest.raises(csops.ConfigError, match="recursion"):
        csops.Playbook([{"name": "deeper", "owner": "o", "trigger": deeper, "actions": []}])
    n = 100_000
    text = '{"plays": [{"name": "a", "owner": "o", "actions": [], "trigger": ' + '{"kind": "all", "of": [' * n + "]}" * n + "}]}"
    with pytest.raises(csops.ConfigError, match="recursion limit"):
        csops.Playbook.from_json(text)
    toml = '[[plays]]\nname = "a"\nowner = "o"\nactions = []\ntrigger = ' + '{kind = "all", of = [' * n + "]}" * n + "\n"
    with pytest.raises(csops.ConfigError):
        csops.Playbook.from_toml(toml)


@pytest.mark.parametrize("seed", range(4))
def test_garbage_text_is_a_config_error(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = '[]{}"=,.:\n \\plays name owner trigger actions kind 0123456789 \u00e9\u2603'
    for _ in range(50):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
        for parse in (csops.Playbook.from_json, csops.Playbook.from_toml, csops.FireHistory.from_json):
            try:
                parse(text)
            except csops.ConfigError:
                pass


@pytest.mark.parametrize("seed", range(4))
def test_mutated_playbooks_run_or_raise_config_errors(small: csops.Book, seed: int) -> None:
    """Any value anywhere in a valid playbook replaced by another (a number, text, None, a list,
    a huge number, a template with braces): building, validating and running either work or
    raise ConfigError, and a run that works is repeatable."""
    rng = random.Random(seed)
    base = csops.Playbook.from_toml(PLAYS_TOML).to_dict()
    values: list[Any] = [None, 0, -1, 2**40, 1.5, "", "{", "{name}", "x" * 1000, [], {}, True, "band == 'red'"]

    def paths(x: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        out = [at]
        if isinstance(x, dict):
            for k, v in x.items():
                out += paths(v, at + (k,))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                out += paths(v, at + (i,))
        return out

    all_paths = [p for p in paths(base) if p]
    for _ in range(40):
        d = copy.deepcopy(base)
        path = rng.choice(all_paths)
        target = d
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = rng.choice(values)
        try:
            pb = csops.Playbook.from_dict(d)
            pb.validate(small)
            first = csops.run_plays(small, pb, DAY, history={"last_run": "2026-09-15"})
        except csops.ConfigError:
            continue
        assert csops.run_plays(small, pb, DAY, history={"last_run": "2026-09-15"}).to_dicts() == first.to_dicts()
        first.fired  # the table builds


# Threads ------------------------------------------------------------------------------------------


def test_replay_releases_the_gil(sample: csops.Book, pause_shares: Callable[[Callable[[], object]], list[float]]) -> None:
    """While a replay runs, another Python thread keeps running."""
    pb = csops.Playbook.sponsor_left()

    shares = pause_shares(lambda: csops.replay_plays(sample, pb, "2026-07-01", "2026-09-30"))
    assert min(shares) < 0.5, shares


def test_runs_from_threads_agree(sample: csops.Book) -> None:
    pb = csops.Playbook.sponsor_left()
    card = csops.Scorecard.default_heuristic()
    start = csops.FireHistory(last_run="2026-08-31")
    reference = (
        csops.replay_plays(sample, pb, "2026-09-01", "2026-09-30", history=start).to_dict(),
        csops.run_plays(sample, pb, "2026-09-30", history=start, scorecard=card).to_dict(),
    )
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(2):
                results.append(
                    (
                        csops.replay_plays(sample, pb, "2026-09-01", "2026-09-30", history=start).to_dict(),
                        csops.run_plays(sample, pb, "2026-09-30", history=start, scorecard=card).to_dict(),
                    )
                )
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8
    assert all(r == reference for r in results)
    assert start == csops.FireHistory(last_run="2026-08-31")
