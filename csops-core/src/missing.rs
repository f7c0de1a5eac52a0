//! Missing numbers in serialised columns.
//!
//! Columns of numbers mark a missing value with `NaN` (a feature without data, an account the
//! scorecard could not score). JSON has no `NaN`: `serde_json` writes it as `null`, and would
//! then refuse to read that `null` back as a number. Fields marked
//! `#[serde(with = "crate::missing")]` write `NaN` as `null` and read `null` as `NaN`, so a
//! column survives a round trip through JSON.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Write `NaN` as `null`.
pub fn serialize<S: Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(values.iter().map(|v| (!v.is_nan()).then_some(*v)))
}

/// Read `null` as `NaN`.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Vec::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

/// The same for a list of columns.
pub mod columns {
    use super::*;

    /// Write `NaN` as `null`.
    pub fn serialize<S: Serializer>(columns: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Column<'a>(#[serde(with = "super")] &'a Vec<f64>);
        s.collect_seq(columns.iter().map(Column))
    }

    /// Read `null` as `NaN`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        #[derive(Deserialize)]
        struct Column(#[serde(with = "super")] Vec<f64>);
        let v: Vec<Column> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|c| c.0).collect())
    }
}
