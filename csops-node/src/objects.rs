//! The plain JavaScript objects csops returns, and their conversion from core types.
//!
//! Each type is a `#[napi(object)]`, so `index.d.ts` gets a real interface for it. Field
//! names are camelCase; money amounts are decimal strings (never lossy numbers); dates are
//! ISO `YYYY-MM-DD` strings; an absent optional value is `null` (the key is always present).
//! Conversions destructure the core types exhaustively, so a field added to the core fails to
//! compile here instead of silently missing from JavaScript.

use std::collections::BTreeMap;

use csops_core::backtest as core_backtest;
use csops_core::backtest::fit as core_fit;
use csops_core::backtest::stats as core_stats;
use csops_core::book as core_book;
use csops_core::features as core_features;
use csops_core::forecast as core_forecast;
use csops_core::health as core_health;
use csops_core::retention as core_retention;
use napi::bindgen_prelude::{JsObjectValue, Object, ToNapiValue, TypeName};
use napi::{Env, Property, sys};
use napi_derive::napi;

/// An exact amount of money: `amount` is a decimal string (`"1200.50"`), never a float.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct Money {
    /// The exact amount as a decimal string, e.g. `"1200.50"`.
    pub amount: String,
    /// The ISO-4217 currency code, e.g. `"USD"`.
    pub currency: String,
}

impl From<&csops_core::money::Money> for Money {
    fn from(m: &csops_core::money::Money) -> Self {
        let csops_core::money::Money { amount, currency } = m;
        Money {
            amount: amount.to_string(),
            currency: currency.code().to_string(),
        }
    }
}

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
    pub arr: Money,
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
            arr: arr.into(),
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

/// A health scorecard as data: the same snake_case JSON as scorecard files (TOML or JSON)
/// shared with the Rust and Python APIs. `Scorecard.fromJson` reads it (absent optional keys
/// take their defaults; an unknown key is a `CSOPS_CONFIG` error) and `scorecard.toJson()`
/// writes it with every key.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ScorecardJson {
    /// Layout version; must be 1.
    #[napi(js_name = "schema_version")]
    pub schema_version: u32,
    /// Name.
    pub name: String,
    /// What it is for, who owns it (default empty).
    pub description: Option<String>,
    /// The weighted groups of measures.
    pub groups: Vec<ScorecardGroup>,
    /// Band scheme, ascending by `min`, the first at 0 (default red < 40 ≤ yellow < 70 ≤
    /// green).
    pub bands: Option<Vec<Band>>,
    /// Share of weight (0–1) that must have data for a score (default 0.5).
    #[napi(js_name = "min_coverage")]
    pub min_coverage: Option<f64>,
}

/// A weighted group of measures (usage, engagement, support, …).
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ScorecardGroup {
    /// Unique name.
    pub name: String,
    /// Relative weight among groups (≥ 0).
    pub weight: f64,
    /// Its measures.
    pub measures: Vec<ScorecardMeasure>,
}

/// One weighted measure: a feature column mapped to 0–100.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ScorecardMeasure {
    /// Unique name within the scorecard.
    pub name: String,
    /// The feature column it reads.
    pub feature: String,
    /// Relative weight within its group (≥ 0).
    pub weight: f64,
    /// How the raw value becomes a score.
    pub normaliser: Normaliser,
    /// What a missing value means (default `{ rule: 'redistribute' }`).
    pub missing: Option<MissingRule>,
}

/// Maps a raw feature value to a measure score in 0–100 (0 worst, 100 best).
#[napi(
    discriminant = "kind",
    discriminant_case = "snake_case",
    object_from_js = false
)]
#[derive(Debug, Clone)]
pub enum Normaliser {
    /// Linear between `worst` (→ 0) and `best` (→ 100), clamped outside; `worst > best` makes
    /// lower values better.
    Linear { worst: f64, best: f64 },
    /// Below `thresholds[0]` scores `points[0]`; from `thresholds[i]` up to the next scores
    /// `points[i + 1]`.
    Steps {
        thresholds: Vec<f64>,
        points: Vec<f64>,
    },
    /// Percentile rank within the accounts scored together (within the account's segment with
    /// `per_segment`, default false).
    Percentile {
        #[napi(js_name = "higher_is_better")]
        higher_is_better: bool,
        #[napi(js_name = "per_segment")]
        per_segment: Option<bool>,
    },
    /// `100 / (1 + e^(−steepness·(x − midpoint)))`.
    Logistic { midpoint: f64, steepness: f64 },
    /// A yes/no feature (non-zero is yes): `yes` (default 100) or `no` (default 0).
    Boolean { yes: Option<f64>, no: Option<f64> },
    /// Linear interpolation between `[value, score]` points, flat beyond the ends.
    Piecewise { points: Vec<(f64, f64)> },
}

/// What a missing feature value means for a measure.
#[napi(
    discriminant = "rule",
    discriminant_case = "snake_case",
    object_from_js = false
)]
#[derive(Debug, Clone)]
pub enum MissingRule {
    /// The measure drops out; its weight spreads over the measures with data.
    Redistribute,
    /// Impute this score (0–100).
    Fixed { score: f64 },
    /// Count it as 0, the worst score.
    Worst,
}

/// A band: scores from `min` up to the next band's `min` belong to it.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct Band {
    /// Name (red, yellow, green; or A–F).
    pub name: String,
    /// Lowest score in the band.
    pub min: f64,
}

impl From<&core_health::Scorecard> for ScorecardJson {
    fn from(c: &core_health::Scorecard) -> Self {
        let core_health::Scorecard {
            schema_version,
            name,
            description,
            groups,
            bands,
            min_coverage,
        } = c;
        ScorecardJson {
            schema_version: *schema_version,
            name: name.clone(),
            description: Some(description.clone()),
            groups: groups.iter().map(ScorecardGroup::from).collect(),
            bands: Some(bands.iter().map(Band::from).collect()),
            min_coverage: Some(*min_coverage),
        }
    }
}

impl From<&core_health::Group> for ScorecardGroup {
    fn from(g: &core_health::Group) -> Self {
        let core_health::Group {
            name,
            weight,
            measures,
        } = g;
        ScorecardGroup {
            name: name.clone(),
            weight: *weight,
            measures: measures.iter().map(ScorecardMeasure::from).collect(),
        }
    }
}

impl From<&core_health::Measure> for ScorecardMeasure {
    fn from(m: &core_health::Measure) -> Self {
        let core_health::Measure {
            name,
            feature,
            weight,
            normaliser,
            missing,
        } = m;
        ScorecardMeasure {
            name: name.clone(),
            feature: feature.clone(),
            weight: *weight,
            normaliser: normaliser.into(),
            missing: Some((*missing).into()),
        }
    }
}

impl From<&core_health::Normaliser> for Normaliser {
    fn from(n: &core_health::Normaliser) -> Self {
        use core_health::Normaliser as N;
        match n {
            N::Linear { worst, best } => Normaliser::Linear {
                worst: *worst,
                best: *best,
            },
            N::Steps { thresholds, points } => Normaliser::Steps {
                thresholds: thresholds.clone(),
                points: points.clone(),
            },
            N::Percentile {
                higher_is_better,
                per_segment,
            } => Normaliser::Percentile {
                higher_is_better: *higher_is_better,
                per_segment: Some(*per_segment),
            },
            N::Logistic {
                midpoint,
                steepness,
            } => Normaliser::Logistic {
                midpoint: *midpoint,
                steepness: *steepness,
            },
            N::Boolean { yes, no } => Normaliser::Boolean {
                yes: Some(*yes),
                no: Some(*no),
            },
            N::Piecewise { points } => Normaliser::Piecewise {
                points: points.clone(),
            },
        }
    }
}

impl From<core_health::MissingRule> for MissingRule {
    fn from(r: core_health::MissingRule) -> Self {
        use core_health::MissingRule as R;
        match r {
            R::Redistribute => MissingRule::Redistribute,
            R::Fixed { score } => MissingRule::Fixed { score },
            R::Worst => MissingRule::Worst,
        }
    }
}

impl From<&core_health::Band> for Band {
    fn from(b: &core_health::Band) -> Self {
        let core_health::Band { name, min } = b;
        Band {
            name: name.clone(),
            min: *min,
        }
    }
}

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

/// A model set as data: the same snake_case JSON as model set files. `ModelSet.fromJson`
/// reads it and `modelSet.toJson()` writes it with every key.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ModelSetJson {
    /// The scorecard for accounts whose segment has none of its own.
    pub default: ScorecardJson,
    /// Scorecards by segment name.
    #[napi(js_name = "by_segment", ts_type = "Record<string, ScorecardJson>")]
    pub by_segment: BySegment,
}

/// Scorecards by segment name, written as an object whose keys are defined (not assigned)
/// properties: a segment called `__proto__` is a plain own key, not a prototype.
#[derive(Debug, Clone)]
pub struct BySegment(pub BTreeMap<String, ScorecardJson>);

impl ToNapiValue for BySegment {
    unsafe fn to_napi_value(raw_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw_env);
        let properties = val
            .0
            .into_iter()
            .map(|(segment, card)| {
                Property::new()
                    .with_name(&env, segment.as_str())?
                    .with_napi_value(&env, card)
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let mut object = Object::new(&env)?;
        object.define_properties(&properties)?;
        // SAFETY: `raw_env` is the environment napi-rs handed to this conversion.
        unsafe { Object::to_napi_value(raw_env, object) }
    }
}

impl From<&core_health::ModelSet> for ModelSetJson {
    fn from(m: &core_health::ModelSet) -> Self {
        let core_health::ModelSet {
            default,
            by_segment,
        } = m;
        ModelSetJson {
            default: default.into(),
            by_segment: BySegment(
                by_segment
                    .iter()
                    .map(|(k, c)| (k.clone(), c.into()))
                    .collect(),
            ),
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

// ---------------------------------------------------------------------------------------------
// Back-testing: the report and the re-calibration as data. Each type mirrors one core type
// field by field (the core's serde names in camelCase), so `backtest.report` is the core's
// report as its JSON would be, with camelCase keys; `NaN` statistics are `null`.
// ---------------------------------------------------------------------------------------------

/// A count as a JavaScript number (saturating: counts never come near 2^53).
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `None` for `NaN`: a statistic that is undefined is `null` in JavaScript.
fn defined(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

/// An interval estimate.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl From<core_stats::Interval> for Interval {
    fn from(i: core_stats::Interval) -> Self {
        let core_stats::Interval { lo, hi } = i;
        Interval { lo, hi }
    }
}

/// A test statistic and its two-sided p-value.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct HypothesisTest {
    /// The statistic: z for the two-proportion test, chi-squared for the log-rank test, the
    /// sample odds ratio of renewing (low vs high band) for Fisher's test (`Infinity` when a
    /// cell of its denominator is 0); `null` when undefined (a table with an empty row or
    /// column).
    pub statistic: Option<f64>,
    /// The p-value.
    pub p_value: f64,
}

impl From<core_stats::Test> for HypothesisTest {
    fn from(t: core_stats::Test) -> Self {
        let core_stats::Test { statistic, p_value } = t;
        HypothesisTest {
            statistic: defined(statistic),
            p_value,
        }
    }
}

/// Area under the ROC curve of risk (100 − score) for churn, with its uncertainty.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct RocAuc {
    /// The probability that a random churner had a higher risk than a random renewer (ties
    /// count half): 0.5 is a coin toss, 1.0 perfect.
    pub auc: f64,
    /// DeLong's standard error.
    pub se_delong: f64,
    /// Hanley & McNeil's standard error.
    pub se_hanley_mcneil: f64,
    /// 95% interval, `auc ± 1.96·seDelong`, cut to 0–1.
    pub ci95: Interval,
    /// Churners (positives).
    pub positives: i64,
    /// Renewers (negatives).
    pub negatives: i64,
}

impl From<core_stats::Auc> for RocAuc {
    fn from(a: core_stats::Auc) -> Self {
        let core_stats::Auc {
            auc,
            se_delong,
            se_hanley_mcneil,
            ci95,
            positives,
            negatives,
        } = a;
        RocAuc {
            auc,
            se_delong,
            se_hanley_mcneil,
            ci95: ci95.into(),
            positives: count(positives),
            negatives: count(negatives),
        }
    }
}

/// One row of a calibration table: a tenth of the accounts by predicted risk.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct CalibrationRow {
    /// 1 = the tenth with the lowest predicted risk.
    pub decile: u32,
    /// Accounts in it.
    pub n: i64,
    /// Churners in it.
    pub positives: i64,
    /// Mean predicted probability of churn.
    pub mean_risk: f64,
    /// Observed churn rate.
    pub observed: f64,
}

impl From<core_stats::CalibrationRow> for CalibrationRow {
    fn from(r: core_stats::CalibrationRow) -> Self {
        let core_stats::CalibrationRow {
            decile,
            n,
            positives,
            mean_risk,
            observed,
        } = r;
        CalibrationRow {
            decile,
            n: count(n),
            positives: count(positives),
            mean_risk,
            observed,
        }
    }
}

/// How much of the churn the riskiest accounts hold.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct Lift {
    /// The share of accounts taken, riskiest first.
    pub fraction: f64,
    /// Accounts taken: `ceil(fraction · n)`.
    pub k: i64,
    /// Churners among them.
    pub captured: i64,
    /// Their share of all churn ("the riskiest 10% hold 38% of churn").
    pub capture: f64,
    /// Their churn rate over the overall rate (1.0 = no better than random).
    pub lift: f64,
}

impl From<core_stats::Lift> for Lift {
    fn from(l: core_stats::Lift) -> Self {
        let core_stats::Lift {
            fraction,
            k,
            captured,
            capture,
            lift,
        } = l;
        Lift {
            fraction,
            k: count(k),
            captured: count(captured),
            capture,
            lift,
        }
    }
}

/// One step of a Kaplan–Meier curve.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct SurvivalPoint {
    /// Days since scoring.
    pub time: f64,
    /// Accounts still at risk just before `time`.
    pub at_risk: i64,
    /// Churns at `time`.
    pub observed: i64,
    /// Accounts censored at `time` (still customers when last seen).
    pub censored: i64,
    /// Share surviving past `time`.
    pub survival: f64,
}

impl From<core_stats::SurvivalPoint> for SurvivalPoint {
    fn from(p: core_stats::SurvivalPoint) -> Self {
        let core_stats::SurvivalPoint {
            time,
            at_risk,
            observed,
            censored,
            survival,
        } = p;
        SurvivalPoint {
            time,
            at_risk: count(at_risk),
            observed: count(observed),
            censored: count(censored),
            survival,
        }
    }
}

/// A mapping from health score to probability of churn, fitted on past renewals. Pass one
/// (such as `recalibration.report.probability`) as `backtest`'s `probability` option to
/// evaluate it on later renewals.
#[napi(
    discriminant = "method",
    discriminant_case = "snake_case",
    object_from_js = false
)]
#[derive(Debug, Clone)]
pub enum ProbabilityMap {
    /// Platt scaling: `P(churn) = 1 / (1 + e^−(intercept + slope · score))`.
    Platt { intercept: f64, slope: f64 },
    /// Isotonic: a non-increasing step function of the score, through the knots `x`
    /// (ascending scores) with values `y`, linear between knots and flat beyond the ends.
    Isotonic { x: Vec<f64>, y: Vec<f64> },
}

impl From<&core_fit::ProbabilityMap> for ProbabilityMap {
    fn from(p: &core_fit::ProbabilityMap) -> Self {
        match p {
            core_fit::ProbabilityMap::Platt { intercept, slope } => ProbabilityMap::Platt {
                intercept: *intercept,
                slope: *slope,
            },
            core_fit::ProbabilityMap::Isotonic(core_fit::IsotonicMap { x, y }) => {
                ProbabilityMap::Isotonic {
                    x: x.clone(),
                    y: y.clone(),
                }
            }
        }
    }
}

/// One band's renewals.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct BandRow {
    /// Band name, or `unscored`.
    pub band: String,
    /// Renewals that came due.
    pub renewals: i64,
    /// Of which renewed (did not churn).
    pub renewed: i64,
    /// Renewal rate, 0–1; `null` without renewals.
    pub rate: Option<f64>,
    /// Wilson 95% interval of the rate; `null` without renewals.
    pub ci95: Option<Interval>,
    /// ARR up for renewal (in the book's reporting currency when it has an FX table).
    pub arr_up: Money,
    /// ARR of the accounts that renewed (before any change at renewal).
    pub arr_renewed: Money,
    /// ARR-weighted renewal rate; `null` when no ARR was up.
    pub arr_rate: Option<f64>,
}

impl From<&core_backtest::BandRow> for BandRow {
    fn from(b: &core_backtest::BandRow) -> Self {
        let core_backtest::BandRow {
            band,
            renewals,
            renewed,
            rate,
            ci95,
            arr_up,
            arr_renewed,
            arr_rate,
        } = b;
        BandRow {
            band: band.clone(),
            renewals: count(*renewals),
            renewed: count(*renewed),
            rate: *rate,
            ci95: ci95.map(Interval::from),
            arr_up: arr_up.into(),
            arr_renewed: arr_renewed.into(),
            arr_rate: *arr_rate,
        }
    }
}

/// The lowest band (red) against the highest (green).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct BandComparison {
    /// The lowest band.
    pub low: String,
    /// The highest band.
    pub high: String,
    /// Two-proportion z test of the renewal rates; `null` when undefined.
    pub z_test: Option<HypothesisTest>,
    /// Fisher's exact test (statistic: odds ratio of renewing, low vs high).
    pub fisher: HypothesisTest,
    /// `'z'` or `'fisher'`: the test the verdict rests on (Fisher when an expected count is
    /// below 5).
    pub test_used: String,
    /// Whether the low band renews at a significantly (p < 0.05) lower rate.
    pub separates: bool,
    /// The verdict in a sentence.
    pub verdict: String,
}

impl From<&core_backtest::Comparison> for BandComparison {
    fn from(c: &core_backtest::Comparison) -> Self {
        let core_backtest::Comparison {
            low,
            high,
            z_test,
            fisher,
            test_used,
            separates,
            verdict,
        } = c;
        BandComparison {
            low: low.clone(),
            high: high.clone(),
            z_test: z_test.map(HypothesisTest::from),
            fisher: (*fisher).into(),
            test_used: test_used.clone(),
            separates: *separates,
            verdict: verdict.clone(),
        }
    }
}

/// The figures of a set of renewals: the whole window, or one quarter.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct BacktestSlice {
    /// `all`, or the quarter (`2026-Q1`).
    pub label: String,
    /// Renewals.
    pub renewals: i64,
    /// Churns among them.
    pub churned: i64,
    /// Renewals that could not be scored (not yet a customer, or insufficient data).
    pub unscored: i64,
    /// Per band, lowest band first, then `unscored` if any. Their renewals add up to
    /// `renewals`.
    pub bands: Vec<BandRow>,
    /// Lowest band against highest; `null` when either has no renewals.
    pub comparison: Option<BandComparison>,
    /// ROC AUC of risk for churn; `null` without both churners and renewers.
    pub auc: Option<RocAuc>,
    /// Brier score of the probability mapping; `null` without one.
    pub brier: Option<f64>,
    /// Calibration of the probability mapping by decile of predicted risk.
    pub calibration: Vec<CalibrationRow>,
    /// Capture and lift of the riskiest accounts, one per lift fraction (empty without
    /// churn).
    pub lift: Vec<Lift>,
    /// Each measure's own predictive power in these renewals, in scorecard order.
    pub measures: Vec<MeasurePower>,
}

impl From<&core_backtest::Slice> for BacktestSlice {
    fn from(s: &core_backtest::Slice) -> Self {
        let core_backtest::Slice {
            label,
            renewals,
            churned,
            unscored,
            bands,
            comparison,
            auc,
            brier,
            calibration,
            lift,
            measures,
        } = s;
        BacktestSlice {
            label: label.clone(),
            renewals: count(*renewals),
            churned: count(*churned),
            unscored: count(*unscored),
            bands: bands.iter().map(BandRow::from).collect(),
            comparison: comparison.as_ref().map(BandComparison::from),
            auc: auc.map(RocAuc::from),
            brier: *brier,
            calibration: calibration
                .iter()
                .copied()
                .map(CalibrationRow::from)
                .collect(),
            lift: lift.iter().copied().map(Lift::from).collect(),
            measures: measures.iter().map(MeasurePower::from).collect(),
        }
    }
}

/// One measure's own predictive power beside its weight.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct MeasurePower {
    /// Measure name.
    pub measure: String,
    /// Its group.
    pub group: String,
    /// Its nominal share of the score, 0–1.
    pub weight_share: f64,
    /// Renewals where it had data.
    pub observed: i64,
    /// AUC of (100 − measure score) for churn: above 0.5, a low measure score goes with
    /// churn, as designed; `null` when not computable.
    pub auc: Option<f64>,
    /// `'as designed'`, `'reversed'` or `'none'` (AUC within 0.02 of 0.5, or not computable).
    pub direction: String,
    /// Its share of the measures' total predictive power (|AUC − 0.5| summed to 1).
    pub power_share: f64,
    /// `'over-weighted'`, `'under-weighted'` or `'reversed'` when the weight is far from the
    /// power; `null` otherwise.
    pub flag: Option<String>,
}

impl From<&core_backtest::MeasurePower> for MeasurePower {
    fn from(m: &core_backtest::MeasurePower) -> Self {
        let core_backtest::MeasurePower {
            measure,
            group,
            weight_share,
            observed,
            auc,
            direction,
            power_share,
            flag,
        } = m;
        MeasurePower {
            measure: measure.clone(),
            group: group.clone(),
            weight_share: *weight_share,
            observed: count(*observed),
            auc: *auc,
            direction: direction.clone(),
            power_share: *power_share,
            flag: flag.clone(),
        }
    }
}

/// A band's Kaplan–Meier curve from scoring day.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct BandSurvival {
    /// Band name.
    pub band: String,
    /// The curve (time in days since scoring).
    pub curve: Vec<SurvivalPoint>,
}

impl From<&core_backtest::BandSurvival> for BandSurvival {
    fn from(b: &core_backtest::BandSurvival) -> Self {
        let core_backtest::BandSurvival { band, curve } = b;
        BandSurvival {
            band: band.clone(),
            curve: curve.iter().copied().map(SurvivalPoint::from).collect(),
        }
    }
}

/// One FX rate a figure was converted at.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct RateUsed {
    /// The ISO-4217 code converted from.
    pub currency: String,
    /// Reporting-currency units per unit of `currency`: an exact decimal string.
    pub rate: String,
    /// The day a dated rate took effect, `YYYY-MM-DD`; `null` for an undated rate.
    pub from: Option<String>,
}

/// The FX rates behind a figure, each once, in currency then day order (empty when the book
/// has no FX table or nothing was converted).
fn rates_used(r: Option<&csops_core::money::RatesUsed>) -> Vec<RateUsed> {
    r.map(|r| r.rates.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|r| RateUsed {
            currency: r.currency.code().to_string(),
            rate: r.rate.to_string(),
            from: r.from.map(|d| d.to_string()),
        })
        .collect()
}

/// A back-test's report as data: the core's report with camelCase keys (dates as
/// `YYYY-MM-DD`, money as `{ amount, currency }`, undefined statistics as `null`).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct BacktestReport {
    /// The scorecard's name.
    pub scorecard: String,
    /// First day of the window, `YYYY-MM-DD`.
    pub window_start: String,
    /// Last day of the window, `YYYY-MM-DD`.
    pub window_end: String,
    /// Lead time in days.
    pub lead_days: u32,
    /// Whether contractions counted as churn.
    pub contraction_is_churn: bool,
    /// The score → P(churn) mapping used for the Brier score and calibration; `null` when
    /// none could be fitted.
    pub probability: Option<ProbabilityMap>,
    /// Whether that mapping was fitted on these same renewals (in-sample, so flattering).
    pub probability_in_sample: bool,
    /// The whole window.
    pub overall: BacktestSlice,
    /// Each quarter, in order. Their renewals add up to `overall.renewals`.
    pub quarters: Vec<BacktestSlice>,
    /// Each measure's own power over the whole window, in scorecard order (the same as
    /// `overall.measures`; each quarter's slice has its own).
    pub measures: Vec<MeasurePower>,
    /// Kaplan–Meier curves by band.
    pub survival: Vec<BandSurvival>,
    /// The log-rank test between the bands' curves and its degrees of freedom, as the pair
    /// `[test, df]` (the core's shape); `null` with fewer than two bands or no churn.
    #[napi(ts_type = "[HypothesisTest, number]")]
    pub logrank: Option<(HypothesisTest, u32)>,
    /// The FX rates its amounts were converted at, each once (empty when the book has no FX
    /// table or every amount was in the reporting currency).
    pub rates_used: Vec<RateUsed>,
}

impl From<&core_backtest::BacktestReport> for BacktestReport {
    fn from(r: &core_backtest::BacktestReport) -> Self {
        let core_backtest::BacktestReport {
            scorecard,
            window_start,
            window_end,
            lead_days,
            contraction_is_churn,
            probability,
            probability_in_sample,
            overall,
            quarters,
            measures,
            survival,
            logrank,
            rates_used: rates,
        } = r;
        BacktestReport {
            scorecard: scorecard.clone(),
            window_start: window_start.to_string(),
            window_end: window_end.to_string(),
            lead_days: *lead_days,
            contraction_is_churn: *contraction_is_churn,
            probability: probability.as_ref().map(ProbabilityMap::from),
            probability_in_sample: *probability_in_sample,
            overall: overall.into(),
            quarters: quarters.iter().map(BacktestSlice::from).collect(),
            measures: measures.iter().map(MeasurePower::from).collect(),
            survival: survival.iter().map(BandSurvival::from).collect(),
            logrank: logrank.map(|(t, df)| (t.into(), df)),
            rates_used: rates_used(rates.as_ref()),
        }
    }
}

/// A fitted logistic regression: `P(churn) = σ(intercept + Σ coef_k · x_k)`.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct LogisticFit {
    /// The intercept (never penalised).
    pub intercept: f64,
    /// One coefficient per measure kept in the fit (measure scores scaled to 0–1).
    pub coef: Vec<f64>,
    /// Newton iterations taken.
    pub iterations: u32,
}

impl From<&core_fit::LogisticFit> for LogisticFit {
    fn from(f: &core_fit::LogisticFit) -> Self {
        let core_fit::LogisticFit {
            intercept,
            coef,
            iterations,
        } = f;
        LogisticFit {
            intercept: *intercept,
            coef: coef.clone(),
            iterations: *iterations,
        }
    }
}

/// A measure's weight before and after a re-calibration.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct MeasureWeight {
    /// Measure name.
    pub measure: String,
    /// Its group.
    pub group: String,
    /// Fitted log-odds of churn per 100 points of measure score (negative: protects; 0 when
    /// dropped).
    pub coefficient: f64,
    /// Nominal share of the score before.
    pub share_before: f64,
    /// Nominal share after (0 when dropped).
    pub share_after: f64,
}

impl From<&core_backtest::MeasureWeight> for MeasureWeight {
    fn from(w: &core_backtest::MeasureWeight) -> Self {
        let core_backtest::MeasureWeight {
            measure,
            group,
            coefficient,
            share_before,
            share_after,
        } = w;
        MeasureWeight {
            measure: measure.clone(),
            group: group.clone(),
            coefficient: *coefficient,
            share_before: *share_before,
            share_after: *share_after,
        }
    }
}

/// The renewals on one side of a re-calibration's time split.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct RecalibrationSplit {
    /// Its quarters (`2026-Q1`, ...).
    pub quarters: Vec<String>,
    /// Renewals.
    pub renewals: i64,
    /// Churns.
    pub churned: i64,
}

impl From<&core_backtest::Split> for RecalibrationSplit {
    fn from(s: &core_backtest::Split) -> Self {
        let core_backtest::Split {
            quarters,
            renewals,
            churned,
        } = s;
        RecalibrationSplit {
            quarters: quarters.clone(),
            renewals: count(*renewals),
            churned: count(*churned),
        }
    }
}

/// A scorecard's performance on the held-out quarters.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// Renewals scored.
    pub scored: i64,
    /// ROC AUC of risk for churn; `null` without both outcomes.
    pub auc: Option<RocAuc>,
    /// Brier score of the probability mapping fitted on the training quarters.
    pub brier: Option<f64>,
}

impl From<&core_backtest::HeldOut> for HeldOut {
    fn from(h: &core_backtest::HeldOut) -> Self {
        let core_backtest::HeldOut { scored, auc, brier } = h;
        HeldOut {
            scored: count(*scored),
            auc: auc.map(RocAuc::from),
            brier: *brier,
        }
    }
}

/// A band's renewals and churn under a band choice.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct BandOutcome {
    /// Band name.
    pub band: String,
    /// Its lowest score.
    pub min: f64,
    /// Training renewals in it.
    pub train_renewals: i64,
    /// Their churn rate; `null` when none.
    pub train_churn_rate: Option<f64>,
    /// Held-out renewals in it.
    pub test_renewals: i64,
    /// Their churn rate; `null` when none.
    pub test_churn_rate: Option<f64>,
}

impl From<&core_backtest::BandOutcome> for BandOutcome {
    fn from(o: &core_backtest::BandOutcome) -> Self {
        let core_backtest::BandOutcome {
            band,
            min,
            train_renewals,
            train_churn_rate,
            test_renewals,
            test_churn_rate,
        } = o;
        BandOutcome {
            band: band.clone(),
            min: *min,
            train_renewals: count(*train_renewals),
            train_churn_rate: *train_churn_rate,
            test_renewals: count(*test_renewals),
            test_churn_rate: *test_churn_rate,
        }
    }
}

/// One way of setting band thresholds on the re-weighted score, and what it does.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct BandChoice {
    /// `'current'`, `'target churn rates'` or `'youden'`.
    pub method: String,
    /// The bands.
    pub bands: Vec<Band>,
    /// Sizes and churn per band, training and held out.
    pub outcomes: Vec<BandOutcome>,
}

impl From<&core_backtest::BandChoice> for BandChoice {
    fn from(c: &core_backtest::BandChoice) -> Self {
        let core_backtest::BandChoice {
            method,
            bands,
            outcomes,
        } = c;
        BandChoice {
            method: method.clone(),
            bands: bands.iter().map(Band::from).collect(),
            outcomes: outcomes.iter().map(BandOutcome::from).collect(),
        }
    }
}

/// A re-calibration as data: the core's result with camelCase keys (the re-weighted
/// scorecard as `ScorecardJson`, whose keys are snake_case as in scorecard files).
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct RecalibrationReport {
    /// The re-weighted scorecard as data (as `recalibration.scorecard.toJson()`).
    pub scorecard: ScorecardJson,
    /// The logistic fit (on measure scores / 100, after missing rules).
    pub fit: LogisticFit,
    /// The inverse penalty used.
    pub c: f64,
    /// Every measure's weight before and after, in scorecard order.
    pub weights: Vec<MeasureWeight>,
    /// Measures dropped because, given the others, they did not protect against churn.
    pub dropped: Vec<String>,
    /// Training side of the time split.
    pub train: RecalibrationSplit,
    /// Held-out side.
    pub test: RecalibrationSplit,
    /// The original scorecard on the held-out quarters.
    pub before: HeldOut,
    /// The re-weighted scorecard on the held-out quarters.
    pub after: HeldOut,
    /// Score → P(churn) for the re-weighted scorecard, fitted on the training quarters.
    pub probability: ProbabilityMap,
    /// Band threshold choices for the re-weighted score.
    pub bands: Vec<BandChoice>,
}

impl From<&core_backtest::Recalibration> for RecalibrationReport {
    fn from(r: &core_backtest::Recalibration) -> Self {
        let core_backtest::Recalibration {
            scorecard,
            fit,
            c,
            weights,
            dropped,
            train,
            test,
            before,
            after,
            probability,
            bands,
        } = r;
        RecalibrationReport {
            scorecard: scorecard.into(),
            fit: fit.into(),
            c: *c,
            weights: weights.iter().map(MeasureWeight::from).collect(),
            dropped: dropped.clone(),
            train: train.into(),
            test: test.into(),
            before: before.into(),
            after: after.into(),
            probability: probability.into(),
            bands: bands.iter().map(BandChoice::from).collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Revenue: the ARR bridge, retention, health on a day, the renewal forecast and its
// reconciliation with the CRM. Every amount is an exact decimal string in the report's
// `currency` (the book's reporting currency), never a float.
// ---------------------------------------------------------------------------------------------

/// The wire name of a bridge movement (the core's serde name).
fn movement_name(m: core_retention::Movement) -> &'static str {
    use core_retention::Movement as M;
    match m {
        M::None => "none",
        M::Flat => "flat",
        M::New => "new",
        M::Expansion => "expansion",
        M::Contraction => "contraction",
        M::Churn => "churn",
        M::Reactivation => "reactivation",
    }
}

/// One account's line of the ARR bridge.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct AccountMovement {
    /// The account.
    pub account_id: String,
    /// ARR at the end of the start day: an exact decimal string (never a float).
    pub start: String,
    /// ARR at the end of the end day: an exact decimal string (never a float).
    pub end: String,
    /// What happened: `'new'` (a new logo), `'reactivation'` (no ARR at the start but some
    /// before it: a win-back), `'expansion'`, `'contraction'`, `'churn'` (the whole start ARR),
    /// or `'flat'`.
    #[napi(ts_type = "'flat' | 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation'")]
    pub movement: String,
}

impl From<&core_retention::AccountMovement> for AccountMovement {
    fn from(m: &core_retention::AccountMovement) -> Self {
        let core_retention::AccountMovement {
            account_id,
            start,
            end,
            movement,
        } = m;
        AccountMovement {
            account_id: account_id.clone(),
            start: start.to_string(),
            end: end.to_string(),
            movement: movement_name(*movement).to_string(),
        }
    }
}

/// The ARR bridge (waterfall) between two days, measured start against end:
/// `start + new + expansion − contraction − churn + reactivation = end`, exactly.
///
/// Every amount is an exact decimal string in `currency` (the book's reporting currency),
/// never a float: add them with a decimal library, or as scaled `BigInt`s.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ArrBridge {
    /// Start day, `YYYY-MM-DD` (ARR at its end).
    pub from: String,
    /// End day, `YYYY-MM-DD`.
    pub to: String,
    /// The ISO-4217 code of every amount.
    pub currency: String,
    /// ARR at the start: an exact decimal string.
    pub start: String,
    /// New logos' ARR: an exact decimal string.
    pub new: String,
    /// Expansion: an exact decimal string.
    pub expansion: String,
    /// Contraction (a positive amount): an exact decimal string.
    pub contraction: String,
    /// Churned ARR (a positive amount): an exact decimal string.
    pub churn: String,
    /// Reactivated ARR: an exact decimal string.
    pub reactivation: String,
    /// ARR at the end: an exact decimal string.
    pub end: String,
    /// Accounts with ARR at the start.
    pub logos_start: i64,
    /// New logos.
    pub logos_new: i64,
    /// Logos churned.
    pub logos_churned: i64,
    /// Logos reactivated.
    pub logos_reactivated: i64,
    /// Accounts with ARR at the end.
    pub logos_end: i64,
    /// Every account with ARR at either end, in book order.
    pub accounts: Vec<AccountMovement>,
    /// The FX rates its amounts were converted at, each once (empty when the book has no FX
    /// table or every amount was in the reporting currency).
    pub rates_used: Vec<RateUsed>,
}

impl From<&core_retention::ArrBridge> for ArrBridge {
    fn from(b: &core_retention::ArrBridge) -> Self {
        let core_retention::ArrBridge {
            from,
            to,
            currency,
            start,
            new,
            expansion,
            contraction,
            churn,
            reactivation,
            end,
            logos_start,
            logos_new,
            logos_churned,
            logos_reactivated,
            logos_end,
            accounts,
            rates_used: rates,
        } = b;
        ArrBridge {
            from: from.to_string(),
            to: to.to_string(),
            currency: currency.code().to_string(),
            start: start.to_string(),
            new: new.to_string(),
            expansion: expansion.to_string(),
            contraction: contraction.to_string(),
            churn: churn.to_string(),
            reactivation: reactivation.to_string(),
            end: end.to_string(),
            logos_start: count(*logos_start),
            logos_new: count(*logos_new),
            logos_churned: count(*logos_churned),
            logos_reactivated: count(*logos_reactivated),
            logos_end: count(*logos_end),
            accounts: accounts.iter().map(AccountMovement::from).collect(),
            rates_used: rates_used(Some(rates)),
        }
    }
}

/// Gross, net and logo retention of a cohort (the accounts with ARR at the start) over a
/// period. `GRR = retainedArr / startArr`, `NRR = endArr / startArr`, `logoRetention =
/// logosRetained / logos`. Amounts are exact decimal strings in `currency`, never floats; the
/// rates are numbers, `null` for an empty cohort.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Retention {
    /// The cohort: `all`, the value of the cut (`none` where an account has none), the
    /// period (`2026-Q3`, `2026-09`, `2026`) of a series, or `ttm`.
    pub label: String,
    /// Start day, `YYYY-MM-DD`.
    pub from: String,
    /// End day, `YYYY-MM-DD`.
    pub to: String,
    /// The ISO-4217 code of every amount.
    pub currency: String,
    /// Accounts with ARR at the start.
    pub logos: i64,
    /// Of which still with ARR at the end.
    pub logos_retained: i64,
    /// The cohort's ARR at the start: an exact decimal string.
    pub start_arr: String,
    /// `Σ min(end, start)`, what was kept ignoring expansion: an exact decimal string.
    pub retained_arr: String,
    /// The cohort's ARR at the end (expansion in, new logos out): an exact decimal string.
    pub end_arr: String,
    /// Gross revenue retention, 0–1.
    pub grr: Option<f64>,
    /// Net revenue retention (may exceed 1).
    pub nrr: Option<f64>,
    /// Logo retention, 0–1.
    pub logo_retention: Option<f64>,
}

impl From<&core_retention::Retention> for Retention {
    fn from(r: &core_retention::Retention) -> Self {
        let core_retention::Retention {
            label,
            from,
            to,
            currency,
            logos,
            logos_retained,
            start_arr,
            retained_arr,
            end_arr,
            grr,
            nrr,
            logo_retention,
        } = r;
        Retention {
            label: label.clone(),
            from: from.to_string(),
            to: to.to_string(),
            currency: currency.code().to_string(),
            logos: count(*logos),
            logos_retained: count(*logos_retained),
            start_arr: start_arr.to_string(),
            retained_arr: retained_arr.to_string(),
            end_arr: end_arr.to_string(),
            grr: *grr,
            nrr: *nrr,
            logo_retention: *logo_retention,
        }
    }
}

/// An account's health on a day, as the forecast uses it (`book.healthAsOf` gives one per
/// active account; `null` where the account could not be scored).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Health {
    /// The score, 0–100.
    pub score: Option<f64>,
    /// The band.
    pub band: Option<String>,
}

impl From<&core_forecast::Health> for Health {
    fn from(h: &core_forecast::Health) -> Self {
        let core_forecast::Health { score, band } = h;
        Health {
            score: *score,
            band: band.clone(),
        }
    }
}

/// Health by account id, written as an object whose keys are defined (not assigned)
/// properties: an account called `__proto__` is a plain own key, not a prototype.
#[derive(Debug, Clone)]
pub struct HealthMap(pub BTreeMap<String, Health>);

impl ToNapiValue for HealthMap {
    unsafe fn to_napi_value(raw_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw_env);
        let properties = val
            .0
            .into_iter()
            .map(|(account, health)| {
                Property::new()
                    .with_name(&env, account.as_str())?
                    .with_napi_value(&env, health)
            })
            .collect::<napi::Result<Vec<_>>>()?;
        let mut object = Object::new(&env)?;
        object.define_properties(&properties)?;
        // SAFETY: `raw_env` is the environment napi-rs handed to this conversion.
        unsafe { Object::to_napi_value(raw_env, object) }
    }
}

impl TypeName for HealthMap {
    fn type_name() -> &'static str {
        "Record<string, Health>"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl From<&BTreeMap<String, core_forecast::Health>> for HealthMap {
    fn from(m: &BTreeMap<String, core_forecast::Health>) -> Self {
        HealthMap(m.iter().map(|(k, h)| (k.clone(), h.into())).collect())
    }
}

/// One renewal of the forecast window.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct RenewalLine {
    /// The account.
    pub account_id: String,
    /// Its name.
    pub name: String,
    /// Its segment (`none` if unset).
    pub segment: String,
    /// Its owning CSM (`none` if unset).
    pub csm: String,
    /// The renewal day, `YYYY-MM-DD`.
    pub renewal_date: String,
    /// The renewal month, `YYYY-MM`.
    pub month: String,
    /// ARR up for renewal, in cents: an exact decimal string (never a float).
    pub arr: String,
    /// The health score on the forecast day.
    pub score: Option<f64>,
    /// The band on the forecast day.
    pub band: Option<String>,
    /// Probability of renewing, 0–1.
    pub p_renew: f64,
    /// `arr × pRenew` to the cent (half to even): an exact decimal string.
    pub expected_renewal: String,
    /// Expected expansion on the account in the window, to the cent: an exact decimal string.
    pub expected_expansion: String,
    /// The category its probability puts it in.
    #[napi(ts_type = "'commit' | 'best_case' | 'pipeline'")]
    pub category: String,
}

impl From<&core_forecast::RenewalLine> for RenewalLine {
    fn from(l: &core_forecast::RenewalLine) -> Self {
        let core_forecast::RenewalLine {
            account_id,
            name,
            segment,
            csm,
            renewal_date,
            month,
            arr,
            score,
            band,
            p_renew,
            expected_renewal,
            expected_expansion,
            category,
        } = l;
        RenewalLine {
            account_id: account_id.clone(),
            name: name.clone(),
            segment: segment.clone(),
            csm: csm.clone(),
            renewal_date: renewal_date.to_string(),
            month: month.clone(),
            arr: arr.to_string(),
            score: *score,
            band: band.clone(),
            p_renew: *p_renew,
            expected_renewal: expected_renewal.to_string(),
            expected_expansion: expected_expansion.to_string(),
            category: category.as_str().to_string(),
        }
    }
}

/// A subtotal of the forecast lines (by segment, CSM or month).
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ForecastSubtotal {
    /// The segment, CSM or month (`YYYY-MM`).
    pub key: String,
    /// Renewals.
    pub renewals: i64,
    /// ARR up for renewal: an exact decimal string (never a float).
    pub arr: String,
    /// Expected renewal ARR: an exact decimal string.
    pub expected_renewal: String,
    /// Expected expansion: an exact decimal string.
    pub expected_expansion: String,
}

impl From<&core_forecast::Subtotal> for ForecastSubtotal {
    fn from(s: &core_forecast::Subtotal) -> Self {
        let core_forecast::Subtotal {
            key,
            renewals,
            arr,
            expected_renewal,
            expected_expansion,
        } = s;
        ForecastSubtotal {
            key: key.clone(),
            renewals: count(*renewals),
            arr: arr.to_string(),
            expected_renewal: expected_renewal.to_string(),
            expected_expansion: expected_expansion.to_string(),
        }
    }
}

/// The distribution of renewed ARR (each renewal renews in full with its probability, or
/// not at all). Its figures are numbers, not exact amounts: a quantile of a sum of coin flips
/// is a statistic, not a ledger amount.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct RenewalDistribution {
    /// How it was computed.
    #[napi(ts_type = "'exact' | 'grid' | 'monte_carlo'")]
    pub method: String,
    /// For `grid`: the step amounts were rounded to; for `monte_carlo`: the draws; 0 for
    /// `exact`.
    pub resolution: f64,
    /// The mean (the expected renewal total, up to rounding).
    pub mean: f64,
    /// The 10th percentile: a bad quarter.
    pub p10: f64,
    /// The median.
    pub p50: f64,
    /// The 90th percentile: a good quarter.
    pub p90: f64,
    /// The 1st to 99th percentiles (99 values, increasing): the whole distribution.
    pub percentiles: Vec<f64>,
}

impl From<&core_forecast::Distribution> for RenewalDistribution {
    fn from(d: &core_forecast::Distribution) -> Self {
        let core_forecast::Distribution {
            method,
            resolution,
            mean,
            p10,
            p50,
            p90,
            percentiles,
        } = d;
        RenewalDistribution {
            method: method.clone(),
            resolution: *resolution,
            mean: *mean,
            p10: *p10,
            p50: *p50,
            p90: *p90,
            percentiles: percentiles.clone(),
        }
    }
}

/// The renewal forecast of a window, as plain data: JSON-safe, and what `reconcile` takes
/// back. Every amount is an exact decimal string in `currency` (the book's reporting
/// currency), never a float; the totals are the exact sums of the lines' amounts.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct RenewalForecast {
    /// The forecast day (ARR and health as of then), `YYYY-MM-DD`.
    pub as_of: String,
    /// First day of the window, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the window, `YYYY-MM-DD`.
    pub to: String,
    /// The ISO-4217 code of every amount.
    pub currency: String,
    /// One line per renewal in the window, by date then account.
    pub lines: Vec<RenewalLine>,
    /// ARR up for renewal: an exact decimal string.
    pub arr: String,
    /// Expected renewal ARR: an exact decimal string.
    pub expected_renewal: String,
    /// Expected expansion on renewing accounts: an exact decimal string.
    pub expected_expansion: String,
    /// Expected expansion on accounts not renewing in the window: an exact decimal string.
    pub other_expansion: String,
    /// ARR of commit renewals: an exact decimal string.
    pub commit: String,
    /// ARR of best-case renewals (commit excluded): an exact decimal string.
    pub best_case: String,
    /// ARR of pipeline renewals: an exact decimal string.
    pub pipeline: String,
    /// Subtotals by segment.
    pub by_segment: Vec<ForecastSubtotal>,
    /// Subtotals by CSM.
    pub by_csm: Vec<ForecastSubtotal>,
    /// Subtotals by renewal month.
    pub by_month: Vec<ForecastSubtotal>,
    /// The distribution of renewed ARR; `null` when nothing renews in the window.
    pub distribution: Option<RenewalDistribution>,
    /// The FX rates its amounts were converted at, each once (empty when the book has no FX
    /// table or every amount was in the reporting currency).
    pub rates_used: Vec<RateUsed>,
    /// The forecast as text, as the core renders it (the same text as Python's `repr`): the
    /// totals, the range of renewed ARR and a line per month. `reconcile` ignores it.
    pub summary: String,
}

impl From<&core_forecast::RenewalForecast> for RenewalForecast {
    fn from(f: &core_forecast::RenewalForecast) -> Self {
        let core_forecast::RenewalForecast {
            as_of,
            from,
            to,
            currency,
            lines,
            arr,
            expected_renewal,
            expected_expansion,
            other_expansion,
            commit,
            best_case,
            pipeline,
            by_segment,
            by_csm,
            by_month,
            distribution,
            rates_used: rates,
        } = f;
        let subtotals =
            |s: &[core_forecast::Subtotal]| s.iter().map(ForecastSubtotal::from).collect();
        RenewalForecast {
            as_of: as_of.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            currency: currency.code().to_string(),
            lines: lines.iter().map(RenewalLine::from).collect(),
            arr: arr.to_string(),
            expected_renewal: expected_renewal.to_string(),
            expected_expansion: expected_expansion.to_string(),
            other_expansion: other_expansion.to_string(),
            commit: commit.to_string(),
            best_case: best_case.to_string(),
            pipeline: pipeline.to_string(),
            by_segment: subtotals(by_segment),
            by_csm: subtotals(by_csm),
            by_month: subtotals(by_month),
            distribution: distribution.as_ref().map(RenewalDistribution::from),
            rates_used: rates_used(rates.as_ref()),
            summary: f.render(),
        }
    }
}

/// The wire name of a reconciliation issue kind (the core's serde name).
fn issue_kind_name(k: core_forecast::IssueKind) -> &'static str {
    use core_forecast::IssueKind as K;
    match k {
        K::MissingOpportunity => "missing_opportunity",
        K::NoRenewalDue => "no_renewal_due",
        K::AmountMismatch => "amount_mismatch",
        K::CloseDateOutsideRenewalMonth => "close_date_outside_renewal_month",
        K::CommitOnAtRiskAccount => "commit_on_at_risk_account",
    }
}

/// One disagreement between the forecast and the CRM.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct ReconciliationIssue {
    /// What kind: a renewal without an open renewal opportunity, an opportunity without a
    /// renewal due, an amount that differs from ARR, a close date outside the renewal month,
    /// or a "commit" opportunity on an account the health score calls at risk.
    #[napi(
        ts_type = "'missing_opportunity' | 'no_renewal_due' | 'amount_mismatch' | 'close_date_outside_renewal_month' | 'commit_on_at_risk_account'"
    )]
    pub kind: String,
    /// The account.
    pub account_id: String,
    /// The opportunity, when there is one.
    pub opportunity_id: Option<String>,
    /// What differs, in a sentence.
    pub detail: String,
}

impl From<&core_forecast::ReconciliationIssue> for ReconciliationIssue {
    fn from(i: &core_forecast::ReconciliationIssue) -> Self {
        let core_forecast::ReconciliationIssue {
            kind,
            account_id,
            opportunity_id,
            detail,
        } = i;
        ReconciliationIssue {
            kind: issue_kind_name(*kind).to_string(),
            account_id: account_id.clone(),
            opportunity_id: opportunity_id.clone(),
            detail: detail.clone(),
        }
    }
}

/// The forecast set against the CRM's open renewal opportunities. Amounts are exact decimal
/// strings in the forecast's currency, never floats.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct Reconciliation {
    /// ARR up for renewal in the forecast: an exact decimal string.
    pub forecast_arr: String,
    /// The CRM's open renewal opportunities closing in the window (matched or not): an exact
    /// decimal string.
    pub crm_arr: String,
    /// `(forecast − CRM) / CRM`; `null` when the CRM total is zero.
    pub gap: Option<f64>,
    /// The tolerance the gap was judged against.
    pub tolerance: f64,
    /// Whether `|gap| ≤ tolerance`.
    pub passes: bool,
    /// The forecast's expected renewal ARR: an exact decimal string.
    pub forecast_expected: String,
    /// The CRM's probability-weighted renewal amount, to the cent: an exact decimal string.
    pub crm_weighted: String,
    /// Every disagreement, by kind then account.
    pub issues: Vec<ReconciliationIssue>,
    /// The FX rates its amounts were converted at, each once (empty when the book has no FX
    /// table or every amount was in the reporting currency).
    pub rates_used: Vec<RateUsed>,
    /// The reconciliation as text, as the core renders it (the same text as Python's
    /// `repr`): the gap, the issues by kind and the first ones.
    pub summary: String,
}

impl Reconciliation {
    /// The reconciliation of a forecast in `currency` (every amount is in it).
    pub(crate) fn new(
        r: &core_forecast::Reconciliation,
        currency: csops_core::money::Currency,
    ) -> Self {
        let core_forecast::Reconciliation {
            forecast_arr,
            crm_arr,
            gap,
            tolerance,
            passes,
            forecast_expected,
            crm_weighted,
            issues,
            rates_used: rates,
        } = r;
        Reconciliation {
            forecast_arr: forecast_arr.to_string(),
            crm_arr: crm_arr.to_string(),
            gap: *gap,
            tolerance: *tolerance,
            passes: *passes,
            forecast_expected: forecast_expected.to_string(),
            crm_weighted: crm_weighted.to_string(),
            issues: issues.iter().map(ReconciliationIssue::from).collect(),
            rates_used: rates_used(rates.as_ref()),
            summary: r.render(currency),
        }
    }
}
