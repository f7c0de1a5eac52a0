//! Evaluating conditions: a [`Table`] of [`Column`]s (one row per account), and evaluation
//! over it column by column.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ast::{Condition, Op};
use super::column::Column;
use super::logic::{
    FALSE, TRUE, UNKNOWN, and3, compare_col, in_list, not3, or3, same_field_equalities,
};
use super::schema::Schema;
use crate::{Error, Result};

/// Rows to evaluate conditions on, column by column (one row per account).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Row count.
    pub rows: usize,
    /// Columns by field name.
    pub columns: BTreeMap<String, Column>,
}

impl Table {
    /// The schema of its columns.
    pub fn schema(&self) -> Schema {
        Schema {
            fields: self
                .columns
                .iter()
                .map(|(k, c)| (k.clone(), c.kind()))
                .collect(),
        }
    }

    /// Add a column (an error if its length differs from the table's).
    pub fn insert(&mut self, name: &str, column: Column) -> Result<()> {
        if self.columns.is_empty() && self.rows == 0 {
            self.rows = column.len();
        }
        if column.len() != self.rows {
            return Err(Error::Config(vec![format!(
                "column `{name}` has {} rows for a table of {}",
                column.len(),
                self.rows
            )]));
        }
        self.columns.insert(name.to_string(), column);
        Ok(())
    }

    /// Which rows match `c` (true, not unknown). The condition is checked against the table's
    /// schema first.
    pub fn filter(&self, c: &Condition) -> Result<Vec<bool>> {
        crate::fault::checkpoint("Table::filter");
        self.schema().check(c)?;
        Ok(self.eval(c).into_iter().map(|t| t == TRUE).collect())
    }

    fn eval(&self, c: &Condition) -> Vec<u8> {
        let n = self.rows;
        match c {
            Condition::And(items) => {
                let mut acc = vec![TRUE; n];
                for c in items {
                    for (a, b) in acc.iter_mut().zip(self.eval(c)) {
                        *a = and3(*a, b);
                    }
                }
                acc
            }
            Condition::Or(items) => {
                // `x = a or x = b or …` on one field is `x in [a, b, …]`: one pass with a set
                // instead of one pass per item (thousands of items stay cheap).
                if let Some((field, values)) = same_field_equalities(items) {
                    return self.leaf(field, |col| in_list(col, &values));
                }
                let mut acc = vec![FALSE; n];
                for c in items {
                    for (a, b) in acc.iter_mut().zip(self.eval(c)) {
                        *a = or3(*a, b);
                    }
                }
                acc
            }
            Condition::Not(c) => self.eval(c).into_iter().map(not3).collect(),
            Condition::Compare { field, op, value } => {
                self.leaf(field, |col| compare_col(col, *op, value))
            }
            Condition::In {
                field,
                values,
                negated,
            } => self.leaf(field, |col| {
                let acc = in_list(col, values);
                if *negated {
                    acc.into_iter().map(not3).collect()
                } else {
                    acc
                }
            }),
            Condition::Between { field, low, high } => self.leaf(field, |col| {
                compare_col(col, Op::Ge, low)
                    .into_iter()
                    .zip(compare_col(col, Op::Le, high))
                    .map(|(a, b)| and3(a, b))
                    .collect()
            }),
            Condition::IsNull { field, negated } => self.leaf(field, |col| {
                let null: Vec<bool> = match col {
                    Column::Number(v) => v.iter().map(|x| x.is_nan()).collect(),
                    Column::Text(v) => v.iter().map(Option::is_none).collect(),
                    Column::Bool(v) => v.iter().map(Option::is_none).collect(),
                };
                null.into_iter()
                    .map(|is| if is != *negated { TRUE } else { FALSE })
                    .collect()
            }),
            Condition::Truthy { field } => self.leaf(field, |col| match col {
                Column::Number(v) => v
                    .iter()
                    .map(|x| {
                        if x.is_nan() {
                            UNKNOWN
                        } else if *x != 0.0 {
                            TRUE
                        } else {
                            FALSE
                        }
                    })
                    .collect(),
                Column::Bool(v) => v
                    .iter()
                    .map(|b| match b {
                        None => UNKNOWN,
                        Some(true) => TRUE,
                        Some(false) => FALSE,
                    })
                    .collect(),
                Column::Text(v) => vec![UNKNOWN; v.len()],
            }),
        }
    }

    fn leaf(&self, field: &str, f: impl FnOnce(&Column) -> Vec<u8>) -> Vec<u8> {
        match self.columns.get(field) {
            Some(col) => f(col),
            // `filter` checks the schema first; evaluating an unchecked condition treats an
            // unknown field as missing everywhere.
            None => vec![UNKNOWN; self.rows],
        }
    }
}
