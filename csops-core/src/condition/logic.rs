//! The three-valued logic of evaluation (true, false, unknown for missing values) and the
//! column-wise comparisons it is built from.

use super::ast::{Condition, Op, Value};
use super::column::Column;

pub(super) const FALSE: u8 = 0;
pub(super) const TRUE: u8 = 1;
pub(super) const UNKNOWN: u8 = 2;

pub(super) fn and3(a: u8, b: u8) -> u8 {
    if a == FALSE || b == FALSE {
        FALSE
    } else if a == TRUE && b == TRUE {
        TRUE
    } else {
        UNKNOWN
    }
}

pub(super) fn or3(a: u8, b: u8) -> u8 {
    if a == TRUE || b == TRUE {
        TRUE
    } else if a == FALSE && b == FALSE {
        FALSE
    } else {
        UNKNOWN
    }
}

pub(super) fn not3(a: u8) -> u8 {
    match a {
        TRUE => FALSE,
        FALSE => TRUE,
        u => u,
    }
}

fn cmp<T: PartialOrd + ?Sized>(a: &T, op: Op, b: &T) -> u8 {
    let r = match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    };
    u8::from(r)
}

/// The field and values of an `or` whose items are all `field = value` on one field (at least
/// two of them).
pub(super) fn same_field_equalities(items: &[Condition]) -> Option<(&str, Vec<Value>)> {
    let mut field = None;
    let mut values = Vec::with_capacity(items.len());
    for c in items {
        let Condition::Compare {
            field: f,
            op: Op::Eq,
            value,
        } = c
        else {
            return None;
        };
        if *field.get_or_insert(f.as_str()) != f.as_str() {
            return None;
        }
        values.push(value.clone());
    }
    (values.len() >= 2).then_some((field?, values))
}

/// `col in values`, as the `or` of `col = v` over the values, in one pass over the rows with
/// a hash set of the values (a list of thousands costs no more than one of three). A missing
/// cell is unknown (false for an empty list); a present one is true when listed, otherwise
/// unknown if some listed value has another type (unchecked conditions), else false.
pub(super) fn in_list(col: &Column, values: &[Value]) -> Vec<u8> {
    use std::collections::HashSet;
    let missing = if values.is_empty() { FALSE } else { UNKNOWN };
    let same_type = |v: &Value| {
        matches!(
            (col, v),
            (Column::Number(_), Value::Number(_))
                | (Column::Text(_), Value::Text(_))
                | (Column::Bool(_), Value::Bool(_))
        )
    };
    let unlisted = if values.iter().all(same_type) {
        FALSE
    } else {
        UNKNOWN
    };
    // -0.0 equals 0.0; NaN equals nothing.
    let key = |x: f64| if x == 0.0 { 0u64 } else { x.to_bits() };
    match col {
        Column::Number(v) => {
            let set: HashSet<u64> = values
                .iter()
                .filter_map(|x| match x {
                    Value::Number(b) if !b.is_nan() => Some(key(*b)),
                    _ => None,
                })
                .collect();
            v.iter()
                .map(|a| match a {
                    a if a.is_nan() => missing,
                    a if set.contains(&key(*a)) => TRUE,
                    _ => unlisted,
                })
                .collect()
        }
        Column::Text(v) => {
            let set: HashSet<&str> = values
                .iter()
                .filter_map(|x| match x {
                    Value::Text(b) => Some(b.as_str()),
                    _ => None,
                })
                .collect();
            v.iter()
                .map(|a| match a.as_deref() {
                    None => missing,
                    Some(a) if set.contains(a) => TRUE,
                    Some(_) => unlisted,
                })
                .collect()
        }
        Column::Bool(v) => {
            let listed = |b: bool| values.contains(&Value::Bool(b));
            let (t, f) = (listed(true), listed(false));
            v.iter()
                .map(|a| match a {
                    None => missing,
                    Some(true) if t => TRUE,
                    Some(false) if f => TRUE,
                    Some(_) => unlisted,
                })
                .collect()
        }
    }
}

pub(super) fn compare_col(col: &Column, op: Op, value: &Value) -> Vec<u8> {
    match (col, value) {
        (Column::Number(v), Value::Number(b)) => v
            .iter()
            .map(|a| if a.is_nan() { UNKNOWN } else { cmp(a, op, b) })
            .collect(),
        (Column::Text(v), Value::Text(b)) => v
            .iter()
            .map(|a| a.as_deref().map_or(UNKNOWN, |a| cmp(a, op, b.as_str())))
            .collect(),
        (Column::Bool(v), Value::Bool(b)) => v
            .iter()
            .map(|a| a.map_or(UNKNOWN, |a| cmp(&a, op, b)))
            .collect(),
        // A type mismatch is caught by `Schema::check`; unchecked, it never matches.
        _ => vec![UNKNOWN; col.len()],
    }
}
