//! Reading JavaScript arguments. Entry points take `Unknown` and convert here, so a value of
//! the wrong type is a `CSOPS_INVALID_ARGUMENT` error naming the argument (rather than a
//! generic Node-API error); the TypeScript signatures are given with `ts_args_type`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use csops_core::backtest::{BacktestConfig, RecalibrationConfig};
use csops_core::features::{FeatureColumn, FeatureConfig, FeatureFrame};
use csops_core::forecast::{
    ForecastConfig, ForecastOptions as CoreForecastOptions, Health as CoreHealth, ReconcileConfig,
    RenewalForecast as CoreRenewalForecast,
};
use csops_core::health::{Override as CoreOverride, ScoreDetail, Scorecard};
use csops_core::interchange::{LoadOptions as CoreLoadOptions, LoadSettings};
use csops_core::options::{Casing, Document, from_argument};
use csops_core::retention::{Cut, Period};
use napi::bindgen_prelude::{
    Array, ClassInstance, Float64ArraySlice, FromNapiValue, Function, JavaScriptClassExt,
    JsObjectValue, JsValuesTupleIntoVec, Object, Unknown,
};
use napi::{Env, JsDate, JsString, JsValue, UnknownRef, ValueType};
use napi_derive::napi;
use serde::Deserialize;

use crate::error::{Failure, guard, invalid};

/// Options of `loadBook`, `loadBookAsync`, `loadBookJson` and `loadBookCsv`. An unknown key is
/// a `CSOPS_INVALID_ARGUMENT` error (so a misspelt option is never silently ignored).
/// Declared for TypeScript only: the options are read by the core (`LoadSettings`), so both
/// languages accept the same forms (a map as an object, its TOML or JSON text, or the path of
/// a `.toml` / `.json` file).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct LoadOptions {
    /// `'strict'` (the default): any problem fails the load with a `CSOPS_VALIDATION` error
    /// listing every problem. `'lenient'`: valid rows load, and `book.report` lists the
    /// problems and the rejected rows.
    #[napi(ts_type = "'strict' | 'lenient'")]
    pub mode: Option<String>,
    /// Column renames for exports whose headers differ from csops' names: file stem (or
    /// `'*'`) → export header → csops column (`''` ignores a column, `'attr.<name>'` keeps it
    /// as an account attribute). Either that object, or the same map as TOML text
    /// (`[accounts]` then `"Account ID" = "id"` on the next line), or the path of a `.toml` or
    /// `.json` file. Bad targets are a `CSOPS_CONFIG` error.
    #[napi(ts_type = "Record<string, Record<string, string>> | string")]
    pub header_map: Option<String>,
    /// Async variants only: called with the load's progress (`{ stage, done, total, unit }`).
    #[napi(ts_type = "(progress: ProgressEvent) => void")]
    pub on_progress: Option<String>,
    /// Async variants only: aborting it stops the load (a `CSOPS_CANCELLED` `AbortError`).
    #[napi(
        ts_type = "{ readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void }"
    )]
    pub signal: Option<String>,
    /// Which of a team's own export files holds which record type, and how their columns,
    /// values and shapes map onto csops' (`docs/importing.md`): the source map as an object
    /// (the same keys as its TOML form: `{ accounts: { files: ['crm.csv'], columns: {...} } }`)
    /// or as TOML text, or the path of a `.toml` or `.json` file. Every problem in it is one
    /// `CSOPS_CONFIG` error.
    #[napi(
        ts_type = "{ missing_values?: string[] } & { [recordType: string]: string[] | { files?: string[]; ignore?: string[]; columns?: Record<string, string | SourceColumn>; wide?: { metrics?: Record<string, string>; period?: 'week' | 'month' | 'quarter' | 'year' }; events?: { action?: string | SourceColumn; date?: string | SourceColumn; added?: string[]; removed?: string[]; removal_without_addition?: 'account_start' | 'reject' } } } | string"
    )]
    pub source_map: Option<String>,
}

/// Where one column of a source map comes from (the table form; a string is a header).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct SourceColumn {
    /// The export's header.
    pub from: Option<String>,
    /// A constant for an empty cell or an absent column.
    #[napi(ts_type = "string | number | boolean")]
    pub default: Option<String>,
    /// A multiplier, applied exactly in decimal.
    pub scale: Option<f64>,
    /// A date or timestamp format, in strftime notation.
    pub format: Option<String>,
    /// The export's words → csops' values.
    pub values: Option<HashMap<String, String>>,
    /// `id` only: the key columns it is derived from.
    pub derive: Option<Vec<String>>,
}

/// The JavaScript type of a value, for messages.
pub(crate) fn type_name(v: &Unknown) -> &'static str {
    match v.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::BigInt) => "a bigint",
        Ok(ValueType::Function) => "a function",
        Ok(ValueType::Object) if v.is_array().unwrap_or(false) => "an array",
        Ok(ValueType::Object) => "an object",
        _ => "an unknown value",
    }
}

pub(crate) fn napi_failure(what: &str, e: napi::Error) -> Failure {
    invalid(format!("{what}: {}", e.reason))
}

/// `None` for `undefined` and `null` (an omitted optional argument).
pub(crate) fn present(v: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
    v.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null)))
}

/// A string argument.
pub(crate) fn string(name: &str, v: Unknown) -> Result<String, Failure> {
    if !matches!(v.get_type(), Ok(ValueType::String)) {
        return Err(invalid(format!(
            "`{name}` must be a string, got {}",
            type_name(&v)
        )));
    }
    String::from_unknown(v).map_err(|e| napi_failure(name, e))
}

/// An account id argument: a string, or an integral number (as Python takes an int), which
/// stands for its decimal text.
pub(crate) fn account_id(name: &str, v: Unknown) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::Number)) {
        let x = f64::from_unknown(v).map_err(|e| napi_failure(name, e))?;
        // Integers exactly representable as numbers only (|x| < 2^53).
        if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
            return Ok(format!("{}", x as i64));
        }
        return Err(invalid(format!(
            "`{name}` must be a string or a whole number, got {x}"
        )));
    }
    if !matches!(v.get_type(), Ok(ValueType::String)) {
        return Err(invalid(format!(
            "`{name}` must be a string or a whole number, got {}",
            type_name(&v)
        )));
    }
    string(name, v)
}

/// A plain-object argument (not an array, not null).
pub(crate) fn require_object(name: &str, v: &Unknown, expected: &str) -> Result<(), Failure> {
    if matches!(v.get_type(), Ok(ValueType::Object)) && !v.is_array().unwrap_or(true) {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{name}` must be {expected}, got {}",
            type_name(v)
        )))
    }
}

/// A day: an ISO `YYYY-MM-DD` string, or a `Date` (its UTC calendar day, as
/// `date.toISOString().slice(0, 10)` shows it). A string that is not a day is `CSOPS_CONFIG`,
/// as in Python; another type `CSOPS_INVALID_ARGUMENT`.
pub(crate) fn date(name: &str, v: Unknown) -> Result<NaiveDate, Failure> {
    let expected = "an ISO date string (YYYY-MM-DD) or a Date";
    if matches!(v.get_type(), Ok(ValueType::String)) {
        let s = string(name, v)?;
        // The core's one rule for a day argument, and its error kind: text that is not a day
        // is a value the core refuses (`CSOPS_CONFIG`, Python's ConfigError); a value of
        // another type a `CSOPS_INVALID_ARGUMENT` (Python's TypeError).
        return csops_core::interchange::parse_day(&s)
            .map_err(|e| config_problem(format!("`{name}`: {e}")));
    }
    if v.is_date().unwrap_or(false) {
        let ms = JsDate::from_unknown(v)
            .and_then(|d| d.value_of())
            .map_err(|e| napi_failure(name, e))?;
        if !ms.is_finite() {
            return Err(invalid(format!("`{name}` is an invalid Date")));
        }
        return DateTime::from_timestamp_millis(ms as i64)
            .map(|t| t.date_naive())
            .ok_or_else(|| invalid(format!("`{name}` is a Date out of range")));
    }
    Err(invalid(format!(
        "`{name}` must be {expected}, got {}",
        type_name(&v)
    )))
}

/// Load options (`undefined` or `null`: the defaults) of a synchronous call (`onProgress`
/// and `signal` are an error there).
pub(crate) fn load_options(env: &Env, v: Option<Unknown>) -> Result<CoreLoadOptions, Failure> {
    let (v, _) = crate::progress::take(env, "options", v, false)?;
    read_load_options(env, v)
}

/// Load options of an async call: with `onProgress` and `signal` as its progress hook.
pub(crate) fn load_options_async(
    env: &Env,
    v: Option<Unknown>,
) -> Result<CoreLoadOptions, Failure> {
    let (v, hook) = crate::progress::take(env, "options", v, true)?;
    let mut opts = read_load_options(env, v)?;
    opts.progress = hook;
    Ok(opts)
}

fn read_load_options(env: &Env, v: Option<Unknown>) -> Result<CoreLoadOptions, Failure> {
    let (settings, _): (LoadSettings, _) = crate::options::read(env, "options", v, &[])?;
    guard(|| settings.options())
}

/// CSV texts keyed by file stem.
pub(crate) fn csv_texts(env: &Env, v: Unknown) -> Result<BTreeMap<String, String>, Failure> {
    require_object(
        "texts",
        &v,
        "an object of CSV texts keyed by file stem, such as { accounts: '...' }",
    )?;
    env.from_js_value(v).map_err(|e| napi_failure("texts", e))
}

/// A feature configuration: `undefined`/`null` (the defaults), an object with the core's
/// snake_case keys, or its JSON (text starting with `{`) or TOML text. Everything but the
/// argument's type is checked by the core, which reports a `CSOPS_CONFIG` error.
pub(crate) fn feature_config(env: &Env, v: Option<Unknown>) -> Result<FeatureConfig, Failure> {
    feature_config_named(env, "config", v)
}

/// [`feature_config`] for the argument (or option) called `name`.
pub(crate) fn feature_config_named(
    env: &Env,
    name: &str,
    v: Option<Unknown>,
) -> Result<FeatureConfig, Failure> {
    let Some(v) = present(v) else {
        return Ok(FeatureConfig::default());
    };
    let doc = document(env, name, v)?;
    guard(|| doc.read(FeatureConfig::from_json, FeatureConfig::from_toml))
}

/// A configuration document argument: an object, its TOML or JSON text, or the path of a
/// `.toml` or `.json` file, told apart by the core's one rule (`options::Document`).
pub(crate) fn document(env: &Env, name: &str, v: Unknown) -> Result<Document, Failure> {
    let value = crate::options::value_of(env, name, v, 0)?.unwrap_or_default();
    guard(|| from_argument(name, value, Casing::Camel))
}

/// A number argument (`NaN` and infinities included: what they mean is the core's business).
pub(crate) fn number(name: &str, v: Unknown) -> Result<f64, Failure> {
    if !matches!(v.get_type(), Ok(ValueType::Number)) {
        return Err(invalid(format!(
            "`{name}` must be a number, got {}",
            type_name(&v)
        )));
    }
    f64::from_unknown(v).map_err(|e| napi_failure(name, e))
}

/// An optional number argument (`undefined` or `null`: `None`).
pub(crate) fn optional_number(name: &str, v: Option<Unknown>) -> Result<Option<f64>, Failure> {
    present(v).map(|v| number(name, v)).transpose()
}

/// One feature value: a number (`NaN` = missing), or `null`/`undefined` (missing).
fn feature_value(what: impl FnOnce() -> String, v: Unknown) -> Result<f64, Failure> {
    match v.get_type() {
        Ok(ValueType::Number) => f64::from_unknown(v).map_err(|e| napi_failure(&what(), e)),
        Ok(ValueType::Null | ValueType::Undefined) => Ok(f64::NAN),
        _ => Err(invalid(format!(
            "{} must be a number or null, got {}",
            what(),
            type_name(&v)
        ))),
    }
}

/// The own enumerable string keys of a plain object, each with its value. (`Object::keys`
/// would also list inherited enumerable keys, and would fail on a key holding a NUL.)
pub(crate) fn entries<'env>(
    env: &'env Env,
    name: &str,
    v: Unknown<'env>,
    expected: &str,
) -> Result<Vec<(String, Unknown<'env>)>, Failure> {
    require_object(name, &v, expected)?;
    let fail = |e| napi_failure(name, e);
    let object = Object::from_unknown(v).map_err(fail)?;
    let keys = global(env, "Object", "keys")?
        .call(object.to_unknown())
        .and_then(Array::from_unknown)
        .map_err(fail)?;
    let mut out = Vec::with_capacity(keys.len() as usize);
    for i in 0..keys.len() {
        let key: Option<JsString> = keys.get(i).map_err(fail)?;
        let Some(key) = key else { continue };
        let value: Unknown = object.get_property(key).map_err(fail)?;
        let key = key.into_utf8().and_then(|k| k.into_owned()).map_err(fail)?;
        out.push((key, value));
    }
    Ok(out)
}

/// A function of the JavaScript global scope, such as `JSON.stringify`.
pub(crate) fn global<'env>(
    env: &'env Env,
    object: &str,
    function: &str,
) -> Result<Function<'env, Unknown<'env>, Unknown<'env>>, Failure> {
    env.get_global()
        .and_then(|g| g.get_named_property_unchecked::<Object>(object))
        .and_then(|o| o.get_named_property::<Function<Unknown, Unknown>>(function))
        .map_err(|e| Failure::Internal(format!("{object}.{function}: {}", e.reason)))
}

/// A scorecard argument as JSON text: a string as given, or an object as `JSON.stringify`
/// writes it (so `fromJson(obj)` is `fromJson(JSON.stringify(obj))`; the core parses and
/// validates either, and its recursion limit guards against absurdly deep objects).
pub(crate) fn scorecard_json(env: &Env, v: Unknown) -> Result<String, Failure> {
    json_text(
        env,
        v,
        "a scorecard object (snake_case keys, as in scorecard files) or its JSON text",
    )
}

/// A model set argument as JSON text, read as [`scorecard_json`] reads a scorecard.
pub(crate) fn model_set_json(env: &Env, v: Unknown) -> Result<String, Failure> {
    json_text(
        env,
        v,
        "a model set object { default, by_segment } (snake_case keys) or its JSON text",
    )
}

/// The `json` argument as JSON text: a string as given, an object as `JSON.stringify` writes it.
fn json_text(env: &Env, v: Unknown, expected: &str) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        return string("json", v);
    }
    require_object("json", &v, expected)?;
    let text = global(env, "JSON", "stringify")?
        .call(v)
        .map_err(|e| invalid(format!("`json` cannot be written as JSON: {}", e.reason)))?;
    string("json", text)
}

/// Options of `score`, `scoreAsync` and `explain`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreOptions {
    /// One segment per account (row), for percentile measures ranking `per_segment`.
    pub segments: Option<Vec<String>>,
    /// Whether `score` and `scoreAsync` return each measure's contributions (default
    /// `true`). With `false` the result has no `contributions` key, and scoring is faster and
    /// needs a fraction of the memory. `explain` always gives the full breakdown.
    pub contributions: Option<bool>,
}

impl ScoreOptions {
    /// How much of the result to keep.
    pub(crate) fn detail(&self) -> ScoreDetail {
        match self.contributions {
            Some(false) => ScoreDetail::ScoresOnly,
            Some(true) | None => ScoreDetail::Full,
        }
    }
}

/// Score options (`undefined` or `null`: the defaults).
pub(crate) fn score_options(env: &Env, v: Option<Unknown>) -> Result<ScoreOptions, Failure> {
    let Some(v) = present(v) else {
        return Ok(ScoreOptions::default());
    };
    require_object(
        "options",
        &v,
        "an object such as { segments: [...], contributions: false }",
    )?;
    env.from_js_value(v).map_err(|e| napi_failure("options", e))
}

/// A feature column as read from JavaScript, before it is used.
pub(crate) enum ColumnArg<'env> {
    /// A `Float64Array`, read in place once every argument has been read.
    Typed(Unknown<'env>),
    /// An array of numbers and nulls, copied.
    Plain(Vec<f64>),
}

/// Account ids given as a JavaScript array of strings. Scoring columns never reads them (a
/// million ids would cost more to copy than the scores cost to compute): they are checked to
/// be strings, and the result hands the same array back. They are read only where the core
/// needs them (a frame, an error naming an account).
pub(crate) struct JsIds<'env> {
    array: Array<'env>,
    len: usize,
}

impl fmt::Debug for JsIds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsIds").field("len", &self.len).finish()
    }
}

/// The name of the ids argument, in messages.
const IDS: &str = "input.accountIds";

impl<'env> JsIds<'env> {
    fn new(v: Unknown<'env>) -> Result<Self, Failure> {
        if !v.is_array().unwrap_or(false) {
            return Err(invalid(format!(
                "`{IDS}` must be an array of strings, got {}",
                type_name(&v)
            )));
        }
        let array = Array::from_unknown(v).map_err(|e| napi_failure(IDS, e))?;
        let len = array.len() as usize;
        Ok(JsIds { array, len })
    }

    /// How many ids.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The array itself.
    pub(crate) fn value(&self) -> Unknown<'env> {
        self.array.to_unknown()
    }

    /// Check that every element is a string and that the array kept its length (reading an
    /// element may run a getter). Runs JavaScript: call it before borrowing any
    /// `Float64Array`.
    fn check(&self, env: &Env) -> Result<(), Failure> {
        if let Some(i) = first_non_string(env, IDS, self.value())? {
            let item: Option<Unknown> = self.array.get(i).map_err(|e| napi_failure(IDS, e))?;
            return Err(invalid(format!(
                "`{IDS}[{i}]` must be a string, got {}",
                item.as_ref().map_or("undefined", type_name)
            )));
        }
        if self.array.len() as usize != self.len {
            return Err(invalid(format!(
                "`{IDS}` changed its length while it was read"
            )));
        }
        Ok(())
    }

    /// The ids, copied (one Node-API call per id: only where the core needs them).
    pub(crate) fn read(&self) -> Result<Vec<String>, Failure> {
        string_array(IDS, self.value())
    }
}

/// A function of this module written in JavaScript, for a loop over every element of a large
/// array: run by the JIT, it costs a fraction of the one Node-API call per element the same
/// loop written in Rust would make.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Helper {
    /// `(a) => index of the first element of the array `a` that is not a string, or -1`.
    FirstNonString,
    /// `(codes, table) => an array with table[code] for each code of the Uint8Array `codes``
    /// (`table` has an entry for every code).
    Names,
    /// `(obj, codes, table) => obj` with a `bands` getter: `table[code]` for each code of the
    /// Uint8Array `codes`, made on first read and kept.
    LazyBands,
}

impl Helper {
    const ALL: [Helper; 3] = [Helper::FirstNonString, Helper::Names, Helper::LazyBands];

    fn source(self) -> &'static str {
        match self {
            Helper::FirstNonString => {
                "(function firstNonString(a) { const n = a.length; for (let i = 0; i < n; i++) if (typeof a[i] !== 'string') return i; return -1; })"
            }
            Helper::Names => {
                "(function names(codes, table) { const n = codes.length; const out = new Array(n); for (let i = 0; i < n; i++) out[i] = table[codes[i]]; return out; })"
            }
            Helper::LazyBands => {
                "(function lazyBands(obj, codes, table) { let made; Object.defineProperty(obj, 'bands', { enumerable: true, configurable: true, get() { if (made === undefined) { const n = codes.length; made = new Array(n); for (let i = 0; i < n; i++) made[i] = table[codes[i]]; } return made; }, set(v) { Object.defineProperty(obj, 'bands', { value: v, enumerable: true, configurable: true, writable: true }); } }); return obj; })"
            }
        }
    }
}

/// The helpers of one environment (a Node.js main thread or worker), compiled once and kept
/// for its life (so the JIT keeps their optimised code): its instance data.
struct Helpers(Vec<UnknownRef<false>>);

/// A helper function, compiled on first use in this environment.
pub(crate) fn helper<'env, Args: JsValuesTupleIntoVec>(
    env: &'env Env,
    which: Helper,
) -> Result<Function<'env, Args, Unknown<'env>>, Failure> {
    let fail = |e: napi::Error| Failure::Internal(format!("a helper function: {}", e.reason));
    if env.get_instance_data::<Helpers>().map_err(fail)?.is_none() {
        let compiled = Helper::ALL
            .iter()
            .map(|h| {
                let f: Unknown = env.run_script(h.source())?;
                // SAFETY: `f` is a value of this environment, alive in this call's scope.
                unsafe { UnknownRef::<false>::from_napi_value(env.raw(), f.raw()) }
            })
            .collect::<napi::Result<Vec<_>>>()
            .map_err(fail)?;
        // The references die with the environment, which frees them.
        env.set_instance_data(Helpers(compiled), (), |_| {})
            .map_err(fail)?;
    }
    let helpers = env
        .get_instance_data::<Helpers>()
        .map_err(fail)?
        .ok_or_else(|| Failure::Internal("the helper functions are gone".into()))?;
    let f = helpers.0[which as usize].get_value(env).map_err(fail)?;
    // SAFETY: the value is one of the functions compiled above, in this environment.
    unsafe { Function::from_napi_value(env.raw(), f.raw()) }.map_err(fail)
}

/// The index of the first element of the array `v` that is not a string (a hole, or anything
/// else), if any.
fn first_non_string(env: &Env, name: &str, v: Unknown) -> Result<Option<u32>, Failure> {
    let check = helper::<Unknown>(env, Helper::FirstNonString)?;
    let i = check.call(v).map_err(|e| napi_failure(name, e))?;
    let i = f64::from_unknown(i).map_err(|e| napi_failure(name, e))?;
    Ok((i >= 0.0).then_some(i as u32))
}

/// Features to score as read from JavaScript: a `FeatureFrame`, or columns whose
/// `Float64Array`s are not read yet. [`FeatureArg::finish`] reads them, once nothing else of
/// the call's arguments is left to read.
#[derive(Debug)]
pub(crate) enum FeatureArg<'env> {
    /// A `FeatureFrame` (shared, not copied).
    Frame(Arc<FeatureFrame>),
    /// Columns `{ accountIds, columns }`, each as long as `accountIds`.
    Columns {
        account_ids: JsIds<'env>,
        columns: Vec<(String, ColumnArg<'env>)>,
    },
}

impl fmt::Debug for ColumnArg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnArg::Typed(_) => f.write_str("Typed(Float64Array)"),
            ColumnArg::Plain(values) => f.debug_tuple("Plain").field(&values.len()).finish(),
        }
    }
}

/// A feature column ready to score: borrowed from a `Float64Array`, or copied from an array.
pub(crate) enum Column<'env> {
    /// The memory of a `Float64Array`, borrowed.
    Typed(Float64ArraySlice<'env>),
    /// An array of numbers and nulls, copied.
    Plain(Vec<f64>),
}

impl fmt::Debug for Column<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Typed(values) => f.debug_tuple("Typed").field(&values.len()).finish(),
            Column::Plain(values) => f.debug_tuple("Plain").field(&values.len()).finish(),
        }
    }
}

impl Column<'_> {
    fn values(&self) -> &[f64] {
        match self {
            Column::Typed(values) => values,
            Column::Plain(values) => values,
        }
    }
}

/// Features to score: a `FeatureFrame`, or columns whose `Float64Array`s are read in place.
///
/// While a value of this type lives, the `Float64Array`s it borrows must stay as they are:
/// no JavaScript may run (a getter could detach or shrink their buffers). So it is made by
/// [`FeatureArg::finish`] after every other argument has been read, and used (scored, copied)
/// before anything is handed back to JavaScript. [`Features::into_owned`] copies them first,
/// for what needs to run JavaScript (reading the ids).
#[derive(Debug)]
pub(crate) enum Features<'env> {
    /// A `FeatureFrame` (shared, not copied).
    Frame(Arc<FeatureFrame>),
    /// Columns, each as long as `account_ids`.
    Columns {
        account_ids: JsIds<'env>,
        columns: Vec<(String, Column<'env>)>,
    },
}

/// Features owned by Rust: what an async task takes to its worker thread (the account ids of
/// columns stay in JavaScript).
#[derive(Debug)]
pub(crate) enum OwnedFeatures {
    /// A `FeatureFrame` (shared, not copied).
    Frame(Arc<FeatureFrame>),
    /// Copied columns.
    Columns(Vec<(String, Vec<f64>)>),
}

/// The columns to score, borrowed: a frame, or bare columns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FeaturesRef<'a> {
    /// A feature frame.
    Frame(&'a FeatureFrame),
    /// Columns (feature name, values), each as long as the batch.
    Columns(&'a [(&'a str, &'a [f64])]),
}

fn column_length_error(name: &str, len: usize, n: usize) -> Failure {
    invalid(format!("column `{name}` has {len} values for {n} accounts"))
}

impl<'env> FeatureArg<'env> {
    /// Check the ids and read the `Float64Array`s in place. Call it after every other argument
    /// has been read (reading them can run JavaScript getters): each array is checked again,
    /// in case such a getter changed it since it was first seen.
    pub(crate) fn finish(self, env: &Env) -> Result<Features<'env>, Failure> {
        let (account_ids, columns) = match self {
            FeatureArg::Frame(frame) => return Ok(Features::Frame(frame)),
            FeatureArg::Columns {
                account_ids,
                columns,
            } => (account_ids, columns),
        };
        // The last JavaScript run (element getters) before the arrays are borrowed.
        account_ids.check(env)?;
        let n = account_ids.len();
        let columns = columns
            .into_iter()
            .map(|(name, column)| {
                let column = match column {
                    ColumnArg::Plain(values) => Column::Plain(values),
                    ColumnArg::Typed(v) => {
                        let values: Float64ArraySlice<'env> = typed_column(&name, v)?;
                        if values.len() != n {
                            return Err(column_length_error(&name, values.len(), n));
                        }
                        Column::Typed(values)
                    }
                };
                Ok((name, column))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        Ok(Features::Columns {
            account_ids,
            columns,
        })
    }
}

impl<'env> Features<'env> {
    /// The columns as (feature name, values) pairs, for [`FeaturesRef::Columns`]; empty for
    /// a frame.
    pub(crate) fn column_refs(&self) -> Vec<(&str, &[f64])> {
        match self {
            Features::Frame(_) => Vec::new(),
            Features::Columns { columns, .. } => columns
                .iter()
                .map(|(name, c)| (name.as_str(), c.values()))
                .collect(),
        }
    }

    /// The features to score; `columns` is [`Features::column_refs`].
    pub(crate) fn as_ref<'a>(&'a self, columns: &'a [(&'a str, &'a [f64])]) -> FeaturesRef<'a> {
        match self {
            Features::Frame(frame) => FeaturesRef::Frame(frame),
            Features::Columns { .. } => FeaturesRef::Columns(columns),
        }
    }

    /// The features owned by Rust (the `Float64Array`s copied, so JavaScript may run again),
    /// and the account ids of columns, still in JavaScript.
    pub(crate) fn into_owned(self) -> (OwnedFeatures, Option<JsIds<'env>>) {
        match self {
            Features::Frame(frame) => (OwnedFeatures::Frame(frame), None),
            Features::Columns {
                account_ids,
                columns,
            } => {
                let columns = columns
                    .into_iter()
                    .map(|(name, c)| {
                        let values = match c {
                            Column::Typed(values) => {
                                let mut copy = crate::pool::F64.take(values.len());
                                copy.extend_from_slice(&values);
                                copy
                            }
                            Column::Plain(values) => values,
                        };
                        (name, values)
                    })
                    .collect();
                (OwnedFeatures::Columns(columns), Some(account_ids))
            }
        }
    }

    /// The features as a frame (columns and ids copied), for the core calls that take one.
    pub(crate) fn into_frame(self) -> Result<Arc<FeatureFrame>, Failure> {
        let (features, ids) = self.into_owned();
        let ids = ids.map(|ids| ids.read()).transpose()?;
        Ok(features.into_frame(ids.unwrap_or_default()))
    }
}

impl OwnedFeatures {
    /// Done with: the memory of copied columns is kept for the next batch.
    pub(crate) fn recycle(self) {
        if let OwnedFeatures::Columns(columns) = self {
            for (_, values) in columns {
                crate::pool::F64.give(values);
            }
        }
    }

    /// The columns as (feature name, values) pairs, for [`FeaturesRef::Columns`]; empty for
    /// a frame.
    pub(crate) fn column_refs(&self) -> Vec<(&str, &[f64])> {
        match self {
            OwnedFeatures::Frame(_) => Vec::new(),
            OwnedFeatures::Columns(columns) => columns
                .iter()
                .map(|(name, values)| (name.as_str(), values.as_slice()))
                .collect(),
        }
    }

    /// The features to score; `columns` is [`OwnedFeatures::column_refs`].
    pub(crate) fn as_ref<'a>(&'a self, columns: &'a [(&'a str, &'a [f64])]) -> FeaturesRef<'a> {
        match self {
            OwnedFeatures::Frame(frame) => FeaturesRef::Frame(frame),
            OwnedFeatures::Columns(_) => FeaturesRef::Columns(columns),
        }
    }

    /// The features as a frame, for the core calls that take one; `account_ids` name the rows
    /// of columns (a frame has its own).
    pub(crate) fn into_frame(self, account_ids: Vec<String>) -> Arc<FeatureFrame> {
        match self {
            OwnedFeatures::Frame(frame) => frame,
            OwnedFeatures::Columns(columns) => Arc::new(frame_of(
                account_ids,
                columns
                    .into_iter()
                    .map(|(name, values)| FeatureColumn { name, values })
                    .collect(),
            )),
        }
    }
}

/// A frame of bare columns, for the core calls that need a [`FeatureFrame`] (`explain`, model
/// sets). Those never read the day; the frame type needs one.
pub(crate) fn frame_of(account_ids: Vec<String>, columns: Vec<FeatureColumn>) -> FeatureFrame {
    FeatureFrame {
        as_of: NaiveDate::default(),
        account_ids,
        columns,
        missing_notes: Vec::new(),
    }
}

/// Features to score: a `FeatureFrame` (shared, not copied), or columns `{ accountIds,
/// columns }` (arrays copied here, `Float64Array`s read in place and the ids checked by
/// [`FeatureArg::finish`]).
pub(crate) fn score_input<'env>(
    env: &'env Env,
    v: Unknown<'env>,
) -> Result<FeatureArg<'env>, Failure> {
    let expected = "a FeatureFrame or columns { accountIds: string[], columns: { feature: Float64Array | number[] } }";
    require_object("input", &v, expected)?;
    if crate::book::FeatureFrame::instance_of(env, &v).unwrap_or(false) {
        let frame = ClassInstance::<crate::book::FeatureFrame>::from_unknown(v)
            .map_err(|e| napi_failure("input", e))?;
        return Ok(FeatureArg::Frame(frame.shared()));
    }
    let mut account_ids = None;
    let mut columns = None;
    for (key, value) in entries(env, "input", v, expected)? {
        match key.as_str() {
            "accountIds" => account_ids = Some(JsIds::new(value)?),
            "columns" => columns = Some(value),
            _ => {
                return Err(invalid(format!(
                    "`input` has an unknown key `{key}`; expected {expected}"
                )));
            }
        }
    }
    let (Some(account_ids), Some(columns)) = (account_ids, columns) else {
        return Err(invalid(format!(
            "`input` needs both `accountIds` and `columns`: {expected}"
        )));
    };
    let n = account_ids.len();
    let mut out = Vec::new();
    for (name, column) in entries(
        env,
        "input.columns",
        columns,
        "an object of feature columns (Float64Array or number[]) keyed by feature name",
    )? {
        let (len, column) = number_column(&name, column)?;
        if len != n {
            return Err(column_length_error(&name, len, n));
        }
        out.push((name, column));
    }
    Ok(FeatureArg::Columns {
        account_ids,
        columns: out,
    })
}

/// An array of strings.
pub(crate) fn string_array(name: &str, v: Unknown) -> Result<Vec<String>, Failure> {
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`{name}` must be an array of strings, got {}",
            type_name(&v)
        )));
    }
    let fail = |e| napi_failure(name, e);
    let array = Array::from_unknown(v).map_err(fail)?;
    (0..array.len())
        .map(|i| {
            let item: Unknown = array
                .get(i)
                .map_err(fail)?
                .ok_or_else(|| invalid(format!("`{name}[{i}]` must be a string, got undefined")))?;
            if !matches!(item.get_type(), Ok(ValueType::String)) {
                return Err(invalid(format!(
                    "`{name}[{i}]` must be a string, got {}",
                    type_name(&item)
                )));
            }
            String::from_unknown(item).map_err(fail)
        })
        .collect()
}

/// A column given as a typed array: a `Float64Array`, read in place.
fn typed_column<'env>(name: &str, v: Unknown<'env>) -> Result<Float64ArraySlice<'env>, Failure> {
    Float64ArraySlice::from_unknown(v).map_err(|_| {
        invalid(format!(
            "column `{name}` must be a Float64Array or an array of numbers, got another typed array"
        ))
    })
}

/// A numeric column, with its length: a `Float64Array` (read later, in place), or an array of
/// numbers and nulls (`NaN` or `null` = missing), copied.
fn number_column<'env>(name: &str, v: Unknown<'env>) -> Result<(usize, ColumnArg<'env>), Failure> {
    let what = || format!("column `{name}`");
    if v.is_typedarray().unwrap_or(false) {
        let len = typed_column(name, v)?.len();
        return Ok((len, ColumnArg::Typed(v)));
    }
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "{} must be a Float64Array or an array of numbers, got {}",
            what(),
            type_name(&v)
        )));
    }
    let array = Array::from_unknown(v).map_err(|e| napi_failure(&what(), e))?;
    let values = (0..array.len())
        .map(|i| {
            let item: Option<Unknown> = array.get(i).map_err(|e| napi_failure(&what(), e))?;
            match item {
                Some(item) => feature_value(|| format!("{}[{i}]", what()), item),
                None => Ok(f64::NAN),
            }
        })
        .collect::<Result<Vec<f64>, Failure>>()?;
    Ok((values.len(), ColumnArg::Plain(values)))
}

/// Feature values of one account, keyed by feature name (`null` or `NaN` = missing).
pub(crate) fn feature_values(env: &Env, v: Unknown) -> Result<BTreeMap<String, f64>, Failure> {
    entries(
        env,
        "values",
        v,
        "an object of feature values (number or null) keyed by feature name",
    )?
    .into_iter()
    .map(|(name, value)| {
        let x = feature_value(|| format!("`values.{name}`"), value)?;
        Ok((name, x))
    })
    .collect()
}

/// Options of `modelSet.score` and `modelSet.scoreAsync`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ModelSetScoreOptions {
    /// One segment per account (row): it picks the row's scorecard.
    pub segments: Vec<String>,
}

/// `modelSet.score` options as read: [`ModelSetScoreOptions`] with `segments` optional, so
/// that its absence gets a message of its own.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ModelSetScoreOptionsArg {
    segments: Option<Vec<String>>,
}

/// Model set score options: the segments (required).
pub(crate) fn model_set_score_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<Vec<String>, Failure> {
    let missing = || invalid("`options.segments` is required: one segment per account");
    let v = present(v).ok_or_else(missing)?;
    require_object("options", &v, "an object such as { segments: [...] }")?;
    let opts: ModelSetScoreOptionsArg = env
        .from_js_value(v)
        .map_err(|e| napi_failure("options", e))?;
    opts.segments.ok_or_else(missing)
}

/// A manual override, as `scorecard.applyOverrides` reads it. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error; the values are checked by the core (`CSOPS_CONFIG`).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct Override {
    /// The account.
    pub account_id: String,
    /// The score to report instead (0–100), if any.
    #[napi(ts_type = "number | null")]
    pub score: Option<f64>,
    /// The band to report instead, if any.
    #[napi(ts_type = "string | null")]
    pub band: Option<String>,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// The first day it no longer applies: `YYYY-MM-DD` or a `Date` (its UTC day).
    #[napi(ts_type = "string | Date")]
    pub expires: String,
}

/// Overrides: an array of `{ accountId, score?, band?, reason, author, expires }`, read by the
/// core (`health::overrides_from_value`), which lists every problem of every override in one
/// `CSOPS_CONFIG` error (an argument that is not an array is `CSOPS_INVALID_ARGUMENT`).
pub(crate) fn overrides(env: &Env, v: Unknown) -> Result<Vec<CoreOverride>, Failure> {
    let value = crate::options::value_of(env, "overrides", v, 0)?.unwrap_or_default();
    guard(|| csops_core::health::overrides_from_value(&value, Casing::Camel))
}

/// Options of `scorecard.applyOverrides`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ApplyOverridesOptions {
    /// The day the overrides are judged on: those expiring after it apply. `YYYY-MM-DD` or a
    /// `Date` (its UTC day).
    #[napi(ts_type = "string | Date")]
    pub as_of: String,
    /// One segment per account (row), for percentile measures ranking `per_segment`.
    #[napi(ts_type = "Array<string> | null")]
    pub segments: Option<Vec<String>>,
}

/// `applyOverrides` options: the day, and the segments if given.
pub(crate) fn apply_overrides_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<(NaiveDate, Option<Vec<String>>), Failure> {
    let expected = "an object such as { asOf: '2024-06-30', segments: [...] }";
    let v = present(v).ok_or_else(|| invalid(format!("`options` must be {expected}")))?;
    let (mut as_of, mut segments) = (None, None);
    for (key, value) in entries(env, "options", v, expected)? {
        match key.as_str() {
            "asOf" => as_of = Some(date("options.asOf", value)?),
            "segments" => {
                segments = present(Some(value))
                    .map(|v| string_array("options.segments", v))
                    .transpose()?
            }
            _ => {
                return Err(invalid(format!(
                    "`options` has an unknown key `{key}`; expected {expected}"
                )));
            }
        }
    }
    let as_of = as_of.ok_or_else(|| invalid(format!("`options.asOf` is required: {expected}")))?;
    Ok((as_of, segments))
}

// ---------------------------------------------------------------------------------------------
// Back-testing.
// ---------------------------------------------------------------------------------------------

/// A configuration problem found while reading an option: a `CSOPS_CONFIG` error, as the core
/// reports the problems it finds in a configuration.
pub(crate) fn config_problem(message: String) -> Failure {
    Failure::Core(csops_core::Error::Config(vec![message]))
}

/// A `Book` argument (shared, not copied).
pub(crate) fn book(env: &Env, v: Unknown) -> Result<Arc<csops_core::interchange::Loaded>, Failure> {
    if crate::book::Book::instance_of(env, &v).unwrap_or(false) {
        let book = ClassInstance::<crate::book::Book>::from_unknown(v)
            .map_err(|e| napi_failure("book", e))?;
        return Ok(book.shared());
    }
    Err(invalid(format!(
        "`book` must be a Book (from loadBook), got {}",
        type_name(&v)
    )))
}

/// A `Scorecard` argument (shared, not copied).
pub(crate) fn scorecard(env: &Env, v: Unknown) -> Result<Arc<Scorecard>, Failure> {
    if crate::health::Scorecard::instance_of(env, &v).unwrap_or(false) {
        let card = ClassInstance::<crate::health::Scorecard>::from_unknown(v)
            .map_err(|e| napi_failure("scorecard", e))?;
        return Ok(card.shared());
    }
    Err(invalid(format!(
        "`scorecard` must be a Scorecard (from Scorecard.fromJson, Scorecard.fromToml or \
         Scorecard.defaultHeuristic), got {}",
        type_name(&v)
    )))
}

/// A boolean argument.
pub(crate) fn boolean(name: &str, v: Unknown) -> Result<bool, Failure> {
    if !matches!(v.get_type(), Ok(ValueType::Boolean)) {
        return Err(invalid(format!(
            "`{name}` must be a boolean, got {}",
            type_name(&v)
        )));
    }
    bool::from_unknown(v).map_err(|e| napi_failure(name, e))
}

/// A count of days or quarters: a number (else `CSOPS_INVALID_ARGUMENT`) that is a whole
/// number the core's `u32` holds (else `CSOPS_CONFIG`, like the core's own range checks).
pub(crate) fn whole_number(name: &str, v: Unknown) -> Result<u32, Failure> {
    let x = number(name, v)?;
    if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) {
        Ok(x as u32)
    } else {
        Err(config_problem(format!(
            "`{name}` must be a whole number from 0 to {}, got {x}",
            u32::MAX
        )))
    }
}

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

// ---------------------------------------------------------------------------------------------
// Revenue: retention, health on a day, the renewal forecast and its reconciliation.
// ---------------------------------------------------------------------------------------------

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

/// An optional day (`undefined` or `null`: `None`).
pub(crate) fn optional_date(name: &str, v: Option<Unknown>) -> Result<Option<NaiveDate>, Failure> {
    present(v).map(|v| date(name, v)).transpose()
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
    let (options, data): (CoreForecastOptions, _) =
        crate::options::read(env, "options", v, &["health"])?;
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
