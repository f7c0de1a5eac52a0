//! Records as data: the TypeScript types of the JSON interchange layout (`docs/schema.md`),
//! and `book.withRecords` — the book with records a CRM webhook or a nightly delta brings.
//!
//! The types are type-only: records are read by the core's JSON loader, as `loadBookJson`
//! reads a document (every value checked, every problem with its place), never converted here.

use csops_core::book::LoadMode;
use csops_core::interchange::WithRecordsSettings;
use csops_core::interchange::{self, Loaded};
use napi::bindgen_prelude::Unknown;
use napi::{Env, ValueType};
use napi_derive::napi;

use crate::args;
use crate::error::{Failure, guard, invalid};

/// An account, as in `accounts.csv` (see the schema reference). Amounts are decimal strings
/// (exact); days are `YYYY-MM-DD` strings or `Date`s (their UTC day).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct AccountJson {
    /// Unique account id (the CRM id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The CSM who owns the account.
    #[napi(js_name = "owner_csm", ts_type = "string | null")]
    pub owner_csm: Option<String>,
    /// Market segment.
    #[napi(ts_type = "string | null")]
    pub segment: Option<String>,
    /// Coverage tier.
    #[napi(ts_type = "string | null")]
    pub tier: Option<String>,
    /// Sales region.
    #[napi(ts_type = "string | null")]
    pub region: Option<String>,
    /// Industry.
    #[napi(ts_type = "string | null")]
    pub industry: Option<String>,
    /// Plan or edition.
    #[napi(ts_type = "string | null")]
    pub plan: Option<String>,
    /// ISO-4217 code of the contract currency.
    pub currency: String,
    /// Current ARR, a decimal string such as `'48000.00'`.
    pub arr: String,
    /// Licensed seats.
    #[napi(ts_type = "number | null")]
    pub seats: Option<u32>,
    /// Contract start.
    #[napi(js_name = "start_date", ts_type = "string | Date")]
    pub start_date: String,
    /// Next (or current) renewal date.
    #[napi(js_name = "renewal_date", ts_type = "string | Date | null")]
    pub renewal_date: Option<String>,
    /// Contract term in months (12 when absent).
    #[napi(js_name = "term_months", ts_type = "number | null")]
    pub term_months: Option<u32>,
    /// Custom attributes (`attr.<name>` columns in CSV).
    #[napi(ts_type = "Record<string, string> | null")]
    pub attributes: Option<String>,
}

/// A person at a customer, as in `contacts.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ContactJson {
    /// Unique contact id.
    pub id: String,
    /// The contact's account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    #[napi(ts_type = "string | null")]
    pub email: Option<String>,
    /// Job title.
    #[napi(ts_type = "string | null")]
    pub title: Option<String>,
}

/// One spell of a contact holding a role, as in `contact_roles.csv`. A spell is known by its
/// contact, role and `added` day: sending it again with `removed` set ends it (a sponsor
/// leaving).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ContactRoleJson {
    /// The contact.
    #[napi(js_name = "contact_id")]
    pub contact_id: String,
    /// The role held.
    #[napi(
        ts_type = "'executive_sponsor' | 'champion' | 'economic_buyer' | 'decision_maker' | 'admin' | 'user' | 'billing' | 'technical'"
    )]
    pub role: String,
    /// First day the role was held.
    #[napi(ts_type = "string | Date")]
    pub added: String,
    /// Day the role ended (not held from then on); absent or `null` while held.
    #[napi(ts_type = "string | Date | null")]
    pub removed: Option<String>,
}

/// One product-usage event, as in `usage_events.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct UsageEventJson {
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// The product user.
    #[napi(js_name = "user_id")]
    pub user_id: String,
    /// Feature or event name (`login` counts as a login).
    pub feature: String,
    /// When: RFC 3339 text (`2025-03-01T09:30:00Z`) or a `Date`.
    #[napi(ts_type = "string | Date")]
    pub timestamp: String,
}

/// A usage metric over a period, as in `usage_snapshots.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct UsageSnapshotJson {
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// First day of the period.
    #[napi(js_name = "period_start", ts_type = "string | Date")]
    pub period_start: String,
    /// Last day of the period (inclusive).
    #[napi(js_name = "period_end", ts_type = "string | Date")]
    pub period_end: String,
    /// Metric name.
    pub metric: String,
    /// The value.
    pub value: f64,
}

/// A support ticket, as in `tickets.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct TicketJson {
    /// Unique ticket id.
    pub id: String,
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// Day opened.
    #[napi(ts_type = "string | Date")]
    pub opened: String,
    /// Day closed.
    #[napi(ts_type = "string | Date | null")]
    pub closed: Option<String>,
    /// Priority.
    #[napi(ts_type = "'low' | 'normal' | 'high' | 'urgent'")]
    pub priority: String,
    /// Status.
    #[napi(ts_type = "'open' | 'pending' | 'solved' | 'closed'")]
    pub status: String,
    /// Whether it was escalated (false when absent).
    #[napi(ts_type = "boolean | null")]
    pub escalated: Option<bool>,
    /// CSAT given on closing, 1–5.
    #[napi(ts_type = "number | null")]
    pub csat: Option<u32>,
}

/// An NPS or CSAT answer, as in `surveys.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct SurveyJson {
    /// Unique response id.
    pub id: String,
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// The contact who answered.
    #[napi(js_name = "contact_id", ts_type = "string | null")]
    pub contact_id: Option<String>,
    /// Day answered.
    #[napi(ts_type = "string | Date")]
    pub date: String,
    /// Survey kind.
    #[napi(ts_type = "'nps' | 'csat'")]
    pub kind: String,
    /// 0–10 for NPS, 1–5 for CSAT.
    pub score: u32,
    /// Free-text comment.
    #[napi(ts_type = "string | null")]
    pub comment: Option<String>,
}

/// A meeting with the customer, as in `meetings.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct MeetingJson {
    /// Unique meeting id.
    pub id: String,
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// Meeting kind.
    #[napi(ts_type = "'ebr' | 'qbr' | 'onboarding' | 'check_in' | 'other'")]
    pub kind: String,
    /// Day held.
    #[napi(ts_type = "string | Date")]
    pub date: String,
    /// Roles of the customer's attendees.
    #[napi(
        js_name = "attendee_roles",
        ts_type = "Array<'executive_sponsor' | 'champion' | 'economic_buyer' | 'decision_maker' | 'admin' | 'user' | 'billing' | 'technical'> | null"
    )]
    pub attendee_roles: Option<String>,
}

/// A success-plan milestone, as in `milestones.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct MilestoneJson {
    /// Unique milestone id.
    pub id: String,
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// The outcome to achieve.
    pub name: String,
    /// Day due.
    #[napi(ts_type = "string | Date")]
    pub due: String,
    /// Day achieved.
    #[napi(ts_type = "string | Date | null")]
    pub achieved: Option<String>,
}

/// A CRM opportunity, as in `opportunities.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct OpportunityJson {
    /// Unique opportunity id.
    pub id: String,
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// What the deal is for.
    #[napi(ts_type = "'renewal' | 'expansion' | 'new_business'")]
    pub kind: String,
    /// ISO-4217 code of `amount`.
    pub currency: String,
    /// Annualised amount, a decimal string.
    pub amount: String,
    /// Expected or actual close day.
    #[napi(js_name = "close_date", ts_type = "string | Date")]
    pub close_date: String,
    /// The CRM's stage name.
    pub stage: String,
    /// Open, won or lost.
    #[napi(ts_type = "'open' | 'won' | 'lost'")]
    pub status: String,
    /// Probability to close, 0–1.
    pub probability: f64,
    /// The rep's forecast category.
    #[napi(
        js_name = "forecast_category",
        ts_type = "'pipeline' | 'best_case' | 'commit' | 'closed' | 'omitted'"
    )]
    pub forecast_category: String,
    /// Day created.
    #[napi(ts_type = "string | Date | null")]
    pub created: Option<String>,
}

/// The ARR of an account on a day, as in `arr_snapshots.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ArrSnapshotJson {
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// The day.
    #[napi(ts_type = "string | Date")]
    pub date: String,
    /// ISO-4217 code of `arr`.
    pub currency: String,
    /// ARR on that day, a decimal string.
    pub arr: String,
}

/// What happened at one renewal, as in `renewal_outcomes.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct RenewalOutcomeJson {
    /// Unique id.
    pub id: String,
    /// The account.
    #[napi(js_name = "account_id")]
    pub account_id: String,
    /// The renewal date.
    #[napi(js_name = "renewal_date", ts_type = "string | Date")]
    pub renewal_date: String,
    /// What happened.
    #[napi(ts_type = "'renewed' | 'churned' | 'contracted' | 'expanded'")]
    pub outcome: String,
    /// ISO-4217 code of both amounts.
    pub currency: String,
    /// ARR before, a decimal string.
    #[napi(js_name = "arr_before")]
    pub arr_before: String,
    /// ARR after, a decimal string (`'0'` when churned).
    #[napi(js_name = "arr_after")]
    pub arr_after: String,
}

/// An exchange rate into the reporting currency, as in `fx_rates.csv`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct FxRateJson {
    /// The currency converted from.
    pub currency: String,
    /// The reporting currency (the same on every row).
    #[napi(js_name = "reporting_currency")]
    pub reporting_currency: String,
    /// Units of reporting currency per unit, a decimal string.
    pub rate: String,
}

/// Records in the JSON interchange layout (the same as a JSON book document, and
/// `book.toJson()`): one array per record type, keyed by file stem, every key optional.
/// `withRecords` adds them to a book.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct RecordsJson {
    /// Layout version; 1 when given.
    #[napi(js_name = "schema_version", ts_type = "1 | null")]
    pub schema_version: Option<u32>,
    /// Accounts (new, or restating one by `id`).
    #[napi(ts_type = "Array<AccountJson> | null")]
    pub accounts: Option<String>,
    /// Contacts (new, or restating one by `id`).
    #[napi(ts_type = "Array<ContactJson> | null")]
    pub contacts: Option<String>,
    /// Contact-role spells (new, or restating one by contact, role and `added`).
    #[napi(js_name = "contact_roles", ts_type = "Array<ContactRoleJson> | null")]
    pub contact_roles: Option<String>,
    /// Usage events (always added).
    #[napi(js_name = "usage_events", ts_type = "Array<UsageEventJson> | null")]
    pub usage_events: Option<String>,
    /// Usage snapshots (new, or restating one by account, metric and period).
    #[napi(
        js_name = "usage_snapshots",
        ts_type = "Array<UsageSnapshotJson> | null"
    )]
    pub usage_snapshots: Option<String>,
    /// Tickets (new, or restating one by `id`).
    #[napi(ts_type = "Array<TicketJson> | null")]
    pub tickets: Option<String>,
    /// Survey answers (new, or restating one by `id`).
    #[napi(ts_type = "Array<SurveyJson> | null")]
    pub surveys: Option<String>,
    /// Meetings (new, or restating one by `id`).
    #[napi(ts_type = "Array<MeetingJson> | null")]
    pub meetings: Option<String>,
    /// Milestones (new, or restating one by `id`).
    #[napi(ts_type = "Array<MilestoneJson> | null")]
    pub milestones: Option<String>,
    /// Opportunities (new, or restating one by `id`).
    #[napi(ts_type = "Array<OpportunityJson> | null")]
    pub opportunities: Option<String>,
    /// ARR snapshots (new, or restating one by account and day).
    #[napi(js_name = "arr_snapshots", ts_type = "Array<ArrSnapshotJson> | null")]
    pub arr_snapshots: Option<String>,
    /// Renewal outcomes (new, or restating one by `id`).
    #[napi(
        js_name = "renewal_outcomes",
        ts_type = "Array<RenewalOutcomeJson> | null"
    )]
    pub renewal_outcomes: Option<String>,
    /// Exchange rates: given, they replace the book's table.
    #[napi(js_name = "fx_rates", ts_type = "Array<FxRateJson> | null")]
    pub fx_rates: Option<String>,
}

/// Options of `book.withRecords` and `book.withRecordsAsync`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct WithRecordsOptions {
    /// `'strict'` (the default): any problem — in a record given, or in the book they make —
    /// fails with a `CSOPS_VALIDATION` error listing every problem. `'lenient'`: the valid
    /// records are taken and the new book's `report` lists the rest.
    #[napi(ts_type = "'strict' | 'lenient'")]
    pub mode: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Reading the arguments.
// ---------------------------------------------------------------------------------------------

/// The `records` argument as JSON text: a string as given, an object as `JSON.stringify` writes
/// it (a `Date` becomes its ISO timestamp, which a date column reads as its UTC day).
pub(crate) fn records_text(env: &Env, v: Unknown) -> Result<String, Failure> {
    json_text(
        env,
        "records",
        "records in the JSON interchange layout { contact_roles: [...], tickets: [...], ... } \
         or their JSON text",
        v,
    )
}

/// An object argument as JSON text (a string is taken as the text itself), as `JSON.stringify`
/// writes it; `name` and `expected` are for messages.
pub(crate) fn json_text(
    env: &Env,
    name: &str,
    expected: &str,
    v: Unknown,
) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        return args::string(name, v);
    }
    args::require_object(name, &v, expected)?;
    let text = args::global(env, "JSON", "stringify")?
        .call(v)
        .map_err(|e| invalid(format!("`{name}` cannot be written as JSON: {}", e.reason)))?;
    args::string(name, text)
}

/// `withRecords` options: the core's `WithRecordsSettings` (the load mode).
pub(crate) fn with_records_options(env: &Env, v: Option<Unknown>) -> Result<LoadMode, Failure> {
    let (settings, _): (WithRecordsSettings, _) = crate::options::read(env, "options", v, &[])?;
    Ok(settings.mode)
}

// ---------------------------------------------------------------------------------------------
// Adding records.
// ---------------------------------------------------------------------------------------------

/// `loaded.book` with the records of the JSON document `text`: the core's
/// `interchange::with_json` (records read as loading reads them, problems named
/// `records#<type>`, then `Book::with_records`).
pub(crate) fn with_records(loaded: &Loaded, text: &str, mode: LoadMode) -> Result<Loaded, Failure> {
    guard(|| interchange::with_json(&loaded.book, text, mode))
}
