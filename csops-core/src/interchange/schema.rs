//! The schema catalogue: every file of a book and its documented columns ([`FILES`], with
//! [`FileDoc`], [`ColumnDoc`] and [`ColumnType`]), and the schema reference generated from it.

use serde::Serialize;

use crate::record::*;

/// The type of a column, as documented in `docs/schema.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColumnType {
    /// Free text.
    Text,
    /// ISO date `YYYY-MM-DD` (an RFC 3339 timestamp is accepted and its date kept).
    Date,
    /// RFC 3339 timestamp (`2025-03-01T09:30:00Z`); a naive `YYYY-MM-DD HH:MM:SS` is read as UTC.
    Timestamp,
    /// Exact decimal amount (`1200.50`); no thousands separators.
    Decimal,
    /// ISO-4217 code.
    Currency,
    /// Non-negative whole number (`202.0` is 202; `202.5` is a problem).
    Integer,
    /// Finite number.
    Number,
    /// `true`/`false` (also `1`/`0`, `yes`/`no`).
    Bool,
    /// One of a fixed list of values.
    Enum,
    /// `;`-separated list of enum values (an array in JSON).
    List,
}

/// One documented column of one file.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ColumnDoc {
    /// Column name.
    pub name: &'static str,
    /// Type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Whether a value is required.
    pub required: bool,
    /// What it means.
    pub meaning: &'static str,
    /// An example value.
    pub example: &'static str,
    /// Allowed values, for enums and lists.
    #[serde(skip)]
    pub values: Option<fn() -> Vec<&'static str>>,
}

/// One file of the interchange layout.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FileDoc {
    /// File stem: `accounts` is read from `accounts.csv` or the `accounts` key of a JSON book.
    pub stem: &'static str,
    /// What one row is.
    pub meaning: &'static str,
    /// Whether the file must be present.
    pub required: bool,
    /// Its columns, in written order.
    pub columns: &'static [ColumnDoc],
}

macro_rules! col {
    ($name:literal, $ty:ident, $req:literal, $meaning:literal, $ex:literal) => {
        ColumnDoc {
            name: $name,
            ty: ColumnType::$ty,
            required: $req,
            meaning: $meaning,
            example: $ex,
            values: None,
        }
    };
    ($name:literal, $ty:ident($e:ty), $req:literal, $meaning:literal, $ex:literal) => {
        ColumnDoc {
            name: $name,
            ty: ColumnType::$ty,
            required: $req,
            meaning: $meaning,
            example: $ex,
            values: Some(<$e>::names),
        }
    };
}

/// Every file of a book, in load order (accounts, then contacts, then the rest).
pub const FILES: &[FileDoc] = &[
    FileDoc {
        stem: "accounts",
        required: true,
        meaning: "One customer account. Extra columns named `attr.<name>` become custom attributes.",
        columns: &[
            col!("id", Text, true, "Unique account id (CRM id).", "A-0001"),
            col!("name", Text, true, "Account name.", "Acme Corp"),
            col!(
                "owner_csm",
                Text,
                false,
                "The CSM who owns the account.",
                "dana.reyes"
            ),
            col!("segment", Text, false, "Market segment.", "enterprise"),
            col!("tier", Text, false, "Coverage tier.", "high_touch"),
            col!("region", Text, false, "Sales region.", "EMEA"),
            col!("industry", Text, false, "Industry.", "software"),
            col!("plan", Text, false, "Plan or edition.", "pro"),
            col!(
                "currency",
                Currency,
                true,
                "Contract currency of `arr`.",
                "EUR"
            ),
            col!(
                "arr",
                Decimal,
                true,
                "Current annual recurring revenue, ≥ 0.",
                "48000.00"
            ),
            col!("seats", Integer, false, "Licensed seats.", "120"),
            col!("start_date", Date, true, "Contract start.", "2023-04-01"),
            col!(
                "renewal_date",
                Date,
                false,
                "Next (or current) renewal date, on or after `start_date`.",
                "2026-04-01"
            ),
            col!(
                "term_months",
                Integer,
                false,
                "Contract term in months (12 when empty); renewals recur every term.",
                "12"
            ),
        ],
    },
    FileDoc {
        stem: "contacts",
        required: false,
        meaning: "One person at a customer.",
        columns: &[
            col!("id", Text, true, "Unique contact id.", "C-0001"),
            col!("account_id", Text, true, "The contact's account.", "A-0001"),
            col!("name", Text, true, "Full name.", "Sam Lee"),
            col!("email", Text, false, "E-mail address.", "sam@acme.example"),
            col!("title", Text, false, "Job title.", "VP Operations"),
        ],
    },
    FileDoc {
        stem: "contact_roles",
        required: false,
        meaning: "One spell of a contact holding a role (the CRM's contact-role history).",
        columns: &[
            col!("contact_id", Text, true, "The contact.", "C-0001"),
            col!(
                "role",
                Enum(Role),
                true,
                "The role held.",
                "executive_sponsor"
            ),
            col!(
                "added",
                Date,
                true,
                "First day the role was held.",
                "2023-04-01"
            ),
            col!(
                "removed",
                Date,
                false,
                "Day the role ended (not held from then on); empty while held.",
                "2025-09-15"
            ),
        ],
    },
    FileDoc {
        stem: "usage_events",
        required: false,
        meaning: "One product-usage event. Events have no id; duplicates are legitimate.",
        columns: &[
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!(
                "user_id",
                Text,
                true,
                "The product user (scoped to the account).",
                "u-17"
            ),
            col!(
                "feature",
                Text,
                true,
                "Feature or event name; `login` counts as a login.",
                "reports"
            ),
            col!(
                "timestamp",
                Timestamp,
                true,
                "When, in UTC (kept to the millisecond).",
                "2025-03-01T09:30:00Z"
            ),
        ],
    },
    FileDoc {
        stem: "usage_snapshots",
        required: false,
        meaning: "A named usage metric over a period. One row per account, metric and period start.",
        columns: &[
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!(
                "period_start",
                Date,
                true,
                "First day of the period.",
                "2025-03-01"
            ),
            col!(
                "period_end",
                Date,
                true,
                "Last day of the period (inclusive), on or after `period_start`.",
                "2025-03-31"
            ),
            col!("metric", Text, true, "Metric name.", "active_users"),
            col!(
                "value",
                Number,
                false,
                "The value; empty when the export has none for this period (a missing value of the period, never an earlier period's).",
                "87"
            ),
        ],
    },
    FileDoc {
        stem: "tickets",
        required: false,
        meaning: "One support ticket.",
        columns: &[
            col!("id", Text, true, "Unique ticket id.", "T-1001"),
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!("opened", Date, true, "Day opened.", "2025-02-10"),
            col!(
                "closed",
                Date,
                false,
                "Day closed (required when status is solved or closed), on or after `opened`.",
                "2025-02-12"
            ),
            col!("priority", Enum(Priority), true, "Priority.", "high"),
            col!(
                "status",
                Enum(TicketStatus),
                true,
                "Status at export time.",
                "closed"
            ),
            col!(
                "escalated",
                Bool,
                false,
                "Whether it was escalated (false when empty).",
                "false"
            ),
            col!("csat", Integer, false, "CSAT given on closing, 1–5.", "4"),
        ],
    },
    FileDoc {
        stem: "surveys",
        required: false,
        meaning: "One NPS or CSAT survey answer.",
        columns: &[
            col!("id", Text, true, "Unique response id.", "S-501"),
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!(
                "contact_id",
                Text,
                false,
                "The contact who answered (must belong to the account).",
                "C-0001"
            ),
            col!("date", Date, true, "Day answered.", "2025-01-20"),
            col!("kind", Enum(SurveyKind), true, "Survey kind.", "nps"),
            col!("score", Integer, true, "0–10 for NPS, 1–5 for CSAT.", "9"),
            col!(
                "comment",
                Text,
                false,
                "Free-text comment.",
                "Great support"
            ),
        ],
    },
    FileDoc {
        stem: "meetings",
        required: false,
        meaning: "One meeting with the customer.",
        columns: &[
            col!("id", Text, true, "Unique meeting id.", "M-77"),
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!("kind", Enum(MeetingKind), true, "Meeting kind.", "ebr"),
            col!("date", Date, true, "Day held.", "2025-01-15"),
            col!(
                "attendee_roles",
                List(Role),
                false,
                "Roles of the customer's attendees, `;`-separated.",
                "executive_sponsor;champion"
            ),
        ],
    },
    FileDoc {
        stem: "milestones",
        required: false,
        meaning: "One success-plan milestone.",
        columns: &[
            col!("id", Text, true, "Unique milestone id.", "MS-9"),
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!(
                "name",
                Text,
                true,
                "The outcome to achieve.",
                "First dashboard live"
            ),
            col!("due", Date, true, "Day due.", "2025-06-30"),
            col!(
                "achieved",
                Date,
                false,
                "Day achieved; empty if not (yet).",
                "2025-06-12"
            ),
        ],
    },
    FileDoc {
        stem: "opportunities",
        required: false,
        meaning: "One CRM opportunity.",
        columns: &[
            col!("id", Text, true, "Unique opportunity id.", "O-301"),
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!(
                "kind",
                Enum(OpportunityKind),
                true,
                "What the deal is for.",
                "renewal"
            ),
            col!("currency", Currency, true, "Currency of `amount`.", "EUR"),
            col!(
                "amount",
                Decimal,
                true,
                "Annualised amount, ≥ 0.",
                "48000.00"
            ),
            col!(
                "close_date",
                Date,
                true,
                "Expected or actual close day, not before `created`.",
                "2026-04-01"
            ),
            col!("stage", Text, true, "The CRM's stage name.", "Negotiation"),
            col!(
                "status",
                Enum(OpportunityStatus),
                true,
                "Open, won or lost.",
                "open"
            ),
            col!(
                "probability",
                Number,
                true,
                "Probability to close, 0–1.",
                "0.8"
            ),
            col!(
                "forecast_category",
                Enum(ForecastCategory),
                true,
                "The rep's forecast category.",
                "commit"
            ),
            col!("created", Date, false, "Day created.", "2025-12-01"),
        ],
    },
    FileDoc {
        stem: "arr_snapshots",
        required: false,
        meaning: "The ARR of an account on a date. One row per account and date.",
        columns: &[
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!("date", Date, true, "The day.", "2025-03-31"),
            col!("currency", Currency, true, "Currency of `arr`.", "EUR"),
            col!("arr", Decimal, true, "ARR on that day, ≥ 0.", "48000.00"),
        ],
    },
    FileDoc {
        stem: "renewal_outcomes",
        required: false,
        meaning: "What happened at one renewal.",
        columns: &[
            col!("id", Text, true, "Unique id.", "R-12"),
            col!("account_id", Text, true, "The account.", "A-0001"),
            col!(
                "renewal_date",
                Date,
                true,
                "The renewal date.",
                "2025-04-01"
            ),
            col!(
                "outcome",
                Enum(Outcome),
                true,
                "Renewed (same ARR), churned (ARR after 0), contracted (lower), expanded (higher).",
                "expanded"
            ),
            col!(
                "currency",
                Currency,
                true,
                "Currency of both amounts.",
                "EUR"
            ),
            col!("arr_before", Decimal, true, "ARR before, ≥ 0.", "40000.00"),
            col!("arr_after", Decimal, true, "ARR after, ≥ 0.", "48000.00"),
        ],
    },
    FileDoc {
        stem: "fx_rates",
        required: false,
        meaning: "Exchange rates into one reporting currency: one unit of `currency` is worth `rate` units of `reporting_currency`.",
        columns: &[
            col!(
                "currency",
                Currency,
                true,
                "The currency converted from.",
                "EUR"
            ),
            col!(
                "reporting_currency",
                Currency,
                true,
                "The reporting currency (the same on every row).",
                "USD"
            ),
            col!(
                "rate",
                Decimal,
                true,
                "Units of reporting currency per unit, > 0.",
                "1.08"
            ),
            col!(
                "date",
                Date,
                false,
                "The first day the rate is in force, until the currency's next dated rate (a month `2025-03` is its first day). Amounts convert at the rate in force on their own day; empty: the rate for any day without a dated one.",
                "2025-03-01"
            ),
        ],
    },
];

pub(super) fn file_doc(stem: &str) -> &'static FileDoc {
    FILES.iter().find(|f| f.stem == stem).unwrap_or(&FILES[0])
}

/// The schema reference (`docs/schema.md`), generated from [`FILES`] so it cannot drift.
pub fn schema_markdown() -> String {
    let mut s = String::from(
        "# Book schema\n\n\
         <!-- Generated from csops_core::interchange::FILES by `UPDATE_SCHEMA=1 cargo test -p csops-core --test schema_doc`; do not edit by hand. -->\n\n\
         A book is a directory of CSV files, one per record type, or one JSON document whose top-level keys are the \
         file stems below (plus `schema_version`), each an array of objects with the same columns. Only `accounts` is \
         required. CSV files have a header row; column order does not matter; empty cells are missing values. \
         Exports in another layout (other file and column names, date formats, value words, wide metric tables, role-change logs) load through a source map (see `docs/importing.md`).\n\n\
         Spaces around a value are not part of it. A quoted value ends at its closing quote (text after it, as in `\"rep\"orts`, rejects the row). A row must have as many fields as the header; row numbers are file lines \
         (LF, CRLF or CR endings alike). \
         Types: **text**; **date** `YYYY-MM-DD` exactly (four-digit year; a timestamp is its day as written); **timestamp** RFC 3339 (`2025-03-01T09:30:00Z`; a naive \
         `YYYY-MM-DD HH:MM:SS` is read as UTC, a day alone as its midnight UTC); **decimal** an exact amount such as `1200.50` or `1.2e3`, \
         taken exactly as written (no thousands separators or `_`; more digits than a decimal holds, 28 after the point, is a problem, \
         never rounded; a JSON number keeps every digit too; amounts above 10^15 per record are refused, see [limits](limits.md)); **currency** an ISO-4217 code; **integer** a non-negative whole number (`202.0` is 202); \
         **number** a finite number; **bool** `true`/`false` (also `1`/`0`, `yes`/`no`, `y`/`n`, any case); **enum** one of the listed values (case-insensitive, \
         spaces and hyphens read as `_`); **list** `;`-separated enum values (an array in JSON).\n\n",
    );
    for f in FILES {
        s.push_str(&format!(
            "## `{}.csv`{}\n\n{}\n\n",
            f.stem,
            if f.required { " (required)" } else { "" },
            f.meaning
        ));
        s.push_str("| column | type | required | meaning | example |\n|---|---|---|---|---|\n");
        for c in f.columns {
            let ty = serde_json::to_value(c.ty)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let meaning = match c.values {
                Some(values) => format!(
                    "{} One of: {}.",
                    c.meaning,
                    values()
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => c.meaning.to_string(),
            };
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | `{}` |\n",
                c.name,
                ty,
                if c.required { "yes" } else { "no" },
                meaning,
                c.example
            ));
        }
        s.push('\n');
    }
    s
}
