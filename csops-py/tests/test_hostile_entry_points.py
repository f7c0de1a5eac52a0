"""Every public entry point, fed hostile arguments, raises an ordinary exception (a csops error, a
TypeError, a ValueError, ...): nothing panics through to the interpreter (a Rust panic would
surface as ``pyo3_runtime.PanicException``, a ``BaseException``, which these tests do not catch),
and nothing crashes it."""

from __future__ import annotations

import datetime
import itertools
import math
from typing import Any, Callable

import pytest

import csops
from conftest import CLEAN_CSV

np = pytest.importorskip("numpy")


class Exploding:
    """An object whose every protocol method raises."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"boom: {name}")

    def __len__(self) -> int:
        raise RuntimeError("boom: len")

    def __iter__(self) -> Any:
        raise RuntimeError("boom: iter")


class BadStream:
    """Claims the Arrow PyCapsule interface, returns garbage."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return "not a capsule"


class RaisingStream:
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        raise ValueError("no stream today")


def hostile_values() -> list[Any]:
    circular: dict[str, Any] = {}
    circular["self"] = circular
    return [
        None,
        0,
        -1,
        2**80,
        float("nan"),
        float("inf"),
        "",
        "\x00",
        "x" * 100_000,
        "\ud800",
        b"bytes",
        [],
        [None],
        [float("nan")] * 3,
        {},
        {"": None},
        {"accounts": 5},
        circular,
        object(),
        Exploding(),
        BadStream(),
        RaisingStream(),
        np.zeros((2, 2)),
        np.array(["a", "b"]),
        datetime.date.max,
        datetime.date.min,
        math,
    ]


@pytest.fixture(scope="module")
def objects() -> dict[str, Any]:
    book = csops.load_book_csv({**CLEAN_CSV, "accounts": CLEAN_CSV["accounts"].replace("EUR", "USD")})
    card = csops.Scorecard.default_heuristic()
    frame = book.features_as_of("2024-04-01")
    bt_book = book
    pb = csops.Playbook.sponsor_left()
    return {
        "book": book,
        "card": card,
        "frame": frame,
        "models": csops.ModelSet(card),
        "condition": csops.Condition("arr > 5"),
        "rules": csops.TierRules.default(),
        "segmentation": book.segment(),
        "playbook": pb,
        "history": csops.FireHistory(),
        "run": csops.run_plays(book, pb, "2024-04-01"),
        "bt_book": bt_book,
    }


def entry_points(o: dict[str, Any]) -> dict[str, Callable[[Any], Any]]:
    """One call per entry point, the hostile value in the argument that matters most."""
    book, card, frame = o["book"], o["card"], o["frame"]
    return {
        "load_book": lambda v: csops.load_book(v),
        "load_book_json": lambda v: csops.load_book_json(v),
        "load_book_csv": lambda v: csops.load_book_csv(v),
        "load_book_csv mode": lambda v: csops.load_book_csv(CLEAN_CSV, mode=v),
        "load_book_csv header_map": lambda v: csops.load_book_csv(CLEAN_CSV, header_map=v),
        "Book.features_as_of": lambda v: book.features_as_of(v),
        "Book.features_as_of config": lambda v: book.features_as_of("2024-04-01", config=v),
        "Book.with_records": lambda v: book.with_records(v),
        "Book.with_records tickets": lambda v: book.with_records({"tickets": [v]}),
        "Book.arr_bridge": lambda v: book.arr_bridge(v, "2024-04-01"),
        "Book.retention by": lambda v: book.retention("2024-01-01", "2024-04-01", by=v),
        "Book.retention frame": lambda v: book.retention("2024-01-01", "2024-04-01", frame=v),
        "Book.retention_series": lambda v: book.retention_series("2024-01-01", "2024-04-01", period=v),
        "Book.trailing_twelve_months": lambda v: book.trailing_twelve_months(v),
        "Book.health_as_of": lambda v: book.health_as_of(card, v),
        "Book.account_table": lambda v: book.account_table(v),
        "Book.segment rules": lambda v: book.segment(v),
        "Book.segment model": lambda v: book.segment(model=v),
        "Book.segment roster": lambda v: book.segment(roster=v),
        "FeatureFrame.column": lambda v: frame.column(v),
        "FeatureFrame.value": lambda v: frame.value(v, v),
        "Scorecard.from_dict": lambda v: csops.Scorecard.from_dict(v),
        "Scorecard.from_json": lambda v: csops.Scorecard.from_json(v),
        "Scorecard.from_toml": lambda v: csops.Scorecard.from_toml(v),
        "Scorecard.load": lambda v: csops.Scorecard.load(v),
        "Scorecard.validate": lambda v: card.validate(v),
        "Scorecard.score": lambda v: card.score(v),
        "Scorecard.score column": lambda v: card.score({"nps": v, "logins_per_user_week": [1.0, 2.0]}),
        "Scorecard.score segments": lambda v: card.score(frame, segments=v),
        "Scorecard.explain": lambda v: card.explain(frame, v),
        "Scorecard.explain data": lambda v: card.explain(v, "A1"),
        "Scorecard.apply_overrides": lambda v: card.apply_overrides(frame, v, as_of="2024-04-01"),
        "Scorecard.apply_overrides item": lambda v: card.apply_overrides(frame, [v], as_of="2024-04-01"),
        "ModelSet.from_dict": lambda v: csops.ModelSet.from_dict(v),
        "ModelSet.load": lambda v: csops.ModelSet.load(v),
        "ModelSet.score": lambda v: o["models"].score(frame, segments=v),
        "trend": lambda v: csops.trend(v, v),
        "backtest": lambda v: csops.backtest(book, card, end=v),
        "backtest lead_days": lambda v: csops.backtest(book, card, lead_days=v),
        "backtest lift_fractions": lambda v: csops.backtest(book, card, lift_fractions=v),
        "forecast health": lambda v: csops.forecast(book, health=v),
        "forecast probability": lambda v: csops.forecast(book, probability=v),
        "forecast draws": lambda v: csops.forecast(book, draws=v, distribution="monte_carlo"),
        "Condition": lambda v: csops.Condition(v),
        "Condition.from_dict": lambda v: csops.Condition.from_dict(v),
        "Condition.from_json": lambda v: csops.Condition.from_json(v),
        "Condition.filter": lambda v: o["condition"].filter(v),
        "Condition.filter column": lambda v: o["condition"].filter({"arr": v}),
        "TierRules": lambda v: csops.TierRules(v, "digital"),
        "TierRules.from_dict": lambda v: csops.TierRules.from_dict(v),
        "TierRules.assign": lambda v: o["rules"].assign(v),
        "segment_table": lambda v: csops.segment_table(v),
        "segment_table column": lambda v: csops.segment_table({"id": ["a", "b"], "arr": v}),
        "Segmentation.what_if": lambda v: o["segmentation"].what_if(v),
        "Playbook": lambda v: csops.Playbook(v),
        "Playbook.from_dict": lambda v: csops.Playbook.from_dict(v),
        "Playbook.from_json": lambda v: csops.Playbook.from_json(v),
        "Playbook.from_toml": lambda v: csops.Playbook.from_toml(v),
        "Playbook.validate": lambda v: o["playbook"].validate(book, as_of=v),
        "FireHistory": lambda v: csops.FireHistory(last_run=v),
        "FireHistory.from_dict": lambda v: csops.FireHistory.from_dict(v),
        "FireHistory.from_json": lambda v: csops.FireHistory.from_json(v),
        "FireHistory.close_task": lambda v: o["history"].close_task(v, v),
        "run_plays day": lambda v: csops.run_plays(book, o["playbook"], v),
        "run_plays history": lambda v: csops.run_plays(book, o["playbook"], "2024-04-01", history=v),
        "run_plays accounts": lambda v: csops.run_plays(book, o["playbook"], "2024-04-01", accounts=v),
        "run_plays frame": lambda v: csops.run_plays(book, o["playbook"], "2024-04-01", frame=v),
        "replay_plays": lambda v: csops.replay_plays(book, o["playbook"], "2024-03-01", v),
        "play_effects": lambda v: csops.play_effects(book, o["playbook"], v),
        "play_effects horizon": lambda v: csops.play_effects(book, o["playbook"], o["run"], horizon_days=v),
        "week_report as_of": lambda v: csops.week_report(book, as_of=v),
        "week_report scorecard": lambda v: csops.week_report(book, scorecard=v),
        "week_report replay_days": lambda v: csops.week_report(book, replay_days=v),
    }


def test_no_entry_point_panics_on_hostile_input(objects: dict[str, Any]) -> None:
    calls = entry_points(objects)
    failures = []
    for (name, call), value in itertools.product(calls.items(), hostile_values()):
        try:
            call(value)
        except Exception:  # noqa: BLE001 - any ordinary exception is a correct refusal
            pass
        except BaseException as e:  # a panic (pyo3_runtime.PanicException) lands here
            failures.append(f"{name}({value!r:.40}): {type(e).__name__}: {e}")
    assert not failures, "\n".join(failures)


def test_hostile_values_get_the_documented_error_classes(objects: dict[str, Any]) -> None:
    book, card = objects["book"], objects["card"]
    with pytest.raises(TypeError):
        card.score(object())
    with pytest.raises(TypeError, match="must return an \"arrow_array_stream\" PyCapsule"):
        card.score(BadStream())
    with pytest.raises(ValueError, match="no stream today"):
        card.score(RaisingStream())
    with pytest.raises(csops.ConfigError):
        book.account_table(frame="xlsx")  # type: ignore[arg-type]
    with pytest.raises(csops.ValidationError):
        book.with_records({"tickets": [{"id": "T"}]})
    for cls in (csops.ValidationError, csops.ConfigError, csops.FormatError):
        assert issubclass(cls, csops.CsopsError) and issubclass(cls, ValueError)
