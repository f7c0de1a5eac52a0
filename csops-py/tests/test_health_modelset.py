"""``csops.ModelSet`` (a scorecard per segment) and ``Scorecard.apply_overrides``.

The numbers are the core's; these tests check the binding with hand-checkable cases.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

import csops


def card(name: str, feature: str, normaliser: dict[str, Any]) -> dict[str, Any]:
    """A one-measure scorecard."""
    return {
        "schema_version": 1,
        "name": name,
        "groups": [
            {
                "name": "g",
                "weight": 1,
                "measures": [{"name": feature, "feature": feature, "weight": 1, "normaliser": normaliser}],
            }
        ],
    }


USAGE = card("usage", "logins", {"kind": "linear", "worst": 0, "best": 10})
SPONSOR = card("sponsor", "sponsor", {"kind": "boolean"})
FALLBACK = card("fallback", "logins", {"kind": "linear", "worst": 0, "best": 20})

DATA: dict[str, Any] = {
    "account_id": ["S1", "E1", "M1", "E2"],
    "logins": [5.0, 1.0, 10.0, 9.0],
    "sponsor": [0, 1, 0, 0],
    "segment": ["smb", "enterprise", "mid", "enterprise"],
}


def model_set() -> csops.ModelSet:
    return csops.ModelSet(
        csops.Scorecard.from_dict(FALLBACK),
        {"smb": csops.Scorecard.from_dict(USAGE), "enterprise": csops.Scorecard.from_dict(SPONSOR)},
    )


def test_model_set_picks_the_segment_scorecard() -> None:
    ms = model_set()
    assert ms.scorecard_for("smb").name == "usage"
    assert ms.scorecard_for("enterprise").name == "sponsor"
    assert ms.scorecard_for("nobody").name == "fallback"
    assert ms.default.name == "fallback"
    assert sorted(ms.by_segment) == ["enterprise", "smb"]
    out = ms.score(DATA, segments="segment")
    assert isinstance(out, dict)
    assert list(out) == ["account_id", "scorecard", "score", "band", "coverage"]
    assert out["account_id"] == ["S1", "E1", "M1", "E2"]
    assert list(out["scorecard"]) == ["usage", "sponsor", "fallback", "sponsor"]
    # smb: 5 of 10 logins = 50; enterprise: sponsor yes = 100, no = 0; mid: 10 of 20 = 50.
    assert [float(x) for x in out["score"]] == [50.0, 100.0, 50.0, 0.0]
    assert list(out["band"]) == ["yellow", "green", "yellow", "red"]
    assert [float(x) for x in out["coverage"]] == [1.0, 1.0, 1.0, 1.0]
    # Segments as a list give the same.
    again = ms.score(DATA, segments=DATA["segment"])
    assert [float(x) for x in again["score"]] == [50.0, 100.0, 50.0, 0.0]
    text = repr(ms)
    assert "fallback" in text and "smb" in text and "enterprise" in text


def test_model_set_score_pandas_and_polars() -> None:
    ms = model_set()
    pd = pytest.importorskip("pandas")
    out = ms.score(pd.DataFrame(DATA), segments="segment")
    assert isinstance(out, pd.DataFrame)
    assert out.index.name == "account_id"
    assert list(out.columns) == ["scorecard", "score", "band", "coverage"]
    assert out.loc["E1", "scorecard"] == "sponsor" and out.loc["E1", "score"] == 100.0
    pl = pytest.importorskip("polars", reason="polars is not installed")
    out = ms.score(pl.DataFrame(DATA), segments="segment")
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["account_id", "scorecard", "score", "band", "coverage"]
    assert out["score"].to_list() == [50.0, 100.0, 50.0, 0.0]


def test_model_set_round_trips_through_dict_toml_and_json() -> None:
    ms = model_set()
    d = ms.to_dict()
    assert set(d) == {"default", "by_segment"}
    assert d["by_segment"]["smb"]["name"] == "usage"
    assert csops.ModelSet.from_dict(d) == ms
    assert csops.ModelSet.from_toml(ms.to_toml()) == ms
    assert csops.ModelSet.from_json(ms.to_json()) == ms
    assert "[by_segment.smb]" in ms.to_toml() or "[by_segment.smb." in ms.to_toml()
    assert csops.ModelSet(csops.Scorecard.from_dict(USAGE)).by_segment == {}
    assert ms != csops.ModelSet(csops.Scorecard.from_dict(USAGE))


def test_model_set_validation_errors_are_prefixed_with_the_segment() -> None:
    bad = card("bad", "logins", {"kind": "linear", "worst": 1, "best": 1})
    with pytest.raises(csops.ConfigError) as info:
        csops.ModelSet.from_dict({"default": bad, "by_segment": {"smb": bad, "ok": USAGE}})
    problems = info.value.problems
    assert any(p.startswith("default: ") for p in problems)
    assert any(p.startswith("segment `smb`: ") for p in problems)
    assert not any("`ok`" in p for p in problems)
    with pytest.raises(csops.ConfigError):
        csops.ModelSet.from_toml("default = 1")
    with pytest.raises(csops.ConfigError):
        csops.ModelSet.from_dict({"default": USAGE, "extra": 1})
    with pytest.raises(TypeError):
        csops.ModelSet.from_dict([USAGE])  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="segments has 1 entries for 4 accounts"):
        model_set().score(DATA, segments=["smb"])


# Overrides -------------------------------------------------------------------------------------

#: logins (weight 3, linear 0–4) and sponsor (weight 1, yes/no).
SMALL: dict[str, Any] = {
    "schema_version": 1,
    "name": "small",
    "groups": [
        {
            "name": "usage",
            "weight": 3,
            "measures": [
                {"name": "logins", "feature": "logins", "weight": 1, "normaliser": {"kind": "linear", "worst": 0, "best": 4}}
            ],
        },
        {
            "name": "rel",
            "weight": 1,
            "measures": [{"name": "sponsor", "feature": "sponsor", "weight": 1, "normaliser": {"kind": "boolean"}}],
        },
    ],
}
# A: 0.75·50 + 0.25·100 = 62.5 (yellow); B: no logins, coverage 25% → not scored; C: 100 (green).
SMALL_DATA: dict[str, Any] = {"account_id": ["A", "B", "C"], "logins": [2.0, None, 4.0], "sponsor": [1, 0, 1]}

OVERRIDES: list[dict[str, Any]] = [
    {"account_id": "A", "score": 90, "reason": "renewed", "author": "kim", "expires": "2024-03-01"},
    {"account_id": "B", "score": 30, "reason": "at risk", "author": "lee", "expires": datetime.date(2030, 1, 1)},
    {"account_id": "C", "band": "red", "reason": "champion left", "author": "kim", "expires": "2030-01-01"},
]


def nums(xs: Any) -> list[float | None]:
    return [None if x is None or math.isnan(x) else float(x) for x in xs]


def test_overrides_apply_until_their_expiry_day() -> None:
    small = csops.Scorecard.from_dict(SMALL)
    out = small.apply_overrides(SMALL_DATA, OVERRIDES, as_of="2024-02-29")
    assert isinstance(out, dict)
    assert list(out) == [
        "account_id",
        "computed_score",
        "computed_band",
        "score",
        "band",
        "override_reason",
        "override_author",
        "override_expires",
    ]
    assert nums(out["computed_score"]) == [62.5, None, 100.0]
    assert out["computed_band"] == ["yellow", None, "green"]
    # A: score-only override → its band; B: score-only on an unscored account; C: band-only
    # keeps the computed score.
    assert nums(out["score"]) == [90.0, 30.0, 100.0]
    assert out["band"] == ["green", "red", "red"]
    assert out["override_reason"] == ["renewed", "at risk", "champion left"]
    assert out["override_author"] == ["kim", "lee", "kim"]
    assert out["override_expires"] == [
        datetime.date(2024, 3, 1),
        datetime.date(2030, 1, 1),
        datetime.date(2030, 1, 1),
    ]
    # On its expiry day the override no longer applies (the expiry is exclusive).
    later = small.apply_overrides(SMALL_DATA, OVERRIDES, as_of=datetime.date(2024, 3, 1))
    assert nums(later["score"]) == [62.5, 30.0, 100.0]
    assert later["band"] == ["yellow", "red", "red"]
    assert later["override_reason"][0] is None and later["override_expires"][0] is None


def test_overrides_on_pandas_and_polars() -> None:
    small = csops.Scorecard.from_dict(SMALL)
    pd = pytest.importorskip("pandas")
    out = small.apply_overrides(pd.DataFrame(SMALL_DATA), OVERRIDES, as_of="2024-02-29")
    assert isinstance(out, pd.DataFrame) and out.index.name == "account_id"
    assert out.loc["A", "score"] == 90.0 and out.loc["A", "computed_score"] == 62.5
    assert out.loc["C", "band"] == "red"
    pl = pytest.importorskip("polars", reason="polars is not installed")
    out = small.apply_overrides(pl.DataFrame(SMALL_DATA), OVERRIDES, as_of="2024-03-01")
    assert isinstance(out, pl.DataFrame)
    assert out["computed_score"].to_list() == [62.5, None, 100.0]
    assert out["override_expires"].to_list() == [None, datetime.date(2030, 1, 1), datetime.date(2030, 1, 1)]


def test_invalid_overrides_list_every_problem() -> None:
    small = csops.Scorecard.from_dict(SMALL)
    bad = [
        {"account_id": "A", "score": 150, "reason": " ", "author": "kim", "expires": "2030-01-01"},
        {"account_id": "A", "band": "purple", "reason": "r", "author": "kim", "expires": "2030-01-01"},
        {"account_id": "C", "reason": "r", "author": "kim", "expires": "2030-01-01"},
    ]
    with pytest.raises(csops.ConfigError) as info:
        small.apply_overrides(SMALL_DATA, bad, as_of="2024-01-01")
    problems = info.value.problems
    assert len(problems) == 5, problems
    text = "\n".join(problems)
    for part in ["outside 0–100", "reason and an author", "more than one override", "unknown band `purple`", "neither"]:
        assert part in text
    # Malformed entries: every one is listed too.
    malformed = [
        {"account_id": "A", "score": "high", "reason": "r", "author": "kim", "expires": "soon", "note": 1},
        {"score": 10, "author": "kim"},
        "A",
    ]
    with pytest.raises(csops.ConfigError) as info:
        small.apply_overrides(SMALL_DATA, malformed, as_of="2024-01-01")
    text = "\n".join(info.value.problems)
    # Read by the core (health::overrides_from_value), word for word as Node's.
    for part in [
        "overrides[0]: unknown key `note`",
        "overrides[0]: `score` must be a number, got text",
        "overrides[0]: expires: `soon` is not a date",
        "overrides[1]: `account_id` is required",
        "overrides[1]: `reason` is required",
        "overrides[1]: `expires` is required",
        "overrides[2]: must be an object, got text",
    ]:
        assert part in text
    with pytest.raises(csops.ConfigError, match="as_of"):
        small.apply_overrides(SMALL_DATA, [], as_of="yesterday")
    with pytest.raises(TypeError):
        small.apply_overrides(SMALL_DATA, OVERRIDES[0], as_of="2024-01-01")  # type: ignore[arg-type]
