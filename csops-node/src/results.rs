//! Core results into JavaScript: the core's own serde shape with camelCase field names
//! ([`csops_core::options::to_value`]), as plain objects. Nothing here knows a result's
//! fields: a field added to the core reaches JavaScript, and `index.d.ts` (generated from the
//! same types into `types.d.ts`), at once. Money amounts are decimal strings, days
//! `YYYY-MM-DD`, an absent value `null`, a number that is not finite (an infinite odds
//! ratio) the JavaScript number it is. The keys of a map are data (account ids, band
//! names) and become own properties as written, `__proto__` included.

use csops_core::options::{Casing, Tree, to_tree};
use napi::bindgen_prelude::{Null, ToNapiValue, TypeName};
use napi::sys;
use napi_derive::napi;
use serde::Serialize;

use crate::error::{Failure, guard};
use crate::objects::Keyed;

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
    let mut js = to_js(value)?;
    match &mut js.0 {
        Tree::Map(fields) => {
            fields.push(("summary".into(), Tree::Text(summary)));
            Ok(js)
        }
        _ => Err(Failure::Internal(
            "a summarised result is not an object".into(),
        )),
    }
}

impl Js {
    /// An amount of money, `{ amount, currency }` with the exact decimal text. (Money has no
    /// map in it, the one thing a value could fail on, so this cannot fail.)
    pub(crate) fn money(m: &csops_core::money::Money) -> Js {
        Js(to_tree(m, Casing::Camel).unwrap_or(Tree::Null))
    }
}
