//! The renewal forecast: each account's health on a day (`book.healthAsOf`,
//! `book.healthAsOfAsync`), the forecast (`forecast`, `forecastAsync`, `forecastTable`) and
//! its reconciliation with the CRM (`reconcile`). Every figure comes from csops-core
//! (`csops_core::forecast`); this module only reads arguments, runs the core on or off the
//! main thread, and converts.
//!
//! A forecast is returned as a plain object (`RenewalForecast`), so it can be inspected,
//! stored as JSON and handed back: `reconcile` and `forecastTable` read it back into the
//! core's forecast (every field, amounts as exact decimals).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use csops_core::features::FeatureConfig;
use csops_core::forecast::{self as core_forecast, ForecastConfig, Health};
use csops_core::health as core_health;
use csops_core::interchange::Loaded;
use csops_core::options::Casing;
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;

use crate::args::{self, entries, optional_number, present, string};
use crate::book::Book;
use crate::error::invalid;
use crate::error::{Failure, guard, js};
use crate::options::feature_config_named;
use crate::results::{Js, to_js, to_js_with_summary};
use csops_core::forecast::{
    ForecastOptions as CoreForecastOptions, Health as CoreHealth, ReconcileConfig,
    RenewalForecast as CoreRenewalForecast,
};

// The task types come before the functions returning them: the TypeScript generator reads
// a task's output type from its `impl Task`, in source order.

/// What `healthAsOf` scores: the book, the scorecard, the day and the feature definitions.
type HealthInput = (
    Arc<Loaded>,
    Arc<core_health::Scorecard>,
    NaiveDate,
    FeatureConfig,
);

fn run_health((loaded, card, as_of, features): HealthInput) -> Result<Js, Failure> {
    let health = guard(|| core_forecast::health_as_of(&loaded.book, &card, as_of, &features))?;
    to_js(&health)
}

/// Scores every account on a day on a worker thread (`book.healthAsOfAsync`).
#[derive(Debug)]
pub struct HealthTask {
    input: Option<Result<HealthInput, Failure>>,
}

#[napi]
impl Task for HealthTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_health(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the health task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// What a forecast runs on: the book, each account's health and the configuration.
type ForecastInput = (Arc<Loaded>, BTreeMap<String, Health>, ForecastConfig);

fn run_forecast((loaded, health, cfg): ForecastInput) -> Result<Js, Failure> {
    let forecast = guard(|| core_forecast::forecast(&loaded.book, &health, &cfg))?;
    to_js_with_summary(&forecast, forecast.render())
}

/// Forecasts on a worker thread (`forecastAsync`).
#[derive(Debug)]
pub struct ForecastTask {
    input: Option<Result<ForecastInput, Failure>>,
}

#[napi]
impl Task for ForecastTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_forecast(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the forecast task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

#[napi]
impl Book {
    /// Every active account's health score and band on `asOf` (default: the book's latest
    /// date), keyed by account id: the `health` a forecast reads. The features are derived
    /// point-in-time (nothing dated later is seen) with `options.features` (default:
    /// `defaultFeatureConfig()`); an account that cannot be scored has `null`s.
    #[napi(
        ts_args_type = "scorecard: Scorecard, asOf?: string | Date | null, options?: HealthAsOfOptions | null",
        ts_return_type = "Record<string, Health>"
    )]
    pub fn health_as_of(
        &self,
        env: Env,
        scorecard: Unknown,
        as_of: Option<Unknown>,
        options: Option<Unknown>,
    ) -> napi::Result<Js> {
        js(&env, || {
            self.health_args(&env, scorecard, as_of, options)
                .and_then(run_health)
        })
    }

    /// `healthAsOf` on a worker thread. Every error (including a bad argument) rejects the
    /// promise; nothing is thrown synchronously.
    #[napi(
        ts_args_type = "scorecard: Scorecard, asOf?: string | Date | null, options?: HealthAsOfOptions | null",
        ts_return_type = "Promise<Record<string, Health>>"
    )]
    pub fn health_as_of_async(
        &self,
        env: Env,
        scorecard: Unknown,
        as_of: Option<Unknown>,
        options: Option<Unknown>,
    ) -> AsyncTask<HealthTask> {
        AsyncTask::new(HealthTask {
            input: Some(self.health_args(&env, scorecard, as_of, options)),
        })
    }
}

impl Book {
    /// The `healthAsOf`/`healthAsOfAsync` arguments, read on the calling thread.
    fn health_args(
        &self,
        env: &Env,
        scorecard: Unknown,
        as_of: Option<Unknown>,
        options: Option<Unknown>,
    ) -> Result<HealthInput, Failure> {
        let card = crate::health::scorecard(env, scorecard)?;
        let as_of = args::optional_date("asOf", as_of)?;
        let features = health_as_of_options(env, options)?;
        let loaded = self.shared();
        let as_of = crate::book::day_or_latest(&loaded, as_of)?;
        Ok((loaded, card, as_of, features))
    }
}

/// The `forecast`/`forecastAsync` arguments, read on the calling thread.
fn forecast_args(
    env: &Env,
    book: Unknown,
    options: Option<Unknown>,
) -> Result<ForecastInput, Failure> {
    let loaded = crate::book::book(env, book)?;
    let (health, cfg) = forecast_options(env, options)?;
    Ok((loaded, health, cfg))
}

/// Forecast the renewals of a window (by default the calendar quarter after `asOf`, itself
/// by default the book's latest date): one line per account renewing in it with its ARR, its
/// probability of renewing and the ARR that probability expects to renew; totals, commit /
/// best case / pipeline, subtotals by segment, CSM and month, and the distribution of
/// renewed ARR (P10 / P50 / P90).
///
/// Amounts are exact decimal strings in the book's reporting currency (never floats); the
/// result is plain data that `reconcile` takes back. Probabilities come from
/// `options.probability` and, for calibrated or band-prior ones, `options.health` (from
/// `book.healthAsOf`). An invalid configuration is a `CSOPS_CONFIG` error with the core's
/// message; an argument of the wrong type or an unknown option `CSOPS_INVALID_ARGUMENT`.
/// Runs on the calling thread: `forecastAsync` keeps the event loop free.
#[napi(
    ts_args_type = "book: Book, options?: ForecastOptions | null",
    ts_return_type = "RenewalForecast & Summary"
)]
pub fn forecast(env: Env, book: Unknown, options: Option<Unknown>) -> napi::Result<Js> {
    js(&env, || {
        forecast_args(&env, book, options).and_then(run_forecast)
    })
}

/// `forecast` on a worker thread: the arguments are read on the calling thread (the book is
/// shared, not copied), the forecast made off the event loop. Every error (including a bad
/// argument) rejects the promise; nothing is thrown synchronously.
#[napi(
    ts_args_type = "book: Book, options?: ForecastOptions | null",
    ts_return_type = "Promise<RenewalForecast & Summary>"
)]
pub fn forecast_async(
    env: Env,
    book: Unknown,
    options: Option<Unknown>,
) -> AsyncTask<ForecastTask> {
    AsyncTask::new(ForecastTask {
        input: Some(forecast_args(&env, book, options)),
    })
}

/// One of a forecast's tables (as Python's `RenewalForecast` gives them), by column:
/// `lines`, `bySegment`, `byCsm`, `byMonth` or `months` (the renewed ARR's P10 / P50 / P90 by
/// the end of each month, against the ARR at stake). The forecast is read back as `reconcile`
/// reads it. Column names are as in every language; dates `YYYY-MM-DD`, amounts exact decimal
/// strings, a missing value `null`.
#[napi(
    ts_args_type = "forecast: RenewalForecast, name: 'lines' | 'bySegment' | 'byCsm' | 'byMonth' | 'months'",
    ts_return_type = "TableColumns"
)]
pub fn forecast_table(env: Env, forecast: Unknown, name: String) -> napi::Result<Js> {
    js(&env, || {
        let forecast = renewal_forecast(&env, forecast)?;
        let t = guard(|| core_forecast::tables::forecast(&name, Casing::Camel, &forecast))?;
        to_js(&t)
    })
}

/// Reconcile a forecast (as `forecast` returned it, or its JSON parsed) with the book's CRM
/// opportunities: renewals with no open renewal opportunity, opportunities with no renewal
/// due, amounts that differ from ARR, close dates outside the renewal month, and "commit"
/// deals on accounts the health score calls at risk; the total gap passes or fails against
/// `options.tolerance` (default 2%). Amounts are exact decimal strings (never floats).
///
/// The forecast is read back exactly (a missing or mistyped field, or totals that are not
/// the sums of its lines, are a `CSOPS_INVALID_ARGUMENT` error); a line whose account is not
/// in `book` is a `CSOPS_CONFIG` error.
#[napi(
    ts_args_type = "book: Book, forecast: RenewalForecast, options?: ReconcileOptions | null",
    ts_return_type = "Reconciliation & Summary"
)]
pub fn reconcile(
    env: Env,
    book: Unknown,
    forecast: Unknown,
    options: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        let loaded = crate::book::book(&env, book)?;
        let forecast = renewal_forecast(&env, forecast)?;
        let cfg = reconcile_options(&env, options)?;
        let r = guard(|| core_forecast::reconcile(&loaded.book, &forecast, &cfg))?;
        to_js_with_summary(&r, r.render(forecast.currency))
    })
}

/// Options of `book.healthAsOf` and `book.healthAsOfAsync`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct HealthAsOfOptions {
    /// The feature definitions the scorecard reads: a `FeatureConfig` object (snake_case
    /// keys), or its JSON or TOML text (default: `defaultFeatureConfig()`). Give the same as
    /// the back-test's `features` when the scorecard was tuned on other features.
    #[napi(ts_type = "FeatureConfig | string")]
    pub features: Option<String>,
}

/// `healthAsOf` options: the feature configuration.
pub(crate) fn health_as_of_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<FeatureConfig, Failure> {
    let Some(v) = present(v) else {
        return Ok(FeatureConfig::default());
    };
    let expected = "an object such as { features: { usage_window_days: 28 } }";
    let mut features = FeatureConfig::default();
    for (key, value) in entries(env, "options", v, expected)? {
        if key != "features" {
            return Err(invalid(format!(
                "`options` has an unknown key `{key}`; expected {expected}"
            )));
        }
        features = feature_config_named(env, "options.features", Some(value))?;
    }
    Ok(features)
}

/// Health by account id: `{ accountId: { score, band } }`, as `book.healthAsOf` returns it.
/// A `NaN` score is no score.
fn health_map(env: &Env, name: &str, v: Unknown) -> Result<BTreeMap<String, CoreHealth>, Failure> {
    let expected = "an object of { score, band } keyed by account id (as book.healthAsOf \
                    returns it)";
    let one = "an object { score: number | null, band: string | null }";
    entries(env, name, v, expected)?
        .into_iter()
        .map(|(id, value)| {
            let path = format!("{name}.{id}");
            let (mut score, mut band) = (None, None);
            for (key, x) in entries(env, &path, value, one)? {
                let field = format!("{path}.{key}");
                match key.as_str() {
                    "score" => score = optional_number(&field, Some(x))?.filter(|s| !s.is_nan()),
                    "band" => band = present(Some(x)).map(|x| string(&field, x)).transpose()?,
                    _ => {
                        return Err(invalid(format!(
                            "`{path}` has an unknown key `{key}`; expected {one}"
                        )));
                    }
                }
            }
            Ok((id, CoreHealth { score, band }))
        })
        .collect()
}

/// Options of `forecast` and `forecastAsync`. Every key is optional (`null` or absent: the
/// default); an unknown key or a value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error,
/// an invalid value (a probability outside 0–1, a window that runs backwards, an unknown
/// method) a `CSOPS_CONFIG` error with the core's message.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ForecastOptions {
    /// Each account's health on the forecast day, as `book.healthAsOf(scorecard, asOf)`
    /// returns it. Calibrated and band-prior probabilities read it; accounts without an entry
    /// take the fallback. Default: none (so every renewal takes the fallback unless the
    /// probabilities are `supplied`).
    #[napi(ts_type = "Record<string, Health>")]
    pub health: Option<String>,
    /// First day of the window (inclusive): `YYYY-MM-DD` or a `Date` (its UTC day). Give
    /// both `start` and `end`, or neither (the calendar quarter after `asOf`).
    #[napi(ts_type = "string | Date")]
    pub start: Option<String>,
    /// Last day of the window (inclusive).
    #[napi(ts_type = "string | Date")]
    pub end: Option<String>,
    /// The forecast day: ARR as of its end (default: the book's latest date).
    #[napi(ts_type = "string | Date")]
    pub as_of: Option<String>,
    /// Each renewal's probability: a `Recalibration` (its calibrated score → P(churn)
    /// mapping, P(renew) = 1 − P(churn); unscored accounts 0.85), or `calibrated` (a
    /// `Recalibration` or a `ProbabilityMap`), `bandPriors` (P(renew) per band) or `supplied`
    /// (P(renew) per account id), each with an optional `fallback` (default 0.85) for the
    /// accounts it does not cover; `{ fallback }` alone keeps the default band priors.
    /// Default: band priors red 0.70, yellow 0.85, green 0.95 (assumptions, not
    /// measurements). The grammar and defaults are the core's (`ForecastOptions`).
    #[napi(
        ts_type = "Recalibration | ProbabilityMap | { calibrated: Recalibration | ProbabilityMap; fallback?: number } | { bandPriors: Record<string, number>; fallback?: number } | { supplied: Record<string, number>; fallback?: number } | { fallback: number }"
    )]
    pub probability: Option<String>,
    /// Expected expansion: open expansion opportunities closing in the window, amount ×
    /// probability (`'opportunities'`, the default); the book's trailing-twelve-month
    /// expansion rate pro rata (`'history'`); or `'none'`.
    #[napi(ts_type = "'opportunities' | 'history' | 'none'")]
    pub expansion: Option<String>,
    /// How the distribution of renewed ARR is computed: `'exact'` (at most 20 renewals),
    /// `'grid'` (a dynamic programme over amounts), `'monte_carlo'` (seeded), or `'auto'`
    /// (exact up to 20 renewals, grid beyond; the default).
    #[napi(ts_type = "'auto' | 'exact' | 'grid' | 'monte_carlo'")]
    pub distribution: Option<String>,
    /// Monte Carlo draws (default 20,000).
    pub draws: Option<u32>,
    /// Monte Carlo seed, a whole number up to 2^53 − 1 (default 42).
    pub seed: Option<f64>,
    /// P(renew) from which a renewal is "commit" (default 0.9).
    pub commit_from: Option<f64>,
    /// P(renew) from which a renewal is "best case" (default 0.6); below it, "pipeline".
    pub best_case_from: Option<f64>,
}

/// What a forecast needs besides the book: each account's health, and the configuration.
pub(crate) type ForecastArgs = (BTreeMap<String, CoreHealth>, ForecastConfig);

/// `forecast` options (`undefined` or `null`: the defaults, and no health): `health` is data
/// read here; every other key is the core's `ForecastOptions`.
pub(crate) fn forecast_options(env: &Env, v: Option<Unknown>) -> Result<ForecastArgs, Failure> {
    let (options, data): (CoreForecastOptions, _) = crate::options::read_with(
        env,
        "options",
        v,
        &["health"],
        Some(crate::backtest::as_probability_map),
    )?;
    let health = match present(data.into_iter().next().flatten()) {
        Some(h) => health_map(env, "options.health", h)?,
        None => BTreeMap::new(),
    };
    Ok((health, guard(|| options.config())?))
}

/// Options of `reconcile`. Every key is optional (`null` or absent: the default); an unknown
/// key or a value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error, a negative one a
/// `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ReconcileOptions {
    /// Pass when the forecast and CRM totals differ by at most this share (default 0.02).
    pub tolerance: Option<f64>,
    /// Flag an opportunity whose amount differs from the ARR up for renewal by more than
    /// this share (default 0.01).
    pub amount_tolerance: Option<f64>,
    /// An open renewal opportunity matches a renewal when it closes within this many days of
    /// it (default 60).
    pub match_days: Option<u32>,
    /// Bands whose accounts count as at risk for "commit" checks (default `['red']`).
    pub at_risk_bands: Option<Vec<String>>,
}

/// `reconcile` options (`undefined` or `null`: the defaults): the core's `ReconcileConfig`.
pub(crate) fn reconcile_options(env: &Env, v: Option<Unknown>) -> Result<ReconcileConfig, Failure> {
    crate::options::read(env, "options", v, &[]).map(|(cfg, _)| cfg)
}

/// A forecast given back (a `RenewalForecast` as `forecast` returns it, or its JSON parsed),
/// read by the core into its forecast: every field, amounts as exact decimal strings. A
/// missing or mistyped field, or totals that are not the sums of the lines, are a
/// `CSOPS_INVALID_ARGUMENT` error naming where.
pub(crate) fn renewal_forecast(env: &Env, v: Unknown) -> Result<CoreRenewalForecast, Failure> {
    let value = crate::options::value_of(env, "forecast", v, 0)?.unwrap_or(serde_json::Value::Null);
    let forecast: CoreRenewalForecast =
        csops_core::options::from_argument("forecast", value, csops_core::options::Casing::Camel)
            .map_err(|e| match e {
            // Every part of a forecast is its shape: a bad day or category makes the whole
            // object malformed.
            csops_core::Error::Config(p) => invalid(p.join("; ")),
            other => Failure::Core(other),
        })?;
    forecast.check_totals()?;
    Ok(forecast)
}
