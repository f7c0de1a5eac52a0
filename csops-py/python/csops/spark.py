"""csops on Apache Spark, for books that outgrow one machine.

Features, health scores and back-tests computed partition by partition on Spark
DataFrames, with results identical to the single-machine run (``Book.features_as_of``,
``Scorecard.score``, ``csops.backtest``): every number comes from the same core, fed the
same records.

A book on Spark is a dict of DataFrames, one per file of the book layout (``docs/schema.md``),
with the layout's column names::

    from pyspark.sql import SparkSession
    import csops, csops.spark

    spark = SparkSession.builder.getOrCreate()
    records = csops.spark.read_csv(spark, "s3://bucket/book")  # {"accounts": df, ...}
    day = csops.spark.latest_date(records)
    features = csops.spark.features(records, day)     # account_id + a column per feature
    scores = csops.spark.score(features, csops.Scorecard.default_heuristic())
    bt = csops.spark.backtest(records, csops.Scorecard.default_heuristic())  # a csops.Backtest

How it works:

- ``features``: every record is turned into its interchange text (the CSV cell the core would
  read) and grouped by account (contact roles through their contact; the small FX table goes
  to every group). Each group becomes a one-account book (``csops.load_book_json``) on an
  executor, whose ``features_as_of`` row is that account's row of the whole book's frame: a
  feature reads only its own account's records.
- ``score``: ``mapInArrow`` over Arrow batches, ``Scorecard.score`` on each. Percentile
  measures rank within the whole population (optionally per segment), so their ranks are
  computed first, exactly, by Spark (counts of smaller and equal values), and the batches are
  scored with those ranks.
- ``backtest``: the renewals of each account are replayed point-in-time on the executors
  (the core's ``observe``), the window fixed by the driver; each group's observations come
  back as one binary cell (the core's serde form), and the driver merges them and computes
  the report (the core's ``Observations::merge`` and ``report``). Scorecards with percentile
  measures are refused (ConfigError naming them): their ranks need the whole book on every
  scoring day.

Importing ``csops`` does not import this module, nor pyspark; this module imports pyspark
(4.0 or newer, with pyarrow) only when a function is called. ``docs/spark.md`` explains
running it on a cluster.
"""

from __future__ import annotations

import datetime as _dt
import importlib as _importlib
import re as _re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from csops import _csops

if TYPE_CHECKING:  # pragma: no cover - for type checkers only (pyspark may not be installed)
    from pyspark.sql import (  # type: ignore[import-not-found, unused-ignore]
        Column,
        DataFrame,
        SparkSession,
    )

__all__ = [
    "FILES",
    "read_csv",
    "features",
    "latest_date",
    "score",
    "backtest",
]

#: The files of the book layout, in the order the core reads them.
FILES: tuple[str, ...] = (
    "accounts",
    "contacts",
    "contact_roles",
    "usage_events",
    "usage_snapshots",
    "tickets",
    "surveys",
    "meetings",
    "milestones",
    "opportunities",
    "arr_snapshots",
    "renewal_outcomes",
    "fx_rates",
)

# Internal column names of the grouped records (account key, file, order, JSON of the row).
_KEY, _FILE, _ORDER, _JSON = "_csops_account", "_csops_file", "_csops_order", "_csops_row"
_EMPTY_BOOK = '{"accounts": []}'


def _spark() -> Any:
    """pyspark's modules, imported on first use (ImportError saying what to install)."""
    try:
        _importlib.import_module("pyarrow")
        functions = _importlib.import_module("pyspark.sql.functions")
        types = _importlib.import_module("pyspark.sql.types")
        window = _importlib.import_module("pyspark.sql.window")
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "csops.spark needs pyspark (4.0 or newer) and pyarrow: pip install 'pyspark>=4' pyarrow"
        ) from e
    return functions, types, window.Window


def _arrow() -> Any:
    """pyarrow (untyped: imported as a plain module)."""
    return _importlib.import_module("pyarrow")


def _q(name: str) -> str:
    """A column name as Spark reads it literally (dots are not struct access)."""
    return "`" + name.replace("`", "``") + "`"


# Records in ----------------------------------------------------------------------------------


def read_csv(spark: SparkSession, directory: str, **options: Any) -> dict[str, DataFrame]:
    """Read the CSV files of a book directory (any path Spark reads: local, HDFS, S3, ...) into
    one DataFrame per file present, every column as text, as ``load_book`` reads them.
    ``options`` are passed to ``spark.read.csv`` (after ``header=True``, ``escape='"'``)."""
    _spark()
    AnalysisException = _importlib.import_module("pyspark.errors").AnalysisException

    opts: dict[str, Any] = {"header": True, "escape": '"', "inferSchema": False}
    opts.update(options)
    out: dict[str, DataFrame] = {}
    base = directory.rstrip("/")
    for stem in FILES:
        try:
            out[stem] = spark.read.csv(f"{base}/{stem}.csv", **opts)
        except AnalysisException as e:
            if "PATH_NOT_FOUND" in str(e) or "Path does not exist" in str(e):
                continue
            raise
    if "accounts" not in out:
        raise _csops.FormatError(f"{base}: a book needs accounts (accounts.csv)")
    return out


def _text(c: Column, t: Any) -> Column:
    """A column as the interchange text the core reads from a CSV cell (null = empty)."""
    F, T, _ = _spark()
    if isinstance(t, T.StringType):
        return c
    if isinstance(t, T.DateType):
        return F.date_format(c, "yyyy-MM-dd")
    if isinstance(t, T.TimestampNTZType):
        return F.date_format(c, "yyyy-MM-dd'T'HH:mm:ss.SSS")
    if isinstance(t, T.TimestampType):
        # With the offset: the same instant whatever the session's time zone.
        return F.date_format(c, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
    if isinstance(t, T.ArrayType):
        return F.array_join(F.transform(c, lambda x: _text(x, t.elementType)), ";")
    if isinstance(t, T.StructType):  # `attributes`, as in the JSON layout
        return F.struct(*[_text(c.getField(f.name), f.dataType).alias(f.name) for f in t.fields])
    if isinstance(t, T.MapType):
        return F.transform_values(c, lambda _k, v: _text(v, t.valueType))
    return c.cast("string")


def _rows_json(df: DataFrame) -> Column:
    """Each row as a JSON object of interchange texts (null fields left out: missing)."""
    F, _, _ = _spark()
    fields = [_text(F.col(_q(f.name)), f.dataType).alias(f.name) for f in df.schema.fields]
    return F.to_json(F.struct(*fields))


def _key(df: DataFrame, column: str) -> Column:
    F, T, _ = _spark()
    if column not in df.columns:
        return F.lit(None).cast("string")
    return F.trim(_text(F.col(_q(column)), df.schema[column].dataType))


def _check_records(records: Mapping[str, DataFrame]) -> None:
    unknown = sorted(set(records) - set(FILES))
    if unknown:
        raise _csops.ConfigError(
            f"records: unknown file(s) {', '.join(unknown)}; expected some of {', '.join(FILES)}",
            problems=[f"records: `{u}` is not a file of the book layout" for u in unknown],
        )
    if "accounts" not in records:
        raise _csops.FormatError("records: a book needs accounts (an `accounts` DataFrame)")


def _grouped(records: Mapping[str, DataFrame], files: Iterable[str] = FILES) -> DataFrame:
    """Every record as (account key, file index, order within its file, JSON text)."""
    F, _, _ = _spark()
    _check_records(records)
    parts = []
    for i, stem in enumerate(FILES):
        if stem not in files or stem not in records or stem == "fx_rates":
            continue
        df = records[stem]
        if stem == "contact_roles":
            # A role belongs to its contact's account; the order is taken before the join.
            df = df.withColumn(_ORDER, F.monotonically_increasing_id())
            contacts = records.get("contacts")
            if contacts is not None and {"id", "account_id"} <= set(contacts.columns):
                owners = contacts.select(
                    _key(contacts, "id").alias("_csops_contact"),
                    _key(contacts, "account_id").alias(_KEY),
                ).distinct()
                df = df.join(owners, _key(df, "contact_id") == F.col("_csops_contact"), "left")
            else:
                df = df.withColumn(_KEY, F.lit(None).cast("string"))
            row = _rows_json(records[stem])
            parts.append(
                df.select(F.col(_KEY), F.lit(i).alias(_FILE), F.col(_ORDER), row.alias(_JSON))
            )
            continue
        key = _key(df, "id" if stem == "accounts" else "account_id")
        parts.append(
            df.select(
                key.alias(_KEY),
                F.lit(i).alias(_FILE),
                F.monotonically_increasing_id().alias(_ORDER),
                _rows_json(df).alias(_JSON),
            )
        )
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out


def _fx_rows(records: Mapping[str, DataFrame]) -> list[str]:
    """The FX table's rows as JSON texts (small: collected once, sent to every group)."""
    df = records.get("fx_rates")
    if df is None:
        return []
    return [r[0] for r in df.select(_rows_json(df)).collect()]


def _book_builder(fx: list[str], mode: Literal["strict", "lenient"]) -> Callable[[Any], Any]:
    """A function turning one account's grouped records (a ``pyarrow.Table``) into a
    ``csops.Book``."""

    def build(table: Any) -> Any:
        pc = _importlib.import_module("pyarrow.compute")

        order = pc.sort_indices(table, sort_keys=[(_FILE, "ascending"), (_ORDER, "ascending")])
        files = table.column(_FILE).take(order).to_pylist()
        rows = table.column(_JSON).take(order).to_pylist()
        by_file: dict[int, list[str]] = {}
        for f, r in zip(files, rows):
            by_file.setdefault(f, []).append(r)
        doc = ['{"accounts":[', ",".join(by_file.pop(0, [])), "]"]
        for f, items in sorted(by_file.items()):
            doc += [',"', FILES[f], '":[', ",".join(items), "]"]
        if fx:
            doc += [',"fx_rates":[', ",".join(fx), "]"]
        doc.append("}")
        # One account's records: its account row may be rejected (the report says why), which
        # leaves a part of the book with no account, not an error.
        return _csops.load_book_json("".join(doc), mode=mode, allow_empty=True)

    return build


_ERROR = _re.compile(
    r"^(?:csops\.)?(ValidationError|ConfigError|FormatError|CsopsIOError|CsopsError): (.*)$",
    _re.MULTILINE,
)


def _run(action: Callable[[], Any]) -> Any:
    """Run a Spark action; a csops error raised on an executor is raised again as itself."""
    try:
        return action()
    except Exception as e:
        found = _ERROR.findall(str(e))
        if not found:
            raise
        name, message = found[-1]
        raise getattr(_csops, name)(f"{message} (raised on a Spark executor)") from e


def _as_day(value: Any, what: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _csops.ConfigError(
                f"{what}: `{value}` is not a date; expected YYYY-MM-DD"
            ) from None
    raise TypeError(
        f"{what} must be a datetime.date or a YYYY-MM-DD string; got {type(value).__name__}"
    )


# Features -----------------------------------------------------------------------------------


def latest_date(
    records: Mapping[str, DataFrame], *, mode: Literal["strict", "lenient"] = "strict"
) -> _dt.date | None:
    """The latest date of any record of the book (``Book.latest_date``): one Spark job."""
    F, T, _ = _spark()
    pa = _arrow()

    build = _book_builder(_fx_rows(records), mode)
    schema = T.StructType([T.StructField("latest", T.DateType())])

    def latest(table: Any) -> Any:
        return pa.table({"latest": pa.array([build(table).latest_date()], pa.date32())})

    grouped = _grouped(records).groupBy(_KEY).applyInArrow(latest, schema)
    return _run(lambda: grouped.agg(F.max("latest")).collect()[0][0])


def features(
    records: Mapping[str, DataFrame],
    as_of: _dt.date | str | None = None,
    *,
    config: Mapping[str, Any] | str | None = None,
    mode: Literal["strict", "lenient"] = "strict",
) -> DataFrame:
    """Point-in-time features of every account as of ``as_of`` (default: ``latest_date``), as a
    Spark DataFrame: ``account_id`` and one double column per feature (NaN where missing),
    the rows and values of ``book.features_as_of(as_of, config=config).to_pandas()`` in no
    particular order. ``mode`` is ``load_book``'s, applied to each account's records.

    Lazy, as Spark is: a problem found on an executor (a strict-mode validation error) is
    raised by the action that runs it."""
    _, T, _ = _spark()
    pa = _arrow()

    _check_records(records)
    day = latest_date(records, mode=mode) if as_of is None else _as_day(as_of, "as_of")
    if day is None:
        raise _csops.ConfigError("features: the book has no dated records; pass as_of")
    # The columns this configuration gives (and a ConfigError now for a bad one).
    columns = _csops.load_book_json(_EMPTY_BOOK).features_as_of(day, config=config).columns
    schema = T.StructType(
        [T.StructField("account_id", T.StringType(), False)]
        + [T.StructField(c, T.DoubleType()) for c in columns]
    )
    arrow = pa.schema(
        [pa.field("account_id", pa.string(), False)] + [pa.field(c, pa.float64()) for c in columns]
    )
    build = _book_builder(_fx_rows(records), mode)

    def derive(table: Any) -> Any:
        frame = build(table).features_as_of(day, config=config).to_dict()
        return pa.table(frame, schema=arrow)

    return _grouped(records).groupBy(_KEY).applyInArrow(derive, schema)


# Scores -------------------------------------------------------------------------------------


def score(
    df: DataFrame,
    scorecard: _csops.Scorecard,
    *,
    id_col: str = "account_id",
    segments: str | None = None,
    contributions: bool = True,
) -> DataFrame:
    """Score every row of a DataFrame of features with a ``csops.Scorecard``, as
    ``scorecard.score(...)`` would on the whole table: ``id_col``, ``score`` (NaN when
    coverage is insufficient), ``band`` (null then), ``coverage`` and, with
    ``contributions``, one ``contribution.<measure>`` column per measure.

    ``segments`` names a column of segment names (null counts as the segment ``""``), read
    by percentile measures ranked per segment. Percentile measures rank within the whole
    DataFrame, computed exactly by Spark before the batches are scored (a shuffle per
    percentile measure); other scorecards score each Arrow batch where it lies."""
    F, T, Window = _spark()
    pa = _arrow()

    if not isinstance(scorecard, _csops.Scorecard):
        raise TypeError(f"scorecard must be a csops.Scorecard; got {type(scorecard).__name__}")
    if id_col not in df.columns:
        raise _csops.ConfigError(f"score: the DataFrame has no column `{id_col}`")
    if segments is not None and segments not in df.columns:
        raise _csops.ConfigError(f"segments: the DataFrame has no column `{segments}`")
    scorecard.validate(df.columns)
    measures = scorecard.measures
    features_used = list(dict.fromkeys(m["feature"] for m in measures))
    inputs = {f: f"_csops_x{i}" for i, f in enumerate(features_used)}
    segment = (
        F.coalesce(F.col(_q(segments)).cast("string"), F.lit(""))
        if segments is not None
        else F.lit("")
    )
    data = df.select(
        F.col(_q(id_col)).alias("_csops_id"),
        segment.alias("_csops_seg"),
        *[F.col(_q(f)).cast("double").alias(c) for f, c in inputs.items()],
    )

    # Percentile measures: rank = 100 × (below + ½·equal) / n among finite values (per
    # segment when asked), exactly as the core, from counts Spark computes over every row.
    ranked: list[tuple[str, str, bool]] = []  # (measure, feature, higher_is_better)
    card = scorecard
    if any(m["normaliser"]["kind"] == "percentile" for m in measures):
        spec = scorecard.to_dict()
        for g in spec["groups"]:
            for m in g["measures"]:
                norm = m["normaliser"]
                if norm["kind"] != "percentile":
                    continue
                k = len(ranked)
                x = inputs[m["feature"]]
                per_segment = bool(norm.get("per_segment", False))
                if per_segment and segments is None:
                    # As the core: a per-segment rank needs the segments.
                    raise _csops.ConfigError(
                        f"measure `{m['name']}` ranks within segments, but no segments were given"
                    )
                ranked.append((m["name"], m["feature"], bool(norm["higher_is_better"])))
                v = F.col(x)
                finite = v.isNotNull() & ~F.isnan(v) & (F.abs(v) != F.lit(float("inf")))
                seg = F.col("_csops_seg") if per_segment else F.lit("")
                counts = (
                    data.where(finite)
                    .select(seg.alias("_csops_rs"), v.alias("_csops_rv"))
                    .groupBy("_csops_rs", "_csops_rv")
                    .agg(F.count(F.lit(1)).alias("_csops_re"))
                )
                whole = Window.partitionBy("_csops_rs")
                before = whole.orderBy("_csops_rv").rowsBetween(Window.unboundedPreceding, -1)
                counts = counts.select(
                    "_csops_rs",
                    "_csops_rv",
                    F.coalesce(F.sum("_csops_re").over(before), F.lit(0)).alias(f"_csops_below{k}"),
                    F.col("_csops_re").alias(f"_csops_equal{k}"),
                    F.sum("_csops_re").over(whole).alias(f"_csops_n{k}"),
                )
                data = data.join(
                    counts,
                    (seg == F.col("_csops_rs")) & (F.col(x) == F.col("_csops_rv")),
                    "left",
                ).drop("_csops_rs", "_csops_rv")
                # Scored from the rank itself: linear 0 → 100 is the identity on 0–100.
                m["feature"] = f"_csops_rank{k}"
                m["normaliser"] = {"kind": "linear", "worst": 0.0, "best": 100.0}
        card = _csops.Scorecard.from_dict(spec)
    card_json = card.to_json()
    measure_names = [m["name"] for m in measures]

    id_field = df.schema[id_col]
    out_fields = [
        T.StructField(id_col, id_field.dataType, id_field.nullable),
        T.StructField("score", T.DoubleType()),
        T.StructField("band", T.StringType()),
        T.StructField("coverage", T.DoubleType()),
    ]
    if contributions:
        out_fields += [T.StructField(f"contribution.{n}", T.DoubleType()) for n in measure_names]
    schema = T.StructType(out_fields)
    string_ids = isinstance(id_field.dataType, T.StringType)

    def score_batches(batches: Iterator[Any]) -> Iterator[Any]:
        import numpy as np

        scorer = _csops.Scorecard.from_json(card_json)
        for batch in batches:
            if batch.num_rows == 0:
                continue
            cols: dict[str, Any] = {}
            if string_ids:
                cols["account_id"] = batch.column("_csops_id").to_pylist()
            for f, c in inputs.items():
                cols[f] = batch.column(c).to_numpy(zero_copy_only=False).astype(np.float64)
            for k, (name, feature, higher) in enumerate(ranked):
                if np.isinf(cols[feature]).any():
                    raise _csops.ConfigError(
                        f"percentile measure `{name}`: feature `{feature}` has an infinite value"
                    )
                below, equal, n = (
                    batch.column(f"_csops_{part}{k}")
                    .to_numpy(zero_copy_only=False)
                    .astype(np.float64)
                    for part in ("below", "equal", "n")
                )
                # The core's arithmetic, in its order: 100 × (below + ½·equal) / n.
                pct = 100.0 * (below + 0.5 * equal) / n
                cols[f"_csops_rank{k}"] = pct if higher else 100.0 - pct
            out = scorer.score(cols, contributions=contributions)
            arrays = [
                batch.column("_csops_id"),
                pa.array(out["score"], pa.float64()),
                pa.array(out["band"], pa.string()),
                pa.array(out["coverage"], pa.float64()),
            ]
            if contributions:
                arrays += [pa.array(out[f"contribution.{n}"], pa.float64()) for n in measure_names]
            yield pa.RecordBatch.from_arrays(arrays, names=[f.name for f in out_fields])

    return data.mapInArrow(score_batches, schema)


# Back-tests ---------------------------------------------------------------------------------



def backtest(
    records: Mapping[str, DataFrame],
    scorecard: _csops.Scorecard,
    *,
    lead_days: int | None = None,
    quarters: int | None = None,
    end: _dt.date | str | None = None,
    contraction_is_churn: bool | None = None,
    lift_fractions: Iterable[float] | None = None,
    feature_config: Mapping[str, Any] | str | None = None,
    mode: Literal["strict", "lenient"] = "strict",
) -> _csops.Backtest:
    """``csops.backtest`` on a book held as Spark DataFrames: the same arguments, the same
    ``csops.Backtest`` (``recalibrate`` included). Each account's renewals are replayed on
    the executors; the report is computed on the driver from the observations of every group,
    merged by the core. Without ``end``, a first, light job finds the latest
    renewal outcome. Options not given take the core's defaults, as ``csops.backtest``'s do.
    Scorecards with percentile measures are refused (ConfigError)."""
    F, T, _ = _spark()
    pa = _arrow()

    if not isinstance(scorecard, _csops.Scorecard):
        raise TypeError(f"scorecard must be a csops.Scorecard; got {type(scorecard).__name__}")
    ranked = [m["name"] for m in scorecard.measures if m["normaliser"]["kind"] == "percentile"]
    if ranked:
        raise _csops.ConfigError(
            "csops.spark.backtest cannot replay percentile measures ("
            + ", ".join(f"`{n}`" for n in ranked)
            + "): they rank each account within the whole book as it stood on every scoring "
            "day; back-test this scorecard with csops.backtest on one machine",
            problems=[
                f"measure `{n}`: percentile measures are not supported by csops.spark.backtest"
                for n in ranked
            ],
        )
    _check_records(records)
    lift = None if lift_fractions is None else list(lift_fractions)
    options: dict[str, Any] = {
        "lead_days": lead_days,
        "quarters": quarters,
        "contraction_is_churn": contraction_is_churn,
        "feature_config": feature_config,
    }
    empty = _csops.load_book_json(_EMPTY_BOOK)
    # Every configuration error now, on the driver, before any job: feature settings, the
    # scorecard and options (an observation of an empty book), lift fractions (its report).
    if feature_config is not None:
        empty.features_as_of(_dt.date(2000, 6, 30), config=feature_config)

    if end is None:
        # The latest renewal outcome of the book: accounts and outcomes are all it needs.
        build = _book_builder([], mode)
        schema = T.StructType([T.StructField("latest", T.DateType())])

        def latest_renewal(table: Any) -> Any:
            days = _renewal_dates(build(table))
            return pa.table({"latest": pa.array([max(days) if days else None], pa.date32())})

        job = (
            _grouped(records, ("accounts", "renewal_outcomes"))
            .groupBy(_KEY)
            .applyInArrow(latest_renewal, schema)
            .agg(F.max("latest"))
        )
        day = _run(lambda: job.collect()[0][0])
        if day is None:
            raise _csops.ConfigError("the book has no renewal outcomes to back-test against")
    else:
        day = _as_day(end, "end")
    window = _csops._backtest_observe(empty, scorecard, end=day, **options)
    _csops._backtest_from_observations(
        scorecard, [window], contraction_is_churn=contraction_is_churn, lift_fractions=lift
    )

    build = _book_builder(_fx_rows(records), mode)
    card_json = scorecard.to_json()
    # Each group's observations as one binary cell (the core's serde form); the driver merges
    # them with the empty window's (its observation end), as the core merges parts.
    schema = T.StructType([T.StructField("observations", T.BinaryType())])

    def observe(table: Any) -> Any:
        card = _csops.Scorecard.from_json(card_json)
        obs = _csops._backtest_observe(build(table), card, end=day, **options)
        return pa.table({"observations": pa.array([obs], pa.binary())})

    job = _grouped(records).groupBy(_KEY).applyInArrow(observe, schema)
    table = _run(job.toArrow)
    return _csops._backtest_from_observations(
        scorecard,
        [window, *table.column("observations").to_pylist()],
        contraction_is_churn=contraction_is_churn,
        lift_fractions=lift,
    )


def _renewal_dates(book: Any) -> list[_dt.date]:
    """Every renewal outcome's date in a book (through its JSON form: no binding lists them)."""
    import json

    doc = json.loads(book.to_json())
    return [_dt.date.fromisoformat(r["renewal_date"]) for r in doc.get("renewal_outcomes", [])]
