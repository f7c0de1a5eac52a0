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

mod config;
mod derive;
mod frame;

pub use config::{DEFAULT_KEY_FEATURES, DEFAULT_SNAPSHOT_MAX_AGE_DAYS, FeatureConfig};
pub use derive::features_as_of;
pub(crate) use derive::features_of;
pub use frame::{ColumnSummary, FeatureColumn, FeatureFrame, MissingNote, MissingWhy};

#[cfg(doc)]
use crate::book::Book;

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
