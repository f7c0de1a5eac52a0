"""Frames in, frames out: every function that takes a table reads pandas, polars, pyarrow (a
Table, a RecordBatch, or any object speaking the Arrow PyCapsule interface) and dicts of numpy
arrays alike, and answers with the kind of table that went in; results derived from a book are
pandas by default, polars or pyarrow with ``frame=``. pandas, polars and pyarrow stay optional."""

from __future__ import annotations

import math
from decimal import Decimal
import subprocess
import sys
from typing import Any

import pytest

import csops
from conftest import REPO

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (scripts/test-python.sh installs it)")

SAMPLE_BOOK = REPO / "data" / "sample-book"


class StreamOnly:
    """An object speaking only ``__arrow_c_stream__`` (as a duckdb result does)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._table.__arrow_c_stream__(requested_schema)


class ArrayOnly:
    """An object speaking only ``__arrow_c_array__`` (one struct array of columns)."""

    def __init__(self, batch: Any) -> None:
        self._batch = batch

    def __arrow_c_array__(self, requested_schema: object | None = None) -> object:
        return self._batch.__arrow_c_array__(requested_schema)


@pytest.fixture(scope="module")
def card() -> csops.Scorecard:
    return csops.Scorecard.default_heuristic()


@pytest.fixture(scope="module")
def sample() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


@pytest.fixture(scope="module")
def frame(sample: csops.Book) -> csops.FeatureFrame:
    latest = sample.latest_date()
    assert latest is not None
    return sample.features_as_of(latest)


def columns(frame: csops.FeatureFrame) -> dict[str, Any]:
    data: dict[str, Any] = {"account_id": np.array(frame.account_ids)}
    for c in frame.columns:
        data[c] = np.asarray(frame.column(c), dtype=np.float64)
    return data


def plain(result: Any) -> dict[str, list[Any]]:
    """Any result table as {column: [values]}, NaN and null as None, categories as text."""
    if isinstance(result, dict):
        out = {k: list(v) for k, v in result.items()}
    elif isinstance(result, pd.DataFrame):
        out = {}
        if result.index.name:
            out[result.index.name] = list(result.index)
        for c in result.columns:
            out[c] = list(result[c].astype(object))
    elif isinstance(result, pl.DataFrame):
        out = {c: result[c].to_list() for c in result.columns}
    else:
        out = {c: result.column(c).to_pylist() for c in result.column_names}

    def norm(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in ("NAType", "NaTType"):
            return None
        # pandas holds amounts as float64 and days as datetime64; polars and pyarrow exactly.
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, pd.Timestamp):
            return v.date()
        return v.item() if hasattr(v, "item") and not isinstance(v, str) else v

    return {k: [norm(v) for v in vs] for k, vs in out.items()}


def test_score_reads_every_kind_and_answers_in_kind(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    want = plain(card.score(frame))
    data = columns(frame)
    table = pa.table(data)
    batch = table.to_batches()[0] if table.num_rows else pa.RecordBatch.from_pylist([])
    cases = {
        "dict": (data, dict),
        "pandas": (pd.DataFrame(data).set_index("account_id"), pd.DataFrame),
        "polars": (pl.DataFrame(data), pl.DataFrame),
        "pyarrow table": (table, pa.Table),
        "pyarrow batch": (batch, pa.RecordBatch),
        "stream only": (StreamOnly(table), pa.Table),
        "array only": (ArrayOnly(batch), pa.Table),
    }
    for name, (given, kind) in cases.items():
        got = card.score(given)
        assert isinstance(got, kind), name
        assert plain(got) == want, name
    # The band is categorical everywhere but in a dict.
    assert str(card.score(pl.DataFrame(data)).schema["band"]).startswith("Enum")
    assert pa.types.is_dictionary(card.score(table).schema.field("band").type)
    assert isinstance(card.score(data)["score"], np.ndarray)


@pytest.mark.parametrize("way", ["physical", "enum-metadata", "dictionary"])
def test_every_way_of_handing_polars_a_category_gives_the_same_frame(
    card: csops.Scorecard, frame: csops.FeatureFrame, sample: csops.Book, way: str
) -> None:
    """Band and tier columns reach polars as UInt8 codes made Enum by ``cat.to`` (polars 2), as
    dictionaries with polars' Enum metadata, or as plain dictionaries cast through their text,
    whichever the installed polars takes best (probed once). Each way is forced here in turn, so
    all three are tested whichever polars is installed; every way that this polars takes gives
    the same frame, with the band an Enum of the scorecard's bands and null where not scored."""
    from csops import _csops

    data = columns(frame)
    # Some accounts not scored, so that the bands and scores have nulls.
    for k in data:
        if k != "account_id":
            data[k][:3] = np.nan
    probed = _csops._polars_categories()
    want = card.score(pl.DataFrame(data))
    want_tiers = sample.segment(scorecard=card, frame="polars").tiers
    try:
        assert _csops._polars_categories(way) == way
        try:
            got = card.score(pl.DataFrame(data))
            tiers = sample.segment(scorecard=card, frame="polars").tiers
        except Exception:
            # A way this polars does not take (the probe would not have chosen it).
            assert way != probed
            return
    finally:
        _csops._polars_categories(probed)
    assert got.schema == want.schema
    assert got.schema["band"] == pl.Enum([b["name"] for b in card.bands])
    assert got.equals(want)
    assert got["band"].null_count() == got["score"].null_count() >= 3
    assert (got["band"].is_null() == got["score"].is_null()).all()
    assert tiers.equals(want_tiers)
    with pytest.raises(ValueError, match="unknown way"):
        _csops._polars_categories("text")


def test_arrow_nulls_chunks_and_other_types_read_as_floats(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    want = plain(card.score(frame, contributions=False))
    data = columns(frame)
    nulls = pl.DataFrame(data).with_columns(pl.col(frame.columns).fill_nan(None))
    assert nulls.null_count().sum_horizontal().item() > 0
    assert plain(card.score(nulls, contributions=False)) == want
    # Several chunks (record batches), and float32 / int columns.
    table = pa.table(data)
    chunked = pa.concat_tables([table.slice(0, 7), table.slice(7)])
    assert chunked.column(1).num_chunks == 2
    assert plain(card.score(chunked, contributions=False)) == want
    assert plain(card.score(nulls.to_arrow(), contributions=False)) == want
    small = csops.Scorecard.from_dict(
        {
            "schema_version": 1,
            "name": "small",
            "groups": [
                {
                    "name": "g",
                    "weight": 1,
                    "measures": [
                        {"name": "x", "feature": "x", "weight": 1, "normaliser": {"kind": "linear", "worst": 0, "best": 4}}
                    ],
                }
            ],
        }
    )
    expected = plain(small.score({"account_id": ["a", "b", "c"], "x": [1.0, None, 4.0]}))
    for t in (pa.int64(), pa.int8(), pa.uint32(), pa.float32(), pa.float16(), pa.decimal128(25, 2)):
        values = pa.array([1, None, 4], type=pa.int64()).cast(t)
        got = small.score(pa.table({"account_id": ["a", "b", "c"], "x": values}))
        assert plain(got) == expected, t
    with pytest.raises(csops.ConfigError, match="column `x` has Arrow type"):
        small.score(pa.table({"x": ["1", "2"]}))


def test_other_scoring_calls_read_arrow(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    data = columns(frame)
    table = pa.table(data)
    account = frame.account_ids[3]
    # The same breakdown; only a book's frame can say why a value is missing (stale, blank).
    def no_why(d: dict) -> dict:
        return {**d, "measures": [{**m, "missing_why": None} for m in d["measures"]]}

    from_table = card.explain(table, account).to_dict()
    assert all(m["missing_why"] is None for m in from_table["measures"])
    assert from_table == no_why(card.explain(frame, account).to_dict())
    over = [{"account_id": account, "band": "green", "reason": "r", "author": "a", "expires": "2100-01-01"}]
    got = card.apply_overrides(table, over, as_of="2026-01-01")
    assert isinstance(got, pa.Table)
    assert plain(got) == plain(card.apply_overrides(data, over, as_of="2026-01-01"))
    models = csops.ModelSet(card, {"x": card})
    segments = ["x" if i % 2 else "y" for i in range(len(frame))]
    assert plain(models.score(table, segments=segments)) == plain(models.score(data, segments=segments))
    seg_table = table.append_column("seg", pa.array(segments))
    assert plain(models.score(seg_table, segments="seg")) == plain(models.score(data, segments=segments))
    with pytest.raises(csops.ConfigError, match="the data has no column `nope`"):
        models.score(table, segments="nope")


def test_account_ids_are_checked_without_reading_them_one_by_one(card: csops.Scorecard, frame: csops.FeatureFrame) -> None:
    data = columns(frame)
    del data["account_id"]
    n = len(frame)
    good = pa.table({"account_id": pa.array(range(n)), **data})
    assert plain(card.score(good))["account_id"] == list(range(n))
    bad = pa.table({"account_id": pa.array([None] + [f"A{i}" for i in range(1, n)]), **data})
    with pytest.raises(csops.ConfigError, match="position 0: the account id is missing"):
        card.score(bad)
    with pytest.raises(csops.ConfigError, match="the account id is missing"):
        card.score(pl.DataFrame({"account_id": [None] + ["x"] * (n - 1), **data}))
    with pytest.raises(csops.ConfigError, match="string or an integer"):
        card.score(pd.DataFrame(data, index=pd.Index([1.5] * n, name="account_id")))


def test_conditions_and_tiers_read_arrow() -> None:
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "arr": pa.array([100.0, None, 5000.0]),
            "region": pa.array(["EMEA", "NA", None]).dictionary_encode(),
            "flag": [True, None, False],
            "day": pa.array([19000, None, 20000], type=pa.date32()),
            "view": pa.array(["x", "y", "z"], type=pa.string_view()),
        }
    )
    cases = {
        "arr > 1000": [False, False, True],
        "region == 'EMEA'": [True, False, False],
        "flag": [True, False, False],
        "day < '2022-02-01'": [True, False, False],
        "view in ['y', 'z']": [False, True, True],
        "arr is null": [False, True, False],
    }
    for text, expected in cases.items():
        got = csops.Condition(text).filter(table)
        assert isinstance(got, pa.Array), text
        assert got.to_pylist() == expected, text
        assert csops.Condition(text).filter(StreamOnly(table)).to_pylist() == expected, text
        assert csops.Condition(text).filter(table.to_pandas()).tolist() == expected, text
    rules = csops.TierRules([("big", "arr >= 1000")], default_tier="small")
    tiers = rules.assign(table)
    assert tiers.to_pylist() == ["small", "small", "big"]
    assert isinstance(rules.assign(pl.from_arrow(table)), pl.Series)
    model = {"big": {"accounts_per_csm": 10}, "small": "pooled"}
    owned = table.append_column("owner_csm", pa.array(["s", "s", None]))
    seg = csops.segment_table(owned, rules, model=model)
    assert isinstance(seg.tiers, pa.Table) and isinstance(seg.coverage, pa.Table)
    assert seg.tiers.column("tier").to_pylist() == ["small", "small", "big"]
    assert isinstance(seg.what_if(rules).changes, pa.Table)
    assert isinstance(csops.segment_table(owned, rules, model=model, frame="pandas").tiers, pd.DataFrame)


@pytest.mark.parametrize("kind", ["polars", "pyarrow"])
def test_book_results_in_the_frame_asked_for(sample: csops.Book, card: csops.Scorecard, kind: str) -> None:
    cls = pl.DataFrame if kind == "polars" else pa.Table
    latest = sample.latest_date()
    assert latest is not None

    def same(got: Any, want: Any, what: str) -> None:
        assert isinstance(got, cls), what
        assert isinstance(want, pd.DataFrame), what
        assert plain(got) == plain(want), what

    same(sample.account_table(scorecard=card, frame=kind), sample.account_table(scorecard=card), "account_table")
    same(sample.health_as_of(card, frame=kind), sample.health_as_of(card), "health_as_of")
    same(sample.retention("2025-09-30", "2026-09-30", by="segment", frame=kind), sample.retention("2025-09-30", "2026-09-30", by="segment"), "retention")
    same(sample.retention_series("2025-09-30", "2026-09-30", frame=kind), sample.retention_series("2025-09-30", "2026-09-30"), "retention_series")
    same(sample.arr_bridge("2025-09-30", "2026-09-30", frame=kind).accounts, sample.arr_bridge("2025-09-30", "2026-09-30").accounts, "bridge")
    bt, bt_pd = csops.backtest(sample, card, frame=kind), csops.backtest(sample, card)
    for name in ("observations", "bands", "quarters", "measures", "calibration", "lift", "survival"):
        same(getattr(bt, name), getattr(bt_pd, name), f"Backtest.{name}")
    rc, rc_pd = bt.recalibrate(), bt_pd.recalibrate()
    same(rc.weights, rc_pd.weights, "weights")
    same(rc.bands, rc_pd.bands, "Recalibration.bands")
    rf, rf_pd = csops.forecast(sample, frame=kind), csops.forecast(sample)
    for name in ("lines", "by_segment", "by_csm", "by_month"):
        same(getattr(rf, name), getattr(rf_pd, name), f"RenewalForecast.{name}")
    same(rf.reconcile(sample).issues, rf_pd.reconcile(sample).issues, "issues")
    seg, seg_pd = sample.segment(scorecard=card, frame=kind), sample.segment(scorecard=card)
    for name in ("tiers", "coverage", "csms", "assignment", "owners"):
        same(getattr(seg, name), getattr(seg_pd, name), f"Segmentation.{name}")
    same(seg.what_if(csops.TierRules.default()).tiers, seg_pd.what_if(csops.TierRules.default()).tiers, "what_if")
    pb = csops.Playbook.sponsor_left()
    start = latest - __import__("datetime").timedelta(days=60)
    rp, rp_pd = csops.replay_plays(sample, pb, start, latest, frame=kind), csops.replay_plays(sample, pb, start, latest)
    fired = plain(rp.fired)
    fired_pd = plain(rp_pd.fired)
    assert fired.keys() == fired_pd.keys()
    for k in fired:
        if k not in ("actions", "tags", "routes"):
            assert fired[k] == fired_pd[k], k
    run = csops.run_plays(sample, pb, latest, frame=kind)
    assert isinstance(run.fired, cls) and isinstance(run.live, cls)
    same(csops.play_effects(sample, pb, rp, frame=kind), csops.play_effects(sample, pb, rp_pd), "play_effects")


def test_forecast_reads_health_from_any_table(sample: csops.Book, card: csops.Scorecard) -> None:
    health = sample.health_as_of(card)
    want = plain(csops.forecast(sample, health=health).lines)
    for kind in ("polars", "pyarrow"):
        assert plain(csops.forecast(sample, health=sample.health_as_of(card, frame=kind)).lines) == want, kind
    scored = card.score(pa.table(columns(sample.features_as_of(sample.latest_date()))))
    assert isinstance(scored, pa.Table)
    csops.forecast(sample, health=scored)


def test_frame_must_be_a_known_kind(sample: csops.Book, card: csops.Scorecard) -> None:
    with pytest.raises(csops.ConfigError, match="frame must be"):
        sample.account_table(frame="excel")  # type: ignore[arg-type]
    with pytest.raises(csops.ConfigError, match="frame must be"):
        csops.backtest(sample, card, frame="Pandas")  # type: ignore[arg-type]


BLOCKED = """
import sys
for name in ("pandas", "polars", "pyarrow"):
    sys.modules[name] = None
import csops
card = csops.Scorecard.default_heuristic()
book = csops.load_book(sys.argv[1], mode="lenient")
frame = book.features_as_of(book.latest_date())
out = card.score(frame)
assert isinstance(out, dict), type(out)
out = card.score(frame.to_dict())
assert isinstance(out, dict) and len(out["score"]) == len(frame)
print(type(out["score"]).__name__)
for call in (lambda: book.account_table(), lambda: book.account_table(frame="polars"),
             lambda: book.account_table(frame="pyarrow"), lambda: frame.to_pandas()):
    try:
        call()
    except ImportError as e:
        assert "pip install" in str(e), e
    else:
        raise AssertionError("no ImportError")
print("ok")
"""


def test_import_and_score_without_pandas_polars_or_pyarrow() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BLOCKED, str(SAMPLE_BOOK)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.split() == ["ndarray", "ok"]


@pytest.mark.parametrize("dtype", ["float64", "int64", "int32", "float32", "uint8"])
def test_arrow_nulls_at_any_offset_and_chunking_become_missing(dtype: str) -> None:
    """Nulls become NaN wherever they sit: the validity bitmap is read a 64-bit word at a time,
    so chunks of odd lengths, slices starting mid-byte and all-null / no-null words are tried."""
    identity = csops.Scorecard.from_dict(
        {
            "schema_version": 1,
            "name": "identity",
            "groups": [
                {
                    "name": "g",
                    "weight": 1.0,
                    "measures": [
                        {"name": "x", "feature": "x", "weight": 1.0, "normaliser": {"kind": "linear", "worst": 0.0, "best": 100.0}}
                    ],
                }
            ],
        }
    )
    rng = np.random.default_rng(11)
    for case in range(30):
        n = int(rng.integers(1, 400))
        values = rng.integers(0, 101, n)
        null = rng.random(n) < rng.choice([0.0, 0.05, 0.5, 1.0])
        if case % 3 == 0:
            null[: min(n, 70)] = True  # a whole word of nulls (and more)
        full = pa.array(np.where(null, 0, values).astype(dtype), mask=null)
        # Cut into chunks at random points, each a slice of the full array (odd offsets).
        cuts = sorted({0, n, *rng.integers(0, n + 1, int(rng.integers(0, 4))).tolist()})
        chunks = [full.slice(a, b - a) for a, b in zip(cuts, cuts[1:]) if b > a]
        table = pa.table({"x": pa.chunked_array(chunks, type=full.type)})
        got = identity.score(table, contributions=False).column("score").to_pylist()
        want = [None if null[i] else float(values[i]) for i in range(n)]
        assert got == want, (case, dtype, cuts)
        # polars, which exports its own buffers.
        got_pl = identity.score(pl.from_arrow(table), contributions=False)["score"].to_list()
        assert got_pl == want, (case, dtype)
