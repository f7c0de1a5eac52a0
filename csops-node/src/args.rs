//! Reading plain JavaScript argument values (text, numbers, days, account ids, plain objects),
//! so a value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error naming the argument (rather
//! than a generic Node-API error). Each domain module reads its own options and class
//! arguments with these; nothing here knows a csops type.

use chrono::{DateTime, NaiveDate};
use napi::bindgen_prelude::{
    Array, FromNapiValue, Function, JsObjectValue, JsValuesTupleIntoVec, Object, Unknown,
};
use napi::{Env, JsDate, JsString, JsValue, UnknownRef, ValueType};

use crate::error::{Failure, invalid};

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

// ---------------------------------------------------------------------------------------------
// Back-testing.
// ---------------------------------------------------------------------------------------------

/// A configuration problem found while reading an option: a `CSOPS_CONFIG` error, as the core
/// reports the problems it finds in a configuration.
pub(crate) fn config_problem(message: String) -> Failure {
    Failure::Core(csops_core::Error::Config(vec![message]))
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

/// An optional day (`undefined` or `null`: `None`).
pub(crate) fn optional_date(name: &str, v: Option<Unknown>) -> Result<Option<NaiveDate>, Failure> {
    present(v).map(|v| date(name, v)).transpose()
}
