//! Feature values into scoring: the columns a user passes to `scorecard.score` (an object of
//! `Float64Array`s or arrays, a `FeatureFrame`, rows of objects) read into the core's
//! feature frame without copying where the values already are float64, with the account ids
//! read only when something needs them as text.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use csops_core::features::{FeatureColumn, FeatureFrame};
use csops_core::health::ScoreDetail;
use napi::bindgen_prelude::{
    Array, ClassInstance, Float64ArraySlice, FromNapiValue, JavaScriptClassExt, Unknown,
};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use serde::Deserialize;

use crate::args::{
    Helper, entries, helper, napi_failure, present, require_object, string_array, type_name,
};
use crate::error::{Failure, invalid};

/// One feature value: a number (`NaN` = missing), or `null`/`undefined` (missing).
pub(crate) fn feature_value(what: impl FnOnce() -> String, v: Unknown) -> Result<f64, Failure> {
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
