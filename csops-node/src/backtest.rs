//! Back-testing: `backtest` and `backtestAsync`, the `Backtest` and `Recalibration` classes,
//! and their async tasks. Every figure comes from csops-core (`csops_core::backtest`); this
//! module only reads arguments, runs the core off or on the main thread, and converts.

use std::sync::Arc;

use csops_core::backtest::{self as core_backtest, BacktestConfig, RecalibrationConfig};
use csops_core::health as core_health;
use csops_core::interchange::Loaded;
use csops_core::options::Casing;
use napi::bindgen_prelude::{AsyncTask, Float64Array, JsObjectValue, Object, Unknown};
use napi::{Env, Property, Task};
use napi_derive::napi;

use crate::args::{napi_failure, number, present, type_name};
use crate::error::invalid;
use crate::error::{Failure, guard, js, no_constructor};
use crate::features::feature_value;
use crate::health::Scorecard;
use crate::options::feature_config_named;
use crate::results::{Js, to_js};
use napi::JsValue;
use napi::ValueType;
use napi::bindgen_prelude::{
    Array, ClassInstance, Float64ArraySlice, FromNapiValue, JavaScriptClassExt,
};

/// The replayed renewals, by column: row `i` of every column is one renewal, in renewal
/// order (date, then id). Each was scored as of `scoredOn`, `leadDays` before its renewal.
#[napi(object, object_from_js = false)]
pub struct Observations<'env> {
    /// The renewal outcome record's id.
    pub renewal_id: Vec<String>,
    /// The account.
    pub account_id: Vec<String>,
    /// The account's segment; `null` when it has none.
    #[napi(ts_type = "Array<string | null>")]
    pub segment: Vec<Option<String>>,
    /// The renewal date, `YYYY-MM-DD`.
    pub renewal_date: Vec<String>,
    /// The calendar quarter of the renewal, e.g. `2026-Q1`.
    pub quarter: Vec<String>,
    /// The day the account was scored (renewal date − lead days), `YYYY-MM-DD`.
    pub scored_on: Vec<String>,
    /// What happened.
    #[napi(ts_type = "Array<'renewed' | 'churned' | 'contracted' | 'expanded'>")]
    pub outcome: Vec<String>,
    /// Whether it counts as churn under the back-test's configuration.
    pub churned: Vec<bool>,
    /// ARR up for renewal, exact decimal text (in `currency`).
    pub arr_before: Vec<String>,
    /// ARR after the renewal, exact decimal text (in `currency`).
    pub arr_after: Vec<String>,
    /// The currency of `arrBefore` and `arrAfter` (the book's reporting currency when it has
    /// an FX table).
    pub currency: Vec<String>,
    /// The score then, 0–100; `NaN` when unscored (not yet a customer, or insufficient data).
    pub score: Float64Array,
    /// The band then; `null` when unscored.
    #[napi(ts_type = "Array<string | null>")]
    pub band: Vec<Option<String>>,
    /// Per measure (keys in scorecard order): its normalised score then, 0–100; `NaN` where
    /// missing.
    #[napi(ts_type = "Record<string, Float64Array>")]
    pub measures: Object<'env>,
}

impl std::fmt::Debug for Observations<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observations")
            .field("renewal_id", &self.renewal_id.len())
            .finish_non_exhaustive()
    }
}

/// The observations' columns, before any JavaScript value is made.
struct ObservationColumns {
    renewal_id: Vec<String>,
    account_id: Vec<String>,
    segment: Vec<Option<String>>,
    renewal_date: Vec<String>,
    quarter: Vec<String>,
    scored_on: Vec<String>,
    outcome: Vec<String>,
    churned: Vec<bool>,
    arr_before: Vec<String>,
    arr_after: Vec<String>,
    currency: Vec<String>,
    score: Vec<f64>,
    band: Vec<Option<String>>,
    measures: Vec<(String, Vec<f64>)>,
}

impl From<&core_backtest::Observations> for ObservationColumns {
    fn from(obs: &core_backtest::Observations) -> Self {
        let n = obs.rows.len();
        let mut c = ObservationColumns {
            renewal_id: Vec::with_capacity(n),
            account_id: Vec::with_capacity(n),
            segment: Vec::with_capacity(n),
            renewal_date: Vec::with_capacity(n),
            quarter: Vec::with_capacity(n),
            scored_on: Vec::with_capacity(n),
            outcome: Vec::with_capacity(n),
            churned: Vec::with_capacity(n),
            arr_before: Vec::with_capacity(n),
            arr_after: Vec::with_capacity(n),
            currency: Vec::with_capacity(n),
            score: Vec::with_capacity(n),
            band: Vec::with_capacity(n),
            measures: obs
                .measures
                .iter()
                .map(|m| (m.clone(), Vec::with_capacity(n)))
                .collect(),
        };
        for o in &obs.rows {
            let core_backtest::Observation {
                renewal_id,
                account_id,
                segment,
                renewal_date,
                quarter,
                scored_on,
                outcome,
                churned,
                arr_before,
                arr_after,
                score,
                band,
                measure_scores,
            } = o;
            c.renewal_id.push(renewal_id.clone());
            c.account_id.push(account_id.clone());
            c.segment.push(segment.clone());
            c.renewal_date.push(renewal_date.to_string());
            c.quarter.push(quarter.clone());
            c.scored_on.push(scored_on.to_string());
            c.outcome.push(outcome.as_str().to_string());
            c.churned.push(*churned);
            c.arr_before.push(arr_before.amount.to_string());
            c.arr_after.push(arr_after.amount.to_string());
            c.currency.push(arr_before.currency.code().to_string());
            c.score.push(score.unwrap_or(f64::NAN));
            c.band.push(band.clone());
            for ((_, column), s) in c.measures.iter_mut().zip(measure_scores) {
                column.push(*s);
            }
        }
        c
    }
}

impl ObservationColumns {
    fn into_js(self, env: &Env) -> napi::Result<Observations<'_>> {
        // Defined (not assigned) properties: a measure called `__proto__` is just a key.
        let properties = self
            .measures
            .into_iter()
            .map(|(name, column)| {
                Property::new()
                    .with_name(env, name.as_str())?
                    .with_napi_value(env, Float64Array::new(column))
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let mut measures = Object::new(env)?;
        measures.define_properties(&properties)?;
        Ok(Observations {
            renewal_id: self.renewal_id,
            account_id: self.account_id,
            segment: self.segment,
            renewal_date: self.renewal_date,
            quarter: self.quarter,
            scored_on: self.scored_on,
            outcome: self.outcome,
            churned: self.churned,
            arr_before: self.arr_before,
            arr_after: self.arr_after,
            currency: self.currency,
            score: Float64Array::new(self.score),
            band: self.band,
            measures,
        })
    }
}

// The task types come before the functions returning them: the TypeScript generator reads
// a task's output type (`Promise<Backtest>`) from its `impl Task`, in source order.

/// What a back-test runs on: the book, the scorecard and the configuration.
type BacktestInput = (Arc<Loaded>, Arc<core_health::Scorecard>, BacktestConfig);

/// Replay the renewals and report on them: the core's `observe`, then `report`.
fn run_backtest((loaded, card, cfg): BacktestInput) -> Result<Backtest, Failure> {
    let observations = guard(|| core_backtest::observe(&loaded.book, &card, &cfg))?;
    let report = guard(|| core_backtest::report(&observations, &card, &cfg))?;
    Ok(Backtest {
        card,
        observations: Arc::new(observations),
        report: Arc::new(report),
    })
}

/// Runs a back-test on a worker thread (`backtestAsync`).
#[derive(Debug)]
pub struct BacktestTask {
    input: Option<Result<BacktestInput, Failure>>,
}

#[napi]
impl Task for BacktestTask {
    type Output = Result<Backtest, Failure>;
    type JsValue = Backtest;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_backtest(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the back-test task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Backtest> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// What a re-calibration fits on: the observations, the scorecard and the configuration.
type RecalibrateInput = (
    Arc<core_backtest::Observations>,
    Arc<core_health::Scorecard>,
    RecalibrationConfig,
);

fn run_recalibrate((obs, card, cfg): RecalibrateInput) -> Result<Recalibration, Failure> {
    guard(|| core_backtest::recalibrate(&obs, &card, &cfg)).map(Recalibration::new)
}

/// Re-calibrates on a worker thread (`backtest.recalibrateAsync`).
#[derive(Debug)]
pub struct RecalibrateTask {
    input: Option<Result<RecalibrateInput, Failure>>,
}

#[napi]
impl Task for RecalibrateTask {
    type Output = Result<Recalibration, Failure>;
    type JsValue = Recalibration;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_recalibrate(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal(
                "the re-calibration task ran twice".into(),
            )),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Recalibration> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// The `backtest`/`backtestAsync` arguments, read on the calling thread.
fn backtest_args(
    env: &Env,
    book: Unknown,
    scorecard: Unknown,
    options: Option<Unknown>,
    run_async: bool,
) -> Result<BacktestInput, Failure> {
    let loaded = crate::book::book(env, book)?;
    let card = crate::health::scorecard(env, scorecard)?;
    let (options, hook) = crate::progress::take(env, "options", options, run_async)?;
    let mut cfg = backtest_options(env, options)?;
    cfg.progress = hook;
    Ok((loaded, card, cfg))
}

/// Back-test a health scorecard on a book: every renewal of the last `quarters` calendar
/// quarters (ending with the quarter of `end`, by default the latest renewal outcome) is
/// replayed, scoring the account as of `leadDays` before its renewal from the book as it
/// stood that day (point-in-time: nothing dated later is seen), and set beside what happened.
///
/// An invalid configuration (0 quarters, a lift fraction outside (0, 1], a book without
/// renewal outcomes) is a `CSOPS_CONFIG` error with the core's message; an argument of the
/// wrong type, or an unknown option, is `CSOPS_INVALID_ARGUMENT`. Runs on the calling
/// thread: `backtestAsync` keeps the event loop free.
#[napi(ts_args_type = "book: Book, scorecard: Scorecard, options?: BacktestOptions | null")]
pub fn backtest(
    env: Env,
    book: Unknown,
    scorecard: Unknown,
    options: Option<Unknown>,
) -> napi::Result<Backtest> {
    js(&env, || {
        backtest_args(&env, book, scorecard, options, false).and_then(run_backtest)
    })
}

/// `backtest` on a worker thread: the arguments are read on the calling thread (the book and
/// scorecard are shared, not copied), the renewals replayed off the event loop. Every error
/// (including a bad argument) rejects the promise; nothing is thrown synchronously.
#[napi(ts_args_type = "book: Book, scorecard: Scorecard, options?: BacktestOptions | null")]
pub fn backtest_async(
    env: Env,
    book: Unknown,
    scorecard: Unknown,
    options: Option<Unknown>,
) -> AsyncTask<BacktestTask> {
    AsyncTask::new(BacktestTask {
        input: Some(backtest_args(&env, book, scorecard, options, true)),
    })
}

/// A back-test: the renewals replayed (`observations`) and what they say about the scorecard
/// (`report`, `render()`). Immutable; made by `backtest` and `backtestAsync`.
/// `recalibrate` fits new weights on its older quarters and proves them on the latest.
#[napi]
#[derive(Debug)]
pub struct Backtest {
    card: Arc<core_health::Scorecard>,
    observations: Arc<core_backtest::Observations>,
    report: Arc<core_backtest::BacktestReport>,
}

#[napi]
impl Backtest {
    /// Not callable: a back-test is made by `backtest` and `backtestAsync`.
    #[napi(constructor, ts_args_type = "notCallable: never")]
    pub fn no_constructor(env: Env) -> napi::Result<Backtest> {
        no_constructor(&env, "Backtest", "run one with backtest or backtestAsync")
    }

    /// The report as readable text: bands with Wilson intervals and ARR, the red-vs-green
    /// verdict, AUC, Brier score, lift, survival, measures, quarters.
    #[napi]
    pub fn render(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| Ok(self.report.render())))
    }

    /// The whole report as data: the core's report with camelCase keys (dates as
    /// `YYYY-MM-DD`, money as `{ amount, currency }` with a decimal-string amount, undefined
    /// statistics as `null`). A fresh object on every access.
    #[napi(getter, ts_return_type = "BacktestReport")]
    pub fn report(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(self.report.as_ref()))
    }

    /// The replayed renewals, one row per renewal, by column. A fresh object on every access.
    #[napi(getter)]
    pub fn observations<'env>(&self, env: &'env Env) -> napi::Result<Observations<'env>> {
        let columns = js(env, || {
            guard(|| Ok(ObservationColumns::from(self.observations.as_ref())))
        })?;
        columns.into_js(env).map_err(|e| {
            Failure::Internal(format!("building the observations failed: {}", e.reason))
                .into_js(env)
        })
    }

    /// One of the report's tables (as Python's `Backtest` gives them and the report shows
    /// them), by column: `observations`, `bands`, `quarters`, `measures`, `calibration`,
    /// `lift`, `survival` or `roc` (see `docs/backtest.md`). Column names are as in every
    /// language; numbers are `null` where missing, dates `YYYY-MM-DD`, amounts exact decimal
    /// strings, bands their names. An unknown name is a `CSOPS_INVALID_ARGUMENT` error
    /// listing the tables.
    #[napi(
        ts_args_type = "name: 'observations' | 'bands' | 'quarters' | 'measures' | 'calibration' | 'lift' | 'survival' | 'roc'",
        ts_return_type = "TableColumns"
    )]
    pub fn table(&self, env: Env, name: String) -> napi::Result<Js> {
        js(&env, || {
            let (obs, report, card) = (&self.observations, &self.report, &self.card);
            let t =
                guard(|| core_backtest::tables::backtest(&name, Casing::Camel, obs, report, card))?;
            to_js(&t)
        })
    }

    /// Re-calibrate the scorecard on these renewals: fit new weights (an L2-penalised
    /// logistic regression of churn on the measure scores, inverse penalty `c`) on all but
    /// the latest `holdoutQuarters`, and compare the old and new scorecards on those. Too
    /// few quarters to hold out, an unknown `probability` method or `c` ≤ 0 are a
    /// `CSOPS_CONFIG` error with the core's message.
    #[napi(ts_args_type = "options?: RecalibrationOptions | null")]
    pub fn recalibrate(&self, env: Env, options: Option<Unknown>) -> napi::Result<Recalibration> {
        js(&env, || {
            self.recalibrate_args(&env, options)
                .and_then(run_recalibrate)
        })
    }

    /// `recalibrate` on a worker thread. Every error (including a bad argument) rejects the
    /// promise; nothing is thrown synchronously.
    #[napi(ts_args_type = "options?: RecalibrationOptions | null")]
    pub fn recalibrate_async(
        &self,
        env: Env,
        options: Option<Unknown>,
    ) -> AsyncTask<RecalibrateTask> {
        AsyncTask::new(RecalibrateTask {
            input: Some(self.recalibrate_args(&env, options)),
        })
    }
}

impl Backtest {
    /// The `recalibrate`/`recalibrateAsync` arguments, read on the calling thread.
    fn recalibrate_args(
        &self,
        env: &Env,
        options: Option<Unknown>,
    ) -> Result<RecalibrateInput, Failure> {
        let cfg = recalibration_options(env, options)?;
        Ok((Arc::clone(&self.observations), Arc::clone(&self.card), cfg))
    }
}

/// A re-calibration: new weights fitted on older quarters and proved on the latest. The
/// re-weighted `scorecard` is an ordinary `Scorecard` (save it with `toJson` or `toToml`);
/// `report` holds the figures, `render()` the text. Immutable; made by
/// `backtest.recalibrate` and `backtest.recalibrateAsync`.
#[napi]
#[derive(Debug)]
pub struct Recalibration {
    inner: Arc<core_backtest::Recalibration>,
    scorecard: Arc<core_health::Scorecard>,
}

impl Recalibration {
    fn new(r: core_backtest::Recalibration) -> Self {
        Recalibration {
            scorecard: Arc::new(r.scorecard.clone()),
            inner: Arc::new(r),
        }
    }

    /// The score → P(churn) mapping fitted on the training quarters (for the forecast).
    pub(crate) fn probability_map(&self) -> core_backtest::ProbabilityMap {
        self.inner.probability.clone()
    }
}

#[napi]
impl Recalibration {
    /// Not callable: a re-calibration is made by `backtest.recalibrate` and
    /// `backtest.recalibrateAsync`.
    #[napi(constructor, ts_args_type = "notCallable: never")]
    pub fn no_constructor(env: Env) -> napi::Result<Recalibration> {
        no_constructor(
            &env,
            "Recalibration",
            "fit one with backtest.recalibrate or backtest.recalibrateAsync",
        )
    }

    /// The re-weighted scorecard: same measures, normalisers, missing rules and bands; each
    /// measure's weight from the fit (measures that did not protect against churn dropped).
    /// A new `Scorecard` object on every access, for the same scorecard.
    #[napi(getter)]
    pub fn scorecard(&self) -> Scorecard {
        Scorecard::from_shared(Arc::clone(&self.scorecard))
    }

    /// The re-calibration as readable text: weights before and after, held-out AUC and Brier
    /// score before and after, the band choices.
    #[napi]
    pub fn render(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| Ok(self.inner.render())))
    }

    /// The whole re-calibration as data (camelCase keys; the scorecard as `ScorecardJson`).
    /// A fresh object on every access.
    #[napi(getter, ts_return_type = "RecalibrationReport")]
    pub fn report(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(self.inner.as_ref()))
    }

    /// One of the re-calibration's tables, by column (as `Backtest.table`): `weights` or
    /// `bands`.
    #[napi(
        ts_args_type = "name: 'weights' | 'bands'",
        ts_return_type = "TableColumns"
    )]
    pub fn table(&self, env: Env, name: String) -> napi::Result<Js> {
        js(&env, || {
            let t =
                guard(|| core_backtest::tables::recalibration(&name, Casing::Camel, &self.inner))?;
            to_js(&t)
        })
    }

    /// P(churn) for scores of the re-weighted scorecard, from the mapping fitted on the
    /// training quarters (`report.probability`): one probability per score, always as a
    /// `Float64Array` (of length 1 for a number). `NaN` (or `null` in an array) stays `NaN`:
    /// no score, no probability.
    #[napi(ts_args_type = "scores: number | Array<number | null> | Float64Array")]
    pub fn churn_probability(&self, env: Env, scores: Unknown) -> napi::Result<Float64Array> {
        js(&env, || {
            let scores = crate::backtest::scores(scores)?;
            let map = &self.inner.probability;
            guard(|| {
                Ok(scores
                    .iter()
                    .map(|&s| {
                        if s.is_nan() {
                            f64::NAN
                        } else {
                            map.probability(s)
                        }
                    })
                    .collect::<Vec<f64>>())
            })
            .map(Float64Array::new)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Back-test and recalibration options.
// ---------------------------------------------------------------------------------------------

/// Options of `backtest` and `backtestAsync`. Every key is optional (`null` or absent: the
/// default); an unknown key or a value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error,
/// an invalid value (0 quarters, a lift fraction outside (0, 1]) a `CSOPS_CONFIG` error with
/// the core's message.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct BacktestOptions {
    /// `backtestAsync` only: called with the back-test's progress.
    #[napi(ts_type = "(progress: ProgressEvent) => void")]
    pub on_progress: Option<String>,
    /// `backtestAsync` only: aborting it stops the back-test (a `CSOPS_CANCELLED` `AbortError`).
    #[napi(
        ts_type = "{ readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void }"
    )]
    pub signal: Option<String>,
    /// Score each account this many days before its renewal date (default 90).
    pub lead_days: Option<u32>,
    /// Calendar quarters of renewals to replay, ending with the quarter of `end` (default 4).
    pub quarters: Option<u32>,
    /// The last day of the window: `YYYY-MM-DD` or a `Date` (its UTC day). Default: the
    /// latest renewal outcome in the book.
    #[napi(ts_type = "string | Date")]
    pub end: Option<String>,
    /// Count a contraction as churn (default `false`: only churn is churn).
    pub contraction_is_churn: Option<bool>,
    /// Shares of riskiest accounts for capture and lift, each in (0, 1] (default
    /// `[0.1, 0.2]`).
    pub lift_fractions: Option<Vec<f64>>,
    /// The feature definitions the scorecard reads: a `FeatureConfig` object (snake_case
    /// keys), or its JSON or TOML text (default: `defaultFeatureConfig()`).
    #[napi(ts_type = "FeatureConfig | string")]
    pub features: Option<String>,
    /// The score → P(churn) mapping for the Brier score and calibration table, such as
    /// `recalibration.report.probability` (to evaluate it honestly on later renewals).
    /// Default: Platt scaling fitted on the back-test's own renewals (in-sample).
    #[napi(ts_type = "ProbabilityMap")]
    pub probability: Option<String>,
}

/// `backtest` options (`undefined` or `null`: the defaults).
pub(crate) fn backtest_options(env: &Env, v: Option<Unknown>) -> Result<BacktestConfig, Failure> {
    // The core reads the options (`BacktestConfig`); `features` may also be JSON or TOML
    // text, which is read here into the configuration it stands for.
    let (mut cfg, data): (BacktestConfig, _) =
        crate::options::read(env, "options", v, &["features"])?;
    if let Some(features) = present(data.into_iter().next().flatten()) {
        cfg.features = feature_config_named(env, "options.features", Some(features))?;
    }
    Ok(cfg)
}

/// Options of `backtest.recalibrate` and `backtest.recalibrateAsync`. Every key is optional
/// (`null` or absent: the default); an unknown key or a value of the wrong type is a
/// `CSOPS_INVALID_ARGUMENT` error, an invalid value (a holdout of every quarter, an unknown
/// probability method, `c` ≤ 0) a `CSOPS_CONFIG` error with the core's message.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct RecalibrationOptions {
    /// Inverse L2 penalty of the logistic fit (scikit-learn's `C`, default 1.0; smaller pulls
    /// the weights harder towards zero, for small books).
    pub c: Option<f64>,
    /// The latest quarters held out for evaluation (default 1); the fit sees only the earlier
    /// ones.
    pub holdout_quarters: Option<u32>,
    /// The score → P(churn) mapping to fit: `'platt'` (default) or `'isotonic'`.
    #[napi(ts_type = "'platt' | 'isotonic'")]
    pub probability: Option<String>,
    /// Target: accounts in the lowest band churn at least this often (default 0.25).
    pub red_churn_target: Option<f64>,
    /// Target: accounts in the highest band churn at most this often (default 0.05).
    pub green_churn_target: Option<f64>,
}

/// `recalibrate` options (`undefined` or `null`: the defaults): the core's
/// `RecalibrationConfig`.
pub(crate) fn recalibration_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<RecalibrationConfig, Failure> {
    crate::options::read(env, "options", v, &[]).map(|(cfg, _)| cfg)
}

/// Health scores: a number, an array of numbers (`null` = no score, read as `NaN`), or a
/// `Float64Array` (copied).
pub(crate) fn scores(v: Unknown) -> Result<Vec<f64>, Failure> {
    let expected = "a number, an array of numbers (null = no score) or a Float64Array";
    if matches!(v.get_type(), Ok(ValueType::Number)) {
        return Ok(vec![number("scores", v)?]);
    }
    if v.is_typedarray().unwrap_or(false) {
        return Float64ArraySlice::from_unknown(v)
            .map(|values| values.to_vec())
            .map_err(|_| {
                invalid(format!(
                    "`scores` must be {expected}, got another typed array"
                ))
            });
    }
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`scores` must be {expected}, got {}",
            type_name(&v)
        )));
    }
    let fail = |e| napi_failure("scores", e);
    let array = Array::from_unknown(v).map_err(fail)?;
    (0..array.len())
        .map(|i| match array.get::<Unknown>(i).map_err(fail)? {
            Some(item) => feature_value(|| format!("`scores[{i}]`"), item),
            None => Ok(f64::NAN),
        })
        .collect()
}

/// A `Recalibration` given where a probability mapping is expected (a forecast's
/// `probability`): its calibrated score → P(churn) mapping ([`crate::options::Instance`]).
pub(crate) fn as_probability_map(
    env: &Env,
    v: Unknown,
    path: &str,
) -> Option<Result<serde_json::Value, Failure>> {
    if !Recalibration::instance_of(env, &v).unwrap_or(false) {
        return None;
    }
    Some(
        ClassInstance::<Recalibration>::from_unknown(v)
            .map_err(|e| napi_failure(path, e))
            .and_then(|rc| {
                serde_json::to_value(rc.probability_map())
                    .map_err(|e| invalid(format!("`{path}`: {e}")))
            }),
    )
}
