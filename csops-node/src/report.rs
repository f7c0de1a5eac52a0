//! The weekly report (`weekReport`, `weekReportAsync`, `reportHtml`, `writeReportHtml`). The
//! sections, charts, words and page are the core's (`csops_core::report`); this module reads
//! the options, runs the core and hands the report over as plain data or as its page.

use std::sync::Arc;

use csops_core::interchange::Loaded;
use csops_core::options::Casing;
use csops_core::report::{self as core_report, Report, WeekOptions};
use napi::bindgen_prelude::{AsyncTask, JavaScriptClassExt, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;

use crate::error::{Failure, guard, invalid, js};
use crate::results::{Js, to_js_with_summary};

/// A `Scorecard`, `TierRules` or `Playbook` given as an option: the configuration it holds.
fn configuration(env: &Env, v: Unknown, path: &str) -> Option<Result<Value, Failure>> {
    let json = |r: serde_json::Result<Value>| r.map_err(|e| invalid(format!("`{path}`: {e}")));
    if crate::health::Scorecard::instance_of(env, &v).unwrap_or(false) {
        return Some(
            crate::health::scorecard(env, v).and_then(|c| json(serde_json::to_value(&*c))),
        );
    }
    if crate::segment::TierRules::instance_of(env, &v).unwrap_or(false) {
        return Some(
            crate::segment::tier_rules(env, path, v).and_then(|r| json(serde_json::to_value(&*r))),
        );
    }
    if crate::playbook::Playbook::instance_of(env, &v).unwrap_or(false) {
        return Some(
            crate::playbook::playbook(env, path, v).and_then(|p| json(serde_json::to_value(&*p))),
        );
    }
    None
}

/// What a week's report runs on: the book (with its validation report) and the options.
type WeekInput = (Arc<Loaded>, WeekOptions);

fn week_args(env: &Env, book: Unknown, options: Option<Unknown>) -> Result<WeekInput, Failure> {
    let loaded = crate::book::book(env, book)?;
    let (options, _) =
        crate::options::read_with(env, "options", options, &[], Some(configuration))?;
    Ok((loaded, options))
}

fn run_week((loaded, options): WeekInput) -> Result<Js, Failure> {
    let report = guard(|| core_report::week(&loaded.book, Some(&loaded.report), &options))?;
    to_js_with_summary(&report, report.render())
}

/// The CS Ops week of `book` as a report a CS Ops lead reads in a browser: data quality (the
/// book's validation report), health, the back-test of the scorecard (default: the default
/// heuristic), its re-calibration with held-out proof, next quarter's renewal forecast
/// reconciled with the CRM, retention, segmentation and coverage, and the plays (default:
/// the sponsor-left play) replayed log-only with their effects. Each section gives its answer
/// in one sentence, then its charts (SVG, with a title and a text alternative), then the
/// tables behind them. `reportHtml` makes the page; `summary` is the report as text. The
/// options and their defaults are the core's (`WeekOptions`), as in Rust and Python.
#[napi(
    ts_args_type = "book: Book, options?: WeekReportOptions | null",
    ts_return_type = "Report & Summary"
)]
pub fn week_report(env: Env, book: Unknown, options: Option<Unknown>) -> napi::Result<Js> {
    js(&env, || week_args(&env, book, options).and_then(run_week))
}

/// `weekReport` on a worker thread. Every error (including a bad argument) rejects the
/// promise; nothing is thrown synchronously.
#[napi(
    ts_args_type = "book: Book, options?: WeekReportOptions | null",
    ts_return_type = "Promise<Report & Summary>"
)]
pub fn week_report_async(
    env: Env,
    book: Unknown,
    options: Option<Unknown>,
) -> AsyncTask<WeekReportTask> {
    AsyncTask::new(WeekReportTask {
        input: Some(week_args(&env, book, options)),
    })
}

/// Reports made on a worker thread (`weekReportAsync`).
#[derive(Debug)]
pub struct WeekReportTask {
    input: Option<Result<WeekInput, Failure>>,
}

#[napi]
impl Task for WeekReportTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_week(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the report task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// A report as `weekReport` gave it (or its JSON parsed), read back by the core.
fn report(env: &Env, v: Unknown) -> Result<Report, Failure> {
    let value = crate::options::value_of(env, "report", v, 0)?.unwrap_or(Value::Null);
    let value = match value {
        // The text `summary` is the report's own rendering, not part of it.
        Value::Object(mut fields) => {
            fields.remove("summary");
            Value::Object(fields)
        }
        other => other,
    };
    csops_core::options::from_argument("report", value, Casing::Camel).map_err(Failure::Core)
}

/// The report as one self-contained HTML page: no script, font, image or request outside
/// the file; one section a page when printed. The same bytes as Rust's and Python's.
#[napi(ts_args_type = "report: Report")]
pub fn report_html(env: Env, report_: Unknown) -> napi::Result<String> {
    js(&env, || {
        let r = report(&env, report_)?;
        guard(|| r.render_html())
    })
}

/// Write the report's page to `path` (a `CSOPS_IO` error when it cannot be written).
#[napi(ts_args_type = "report: Report, path: string")]
pub fn write_report_html(env: Env, report_: Unknown, path: String) -> napi::Result<()> {
    js(&env, || {
        let r = report(&env, report_)?;
        guard(|| r.write_html(&path))
    })
}

/// Options of `weekReport` and `weekReportAsync`. Every key is optional (`null` or absent:
/// the default); an unknown key or a value of the wrong type is a `CSOPS_INVALID_ARGUMENT`
/// error, an invalid value a `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct WeekReportOptions {
    /// The report's day (default: the book's latest date).
    #[napi(ts_type = "string | Date")]
    pub as_of: Option<String>,
    /// The title (default: `CS Ops week to <asOf>`).
    pub title: Option<String>,
    /// The scorecard of today's health and the back-test (default: the default heuristic).
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
    /// The tier rules (default: `TierRules.default()`).
    #[napi(ts_type = "TierRules")]
    pub tier_rules: Option<String>,
    /// The plays replayed log-only (default: `Playbook.sponsorLeft()`).
    #[napi(ts_type = "Playbook")]
    pub playbook: Option<String>,
    /// How many days back the would-have-fired list covers (default 28).
    pub replay_days: Option<u32>,
    /// How many days back the plays' effects are measured over (default 540).
    pub effect_days: Option<u32>,
}
