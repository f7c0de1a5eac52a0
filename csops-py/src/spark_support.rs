//! Support for `csops.spark` (a pure-Python module): a back-test split in two halves.
//!
//! On a cluster each executor replays the renewals of its own accounts (`_backtest_observe`
//! on a small book of those accounts, with the window's `end` fixed by the driver), and the
//! driver computes the report from every executor's observations
//! (`_backtest_from_observations`). Both halves are the core's `observe` and `report`; these
//! functions only carry `Observations` across as plain Python data (columns of lists, amounts
//! as exact decimal text, NaN kept), so the report is the single-machine one.
//!
//! Private (underscore names): the public API is `csops.spark.backtest`.

use chrono::NaiveDate;
use csops_core::Error;
use csops_core::backtest::{BacktestConfig, Observation, Observations, observe, report};
use csops_core::money::{Currency, Money};
use csops_core::record::Outcome;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;

use crate::backtest::PyBacktest;
use crate::book::PyBook;
use crate::convert::{enum_name, py_date};
use crate::errors::{call, config_error};
use crate::health::PyScorecard;
use crate::options::{count, feature_config_arg as features};
use crate::table::FrameKind;

/// The columns of `Observations.rows`, in order.
const COLUMNS: [&str; 14] = [
    "renewal_id",
    "account_id",
    "segment",
    "renewal_date",
    "quarter",
    "scored_on",
    "outcome",
    "churned",
    "arr_before",
    "arr_after",
    "currency",
    "score",
    "band",
    "measure_scores",
];

/// Observations as a dict: `scorecard`, `measures`, `window_start`, `window_end`,
/// `lead_days`, `observed_until`, and `rows`, a dict of equally long lists (see [`COLUMNS`]).
fn observations_dict<'py>(py: Python<'py>, obs: &Observations) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("scorecard", &obs.scorecard)?;
    d.set_item("measures", &obs.measures)?;
    d.set_item(
        "window_start",
        py_date(py, obs.window_start, || "window_start".into())?,
    )?;
    d.set_item(
        "window_end",
        py_date(py, obs.window_end, || "window_end".into())?,
    )?;
    d.set_item("lead_days", obs.lead_days)?;
    d.set_item(
        "observed_until",
        py_date(py, obs.observed_until, || "observed_until".into())?,
    )?;
    // The FX rates as the core's serde form (read back by `observations_from`).
    d.set_item(
        "rates_used",
        crate::convert::to_python(py, &obs.rates_used)?,
    )?;
    let r = &obs.rows;
    let dates = |f: fn(&Observation) -> NaiveDate, what: &str| -> PyResult<Bound<'py, PyList>> {
        let mut v = Vec::with_capacity(r.len());
        for o in r {
            v.push(py_date(py, f(o), || what.to_string())?);
        }
        PyList::new(py, v)
    };
    let rows = PyDict::new(py);
    rows.set_item(
        "renewal_id",
        r.iter().map(|o| &o.renewal_id).collect::<Vec<_>>(),
    )?;
    rows.set_item(
        "account_id",
        r.iter().map(|o| &o.account_id).collect::<Vec<_>>(),
    )?;
    rows.set_item("segment", r.iter().map(|o| &o.segment).collect::<Vec<_>>())?;
    rows.set_item("renewal_date", dates(|o| o.renewal_date, "renewal_date")?)?;
    rows.set_item("quarter", r.iter().map(|o| &o.quarter).collect::<Vec<_>>())?;
    rows.set_item("scored_on", dates(|o| o.scored_on, "scored_on")?)?;
    rows.set_item(
        "outcome",
        r.iter().map(|o| enum_name(&o.outcome)).collect::<Vec<_>>(),
    )?;
    rows.set_item("churned", r.iter().map(|o| o.churned).collect::<Vec<_>>())?;
    rows.set_item(
        "arr_before",
        r.iter()
            .map(|o| o.arr_before.amount.to_string())
            .collect::<Vec<_>>(),
    )?;
    rows.set_item(
        "arr_after",
        r.iter()
            .map(|o| o.arr_after.amount.to_string())
            .collect::<Vec<_>>(),
    )?;
    rows.set_item(
        "currency",
        r.iter()
            .map(|o| o.arr_before.currency.code())
            .collect::<Vec<_>>(),
    )?;
    rows.set_item("score", r.iter().map(|o| o.score).collect::<Vec<_>>())?;
    rows.set_item("band", r.iter().map(|o| &o.band).collect::<Vec<_>>())?;
    rows.set_item(
        "measure_scores",
        r.iter().map(|o| &o.measure_scores).collect::<Vec<_>>(),
    )?;
    d.set_item("rows", rows)?;
    Ok(d)
}

/// One required item of a dict, extracted (ConfigError naming it when absent or mistyped).
fn item<'py, T: for<'a> FromPyObject<'a, 'py>>(
    py: Python<'py>,
    d: &Bound<'py, PyDict>,
    key: &str,
) -> PyResult<T> {
    let v = d
        .get_item(key)?
        .ok_or_else(|| config_error(py, format!("observations: `{key}` is missing")))?;
    v.extract::<T>()
        .map_err(|e| config_error(py, format!("observations: `{key}`: {}", e.into())))
}

/// The inverse of [`observations_dict`].
fn observations_from(py: Python<'_>, d: &Bound<'_, PyDict>) -> PyResult<Observations> {
    let rows: Bound<'_, PyDict> = item(py, d, "rows")?;
    let renewal_id: Vec<String> = item(py, &rows, "renewal_id")?;
    let account_id: Vec<String> = item(py, &rows, "account_id")?;
    let segment: Vec<Option<String>> = item(py, &rows, "segment")?;
    let renewal_date: Vec<NaiveDate> = item(py, &rows, "renewal_date")?;
    let quarter: Vec<String> = item(py, &rows, "quarter")?;
    let scored_on: Vec<NaiveDate> = item(py, &rows, "scored_on")?;
    let outcome: Vec<String> = item(py, &rows, "outcome")?;
    let churned: Vec<bool> = item(py, &rows, "churned")?;
    let arr_before: Vec<String> = item(py, &rows, "arr_before")?;
    let arr_after: Vec<String> = item(py, &rows, "arr_after")?;
    let currency: Vec<String> = item(py, &rows, "currency")?;
    let score: Vec<Option<f64>> = item(py, &rows, "score")?;
    let band: Vec<Option<String>> = item(py, &rows, "band")?;
    let measure_scores: Vec<Vec<f64>> = item(py, &rows, "measure_scores")?;
    let n = renewal_id.len();
    let lengths = [
        account_id.len(),
        segment.len(),
        renewal_date.len(),
        quarter.len(),
        scored_on.len(),
        outcome.len(),
        churned.len(),
        arr_before.len(),
        arr_after.len(),
        currency.len(),
        score.len(),
        band.len(),
        measure_scores.len(),
    ];
    if let Some((k, len)) = lengths.iter().enumerate().find(|(_, l)| **l != n) {
        return Err(config_error(
            py,
            format!(
                "observations: column `{}` has {len} rows, `renewal_id` {n}",
                COLUMNS[k + 1]
            ),
        ));
    }
    let amount = |what: &str, i: usize, s: &str| {
        Decimal::from_str_exact(s).map_err(|e| {
            config_error(
                py,
                format!("observations: `{what}` of row {i}: `{s}` is not an amount ({e})"),
            )
        })
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let cur = Currency::new(&currency[i])
            .map_err(|e| config_error(py, format!("observations: row {i}: {e}")))?;
        let outcome: Outcome =
            serde_json::from_value(serde_json::Value::String(outcome[i].clone())).map_err(|e| {
                config_error(py, format!("observations: `outcome` of row {i}: {e}"))
            })?;
        out.push(Observation {
            renewal_id: renewal_id[i].clone(),
            account_id: account_id[i].clone(),
            segment: segment[i].clone(),
            renewal_date: renewal_date[i],
            quarter: quarter[i].clone(),
            scored_on: scored_on[i],
            outcome,
            churned: churned[i],
            arr_before: Money::new(amount("arr_before", i, &arr_before[i])?, cur),
            arr_after: Money::new(amount("arr_after", i, &arr_after[i])?, cur),
            score: score[i].filter(|s| !s.is_nan()),
            band: band[i].clone(),
            measure_scores: measure_scores[i].clone(),
        });
    }
    // The order `observe` gives: by renewal date, then id.
    out.sort_by(|a, b| (a.renewal_date, &a.renewal_id).cmp(&(b.renewal_date, &b.renewal_id)));
    Ok(Observations {
        scorecard: item(py, d, "scorecard")?,
        measures: item(py, d, "measures")?,
        window_start: item(py, d, "window_start")?,
        window_end: item(py, d, "window_end")?,
        lead_days: item(py, d, "lead_days")?,
        observed_until: item(py, d, "observed_until")?,
        rows: out,
        rates_used: match d.get_item("rates_used")? {
            Some(v) if !v.is_none() => {
                let text = crate::options::mapping_to_json(py, "observations: `rates_used`", &v)?;
                serde_json::from_str(&text)
                    .map_err(|e| config_error(py, format!("observations: `rates_used`: {e}")))?
            }
            _ => None,
        },
    })
}

/// The first half of a back-test: the core's `observe` on ``book`` (the renewals of the
/// window, each scored point-in-time), as a dict (see the module docs). Same keyword
/// arguments as ``csops.backtest`` except the report's; ``end`` is required so that every
/// executor's window is the driver's.
#[pyfunction]
#[pyo3(signature = (
    book,
    scorecard,
    *,
    end,
    lead_days = 90,
    quarters = 4,
    contraction_is_churn = false,
    feature_config = None
))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python function
fn _backtest_observe<'py>(
    py: Python<'py>,
    book: &Bound<'py, PyBook>,
    scorecard: &Bound<'py, PyScorecard>,
    end: NaiveDate,
    lead_days: i64,
    quarters: i64,
    contraction_is_churn: bool,
    feature_config: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = BacktestConfig {
        lead_days: count(py, "lead_days", lead_days)?,
        quarters: count(py, "quarters", quarters)?,
        end: Some(end),
        contraction_is_churn,
        features: features(py, feature_config)?,
        ..BacktestConfig::default()
    };
    let book = book.get().inner().clone();
    let card = scorecard.get().0.clone();
    let obs = call(py, || {
        let obs = observe(&book, &card, &cfg)?;
        if let Some(o) = obs
            .rows
            .iter()
            .find(|o| o.arr_before.currency != o.arr_after.currency)
        {
            return Err(Error::Config(vec![format!(
                "renewal `{}`: ARR before and after are in different currencies",
                o.renewal_id
            )]));
        }
        Ok(obs)
    })?;
    observations_dict(py, &obs)
}

/// The second half of a back-test: the core's `report` on observations (a dict as
/// ``_backtest_observe`` gives, its rows possibly gathered from many calls), as a
/// ``csops.Backtest`` (``recalibrate`` included). Rows are put back in the core's order.
#[pyfunction]
#[pyo3(signature = (
    scorecard,
    observations,
    *,
    contraction_is_churn = false,
    lift_fractions = vec![0.1, 0.2]
))]
fn _backtest_from_observations(
    py: Python<'_>,
    scorecard: &Bound<'_, PyScorecard>,
    observations: &Bound<'_, PyDict>,
    contraction_is_churn: bool,
    lift_fractions: Vec<f64>,
) -> PyResult<PyBacktest> {
    let obs = observations_from(py, observations)?;
    let cfg = BacktestConfig {
        lead_days: obs.lead_days,
        contraction_is_churn,
        lift_fractions,
        ..BacktestConfig::default()
    };
    let card = scorecard.get().0.clone();
    let (obs, report) = call(py, || {
        let report = report(&obs, &card, &cfg)?;
        Ok((obs, report))
    })?;
    // The tables of a back-test made on Spark are pandas DataFrames, as `csops.backtest`'s are
    // by default.
    Ok(PyBacktest {
        obs,
        report,
        card,
        frame: FrameKind::Pandas,
    })
}

/// Add the functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_backtest_observe, m)?)?;
    m.add_function(wrap_pyfunction!(_backtest_from_observations, m)?)?;
    Ok(())
}
