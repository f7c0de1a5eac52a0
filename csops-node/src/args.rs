//! Reading JavaScript arguments. Entry points take `Unknown` and convert here, so a value of
//! the wrong type is a `CSOPS_INVALID_ARGUMENT` error naming the argument (rather than a
//! generic Node-API error); the TypeScript signatures are given with `ts_args_type`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate};
use csops_core::book::LoadMode;
use csops_core::features::FeatureConfig;
use csops_core::interchange::{HeaderMap, LoadOptions as CoreLoadOptions};
use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{Env, JsDate, JsValue, ValueType};
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
    let Some(v) = present(v) else {
        return Ok(FeatureConfig::default());
    };
    match v.get_type() {
        Ok(ValueType::String) => {
            let text = string("config", v)?;
            guard(|| {
                if text.trim_start().starts_with('{') {
                    FeatureConfig::from_json(&text)
                } else {
                    FeatureConfig::from_toml(&text)
                }
            })
        }
        _ => {
            require_object(
                "config",
                &v,
                "a FeatureConfig object, or its JSON or TOML text",
            )?;
            env.from_js_value(v).map_err(|e| {
                Failure::Core(csops_core::Error::Config(vec![format!(
                    "feature config: {}",
                    e.reason
                )]))
            })
        }
    }
}
