//! The condition tree: [`Condition`], its [`Value`]s and comparison [`Op`]s, and printing it
//! in the text form ([`Display`](std::fmt::Display); parsing the printed text gives back the
//! same tree).

use std::fmt;

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
    /// Yes or no.
    Bool(bool),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    pub(super) fn from_symbol(s: &str) -> Option<Op> {
        Some(match s {
            "==" | "=" => Op::Eq,
            "!=" | "<>" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => return None,
        })
    }
}

/// A condition (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All of them.
    And(Vec<Condition>),
    /// Any of them.
    Or(Vec<Condition>),
    /// Not it.
    Not(Box<Condition>),
    /// `field op value`.
    Compare {
        /// The field.
        field: String,
        /// The operator.
        op: Op,
        /// The value.
        value: Value,
    },
    /// `field in [..]` (or `not in` when `negated`).
    In {
        /// The field.
        field: String,
        /// The values.
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
    },
    /// `field between low and high`, inclusive.
    Between {
        /// The field.
        field: String,
        /// Lower bound.
        low: Value,
        /// Upper bound.
        high: Value,
    },
    /// `field is null` (or `is not null` when `negated`).
    IsNull {
        /// The field.
        field: String,
        /// `is not null`.
        negated: bool,
    },
    /// A yes/no field on its own: true when the field is true (or a non-zero number).
    Truthy {
        /// The field.
        field: String,
    },
}

pub(super) fn fmt_value(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match v {
        Value::Number(n) => write!(f, "{n}"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Text(s) => {
            f.write_str("\"")?;
            for c in s.chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    '\n' => f.write_str("\\n")?,
                    c => write!(f, "{c}")?,
                }
            }
            f.write_str("\"")
        }
    }
}

impl Condition {
    /// Binding strength: or 1, and 2, the rest 3.
    fn level(&self) -> u8 {
        match self {
            Condition::Or(_) => 1,
            Condition::And(_) => 2,
            _ => 3,
        }
    }

    fn fmt_in(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        let paren = self.level() < min;
        if paren {
            f.write_str("(")?;
        }
        match self {
            Condition::Or(items) | Condition::And(items) => {
                let (sep, level) = if self.level() == 1 {
                    (" or ", 2)
                } else {
                    (" and ", 3)
                };
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    // A nested list of the same kind keeps its parentheses, so the tree
                    // survives a round trip exactly.
                    c.fmt_in(f, level + u8::from(c.level() == self.level()))?;
                }
            }
            Condition::Not(c) => {
                f.write_str("not ")?;
                c.fmt_in(f, 3)?;
            }
            Condition::Compare { field, op, value } => {
                write!(f, "{field} {} ", op.symbol())?;
                fmt_value(value, f)?;
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                write!(f, "{field} {}in [", if *negated { "not " } else { "" })?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    fmt_value(v, f)?;
                }
                f.write_str("]")?;
            }
            Condition::Between { field, low, high } => {
                write!(f, "{field} between ")?;
                fmt_value(low, f)?;
                f.write_str(" and ")?;
                fmt_value(high, f)?;
            }
            Condition::IsNull { field, negated } => {
                write!(f, "{field} is {}null", if *negated { "not " } else { "" })?;
            }
            Condition::Truthy { field } => f.write_str(field)?,
        }
        if paren {
            f.write_str(")")?;
        }
        Ok(())
    }

    /// The fields it reads.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |c| match c {
            Condition::Compare { field, .. }
            | Condition::In { field, .. }
            | Condition::Between { field, .. }
            | Condition::IsNull { field, .. }
            | Condition::Truthy { field } => out.push(field.as_str()),
            _ => {}
        });
        out
    }

    pub(super) fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Condition)) {
        f(self);
        match self {
            Condition::And(items) | Condition::Or(items) => {
                for c in items {
                    c.walk(f);
                }
            }
            Condition::Not(c) => c.walk(f),
            _ => {}
        }
    }
}

impl fmt::Display for Condition {
    /// The text form; parsing it gives back the same condition.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_in(f, 0)
    }
}
