"""Health scoring from Python: ``csops.Scorecard``, ``Explanation`` and ``trend``.

The numbers themselves are the core's (and are pinned by the conformance vectors); these
tests check the binding: round trips, every input kind giving the matching output kind with
identical numbers, explanations, and hostile inputs raising clear csops errors.
"""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import REPO

SAMPLE_BOOK = REPO / "data" / "sample-book"

#: A small scorecard over two features, valid.
SMALL: dict[str, Any] = {
    "schema_version": 1,
    "name": "small",
    "groups": [
        {
            "name": "usage",
            "weight": 3,
            "measures": [
                {
                    "name": "logins",
                    "feature": "logins",
                    "weight": 1,
                    "normaliser": {"kind": "linear", "worst": 0, "best": 4},
                }
            ],
        },
        {
            "name": "rel",
            "weight": 1,
            "measures": [
                {"name": "sponsor", "feature": "sponsor", "weight": 1, "normaliser": {"kind": "boolean"}}
            ],
        },
    ],
}

SMALL_DATA: dict[str, Any] = {
    "account_id": ["A", "B", "C"],
    "logins": [2.0, None, 4.0],
    "sponsor": [1, 0, 1],
}


@pytest.fixture(scope="module")
def card() -> csops.Scorecard:
    return csops.Scorecard.default_heuristic()


@pytest.fixture(scope="module")
def frame() -> csops.FeatureFrame:
    book = csops.load_book(SAMPLE_BOOK, mode="lenient")
    latest = book.latest_date()
    assert latest is not None
    return book.features_as_of(latest)


def small() -> csops.Scorecard:
    return csops.Scorecard.from_dict(SMALL)


# Scorecards ------------------------------------------------------------------------------------


def test_default_round_trips_through_dict_toml_and_json(card: csops.Scorecard, tmp_path: Path) -> None:
    assert csops.Scorecard.from_dict(card.to_dict()) == card
    assert csops.Scorecard.from_toml(card.to_toml()) == card
    assert csops.Scorecard.from_json(card.to_json()) == card
    assert json.loads(card.to_json()) == card.to_dict()
    (tmp_path / "card.toml").write_text(card.to_toml(), encoding="utf-8")
    (tmp_path / "card.json").write_text(card.to_json(), encoding="utf-8")
    assert csops.Scorecard.load(tmp_path / "card.toml") == card
    assert csops.Scorecard.load(str(tmp_path / "card.json")) == card
    assert pickle.loads(pickle.dumps(card)) == card
    assert card != small()


def test_scorecard_properties(card: csops.Scorecard) -> None:
    assert card.name == card.to_dict()["name"]
    assert "heuristic" in card.name or "not a fitted model" in card.description
    measures = card.measures
    assert [m["name"] for m in measures] == [
        m["name"] for g in card.to_dict()["groups"] for m in g["measures"]
    ]
    for m in measures:
        assert list(m) == ["name", "group", "feature", "weight", "normaliser", "missing"]
        assert "kind" in m["normaliser"] and "rule" in m["missing"]
    assert [b["name"] for b in card.bands] == ["red", "yellow", "green"]
    assert card.min_coverage == 0.5


def test_scorecard_repr_is_a_readable_table(card: csops.Scorecard) -> None:
    text = repr(card)
    assert "heuristic, not a fitted model" in text
    for m in card.measures:
        assert m["name"] in text and m["feature"] in text
    for g in card.to_dict()["groups"]:
        assert g["name"] in text
    html = card._repr_html_()
    assert "<table>" in html and "heuristic, not a fitted model" in html
    assert "logins_per_user_week" in html


def test_validate(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    card.validate()
    card.validate(frame.columns)
    with pytest.raises(csops.ConfigError) as info:
        card.validate(["nps"])
    # Every measure but `nps` reads a feature not in the list: all are listed.
    assert len(info.value.problems) == len(card.measures) - 1
    assert all("unknown feature" in p for p in info.value.problems)
    with pytest.raises(TypeError):
        card.validate("nps")


def test_trend() -> None:
    assert csops.trend(60.0, 55.0) == {"delta": 5.0, "direction": "up"}
    assert csops.trend(55.0, 60.0) == {"delta": -5.0, "direction": "down"}
    assert csops.trend(61.0, 60.0) == {"delta": 1.0, "direction": "flat"}
    assert csops.trend(61.0, 60.0, dead_band=0.5)["direction"] == "up"


# Scoring the sample book -----------------------------------------------------------------------


def test_scoring_the_sample_book_gives_a_pandas_frame(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    scores = card.score(frame)
    assert isinstance(scores, pd.DataFrame)
    assert scores.index.name == "account_id"
    assert list(scores.index) == frame.account_ids
    names = [m["name"] for m in card.measures]
    assert list(scores.columns) == ["score", "band", "coverage"] + [f"contribution.{n}" for n in names]
    assert scores["score"].dtype == np.float64
    assert list(scores["band"].cat.categories) == ["red", "yellow", "green"]
    scored = scores["score"].notna()
    assert scored.sum() > 0
    contributions = scores[[f"contribution.{n}" for n in names]].sum(axis=1)
    assert np.allclose(contributions[scored], scores.loc[scored, "score"])
    assert ((scores["coverage"] >= 0) & (scores["coverage"] <= 1)).all()
    assert scores.loc[~scored, "band"].isna().all()
    assert scores.loc[scored, "band"].notna().all()


def table_numbers(result: Any) -> dict[str, list[Any]]:
    """Any kind of score table as plain lists, NaN/null as None."""

    def plain(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        return v if isinstance(v, str) else float(v)

    if isinstance(result, dict):
        out = {k: [plain(x) for x in v] for k, v in result.items() if k != "account_id"}
        out["account_id"] = [str(x) for x in result["account_id"]]
        return out
    if type(result).__module__.startswith("polars"):
        out = {c: [plain(x) for x in result[c].to_list()] for c in result.columns}
        out["account_id"] = [str(x) for x in result["account_id"].to_list()]
        return out
    out = {c: [plain(x) for x in result[c].astype(object)] for c in result.columns}
    out["account_id"] = [str(x) for x in result.index]
    return out


def test_pandas_polars_and_dict_inputs_match(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    reference = table_numbers(card.score(frame))

    as_dict = frame.to_dict()
    from_dict = card.score(as_dict)
    assert isinstance(from_dict, dict)
    assert isinstance(from_dict["score"], np.ndarray) and isinstance(from_dict["band"], list)
    assert table_numbers(from_dict) == reference

    numpy_dict = {k: (v if k == "account_id" else np.asarray(v)) for k, v in as_dict.items()}
    assert table_numbers(card.score(numpy_dict)) == reference

    from_pandas = card.score(frame.to_pandas())
    assert isinstance(from_pandas, pd.DataFrame)
    assert table_numbers(from_pandas) == reference
    # Ids from an `account_id` column instead of the index.
    assert table_numbers(card.score(frame.to_pandas().reset_index())) == reference

    pl = pytest.importorskip("polars", reason="polars is not installed")
    polars_frame = pl.DataFrame(
        [pl.Series("account_id", frame.account_ids)]
        + [pl.Series(c, frame.column(c), dtype=pl.Float64, nan_to_null=True) for c in frame.columns]
    )
    from_polars = card.score(polars_frame)
    assert isinstance(from_polars, pl.DataFrame)
    assert from_polars.columns[:4] == ["account_id", "score", "band", "coverage"]
    assert table_numbers(from_polars) == reference


def test_feature_frame_without_pandas_gives_a_dict(tmp_path: Path) -> None:
    script = f"""
import sys
sys.modules["pandas"] = None  # pandas cannot be imported
import csops
book = csops.load_book({str(SAMPLE_BOOK)!r}, mode="lenient")
frame = book.features_as_of(book.latest_date())
out = csops.Scorecard.default_heuristic().score(frame)
assert isinstance(out, dict), type(out)
assert list(out["account_id"]) == frame.account_ids
assert len(out["score"]) == len(frame)
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"


def test_dict_of_lists_works_without_numpy_kinds() -> None:
    out = small().score({"account_id": ("A", "B"), "logins": (4, 0), "sponsor": [True, False]})
    assert list(out["account_id"]) == ["A", "B"]
    assert list(out["score"]) == [100.0, 0.0]
    assert out["band"] == ["green", "red"]


def test_dict_without_account_ids_names_rows_by_position() -> None:
    out = small().score({"logins": [4.0, 0.0], "sponsor": [1.0, 0.0]})
    assert list(out["account_id"]) == ["0", "1"]
    x = small().explain({"logins": [4.0, 0.0], "sponsor": [1.0, 0.0]}, 1)
    assert x.account_id == "1" and x.score == 0.0


def test_integer_account_ids_are_kept_in_the_output() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"logins": [4.0, 0.0], "sponsor": [1.0, 0.0]}, index=[1001, 1002])
    out = small().score(df)
    assert list(out.index) == [1001, 1002] and out.index.name == "account_id"
    assert small().explain(df, 1002).score == 0.0
    assert small().explain(df, "1001").score == 100.0


def test_nullable_and_boolean_pandas_columns() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "logins": pd.array([2, None, 4], dtype="Int64"),
            "sponsor": pd.array([True, False, None], dtype="boolean"),
        },
        index=pd.Index(["A", "B", "C"], name="account_id"),
    )
    reference = table_numbers(small().score(SMALL_DATA | {"sponsor": [1.0, 0.0, None]}))
    assert table_numbers(small().score(df)) == reference


def test_only_the_scorecards_features_are_read() -> None:
    # Other columns (names, segments, dates) are ignored, whatever their type.
    data = SMALL_DATA | {"name": ["x", "y", "z"], "notes": [object(), None, 3]}
    assert table_numbers(small().score(data)) == table_numbers(small().score(SMALL_DATA))


def test_empty_table() -> None:
    out = small().score({"account_id": [], "logins": [], "sponsor": []})
    assert list(out["account_id"]) == [] and len(out["score"]) == 0


def test_scoring_releases_the_gil_and_is_thread_safe(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    reference = table_numbers(card.score(frame.to_dict()))
    results: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(table_numbers(card.score(frame.to_dict())))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r == reference for r in results)


# Segments --------------------------------------------------------------------------------------

PERCENTILE: dict[str, Any] = {
    "schema_version": 1,
    "name": "ranks",
    "groups": [
        {
            "name": "g",
            "weight": 1,
            "measures": [
                {
                    "name": "rank",
                    "feature": "x",
                    "weight": 1,
                    "normaliser": {"kind": "percentile", "higher_is_better": True, "per_segment": True},
                }
            ],
        }
    ],
}


def test_segments_as_a_list_or_a_column_name() -> None:
    card = csops.Scorecard.from_dict(PERCENTILE)
    data = {"account_id": ["A", "B", "C"], "x": [1.0, 2.0, 3.0], "seg": ["a", "a", "b"]}
    by_list = card.score(data, segments=["a", "a", "b"])
    by_column = card.score(data, segments="seg")
    assert list(by_list["score"]) == [25.0, 75.0, 50.0]
    assert table_numbers(by_column) == table_numbers(by_list)
    assert card.explain(data, "C", segments="seg").score == 50.0
    # A per-segment measure without segments is an error, not a silent whole-population rank.
    with pytest.raises(csops.ConfigError, match="no segments were given"):
        card.score(data)


def test_bad_segments() -> None:
    card = csops.Scorecard.from_dict(PERCENTILE)
    data = {"account_id": ["A", "B"], "x": [1.0, 2.0]}
    with pytest.raises(csops.ConfigError, match="segments has 1 entries for 2 accounts"):
        card.score(data, segments=["a"])
    with pytest.raises(csops.ConfigError, match="position 1: None is not a string"):
        card.score(data, segments=["a", None])  # type: ignore[list-item]
    with pytest.raises(csops.ConfigError, match="no column `seg`"):
        card.score(data, segments="seg")
    with pytest.raises(csops.ConfigError, match="segments must be a sequence"):
        card.score(data, segments=3)  # type: ignore[arg-type]


def test_segments_by_column_name_need_a_table(frame: csops.FeatureFrame) -> None:
    with pytest.raises(csops.ConfigError, match="pass a list"):
        csops.Scorecard.default_heuristic().score(frame, segments="segment")


# Explanations ----------------------------------------------------------------------------------


def test_explanation(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    scores = card.score(frame.to_dict())
    i = next(i for i, s in enumerate(scores["score"]) if not math.isnan(s))
    account = frame.account_ids[i]
    x = card.explain(frame, account)
    assert isinstance(x, csops.Explanation)
    assert x.account_id == account
    assert x.score == pytest.approx(scores["score"][i], abs=1e-9)
    assert x.band == scores["band"][i]
    assert x.coverage == pytest.approx(scores["coverage"][i], abs=1e-9)
    assert [m["name"] for m in x.measures] == [m["name"] for m in card.measures]
    for m in x.measures:
        assert list(m) == ["name", "group", "value", "measure_score", "weight", "contribution", "points_lost", "missing_why"]
        assert m["contribution"] == pytest.approx(scores[f"contribution.{m['name']}"][i], abs=1e-9)
    assert sum(m["contribution"] for m in x.measures) == pytest.approx(x.score)
    assert sum(x.groups.values()) == pytest.approx(x.score)
    assert list(x.groups) == [g["name"] for g in card.to_dict()["groups"]]
    drivers = x.top_drivers()
    assert len(drivers) <= 3
    lost = [d["points_lost"] for d in drivers]
    assert lost == sorted(lost, reverse=True) and all(p > 0 for p in lost)
    assert x.top_drivers(k=1) == drivers[:1]
    d = x.to_dict()
    assert list(d) == ["account_id", "score", "band", "coverage", "measures", "groups"]
    assert d["measures"] == x.measures and d["groups"] == x.groups
    text = repr(x)
    assert account in text and "Top drivers" in text
    assert all(m["name"] in text for m in x.measures)
    assert "<table>" in x._repr_html_()


def test_explanation_of_an_unscored_account() -> None:
    x = small().explain({"account_id": ["A"], "logins": [None], "sponsor": [1.0]}, "A")
    assert x.score is None and x.band is None and x.coverage == 0.25
    assert "insufficient data" in repr(x)
    assert x.top_drivers() == []


def test_explain_an_unknown_or_ambiguous_account() -> None:
    with pytest.raises(csops.NotFoundError, match="^account `Z` is not in the data$") as info:
        small().explain(SMALL_DATA, "Z")
    assert isinstance(info.value, KeyError) and isinstance(info.value, csops.CsopsError)
    twice = {"account_id": ["A", "A"], "logins": [1.0, 2.0], "sponsor": [1.0, 1.0]}
    with pytest.raises(csops.ConfigError, match=r"more than once in the data \(rows 1 and 2\)"):
        small().explain(twice, "A")
    with pytest.raises(TypeError, match="account_id must be a str or an int, got float"):
        small().explain(SMALL_DATA, 1.5)  # type: ignore[arg-type]


# Hostile inputs --------------------------------------------------------------------------------


def test_invalid_scorecard_lists_every_problem() -> None:
    bad = json.loads(json.dumps(SMALL))
    bad["groups"][0]["weight"] = -1
    bad["groups"][0]["measures"][0]["normaliser"] = {"kind": "linear", "worst": 5, "best": 5}
    bad["groups"][1]["measures"][0]["normaliser"] = {"kind": "boolean", "yes": 150}
    bad["min_coverage"] = 2
    with pytest.raises(csops.ConfigError) as info:
        csops.Scorecard.from_dict(bad)
    problems = info.value.problems
    assert len(problems) == 4, problems
    text = "\n".join(problems)
    for needle in ["group `usage`: weight", "measure `logins`: linear", "measure `sponsor`: boolean", "min_coverage"]:
        assert needle in text
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.pop("schema_version"), "schema_version"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["groups"][0]["measures"][0]["normaliser"].update(kind="cubic"), "cubic"),
        (lambda d: d["groups"][0].update(weight="heavy"), "heavy"),
        (lambda d: d["groups"][0].update(weight=float("nan")), "scorecard"),
        (lambda d: d.update(groups=[]), "at least one group"),
    ],
)
def test_malformed_scorecard_dicts(mutate: Any, needle: str) -> None:
    bad = json.loads(json.dumps(SMALL))
    mutate(bad)
    with pytest.raises(csops.ConfigError, match=needle):
        csops.Scorecard.from_dict(bad)


def test_scorecard_texts_and_files(tmp_path: Path) -> None:
    with pytest.raises(csops.ConfigError):
        csops.Scorecard.from_toml("this is = = not toml")
    with pytest.raises(csops.ConfigError):
        csops.Scorecard.from_json("{")
    with pytest.raises(TypeError):
        csops.Scorecard.from_dict([("name", "x")])  # type: ignore[arg-type]
    with pytest.raises(csops.CsopsIOError) as info:
        csops.Scorecard.load(tmp_path / "missing.toml")
    assert info.value.filename == str(tmp_path / "missing.toml")
    (tmp_path / "card.yaml").write_text("name: x", encoding="utf-8")
    with pytest.raises(csops.ConfigError, match=r"\.toml or \.json"):
        csops.Scorecard.load(tmp_path / "card.yaml")


def test_unknown_feature_lists_every_missing_column(card: csops.Scorecard) -> None:
    with pytest.raises(csops.ConfigError) as info:
        card.score({"account_id": ["A"], "nps": [10.0]})
    assert len(info.value.problems) == len(card.measures) - 1


def test_non_numeric_columns() -> None:
    with pytest.raises(csops.ConfigError, match=r"column `logins`, position 1: 'high' is not a number"):
        small().score(SMALL_DATA | {"logins": [1.0, "high", 2.0]})
    np = pytest.importorskip("numpy")
    with pytest.raises(csops.ConfigError, match="column `logins` has dtype <U"):
        small().score(SMALL_DATA | {"logins": np.array(["1", "2", "3"])})
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"logins": ["1", "2", "x"], "sponsor": [1.0, 0.0, 1.0]}, index=["A", "B", "C"])
    with pytest.raises(csops.ConfigError, match="column `logins` has dtype (object|str)"):
        small().score(df)
    df["logins"] = pd.to_datetime(["2024-01-01"] * 3)
    with pytest.raises(csops.ConfigError, match="column `logins` has dtype datetime64"):
        small().score(df)
    df["logins"] = pd.Categorical(["a", "b", "a"])
    with pytest.raises(csops.ConfigError, match="column `logins` has dtype category"):
        small().score(df)


def test_non_numeric_polars_column() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    df = pl.DataFrame({"account_id": ["A", "B"], "logins": ["1", "2"], "sponsor": [1.0, 0.0]})
    with pytest.raises(csops.ConfigError, match="column `logins` has dtype String"):
        small().score(df)


def test_mismatched_lengths() -> None:
    with pytest.raises(csops.ConfigError, match="column `logins` has 2 values for 3 account ids"):
        small().score(SMALL_DATA | {"logins": [1.0, 2.0]})
    with pytest.raises(csops.ConfigError, match="column `sponsor` has 3 values where other columns have 2"):
        small().score({"logins": [1.0, 2.0], "sponsor": [1.0, 0.0, 1.0]})


def test_missing_account_ids() -> None:
    with pytest.raises(csops.ConfigError) as info:
        small().score(SMALL_DATA | {"account_id": ["A", None, float("nan")]})
    assert info.value.problems == [
        "account_id, position 1: the account id is missing",
        "account_id, position 2: the account id is missing",
    ]
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"account_id": ["A", None], "logins": [1.0, 2.0], "sponsor": [1.0, 0.0]})
    with pytest.raises(csops.ConfigError, match="position 1: the account id is missing"):
        small().score(df)
    with pytest.raises(csops.ConfigError, match="string or an integer, got float 1.5"):
        small().score(SMALL_DATA | {"account_id": ["A", 1.5, "C"]})


def test_odd_shapes_and_types() -> None:
    with pytest.raises(TypeError, match="data must be"):
        small().score([1, 2, 3])
    with pytest.raises(csops.ConfigError, match="has no length"):
        small().score(SMALL_DATA | {"logins": 5.0})
    np = pytest.importorskip("numpy")
    with pytest.raises(csops.ConfigError, match="one-dimensional"):
        small().score({"logins": np.zeros((2, 2)), "sponsor": [1.0, 0.0]})
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame([[1.0, 2.0, 1.0]], columns=["logins", "logins", "sponsor"])
    with pytest.raises(csops.ConfigError, match="more than once"):
        small().score(df)


def test_infinite_values_are_an_error_not_missing() -> None:
    # An infinity is bad data, not a missing value: the core refuses it and names the column.
    with pytest.raises(csops.ConfigError) as info:
        small().score(SMALL_DATA | {"logins": [float("inf"), None, 4.0]})
    assert any("logins" in p and "infinite" in p for p in info.value.problems)
