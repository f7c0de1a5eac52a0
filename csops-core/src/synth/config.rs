//! The parameters of a synthetic book ([`SynthConfig`]), and what writing one reported
//! ([`Summary`]).

use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::book::BookCounts;
use crate::error::{Error, Result};

/// The parameters of a synthetic book. Serde-readable (TOML or JSON) with every field optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "SynthOptions")
)]
pub struct SynthConfig {
    /// Random seed: the same configuration and seed always give the same book (default 42).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u64>", optional))]
    pub seed: u64,
    /// Number of accounts (default 300).
    #[cfg_attr(feature = "typescript", ts(as = "Option<usize>", optional))]
    pub accounts: usize,
    /// First day of the window (default 2024-10-01).
    #[cfg_attr(feature = "typescript", ts(as = "Option<NaiveDate>", optional))]
    #[serde(deserialize_with = "crate::options::day")]
    pub start: NaiveDate,
    /// Length of the window in quarters, 1–400 (default 8); see [`SynthConfig::end`].
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub quarters: u32,
    /// Share of optional values left missing, 0–0.5 (default 0.05).
    #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
    pub missing_rate: f64,
    /// Usage-event density: the average number of raw usage events per active account per
    /// week (default 5.0). Engaged, larger accounts get more, small quiet ones fewer. About
    /// 0.82 gives 50 events per account over the default 540 days of usage (1M accounts,
    /// 50M events); the default gives about 300.
    #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
    pub events_per_account_week: f64,
    /// Raw usage events cover this many days before the end date (default 540: enough to
    /// derive 28-day features 90 days before every renewal of the last four quarters, and the
    /// window before that). 0 means no raw events.
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub usage_days: u32,
    /// Share of accounts that were already customers when the window opens, 0–1 (default 0.6).
    #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
    pub existing_share: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 42,
            accounts: 300,
            start: NaiveDate::from_ymd_opt(2024, 10, 1).unwrap_or_default(),
            quarters: 8,
            missing_rate: 0.05,
            events_per_account_week: 5.0,
            usage_days: 540,
            existing_share: 0.6,
        }
    }
}

impl SynthConfig {
    /// The end of the window: `start` plus `quarters` quarters. The book is exported on this
    /// day: every activity record is dated before it.
    pub fn end(&self) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(3 * self.quarters.clamp(1, 400)))
            .unwrap_or(self.start)
    }

    /// Check every parameter; all problems are reported at once. [`generate`] clamps
    /// out-of-range values instead; [`generate_to_csv_dir`] refuses them.
    ///
    /// [`generate`]: crate::synth::generate
    /// [`generate_to_csv_dir`]: crate::synth::generate_to_csv_dir
    pub fn validate(&self) -> Result<()> {
        let mut p = Vec::new();
        if !(1..=400).contains(&self.quarters) {
            p.push(format!("quarters must be 1–400, got {}", self.quarters));
        }
        if !(0.0..=0.5).contains(&self.missing_rate) {
            p.push(format!(
                "missing_rate must be 0–0.5, got {}",
                self.missing_rate
            ));
        }
        if !(0.0..=10_000.0).contains(&self.events_per_account_week) {
            p.push(format!(
                "events_per_account_week must be 0–10000, got {}",
                self.events_per_account_week
            ));
        }
        if !(0.0..=1.0).contains(&self.existing_share) {
            p.push(format!(
                "existing_share must be 0–1, got {}",
                self.existing_share
            ));
        }
        if self.accounts > 100_000_000 {
            p.push(format!(
                "accounts must be at most 100000000, got {}",
                self.accounts
            ));
        }
        if self
            .start
            .checked_add_months(Months::new(3 * self.quarters.clamp(1, 400) + 48))
            .is_none()
            || self.start.year() < 1900
        {
            p.push(format!("start {} is out of range", self.start));
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// Parse from TOML and validate.
    pub fn from_toml(text: &str) -> Result<Self> {
        let c: SynthConfig =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("synth config: {e}")]))?;
        c.validate()?;
        Ok(c)
    }
}

/// What [`generate_to_csv_dir`] wrote.
///
/// [`generate_to_csv_dir`]: crate::synth::generate_to_csv_dir
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The end of the window (the export day).
    pub end: NaiveDate,
    /// Rows written per record type.
    pub counts: BookCounts,
    /// Renewals decided in the window (one renewal outcome each).
    pub renewals: usize,
    /// Of those, how many churned.
    pub churned: usize,
    /// The files written, in [`FILES`](crate::interchange::FILES) order.
    pub files: Vec<PathBuf>,
}

impl Summary {
    /// Churned renewals ÷ renewals (logo churn per renewal, i.e. annual logo churn); 0 when
    /// there were no renewals.
    pub fn churn_rate(&self) -> f64 {
        if self.renewals == 0 {
            0.0
        } else {
            self.churned as f64 / self.renewals as f64
        }
    }
}
