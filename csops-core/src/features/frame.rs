//! The derived features: a [`FeatureFrame`] of account ids and [`FeatureColumn`]s, with the
//! [`MissingNote`]s that say why a value is missing ([`MissingWhy`]: stale or blank).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One named feature column. `NaN` means missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "FeatureColumnJson")
)]
pub struct FeatureColumn {
    /// Feature name.
    pub name: String,
    /// One value per account of the frame, `NaN` where missing (`null` in JSON).
    #[serde(with = "crate::missing")]
    #[cfg_attr(feature = "typescript", ts(as = "Vec<Option<f64>>"))]
    pub values: Vec<f64>,
}

impl FeatureColumn {
    /// The value of row `i`, `None` if missing or out of range.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().filter(|v| !v.is_nan())
    }
    /// How many values are missing.
    pub fn missing(&self) -> usize {
        self.values.iter().filter(|v| v.is_nan()).count()
    }
}

/// Summary statistics of one column (over present values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct ColumnSummary {
    /// Feature name.
    pub name: String,
    /// Present values.
    pub present: usize,
    /// Missing values.
    pub missing: usize,
    /// Mean, if any value is present.
    pub mean: Option<f64>,
    /// Minimum.
    pub min: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
}

/// Why a value that had data is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all_fields = "camelCase")
)]
#[non_exhaustive]
pub enum MissingWhy {
    /// The latest value is older than the feature's maximum age.
    Stale {
        /// The day the latest value is from (a snapshot's period end, a survey's day).
        last_value_on: NaiveDate,
        /// The first day it no longer counted.
        stale_since: NaiveDate,
    },
    /// The latest period has no value (an empty cell in the export); earlier periods are not
    /// used in its place.
    NoValueForPeriod {
        /// The last day of that period.
        period_end: NaiveDate,
    },
}

impl MissingWhy {
    /// The reason without its dates, to count notes by: `stale (older than its maximum
    /// age)` or `blank for its latest period`.
    pub fn kind(&self) -> &'static str {
        match self {
            MissingWhy::Stale { .. } => "stale (older than its maximum age)",
            MissingWhy::NoValueForPeriod { .. } => "blank for its latest period",
        }
    }
}

impl std::fmt::Display for MissingWhy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MissingWhy::Stale {
                last_value_on,
                stale_since,
            } => write!(f, "stale since {stale_since} (last value {last_value_on})"),
            MissingWhy::NoValueForPeriod { period_end } => {
                write!(f, "no value for the period ending {period_end}")
            }
        }
    }
}

/// A missing value that is missing for a reason worth telling: stale, or blank in the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct MissingNote {
    /// The account.
    pub account_id: String,
    /// The feature column.
    pub feature: String,
    /// Why it is missing.
    pub why: MissingWhy,
}

/// Features of every account as of one day: account ids plus one `f64` column per feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "FeatureFrameJson")
)]
pub struct FeatureFrame {
    /// The as-of day.
    pub as_of: NaiveDate,
    /// Account ids, one per row.
    pub account_ids: Vec<String>,
    /// Columns, each as long as `account_ids`.
    pub columns: Vec<FeatureColumn>,
    /// Values missing because they are stale or blank (in row, then column order); other
    /// missing values had no data at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(optional, as = "Option<Vec<MissingNote>>"))]
    pub missing_notes: Vec<MissingNote>,
}

impl FeatureFrame {
    /// The frame in one line: `as of 2026-09-30: 300 accounts × 24 features`.
    pub fn headline(&self) -> String {
        format!(
            "as of {}: {} accounts × {} features",
            self.as_of,
            self.len(),
            self.columns.len()
        )
    }

    /// A frame of the given columns, with no missing notes (a frame built from the caller's
    /// own table).
    pub fn new(as_of: NaiveDate, account_ids: Vec<String>, columns: Vec<FeatureColumn>) -> Self {
        FeatureFrame {
            as_of,
            account_ids,
            columns,
            missing_notes: Vec::new(),
        }
    }
    /// Why an account's feature is missing, when it is stale or blank.
    pub fn missing_why(&self, account_id: &str, feature: &str) -> Option<&MissingWhy> {
        self.missing_notes
            .iter()
            .find(|n| n.account_id == account_id && n.feature == feature)
            .map(|n| &n.why)
    }
    /// Number of accounts (rows).
    pub fn len(&self) -> usize {
        self.account_ids.len()
    }
    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.account_ids.is_empty()
    }
    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&FeatureColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
    /// The value of a feature for an account id (`None` if missing or unknown).
    pub fn value(&self, account_id: &str, feature: &str) -> Option<f64> {
        let i = self.account_ids.iter().position(|a| a == account_id)?;
        self.column(feature)?.get(i)
    }
    /// Summary statistics of every column.
    pub fn summary(&self) -> Vec<ColumnSummary> {
        self.columns
            .iter()
            .map(|c| {
                let mut v: Vec<f64> = c.values.iter().copied().filter(|x| !x.is_nan()).collect();
                v.sort_by(f64::total_cmp);
                let n = v.len();
                ColumnSummary {
                    name: c.name.clone(),
                    present: n,
                    missing: c.values.len() - n,
                    mean: (n > 0).then(|| v.iter().sum::<f64>() / n as f64),
                    min: v.first().copied(),
                    median: (n > 0).then(|| {
                        if n % 2 == 1 {
                            v[n / 2]
                        } else {
                            (v[n / 2 - 1] + v[n / 2]) / 2.0
                        }
                    }),
                    max: v.last().copied(),
                }
            })
            .collect()
    }
    /// The summary as a text table.
    pub fn render_summary(&self) -> String {
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
        let mut s = format!(
            "features as of {} ({} accounts)\n{:<28} {:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n",
            self.as_of,
            self.len(),
            "feature",
            "present",
            "missing",
            "mean",
            "min",
            "median",
            "max"
        );
        for c in self.summary() {
            s.push_str(&format!(
                "{:<28} {:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n",
                c.name,
                c.present,
                c.missing,
                f(c.mean),
                f(c.min),
                f(c.median),
                f(c.max)
            ));
        }
        s
    }
}
