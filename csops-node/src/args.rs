//! Reading JavaScript arguments. Entry points take `Unknown` and convert here, so a value of
//! the wrong type is a `CSOPS_INVALID_ARGUMENT` error naming the argument (rather than a
//! generic Node-API error); the TypeScript signatures are given with `ts_args_type`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use csops_core::backtest::{
    BacktestConfig, IsotonicMap, ProbabilityMap, ProbabilityMethod, RecalibrationConfig,
};
use csops_core::book::LoadMode;
use csops_core::features::{FeatureColumn, FeatureConfig, FeatureFrame};
use csops_core::health::{Override as CoreOverride, ScoreDetail, Scorecard};
use csops_core::interchange::{HeaderMap, LoadOptions as CoreLoadOptions};
use napi::bindgen_prelude::{
    Array, ClassInstance, Float64ArraySlice, FromNapiValue, Function, JavaScriptClassExt,
    JsObjectValue, Object, Unknown,
};
use napi::{Env, JsDate, JsString, JsValue, ValueType};
use napi_derive::napi;
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::error::{Failure, guard, invalid};

/// Options of `loadBook`, `loadBookAsync`, `loadBookJson` and `loadBookCsv`. An unknown key is
/// a `CSOPS_INVALID_ARGUMENT` error (so a misspelt option is never silently ignored).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadOptions {
    /// `'strict'` (the default): any problem fails the load with a `CSOPS_VALIDATION` error
    /// listing every problem. `'lenient'`: valid rows load, and `book.report` lists the
    /// problems and the rejected rows.
    #[napi(ts_type = "'strict' | 'lenient'")]
    pub mode: Option<LoadMode>,
    /// Column renames for exports whose headers differ from csops' names: file stem (or
    /// `'*'`) → export header → csops column (`''` ignores a column, `'attr.<name>'` keeps it
    /// as an account attribute). Either that object, or the same map as TOML text
    /// (`[accounts]` then `"Account ID" = "id"` on the next line). Bad targets are a `CSOPS_CONFIG` error.
    #[napi(ts_type = "Record<string, Record<string, string>> | string")]
    pub header_map: Option<HeaderMapArg>,
}

/// A header map given as an object or as TOML text.
#[derive(Debug)]
pub enum HeaderMapArg {
    /// TOML text, parsed by the core.
    Toml(String),
    /// The map itself.
    Map(HeaderMap),
}

impl<'de> Deserialize<'de> for HeaderMapArg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HeaderMapArg;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object { file: { header: column } } or TOML text")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<HeaderMapArg, E> {
                Ok(HeaderMapArg::Toml(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<HeaderMapArg, A::Error> {
                HeaderMap::deserialize(MapAccessDeserializer::new(m)).map(HeaderMapArg::Map)
            }
        }
        d.deserialize_any(V)
    }
}

/// The JavaScript type of a value, for messages.
fn type_name(v: &Unknown) -> &'static str {
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

fn napi_failure(what: &str, e: napi::Error) -> Failure {
    invalid(format!("{what}: {}", e.reason))
}

/// `None` for `undefined` and `null` (an omitted optional argument).
fn present(v: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
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

/// A plain-object argument (not an array, not null).
fn require_object(name: &str, v: &Unknown, expected: &str) -> Result<(), Failure> {
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
/// `date.toISOString().slice(0, 10)` shows it).
pub(crate) fn date(name: &str, v: Unknown) -> Result<NaiveDate, Failure> {
    let expected = "an ISO date string (YYYY-MM-DD) or a Date";
    if matches!(v.get_type(), Ok(ValueType::String)) {
        let s = string(name, v)?;
        // Exactly `YYYY-MM-DD` (chrono's `%Y` alone would also take `+12345-01-01`).
        let shape = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        return NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .ok()
            .filter(|_| shape)
            .ok_or_else(|| invalid(format!("`{name}` must be {expected}, got `{s}`")));
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

/// Load options (`undefined` or `null`: the defaults).
pub(crate) fn load_options(env: &Env, v: Option<Unknown>) -> Result<CoreLoadOptions, Failure> {
    let Some(v) = present(v) else {
        return Ok(CoreLoadOptions::default());
    };
    require_object(
        "options",
        &v,
        "an object such as { mode: 'lenient', headerMap: {...} }",
    )?;
    let opts: LoadOptions = env
        .from_js_value(v)
        .map_err(|e| napi_failure("options", e))?;
    let header_map = match opts.header_map {
        None => HeaderMap::default(),
        Some(HeaderMapArg::Map(m)) => m,
        Some(HeaderMapArg::Toml(text)) => guard(|| HeaderMap::from_toml(&text))?,
    };
    Ok(CoreLoadOptions {
        mode: opts.mode.unwrap_or_default(),
        header_map,
    })
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
fn feature_config_named(
    env: &Env,
    name: &str,
    v: Option<Unknown>,
) -> Result<FeatureConfig, Failure> {
    let Some(v) = present(v) else {
        return Ok(FeatureConfig::default());
    };
    match v.get_type() {
        Ok(ValueType::String) => {
            let text = string(name, v)?;
            guard(|| {
                if text.trim_start().starts_with('{') {
                    FeatureConfig::from_json(&text)
                } else {
                    FeatureConfig::from_toml(&text)
                }
            })
        }
        _ => {
            require_object(name, &v, "a FeatureConfig object, or its JSON or TOML text")?;
            env.from_js_value(v).map_err(|e| {
                Failure::Core(csops_core::Error::Config(vec![format!(
                    "feature config: {}",
                    e.reason
                )]))
            })
        }
    }
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
fn entries<'env>(
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
fn global<'env>(
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

/// Features to score as read from JavaScript: a `FeatureFrame`, or columns whose
/// `Float64Array`s are not read yet. [`FeatureArg::finish`] reads them, once nothing else of
/// the call's arguments is left to read.
#[derive(Debug)]
pub(crate) enum FeatureArg<'env> {
    /// A `FeatureFrame` (shared, not copied).
    Frame(Arc<FeatureFrame>),
    /// Columns `{ accountIds, columns }`, each as long as `accountIds`.
    Columns {
        account_ids: Vec<String>,
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
/// before anything is handed back to JavaScript.
#[derive(Debug)]
pub(crate) enum Features<'env> {
    /// A `FeatureFrame` (shared, not copied).
    Frame(Arc<FeatureFrame>),
    /// Columns, each as long as `account_ids`.
    Columns {
        account_ids: Vec<String>,
        columns: Vec<(String, Column<'env>)>,
    },
}

/// Features owned by Rust: what an async task takes to its worker thread.
#[derive(Debug)]
pub(crate) enum OwnedFeatures {
    /// A `FeatureFrame` (shared, not copied).
    Frame(Arc<FeatureFrame>),
    /// Copied columns, each as long as `account_ids`.
    Columns {
        account_ids: Vec<String>,
        columns: Vec<(String, Vec<f64>)>,
    },
}

/// The columns to score, borrowed: a frame, or bare columns with their account ids.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FeaturesRef<'a> {
    /// A feature frame.
    Frame(&'a FeatureFrame),
    /// Columns (feature name, values), each as long as `account_ids`.
    Columns {
        account_ids: &'a [String],
        columns: &'a [(&'a str, &'a [f64])],
    },
}

impl<'a> FeaturesRef<'a> {
    /// The account ids, one per row.
    pub(crate) fn account_ids(self) -> &'a [String] {
        match self {
            FeaturesRef::Frame(frame) => &frame.account_ids,
            FeaturesRef::Columns { account_ids, .. } => account_ids,
        }
    }
}

fn column_length_error(name: &str, len: usize, n: usize) -> Failure {
    invalid(format!("column `{name}` has {len} values for {n} accounts"))
}

impl<'env> FeatureArg<'env> {
    /// Read the `Float64Array`s in place. Call it after every other argument has been read
    /// (reading them can run JavaScript getters): each array is checked again, in case such
    /// a getter changed it since it was first seen.
    pub(crate) fn finish(self) -> Result<Features<'env>, Failure> {
        let (account_ids, columns) = match self {
            FeatureArg::Frame(frame) => return Ok(Features::Frame(frame)),
            FeatureArg::Columns {
                account_ids,
                columns,
            } => (account_ids, columns),
        };
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

impl Features<'_> {
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
            Features::Columns { account_ids, .. } => FeaturesRef::Columns {
                account_ids,
                columns,
            },
        }
    }

    /// The account ids, one per row (a frame's copied).
    pub(crate) fn into_account_ids(self) -> Vec<String> {
        match self {
            Features::Frame(frame) => frame.account_ids.clone(),
            Features::Columns { account_ids, .. } => account_ids,
        }
    }

    /// The features owned by Rust (the `Float64Array`s copied), for a worker thread.
    pub(crate) fn into_owned(self) -> OwnedFeatures {
        match self {
            Features::Frame(frame) => OwnedFeatures::Frame(frame),
            Features::Columns {
                account_ids,
                columns,
            } => OwnedFeatures::Columns {
                account_ids,
                columns: columns
                    .into_iter()
                    .map(|(name, c)| {
                        let values = match c {
                            Column::Typed(values) => values.to_vec(),
                            Column::Plain(values) => values,
                        };
                        (name, values)
                    })
                    .collect(),
            },
        }
    }

    /// The features as a frame (columns copied), for the core calls that take one.
    pub(crate) fn into_frame(self) -> Arc<FeatureFrame> {
        self.into_owned().into_frame()
    }
}

impl OwnedFeatures {
    /// The columns as (feature name, values) pairs, for [`FeaturesRef::Columns`]; empty for
    /// a frame.
    pub(crate) fn column_refs(&self) -> Vec<(&str, &[f64])> {
        match self {
            OwnedFeatures::Frame(_) => Vec::new(),
            OwnedFeatures::Columns { columns, .. } => columns
                .iter()
                .map(|(name, values)| (name.as_str(), values.as_slice()))
                .collect(),
        }
    }

    /// The features to score; `columns` is [`OwnedFeatures::column_refs`].
    pub(crate) fn as_ref<'a>(&'a self, columns: &'a [(&'a str, &'a [f64])]) -> FeaturesRef<'a> {
        match self {
            OwnedFeatures::Frame(frame) => FeaturesRef::Frame(frame),
            OwnedFeatures::Columns { account_ids, .. } => FeaturesRef::Columns {
                account_ids,
                columns,
            },
        }
    }

    /// The account ids, one per row (a frame's copied).
    pub(crate) fn into_account_ids(self) -> Vec<String> {
        match self {
            OwnedFeatures::Frame(frame) => frame.account_ids.clone(),
            OwnedFeatures::Columns { account_ids, .. } => account_ids,
        }
    }

    /// The features as a frame, for the core calls that take one.
    pub(crate) fn into_frame(self) -> Arc<FeatureFrame> {
        match self {
            OwnedFeatures::Frame(frame) => frame,
            OwnedFeatures::Columns {
                account_ids,
                columns,
            } => Arc::new(frame_of(
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
    }
}

/// Features to score: a `FeatureFrame` (shared, not copied), or columns `{ accountIds,
/// columns }` (arrays copied here, `Float64Array`s read in place by [`FeatureArg::finish`]).
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
            "accountIds" => account_ids = Some(string_array("input.accountIds", value)?),
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
fn string_array(name: &str, v: Unknown) -> Result<Vec<String>, Failure> {
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
            string(&format!("{name}[{i}]"), item)
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

/// Overrides: an array of `{ accountId, score?, band?, reason, author, expires }`.
pub(crate) fn overrides(env: &Env, v: Unknown) -> Result<Vec<CoreOverride>, Failure> {
    let expected = "an object { accountId, score?, band?, reason, author, expires }";
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`overrides` must be an array of {expected}, got {}",
            type_name(&v)
        )));
    }
    let fail = |e| napi_failure("overrides", e);
    let array = Array::from_unknown(v).map_err(fail)?;
    (0..array.len())
        .map(|i| {
            let name = format!("overrides[{i}]");
            let item: Unknown = array
                .get(i)
                .map_err(fail)?
                .ok_or_else(|| invalid(format!("`{name}` must be {expected}, got undefined")))?;
            let (mut account_id, mut score, mut band) = (None, None, None);
            let (mut reason, mut author, mut expires) = (None, None, None);
            for (key, value) in entries(env, &name, item, expected)? {
                let field = format!("{name}.{key}");
                match key.as_str() {
                    "accountId" => account_id = Some(string(&field, value)?),
                    "score" => score = optional_number(&field, Some(value))?,
                    "band" => {
                        band = present(Some(value))
                            .map(|v| string(&field, v))
                            .transpose()?
                    }
                    "reason" => reason = Some(string(&field, value)?),
                    "author" => author = Some(string(&field, value)?),
                    "expires" => expires = Some(date(&field, value)?),
                    _ => {
                        return Err(invalid(format!(
                            "`{name}` has an unknown key `{key}`; expected {expected}"
                        )));
                    }
                }
            }
            let need = |k: &str| invalid(format!("`{name}` needs `{k}`: {expected}"));
            Ok(CoreOverride {
                account_id: account_id.ok_or_else(|| need("accountId"))?,
                score,
                band,
                reason: reason.ok_or_else(|| need("reason"))?,
                author: author.ok_or_else(|| need("author"))?,
                expires: expires.ok_or_else(|| need("expires"))?,
            })
        })
        .collect()
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
fn config_problem(message: String) -> Failure {
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
fn boolean(name: &str, v: Unknown) -> Result<bool, Failure> {
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
fn whole_number(name: &str, v: Unknown) -> Result<u32, Failure> {
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

/// An array of numbers (`Float64Array` or `number[]`).
fn numbers(name: &str, v: Unknown) -> Result<Vec<f64>, Failure> {
    let expected = "a Float64Array or an array of numbers";
    if v.is_typedarray().unwrap_or(false) {
        return Float64ArraySlice::from_unknown(v)
            .map(|values| values.to_vec())
            .map_err(|_| {
                invalid(format!(
                    "`{name}` must be {expected}, got another typed array"
                ))
            });
    }
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`{name}` must be {expected}, got {}",
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
                .ok_or_else(|| invalid(format!("`{name}[{i}]` must be a number, got undefined")))?;
            number(&format!("{name}[{i}]"), item)
        })
        .collect()
}

/// A probability method by the core's own names (`'platt'`, `'isotonic'`): a string (else
/// `CSOPS_INVALID_ARGUMENT`) the core knows (else `CSOPS_CONFIG`, with serde's message as the
/// core gives it for a configuration file).
fn probability_method(name: &str, v: Unknown) -> Result<ProbabilityMethod, Failure> {
    use serde::de::IntoDeserializer;
    let method = string(name, v)?;
    let de: de::value::StrDeserializer<'_, de::value::Error> = method.as_str().into_deserializer();
    ProbabilityMethod::deserialize(de).map_err(|e| config_problem(format!("`{name}`: {e}")))
}

/// A score → probability mapping as `ProbabilityMap` data: `{ method: 'platt', intercept,
/// slope }` or `{ method: 'isotonic', x, y }`. Values the mapping cannot use (non-finite
/// numbers, knots of unequal length, empty or not ascending) are a `CSOPS_CONFIG` error.
fn probability_map(env: &Env, name: &str, v: Unknown) -> Result<ProbabilityMap, Failure> {
    let expected = "a ProbabilityMap { method: 'platt', intercept, slope } or \
                    { method: 'isotonic', x: number[], y: number[] }";
    let mut fields: BTreeMap<String, Unknown> = BTreeMap::new();
    for (key, value) in entries(env, name, v, expected)? {
        fields.insert(key, value);
    }
    let method = fields
        .remove("method")
        .ok_or_else(|| invalid(format!("`{name}` needs `method`: {expected}")))?;
    let method = probability_method(&format!("{name}.method"), method)?;
    let allowed: &[&str] = match method {
        ProbabilityMethod::Platt => &["intercept", "slope"],
        ProbabilityMethod::Isotonic => &["x", "y"],
    };
    if let Some(key) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(format!(
            "`{name}` has an unknown key `{key}`; expected {expected}"
        )));
    }
    let mut take = |key: &str| {
        fields
            .remove(key)
            .ok_or_else(|| invalid(format!("`{name}` needs `{key}`: {expected}")))
    };
    let finite = |key: &str, values: &[f64]| {
        if values.iter().all(|x| x.is_finite()) {
            Ok(())
        } else {
            Err(config_problem(format!(
                "`{name}.{key}` must hold finite numbers"
            )))
        }
    };
    match method {
        ProbabilityMethod::Platt => {
            let intercept = number(&format!("{name}.intercept"), take("intercept")?)?;
            let slope = number(&format!("{name}.slope"), take("slope")?)?;
            finite("intercept", &[intercept])?;
            finite("slope", &[slope])?;
            Ok(ProbabilityMap::Platt { intercept, slope })
        }
        ProbabilityMethod::Isotonic => {
            let x = numbers(&format!("{name}.x"), take("x")?)?;
            let y = numbers(&format!("{name}.y"), take("y")?)?;
            finite("x", &x)?;
            finite("y", &y)?;
            if x.is_empty() || x.len() != y.len() {
                return Err(config_problem(format!(
                    "`{name}`: an isotonic map needs as many values `y` as knots `x`, at least \
                     one; got {} knots and {} values",
                    x.len(),
                    y.len()
                )));
            }
            if x.windows(2).any(|w| w[0] >= w[1]) {
                return Err(config_problem(format!(
                    "`{name}.x`: the knots must be strictly ascending"
                )));
            }
            Ok(ProbabilityMap::Isotonic(IsotonicMap { x, y }))
        }
    }
}

/// Options of `backtest` and `backtestAsync`. Every key is optional (`null` or absent: the
/// default); an unknown key or a value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error,
/// an invalid value (0 quarters, a lift fraction outside (0, 1]) a `CSOPS_CONFIG` error with
/// the core's message.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct BacktestOptions {
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
    let mut cfg = BacktestConfig::default();
    let Some(v) = present(v) else {
        return Ok(cfg);
    };
    let expected = "an object such as { leadDays: 90, quarters: 4, end: '2026-09-30', \
                    contractionIsChurn: false, liftFractions: [0.1, 0.2] }";
    for (key, value) in entries(env, "options", v, expected)? {
        let field = format!("options.{key}");
        let known = [
            "leadDays",
            "quarters",
            "end",
            "contractionIsChurn",
            "liftFractions",
            "features",
            "probability",
        ];
        if !known.contains(&key.as_str()) {
            return Err(invalid(format!(
                "`options` has an unknown key `{key}`; expected {expected}"
            )));
        }
        let Some(value) = present(Some(value)) else {
            continue;
        };
        match key.as_str() {
            "leadDays" => cfg.lead_days = whole_number(&field, value)?,
            "quarters" => cfg.quarters = whole_number(&field, value)?,
            "end" => cfg.end = Some(date(&field, value)?),
            "contractionIsChurn" => cfg.contraction_is_churn = boolean(&field, value)?,
            "liftFractions" => cfg.lift_fractions = numbers(&field, value)?,
            "features" => cfg.features = feature_config_named(env, &field, Some(value))?,
            _ => cfg.probability = Some(probability_map(env, &field, value)?),
        }
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

/// `recalibrate` options (`undefined` or `null`: the defaults).
pub(crate) fn recalibration_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<RecalibrationConfig, Failure> {
    let mut cfg = RecalibrationConfig::default();
    let Some(v) = present(v) else {
        return Ok(cfg);
    };
    let expected = "an object such as { c: 1.0, holdoutQuarters: 1, probability: 'platt', \
                    redChurnTarget: 0.25, greenChurnTarget: 0.05 }";
    for (key, value) in entries(env, "options", v, expected)? {
        let field = format!("options.{key}");
        let known = [
            "c",
            "holdoutQuarters",
            "probability",
            "redChurnTarget",
            "greenChurnTarget",
        ];
        if !known.contains(&key.as_str()) {
            return Err(invalid(format!(
                "`options` has an unknown key `{key}`; expected {expected}"
            )));
        }
        let Some(value) = present(Some(value)) else {
            continue;
        };
        match key.as_str() {
            "c" => cfg.c = number(&field, value)?,
            "holdoutQuarters" => cfg.holdout_quarters = whole_number(&field, value)?,
            "probability" => cfg.probability = probability_method(&field, value)?,
            "redChurnTarget" => cfg.red_churn_target = number(&field, value)?,
            _ => cfg.green_churn_target = number(&field, value)?,
        }
    }
    Ok(cfg)
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
