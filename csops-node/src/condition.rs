//! The condition language: the `Condition` class, and the columns conditions read (a
//! caller's columns, as the core's `GivenTable`). Every match comes from csops-core
//! (`csops_core::condition`); this module only reads arguments and converts.
//!
//! Conditions are configuration: given as objects they are read as `JSON.stringify` writes
//! them and parsed by the core, with its snake_case keys; every problem in them is a
//! `CSOPS_CONFIG` error, an argument of the wrong JavaScript type `CSOPS_INVALID_ARGUMENT`.

use std::collections::HashMap;

use csops_core::condition::{
    Cell, CellColumn, Column, Condition as CoreCondition, Given, GivenTable, Kind,
};
use napi::bindgen_prelude::{
    Array, ClassInstance, Either, Either3, Either7, Float64Array, Float64ArraySlice, FromNapiValue,
    JavaScriptClassExt, Null, This, Unknown,
};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;

use crate::args;
use crate::error::{Failure, guard, invalid, js};
use crate::health::called_with_new;

// ---------------------------------------------------------------------------------------------
// TypeScript types of the columns a caller gives (type-only: read by `table`). Conditions,
// tier rules and coverage models are declared by the core (`ConditionJson`, `TierRulesJson`,
// `CoverageModelJson` in `types.d.ts`).
// ---------------------------------------------------------------------------------------------

/// A column of numbers whose kind is given (`null` or `NaN` = missing): for a column with no
/// values at all.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct NumberColumn {
    /// The values.
    #[napi(ts_type = "Float64Array | Array<number | null>")]
    pub number: Vec<f64>,
}

/// A column of text whose kind is given (`null` = missing): for a column with no values at all.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct TextColumn {
    /// The values.
    #[napi(ts_type = "Array<string | null>")]
    pub text: Vec<String>,
}

/// A column of yes/no values whose kind is given (`null` = missing): for a column with no
/// values at all.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct BoolColumn {
    /// The values.
    #[napi(ts_type = "Array<boolean | null>")]
    pub bool: Vec<bool>,
}

/// One column of accounts: numbers (a `Float64Array`, or numbers with `null`/`NaN` for
/// missing), text, or yes/no values (`null` missing). A plain array's kind is that of its
/// values; an array with no values at all takes the kind the conditions compare it with (the
/// core's rule, as in Python), or give its kind with `{ text: [...] }` (or `{ number }`,
/// `{ bool }`).
#[napi]
pub type ColumnValues = Either7<
    Float64Array,
    Vec<Either<f64, Null>>,
    Vec<Either<String, Null>>,
    Vec<Either<bool, Null>>,
    NumberColumn,
    TextColumn,
    BoolColumn,
>;

/// Accounts as columns keyed by field name, one row per account, all of the same length: the
/// rows conditions are evaluated on (`book.accountTable()` returns one).
#[napi]
pub type AccountColumns = HashMap<String, ColumnValues>;

/// A book's accounts as columns keyed by field name (see `book.accountTable`): numbers as a
/// `Float64Array` (`NaN` = missing), text and yes/no values as arrays (`null` = missing).
#[napi]
pub type AccountTable =
    HashMap<String, Either3<Float64Array, Vec<Either<String, Null>>, Vec<Either<bool, Null>>>>;

// ---------------------------------------------------------------------------------------------
// Reading arguments.
// ---------------------------------------------------------------------------------------------

/// A `CSOPS_CONFIG` error with one problem.
pub(crate) fn config(message: String) -> Failure {
    args::config_problem(message)
}

/// An object argument as JSON text, as `JSON.stringify` writes it (which throws, rather than
/// overflowing the stack, on an absurdly deep object).
pub(crate) fn stringify(env: &Env, name: &str, v: Unknown) -> Result<String, Failure> {
    let text = args::global(env, "JSON", "stringify")?
        .call(v)
        .map_err(|e| invalid(format!("`{name}` cannot be written as JSON: {}", e.reason)))?;
    args::string(name, text)
}

/// A condition argument: a `Condition`, its text form (a string), or its structured form (an
/// object).
pub(crate) fn condition(env: &Env, name: &str, v: Unknown) -> Result<CoreCondition, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        let text = args::string(name, v)?;
        return guard(|| text.parse());
    }
    if Condition::instance_of(env, &v).unwrap_or(false) {
        let c =
            ClassInstance::<Condition>::from_unknown(v).map_err(|e| args::napi_failure(name, e))?;
        return Ok(c.inner.clone());
    }
    args::require_object(
        name,
        &v,
        "a Condition, its text (\"arr >= 100000\") or its structured form ({ field, op, value })",
    )?;
    let text = stringify(env, name, v)?;
    guard(|| CoreCondition::from_json(&text))
}

/// A column given as an array, read by the core's rules ([`CellColumn`]): its kind is
/// `declared`, or (for `None`) that of its first value. `null`, `undefined` and holes are
/// missing (and `NaN`, in a number column).
fn array_column(
    name: &str,
    path: &str,
    v: Unknown,
    declared: Option<Kind>,
) -> Result<Given, Failure> {
    let fail = |e| args::napi_failure(path, e);
    let array = Array::from_unknown(v).map_err(fail)?;
    let mut column = CellColumn::with_capacity(name, declared, array.len() as usize);
    for i in 0..array.len() {
        let Some(item) = array.get::<Unknown>(i).map_err(fail)? else {
            column.push(Cell::Missing);
            continue;
        };
        let read = |e| args::napi_failure(&format!("{path}[{i}]"), e);
        let cell = match item.get_type().map_err(read)? {
            ValueType::Null | ValueType::Undefined => Cell::Missing,
            ValueType::Number => Cell::Number(f64::from_unknown(item).map_err(read)?),
            ValueType::String => Cell::Text(String::from_unknown(item).map_err(read)?),
            ValueType::Boolean => Cell::Bool(bool::from_unknown(item).map_err(read)?),
            _ => {
                column.push_unreadable(format!(
                    "{} is not a number, a string, a boolean or null",
                    args::type_name(&item)
                ));
                continue;
            }
        };
        column.push(cell);
    }
    guard(|| column.finish())
}

/// The column `name` (at `path`): a `Float64Array` (copied), an array (its kind from its
/// values), or `{ number | text | bool: [...] }`.
fn column(env: &Env, name: &str, path: &str, v: Unknown) -> Result<Given, Failure> {
    let expected = "a Float64Array, an array of numbers, strings or booleans (null = missing), \
                    or { number | text | bool: [...] }";
    if v.is_typedarray().unwrap_or(false) {
        return Float64ArraySlice::from_unknown(v)
            .map(|values| Given::Column(Column::Number(values.to_vec())))
            .map_err(|_| {
                invalid(format!(
                    "`{path}` must be {expected}, got another typed array"
                ))
            });
    }
    if v.is_array().unwrap_or(false) {
        return array_column(name, path, v, None);
    }
    let fields = args::entries(env, path, v, expected)?;
    let [(key, values)] = <[_; 1]>::try_from(fields).map_err(|_| {
        invalid(format!(
            "`{path}` must be {expected}: an object with exactly one key"
        ))
    })?;
    let kind = match key.as_str() {
        "number" => Kind::Number,
        "text" => Kind::Text,
        "bool" => Kind::Bool,
        _ => {
            return Err(invalid(format!(
                "`{path}` has an unknown key `{key}`; expected {expected}"
            )));
        }
    };
    let inner = format!("{path}.{key}");
    if kind == Kind::Number && values.is_typedarray().unwrap_or(false) {
        return column(env, name, &inner, values);
    }
    if !values.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`{inner}` must be an array, got {}",
            args::type_name(&values)
        )));
    }
    array_column(name, &inner, values, Some(kind))
}

/// Accounts as columns: an object of columns keyed by field name, all of one length.
pub(crate) fn table(env: &Env, name: &str, v: Unknown) -> Result<GivenTable, Failure> {
    let expected = "an object of columns keyed by field name (Float64Array, arrays of numbers, \
                    strings or booleans, null = missing), such as { id: [...], arr: [...] }";
    let mut out = GivenTable::default();
    for (key, value) in args::entries(env, name, v, expected)? {
        match column(env, &key, &format!("{name}.{key}"), value) {
            Ok(c) => guard(|| out.add(&key, c))?,
            // Values that make no column (mixed kinds): an error only when a condition names
            // the column, as in every language.
            Err(Failure::Core(e @ csops_core::Error::Config(_))) => {
                guard(|| out.add_read(&key, Err(e)))?
            }
            Err(other) => return Err(other),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Classes.
// ---------------------------------------------------------------------------------------------

/// A condition in the condition language: which accounts a tier rule (or, later, a playbook)
/// applies to. Written as text,
///
/// ```text
/// arr >= 100000 and region in ["EMEA", "NA"] and band != "green"
/// ```
///
/// or in the structured form (`ConditionJson`); the two are interchangeable. `or` binds
/// loosest, then `and`, then `not`; comparisons `== != < <= > >=`, `in [..]`, `not in [..]`,
/// `between a and b`, `is null`, `is not null`, and a yes/no field on its own. A comparison
/// with a missing value is unknown, and an account matches only when the whole condition is
/// true (SQL's three-valued logic): `region != "EMEA"` leaves out accounts without a region.
/// Immutable; made by `new Condition(text)` or `Condition.fromJson`.
#[napi]
#[derive(Debug)]
pub struct Condition {
    inner: CoreCondition,
}

#[napi]
impl Condition {
    /// Parse a condition: its text form, or its structured form (an object). A malformed one
    /// is a `CSOPS_CONFIG` error naming the line and column (or, for the structured form, the
    /// path). Text longer than 64 KiB, nesting deeper than 64 or more than 10,000 comparisons
    /// and values are refused the same way.
    #[napi(constructor, ts_args_type = "condition: string | ConditionJson")]
    pub fn new(env: Env, this: This, condition: Unknown) -> napi::Result<Condition> {
        js(&env, || {
            called_with_new::<Condition>(&env, &this, "Condition", "text")?;
            self::condition(&env, "condition", condition).map(|inner| Condition { inner })
        })
    }

    /// Read a condition's structured form: an object, or its JSON text (a JSON string holds
    /// the text form). A malformed one is a `CSOPS_CONFIG` error naming where.
    #[napi(factory, ts_args_type = "json: string | ConditionJson")]
    pub fn from_json(env: Env, json: Unknown) -> napi::Result<Condition> {
        js(&env, || {
            let inner = if matches!(json.get_type(), Ok(ValueType::String)) {
                let text = args::string("json", json)?;
                guard(|| CoreCondition::from_json(&text))?
            } else {
                condition(&env, "json", json)?
            };
            Ok(Condition { inner })
        })
    }

    /// The text form; `new Condition(text)` gives the same condition back.
    #[napi(js_name = "toString")]
    pub fn text(&self) -> String {
        self.inner.to_string()
    }

    /// The text form, for `JSON.stringify`: a condition inside data (such as a tier rule's
    /// `when`) is written as its text.
    #[napi(js_name = "toJSON")]
    pub fn to_json_text(&self) -> String {
        self.inner.to_string()
    }

    /// The structured form (snake_case keys); `Condition.fromJson` reads it back.
    #[napi(ts_return_type = "ConditionJson")]
    pub fn to_json(&self) -> serde_json::Value {
        self.inner.to_json_value()
    }

    /// The fields it reads, each once, in order of appearance.
    #[napi(getter)]
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in self.inner.fields() {
            if !out.iter().any(|o| o == f) {
                out.push(f.to_string());
            }
        }
        out
    }

    /// Which rows of `columns` match (true; not false and not unknown). An unknown field or a
    /// comparison of the wrong type (`region > 5`) is a `CSOPS_CONFIG` error listing every
    /// problem; so is a column it names whose values cannot be read (mixed kinds, of another
    /// length), with their positions. A value that is not a column at all is
    /// `CSOPS_INVALID_ARGUMENT`.
    #[napi(ts_args_type = "columns: AccountColumns")]
    pub fn filter(&self, env: Env, columns: Unknown) -> napi::Result<Vec<bool>> {
        js(&env, || {
            let t = table(&env, "columns", columns)?;
            guard(|| t.filter(&self.inner))
        })
    }
}
