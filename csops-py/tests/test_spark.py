"""``csops.spark``: features, scores and back-tests on Spark, identical to the single-machine run.

Every test compares Spark's result with csops' in-process one on the same data, to the bit:
features (every column of every account; NaN where the other has NaN), scores, bands,
coverage and contributions, and every table of a back-test. The data: the shipped sample book
(300 accounts, with its nine bad rows, loaded leniently) read by Spark from its CSV files as
text and, in another test, as typed columns (dates, timestamps in a non-UTC session time zone,
decimals, numbers, booleans, lists, attributes as a struct); and the small books of
``conftest``. The session is ``local[2]`` bound to 127.0.0.1, with small file splits, shuffle
partitions and Arrow batches so that books really are cut into pieces.

Skipped, saying why, only when pyspark (with pyarrow) or Java is missing;
``scripts/test-python.sh`` installs pyspark, and CI has Java 17.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import csops
from conftest import BAD_CSV, CLEAN_CSV, REPO

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas", reason="the single-machine tables compared are pandas")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (csops.spark needs it)")
pytest.importorskip(
    "pyspark", reason="pyspark is not installed (scripts/test-python.sh installs it)"
)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Java is not installed (Spark needs Java 17 or newer)", allow_module_level=True)

import csops.spark as cs  # noqa: E402  (after the skips)

SAMPLE_BOOK = REPO / "data" / "sample-book"

pytestmark = pytest.mark.filterwarnings(
    # pyspark's own warning about pandas 3 (csops.spark itself does not use pandas).
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


# Fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    # The Python workers must run this interpreter, where csops is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("csops-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Small splits and batches: the usage events file is read in several partitions, and
        # the scorer sees many Arrow batches.
        .config("spark.sql.files.maxPartitionBytes", "1m")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample_book() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


@pytest.fixture(scope="module")
def sample_records(spark: Any) -> dict[str, Any]:
    return cs.read_csv(spark, str(SAMPLE_BOOK))


# Helpers ------------------------------------------------------------------------------------


def assert_same_floats(a: Any, b: Any, what: str) -> None:
    """Equal to the bit where present, NaN where the other is NaN."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, what
    nan = np.isnan(a)
    assert np.array_equal(nan, np.isnan(b)), f"{what}: missing values differ"
    assert np.array_equal(a[~nan].view(np.int64), b[~nan].view(np.int64)), (
        f"{what}: values differ at {np.flatnonzero((a != b) & ~nan)[:5]}"
    )


def spark_table(df: Any, key: str = "account_id") -> Any:
    """A Spark DataFrame as a pyarrow Table sorted by ``key``."""
    table = df.toArrow()
    return table.take(np.argsort(np.array(table.column(key).to_pylist(), dtype=object)))


def assert_same_features(spark_df: Any, frame: csops.FeatureFrame) -> None:
    got = spark_table(spark_df)
    ref = frame.to_dict()
    order = np.argsort(np.array(ref["account_id"], dtype=object))
    assert got.column_names == ["account_id", *frame.columns]
    assert got.column("account_id").to_pylist() == [ref["account_id"][i] for i in order]
    assert got.num_rows == len(frame) > 0
    for c in frame.columns:
        assert_same_floats(got.column(c).to_numpy(), np.asarray(ref[c])[order], c)


def assert_same_scores(spark_df: Any, ref: Any, measures: list[str], contributions: bool) -> None:
    """Spark's scores against ``Scorecard.score``'s pandas result (indexed by account id)."""
    got = spark_table(spark_df)
    ref = ref.sort_index()
    columns = ["account_id", "score", "band", "coverage"]
    if contributions:
        columns += [f"contribution.{m}" for m in measures]
    assert got.column_names == columns
    assert got.column("account_id").to_pylist() == list(ref.index)
    bands = [None if pd.isna(b) else str(b) for b in ref["band"]]
    assert got.column("band").to_pylist() == bands
    for c in columns[1:]:
        if c != "band":
            assert_same_floats(got.column(c).to_numpy(), ref[c].to_numpy(), c)


def assert_same_backtest(bt: csops.Backtest, ref: csops.Backtest) -> None:
    assert bt.to_dict() == ref.to_dict()
    assert str(bt) == str(ref)
    assert (bt.window_start, bt.window_end, bt.verdict) == (
        ref.window_start,
        ref.window_end,
        ref.verdict,
    )
    for table in (
        "observations",
        "bands",
        "quarters",
        "measures",
        "calibration",
        "lift",
        "survival",
    ):
        pd.testing.assert_frame_equal(getattr(bt, table), getattr(ref, table), check_exact=True)
    assert bt.logrank == ref.logrank
    assert bt.recalibrate().to_dict() == ref.recalibrate().to_dict()


def features_frame(spark: Any, frame: csops.FeatureFrame, segments: dict[str, str | None]) -> Any:
    """A single-machine frame as a Spark DataFrame (with a ``segment`` column)."""
    d = frame.to_dict()
    table = pa.table(
        {
            "account_id": d["account_id"],
            "segment": [segments[a] for a in d["account_id"]],
            **{c: pa.array(d[c], pa.float64()) for c in frame.columns},
        }
    )
    return spark.createDataFrame(table)


# Import -------------------------------------------------------------------------------------


def test_import_csops_does_not_import_pyspark() -> None:
    code = (
        "import sys, csops\n"
        "assert 'pyspark' not in sys.modules and 'csops.spark' not in sys.modules\n"
        "import csops.spark\n"
        "assert 'pyspark' not in sys.modules, 'csops.spark imports pyspark only when used'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# Features -----------------------------------------------------------------------------------


def test_read_csv_reads_every_file_as_text(sample_records: dict[str, Any]) -> None:
    assert set(sample_records) == set(cs.FILES)
    assert sample_records["usage_events"].rdd.getNumPartitions() > 1  # really in pieces
    for df in sample_records.values():
        assert {f.dataType.typeName() for f in df.schema.fields} == {"string"}
    assert "attr.employees" in sample_records["accounts"].columns


def test_latest_date_is_the_books(
    sample_records: dict[str, Any], sample_book: csops.Book
) -> None:
    assert cs.latest_date(sample_records, mode="lenient") == sample_book.latest_date()


def test_features_identical_on_the_sample_book(
    sample_records: dict[str, Any], sample_book: csops.Book
) -> None:
    day = sample_book.latest_date()
    assert day is not None
    assert_same_features(
        cs.features(sample_records, day, mode="lenient"), sample_book.features_as_of(day)
    )
    # Another day and other settings: snapshot columns (with a dot), churned accounts kept,
    # other windows and key features.
    config = {
        "snapshot_metrics": ["active_users", "api_calls"],
        "include_churned": True,
        "usage_window_days": 14,
        "nps_window_days": 365,
        "key_features": ["reports", "dashboards", "api"],
    }
    day = datetime.date(2025, 12, 31)
    assert_same_features(
        cs.features(sample_records, "2025-12-31", config=config, mode="lenient"),
        sample_book.features_as_of(day, config=config),
    )


def test_features_of_a_small_book_in_strict_mode(spark: Any, tmp_path: Path) -> None:
    for stem, text in CLEAN_CSV.items():
        (tmp_path / f"{stem}.csv").write_text(text)
    records = cs.read_csv(spark, str(tmp_path))
    assert set(records) == set(CLEAN_CSV)
    book = csops.load_book_csv(CLEAN_CSV)
    for day in ("2024-04-02", "2024-03-15"):
        assert_same_features(cs.features(records, day), book.features_as_of(day))
    assert cs.latest_date(records) == book.latest_date()


def test_typed_columns_read_as_their_text(
    spark: Any, sample_book: csops.Book, tmp_path: Path
) -> None:
    """The book as typed columns (the JSON layout read by Spark, then dates, timestamps and
    decimals cast), in a session whose time zone is not UTC: the same features and back-test."""
    from pyspark.sql import functions as F

    doc = json.loads(sample_book.to_json())
    typed = {
        "accounts": {"start_date": "date", "renewal_date": "date", "arr": "decimal(18,2)"},
        "usage_events": {"timestamp": "timestamp"},
        "tickets": {"opened": "date", "closed": "date"},
        "renewal_outcomes": {
            "renewal_date": "date",
            "arr_before": "decimal(18,2)",
            "arr_after": "decimal(18,2)",
        },
        "fx_rates": {"rate": "decimal(10,4)"},
    }
    records = {}
    for stem in cs.FILES:
        rows = doc.get(stem)
        if not rows:
            continue
        path = tmp_path / f"{stem}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        df = spark.read.json(str(path))
        for column, kind in typed.get(stem, {}).items():
            df = df.withColumn(column, F.col(column).cast(kind))
        records[stem] = df
    kinds = {f.name: f.dataType.typeName() for f in records["accounts"].schema.fields}
    assert kinds["start_date"] == "date" and kinds["attributes"] == "struct"
    assert kinds["seats"] == "long" and kinds["arr"].startswith("decimal")
    assert records["usage_events"].schema["timestamp"].dataType.typeName() == "timestamp"
    assert records["meetings"].schema["attendee_roles"].dataType.typeName() == "array"
    assert records["opportunities"].schema["probability"].dataType.typeName() == "double"
    assert records["tickets"].schema["escalated"].dataType.typeName() == "boolean"

    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        day = datetime.date(2026, 3, 31)
        config = {"snapshot_metrics": ["active_users"]}
        assert_same_features(
            cs.features(records, day, config=config),
            sample_book.features_as_of(day, config=config),
        )
        card = csops.Scorecard.default_heuristic()
        assert_same_backtest(cs.backtest(records, card), csops.backtest(sample_book, card))
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)


# Scores -------------------------------------------------------------------------------------


def test_scores_identical(spark: Any, sample_book: csops.Book) -> None:
    frame = sample_book.features_as_of(sample_book.latest_date())
    segments = {a["id"]: a["segment"] for a in sample_book.accounts()}
    df = features_frame(spark, frame, segments)
    card = csops.Scorecard.default_heuristic()
    measures = [m["name"] for m in card.measures]
    assert_same_scores(cs.score(df, card), card.score(frame), measures, True)
    lean = cs.score(df, card, contributions=False)
    assert_same_scores(lean, card.score(frame, contributions=False), measures, False)


PERCENTILE_CARD = {
    "schema_version": 1,
    "name": "ranked",
    "min_coverage": 0.3,
    "groups": [
        {
            "name": "usage",
            "weight": 2,
            "measures": [
                {
                    "name": "breadth_rank",
                    "feature": "feature_breadth",
                    "weight": 2,
                    "normaliser": {
                        "kind": "percentile",
                        "higher_is_better": True,
                        "per_segment": True,
                    },
                },
                {
                    "name": "breadth",
                    "feature": "feature_breadth",
                    "weight": 1,
                    "normaliser": {"kind": "linear", "worst": 0, "best": 1},
                },
                {
                    "name": "logins",
                    "feature": "logins_per_user_week",
                    "weight": 1,
                    "normaliser": {"kind": "linear", "worst": 0, "best": 1.2},
                },
            ],
        },
        {
            "name": "support",
            "weight": 1,
            "measures": [
                {
                    "name": "tickets_rank",
                    "feature": "tickets_opened",
                    "weight": 1,
                    "normaliser": {"kind": "percentile", "higher_is_better": False},
                },
                {
                    "name": "csat_rank",
                    "feature": "avg_csat",
                    "weight": 1,
                    "normaliser": {"kind": "percentile", "higher_is_better": True},
                    "missing": {"rule": "worst"},
                },
            ],
        },
    ],
}


def test_percentile_measures_rank_within_the_whole_dataframe(
    spark: Any, sample_book: csops.Book
) -> None:
    """Ranks over every row (per segment where asked), ties and missing values included,
    although each Arrow batch holds 50 rows."""
    frame = sample_book.features_as_of(sample_book.latest_date())
    segments = {a["id"]: a["segment"] for a in sample_book.accounts()}
    segments["A-00003"] = None  # a null segment is the segment ""
    df = features_frame(spark, frame, segments)
    card = csops.Scorecard.from_dict(PERCENTILE_CARD)
    ref = card.score(
        frame, segments=[segments[a] or "" for a in frame.account_ids]
    )
    measures = [m["name"] for m in card.measures]
    assert_same_scores(cs.score(df, card, segments="segment"), ref, measures, True)
    # Ranks over the whole population where the measure is not per segment.
    whole = json.loads(json.dumps(PERCENTILE_CARD))
    whole["groups"][0]["measures"][0]["normaliser"]["per_segment"] = False
    card = csops.Scorecard.from_dict(whole)
    assert_same_scores(cs.score(df, card), card.score(frame), measures, True)
    # A per-segment rank without segments is refused, as by the core.
    with pytest.raises(csops.ConfigError, match="no segments were given"):
        csops.Scorecard.from_dict(PERCENTILE_CARD).score(frame)
    with pytest.raises(csops.ConfigError, match="no segments were given"):
        cs.score(df, csops.Scorecard.from_dict(PERCENTILE_CARD))


def test_score_keeps_the_id_column_type_and_checks_its_input(spark: Any) -> None:
    df = spark.createDataFrame(
        pa.table({"id": [7, 8], "nps": [50.0, None], "avg_csat": [4.0, 2.0]})
    )
    card = csops.Scorecard.from_dict(
        {
            "schema_version": 1,
            "name": "tiny",
            "groups": [
                {
                    "name": "g",
                    "weight": 1,
                    "measures": [
                        {
                            "name": "nps",
                            "feature": "nps",
                            "weight": 1,
                            "normaliser": {"kind": "linear", "worst": -100, "best": 100},
                        },
                        {
                            "name": "csat",
                            "feature": "avg_csat",
                            "weight": 1,
                            "normaliser": {"kind": "linear", "worst": 1, "best": 5},
                        },
                    ],
                }
            ],
        }
    )
    rows = sorted(cs.score(df, card, id_col="id").collect())
    ref = card.score({"nps": [50.0, math.nan], "avg_csat": [4.0, 2.0]})
    assert [r["id"] for r in rows] == [7, 8]
    assert [r["score"] for r in rows] == list(ref["score"])
    with pytest.raises(csops.ConfigError, match="dau_mau"):
        cs.score(df, csops.Scorecard.default_heuristic(), id_col="id")
    with pytest.raises(csops.ConfigError, match="account_id"):
        cs.score(df, card)
    with pytest.raises(TypeError):
        cs.score(df, "not a scorecard")


# Back-tests ---------------------------------------------------------------------------------


def test_backtest_identical_on_the_sample_book(
    sample_records: dict[str, Any], sample_book: csops.Book
) -> None:
    card = csops.Scorecard.default_heuristic()
    bt = cs.backtest(sample_records, card, mode="lenient")
    ref = csops.backtest(sample_book, card)
    assert len(ref.observations) > 100
    assert_same_backtest(bt, ref)


def test_backtest_options_identical(
    sample_records: dict[str, Any], sample_book: csops.Book
) -> None:
    card = csops.Scorecard.default_heuristic()
    options: dict[str, Any] = {
        "lead_days": 60,
        "quarters": 3,
        "end": "2026-06-30",
        "contraction_is_churn": True,
        "lift_fractions": (0.05, 0.3),
        "feature_config": {"usage_window_days": 21, "ticket_window_days": 60},
    }
    bt = cs.backtest(sample_records, card, mode="lenient", **options)
    assert_same_backtest(bt, csops.backtest(sample_book, card, **options))


def test_backtest_refuses_percentile_measures(sample_records: dict[str, Any]) -> None:
    card = csops.Scorecard.from_dict(PERCENTILE_CARD)
    with pytest.raises(csops.ConfigError, match="breadth_rank") as e:
        cs.backtest(sample_records, card)
    assert len(e.value.problems) == 3
    assert all("percentile" in p for p in e.value.problems)


def test_errors_are_csops_errors(spark: Any, tmp_path: Path) -> None:
    for stem, text in BAD_CSV.items():
        (tmp_path / f"{stem}.csv").write_text(text)
    records = cs.read_csv(spark, str(tmp_path))
    # A validation error on an executor comes back as csops' own.
    with pytest.raises(csops.ValidationError, match="critical"):
        cs.backtest(records, csops.Scorecard.default_heuristic(), end="2024-06-30")
    # Leniently, the bad rows are left out, as on one machine.
    book = csops.load_book_csv(BAD_CSV, mode="lenient")
    assert_same_features(
        cs.features(records, "2024-04-01", mode="lenient"), book.features_as_of("2024-04-01")
    )
    with pytest.raises(csops.ConfigError, match="no renewal outcomes"):
        cs.backtest(records, csops.Scorecard.default_heuristic(), mode="lenient")
    # Arguments are checked on the driver, before any job.
    with pytest.raises(csops.ConfigError, match="quarters"):
        cs.backtest(records, csops.Scorecard.default_heuristic(), end="2024-06-30", quarters=0)
    with pytest.raises(csops.ConfigError, match="lift"):
        cs.backtest(records, csops.Scorecard.default_heuristic(), end="2024-06-30", lift_fractions=[2])
    with pytest.raises(csops.ConfigError, match="usage_window_days"):
        cs.features(records, "2024-04-01", config={"usage_window_days": 0})
    with pytest.raises(csops.ConfigError, match="unknown file"):
        cs.features({**records, "invoices": records["accounts"]}, "2024-04-01")
    with pytest.raises(csops.FormatError, match="needs accounts"):
        cs.features({"tickets": records["tickets"]}, "2024-04-01")
    with pytest.raises(csops.FormatError, match="needs accounts"):
        cs.read_csv(spark, str(tmp_path / "nowhere"))
