"""Segmentation from Python: ``csops.Condition``, ``csops.TierRules``, ``Book.account_table``,
``Book.segment``, ``csops.segment_table``, ``Segmentation`` and ``WhatIf``.

The decisions are the core's (pinned by the conformance vectors, run by
``test_segment_conformance.py``). These tests check the binding: the main job's section 8
(``cargo run --release --example cs_week``) comes out the same on the sample book; the
account table is what conditions read and round-trips through ``segment_table``; tables are
read from pandas (NumPy and nullable dtypes, strings, categoricals, dates), polars, dicts,
NumPy arrays and ``FeatureFrame``; errors are ``ConfigError`` with the place named; hostile
conditions never crash; work runs with the GIL released and agrees across threads.
"""

from __future__ import annotations

import datetime
import json
import math
import pickle
import random
import threading
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest

import csops
from conftest import REPO

pd = pytest.importorskip("pandas", reason="the segmentation tables are pandas DataFrames")
np = pytest.importorskip("numpy")

SAMPLE_BOOK = REPO / "data" / "sample-book"
AS_OF = datetime.date(2026, 9, 30)
#: The features of the main job's section 2, which section 8 segments on.
SECTION_8_FEATURES = {"snapshot_metrics": ["active_users"]}
TIERS = ["high_touch", "mid_touch", "tech_touch", "digital"]


@pytest.fixture(scope="module")
def book() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


@pytest.fixture(scope="module")
def rc(book: csops.Book) -> csops.Recalibration:
    return csops.backtest(book, csops.Scorecard.default_heuristic()).recalibrate()


@pytest.fixture(scope="module")
def seg(book: csops.Book, rc: csops.Recalibration) -> csops.Segmentation:
    """The main job's section 8: default rules and model, roster from the owners, the
    re-tuned scorecard's bands."""
    return book.segment(scorecard=rc.scorecard, feature_config=SECTION_8_FEATURES)


@pytest.fixture(scope="module")
def table(book: csops.Book, rc: csops.Recalibration) -> Any:
    return book.account_table(scorecard=rc.scorecard, feature_config=SECTION_8_FEATURES)


def records(df: Any) -> list[dict[str, Any]]:
    def plain(x: Any) -> Any:
        if hasattr(x, "item") and not isinstance(x, str):
            x = x.item()
        if x is None or (isinstance(x, float) and math.isnan(x)) or type(x).__name__ == "NAType":
            return None
        return x

    return [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]


# The main job -----------------------------------------------------------------------------------


def test_the_main_jobs_tiers_and_coverage(seg: csops.Segmentation) -> None:
    """``cs_week`` section 8: tiers, ARR, CSMs on the roster and needed, unowned."""
    assert seg.as_of == AS_OF
    cov = seg.coverage
    assert list(cov.columns) == ["tier", "accounts", "arr", "target", "ratio", "csms", "needed"]
    got = [(r["tier"], r["accounts"], round(r["arr"]), r["csms"], r["needed"], r["target"]) for r in records(cov)]
    assert got == [
        ("high_touch", 41, 13856819, 3.0, 3.0, "accounts_per_csm"),
        ("mid_touch", 36, 2202540, 2.0, 1.0, "accounts_per_csm"),
        ("tech_touch", 78, 857818, 1.0, 1.0, "accounts_per_csm"),
        ("digital", 82, 177727, 1.0, 0.0, "pooled"),
    ]
    assert list(cov["ratio"][:3]) == [15.0, 50.0, 200.0] and math.isnan(cov["ratio"][3])
    assert seg.unowned == 13
    assert seg.unknown_owners == {}


def test_the_main_jobs_csm_loads(seg: csops.Segmentation) -> None:
    csms = seg.csms
    assert list(csms.columns) == [
        "csm",
        "tier",
        "accounts",
        "arr",
        "red_accounts",
        "off_tier",
        "utilisation",
        "status",
    ]
    got = [
        (r["csm"], r["tier"], r["accounts"], round(r["arr"]), r["red_accounts"], r["off_tier"], round(100 * r["utilisation"]), r["status"])
        for r in records(csms)
    ]
    assert got == [
        ("elena.brooks", "mid_touch", 20, 1096727, 6, 7, 40, "under"),
        ("elena.johansson", "high_touch", 12, 4870252, 2, 1, 80, "ok"),
        ("emma.novak", "high_touch", 8, 2948415, 3, 2, 53, "under"),
        ("ingrid.mensah", "tech_touch", 24, 1171622, 6, 13, 12, "under"),
        ("liam.singh", "mid_touch", 27, 1513259, 2, 17, 54, "under"),
        ("pedro.schmidt", "digital", 99, 460989, 22, 38, 0, "under"),
        ("tom.brooks", "high_touch", 13, 4874424, 2, 1, 87, "ok"),
    ]
    assert seg.roster == [{"name": r["csm"], "tier": r["tier"], "fte": 1.0} for r in records(csms)]


def test_the_main_jobs_assignment_and_what_if(seg: csops.Segmentation) -> None:
    moves = seg.assignment
    assert list(moves.columns) == ["account_id", "tier", "from", "to", "reason"]
    placed = moves[moves["to"].notna()]
    assert len(placed) == 92
    assert len(moves) - len(placed) - seg.unplaced == 61  # released to the pool
    assert seg.unplaced == 0
    assert list(placed["account_id"][:8]) == [
        "A-00005",
        "A-00295",
        "A-00180",
        "A-00049",
        "A-00212",
        "A-00226",
        "A-00259",
        "A-00032",
    ]
    first = records(placed.head(1))[0]
    assert first == {
        "account_id": "A-00005",
        "tier": "high_touch",
        "from": "ingrid.mensah",
        "to": "emma.novak",
        "reason": "the account is high_touch; ingrid.mensah serves tech_touch",
    }
    assert "92 accounts placed with a CSM, 61 released to the pool, 0 not placed" in repr(seg)

    lower = seg.rules.to_dict()
    lower["rules"][0]["when"] = "arr >= 75000"
    w = seg.what_if(lower)
    assert len(w) == 10
    tiers = {r["tier"]: r for r in records(w.tiers)}
    assert (tiers["high_touch"]["accounts_before"], tiers["high_touch"]["accounts_after"]) == (41, 51)
    assert (tiers["high_touch"]["needed_before"], tiers["high_touch"]["needed_after"]) == (3.0, 4.0)
    assert (tiers["mid_touch"]["accounts_before"], tiers["mid_touch"]["accounts_after"]) == (36, 26)
    assert set(w.changes["before"]) == {"mid_touch"} and set(w.changes["after"]) == {"high_touch"}
    assert "What-if: 10 accounts change tier" in repr(w)
    assert "high_touch: 41 -> 51 accounts, CSMs needed 3 -> 4" in repr(w)


def test_assignment_is_stable(seg: csops.Segmentation) -> None:
    """Owners after the plan, as a roster run again, move nothing (the core's promise)."""
    owners = seg.owners
    assert list(owners.columns) == ["account_id", "tier", "owner_csm", "owner"]
    moved = owners[owners["owner_csm"].fillna("-") != owners["owner"].fillna("-")]
    assert len(moved) == len(seg.assignment)
    data = seg.tiers.merge(owners[["account_id", "owner"]], on="account_id")
    again = csops.segment_table(
        {
            "id": list(data["account_id"]),
            "arr": data["arr"].to_numpy(),
            "owner_csm": [None if pd.isna(o) else o for o in data["owner"]],
        },
        roster=seg.roster,
    )
    assert len(again.assignment) == 0


# The account table ------------------------------------------------------------------------------


def test_the_account_table_is_what_conditions_read(book: csops.Book, table: Any) -> None:
    assert len(table) == len(book)
    assert list(table.columns[:15]) == [
        "id",
        "name",
        "owner_csm",
        "segment",
        "tier",
        "region",
        "industry",
        "plan",
        "currency",
        "arr",
        "seats",
        "term_months",
        "start_date",
        "renewal_date",
        "days_to_renewal",
    ]
    assert list(table["id"]) == book.account_ids
    assert {"attr.source", "logins_per_user_week", "exec_sponsor_present"} <= set(table.columns)
    assert list(table.columns[-3:]) == ["score", "band", "coverage"]
    assert table["arr"].dtype == "float64" and table["score"].dtype == "float64"
    renewal = table["renewal_date"].dropna()
    assert all(len(d) == 10 and d >= AS_OF.isoformat() for d in renewal)
    # Without a scorecard: no health columns; an earlier day: different ARR.
    plain = book.account_table()
    assert "score" not in plain.columns and "logins_per_user_week" in plain.columns
    earlier = book.account_table("2025-09-30")
    assert earlier["arr"].sum() != table["arr"].sum()
    # Every column is a field conditions can name.
    for name in ["arr", "band", "region", "attr.source", "renewal_date", "exec_sponsor_present"]:
        csops.Condition(f"{name} is not null").filter(table)


def test_segment_table_on_the_account_table_agrees(seg: csops.Segmentation, table: Any) -> None:
    again = csops.segment_table(table)
    assert again.as_of is None
    for name in ["coverage", "csms", "assignment", "owners", "tiers"]:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(seg, name), check_exact=True)
    assert again.unowned == seg.unowned and again.roster == seg.roster
    # polars and a dict of columns read the same.
    pl = pytest.importorskip("polars")
    columns = {
        c: table[c].tolist() if table[c].dtype == "float64" else [None if pd.isna(x) else x for x in table[c]]
        for c in table.columns
    }
    for data in [pl.DataFrame(columns), columns]:
        pd.testing.assert_frame_equal(csops.segment_table(data, frame="pandas").csms, seg.csms)
    # polars in, polars out: the same rows.
    got = csops.segment_table(pl.DataFrame(columns)).csms
    assert isinstance(got, pl.DataFrame)
    assert got.to_dicts() == seg.csms.to_dict("records")


def test_conditions_on_the_account_table(table: Any) -> None:
    c = csops.Condition('arr >= 100000 and region in ["EMEA"]')
    mask = c.filter(table)
    assert mask.dtype == bool and len(mask) == len(table)
    expected = (table["arr"] >= 100000) & table["region"].isin(["EMEA"])
    assert list(mask) == list(expected)
    red = csops.Condition('band == "red" and not exec_sponsor_present').filter(table)
    assert list(red) == list((table["band"] == "red") & (table["exec_sponsor_present"] == 0))
    # Three-valued: accounts without a band are neither red nor not red.
    not_red = csops.Condition('band != "red"').filter(table)
    assert list(not_red) == list(table["band"].notna() & (table["band"] != "red"))
    assert table[mask]["id"].tolist() == table.loc[mask, "id"].tolist()


# Conditions -------------------------------------------------------------------------------------


def test_condition_forms_equality_and_pickling() -> None:
    text = 'arr >= 100000 and (region in ["EMEA", "NA"] or band != "green") and not churned'
    c = csops.Condition(text)
    assert str(c) == text
    assert repr(c) == f"Condition({text!r})"
    assert c.fields == ["arr", "region", "band", "churned"]
    d = c.to_dict()
    assert d["and"][0] == {"field": "arr", "op": ">=", "value": 100000}
    assert csops.Condition.from_dict(d) == c
    assert csops.Condition.from_json(c.to_json()) == c
    assert csops.Condition.from_json(json.dumps(text)) == c  # a JSON string holds the text form
    assert pickle.loads(pickle.dumps(c)) == c
    assert csops.Condition("ARR >= 1e5 AND Region IN ['EMEA']") != c  # fields are case-sensitive
    assert csops.Condition("arr >= 1e5") == csops.Condition("arr >= 100000")
    assert {csops.Condition("a > 1"), csops.Condition("a  >  1"), csops.Condition("a > 2")} == {
        csops.Condition("a > 1"),
        csops.Condition("a > 2"),
    }
    assert hash(csops.Condition("a > -0")) == hash(csops.Condition("a > 0"))
    assert (csops.Condition("a > 1") == "a > 1") is False
    for text in ["x between 1 and 2", "x is not null", "x not in ['a', 'b']", "flag", "d < '2026-01-01'"]:
        c = csops.Condition(text)
        assert csops.Condition(str(c)) == c and csops.Condition.from_dict(c.to_dict()) == c


def test_filter_reads_pandas_dtypes() -> None:
    df = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "f": pd.array([1.5, None, 3.0], dtype="Float64"),
            "i": np.array([1, 2, 3], dtype="int32"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "np_flag": np.array([True, False, True]),
            "s": pd.array(["a", None, "c"], dtype="string"),
            "obj": np.array(["a", None, float("nan")], dtype=object),
            "cat": pd.Categorical(["x", None, "y"]),
            "day": pd.to_datetime(["2026-01-01", None, "2026-03-01"]),
            "none": [None, None, None],
        },
        index=["A", "B", "C"],
    )
    cases = {
        "n >= 1": [True, False, True],
        "n is null": [False, True, False],
        "f > 1.5": [False, False, True],
        "i between 2 and 3": [False, True, True],
        "flag": [True, False, False],
        "not flag": [False, False, True],
        "np_flag": [True, False, True],
        "s == 'a'": [True, False, False],
        "obj is null": [False, True, True],
        "cat in ['x', 'y']": [True, False, True],
        "day >= '2026-02-01'": [False, False, True],
        "none is null": [True, True, True],
        "none > 3": [False, False, False],  # no value at all: any kind, always unknown
        "none == 'x'": [False, False, False],
        "none": [False, False, False],
    }
    for text, expected in cases.items():
        assert csops.Condition(text).filter(df).tolist() == expected, text


def test_filter_reads_polars_dicts_arrays_and_frames() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "a": [1, None, 3],
            "b": ["x", None, "z"],
            "c": [True, None, False],
            "n": [None, None, None],
            "day": [datetime.date(2026, 1, 1), None, datetime.date(2026, 5, 1)],
            "e": pl.Series(["p", "q", None], dtype=pl.Enum(["p", "q"])),
        }
    )
    cases = {
        "a > 1": [False, False, True],
        "b == 'x'": [True, False, False],
        "c": [True, False, False],
        "n is null": [True, True, True],
        "day < '2026-02-01'": [True, False, False],
        "e != 'p'": [False, True, False],
    }
    for text, expected in cases.items():
        assert csops.Condition(text).filter(frame).to_list() == expected, text
    data = {
        "a": [1, None, 3.5],
        "b": ("x", None, "z"),
        "c": np.array([True, False, True]),
        "d": np.array(["2026-01-01", "NaT", "2026-05-01"], dtype="datetime64[ns]"),
        "u": np.array(["x", "y", "z"]),
        "np_scalars": [np.int64(1), np.float32(2.5), np.bool_(True) and None],
    }
    assert csops.Condition("a > 1 and b is not null").filter(data).tolist() == [False, False, True]
    assert csops.Condition("c and d > '2026-02-01'").filter(data).tolist() == [False, False, True]
    assert csops.Condition("u in ['x', 'z']").filter(data).tolist() == [True, False, True]
    assert csops.Condition("np_scalars >= 1").filter(data).tolist() == [True, True, False]
    ff = csops.load_book_csv(
        {"accounts": "id,name,currency,arr,start_date\nA1,a,USD,1,2024-01-01\nA2,b,USD,2,2024-01-01\n"}
    ).features_as_of("2024-06-30")
    assert csops.Condition("account_id == 'A2'").filter(ff).tolist() == [False, True]
    assert csops.Condition("tickets_opened == 0").filter(ff).tolist() == [True, True]


def test_filter_errors_name_the_place() -> None:
    df = pd.DataFrame({"arr": [1.0, 2.0], "region": ["EMEA", None], "mixed": ["a", 1]})
    cases = {
        "regoin == 'EMEA'": "unknown field `regoin` (did you mean `region`?)",
        "arr > 'big'": "`arr` is a number but is compared with \"big\"",
        "region > 5": "`region` is text but is compared with 5",
        "region": "`region` is text; compare it",
        "arr >=": "condition, line 1, column 7",
        "arr > 1 and\n  region ==": "line 2, column 12",
        "mixed == 'a'": "column `mixed` mixes text (position 0) and numbers (position 1)",
        "arr ~ 1": "line 1, column 5: unexpected `~`",
        "": "the condition is empty",
    }
    for text, message in cases.items():
        with pytest.raises(csops.ConfigError) as info:
            csops.Condition(text).filter(df)
        assert message in str(info.value), (text, str(info.value))
        assert isinstance(info.value, ValueError) and info.value.problems
    with pytest.raises(csops.ConfigError, match="`mixed` mixes|unknown field `nope`"):
        csops.Condition("nope > 1").filter(df)
    with pytest.raises(csops.ConfigError) as info:
        csops.Condition("m == 'a'").filter({"m": ["a"] + [1] * 50})
    assert len(info.value.problems) == 11 and info.value.problems[-1] == "… and 40 more"
    with pytest.raises(csops.ConfigError, match="has 1 rows for a table of 2"):
        csops.Condition("a > 1 and b > 1").filter({"a": [1, 2], "b": [1]})
    with pytest.raises(TypeError, match="pandas or polars DataFrame"):
        csops.Condition("a > 1").filter([1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.Condition(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        csops.Condition.from_dict("a > 1")  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match=r"condition at \$\.and\[1\]"):
        csops.Condition.from_dict({"and": [{"field": "a"}, {"nope": 1}]})
    with pytest.raises(csops.ConfigError, match="not JSON"):
        csops.Condition.from_json("{")
    # A column nobody names is not read, so it cannot spoil a filter.
    assert csops.Condition("arr > 1").filter(df).tolist() == [False, True]


def test_empty_tables() -> None:
    assert csops.Condition("a > 1").filter({"a": []}).tolist() == []
    assert csops.Condition("a > 1").filter(pd.DataFrame({"a": pd.Series([], dtype=object)})).tolist() == []
    assert csops.TierRules.default().assign({"arr": []}) == []


# Tier rules -------------------------------------------------------------------------------------


def test_tier_rules_round_trips(tmp_path: Path) -> None:
    rules = csops.TierRules.default()
    assert rules.tiers == TIERS and rules.default_tier == "digital"
    assert [(r["tier"], str(r["when"])) for r in rules.rules] == [
        ("high_touch", "arr >= 100000"),
        ("mid_touch", "arr >= 25000"),
        ("tech_touch", "arr >= 5000"),
    ]
    assert isinstance(rules.rules[0]["when"], csops.Condition)
    assert csops.TierRules.from_dict(rules.to_dict()) == rules
    assert csops.TierRules.from_json(rules.to_json()) == rules
    assert csops.TierRules.from_toml(rules.to_toml()) == rules
    assert pickle.loads(pickle.dumps(rules)) == rules
    (tmp_path / "tiers.toml").write_text(rules.to_toml(), encoding="utf-8")
    (tmp_path / "tiers.json").write_text(rules.to_json(), encoding="utf-8")
    assert csops.TierRules.load(tmp_path / "tiers.toml") == rules
    assert csops.TierRules.load(str(tmp_path / "tiers.json")) == rules
    with pytest.raises(csops.ConfigError, match=r"\.toml or \.json"):
        csops.TierRules.load(tmp_path / "tiers.yaml")
    with pytest.raises(csops.CsopsIOError):
        csops.TierRules.load(tmp_path / "missing.toml")
    built = csops.TierRules(
        [
            ("high_touch", "arr >= 100000"),
            {"tier": "mid_touch", "when": {"field": "arr", "op": ">=", "value": 25000}},
            ("tech_touch", csops.Condition("arr >= 5000")),
        ],
        default_tier="digital",
    )
    assert built == rules
    text = repr(rules)
    assert "first rule an account matches" in text and "1.  high_touch  arr >= 100000" in text
    assert "digital     otherwise" in text


def test_tier_rules_are_checked_when_made() -> None:
    cases: list[tuple[Any, str]] = [
        ({"rules": [{"tier": "a", "when": "x >"}], "default_tier": "d"}, "line 1, column 4"),
        ({"rules": [{"tier": "a", "when": "x > 1", "why": 1}], "default_tier": "d"}, "unknown field `why`"),
        ({"rules": [], "default_tier": "d", "schema_version": 2}, "schema_version 2"),
        ({"rules": [{"tier": " ", "when": "x > 1"}], "default_tier": ""}, "the default tier has no name"),
        (
            {"rules": [{"tier": "a", "when": "x > 1"}, {"tier": "b", "when": "x == 'y'"}], "default_tier": "d"},
            "rule 2 (b): `x` is a number but is compared with \"y\"",
        ),
    ]
    for data, message in cases:
        with pytest.raises(csops.ConfigError) as info:
            csops.TierRules.from_dict(data)
        assert message in str(info.value), (data, str(info.value))
    with pytest.raises(csops.ConfigError, match="rule 1"):
        csops.TierRules([("a", "x >")], "d")
    with pytest.raises(TypeError, match="pairs"):
        csops.TierRules("arr > 1", "d")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rule 1"):
        csops.TierRules([42], "d")  # type: ignore[list-item]
    with pytest.raises(csops.ConfigError, match="has no `when`"):
        csops.TierRules([{"tier": "a"}], "d")
    with pytest.raises(csops.ConfigError):
        csops.TierRules.from_toml("rules = 3")
    with pytest.raises(csops.ConfigError):
        csops.TierRules.from_json("[")


def test_assign_gives_the_inputs_kind_of_series() -> None:
    rules = csops.TierRules.default()
    arr = [250000.0, 30000.0, 6000.0, 10.0, float("nan")]
    expected = ["high_touch", "mid_touch", "tech_touch", "digital", "digital"]
    assert rules.assign({"arr": arr}) == expected
    s = rules.assign(pd.DataFrame({"arr": arr}, index=list("abcde")))
    assert s.name == "tier" and list(s.index) == list("abcde")
    assert list(s) == expected and list(s.cat.categories) == TIERS
    pl = pytest.importorskip("polars")
    ps = rules.assign(pl.DataFrame({"arr": arr}))
    assert ps.name == "tier" and ps.to_list() == expected
    with pytest.raises(csops.ConfigError, match=r"rule 1 \(high_touch\): unknown field `arr` \(did you mean `arrr`\?\)"):
        rules.assign({"arrr": arr})


# Book.segment and segment_table arguments -------------------------------------------------------

ACCOUNTS = {
    "id": ["A1", "A2", "A3", "A4", "A5", "A6", "A7"],
    "arr": [300000.0, 150000.0, 120000.0, 40000.0, 30000.0, 6000.0, 1000.0],
    "owner_csm": ["ann", "bob", "bob", "cat", None, "cat", "ann"],
    "region": ["EMEA", "NA", "EMEA", "NA", "EMEA", "NA", "EMEA"],
    "plan": [None] * 7,
    "bad": [object()] * 7,
}


def test_segment_table_arguments() -> None:
    model = {"high_touch": {"accounts_per_csm": 2}, "mid_touch": {"accounts_per_csm": 2}, "tech_touch": {"arr_per_csm": 100000}, "digital": "pooled"}
    roster = [{"name": "ann", "tier": "high_touch"}, {"name": "bob", "tier": "high_touch"}, {"name": "cat", "tier": "mid_touch", "fte": 1.0}]
    seg = csops.segment_table(ACCOUNTS, model=model, roster=roster)
    assert seg.unowned == 1 and seg.unplaced == 1
    assert seg.model == {"tiers": {k: model[k] if k == "digital" else {kk: float(vv) for kk, vv in model[k].items()} for k in model}}
    same = csops.segment_table(pd.DataFrame(ACCOUNTS), csops.TierRules.default().to_dict(), model={"tiers": model}, roster=pd.DataFrame(roster))
    pd.testing.assert_frame_equal(same.assignment, seg.assignment)
    assert same.roster == seg.roster  # the DataFrame's empty `fte` cells take the default
    nan_fte = [{"name": "ann", "tier": "high_touch", "fte": float("nan")}, {"name": "bob", "tier": "high_touch", "fte": None}]
    assert [c["fte"] for c in csops.segment_table(ACCOUNTS, model=model, roster=nan_fte).roster] == [1.0, 1.0]
    # `account_id` serves as `id`, or a pandas index named so.
    ids = pd.DataFrame({k: v for k, v in ACCOUNTS.items() if k != "id"}, index=pd.Index(ACCOUNTS["id"], name="account_id"))
    assert list(csops.segment_table(ids, model=model, roster=roster).tiers["account_id"]) == ACCOUNTS["id"]
    # Every column was read: what-if can use one the rules did not name; a column that cannot
    # be read is an error only when named.
    by_region = csops.TierRules([("high_touch", "region == 'EMEA' and arr >= 100000"), ("mid_touch", "arr >= 25000"), ("tech_touch", "arr >= 5000")], "digital")
    w = seg.what_if(by_region)
    assert w.changes.to_dict("list") == {"account_id": ["A2"], "before": ["high_touch"], "after": ["mid_touch"]}
    assert len(seg.what_if(csops.TierRules([("high_touch", "plan == 'x'")], "digital"), model=model)) == 6
    with pytest.raises(csops.ConfigError, match="field `bad` cannot be read"):
        seg.what_if(csops.TierRules([("high_touch", "bad == 'x'")], "digital"))
    with pytest.raises(csops.ConfigError, match="unknown field `regoin` \\(did you mean `region`\\?\\)"):
        seg.what_if(csops.TierRules([("high_touch", "regoin == 'x'")], "digital"))
    with pytest.raises(csops.ConfigError, match="tier `gold` has no coverage target"):
        seg.what_if(csops.TierRules([("gold", "arr > 1")], "digital"))

    errors: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"model": {"high_touch": {"accounts_per_csm": 2}}}, csops.ConfigError, "tier `mid_touch` has no coverage target"),
        ({"model": {**model, "digital": "shared"}}, csops.ConfigError, "coverage model"),
        ({"model": {**model, "high_touch": {"accounts_per_csm": 0}}}, csops.ConfigError, "the ratio must be positive"),
        ({"roster": [{"name": "ann", "tier": "high_touch", "fte": 0}]}, csops.ConfigError, "fte must be positive"),
        ({"roster": [{"name": "ann", "tier": "gold"}]}, csops.ConfigError, "tier `gold` has no coverage target"),
        ({"roster": roster + roster[:1]}, csops.ConfigError, "on the roster twice"),
        ({"roster": [{"tier": "high_touch"}]}, csops.ConfigError, "roster"),
        ({"roster": [{"name": "ann", "tier": "high_touch", "fte": "full"}]}, csops.ConfigError, "roster"),
        # A misspelt key is an error, never silently ignored (as in Node).
        ({"roster": [{"name": "ann", "tier": "high_touch", "FTE": 0.5}]}, csops.ConfigError, "unknown field `FTE`"),
        ({"roster": ["ann"]}, csops.ConfigError, "roster"),
        ({"model": "pooled"}, TypeError, "model must be"),
        ({"roster": {"name": "ann"}}, TypeError, "roster must be"),
        ({"rules": "arr > 1"}, TypeError, "rules must be"),
    ]
    for kwargs, kind, message in errors:
        args = {"model": model, "roster": roster, **kwargs}
        rules = args.pop("rules", None)
        with pytest.raises(kind) as info:
            csops.segment_table(ACCOUNTS, rules, **args)
        assert message in str(info.value), (kwargs, str(info.value))
    with pytest.raises(csops.ConfigError, match="no `id` column"):
        csops.segment_table({"arr": [1.0]})
    with pytest.raises(csops.ConfigError, match="`arr` is text but is compared with 100000"):
        csops.segment_table({"id": ["A1"], "arr": ["big"], "owner_csm": [None]})
    with pytest.raises(csops.ConfigError, match="the table has no number column `arr`"):
        csops.segment_table({"id": ["A1"], "arr": ["big"]}, csops.TierRules([], "all"), model={"all": "pooled"})
    with pytest.raises(csops.ConfigError, match="account_id, position 1"):
        csops.segment_table({"id": ["A1", None], "arr": [1.0, 2.0], "owner_csm": [None, None]})


def test_book_segment_arguments(book: csops.Book) -> None:
    rules = csops.TierRules([("strategic", 'arr >= 100000 and region == "EMEA"'), ("scale", "arr > 0")], "none")
    model = {"strategic": {"accounts_per_csm": 10}, "scale": {"arr_per_csm": 2_000_000}, "none": "pooled"}
    roster = [{"name": "tom.brooks", "tier": "strategic"}, {"name": "liam.singh", "tier": "scale", "fte": 0.5}]
    seg = book.segment(rules, model=model, roster=roster, as_of="2026-06-30")
    assert seg.as_of == datetime.date(2026, 6, 30)
    assert seg.rules == rules and list(seg.coverage["tier"]) == ["strategic", "scale", "none"]
    assert seg.roster == [{"name": "tom.brooks", "tier": "strategic", "fte": 1.0}, {"name": "liam.singh", "tier": "scale", "fte": 0.5}]
    assert set(seg.unknown_owners) >= {"elena.brooks", "pedro.schmidt"}
    assert (seg.csms["red_accounts"] == 0).all()  # no scorecard: no bands
    table = book.account_table("2026-06-30")
    expected = (table["arr"] >= 100000) & (table["region"] == "EMEA")
    assert list(seg.tiers["tier"] == "strategic") == list(expected)
    with pytest.raises(csops.ConfigError, match=r"rule 1 \(high_touch\): unknown field `scroe` \(did you mean `score`\?\)"):
        book.segment(csops.TierRules([("high_touch", "scroe < 40")], "digital"), scorecard=csops.Scorecard.default_heuristic())
    with pytest.raises(csops.ConfigError, match="unknown field `score`"):
        book.segment(csops.TierRules([("high_touch", "score < 40")], "digital"))
    with pytest.raises(csops.ConfigError, match="as_of"):
        book.segment(as_of="yesterday")
    with pytest.raises(TypeError):
        book.segment(scorecard="default")  # type: ignore[arg-type]


def test_segmentation_text_html_and_plain_data(seg: csops.Segmentation) -> None:
    text = repr(seg)
    assert text.startswith("Segmentation as of 2026-09-30: 237 customers in 4 tiers, 7 CSMs on the roster (from the owners)")
    assert "high_touch        41  13,856,819   3.0       3  15 accounts per CSM   arr >= 100000" in text
    assert "digital           82     177,727   1.0       0  pooled                otherwise" in text
    assert "13 customers without an owner in a named tier" in text
    assert "pedro.schmidt    digital           99    460,989   22        38    0%  under" in text
    assert "… and 145 more (see .assignment)" in text
    html = seg._repr_html_()
    assert html.startswith('<div class="csops-segmentation">') and "emma.novak" in html
    d = seg.to_dict()
    assert d["as_of"] == "2026-09-30" and d["roster_inferred"] is True
    assert len(d["tiers"]) == len(d["account_ids"]) == 300
    assert d["coverage"]["unowned"] == 13 and len(d["assignment"]["moves"]) == len(seg.assignment)
    json.dumps(d)
    tiers = seg.tiers
    assert list(tiers.columns) == ["account_id", "arr", "tier"]
    assert list(tiers["tier"].cat.categories) == TIERS
    # Former customers keep a tier but are not covered.
    customers = tiers[tiers["arr"] > 0]
    assert customers["tier"].value_counts().to_dict() == {"digital": 82, "tech_touch": 78, "high_touch": 41, "mid_touch": 36}
    assert seg.what_if(seg.rules).changes.empty
    assert "0 accounts change tier" in repr(seg.what_if(seg.rules))
    assert "<table>" in seg.what_if(seg.rules)._repr_html_()


def test_classes_are_final_and_exported() -> None:
    for cls in [csops.Segmentation, csops.WhatIf]:
        with pytest.raises(TypeError):
            cls()
    for cls in [csops.Condition, csops.TierRules, csops.Segmentation, csops.WhatIf]:
        assert cls.__module__ == "csops"
        with pytest.raises(TypeError):

            class Sub(cls):  # type: ignore[valid-type, misc]
                pass

    assert {"Condition", "TierRules", "Segmentation", "WhatIf", "segment_table"} <= set(csops.__all__)


# Hostile conditions -----------------------------------------------------------------------------

ALPHABET = "abc xyz_.()[]'\",<>=!0123456789-+eE \n\t\\éß😀\x00andornotinbetweenisnull"


@pytest.mark.parametrize("seed", range(5))
def test_random_text_is_an_error_never_a_crash(seed: int) -> None:
    rng = random.Random(seed)
    data = {"a": [1.0, None], "b": ["x", None], "c": [True, None]}
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40)))
        try:
            c = csops.Condition(text)
        except csops.ConfigError:
            continue
        assert csops.Condition(str(c)) == c
        try:
            assert len(c.filter(data)) == 2
        except csops.ConfigError:
            pass


@pytest.mark.parametrize(
    "text",
    [
        "(" * 100_000 + "a" + ")" * 100_000,
        "not " * 100_000 + "a",
        "(" * 65 + "a" + ")" * 65,
        "a > 1 or " * 20_000 + "a > 1",
        "a in [" + "1, " * 20_000 + "1]",
        "a" * 70_000,
        "a == '" + "x" * 70_000 + "'",
        "a == 'unclosed",
        "a == 'line\nbreak'",
        "a == 1e999",
        "a == '\\q'",
        "\ud800 > 1",
        "a > 1 )",
        "[",
    ],
    ids=lambda t: repr(t[:20]),
)
def test_hostile_text(text: str) -> None:
    with pytest.raises(csops.ConfigError):
        csops.Condition(text)
    with pytest.raises(csops.ConfigError):
        csops.TierRules([("a", text)], "b")


def test_deep_and_hostile_structured_forms() -> None:
    nested: Any = {"field": "a"}
    for _ in range(100):
        nested = {"not": nested}
    with pytest.raises(csops.ConfigError, match="deep|recursion"):
        csops.Condition.from_dict(nested)
    for _ in range(100_000):
        nested = {"not": nested}
    with pytest.raises(csops.ConfigError):
        csops.Condition.from_dict(nested)
    with pytest.raises(csops.ConfigError):
        csops.Condition.from_json("[" * 100_000)
    with pytest.raises(csops.ConfigError):
        csops.Condition.from_json('{"not": ' * 10_000 + '{"field": "a"}' + "}" * 10_000)
    hostile: list[Any] = [
        {},
        {"and": []},
        {"and": "a"},
        {"field": ""},
        {"field": "a", "op": ">", "value": None},
        {"field": "a", "op": ">", "value": [1]},
        {"field": "a", "in": "x"},
        {"field": "a", "between": [1]},
        {"field": "a", "is_null": False},
        {"field": "a", "op": ">", "value": 1, "extra": 2},
        {"field": 1},
        {"field": "a", "op": ">", "value": float("inf")},
        {"field": "a", "op": ">", "value": {1, 2}},
    ]
    for d in hostile:
        with pytest.raises(csops.ConfigError):
            csops.Condition.from_dict(d)
    rng = random.Random(3)
    atoms: list[Any] = ["a", 1, None, True, [], {}, "and", "or", "not", "field", "op", ">", "in"]
    for _ in range(300):
        keys = ["and", "or", "not", "field", "op", "value", "in", "not_in", "between", "is_null"]
        d = {rng.choice(keys): rng.choice(atoms) for _ in range(rng.randrange(1, 4))}
        try:
            csops.Condition.from_dict(d)
        except csops.ConfigError:
            pass


# Threads ----------------------------------------------------------------------------------------


def test_filter_releases_the_gil(pause_shares: Callable[[Callable[[], object]], list[float]]) -> None:
    """While a condition is evaluated, another Python thread keeps running (the columns are
    read with the GIL held, then evaluated without it)."""
    n = 100_000
    rng = np.random.default_rng(1)
    data = {"arr": rng.uniform(0, 1e6, n), "x": rng.uniform(0, 1, n)}
    c = csops.Condition(" or ".join(f"(arr between {i * 1000} and {i * 1000 + 10} and x > 0.5)" for i in range(40)))

    shares = pause_shares(lambda: c.filter(data))
    assert min(shares) < 0.5, shares


def test_segmentation_from_threads_agrees(book: csops.Book, seg: csops.Segmentation, table: Any, rc: csops.Recalibration) -> None:
    reference = (seg.to_dict(), csops.segment_table(table).to_dict(), list(csops.Condition("band == 'red'").filter(table)))
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(2):
                s = book.segment(scorecard=rc.scorecard, feature_config=SECTION_8_FEATURES)
                t = csops.segment_table(table)
                results.append((s.to_dict(), t.to_dict(), list(csops.Condition("band == 'red'").filter(table))))
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


def test_rules_without_conditions_give_every_row_the_default_tier() -> None:
    # No rule names a column, so none is read: the rows still come from the data (pandas and
    # Node gave 3 × default; a dict of lists gave no rows).
    rules = csops.TierRules([], "digital")
    data = {"id": ["A1", "A2", "A3"], "arr": [1.0, 2.0, 3.0]}
    assert list(rules.assign(data)) == ["digital"] * 3
    pd = pytest.importorskip("pandas")
    assert list(rules.assign(pd.DataFrame(data))) == ["digital"] * 3
    pa = pytest.importorskip("pyarrow")
    assert list(rules.assign(pa.table(data)).to_pylist()) == ["digital"] * 3
