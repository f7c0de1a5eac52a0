"""Revenue from Python: ``Book.arr_bridge``, ``Book.retention``, ``Book.retention_series``,
``Book.trailing_twelve_months``, ``Book.health_as_of``, ``csops.forecast``,
``RenewalForecast.reconcile``.

The figures are the core's (pinned by the conformance vectors, run by
``test_revenue_conformance.py``, and checked against an independent pandas implementation in
``csops-core/tests/retention_vectors.rs``). These tests check the binding on the sample book:
the bridge identity holds exactly in ``Decimal``; cuts partition the cohort; the bridge and the
retention rates tell the same story; the forecast's totals are the sums of its lines; the main
job's figures (``cargo run --release --example cs_week``, sections 6 and 7) come out the same;
GRR and NRR recomputed here with pandas from the book's own records; then arguments, errors,
text, HTML, plain data and threads.
"""

from __future__ import annotations

import datetime
import json
import threading
from decimal import Decimal
from collections.abc import Callable
from typing import Any

import pytest

import csops
from conftest import CLEAN_CSV, REPO

pd = pytest.importorskip("pandas", reason="the revenue tables are pandas DataFrames")

SAMPLE_BOOK = REPO / "data" / "sample-book"
AS_OF = datetime.date(2026, 9, 30)
YEAR_AGO = datetime.date(2025, 9, 30)
RETENTION_COLUMNS = [
    "label",
    "logos",
    "logos_retained",
    "start_arr",
    "retained_arr",
    "end_arr",
    "currency",
    "grr",
    "nrr",
    "logo_retention",
]
LINE_COLUMNS = [
    "account_id",
    "name",
    "segment",
    "csm",
    "renewal_date",
    "month",
    "arr",
    "currency",
    "score",
    "band",
    "p_renew",
    "expected_renewal",
    "expected_expansion",
    "category",
]
PERIODS = [
    (YEAR_AGO, AS_OF),
    (datetime.date(2025, 12, 31), datetime.date(2026, 3, 31)),
    (datetime.date(2026, 5, 31), datetime.date(2026, 6, 30)),
    (datetime.date(2024, 12, 31), datetime.date(2026, 9, 30)),
]


@pytest.fixture(scope="module")
def book() -> csops.Book:
    return csops.load_book(SAMPLE_BOOK, mode="lenient")


@pytest.fixture(scope="module")
def rc(book: csops.Book) -> csops.Recalibration:
    return csops.backtest(book, csops.Scorecard.default_heuristic()).recalibrate()


@pytest.fixture(scope="module")
def health(book: csops.Book, rc: csops.Recalibration) -> Any:
    return book.health_as_of(rc.scorecard)


@pytest.fixture(scope="module")
def rf(book: csops.Book, health: Any, rc: csops.Recalibration) -> csops.RenewalForecast:
    """The main job's forecast: the re-tuned scorecard's health and calibrated probability."""
    return csops.forecast(book, health=health, probability=rc)


@pytest.fixture(scope="module")
def rfx(book: csops.Book, health: Any, rc: csops.Recalibration) -> csops.RenewalForecast:
    """The main job's forecast with exact tables (pyarrow: decimal128 amounts, date32 days)."""
    return csops.forecast(book, health=health, probability=rc, frame="pyarrow")


def total(values: Any) -> Decimal:
    return sum(values, Decimal(0))


def exact(table: Any) -> Any:
    """A pyarrow table as pandas with its exact values: decimal128 amounts as ``Decimal``,
    date32 days as ``datetime.date`` (pandas frames hold float64 and datetime64)."""
    return table.to_pandas()


def retention(book: csops.Book, *args: Any, **kwargs: Any) -> Any:
    """``book.retention`` with its amounts exact (the pyarrow table, as pandas)."""
    return exact(book.retention(*args, frame="pyarrow", **kwargs))


def retention_series(book: csops.Book, *args: Any, **kwargs: Any) -> Any:
    """``book.retention_series`` with its amounts and days exact."""
    return exact(book.retention_series(*args, frame="pyarrow", **kwargs))


# The ARR bridge ---------------------------------------------------------------------------------


@pytest.mark.parametrize("start,end", PERIODS)
def test_the_bridge_identity_holds_exactly(book: csops.Book, start: datetime.date, end: datetime.date) -> None:
    b = book.arr_bridge(start, end, frame="pyarrow")
    amounts = [b.start, b.new, b.expansion, b.contraction, b.churn, b.reactivation, b.end]
    assert all(isinstance(a, Decimal) for a in amounts)
    assert b.start + b.new + b.expansion - b.contraction - b.churn + b.reactivation == b.end
    assert b.logos_start + b.logos_new - b.logos_churned + b.logos_reactivated == b.logos_end
    assert all(a >= 0 for a in amounts)
    assert (b.start_date, b.end_date, b.currency) == (start, end, "USD")

    accounts = exact(b.accounts)
    assert list(accounts.columns) == ["account_id", "start", "end", "movement"]
    assert set(accounts["movement"]) <= {"new", "expansion", "contraction", "churn", "reactivation", "flat"}
    assert total(accounts["start"]) == b.start and total(accounts["end"]) == b.end
    by = {m: g for m, g in accounts.groupby("movement")}

    def moved(kind: str, f: Any) -> Decimal:
        return total(f(by[kind])) if kind in by else Decimal(0)

    assert moved("new", lambda g: g["end"]) == b.new
    assert moved("reactivation", lambda g: g["end"]) == b.reactivation
    assert moved("churn", lambda g: g["start"]) == b.churn
    assert moved("expansion", lambda g: g["end"] - g["start"]) == b.expansion
    assert moved("contraction", lambda g: g["start"] - g["end"]) == b.contraction
    assert len(by.get("new", [])) == b.logos_new and len(by.get("churn", [])) == b.logos_churned
    assert (accounts["start"] > 0).sum() == b.logos_start and (accounts["end"] > 0).sum() == b.logos_end


def test_days_may_be_dates_datetimes_or_text(book: csops.Book) -> None:
    a = book.arr_bridge(YEAR_AGO, AS_OF).to_dict()
    assert book.arr_bridge("2025-09-30", "2026-09-30").to_dict() == a
    assert book.arr_bridge(datetime.datetime(2025, 9, 30, 23, 59), datetime.datetime(2026, 9, 30)).to_dict() == a


def test_the_bridge_as_text_html_and_plain_data(book: csops.Book) -> None:
    b = book.arr_bridge(YEAR_AGO, AS_OF)
    text = repr(b)
    assert text.splitlines()[0] == "ARR bridge from 2025-09-30 to 2026-09-30 (USD)"
    assert [line[0] for line in text.splitlines()[1:]] == [" ", "+", "+", "-", "-", "+", "="]
    # the main job's line (section 7), to the cent, with thousands separators
    for figure in ["12,853,741.46", "5,721,411.94", "641,753.35", "235,664.69", "1,886,337.20", "17,094,904.85"]:
        assert figure in text
    assert "<table>" in b._repr_html_() and "reactivation" in b._repr_html_()
    d = b.to_dict()
    json.dumps(d)
    assert Decimal(d["start"]) == b.start and Decimal(d["end"]) == b.end
    assert (d["from"], d["to"], d["currency"]) == ("2025-09-30", "2026-09-30", "USD")
    assert len(d["accounts"]) == len(b.accounts)


# Retention --------------------------------------------------------------------------------------


@pytest.mark.parametrize("start,end", PERIODS)
def test_retention_agrees_with_the_bridge(book: csops.Book, start: datetime.date, end: datetime.date) -> None:
    """The cohort is every account with ARR at the start: it starts at the bridge's start, keeps
    the start less contraction and churn, and ends at the bridge's end less new logos and
    win-backs. Exactly."""
    b = book.arr_bridge(start, end)
    (r,) = retention(book, start, end).to_dict("records")
    assert r["label"] == "all" and r["currency"] == "USD"
    assert r["start_arr"] == b.start
    assert r["retained_arr"] == b.start - b.contraction - b.churn
    assert r["end_arr"] == b.end - b.new - b.reactivation
    assert r["logos"] == b.logos_start
    assert r["logos_retained"] == b.logos_start - b.logos_churned
    assert r["grr"] == pytest.approx(float(r["retained_arr"] / r["start_arr"]), rel=1e-12)
    assert r["nrr"] == pytest.approx(float(r["end_arr"] / r["start_arr"]), rel=1e-12)
    assert r["logo_retention"] == pytest.approx(r["logos_retained"] / r["logos"], rel=1e-12)


CUTS = ["segment", "tier", "region", "industry", "plan", "owner_csm", "currency", "attr.source", "start_cohort"]


@pytest.mark.parametrize("by", CUTS)
def test_cuts_partition_the_cohort(book: csops.Book, by: str) -> None:
    whole = retention(book, YEAR_AGO, AS_OF).iloc[0]
    cut = retention(book, YEAR_AGO, AS_OF, by=by)
    # Every row says its days, as Node's and Rust's `Retention` and `retention_series` do.
    assert list(cut.columns) == ["label", "from", "to"] + RETENTION_COLUMNS[1:]
    assert (cut["from"] == YEAR_AGO).all() and (cut["to"] == AS_OF).all()
    assert list(cut["label"]) == sorted(cut["label"]) and cut["label"].is_unique
    for k in ["start_arr", "retained_arr", "end_arr"]:
        assert total(cut[k]) == whole[k], k
    for k in ["logos", "logos_retained"]:
        assert cut[k].sum() == whole[k], k
    rated = cut[cut["logos"] > 0]
    assert (rated["grr"] <= 1 + 1e-12).all() and (rated["grr"] >= 0).all()
    assert (rated["grr"] <= rated["nrr"] + 1e-12).all()
    assert (rated["logo_retention"] <= 1).all()
    assert (cut["retained_arr"] <= cut["start_arr"]).all() and (cut["retained_arr"] <= cut["end_arr"]).all()
    empty = cut[cut["logos"] == 0]
    assert empty["grr"].isna().all() and empty["nrr"].isna().all() and empty["logo_retention"].isna().all()


def test_the_main_jobs_retention_figures(book: csops.Book) -> None:
    """Section 7 of ``cargo run --release --example cs_week``."""
    ttm = book.trailing_twelve_months()
    assert set(ttm) == {"label", "from", "to"} | set(RETENTION_COLUMNS)
    assert (ttm["label"], ttm["from"], ttm["to"]) == ("ttm", YEAR_AGO, AS_OF)
    assert (ttm["logos_retained"], ttm["logos"]) == (169, 205)
    assert (round(100 * ttm["grr"], 1), round(100 * ttm["nrr"], 1), round(100 * ttm["logo_retention"], 1)) == (
        83.5,
        88.5,
        82.4,
    )
    assert ttm == book.trailing_twelve_months(AS_OF) == book.trailing_twelve_months(as_of="2026-09-30")
    (row,) = retention(book, YEAR_AGO, AS_OF).to_dict("records")
    assert {k: ttm[k] for k in RETENTION_COLUMNS if k != "label"} == {k: row[k] for k in RETENTION_COLUMNS if k != "label"}

    seg = {r["label"]: r for r in retention(book, YEAR_AGO, AS_OF, by="segment").to_dict("records")}
    assert {k: (round(100 * r["grr"], 1), round(100 * r["nrr"], 1), r["logos"]) for k, r in seg.items()} == {
        "enterprise": (83.6, 90.0, 25),
        "mid_market": (83.9, 85.2, 64),
        "smb": (79.6, 82.1, 116),
    }
    assert seg["smb"]["start_arr"].quantize(Decimal("0.01")) == Decimal("555905.05")

    series = retention_series(book, YEAR_AGO, AS_OF, period="quarter")
    got = [(r["label"], round(100 * r["grr"], 1), round(100 * r["nrr"], 1)) for r in series.to_dict("records")]
    assert got == [
        ("2025-Q4", 96.6, 99.3),
        ("2026-Q1", 95.8, 95.8),
        ("2026-Q2", 93.8, 94.8),
        ("2026-Q3", 99.0, 99.9),
    ]


@pytest.mark.parametrize(
    "period,n,first",
    [("month", 12, "2025-10"), ("quarter", 4, "2025-Q4"), ("year", 2, "2025")],
)
def test_series_are_consecutive_calendar_periods(book: csops.Book, period: str, n: int, first: str) -> None:
    start = datetime.date(2025, 9, 30) if period != "year" else datetime.date(2024, 12, 31)
    end = AS_OF if period != "year" else datetime.date(2026, 12, 31)
    series = retention_series(book, start, end, period=period)
    assert list(series.columns) == ["label", "from", "to"] + RETENTION_COLUMNS[1:]
    assert len(series) == n and series["label"].iloc[0] == first
    assert series["from"].iloc[0] == start
    assert list(series["from"].iloc[1:]) == list(series["to"].iloc[:-1])
    for r in series.to_dict("records"):
        assert isinstance(r["from"], datetime.date) and isinstance(r["start_arr"], Decimal)
        (same,) = retention(book, r["from"], r["to"]).to_dict("records")
        assert {k: r[k] for k in RETENTION_COLUMNS[1:]} == {k: same[k] for k in RETENTION_COLUMNS[1:]}


def test_retention_by_band_at_the_start(book: csops.Book) -> None:
    """A dict (or pandas Series) of labels per account cuts the cohort: the health band at the
    start of the year, from ``health_as_of`` on that day; unscored accounts are ``none``."""
    card = csops.Scorecard.default_heuristic()
    start_health = book.health_as_of(card, YEAR_AGO)
    bands = dict(zip(start_health["account_id"], start_health["band"]))
    by_dict = retention(book, YEAR_AGO, AS_OF, by=bands)
    by_series = retention(book, YEAR_AGO, AS_OF, by=start_health.set_index("account_id")["band"])
    pd.testing.assert_frame_equal(by_dict, by_series)
    assert set(by_dict["label"]) <= {"red", "yellow", "green", "none"}
    whole = retention(book, YEAR_AGO, AS_OF).iloc[0]
    assert total(by_dict["start_arr"]) == whole["start_arr"]
    assert by_dict["logos"].sum() == whole["logos"]


def test_grr_and_nrr_recomputed_with_pandas(book: csops.Book) -> None:
    """An independent implementation of the definitions (module docs of
    ``csops_core::retention``) with pandas, from the book's own records (``Book.to_json``: the
    lenient load's rows, FX rates included): ARR on a day is the latest snapshot on or before
    it, converted at the book's rate; before the first snapshot, from the start date, the
    first snapshot's; before the start date, none. Exact in ``Decimal``."""
    data = json.loads(book.to_json())
    rates = {r["currency"]: Decimal(r["rate"]) for r in data["fx_rates"]}
    rates.setdefault("USD", Decimal(1))
    accounts = pd.DataFrame(data["accounts"])[["id", "start_date"]]
    accounts["start_date"] = pd.to_datetime(accounts["start_date"])
    snaps = pd.DataFrame(data["arr_snapshots"])
    assert set(snaps["account_id"]) == set(accounts["id"]), "every account has snapshots in the sample book"
    snaps["date"] = pd.to_datetime(snaps["date"])
    snaps["usd"] = [Decimal(a) * rates[c] for a, c in zip(snaps["arr"], snaps["currency"])]
    snaps = snaps.sort_values(["account_id", "date"], kind="stable")
    first = snaps.groupby("account_id")["usd"].first()

    def arr_on(day: datetime.date) -> pd.Series:
        ts = pd.Timestamp(day)
        latest = snaps[snaps["date"] <= ts].groupby("account_id")["usd"].last()
        arr = accounts.set_index("id")["start_date"].to_frame()
        arr["arr"] = latest.reindex(arr.index)
        arr["arr"] = arr["arr"].where(arr["arr"].notna(), first.reindex(arr.index))
        arr.loc[arr["start_date"] > ts, "arr"] = Decimal(0)
        return arr["arr"]

    for start, end in PERIODS:
        s, e = arr_on(start), arr_on(end)
        cohort = s > 0
        s, e = s[cohort], e[cohort].map(lambda x: max(x, Decimal(0)))
        start_arr = total(s)
        retained = total(min(a, b) for a, b in zip(s, e))
        (r,) = retention(book, start, end).to_dict("records")
        assert r["start_arr"] == start_arr
        assert r["retained_arr"] == retained
        assert r["end_arr"] == total(e)
        assert r["logos"] == int(cohort.sum()) and r["logos_retained"] == int((e > 0).sum())
        assert r["grr"] == pytest.approx(float(retained / start_arr), abs=1e-9)
        assert r["nrr"] == pytest.approx(float(total(e) / start_arr), abs=1e-9)


def test_retention_argument_errors(book: csops.Book) -> None:
    with pytest.raises(csops.ConfigError, match="runs forwards"):
        book.retention(AS_OF, YEAR_AGO)
    with pytest.raises(csops.ConfigError, match="runs forwards"):
        book.arr_bridge(AS_OF, AS_OF)
    with pytest.raises(csops.ConfigError, match="unknown cut"):
        book.retention(YEAR_AGO, AS_OF, by="shoe_size")
    # The core reads `by` (RetentionOptions): its words, as in Node.
    with pytest.raises(csops.ArgumentError, match="by: invalid type: integer `3`, expected a cut's name"):
        book.retention(YEAR_AGO, AS_OF, by=3)
    with pytest.raises(TypeError, match="by must be"):
        book.retention(YEAR_AGO, AS_OF, by=pd.DataFrame({"x": [1]}))
    with pytest.raises(csops.ArgumentError, match="by.A-00003: invalid type: integer `1`, expected a string"):
        book.retention(YEAR_AGO, AS_OF, by={"A-00003": 1})
    with pytest.raises(TypeError, match="keys must be str"):
        book.retention(YEAR_AGO, AS_OF, by={3: "x"})
    with pytest.raises(csops.ConfigError, match="period"):
        book.retention_series(YEAR_AGO, AS_OF, period="week")
    with pytest.raises(csops.ConfigError, match="not a date"):
        book.arr_bridge("2025-13-01", AS_OF)
    with pytest.raises(TypeError, match="start must be"):
        book.arr_bridge(20250930, AS_OF)
    with pytest.raises(TypeError, match="as_of must be"):
        book.trailing_twelve_months(1.5)


def test_a_mixed_currency_book_without_rates_is_a_money_error() -> None:
    """``CLEAN_CSV`` holds a USD and a EUR account and no FX table: the core's money error,
    which the package raises as a ``MoneyError`` (a ValueError, not a ConfigError), as Node's
    ``CSOPS_MONEY``."""
    mixed = csops.load_book_csv(CLEAN_CSV)
    calls = [
        lambda: mixed.arr_bridge("2024-01-01", "2024-06-30"),
        lambda: mixed.retention("2024-01-01", "2024-06-30"),
        lambda: mixed.trailing_twelve_months(),
        lambda: csops.forecast(mixed),
    ]
    for call in calls:
        with pytest.raises(csops.MoneyError, match="USD and EUR without an FX table") as info:
            call()
        assert isinstance(info.value, ValueError) and not isinstance(info.value, csops.ConfigError)


def test_an_empty_cohort_has_no_rates() -> None:
    book = csops.load_book_csv(
        {"accounts": "id,name,currency,arr,start_date\nA1,Acme,USD,100.00,2025-01-01\n"}
    )
    (r,) = retention(book, "2024-01-01", "2024-06-30").to_dict("records")
    assert r["logos"] == 0 and r["start_arr"] == 0
    assert all(r[k] != r[k] for k in ["grr", "nrr", "logo_retention"])  # NaN
    ttm = book.trailing_twelve_months("2024-06-30")
    assert ttm["grr"] is None and ttm["nrr"] is None and ttm["logo_retention"] is None
    b = book.arr_bridge("2024-12-31", "2025-06-30")
    assert (b.start, b.new, b.end, b.logos_new) == (0, Decimal("100.00"), Decimal("100.00"), 1)
    empty = retention_series(book, "2025-01-01", "2025-01-30", period="month")
    assert list(empty.columns) == ["label", "from", "to"] + RETENTION_COLUMNS[1:] and len(empty) == 0


# Health on a day --------------------------------------------------------------------------------


def test_health_as_of_is_the_scorecards_score_on_that_day(book: csops.Book) -> None:
    card = csops.Scorecard.default_heuristic()
    h = book.health_as_of(card, "2026-06-30")
    assert list(h.columns) == ["account_id", "score", "band"]
    assert list(h["account_id"]) == sorted(h["account_id"])
    scored = card.score(book.features_as_of("2026-06-30"))
    scored = scored.reindex(h["account_id"])
    assert (h["score"].to_numpy() == scored["score"].to_numpy()).all()
    assert list(h["band"]) == list(scored["band"])
    assert book.health_as_of(card).equals(book.health_as_of(card, AS_OF))
    with pytest.raises(TypeError):
        book.health_as_of("default")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="feature_config"):
        book.health_as_of(card, feature_config=3)  # type: ignore[arg-type]


# The forecast -----------------------------------------------------------------------------------


def test_the_main_jobs_forecast_and_reconciliation(
    book: csops.Book, rf: csops.RenewalForecast, rfx: csops.RenewalForecast
) -> None:
    """Section 6 of ``cargo run --release --example cs_week``: back-test -> recalibrate ->
    health_as_of(rc.scorecard) -> forecast(probability=rc) -> reconcile."""
    assert (rf.as_of, rf.start, rf.end, rf.currency) == (
        AS_OF,
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
        "USD",
    )
    assert len(rf) == len(rf.lines) == 62
    assert rf.arr == Decimal("6307077.14")
    assert rf.expected_renewal == Decimal("5449394.79")
    assert rf.expected_expansion == Decimal("556.91")
    assert rf.other_expansion == Decimal("54704.75")
    assert (rf.commit, rf.best_case, rf.pipeline) == (
        Decimal("2337730.38"),
        Decimal("3828116.41"),
        Decimal("141230.35"),
    )
    d = rf.distribution
    assert d is not None and d["method"] == "grid"
    assert (round(d["p10"]), round(d["p50"]), round(d["p90"])) == (4562540, 5580060, 6077247)
    months = [(m["month"], m["renewals"], m["arr"], m["expected_renewal"]) for m in exact(rfx.by_month).to_dict("records")]
    assert months == [
        ("2026-10", 16, Decimal("513568.61"), Decimal("454819.91")),
        ("2026-11", 28, Decimal("3971652.67"), Decimal("3440388.48")),
        ("2026-12", 18, Decimal("1821855.86"), Decimal("1554186.40")),
    ]

    r = rf.reconcile(book)
    assert r.crm_arr == Decimal("6344144.27") and r.forecast_arr == Decimal("6307077.14")
    assert r.gap is not None and f"{100 * r.gap:+.2f}%" == "-0.58%"
    assert r.passes and r.tolerance == 0.02 and r.currency == "USD"
    assert r.forecast_expected == rf.expected_renewal
    issues = r.issues
    assert list(issues.columns) == ["kind", "account_id", "opportunity_id", "detail"]
    assert issues["kind"].value_counts().to_dict() == {
        "commit_on_at_risk_account": 4,
        "missing_opportunity": 3,
        "amount_mismatch": 1,
    }
    first = issues.iloc[0]
    assert (first["kind"], first["account_id"]) == ("missing_opportunity", "A-00067")
    assert pd.isna(first["opportunity_id"])  # no opportunity: missing, as None in text columns is
    assert issues["opportunity_id"].notna().sum() == 5
    assert list(issues[issues["kind"] == "missing_opportunity"]["account_id"]) == ["A-00067", "A-00108", "A-00258"]
    assert "gap -0.58% -> reconciles within 2%" in repr(r)


def test_forecast_totals_are_the_sums_of_its_lines(rfx: csops.RenewalForecast) -> None:
    rf = rfx
    lines = exact(rf.lines)
    assert list(lines.columns) == LINE_COLUMNS
    assert total(lines["arr"]) == rf.arr
    assert total(lines["expected_renewal"]) == rf.expected_renewal
    assert total(lines["expected_expansion"]) == rf.expected_expansion
    for cat, amount in [("commit", rf.commit), ("best_case", rf.best_case), ("pipeline", rf.pipeline)]:
        assert total(lines[lines["category"] == cat]["arr"]) == amount
    assert rf.commit + rf.best_case + rf.pipeline == rf.arr
    # each line: ARR × p_renew to the cent; categories from the thresholds; in the window, in order
    for line in lines.to_dict("records"):
        assert line["expected_renewal"] == (line["arr"] * Decimal(line["p_renew"])).quantize(Decimal("0.01"))
        want = "commit" if line["p_renew"] >= 0.9 else "best_case" if line["p_renew"] >= 0.6 else "pipeline"
        assert line["category"] == want
        assert rf.start <= line["renewal_date"] <= rf.end
        assert line["month"] == line["renewal_date"].strftime("%Y-%m")
        assert isinstance(line["arr"], Decimal) and line["arr"] > 0
    keys = list(zip(lines["renewal_date"], lines["account_id"]))
    assert keys == sorted(keys)
    for table, key, column in [
        (exact(rf.by_segment), "segment", "segment"),
        (exact(rf.by_csm), "csm", "csm"),
        (exact(rf.by_month), "month", "month"),
    ]:
        assert list(table.columns) == [key, "renewals", "arr", "expected_renewal", "expected_expansion", "currency"]
        assert table["renewals"].sum() == len(lines)
        assert total(table["arr"]) == rf.arr and total(table["expected_renewal"]) == rf.expected_renewal
        assert total(table["expected_expansion"]) == rf.expected_expansion
        for row in table.to_dict("records"):
            # A line without a segment or CSM (None) is in the subtotal under "none".
            mine = lines[lines[column].fillna("none") == row[key]]
            assert row["renewals"] == len(mine) and row["arr"] == total(mine["arr"])
    d = rf.distribution
    assert d is not None
    mean = sum(float(a) * p for a, p in zip(lines["arr"], lines["p_renew"]))
    assert d["mean"] == pytest.approx(mean, rel=1e-9)
    assert d["p10"] <= d["p50"] <= d["p90"] <= float(rf.arr)


def test_the_calibrated_probability_is_one_minus_the_churn_probability(
    rf: csops.RenewalForecast, rc: csops.Recalibration
) -> None:
    lines = rf.lines
    scored = lines[lines["score"].notna()]
    assert len(scored) > 0
    p = 1 - rc.churn_probability(scored["score"].to_numpy())
    assert (abs(scored["p_renew"].to_numpy() - p) < 1e-12).all()
    assert (lines[lines["score"].isna()]["p_renew"] == 0.85).all()


def test_health_as_a_dataframe_or_a_dict_is_the_same(
    book: csops.Book, health: Any, rc: csops.Recalibration, rf: csops.RenewalForecast
) -> None:
    as_dict = {
        r["account_id"]: {"score": r["score"], "band": r["band"]} for r in health.to_dict("records")
    }
    assert csops.forecast(book, health=as_dict, probability=rc).to_dict() == rf.to_dict()
    # a table indexed by account id (what Scorecard.score gives) serves too
    indexed = health.set_index("account_id")
    assert csops.forecast(book, health=indexed, probability=rc).to_dict() == rf.to_dict()
    card = rc.scorecard
    scored = card.score(book.features_as_of(AS_OF))
    assert csops.forecast(book, health=scored, probability=rc).to_dict() == rf.to_dict()
    with pytest.raises(csops.ConfigError, match="account_id"):
        csops.forecast(book, health=indexed.reset_index(drop=True))
    # score or band may be absent
    bands_only = csops.forecast(book, health=health[["account_id", "band"]])
    by_bands = csops.forecast(book, health=health)
    assert bands_only.lines["score"].isna().all()
    assert list(bands_only.lines["p_renew"]) == list(by_bands.lines["p_renew"])
    assert bands_only.expected_renewal == by_bands.expected_renewal
    scores_only = csops.forecast(book, health=health[["account_id", "score"]], probability=rc)
    assert scores_only.lines["band"].isna().all()
    assert list(scores_only.lines["p_renew"]) == list(rf.lines["p_renew"])
    assert scores_only.expected_renewal == rf.expected_renewal
    # NaN / None / pd.NA all mean unscored
    odd = {"A-00011": {"score": float("nan"), "band": None}, "A-00108": {"score": pd.NA, "band": pd.NA}}
    f = csops.forecast(book, health=odd, probability={"calibrated": rc, "fallback": 0.5})
    lines = f.lines.set_index("account_id")
    assert lines.loc["A-00011", "p_renew"] == 0.5 and lines.loc["A-00108", "p_renew"] == 0.5


def test_health_as_a_polars_dataframe(book: csops.Book, health: Any, rf: csops.RenewalForecast, rc: csops.Recalibration) -> None:
    pl = pytest.importorskip("polars")
    table = pl.DataFrame(
        {
            "account_id": list(health["account_id"]),
            "score": [None if pd.isna(s) else s for s in health["score"]],
            "band": [None if pd.isna(b) else b for b in health["band"]],
        }
    )
    assert csops.forecast(book, health=table, probability=rc).to_dict() == rf.to_dict()


def test_probability_sources(book: csops.Book, health: Any, rc: csops.Recalibration) -> None:
    default = csops.forecast(book, health=health)
    priors = csops.forecast(
        book, health=health, probability={"band_priors": {"red": 0.7, "yellow": 0.85, "green": 0.95}, "fallback": 0.85}
    )
    assert default.to_dict() == priors.to_dict()
    p = {"red": 0.7, "yellow": 0.85, "green": 0.95}
    for line in default.lines.to_dict("records"):
        assert line["p_renew"] == p.get(line["band"], 0.85)

    ids = list(default.lines["account_id"])
    supplied = {i: 0.5 for i in ids[:10]}
    s = csops.forecast(book, probability={"supplied": supplied, "fallback": 1.0})
    assert list(s.lines["p_renew"]) == [0.5] * 10 + [1.0] * (len(ids) - 10)
    series = csops.forecast(book, probability={"supplied": pd.Series(supplied), "fallback": 1.0})
    assert series.to_dict() == s.to_dict()
    assert csops.forecast(book, probability={"supplied": {}}).lines["p_renew"].eq(0.85).all()
    # the default priors' fallback can be changed too
    assert csops.forecast(book, probability={"fallback": 0.25}).lines["p_renew"].eq(0.25).all()
    # a calibrated map with its own fallback
    low = csops.forecast(book, probability={"calibrated": rc, "fallback": 0.1})
    assert low.lines["p_renew"].eq(0.1).all()  # no health given: nobody is scored


def test_forecast_options(book: csops.Book, health: Any) -> None:
    base = csops.forecast(book, health=health)
    # the window: next quarter by default; any window with start and end
    window = csops.forecast(book, health=health, start="2026-10-01", end=datetime.date(2026, 12, 31), as_of=AS_OF)
    assert window.to_dict() == base.to_dict()
    november = csops.forecast(book, health=health, start="2026-11-01", end="2026-11-30")
    assert list(november.by_month["month"]) == ["2026-11"]
    assert november.arr == exact(csops.forecast(book, health=health, frame="pyarrow").by_month).set_index("month").loc["2026-11", "arr"]
    # expansion
    none = csops.forecast(book, health=health, expansion="none")
    assert none.expected_expansion == 0 and none.other_expansion == 0 and none.arr == base.arr
    hist = csops.forecast(book, health=health, expansion="history")
    assert hist.expected_expansion > 0 and hist.other_expansion == 0
    # distributions: an exact one needs at most 20 renewals; Monte Carlo is seeded
    mc = csops.forecast(book, health=health, distribution="monte_carlo", draws=5000, seed=7)
    assert mc.distribution is not None and mc.distribution["method"] == "monte_carlo"
    assert mc.distribution["resolution"] == 5000
    assert mc.to_dict() == csops.forecast(book, health=health, distribution="monte_carlo", draws=5000, seed=7).to_dict()
    assert base.distribution is not None
    assert mc.distribution["p50"] == pytest.approx(base.distribution["p50"], rel=0.02)
    big_seed = csops.forecast(book, health=health, distribution="monte_carlo", draws=100, seed=2**64 - 1)
    assert big_seed.distribution is not None
    with pytest.raises(csops.ConfigError, match="20 renewals"):
        csops.forecast(book, health=health, distribution="exact")
    october = csops.forecast(book, health=health, start="2026-10-01", end="2026-10-05", distribution="exact")
    assert october.distribution is not None and october.distribution["method"] == "exact"
    # categories
    strict = csops.forecast(book, health=health, commit_from=1.0, best_case_from=1.0)
    assert strict.commit == 0 and strict.best_case == 0 and strict.pipeline == strict.arr
    # nothing renews: no distribution
    no_renewals = csops.load_book_csv({"accounts": "id,name,currency,arr,start_date\nA1,Acme,USD,100.00,2024-01-01\n"})
    empty = csops.forecast(no_renewals, as_of="2026-09-30")
    assert len(empty) == 0 and empty.distribution is None and empty.arr == 0
    assert list(empty.lines.columns) == LINE_COLUMNS
    assert "0 renewals" in repr(empty) and "P10" not in repr(empty)


def test_forecast_argument_errors(book: csops.Book, rc: csops.Recalibration) -> None:
    config_errors: list[dict[str, Any]] = [
        {"start": "2026-10-01"},
        {"start": "2026-12-31", "end": "2026-10-01"},
        {"start": "2026-10-32", "end": "2026-12-31"},
        {"expansion": "crystal_ball"},
        {"distribution": "normal"},
        {"distribution": "monte_carlo", "draws": 0},
        {"draws": -1},
        {"seed": -1},
        {"commit_from": 0.5, "best_case_from": 0.6},
        {"probability": {"band_priors": {"red": 1.5}}},
        {"probability": {"supplied": {"A-00011": -0.1}}},
        {"probability": {"band_priors": {}, "supplied": {}}},
        {"probability": {"calibrated": rc, "fallback": 2.0}},
        {"probability": {"calibrated": rc, "band_priors": {}}},
    ]
    for kwargs in config_errors:
        with pytest.raises(csops.ConfigError):
            csops.forecast(book, **kwargs)
    type_errors: list[dict[str, Any]] = [
        {"health": "green"},
        {"health": [("A-00011", 50.0)]},
        {"health": {"A-00011": 50.0}},
        {"health": {"A-00011": {"score": "high"}}},
        {"health": {"A-00011": {"band": 3}}},
        {"probability": 0.9},
        {"probability": "band_priors"},
        {"probability": {"supplied": {"A-00011": "likely"}}},
        {"probability": {"supplied": [0.5]}},
        {"start": 20261001, "end": "2026-12-31"},
        {"as_of": 1.5},
        {"probability": {"priors": {}}},
        {"probability": rc, "probability_fallback": 2.0},
        {"draws": 1.5},
        {"seed": 2**64},
        {"commit_from": "high"},
        # JSON has no NaN: an option of NaN is refused by name, never read as "not given".
        {"commit_from": float("nan")},
        {"expansion": 3},
    ]
    for kwargs in type_errors:
        with pytest.raises(TypeError):
            csops.forecast(book, **kwargs)
    # A wrong shape names where it is: an ArgumentError (a TypeError) with its path.
    with pytest.raises(csops.ArgumentError) as e:
        csops.forecast(book, probability={"supplied": {"A-00011": "likely"}})
    assert e.value.path == "probability"
    assert str(e.value).startswith("probability: supplied.A-00011: invalid type: string")
    with pytest.raises(TypeError):
        csops.forecast("data/sample-book")  # type: ignore[arg-type]
    # A circular option is an error naming the limit, not a crash.
    circular: dict[str, Any] = {}
    circular["supplied"] = circular
    with pytest.raises(csops.ArgumentError, match="nested more than 64 deep"):
        csops.forecast(book, probability=circular)


def test_reconcile_options(book: csops.Book, rf: csops.RenewalForecast) -> None:
    default = rf.reconcile(book)
    assert rf.reconcile(book, tolerance=0.02, amount_tolerance=0.01, match_days=60, at_risk_bands=["red"]).to_dict() == default.to_dict()
    tight = rf.reconcile(book, tolerance=0.001)
    assert not tight.passes and tight.gap == default.gap and tight.tolerance == 0.001
    assert "does NOT reconcile within 0.1%" in repr(tight)
    no_risk = rf.reconcile(book, at_risk_bands=())
    assert "commit_on_at_risk_account" not in set(no_risk.issues["kind"])
    wider = rf.reconcile(book, at_risk_bands=("red", "yellow"))
    assert (wider.issues["kind"] == "commit_on_at_risk_account").sum() >= 4
    loose = rf.reconcile(book, amount_tolerance=1.0)
    assert "amount_mismatch" not in set(loose.issues["kind"])
    for bad in [{"tolerance": -0.1}, {"match_days": -1}]:
        with pytest.raises(csops.ConfigError):
            rf.reconcile(book, **bad)
    with pytest.raises(csops.ArgumentError, match="amount_tolerance: NaN is not a number an option takes"):
        rf.reconcile(book, amount_tolerance=float("nan"))
    with pytest.raises(TypeError):
        rf.reconcile(book, at_risk_bands="red")  # a str is not a list of bands
    # another book without these accounts
    with pytest.raises(csops.ConfigError, match="unknown account"):
        rf.reconcile(csops.load_book_csv({"accounts": "id,name,currency,arr,start_date\nZ,Z,USD,1.00,2024-01-01\n"}))


def test_forecast_text_html_and_plain_data(book: csops.Book, rf: csops.RenewalForecast) -> None:
    text = repr(rf)
    assert text.startswith("Renewal forecast as of 2026-09-30 for 2026-10-01 to 2026-12-31: 62 renewals")
    assert "6,307,077.14 USD up for renewal" in text and "5,449,394.79 USD" in text
    assert "P10 4,562,540  P50 5,580,060  P90 6,077,247 USD" in text
    assert "2026-11" in text
    assert "<table>" in rf._repr_html_()
    d = rf.to_dict()
    json.dumps(d)
    assert (d["from"], d["to"], d["as_of"], d["currency"]) == ("2026-10-01", "2026-12-31", "2026-09-30", "USD")
    assert Decimal(d["arr"]) == rf.arr and len(d["lines"]) == 62
    assert d["distribution"] == rf.distribution
    r = rf.reconcile(book)
    rd = r.to_dict()
    json.dumps(rd)
    assert Decimal(rd["crm_arr"]) == r.crm_arr and rd["passes"] is True and rd["currency"] == "USD"
    assert len(rd["issues"]) == len(r.issues)
    assert "missing_opportunity" in r._repr_html_()
    assert "3 × missing_opportunity" in repr(r)


def test_classes_are_final_and_exported() -> None:
    for cls in [csops.ArrBridge, csops.RenewalForecast, csops.Reconciliation]:
        assert cls.__module__ == "csops"
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):

            class Sub(cls):  # type: ignore[valid-type, misc]
                pass

    assert {"ArrBridge", "RenewalForecast", "Reconciliation", "forecast"} <= set(csops.__all__)


# Threads ----------------------------------------------------------------------------------------


def test_the_forecast_releases_the_gil(book: csops.Book, health: Any, pause_shares: Callable[[Callable[[], object]], list[float]]) -> None:
    """While a forecast runs, another Python thread keeps running (see the back-test's test)."""

    shares = pause_shares(lambda: csops.forecast(book, health=health, distribution="monte_carlo", draws=10_000))
    assert min(shares) < 0.5, shares


def test_revenue_from_threads_agrees(book: csops.Book, health: Any, rf: csops.RenewalForecast) -> None:
    """A fresh book (its ARR history built on first use) shared by four threads."""
    fresh = csops.load_book(SAMPLE_BOOK, mode="lenient")
    reference = (rf.to_dict(), book.arr_bridge(YEAR_AGO, AS_OF).to_dict(), book.trailing_twelve_months())
    results: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(2):
                results.append(
                    (
                        csops.forecast(fresh, health=health, probability=None).to_dict(),
                        fresh.arr_bridge(YEAR_AGO, AS_OF).to_dict(),
                        fresh.trailing_twelve_months(),
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
    default = csops.forecast(book, health=health).to_dict()
    assert len(results) == 8
    assert all(r == (default, reference[1], reference[2]) for r in results)


def test_a_health_table_is_read_whole_or_refused(book: csops.Book, health: Any) -> None:
    """The health a forecast reads is read by the one table reader and checked by the core:
    every kind of table gives the same forecast; an account given twice is refused (not
    overwritten), and a column of the wrong kind is an ArgumentError naming it."""
    pa = pytest.importorskip("pyarrow")
    want = csops.forecast(book, health=health).to_dict()
    assert csops.forecast(book, health=pa.Table.from_pandas(health)).to_dict() == want
    twice = pd.concat([health, health.iloc[:1]])
    with pytest.raises(csops.ConfigError, match="appears more than once"):
        csops.forecast(book, health=twice)
    text_scores = health.assign(score=health["band"])
    with pytest.raises(csops.ArgumentError, match=r"health\.score"):
        csops.forecast(book, health=text_scores)
