//! One column of the rows conditions are evaluated on: numbers, text or yes/no, each with
//! its missing values.

use serde::{Deserialize, Serialize};

use super::schema::Kind;

/// One column of a [`Table`](super::Table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// Numbers, `NaN` = missing.
    Number(#[serde(with = "crate::missing")] Vec<f64>),
    /// Text, `None` = missing.
    Text(Vec<Option<String>>),
    /// Yes/no, `None` = missing.
    Bool(Vec<Option<bool>>),
}

impl Column {
    pub(super) fn kind(&self) -> Kind {
        match self {
            Column::Number(_) => Kind::Number,
            Column::Text(_) => Kind::Text,
            Column::Bool(_) => Kind::Bool,
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Bool(v) => v.len(),
        }
    }
}
