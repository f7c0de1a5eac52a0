//! Core results into JavaScript: the core's own serde shape with camelCase field names
//! ([`csops_core::options::to_value`]), as plain objects. Nothing here knows a result's
//! fields: a field added to the core reaches JavaScript, and `index.d.ts` (generated from the
//! same types into `types.d.ts`), at once. Money amounts are decimal strings, days
//! `YYYY-MM-DD`, an absent value `null`, a number that is not finite (an infinite odds
//! ratio) the JavaScript number it is. The keys of a map are data (account ids, band
//! names) and become own properties as written, `__proto__` included.

use csops_core::options::{Casing, Tree, to_tree};
use napi::bindgen_prelude::{JsObjectValue, Null, Object, ToNapiValue, TypeName};
use napi::{Env, Property, sys};
use napi_derive::napi;
use serde::Serialize;

use crate::failure::{Failure, guard};

/// A core value on its way to JavaScript. Functions returning one declare its TypeScript
/// type with `ts_return_type`, naming a type of `types.d.ts`.
#[derive(Debug, Clone)]
pub struct Js(Tree);

/// A core result as a JavaScript value.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<Js, Failure> {
    guard(|| to_tree(value, Casing::Camel)).map(Js)
}

impl ToNapiValue for Js {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: `env` is the environment napi-rs handed to this conversion; each arm hands
        // it on to the conversion of a plain value.
        unsafe {
            match val.0 {
                Tree::Null => Null::to_napi_value(env, Null),
                Tree::Bool(b) => bool::to_napi_value(env, b),
                // JavaScript has one number type; counts never come near 2^53.
                Tree::Int(i) => f64::to_napi_value(env, i as f64),
                Tree::UInt(u) => f64::to_napi_value(env, u as f64),
                Tree::Float(x) => f64::to_napi_value(env, x),
                Tree::Text(s) => String::to_napi_value(env, s),
                Tree::List(items) => {
                    Vec::<Js>::to_napi_value(env, items.into_iter().map(Js).collect())
                }
                Tree::Map(fields) => Keyed::<Js>::to_napi_value(
                    env,
                    fields.into_iter().map(|(k, v)| (k, Js(v))).collect(),
                ),
            }
        }
    }
}

impl TypeName for Js {
    fn type_name() -> &'static str {
        "object"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

/// A result with its text, as the core renders it (Python's `repr`), as `summary`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct Summary {
    /// The result as readable text, as the core renders it (the same text as Python's
    /// `repr`).
    pub summary: String,
}

/// A core result with its rendered text as the extra field `summary` (a result that is
/// plain data, not a class with `render()`).
pub(crate) fn to_js_with_summary<T: Serialize + ?Sized>(
    value: &T,
    summary: String,
) -> Result<Js, Failure> {
    to_js_with(value, vec![("summary", Tree::Text(summary))])
}

/// A core result with extra fields the core computes by a method (a report's `isClean`), each
/// declared in TypeScript by an intersection with a documented type.
pub(crate) fn to_js_with<T: Serialize + ?Sized>(
    value: &T,
    extra: Vec<(&str, Tree)>,
) -> Result<Js, Failure> {
    let mut js = to_js(value)?;
    match &mut js.0 {
        Tree::Map(fields) => {
            fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
            Ok(js)
        }
        _ => Err(Failure::Internal(
            "a result with extra fields is not an object".into(),
        )),
    }
}

/// Values keyed by text that comes from data (a column name, a file name, an attribute, a play
/// name, an account id, a CSM), written as an object whose keys are defined (not assigned)
/// properties: a key `__proto__` is a plain own key, not a prototype. Fields of this type give
/// their TypeScript type with `ts_type`.
#[derive(Debug, Clone)]
pub struct Keyed<V>(pub Vec<(String, V)>);

impl<V: ToNapiValue> ToNapiValue for Keyed<V> {
    unsafe fn to_napi_value(raw_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw_env);
        let properties = val
            .0
            .into_iter()
            .map(|(key, value)| {
                Property::new()
                    .with_name(&env, key.as_str())?
                    .with_napi_value(&env, value)
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let mut object = Object::new(&env)?;
        object.define_properties(&properties)?;
        // SAFETY: `raw_env` is the environment napi-rs handed to this conversion.
        unsafe { Object::to_napi_value(raw_env, object) }
    }
}

impl<V> TypeName for Keyed<V> {
    fn type_name() -> &'static str {
        "Record<string, …>"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl<V> FromIterator<(String, V)> for Keyed<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        Keyed(iter.into_iter().collect())
    }
}

/// A validation report as JavaScript: the core's report, with whether it is clean and its
/// one-line summary (`ValidationReport & ReportVerdict`).
pub(crate) fn validation_report(r: &csops_core::book::ValidationReport) -> Result<Js, Failure> {
    to_js_with(
        r,
        vec![
            ("isClean", Tree::Bool(r.is_clean())),
            ("summary", Tree::Text(r.summary())),
        ],
    )
}

/// What a validation report says in short (added to the core's report).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ReportVerdict {
    /// No problems at all.
    pub is_clean: bool,
    /// One line: problem and row counts, and the first problem.
    pub summary: String,
}

/// A result table by column (`backtest.table(name)`, `forecastTable`, `bridgeTable`): one
/// list per column, one value per row: numbers and counts (`null` where missing), text,
/// yes/no, dates as `YYYY-MM-DD`, amounts as exact decimal strings, bands and tiers by name.
/// (The type is what TypeScript sees; the values are the core table's serde form.) The columns, their names and order are the core's (`csops_core::table`), as Python's
/// DataFrames have them.
#[napi]
pub type TableColumns = std::collections::HashMap<
    String,
    Vec<napi::bindgen_prelude::Either4<f64, String, bool, napi::bindgen_prelude::Null>>,
>;
