//! The fields conditions may read and their [`Kind`]s: a [`Schema`], and checking conditions
//! against it (unknown fields, type mismatches), every problem at once.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ast::{Condition, Op, Value, fmt_value};
use crate::{Error, Result};

/// The type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A number (`NaN` = missing).
    Number,
    /// Text (dates are text, `YYYY-MM-DD`).
    Text,
    /// Yes or no.
    Bool,
}

/// The fields conditions may read, with their types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// Field name → type.
    pub fields: BTreeMap<String, Kind>,
}

impl Schema {
    /// The schema some conditions imply on their own, with no table: each field they name, of
    /// the kind its first comparison uses (a bare field is yes/no; a field only tested for
    /// null is text). Checking the conditions against it finds what is wrong whatever the
    /// table: a field compared with a number in one place and with text in another, `<` on
    /// yes/no values.
    pub fn implied_by<'a>(conditions: impl IntoIterator<Item = &'a Condition>) -> Schema {
        fn walk(c: &Condition, out: &mut BTreeMap<String, Kind>) {
            let kind = |v: &Value| match v {
                Value::Number(_) => Kind::Number,
                Value::Text(_) => Kind::Text,
                Value::Bool(_) => Kind::Bool,
            };
            match c {
                Condition::And(items) | Condition::Or(items) => {
                    for c in items {
                        walk(c, out);
                    }
                }
                Condition::Not(c) => walk(c, out),
                Condition::Compare { field, value, .. } => {
                    out.entry(field.clone()).or_insert(kind(value));
                }
                Condition::In { field, values, .. } => {
                    if let Some(v) = values.first() {
                        out.entry(field.clone()).or_insert(kind(v));
                    }
                }
                Condition::Between { field, low, .. } => {
                    out.entry(field.clone()).or_insert(kind(low));
                }
                // A null test implies no kind; a field only tested for null is text (below).
                Condition::IsNull { .. } => {}
                Condition::Truthy { field } => {
                    out.entry(field.clone()).or_insert(Kind::Bool);
                }
            }
        }
        let mut fields = BTreeMap::new();
        let conditions: Vec<&Condition> = conditions.into_iter().collect();
        for c in &conditions {
            walk(c, &mut fields);
        }
        for c in &conditions {
            for f in c.fields() {
                fields.entry(f.to_string()).or_insert(Kind::Text);
            }
        }
        Schema { fields }
    }

    /// Check a condition against the schema: every field known, every value of the field's
    /// type, `<`/`>`/`between` only on numbers and text. Reports every problem at once.
    pub fn check(&self, c: &Condition) -> Result<()> {
        let mut p = Vec::new();
        c.walk(&mut |c| {
            let (field, values, ordered): (&str, Vec<&Value>, bool) = match c {
                Condition::Compare { field, op, value } => {
                    (field, vec![value], !matches!(op, Op::Eq | Op::Ne))
                }
                Condition::In { field, values, .. } => (field, values.iter().collect(), false),
                Condition::Between { field, low, high } => (field, vec![low, high], true),
                Condition::IsNull { field, .. } => (field, vec![], false),
                Condition::Truthy { field } => {
                    match self.fields.get(field.as_str()) {
                        None => p.push(unknown(field, self)),
                        Some(Kind::Text) => p.push(format!(
                            "`{field}` is text; compare it (`{field} == \"…\"`) rather than using it as yes/no"
                        )),
                        _ => {}
                    }
                    return;
                }
                _ => return,
            };
            let Some(kind) = self.fields.get(field) else {
                p.push(unknown(field, self));
                return;
            };
            if ordered && *kind == Kind::Bool {
                p.push(format!("`{field}` is yes/no; it has no order"));
            }
            for v in values {
                let ok = matches!(
                    (kind, v),
                    (Kind::Number, Value::Number(_))
                        | (Kind::Text, Value::Text(_))
                        | (Kind::Bool, Value::Bool(_))
                );
                if !ok {
                    let mut s = String::new();
                    let _ = fmt::write(&mut s, format_args!("{}", ValueText(v)));
                    p.push(format!(
                        "`{field}` is {} but is compared with {s}",
                        match kind {
                            Kind::Number => "a number",
                            Kind::Text => "text",
                            Kind::Bool => "yes/no",
                        }
                    ));
                }
            }
        });
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }
}

struct ValueText<'a>(&'a Value);

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_value(self.0, f)
    }
}

fn unknown(field: &str, schema: &Schema) -> String {
    // Suggest the closest known name (by shared prefix), which catches most typos.
    let best = schema.fields.keys().max_by_key(|k| {
        k.chars()
            .zip(field.chars())
            .take_while(|(a, b)| a == b)
            .count()
    });
    match best {
        Some(b)
            if b.chars()
                .zip(field.chars())
                .take_while(|(a, c)| a == c)
                .count()
                >= 2 =>
        {
            format!("unknown field `{field}` (did you mean `{b}`?)")
        }
        _ => format!("unknown field `{field}`"),
    }
}
