//! The structured JSON form of a condition (reading and writing it), and serde for
//! [`Condition`]: written as text, read from either form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ast::{Condition, Op, Value};
use super::{MAX_DEPTH, MAX_NODES};
use crate::{Error, Result};

/// The TypeScript declaration of the structured form, declared here beside its reader and
/// writer (the form is read by hand, not by serde, so no derive can declare it).
#[cfg(feature = "typescript")]
pub(crate) const TYPESCRIPT: &str = "\
/**
 * A condition in its structured form (snake_case keys, as in configuration files).
 * Wherever a condition is read, its text form (a string) is accepted as well.
 */
export type ConditionJson =
  /** Every condition of the list holds. */
  | { and: Array<string | ConditionJson> }
  /** At least one condition of the list holds. */
  | { or: Array<string | ConditionJson> }
  /** The condition does not hold (unknown stays unknown). */
  | { not: string | ConditionJson }
  /** `field op value` (`=` is `==`, `<>` is `!=`); dates compare as `YYYY-MM-DD` text. */
  | { field: string; op: '==' | '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='; value: number | string | boolean }
  /** The field equals one of the values. */
  | { field: string; in: Array<number | string | boolean> }
  /** The field has a value, and it is none of these. */
  | { field: string; not_in: Array<number | string | boolean> }
  /** `low <= field <= high`. */
  | { field: string; between: [number, number] | [string, string] }
  /** The field is missing. */
  | { field: string; is_null: true }
  /** The field has a value. */
  | { field: string; is_not_null: true }
  /** A yes/no field is true. */
  | { field: string };
";

fn value_to_json(v: &Value) -> serde_json::Value {
    match v {
        // Whole numbers as JSON integers (100000, not 100000.0), as people write them.
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::json!(*n as i64),
        Value::Number(n) => serde_json::json!(n),
        Value::Text(s) => serde_json::json!(s),
        Value::Bool(b) => serde_json::json!(b),
    }
}

impl Condition {
    /// The structured form, as JSON.
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Condition::And(items) => {
                json!({ "and": items.iter().map(Condition::to_json_value).collect::<Vec<_>>() })
            }
            Condition::Or(items) => {
                json!({ "or": items.iter().map(Condition::to_json_value).collect::<Vec<_>>() })
            }
            Condition::Not(c) => json!({ "not": c.to_json_value() }),
            Condition::Compare { field, op, value } => {
                json!({ "field": field, "op": op.symbol(), "value": value_to_json(value) })
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                let key = if *negated { "not_in" } else { "in" };
                json!({ "field": field, key: values.iter().map(value_to_json).collect::<Vec<_>>() })
            }
            Condition::Between { field, low, high } => {
                json!({ "field": field, "between": [value_to_json(low), value_to_json(high)] })
            }
            Condition::IsNull { field, negated } => {
                if *negated {
                    json!({ "field": field, "is_not_null": true })
                } else {
                    json!({ "field": field, "is_null": true })
                }
            }
            Condition::Truthy { field } => json!({ "field": field }),
        }
    }

    /// Read the structured form (or a string holding the text form).
    pub fn from_json_value(v: &serde_json::Value) -> Result<Condition> {
        crate::fault::checkpoint("Condition::from_json_value");
        from_json(v, "$", 0, &mut 0)
    }

    /// Read the structured form from JSON text (a JSON string holds the text form).
    pub fn from_json(text: &str) -> Result<Condition> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("condition: not JSON: {e}")]))?;
        Condition::from_json_value(&v)
    }
}

fn json_err(path: &str, msg: impl fmt::Display) -> Error {
    Error::Config(vec![format!("condition at {path}: {msg}")])
}

fn json_value(v: &serde_json::Value, path: &str) -> Result<Value> {
    match v {
        serde_json::Value::Number(n) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Value::Number)
            .ok_or_else(|| json_err(path, "number out of range")),
        serde_json::Value::String(s) => Ok(Value::Text(s.clone())),
        serde_json::Value::Bool(b) => Ok(Value::Bool(*b)),
        other => Err(json_err(
            path,
            format!("expected a number, text or true/false, found {other}"),
        )),
    }
}

fn from_json(
    v: &serde_json::Value,
    path: &str,
    depth: usize,
    nodes: &mut usize,
) -> Result<Condition> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(json_err(path, format!("nested more than {MAX_DEPTH} deep")));
    }
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Err(json_err(path, format!("more than {MAX_NODES} nodes")));
    }
    let obj = match v {
        J::String(s) => return s.parse(),
        J::Object(o) => o,
        other => {
            return Err(json_err(
                path,
                format!("expected an object or the text form, found {other}"),
            ));
        }
    };
    let mut list = |key: &str| -> Result<Vec<Condition>> {
        let items = obj[key]
            .as_array()
            .ok_or_else(|| json_err(path, format!("`{key}` takes a list of conditions")))?;
        if items.is_empty() {
            return Err(json_err(
                path,
                format!("`{key}` needs at least one condition"),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, c)| from_json(c, &format!("{path}.{key}[{i}]"), depth + 1, nodes))
            .collect()
    };
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let allowed = |ks: &[&str]| -> Result<()> {
        match keys.iter().find(|k| !ks.contains(k)) {
            Some(k) => Err(json_err(path, format!("unexpected key `{k}`"))),
            None => Ok(()),
        }
    };
    if obj.contains_key("and") {
        allowed(&["and"])?;
        return Ok(Condition::And(list("and")?));
    }
    if obj.contains_key("or") {
        allowed(&["or"])?;
        return Ok(Condition::Or(list("or")?));
    }
    if let Some(c) = obj.get("not") {
        allowed(&["not"])?;
        return Ok(Condition::Not(Box::new(from_json(
            c,
            &format!("{path}.not"),
            depth + 1,
            nodes,
        )?)));
    }
    let field = obj
        .get("field")
        .and_then(J::as_str)
        .ok_or_else(|| json_err(path, "expected `and`, `or`, `not` or a `field`"))?
        .to_string();
    if field.is_empty() {
        return Err(json_err(path, "the field name is empty"));
    }
    if let Some(op) = obj.get("op") {
        allowed(&["field", "op", "value"])?;
        let sym = op.as_str().unwrap_or_default();
        let op =
            Op::from_symbol(sym).ok_or_else(|| json_err(path, format!("unknown operator {op}")))?;
        let value = json_value(
            obj.get("value")
                .ok_or_else(|| json_err(path, "a comparison needs a `value`"))?,
            path,
        )?;
        return Ok(Condition::Compare { field, op, value });
    }
    for (key, negated) in [("in", false), ("not_in", true)] {
        if let Some(vs) = obj.get(key) {
            allowed(&["field", key])?;
            let vs = vs
                .as_array()
                .ok_or_else(|| json_err(path, format!("`{key}` takes a list of values")))?;
            *nodes += vs.len();
            if *nodes > MAX_NODES {
                return Err(json_err(path, format!("more than {MAX_NODES} nodes")));
            }
            let values = vs
                .iter()
                .map(|x| json_value(x, path))
                .collect::<Result<Vec<_>>>()?;
            return Ok(Condition::In {
                field,
                values,
                negated,
            });
        }
    }
    if let Some(b) = obj.get("between") {
        allowed(&["field", "between"])?;
        let b = b
            .as_array()
            .filter(|b| b.len() == 2)
            .ok_or_else(|| json_err(path, "`between` takes [low, high]"))?;
        return Ok(Condition::Between {
            field,
            low: json_value(&b[0], path)?,
            high: json_value(&b[1], path)?,
        });
    }
    for (key, negated) in [("is_null", false), ("is_not_null", true)] {
        if let Some(x) = obj.get(key) {
            allowed(&["field", key])?;
            if x != &J::Bool(true) {
                return Err(json_err(path, format!("`{key}` takes true")));
            }
            return Ok(Condition::IsNull { field, negated });
        }
    }
    allowed(&["field"])?;
    Ok(Condition::Truthy { field })
}

impl Serialize for Condition {
    /// Serialised in the text form, the readable one in configuration files.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Condition {
    /// Either form: a string in the text form, or the structured object.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Condition::from_json_value(&v).map_err(|e| match e {
            // The problems themselves, without the error type's own prefix: the caller
            // (a tier rule, a play) adds where it was.
            Error::Config(p) => serde::de::Error::custom(p.join("; ")),
            e => serde::de::Error::custom(e),
        })
    }
}
