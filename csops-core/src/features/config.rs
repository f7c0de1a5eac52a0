//! The parameters of feature derivation: [`FeatureConfig`] (windows, key features, snapshot
//! metrics and their maximum ages) and its defaults.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::names;
use crate::error::{Error, Result};

/// The default key features whose adoption is "feature breadth".
pub const DEFAULT_KEY_FEATURES: &[&str] = &[
    "reports",
    "dashboards",
    "integrations",
    "automation",
    "api",
    "alerts",
    "exports",
    "sharing",
];

/// How long a usage-snapshot value stays current after its period ends, unless configured:
/// a quarter (92 days at most) and a week's export lag.
pub const DEFAULT_SNAPSHOT_MAX_AGE_DAYS: u32 = 100;

/// The parameters of feature derivation. Every window is in days and ends on the as-of day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FeatureConfig {
    /// Window for logins, breadth, seat utilisation and usage change (default 28).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub usage_window_days: u32,
    /// Window for DAU/MAU, at most 64 (default 28).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub dau_mau_window_days: u32,
    /// The features whose adoption counts toward breadth (at most 64).
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>", optional))]
    pub key_features: Vec<String>,
    /// The event name that counts as a login (default `login`).
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
    pub login_feature: String,
    /// Window for tickets opened (default 90).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub ticket_window_days: u32,
    /// Window for CSAT (default 90).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub csat_window_days: u32,
    /// Window for NPS (default 180).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub nps_window_days: u32,
    /// Usage-snapshot metrics to expose as `snapshot.<metric>` columns.
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>", optional))]
    pub snapshot_metrics: Vec<String>,
    /// Days after its period's end that a snapshot value stays current (default 100: one
    /// quarter and a week's export lag); older, it is missing (stale).
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub snapshot_max_age_days: u32,
    /// Per-metric maximum ages, overriding `snapshot_max_age_days`: metric → days.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<BTreeMap<String, u32>>", optional)
    )]
    pub max_age_days: BTreeMap<String, u32>,
    /// Keep accounts that had churned by the as-of day (default false).
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub include_churned: bool,
    /// Called every few thousand accounts; answering stop ends the call with
    /// [`Error::Cancelled`] (see [`crate::progress`]).
    #[serde(skip)]
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::progress::ProgressHook>", optional)
    )]
    pub progress: crate::progress::ProgressHook,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            usage_window_days: 28,
            dau_mau_window_days: 28,
            key_features: DEFAULT_KEY_FEATURES.iter().map(|f| f.to_string()).collect(),
            login_feature: "login".into(),
            ticket_window_days: 90,
            csat_window_days: 90,
            nps_window_days: 180,
            snapshot_metrics: Vec::new(),
            snapshot_max_age_days: DEFAULT_SNAPSHOT_MAX_AGE_DAYS,
            max_age_days: BTreeMap::new(),
            include_churned: false,
            progress: crate::progress::ProgressHook::none(),
        }
    }
}

impl FeatureConfig {
    /// Check every parameter; all problems are reported at once.
    pub fn validate(&self) -> Result<()> {
        let mut p = Vec::new();
        for (name, v) in [
            ("usage_window_days", self.usage_window_days),
            ("dau_mau_window_days", self.dau_mau_window_days),
            ("ticket_window_days", self.ticket_window_days),
            ("csat_window_days", self.csat_window_days),
            ("nps_window_days", self.nps_window_days),
        ] {
            if v == 0 || v > 3660 {
                p.push(format!("{name} must be between 1 and 3660 days, got {v}"));
            }
        }
        if self.dau_mau_window_days > 64 {
            p.push(format!(
                "dau_mau_window_days must be at most 64, got {}",
                self.dau_mau_window_days
            ));
        }
        if self.key_features.is_empty() || self.key_features.len() > 64 {
            p.push(format!(
                "key_features must list 1 to 64 features, got {}",
                self.key_features.len()
            ));
        }
        let unique: BTreeSet<&String> = self.key_features.iter().collect();
        if unique.len() != self.key_features.len() {
            p.push("key_features has duplicates".into());
        }
        if self.key_features.iter().any(|f| f.trim().is_empty()) {
            p.push("key_features has an empty name".into());
        }
        if self.login_feature.trim().is_empty() {
            p.push("login_feature is empty".into());
        }
        let metrics: BTreeSet<&String> = self.snapshot_metrics.iter().collect();
        if metrics.len() != self.snapshot_metrics.len() {
            p.push("snapshot_metrics has duplicates".into());
        }
        if self.snapshot_max_age_days == 0 || self.snapshot_max_age_days > 36_600 {
            p.push(format!(
                "snapshot_max_age_days must be between 1 and 36600 days, got {}",
                self.snapshot_max_age_days
            ));
        }
        for (m, &d) in &self.max_age_days {
            if !self.snapshot_metrics.contains(m) {
                p.push(format!(
                    "max_age_days: `{m}` is not one of snapshot_metrics (NPS and CSAT age out with nps_window_days and csat_window_days)"
                ));
            }
            if d == 0 || d > 36_600 {
                p.push(format!(
                    "max_age_days: `{m}` must be between 1 and 36600 days, got {d}"
                ));
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// Parse from TOML and validate.
    pub fn from_toml(text: &str) -> Result<Self> {
        let c: FeatureConfig = toml::from_str(text)
            .map_err(|e| Error::Config(vec![format!("feature config: {e}")]))?;
        c.validate()?;
        Ok(c)
    }

    /// Parse from JSON and validate.
    pub fn from_json(text: &str) -> Result<Self> {
        let c: FeatureConfig = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("feature config: {e}")]))?;
        c.validate()?;
        Ok(c)
    }

    /// Parse configuration text as a caller gives it: JSON when it starts with `{`, TOML
    /// otherwise; validated either way. The one rule both bindings use for text.
    pub fn from_text(text: &str) -> Result<Self> {
        if text.trim_start().starts_with('{') {
            Self::from_json(text)
        } else {
            Self::from_toml(text)
        }
    }

    /// The column names a frame built with this configuration has, in order.
    pub fn column_names(&self) -> Vec<String> {
        let mut v: Vec<String> = names::ALL.iter().map(|s| s.to_string()).collect();
        v.extend(
            self.snapshot_metrics
                .iter()
                .map(|m| format!("snapshot.{m}")),
        );
        v
    }
}
