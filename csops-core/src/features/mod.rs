//! Point-in-time features: what was known about each account on a given day.
//!
//! A health score, a back-test or a playbook does not read raw events; it reads **features**:
//! "logins per active user per week over the last 28 days", "is there an executive sponsor",
//! "days since the last EBR". [`features_as_of`] derives them for every account from the
//! [`Book`] **as of a date**: only records dated on or before that day are seen, so a back-test
//! that scores an account 90 days before its renewal sees exactly what a CSM could have seen
//! then, never the future.
//!
//! The result is a [`FeatureFrame`]: account ids plus one `f64` column per feature. A missing
//! value (no data to compute it from) is `NaN` and is reported as missing; no feature is ever
//! `NaN` for any other reason, and nothing is clamped (seat utilisation above 100% stays above).
//!
//! | feature | definition | missing when |
//! |---|---|---|
//! | `logins_per_user_week` | `login` events in the usage window ÷ active users in it ÷ (window ÷ 7) | the account has no usage events at all |
//! | `dau_mau` | average daily active users ÷ monthly active users over the DAU/MAU window | no usage events |
//! | `feature_breadth` | share of the configured key features used at least once in the usage window (0–1) | no usage events |
//! | `seat_utilisation` | active users in the usage window ÷ licensed seats | no usage events, or no seats |
//! | `days_since_last_activity` | days since the last usage event | no usage events |
//! | `usage_change_pct` | % change of event count, usage window vs the window before it | the previous window had no events while this one has some |
//! | `tickets_opened` | tickets opened in the ticket window | never (0 without tickets) |
//! | `open_high_priority_tickets` | high/urgent tickets opened and not yet closed on the day | never |
//! | `avg_csat` | mean CSAT (ticket CSAT and CSAT surveys) in the CSAT window, 1–5 | no CSAT in the window |
//! | `nps` | % promoters (9–10) − % detractors (0–6) among NPS answers in the NPS window | no answers in the window |
//! | `exec_sponsor_present` | 1 if a contact holds the executive-sponsor role on the day, else 0 | never |
//! | `champion_present` | 1 if a contact holds the champion role on the day, else 0 | never |
//! | `days_since_last_ebr` | days since the last EBR or QBR | no business review yet |
//! | `milestones_achieved_share` | of milestones due by the day, the share achieved by the day | none due yet |
//! | `days_to_renewal` | days to the next renewal on or after the day (from the account's renewal date and term) | no renewal date |
//! | `snapshot.<metric>` | the value of the metric's latest period that ended by the day (one column per configured metric) | no such period; that period has no value (an empty cell in the export); or it ended more than the metric's maximum age ago (stale) |
//!
//! **Missing is missing, stale is stale.** A snapshot metric's latest period is the one used,
//! even when it has no value: an empty cell for last quarter is missing, never the quarter
//! before's value. A value older than its maximum age
//! ([`FeatureConfig::snapshot_max_age_days`], 100 days by default: a quarter and a week's
//! export lag; per metric in [`FeatureConfig::max_age_days`]) is missing too. NPS and CSAT are
//! averaged over their windows (180 and 90 days), which are their maximum ages. Each such
//! missing value is explained in [`FeatureFrame::missing_notes`] (stale since when, or blank
//! for which period), and a health score's explanation carries it to the measure. A scorecard
//! spreads a missing measure's weight over the others, as for any missing value. No value is
//! carried forward beyond its age unless a configuration asks for a longer one.
//!
//! Windows end on the as-of day inclusive: a 28-day window on 2025-03-31 covers 2025-03-04 to
//! 2025-03-31. Accounts whose contract starts after the day are not in the frame, nor (unless
//! [`FeatureConfig::include_churned`]) accounts that had churned by it.
//!
//! Raw usage events are read in one pass, grouped by account, with no per-event allocation.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::error::{Error, Result};
use crate::record::{Outcome, Role, SurveyKind};

/// Feature column names.
pub mod names {
    /// Logins per active user per week.
    pub const LOGINS_PER_USER_WEEK: &str = "logins_per_user_week";
    /// DAU / MAU stickiness.
    pub const DAU_MAU: &str = "dau_mau";
    /// Share of key features used.
    pub const FEATURE_BREADTH: &str = "feature_breadth";
    /// Active users per licensed seat.
    pub const SEAT_UTILISATION: &str = "seat_utilisation";
    /// Days since the last usage event.
    pub const DAYS_SINCE_LAST_ACTIVITY: &str = "days_since_last_activity";
    /// Usage change against the previous window, in %.
    pub const USAGE_CHANGE_PCT: &str = "usage_change_pct";
    /// Tickets opened in the ticket window.
    pub const TICKETS_OPENED: &str = "tickets_opened";
    /// High or urgent tickets open on the day.
    pub const OPEN_HIGH_PRIORITY_TICKETS: &str = "open_high_priority_tickets";
    /// Mean CSAT.
    pub const AVG_CSAT: &str = "avg_csat";
    /// Net promoter score.
    pub const NPS: &str = "nps";
    /// An executive sponsor is in place.
    pub const EXEC_SPONSOR_PRESENT: &str = "exec_sponsor_present";
    /// A champion is in place.
    pub const CHAMPION_PRESENT: &str = "champion_present";
    /// Days since the last EBR or QBR.
    pub const DAYS_SINCE_LAST_EBR: &str = "days_since_last_ebr";
    /// Share of due milestones achieved.
    pub const MILESTONES_ACHIEVED_SHARE: &str = "milestones_achieved_share";
    /// Days to the next renewal.
    pub const DAYS_TO_RENEWAL: &str = "days_to_renewal";
    /// Every built-in feature, in frame order.
    pub const ALL: &[&str] = &[
        LOGINS_PER_USER_WEEK,
        DAU_MAU,
        FEATURE_BREADTH,
        SEAT_UTILISATION,
        DAYS_SINCE_LAST_ACTIVITY,
        USAGE_CHANGE_PCT,
        TICKETS_OPENED,
        OPEN_HIGH_PRIORITY_TICKETS,
        AVG_CSAT,
        NPS,
        EXEC_SPONSOR_PRESENT,
        CHAMPION_PRESENT,
        DAYS_SINCE_LAST_EBR,
        MILESTONES_ACHIEVED_SHARE,
        DAYS_TO_RENEWAL,
    ];
}

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
pub struct FeatureConfig {
    /// Window for logins, breadth, seat utilisation and usage change (default 28).
    pub usage_window_days: u32,
    /// Window for DAU/MAU, at most 64 (default 28).
    pub dau_mau_window_days: u32,
    /// The features whose adoption counts toward breadth (at most 64).
    pub key_features: Vec<String>,
    /// The event name that counts as a login (default `login`).
    pub login_feature: String,
    /// Window for tickets opened (default 90).
    pub ticket_window_days: u32,
    /// Window for CSAT (default 90).
    pub csat_window_days: u32,
    /// Window for NPS (default 180).
    pub nps_window_days: u32,
    /// Usage-snapshot metrics to expose as `snapshot.<metric>` columns.
    pub snapshot_metrics: Vec<String>,
    /// Days after its period's end that a snapshot value stays current (default 100: one
    /// quarter and a week's export lag); older, it is missing (stale).
    pub snapshot_max_age_days: u32,
    /// Per-metric maximum ages, overriding `snapshot_max_age_days`: metric → days.
    pub max_age_days: BTreeMap<String, u32>,
    /// Keep accounts that had churned by the as-of day (default false).
    pub include_churned: bool,
    /// Called every few thousand accounts; answering stop ends the call with
    /// [`Error::Cancelled`] (see [`crate::progress`]).
    #[serde(skip)]
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

/// One named feature column. `NaN` means missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureColumn {
    /// Feature name.
    pub name: String,
    /// One value per account of the frame, `NaN` where missing (`null` in JSON).
    #[serde(with = "crate::missing")]
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
    pub missing_notes: Vec<MissingNote>,
}

impl FeatureFrame {
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

const DAY_MS: i64 = 86_400_000;

fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

fn days_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64
}

/// Derive every feature for every account as of `as_of` (inclusive). See the [module
/// docs](self) for the definitions.
///
/// ```
/// use csops_core::book::{Book, LoadMode, Records};
/// use csops_core::features::{features_as_of, FeatureConfig};
/// let (book, _) = Book::from_records(Records::default(), LoadMode::Strict)?;
/// let frame = features_as_of(&book, "2025-03-31".parse().unwrap(), &FeatureConfig::default())?;
/// assert!(frame.is_empty());
/// # Ok::<(), csops_core::Error>(())
/// ```
pub fn features_as_of(book: &Book, as_of: NaiveDate, cfg: &FeatureConfig) -> Result<FeatureFrame> {
    crate::fault::checkpoint("features_as_of");
    features_of(book, as_of, cfg, None)
}

/// [`features_as_of`] for the accounts whose index is flagged in `only` (all when `None`):
/// a back-test scoring a few renewing accounts per day need not derive the whole book.
pub(crate) fn features_of(
    book: &Book,
    as_of: NaiveDate,
    cfg: &FeatureConfig,
    only: Option<&[bool]>,
) -> Result<FeatureFrame> {
    cfg.validate()?;
    let usage = book.usage();
    let end_ms = day_start_ms(as_of) + DAY_MS; // exclusive
    let uw = cfg.usage_window_days as i64;
    let start_ms = end_ms - uw * DAY_MS;
    let prev_start_ms = start_ms - uw * DAY_MS;
    let dw = cfg.dau_mau_window_days as i64;
    let dau_start_ms = end_ms - dw * DAY_MS;
    // The earliest day each window reaches back to; an as-of day so early that a window would
    // leave the calendar is an error, not a panic.
    let from = |n: u32, what: &str| {
        as_of
            .checked_sub_days(chrono::Days::new(2 * n as u64))
            .map(|_| as_of - chrono::Days::new(n as u64 - 1))
            .ok_or_else(|| {
                Error::Config(vec![format!(
                    "as-of day {as_of} is too early for the {what} window"
                )])
            })
    };
    let ticket_from = from(cfg.ticket_window_days, "ticket")?;
    let csat_from = from(cfg.csat_window_days, "CSAT")?;
    let nps_from = from(cfg.nps_window_days, "NPS")?;
    from(cfg.usage_window_days, "usage")?;
    from(cfg.dau_mau_window_days, "DAU/MAU")?;

    // Feature id → bit of the key-feature mask.
    let mut key_bit: Vec<u64> = vec![0; usage.feature_count()];
    for (i, f) in cfg.key_features.iter().enumerate() {
        if let Some(id) = usage.feature_id(f) {
            key_bit[id as usize] = 1u64 << i;
        }
    }
    let login = usage.feature_id(&cfg.login_feature);
    let n_keys = cfg.key_features.len() as f64;

    // Per-member scratch, reset after each account through `touched`.
    let mut dau_mask = vec![0u64; usage.member_count()];
    let mut active = vec![false; usage.member_count()];
    let mut touched: Vec<u32> = Vec::new();

    let names = cfg.column_names();
    let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(book.accounts().len()); names.len()];
    let mut notes: Vec<MissingNote> = Vec::new();
    let mut ids = Vec::with_capacity(book.accounts().len());

    let n_accounts = book.accounts().len() as u64;
    cfg.progress
        .report("deriving features", 0, Some(n_accounts), "accounts")?;
    for (a, account) in book.accounts().iter().enumerate() {
        if (a as u64 + 1) % crate::progress::EVERY == 0 {
            cfg.progress
                .report("deriving features", a as u64, Some(n_accounts), "accounts")?;
        }
        if account.start_date > as_of || only.is_some_and(|o| !o[a]) {
            continue;
        }
        if !cfg.include_churned
            && book
                .renewal_outcomes_of(a)
                .iter()
                .any(|o| o.outcome == Outcome::Churned && o.renewal_date <= as_of)
        {
            continue;
        }
        ids.push(account.id.clone());
        let mut row = [f64::NAN; 15];

        // Usage: one pass over this account's events.
        let u = usage.of(a);
        let (mut any, mut last, mut logins, mut cur, mut prev, mut keys) =
            (false, i64::MIN, 0u64, 0u64, 0u64, 0u64);
        for i in 0..u.ts.len() {
            let t = u.ts[i];
            if t >= end_ms {
                continue;
            }
            any = true;
            last = last.max(t);
            if t >= start_ms {
                cur += 1;
                let m = u.member[i] as usize;
                if !active[m] && dau_mask[m] == 0 {
                    touched.push(m as u32);
                }
                active[m] = true;
                keys |= key_bit[u.feature[i] as usize];
                if Some(u.feature[i]) == login {
                    logins += 1;
                }
            } else if t >= prev_start_ms {
                prev += 1;
            }
            if t >= dau_start_ms {
                let m = u.member[i] as usize;
                if !active[m] && dau_mask[m] == 0 {
                    touched.push(m as u32);
                }
                dau_mask[m] |= 1u64 << ((end_ms - 1 - t) / DAY_MS);
            }
        }
        let (mut active_users, mut mau, mut user_days) = (0u64, 0u64, 0u64);
        for &m in &touched {
            let m = m as usize;
            active_users += active[m] as u64;
            if dau_mask[m] != 0 {
                mau += 1;
                user_days += dau_mask[m].count_ones() as u64;
            }
            active[m] = false;
            dau_mask[m] = 0;
        }
        touched.clear();
        if any {
            row[0] = if active_users == 0 {
                0.0
            } else {
                logins as f64 / active_users as f64 / (uw as f64 / 7.0)
            };
            row[1] = if mau == 0 {
                0.0
            } else {
                user_days as f64 / (dw as f64 * mau as f64)
            };
            row[2] = keys.count_ones() as f64 / n_keys;
            if let Some(seats) = account.seats.filter(|&s| s > 0) {
                row[3] = active_users as f64 / seats as f64;
            }
            row[4] = ((end_ms - 1 - last) / DAY_MS) as f64;
            row[5] = match (prev, cur) {
                (0, 0) => 0.0,
                (0, _) => f64::NAN,
                (p, c) => (c as f64 - p as f64) / p as f64 * 100.0,
            };
        }

        // Support.
        let tickets = book.tickets_of(a);
        let (mut opened, mut open_high, mut csat_sum, mut csat_n) = (0u32, 0u32, 0u32, 0u32);
        for t in tickets.iter().filter(|t| t.opened <= as_of) {
            if t.opened >= ticket_from {
                opened += 1;
            }
            let still_open = t.closed.is_none_or(|c| c > as_of);
            if still_open && t.priority.is_high() {
                open_high += 1;
            }
            if let (Some(c), Some(score)) = (t.closed, t.csat)
                && c <= as_of
                && c >= csat_from
            {
                csat_sum += score as u32;
                csat_n += 1;
            }
        }
        row[6] = opened as f64;
        row[7] = open_high as f64;
        let (mut promoters, mut detractors, mut nps_n) = (0u32, 0u32, 0u32);
        for s in book.surveys_of(a).iter().filter(|s| s.date <= as_of) {
            match s.kind {
                SurveyKind::Csat if s.date >= csat_from => {
                    csat_sum += s.score as u32;
                    csat_n += 1;
                }
                SurveyKind::Nps if s.date >= nps_from => {
                    nps_n += 1;
                    if s.score >= 9 {
                        promoters += 1;
                    } else if s.score <= 6 {
                        detractors += 1;
                    }
                }
                _ => {}
            }
        }
        if csat_n > 0 {
            row[8] = csat_sum as f64 / csat_n as f64;
        } else if let Some(last) = last_csat(tickets, book.surveys_of(a), as_of) {
            stale(
                &mut notes,
                &account.id,
                names::AVG_CSAT,
                last,
                cfg.csat_window_days,
            );
        }
        if nps_n > 0 {
            row[9] = (promoters as f64 - detractors as f64) / nps_n as f64 * 100.0;
        } else if let Some(last) = book
            .surveys_of(a)
            .iter()
            .filter(|s| s.kind == SurveyKind::Nps && s.date <= as_of)
            .map(|s| s.date)
            .max()
        {
            stale(
                &mut notes,
                &account.id,
                names::NPS,
                last,
                cfg.nps_window_days,
            );
        }

        // Relationship.
        let roles = book.roles_of(a);
        let holds = |r: Role| roles.iter().any(|c| c.role == r && c.active_on(as_of));
        row[10] = holds(Role::ExecutiveSponsor) as u8 as f64;
        row[11] = holds(Role::Champion) as u8 as f64;
        if let Some(last_ebr) = book
            .meetings_of(a)
            .iter()
            .filter(|m| m.kind.is_business_review() && m.date <= as_of)
            .map(|m| m.date)
            .max()
        {
            row[12] = days_between(last_ebr, as_of);
        }

        // Outcomes and contract.
        let due: Vec<_> = book
            .milestones_of(a)
            .iter()
            .filter(|m| m.due <= as_of)
            .collect();
        if !due.is_empty() {
            let achieved = due
                .iter()
                .filter(|m| m.achieved.is_some_and(|d| d <= as_of))
                .count();
            row[13] = achieved as f64 / due.len() as f64;
        }
        if let Some(r) = account.next_renewal_on_or_after(as_of) {
            row[14] = days_between(as_of, r);
        }

        for (c, v) in row.iter().enumerate() {
            cols[c].push(*v);
        }
        for (k, metric) in cfg.snapshot_metrics.iter().enumerate() {
            // The latest period that ended by the day, with or without a value: a blank last
            // quarter is missing, never the quarter before.
            let latest = book
                .usage_snapshots_of(a)
                .iter()
                .filter(|s| &s.metric == metric && s.period_end <= as_of)
                .max_by_key(|s| s.period_end);
            let max_age = cfg
                .max_age_days
                .get(metric)
                .copied()
                .unwrap_or(cfg.snapshot_max_age_days);
            let v = match latest {
                None => f64::NAN,
                Some(s) if (as_of - s.period_end).num_days() > max_age as i64 => {
                    stale(
                        &mut notes,
                        &account.id,
                        &names[names::ALL.len() + k],
                        s.period_end,
                        max_age,
                    );
                    f64::NAN
                }
                Some(s) => match s.value {
                    Some(v) => v,
                    None => {
                        notes.push(MissingNote {
                            account_id: account.id.clone(),
                            feature: names[names::ALL.len() + k].clone(),
                            why: MissingWhy::NoValueForPeriod {
                                period_end: s.period_end,
                            },
                        });
                        f64::NAN
                    }
                },
            };
            cols[names::ALL.len() + k].push(v);
        }
    }

    cfg.progress.report(
        "deriving features",
        n_accounts,
        Some(n_accounts),
        "accounts",
    )?;
    Ok(FeatureFrame {
        as_of,
        account_ids: ids,
        columns: names
            .into_iter()
            .zip(cols)
            .map(|(name, values)| FeatureColumn { name, values })
            .collect(),
        missing_notes: notes,
    })
}

/// Note that `feature` of an account is missing because its last value, from `last`, is older
/// than `max_age` days.
fn stale(
    notes: &mut Vec<MissingNote>,
    account_id: &str,
    feature: &str,
    last: NaiveDate,
    max_age: u32,
) {
    let stale_since = last
        .checked_add_days(chrono::Days::new(max_age as u64 + 1))
        .unwrap_or(NaiveDate::MAX);
    notes.push(MissingNote {
        account_id: account_id.to_string(),
        feature: feature.to_string(),
        why: MissingWhy::Stale {
            last_value_on: last,
            stale_since,
        },
    });
}

/// The day of the latest CSAT (a closed ticket's or a survey's) on or before the day.
fn last_csat(
    tickets: &[crate::record::Ticket],
    surveys: &[crate::record::SurveyResponse],
    as_of: NaiveDate,
) -> Option<NaiveDate> {
    let t = tickets
        .iter()
        .filter(|t| t.csat.is_some())
        .filter_map(|t| t.closed)
        .filter(|c| *c <= as_of)
        .max();
    let s = surveys
        .iter()
        .filter(|s| s.kind == SurveyKind::Csat && s.date <= as_of)
        .map(|s| s.date)
        .max();
    t.max(s)
}
