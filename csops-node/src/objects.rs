//! The plain JavaScript objects csops returns, and their conversion from core types.
//!
//! Each type is a `#[napi(object)]`, so `index.d.ts` gets a real interface for it. Field
//! names are camelCase; money amounts are decimal strings (never lossy numbers); dates are
//! ISO `YYYY-MM-DD` strings; an absent optional value is `null` (the key is always present).
//! Conversions destructure the core types exhaustively, so a field added to the core fails to
//! compile here instead of silently missing from JavaScript.

use csops_core::book as core_book;
use csops_core::features as core_features;
use csops_core::health as core_health;
use napi::bindgen_prelude::{JsObjectValue, Object, ToNapiValue, TypeName};
use napi::{Env, Property, sys};
use napi_derive::napi;

use crate::results::Js;

/// Values keyed by text that comes from data (a column name, a file name, an attribute, a play
/// name, an account id, a CSM), written as an object whose keys are defined (not assigned)
/// properties: a key `__proto__` is a plain own key, not a prototype. Fields of this type give
/// their TypeScript type with `ts_type`.
#[derive(Debug, Clone)]
pub struct Keyed<V>(pub Vec<(String, V)>);

impl<V: ToNapiValue> ToNapiValue for Keyed<V> {
    unsafe fn to_napi_value(raw_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw_env);
        let properties = val
            .0
            .into_iter()
            .map(|(key, value)| {
                Property::new()
                    .with_name(&env, key.as_str())?
                    .with_napi_value(&env, value)
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let mut object = Object::new(&env)?;
        object.define_properties(&properties)?;
        // SAFETY: `raw_env` is the environment napi-rs handed to this conversion.
        unsafe { Object::to_napi_value(raw_env, object) }
    }
}

impl<V> TypeName for Keyed<V> {
    fn type_name() -> &'static str {
        "Record<string, …>"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl<V> FromIterator<(String, V)> for Keyed<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        Keyed(iter.into_iter().collect())
    }
}

/// What kind of problem a row has.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy)]
pub enum ProblemKind {
    /// A required field is empty or absent.
    Missing,
    /// A value cannot be read as its type (a date, a number, a currency).
    Malformed,
    /// A value is not one of the allowed values of an enumeration.
    UnknownValue,
    /// An amount or count is negative.
    Negative,
    /// A value is outside its allowed range.
    OutOfRange,
    /// Two dates of one record are in the wrong order.
    DatesOutOfOrder,
    /// The fields of one record contradict each other.
    Inconsistent,
    /// The id was already used by an earlier row.
    Duplicate,
    /// The record refers to an account or contact that does not exist (or was rejected).
    UnknownReference,
}

impl From<core_book::ProblemKind> for ProblemKind {
    fn from(k: core_book::ProblemKind) -> Self {
        use core_book::ProblemKind as K;
        match k {
            K::Missing => ProblemKind::Missing,
            K::Malformed => ProblemKind::Malformed,
            K::UnknownValue => ProblemKind::UnknownValue,
            K::Negative => ProblemKind::Negative,
            K::OutOfRange => ProblemKind::OutOfRange,
            K::DatesOutOfOrder => ProblemKind::DatesOutOfOrder,
            K::Inconsistent => ProblemKind::Inconsistent,
            K::Duplicate => ProblemKind::Duplicate,
            K::UnknownReference => ProblemKind::UnknownReference,
        }
    }
}

/// One problem with one row.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file the row came from: `accounts.csv` for CSV, `accounts` for a JSON document.
    pub file: String,
    /// The line in a CSV file (the header is line 1) or the 1-based position in a JSON array;
    /// `null` for a problem with a whole file (such as a missing column).
    pub row: Option<i64>,
    /// The id of the record, when it has one and it could be read.
    pub record_id: Option<String>,
    /// The field (column), when the problem is with one field.
    pub field: Option<String>,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// A human explanation, including the offending value.
    pub reason: String,
}

impl From<&core_book::Problem> for Problem {
    fn from(p: &core_book::Problem) -> Self {
        let core_book::Problem {
            file,
            row,
            record_id,
            field,
            kind,
            reason,
        } = p;
        Problem {
            file: file.clone(),
            row: row.map(|r| r as i64),
            record_id: record_id.clone(),
            field: field.clone(),
            kind: (*kind).into(),
            reason: reason.clone(),
        }
    }
}

/// A row that was not loaded, with its raw fields so nothing is lost.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct RejectedRow {
    /// The file.
    pub file: String,
    /// The row (see `Problem.row`).
    pub row: i64,
    /// The record id, when readable.
    pub record_id: Option<String>,
    /// The raw fields as read: column → text.
    #[napi(ts_type = "Record<string, string>")]
    pub fields: Keyed<String>,
}

impl From<&core_book::RejectedRow> for RejectedRow {
    fn from(r: &core_book::RejectedRow) -> Self {
        let core_book::RejectedRow {
            file,
            row,
            record_id,
            fields,
        } = r;
        RejectedRow {
            file: file.clone(),
            row: *row as i64,
            record_id: record_id.clone(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// Row counts of one file.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct FileCounts {
    /// Data rows read.
    pub read: i64,
    /// Rows loaded into the book.
    pub loaded: i64,
    /// Rows rejected.
    pub rejected: i64,
}

impl From<&core_book::FileCounts> for FileCounts {
    fn from(c: &core_book::FileCounts) -> Self {
        let core_book::FileCounts {
            read,
            loaded,
            rejected,
        } = c;
        FileCounts {
            read: *read as i64,
            loaded: *loaded as i64,
            rejected: *rejected as i64,
        }
    }
}

/// Something the loader did by the source map's rules (a value map, a default, a scale, a
/// role removed with no earlier addition). Not a problem: strict loads keep notes.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Note {
    /// The file.
    pub file: String,
    /// The row; `null` for a note about the whole file.
    pub row: Option<i64>,
    /// The field, when the note is about one.
    pub field: Option<String>,
    /// What was done, and why.
    pub note: String,
}

/// Everything validation found, and what was kept.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ValidationReport {
    /// Every problem, in file and row order.
    pub problems: Vec<Problem>,
    /// Every rejected row, with its raw fields.
    pub rejected: Vec<RejectedRow>,
    /// Row counts per file, keyed by file name.
    #[napi(ts_type = "Record<string, FileCounts>")]
    pub files: Keyed<FileCounts>,
    /// What the loader did by the source map's rules.
    pub notes: Vec<Note>,
    /// No problems at all.
    pub is_clean: bool,
    /// One line: problem and row counts, and the first problem.
    pub summary: String,
}

impl From<&core_book::ValidationReport> for ValidationReport {
    fn from(r: &core_book::ValidationReport) -> Self {
        let core_book::ValidationReport {
            problems,
            rejected,
            files,
            notes,
        } = r;
        ValidationReport {
            problems: problems.iter().map(Problem::from).collect(),
            rejected: rejected.iter().map(RejectedRow::from).collect(),
            files: files
                .iter()
                .map(|(name, c)| (name.clone(), c.into()))
                .collect(),
            notes: notes
                .iter()
                .map(|n| Note {
                    file: n.file.clone(),
                    row: n.row.map(|r| r as i64),
                    field: n.field.clone(),
                    note: n.note.clone(),
                })
                .collect(),
            is_clean: r.is_clean(),
            summary: r.summary(),
        }
    }
}

/// How many records of each type a book holds.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct BookCounts {
    /// Accounts.
    pub accounts: i64,
    /// Contacts.
    pub contacts: i64,
    /// Contact role spells.
    pub contact_roles: i64,
    /// Usage events.
    pub usage_events: i64,
    /// Usage snapshots.
    pub usage_snapshots: i64,
    /// Tickets.
    pub tickets: i64,
    /// Survey responses.
    pub surveys: i64,
    /// Meetings.
    pub meetings: i64,
    /// Milestones.
    pub milestones: i64,
    /// Opportunities.
    pub opportunities: i64,
    /// ARR snapshots.
    pub arr_snapshots: i64,
    /// Renewal outcomes.
    pub renewal_outcomes: i64,
}

impl From<core_book::BookCounts> for BookCounts {
    fn from(c: core_book::BookCounts) -> Self {
        let core_book::BookCounts {
            accounts,
            contacts,
            contact_roles,
            usage_events,
            usage_snapshots,
            tickets,
            surveys,
            meetings,
            milestones,
            opportunities,
            arr_snapshots,
            renewal_outcomes,
        } = c;
        BookCounts {
            accounts: accounts as i64,
            contacts: contacts as i64,
            contact_roles: contact_roles as i64,
            usage_events: usage_events as i64,
            usage_snapshots: usage_snapshots as i64,
            tickets: tickets as i64,
            surveys: surveys as i64,
            meetings: meetings as i64,
            milestones: milestones as i64,
            opportunities: opportunities as i64,
            arr_snapshots: arr_snapshots as i64,
            renewal_outcomes: renewal_outcomes as i64,
        }
    }
}

/// A person at a customer.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Contact {
    /// Unique contact id.
    pub id: String,
    /// The contact's account.
    pub account_id: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
}

impl From<&csops_core::record::Contact> for Contact {
    fn from(c: &csops_core::record::Contact) -> Self {
        let csops_core::record::Contact {
            id,
            account_id,
            name,
            email,
            title,
        } = c;
        Contact {
            id: id.clone(),
            account_id: account_id.clone(),
            name: name.clone(),
            email: email.clone(),
            title: title.clone(),
        }
    }
}

/// A customer account.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Account {
    /// Unique account id (the CRM id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The CSM who owns the account.
    pub owner_csm: Option<String>,
    /// Market segment (e.g. enterprise, mid-market, smb).
    pub segment: Option<String>,
    /// Coverage tier (e.g. high-touch, tech-touch).
    pub tier: Option<String>,
    /// Sales region.
    pub region: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Plan or product edition.
    pub plan: Option<String>,
    /// Current annual recurring revenue, exact.
    #[napi(ts_type = "Money")]
    pub arr: Js,
    /// Licensed seats, if the plan is seat-based.
    pub seats: Option<u32>,
    /// Contract start, `YYYY-MM-DD`.
    pub start_date: String,
    /// The next (or current) renewal date, `YYYY-MM-DD`.
    pub renewal_date: Option<String>,
    /// Contract term in months (12 when absent).
    pub term_months: Option<u32>,
    /// Custom attributes (`attr.<name>` columns in CSV).
    #[napi(ts_type = "Record<string, string>")]
    pub attributes: Keyed<String>,
}

impl From<&csops_core::record::Account> for Account {
    fn from(a: &csops_core::record::Account) -> Self {
        let csops_core::record::Account {
            id,
            name,
            owner_csm,
            segment,
            tier,
            region,
            industry,
            plan,
            arr,
            seats,
            start_date,
            renewal_date,
            term_months,
            attributes,
        } = a;
        Account {
            id: id.clone(),
            name: name.clone(),
            owner_csm: owner_csm.clone(),
            segment: segment.clone(),
            tier: tier.clone(),
            region: region.clone(),
            industry: industry.clone(),
            plan: plan.clone(),
            arr: Js::money(arr),
            seats: *seats,
            start_date: start_date.to_string(),
            renewal_date: renewal_date.map(|d| d.to_string()),
            term_months: *term_months,
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// Summary statistics of one feature column, over its present values.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct ColumnSummary {
    /// Feature name.
    pub name: String,
    /// Present values.
    pub present: i64,
    /// Missing values.
    pub missing: i64,
    /// Mean (`null` when no value is present).
    pub mean: Option<f64>,
    /// Minimum.
    pub min: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
}

impl From<core_features::ColumnSummary> for ColumnSummary {
    fn from(s: core_features::ColumnSummary) -> Self {
        let core_features::ColumnSummary {
            name,
            present,
            missing,
            mean,
            min,
            median,
            max,
        } = s;
        ColumnSummary {
            name,
            present: present as i64,
            missing: missing as i64,
            mean,
            min,
            median,
            max,
        }
    }
}

/// The parameters of feature derivation (every window is in days and ends on the as-of day).
///
/// Keys are **snake_case**, the same names as in the TOML / JSON configuration files shared
/// with the Rust and Python APIs. Every key is optional (absent keys take their default; see
/// `defaultFeatureConfig()`); an unknown key is a `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct FeatureConfig {
    /// Window for logins, breadth, seat utilisation and usage change (default 28).
    #[napi(js_name = "usage_window_days")]
    pub usage_window_days: Option<u32>,
    /// Window for DAU/MAU, at most 64 (default 28).
    #[napi(js_name = "dau_mau_window_days")]
    pub dau_mau_window_days: Option<u32>,
    /// The features whose adoption counts toward breadth (1 to 64 names).
    #[napi(js_name = "key_features")]
    pub key_features: Option<Vec<String>>,
    /// The event name that counts as a login (default `login`).
    #[napi(js_name = "login_feature")]
    pub login_feature: Option<String>,
    /// Window for tickets opened (default 90).
    #[napi(js_name = "ticket_window_days")]
    pub ticket_window_days: Option<u32>,
    /// Window for CSAT (default 90).
    #[napi(js_name = "csat_window_days")]
    pub csat_window_days: Option<u32>,
    /// Window for NPS (default 180).
    #[napi(js_name = "nps_window_days")]
    pub nps_window_days: Option<u32>,
    /// Usage-snapshot metrics to expose as `snapshot.<metric>` columns.
    #[napi(js_name = "snapshot_metrics")]
    pub snapshot_metrics: Option<Vec<String>>,
    /// Days after its period's end that a snapshot value stays current (default 100); older,
    /// it is missing (stale).
    #[napi(js_name = "snapshot_max_age_days")]
    pub snapshot_max_age_days: Option<u32>,
    /// Per-metric maximum ages, overriding `snapshot_max_age_days`: metric → days.
    #[napi(js_name = "max_age_days", ts_type = "Record<string, number>")]
    pub max_age_days: Option<Keyed<u32>>,
    /// Keep accounts that had churned by the as-of day (default false).
    #[napi(js_name = "include_churned")]
    pub include_churned: Option<bool>,
}

impl From<core_features::FeatureConfig> for FeatureConfig {
    fn from(c: core_features::FeatureConfig) -> Self {
        let core_features::FeatureConfig {
            usage_window_days,
            dau_mau_window_days,
            key_features,
            login_feature,
            ticket_window_days,
            csat_window_days,
            nps_window_days,
            snapshot_metrics,
            snapshot_max_age_days,
            max_age_days,
            include_churned,
            progress: _,
        } = c;
        FeatureConfig {
            usage_window_days: Some(usage_window_days),
            dau_mau_window_days: Some(dau_mau_window_days),
            key_features: Some(key_features),
            login_feature: Some(login_feature),
            ticket_window_days: Some(ticket_window_days),
            csat_window_days: Some(csat_window_days),
            nps_window_days: Some(nps_window_days),
            snapshot_metrics: Some(snapshot_metrics),
            snapshot_max_age_days: Some(snapshot_max_age_days),
            max_age_days: Some(Keyed(max_age_days.into_iter().collect())),
            include_churned: Some(include_churned),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Health scoring: the scorecard as data, and the scores.
// ---------------------------------------------------------------------------------------------

/// One account's score with its explanation: the measure-by-measure breakdown whose
/// contributions add up to the score.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct AccountScore {
    /// The score, 0–100; `null` when coverage is below the scorecard's `min_coverage`
    /// (insufficient data).
    pub score: Option<f64>,
    /// The band name; `null` when not scored.
    pub band: Option<String>,
    /// Share of the scorecard's weight whose measures had data, 0–1 (imputed values do not
    /// count).
    pub coverage: f64,
    /// Every measure, in scorecard order.
    pub measures: Vec<MeasureResult>,
    /// Every group, in scorecard order, with the sum of its measures' contributions.
    pub groups: Vec<GroupResult>,
    /// The names of the measures that cost points, the costliest first (the top negative
    /// drivers).
    pub drivers: Vec<String>,
}

/// One measure's part in an account's score.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct MeasureResult {
    /// Measure name.
    pub name: String,
    /// Its group's name.
    pub group: String,
    /// The raw feature value; `null` when missing.
    pub value: Option<f64>,
    /// The measure score 0–100 (imputed when missing under a `fixed` or `worst` rule); `null`
    /// when missing and redistributed.
    pub measure_score: Option<f64>,
    /// The weight it carried for this account after redistribution (the weights sum to 1; 0
    /// when not scored).
    pub weight: f64,
    /// Its contribution to the score: `weight × measureScore`.
    pub contribution: f64,
    /// The points it cost: `weight × (100 − measureScore)`.
    pub points_lost: f64,
    /// Why the value is missing when it had data that is stale or blank in the export;
    /// `null` otherwise.
    pub missing_why: Option<MissingWhy>,
}

/// A feature value missing for a reason worth telling.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct MissingNote {
    /// The account.
    pub account_id: String,
    /// The feature column.
    pub feature: String,
    /// Why it is missing.
    pub why: MissingWhy,
}

/// Why a value that had data is missing (the core's `MissingWhy`).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct MissingWhy {
    /// `'stale'` (older than its maximum age) or `'no_value_for_period'` (a blank cell).
    #[napi(ts_type = "'stale' | 'no_value_for_period'")]
    pub kind: String,
    /// Stale: the day the latest value is from (`YYYY-MM-DD`).
    pub last_value_on: Option<String>,
    /// Stale: the first day it no longer counted.
    pub stale_since: Option<String>,
    /// Blank: the last day of the period without a value.
    pub period_end: Option<String>,
}

impl From<&csops_core::features::MissingWhy> for MissingWhy {
    fn from(w: &csops_core::features::MissingWhy) -> Self {
        use csops_core::features::MissingWhy as W;
        match w {
            W::Stale {
                last_value_on,
                stale_since,
            } => MissingWhy {
                kind: "stale".into(),
                last_value_on: Some(last_value_on.to_string()),
                stale_since: Some(stale_since.to_string()),
                period_end: None,
            },
            W::NoValueForPeriod { period_end } => MissingWhy {
                kind: "no_value_for_period".into(),
                last_value_on: None,
                stale_since: None,
                period_end: Some(period_end.to_string()),
            },
        }
    }
}

/// One group's part in an account's score.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct GroupResult {
    /// Group name.
    pub name: String,
    /// The sum of its measures' contributions.
    pub contribution: f64,
}

impl From<core_health::AccountScore> for AccountScore {
    fn from(s: core_health::AccountScore) -> Self {
        let drivers = s
            .top_negative_drivers(s.measures.len())
            .into_iter()
            .map(|m| m.name.clone())
            .collect();
        let core_health::AccountScore {
            score,
            band,
            coverage,
            measures,
            groups,
        } = s;
        AccountScore {
            score,
            band,
            coverage,
            measures: measures.into_iter().map(MeasureResult::from).collect(),
            groups: groups
                .into_iter()
                .map(|(name, contribution)| GroupResult { name, contribution })
                .collect(),
            drivers,
        }
    }
}

impl From<core_health::MeasureResult> for MeasureResult {
    fn from(m: core_health::MeasureResult) -> Self {
        let core_health::MeasureResult {
            name,
            group,
            value,
            measure_score,
            weight,
            contribution,
            points_lost,
            missing_why,
        } = m;
        MeasureResult {
            name,
            group,
            value,
            measure_score,
            weight,
            contribution,
            points_lost,
            missing_why: missing_why.as_ref().map(MissingWhy::from),
        }
    }
}

/// Which way a score moved.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    /// Up by more than the dead band.
    Up,
    /// Within the dead band.
    Flat,
    /// Down by more than the dead band.
    Down,
}

/// The change of a score against a previous one.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct Trend {
    /// `current − previous`.
    pub delta: f64,
    /// Up, flat or down; changes within ±`deadBand` are flat.
    pub direction: Direction,
}

impl From<core_health::Trend> for Trend {
    fn from(t: core_health::Trend) -> Self {
        use core_health::Direction as D;
        let core_health::Trend { delta, direction } = t;
        Trend {
            delta,
            direction: match direction {
                D::Up => Direction::Up,
                D::Flat => Direction::Flat,
                D::Down => Direction::Down,
            },
        }
    }
}

/// The override in force for an account: who decided, why, and until when.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct OverrideApplied {
    /// Why.
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// The first day it no longer applies (`YYYY-MM-DD`).
    pub expires: String,
}

/// An account's reported score after overrides, with the computed one kept beside it.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct ReportedScore {
    /// The account.
    pub account_id: String,
    /// What the scorecard computed; `null` where coverage was insufficient.
    pub computed_score: Option<f64>,
    /// The band of the computed score.
    pub computed_band: Option<String>,
    /// What is reported (the override's score, where one sets it).
    pub score: Option<f64>,
    /// The reported band (the override's band, or the band of its score).
    pub band: Option<String>,
    /// The override in force on the day, if any.
    #[napi(js_name = "override")]
    pub override_applied: Option<OverrideApplied>,
}

impl From<core_health::ReportedScore> for ReportedScore {
    fn from(r: core_health::ReportedScore) -> Self {
        let core_health::ReportedScore {
            account_id,
            computed_score,
            computed_band,
            score,
            band,
            override_applied,
        } = r;
        ReportedScore {
            account_id,
            computed_score,
            computed_band,
            score,
            band,
            override_applied: override_applied.map(|o| OverrideApplied {
                reason: o.reason,
                author: o.author,
                expires: o.expires.to_string(),
            }),
        }
    }
}
