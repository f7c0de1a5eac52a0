"""Scoring columns in place: numpy, pandas and polars feature columns are read by the core
without being copied into a ``FeatureFrame`` (``Scorecard::score_columns``), and
``contributions=False`` leaves the per-measure contributions out.

Every result is compared exactly (bit for bit, NaN equal to NaN) with scoring the same values
as a ``csops.FeatureFrame`` or as plain lists.
"""

from __future__ import annotations

from typing import Any

import pytest

import csops
from conftest import REPO

np = pytest.importorskip("numpy")

SAMPLE_BOOK = REPO / "data" / "sample-book"

#: The output columns every score table has, contributions or not.
HEAD = ["score", "band", "coverage"]


@pytest.fixture(scope="module")
def card() -> csops.Scorecard:
    return csops.Scorecard.default_heuristic()


@pytest.fixture(scope="module")
def frame() -> csops.FeatureFrame:
    book = csops.load_book(SAMPLE_BOOK, mode="lenient")
    latest = book.latest_date()
    assert latest is not None
    return book.features_as_of(latest)


def assert_same_floats(got: Any, want: Any, what: str) -> None:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, what
    # Exact: same NaNs, and every other value bit for bit (0.0 and -0.0 told apart).
    assert np.array_equal(np.isnan(got), np.isnan(want)), what
    mask = ~np.isnan(want)
    assert np.array_equal(got[mask].view(np.int64), want[mask].view(np.int64)), what


def assert_same_dicts(got: dict[str, Any], want: dict[str, Any], columns: list[str] | None = None) -> None:
    assert list(got) == (list(want) if columns is None else columns)
    assert [str(a) for a in got["account_id"]] == [str(a) for a in want["account_id"]]
    for name in got:
        if name == "account_id":
            continue
        if name == "band":
            assert list(got[name]) == list(want[name]), name
        else:
            assert_same_floats(got[name], want[name], name)


def as_dict(result: Any) -> dict[str, Any]:
    """A pandas or polars score table as a dict like a dict input's output."""
    if isinstance(result, dict):
        return result
    if type(result).__module__.startswith("polars"):
        out = {c: result[c].to_list() for c in result.columns}
        out["score"] = result["score"].fill_null(float("nan")).to_numpy()
        return out
    out = {"account_id": list(result.index)}
    for c in result.columns:
        col = result[c]
        out[c] = [None if b != b else b for b in col.astype(object)] if c == "band" else col.to_numpy()
    return out


def synthetic(n: int, seed: int = 7) -> dict[str, Any]:
    """``n`` accounts with every feature of the default scorecard, ~10% missing, as float64."""
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {
        "logins_per_user_week": rng.gamma(2.0, 0.5, n),
        "dau_mau": rng.uniform(0, 0.3, n),
        "feature_breadth": rng.uniform(0, 1, n),
        "seat_utilisation": rng.uniform(0, 1.2, n),
        "exec_sponsor_present": rng.integers(0, 2, n).astype(np.float64),
        "champion_present": rng.integers(0, 2, n).astype(np.float64),
        "days_since_last_ebr": rng.uniform(0, 500, n),
        "open_high_priority_tickets": rng.integers(0, 6, n).astype(np.float64),
        "avg_csat": rng.uniform(1, 5, n),
        "nps": rng.uniform(-100, 100, n),
    }
    for v in cols.values():
        v[rng.random(n) < 0.1] = np.nan
    cols["account_id"] = [f"A{i}" for i in range(n)]
    return cols


# The zero-copy path gives the FeatureFrame path's numbers ----------------------------------------


def test_numpy_dict_matches_the_feature_frame_exactly(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    pd = pytest.importorskip("pandas")
    reference = card.score(frame)
    assert isinstance(reference, pd.DataFrame)
    data: dict[str, Any] = {c: np.asarray(frame.column(c), dtype=np.float64) for c in frame.columns}
    data["account_id"] = frame.account_ids
    got = card.score(data)
    assert_same_dicts(got, as_dict(reference), ["account_id", *list(reference.columns)])


def test_pandas_and_polars_match_the_feature_frame_exactly(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    pytest.importorskip("pandas")
    reference = as_dict(card.score(frame))
    assert_same_dicts(as_dict(card.score(frame.to_pandas())), reference)
    assert_same_dicts(as_dict(card.score(frame.to_pandas().reset_index())), reference)
    pl = pytest.importorskip("polars", reason="polars is not installed")
    polars_frame = pl.DataFrame(
        [pl.Series("account_id", frame.account_ids)]
        + [pl.Series(c, frame.column(c), dtype=pl.Float64, nan_to_null=True) for c in frame.columns]
    )
    got = as_dict(card.score(polars_frame))
    assert_same_dicts({k: got[k] for k in reference}, reference)


def test_many_blocks_match_lists_exactly(card: csops.Scorecard) -> None:
    # More rows than the core's block (4096): numpy arrays read in place give the same numbers
    # as the same values passed as lists (converted element by element).
    data = synthetic(10_000)
    as_lists = {k: (v if k == "account_id" else v.tolist()) for k, v in data.items()}
    got = card.score(data)
    assert isinstance(got["score"], np.ndarray)
    assert (~np.isnan(got["score"])).sum() > 5_000
    assert_same_dicts(got, card.score(as_lists))


def test_the_input_arrays_are_left_untouched(card: csops.Scorecard) -> None:
    data = synthetic(100)
    before = {k: v.copy() for k, v in data.items() if k != "account_id"}
    card.score(data)
    card.score(data, contributions=False)
    for k, v in before.items():
        assert_same_floats(data[k], v, k)


def test_read_only_arrays_are_scored(card: csops.Scorecard) -> None:
    # Read in place, never written: a read-only array (e.g. a pandas copy-on-write view) works.
    data = synthetic(50)
    want = card.score(data)
    for k, v in data.items():
        if k != "account_id":
            v.flags.writeable = False
    assert_same_dicts(card.score(data), want)


# Columns that need converting first ---------------------------------------------------------------


def test_strided_columns(card: csops.Scorecard) -> None:
    data = synthetic(2_000)
    strided = {k: v[::2] for k, v in data.items()}
    assert not strided["nps"].flags.c_contiguous
    contiguous = {k: (np.ascontiguousarray(v) if k != "account_id" else v) for k, v in strided.items()}
    assert_same_dicts(card.score(strided), card.score(contiguous))
    # Reversed (negative stride) too.
    reversed_ = {k: v[::-1] for k, v in data.items()}
    assert_same_dicts(
        card.score(reversed_),
        card.score({k: (np.ascontiguousarray(v) if k != "account_id" else v) for k, v in reversed_.items()}),
    )


def test_int_float32_bool_and_big_endian_columns() -> None:
    small = csops.Scorecard.from_dict(
        {
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
    )
    want = small.score({"account_id": ["A", "B", "C"], "logins": [1.0, 2.0, 4.0], "sponsor": [1.0, 0.0, 1.0]})
    for logins in (
        np.array([1, 2, 4], dtype=np.int64),
        np.array([1, 2, 4], dtype=np.int32),
        np.array([1, 2, 4], dtype=np.uint8),
        np.array([1.0, 2.0, 4.0], dtype=np.float32),
        np.array([1.0, 2.0, 4.0], dtype=">f8"),
    ):
        for sponsor in (np.array([True, False, True]), np.array([1, 0, 1], dtype=np.int16)):
            got = small.score({"account_id": ["A", "B", "C"], "logins": logins, "sponsor": sponsor})
            assert_same_dicts(got, want)
    # float32 values are widened exactly (0.1f32 is not 0.1).
    tenth = np.array([0.1], dtype=np.float32)
    got = small.score({"logins": tenth, "sponsor": np.array([0.0])})
    assert_same_floats(got["score"], small.score({"logins": [float(tenth[0])], "sponsor": [0.0]})["score"], "f32")
    assert got["score"][0] != small.score({"logins": [0.1], "sponsor": [0.0]})["score"][0]


def test_pandas_int_and_float32_columns(card: csops.Scorecard) -> None:
    pd = pytest.importorskip("pandas")
    data = synthetic(300)
    df = pd.DataFrame({k: v for k, v in data.items() if k != "account_id"}, index=data["account_id"])
    df = df.fillna(0)
    converted = df.copy()
    converted["open_high_priority_tickets"] = converted["open_high_priority_tickets"].astype("int64")
    converted["exec_sponsor_present"] = converted["exec_sponsor_present"].astype(bool)
    converted["nps"] = converted["nps"].astype("float32")
    reference = df.copy()
    reference["nps"] = converted["nps"].astype("float64")
    assert_same_dicts(as_dict(card.score(converted)), as_dict(card.score(reference)))


# contributions=False --------------------------------------------------------------------------


def test_without_contributions_every_kind(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    pd = pytest.importorskip("pandas")
    names = [f"contribution.{m['name']}" for m in card.measures]

    full = card.score(frame)
    lean = card.score(frame, contributions=False)
    assert list(lean.columns) == HEAD and list(full.columns) == HEAD + names
    pd.testing.assert_frame_equal(lean, full[HEAD], check_exact=True)

    df = frame.to_pandas()
    pd.testing.assert_frame_equal(card.score(df, contributions=False), full[HEAD], check_exact=True)

    data = frame.to_dict()
    lean_dict = card.score(data, contributions=False)
    assert list(lean_dict) == ["account_id", *HEAD]
    full_dict = card.score(data)
    assert_same_dicts(lean_dict, {k: full_dict[k] for k in ["account_id", *HEAD]})

    pl = pytest.importorskip("polars", reason="polars is not installed")
    polars_frame = pl.DataFrame(
        [pl.Series("account_id", frame.account_ids)]
        + [pl.Series(c, frame.column(c), dtype=pl.Float64, nan_to_null=True) for c in frame.columns]
    )
    lean_pl = card.score(polars_frame, contributions=False)
    assert lean_pl.columns == ["account_id", *HEAD]
    assert lean_pl.equals(card.score(polars_frame).select(["account_id", *HEAD]))


def test_without_contributions_many_blocks(card: csops.Scorecard) -> None:
    data = synthetic(9_000, seed=11)
    full = card.score(data)
    lean = card.score(data, contributions=False)
    assert_same_dicts(lean, {k: full[k] for k in ["account_id", *HEAD]})


def test_contributions_is_keyword_only(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    with pytest.raises(TypeError):
        card.score(frame, None, False)  # type: ignore[misc]


def test_apply_overrides_from_numpy_columns(card: csops.Scorecard) -> None:
    data = synthetic(20)
    scores = card.score(data)
    out = card.apply_overrides(
        data,
        [{"account_id": "A3", "band": "green", "reason": "renewed", "author": "sam", "expires": "2100-01-01"}],
        as_of="2026-01-01",
    )
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
    assert_same_floats(out["computed_score"], scores["score"], "computed_score")
    assert out["computed_band"] == scores["band"]
    assert out["band"][3] == "green" and out["override_reason"][3] == "renewed"
    assert out["band"][:3] == scores["band"][:3]


# Bad input still raises the right errors ----------------------------------------------------------


def test_infinities_name_the_account_when_ids_are_known(card: csops.Scorecard) -> None:
    data = synthetic(10)
    data["nps"][4] = np.inf
    data["nps"][7] = -np.inf
    for contributions in (True, False):
        with pytest.raises(csops.ConfigError) as info:
            card.score(data, contributions=contributions)
        assert info.value.problems == [
            "column `nps` has 2 infinite value(s), the first for `A4`; use NaN for missing"
        ]
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({k: v for k, v in data.items() if k != "account_id"}, index=data["account_id"])
    with pytest.raises(csops.ConfigError, match="the first for `A4`"):
        card.score(df)
    with pytest.raises(csops.ConfigError, match="the first for `A4`"):
        card.apply_overrides(df, [], as_of="2026-01-01")


def test_infinities_name_the_row_without_ids(card: csops.Scorecard) -> None:
    data = synthetic(10)
    del data["account_id"]
    data["dau_mau"][6] = np.inf
    with pytest.raises(csops.ConfigError) as info:
        card.score(data, contributions=False)
    assert info.value.problems == [
        "column `dau_mau` has 1 infinite value(s), the first for row 6; use NaN for missing"
    ]


def test_unknown_features_ragged_columns_and_bad_dtypes(card: csops.Scorecard) -> None:
    data = synthetic(10)
    del data["nps"]
    for contributions in (True, False):
        with pytest.raises(csops.ConfigError, match="nps") as info:
            card.score(data, contributions=contributions)
        assert len(info.value.problems) == 1 and "unknown feature" in info.value.problems[0]
    data = synthetic(10)
    data["nps"] = data["nps"][:9]
    with pytest.raises(csops.ConfigError, match="column `nps` has 9 values for 10 account ids"):
        card.score(data, contributions=False)
    del data["account_id"]
    with pytest.raises(csops.ConfigError, match="column `nps` has 9 values where other columns have 10"):
        card.score(data)
    data = synthetic(10)
    data["nps"] = np.array([str(x) for x in range(10)])
    with pytest.raises(csops.ConfigError, match="column `nps` has dtype <U"):
        card.score(data)
    data["nps"] = np.zeros((10, 2))
    with pytest.raises(csops.ConfigError, match="one-dimensional"):
        card.score(data)
