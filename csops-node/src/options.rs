//! Options into the core's option types (`csops_core::options`): the JavaScript value a user
//! wrote becomes a JSON-like value, translating only what JSON lacks, and the core reads it
//! (camelCase field names, as Node writes them), fills the defaults and checks it. Nothing
//! here knows an option's name, default or grammar.
//!
//! Translations: `undefined`, and `null` at the top level, → absent (the default); numbers as
//! they are (whole numbers up to 2^53 as integers); `NaN` and infinities are a
//! `CSOPS_INVALID_ARGUMENT` error (JSON has no such number, and dropping one would turn it
//! into "not given"); a `bigint` → an integer; a `Date` → its UTC day, `YYYY-MM-DD`;
//! a `Recalibration` → its probability mapping; arrays and plain objects element by element.
//! A function or a symbol is a `CSOPS_INVALID_ARGUMENT` error naming where it is.

use csops_core::options::{Casing, MAX_DEPTH, from_value, not_finite, too_deep};
use napi::bindgen_prelude::{Array, BigInt, FromNapiValue, JsObjectValue, Unknown};
use napi::{Env, JsDate, JsValue, ValueType};
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::args::present;
use crate::args::{entries, napi_failure, type_name};
use crate::error::guard;
use crate::error::{Failure, invalid};
use csops_core::features::FeatureConfig;
use csops_core::options::{Document, from_argument};

/// Read an options object (`undefined` or `null`: all defaults) as the core option type `T`,
/// leaving out the keys in `data` (arguments carrying data rather than options, which the
/// caller reads itself); returns `T` and the values of those keys.
pub(crate) fn read<'env, T: DeserializeOwned>(
    env: &'env Env,
    name: &str,
    v: Option<Unknown<'env>>,
    data: &[&str],
) -> Result<(T, Vec<Option<Unknown<'env>>>), Failure> {
    read_with(env, name, v, data, None)
}

/// A class instance given where data is expected, as the data it stands for (a
/// `Recalibration` given as a probability mapping); `None` when the value is no such
/// instance. The module that owns the class reads it, so this module knows no class.
pub(crate) type Instance = fn(&Env, Unknown, &str) -> Option<Result<Value, Failure>>;

/// [`read`], with class instances read by `instance`.
pub(crate) fn read_with<'env, T: DeserializeOwned>(
    env: &'env Env,
    name: &str,
    v: Option<Unknown<'env>>,
    data: &[&str],
    instance: Option<Instance>,
) -> Result<(T, Vec<Option<Unknown<'env>>>), Failure> {
    let mut kept: Vec<Option<Unknown>> = data.iter().map(|_| None).collect();
    let value =
        match v.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))) {
            None => Value::Object(Map::new()),
            Some(v) => {
                let mut object = Map::new();
                for (key, x) in entries(env, name, v, "an options object")? {
                    if let Some(i) = data.iter().position(|d| *d == key) {
                        kept[i] = Some(x);
                    } else if let Some(x) =
                        value_of_with(env, &format!("{name}.{key}"), x, 0, instance)?
                        // A `null` option is not given, as an absent one (Python's None).
                        && !x.is_null()
                    {
                        object.insert(key, x);
                    }
                }
                Value::Object(object)
            }
        };
    let t = from_value(value, Casing::Camel).map_err(Failure::Core)?;
    Ok((t, kept))
}

/// A JavaScript value as a JSON-like value (`None` for `undefined`); `path` names it in an
/// error, `depth` is how deep it sits (at most [`MAX_DEPTH`]: a circular object is an error,
/// not a stack overflow).
pub(crate) fn value_of(
    env: &Env,
    path: &str,
    v: Unknown,
    depth: usize,
) -> Result<Option<Value>, Failure> {
    value_of_with(env, path, v, depth, None)
}

/// [`value_of`], with class instances read by `instance`.
fn value_of_with(
    env: &Env,
    path: &str,
    v: Unknown,
    depth: usize,
    instance: Option<Instance>,
) -> Result<Option<Value>, Failure> {
    if depth > MAX_DEPTH {
        return Err(Failure::Core(too_deep(path)));
    }
    let fail = |e| napi_failure(path, e);
    if let Some(read) = instance.and_then(|f| f(env, v, path)) {
        return read.map(Some);
    }
    Ok(Some(match v.get_type().map_err(fail)? {
        ValueType::Undefined => return Ok(None),
        ValueType::Null => Value::Null,
        ValueType::Boolean => Value::Bool(bool::from_unknown(v).map_err(fail)?),
        ValueType::String => Value::String(String::from_unknown(v).map_err(fail)?),
        ValueType::Number => {
            let x = f64::from_unknown(v).map_err(fail)?;
            number(x).ok_or_else(|| Failure::Core(not_finite(path, x)))?
        }
        ValueType::BigInt => {
            let b = BigInt::from_unknown(v).map_err(fail)?;
            let (negative, magnitude, lossless) = b.get_u64();
            match (negative, lossless) {
                (false, true) => Value::from(magnitude),
                (true, true) if magnitude <= i64::MAX as u64 + 1 => {
                    Value::from((magnitude as i128).wrapping_neg() as i64)
                }
                _ => return Err(invalid(format!("`{path}` is a bigint out of range"))),
            }
        }
        ValueType::Object if v.is_date().unwrap_or(false) => {
            let ms = JsDate::from_unknown(v)
                .and_then(|d| d.value_of())
                .map_err(fail)?;
            let day = chrono::DateTime::from_timestamp_millis(ms as i64)
                .filter(|_| ms.is_finite())
                .ok_or_else(|| invalid(format!("`{path}` is an invalid Date")))?;
            Value::String(day.date_naive().format("%Y-%m-%d").to_string())
        }
        ValueType::Object if v.is_array().unwrap_or(false) => {
            let array = Array::from_unknown(v).map_err(fail)?;
            let mut out = Vec::with_capacity(array.len() as usize);
            for i in 0..array.len() {
                let x: Unknown = array.get_element(i).map_err(fail)?;
                out.push(
                    value_of_with(env, &format!("{path}[{i}]"), x, depth + 1, instance)?
                        .unwrap_or(Value::Null),
                );
            }
            Value::Array(out)
        }
        ValueType::Object => {
            let mut out = Map::new();
            for (key, x) in entries(env, path, v, "an object")? {
                if let Some(x) =
                    value_of_with(env, &format!("{path}.{key}"), x, depth + 1, instance)?
                {
                    out.insert(key, x);
                }
            }
            Value::Object(out)
        }
        _ => {
            return Err(invalid(format!(
                "`{path}` is {}, which is not an option value",
                type_name(&v)
            )));
        }
    }))
}

/// A JavaScript number: whole ones up to 2^53 as integers (so a seed or a count reads as
/// one), others as floats; `None` for a non-finite one.
fn number(x: f64) -> Option<Value> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if x.fract() == 0.0 && x.abs() <= MAX_SAFE {
        return Some(Value::from(x as i64));
    }
    Number::from_f64(x).map(Value::Number)
}

// ---------------------------------------------------------------------------------------------
// Configuration arguments read as core types.
// ---------------------------------------------------------------------------------------------

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
