//! Retention: where ARR went and how much of it stayed (`book.arrBridge`, `book.retention`,
//! `book.retentionSeries`, `book.trailingTwelveMonths`, `bridgeTable`). Every figure comes
//! from csops-core (`csops_core::retention`); this module only reads arguments, runs the core
//! and converts.

use csops_core::interchange::Loaded;
use csops_core::options::Casing;
use csops_core::retention::{self as core_retention, ArrHistory};
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::args::{self};
use crate::book::Book;
use crate::error::{Failure, guard, js};
use crate::results::{Js, to_js, to_js_with_summary};
use csops_core::retention::{Cut, Period};

/// Each account's ARR over time, from the book (derived on every call: linear in the book,
/// and nothing held on to between calls).
fn history(loaded: &Loaded) -> Result<ArrHistory, Failure> {
    guard(|| ArrHistory::from_book(&loaded.book))
}

#[napi]
impl Book {
    /// The ARR bridge from the end of `from` to the end of `to` (`YYYY-MM-DD` or a `Date`,
    /// its UTC day): `start + new + expansion − contraction − churn + reactivation = end`,
    /// exactly, with every account that had ARR at either end. Amounts are exact decimal
    /// strings in the book's reporting currency (never floats). A period that does not run
    /// forwards is a `CSOPS_CONFIG` error; a book mixing currencies without an FX table is
    /// `CSOPS_MONEY`. `summary` is the bridge as text, as the core renders it (Python's
    /// `repr`).
    #[napi(
        ts_args_type = "from: string | Date, to: string | Date",
        ts_return_type = "ArrBridge & Summary"
    )]
    pub fn arr_bridge(&self, env: Env, from: Unknown, to: Unknown) -> napi::Result<Js> {
        js(&env, || {
            let from = args::date("from", from)?;
            let to = args::date("to", to)?;
            let loaded = self.shared();
            let history = history(&loaded)?;
            let bridge = guard(|| core_retention::arr_bridge(&history, from, to))?;
            to_js_with_summary(&bridge, bridge.render())
        })
    }

    /// Gross, net and logo retention from the end of `from` to the end of `to`, over the
    /// cohort of accounts with ARR at the start: one `Retention` labelled `all`, or one per
    /// value of `options.by` (labels in order, each over its own cohort; they partition the
    /// whole). Amounts are exact decimal strings (never floats). A backwards period or an
    /// unknown cut is a `CSOPS_CONFIG` error.
    #[napi(
        ts_args_type = "from: string | Date, to: string | Date, options?: RetentionOptions | null",
        ts_return_type = "Array<Retention>"
    )]
    pub fn retention(
        &self,
        env: Env,
        from: Unknown,
        to: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Js> {
        js(&env, || {
            let from = args::date("from", from)?;
            let to = args::date("to", to)?;
            let cut = retention_options(&env, options)?;
            let loaded = self.shared();
            let history = history(&loaded)?;
            let rows = guard(|| match &cut {
                None => core_retention::retention(&history, from, to).map(|r| vec![r]),
                Some(cut) => core_retention::retention_by(&loaded.book, &history, from, to, cut),
            })?;
            to_js(&rows)
        })
    }

    /// Retention of each complete calendar period (`options.period`: month, quarter by
    /// default, or year) ending within `from..=to`, from the last day of the previous period
    /// to the last day of the period; labelled `2026-09`, `2026-Q3` or `2026`. Empty when no
    /// whole period fits. A backwards period is a `CSOPS_CONFIG` error.
    #[napi(
        ts_args_type = "from: string | Date, to: string | Date, options?: RetentionSeriesOptions | null",
        ts_return_type = "Array<Retention>"
    )]
    pub fn retention_series(
        &self,
        env: Env,
        from: Unknown,
        to: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Js> {
        js(&env, || {
            let from = args::date("from", from)?;
            let to = args::date("to", to)?;
            let period = retention_series_options(&env, options)?;
            let loaded = self.shared();
            let history = history(&loaded)?;
            let rows = guard(|| core_retention::retention_series(&history, from, to, period))?;
            to_js(&rows)
        })
    }

    /// Trailing-twelve-months retention to the end of `asOf` (default: the book's latest
    /// date), from the same day a year earlier; labelled `ttm`.
    #[napi(
        ts_args_type = "asOf?: string | Date | null",
        ts_return_type = "Retention"
    )]
    pub fn trailing_twelve_months(&self, env: Env, as_of: Option<Unknown>) -> napi::Result<Js> {
        js(&env, || {
            let as_of = args::optional_date("asOf", as_of)?;
            let loaded = self.shared();
            let as_of = crate::book::day_or_latest(&loaded, as_of)?;
            let history = history(&loaded)?;
            to_js(&guard(|| {
                core_retention::trailing_twelve_months(&history, as_of)
            })?)
        })
    }
}

/// An ARR bridge (as `book.arrBridge` returned it) account by account, by column:
/// `account_id`, `start`, `end` (exact decimal strings) and `movement`.
#[napi(ts_args_type = "bridge: ArrBridge", ts_return_type = "TableColumns")]
pub fn bridge_table(env: Env, bridge: Unknown) -> napi::Result<Js> {
    js(&env, || {
        let value = crate::options::value_of(&env, "bridge", bridge, 0)?.unwrap_or_default();
        let bridge: core_retention::ArrBridge =
            csops_core::options::from_argument("bridge", value, Casing::Camel)?;
        to_js(&core_retention::tables::movements(&bridge))
    })
}

/// Options of `book.retention`. An unknown key or a value of the wrong type is a
/// `CSOPS_INVALID_ARGUMENT` error; an unknown cut a `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct RetentionOptions {
    /// Cut the cohort: by an account field, by the calendar quarter accounts started
    /// (`'start_cohort'`, labels such as `2025-Q3`), by a custom attribute (`'attr.<name>'`),
    /// or by a label per account id (such as each account's health band at the start;
    /// accounts without one are labelled `none`). Default: one cohort, `all`.
    #[napi(
        ts_type = "'segment' | 'tier' | 'region' | 'industry' | 'plan' | 'owner_csm' | 'currency' | 'start_cohort' | `attr.${string}` | Record<string, string>"
    )]
    pub by: Option<String>,
}

/// `retention` options: the cut, if any (the core's `RetentionOptions`).
pub(crate) fn retention_options(env: &Env, v: Option<Unknown>) -> Result<Option<Cut>, Failure> {
    crate::options::read::<csops_core::retention::RetentionOptions>(env, "options", v, &[])
        .map(|(o, _)| o.by)
}

/// Options of `book.retentionSeries`. An unknown key or a value of the wrong type is a
/// `CSOPS_INVALID_ARGUMENT` error; an unknown period a `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct RetentionSeriesOptions {
    /// The length of the periods: calendar months, quarters (the default) or years.
    #[napi(ts_type = "'month' | 'quarter' | 'year'")]
    pub period: Option<String>,
}

/// `retentionSeries` options: the period (the core's `RetentionSeriesOptions`).
pub(crate) fn retention_series_options(env: &Env, v: Option<Unknown>) -> Result<Period, Failure> {
    crate::options::read::<csops_core::retention::RetentionSeriesOptions>(env, "options", v, &[])
        .map(|(o, _)| o.period)
}
