//! Reading and writing books: a directory of CSV files, or one JSON document.
//!
//! CS data arrives as exports: a CRM report of accounts, a support-desk dump of tickets, a
//! telemetry extract of usage events. csops reads them as **one CSV file per record type** in a
//! directory (`accounts.csv`, `tickets.csv`, … — see [`FILES`] and `docs/schema.md`), or as
//! **one JSON document** whose top-level keys are the same names, each holding an array of
//! objects with the same columns. Every file except `accounts.csv` is optional.
//!
//! Loading validates everything (see [`crate::book`]) and reports each problem with its file,
//! line and column. Exports rarely use csops' column names, so a [`HeaderMap`] renames columns
//! on the way in ("Account ID" → `id`) without editing the file; columns that are neither known
//! nor mapped are reported, so no data disappears unnoticed (map a column to `""` to ignore it
//! on purpose, or to `attr.<name>` to keep it as a custom account attribute).
//!
//! Writing produces the same layout, so a book round-trips: load → write → load gives the same
//! book.
//!
//! ```no_run
//! use csops_core::interchange::{load_csv_dir, LoadOptions};
//! use csops_core::book::LoadMode;
//!
//! let loaded = load_csv_dir("data/sample-book", &LoadOptions { mode: LoadMode::Lenient, ..Default::default() })?;
//! println!("{}", loaded.report.render());
//! println!("{} accounts", loaded.book.accounts().len());
//! # Ok::<(), csops_core::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::book::{
    Assembler, Book, FieldProblem, LoadMode, Origin, Position, ProblemKind, RowFields,
    ValidationReport,
};
use crate::error::{Error, Result};
use crate::money::{Currency, FxTable, Money};
use crate::progress::{EVERY, ProgressHook};
use crate::record::*;

#[cfg(feature = "arrow")]
pub mod arrow;
mod columns;
mod csv_file;
mod shapes;
pub mod source_map;

#[cfg(feature = "arrow")]
pub use arrow::load_arrow_tables;

use columns::ColumnMap;
use csv_file::CsvTable;
pub use source_map::{
    ColumnSource, PeriodLength, RecordSource, RemovalWithoutAddition, RoleEvents, SourceMap,
    WideMetrics,
};

/// The version of the JSON document layout written by [`write_json`].
pub const SCHEMA_VERSION: u32 = 1;

/// Options for loading a book.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Strict (any problem fails) or lenient (load what is valid, report the rest).
    pub mode: LoadMode,
    /// Column renames for exports whose headers differ from csops' names (the simple case of
    /// a source map).
    pub header_map: HeaderMap,
    /// Which files hold which record type, and how their columns, values and shapes map onto
    /// csops' (see [`source_map`]).
    pub source_map: Option<SourceMap>,
    /// Accept a load that keeps no account. By default a load that reads account rows and
    /// keeps none fails: nothing else can be read without accounts. Set for loading a part of
    /// a book that may hold only rejected accounts (as `csops.spark` loads one account's
    /// records at a time).
    pub allow_empty: bool,
    /// Called as each file is read (bytes of a CSV file, rows of a table); answering stop
    /// ends the load with [`Error::Cancelled`] (see [`crate::progress`]).
    #[serde(skip)]
    pub progress: ProgressHook,
}

/// A loaded book and what validation found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The book: every valid record.
    pub book: Book,
    /// Every problem and every rejected row (empty when the input was clean).
    pub report: ValidationReport,
}

/// Column renames, per file, applied before validation.
///
/// Keys of `files` are file stems (`accounts`, `tickets`, …) or `*` for every file; each maps a
/// header as it appears in the export to a csops column name, to `attr.<name>` (accounts only:
/// a custom attribute) or to `""` (ignore the column on purpose). Header matching is exact
/// after trimming. Written in TOML:
///
/// ```toml
/// [accounts]
/// "Account ID" = "id"
/// "Account Name" = "name"
/// "Annual Contract Value" = "arr"
/// "Internal Notes" = ""
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderMap {
    /// file stem (or `*`) → export header → csops column.
    pub files: BTreeMap<String, BTreeMap<String, String>>,
}

impl HeaderMap {
    /// Parse from TOML text.
    pub fn from_toml(text: &str) -> Result<Self> {
        let map: HeaderMap =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("header map: {e}")]))?;
        map.validate()?;
        Ok(map)
    }

    /// Parse from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        let map: HeaderMap = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("header map: {e}")]))?;
        map.validate()?;
        Ok(map)
    }

    /// Check that every file and target column exists; reports all problems at once.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (file, renames) in &self.files {
            let cols: Vec<&str> = if file == "*" {
                FILES
                    .iter()
                    .flat_map(|f| f.columns.iter().map(|c| c.name))
                    .collect()
            } else if let Some(f) = FILES.iter().find(|f| f.stem == file) {
                f.columns.iter().map(|c| c.name).collect()
            } else {
                problems.push(format!(
                    "unknown file `{file}`; expected one of: *, {}",
                    FILES.iter().map(|f| f.stem).collect::<Vec<_>>().join(", ")
                ));
                continue;
            };
            for (from, to) in renames {
                let attr_ok =
                    to.starts_with("attr.") && to.len() > 5 && (file == "accounts" || file == "*");
                if !to.is_empty() && !attr_ok && !cols.contains(&to.as_str()) {
                    problems.push(format!("[{file}] `{from}` maps to unknown column `{to}`"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(problems))
        }
    }

    fn rename<'a>(&'a self, stem: &str, header: &'a str) -> &'a str {
        let h = header.trim();
        for key in [stem, "*"] {
            if let Some(to) = self.files.get(key).and_then(|m| m.get(h)) {
                return to;
            }
        }
        h
    }
}

/// The type of a column, as documented in `docs/schema.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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

fn file_doc(stem: &str) -> &'static FileDoc {
    FILES.iter().find(|f| f.stem == stem).unwrap_or(&FILES[0])
}

fn file_problem(
    asm: &mut Assembler,
    file: &str,
    field: Option<&str>,
    kind: ProblemKind,
    reason: String,
) {
    asm.report.problems.push(crate::book::Problem {
        file: file.to_string(),
        row: None,
        record_id: None,
        field: field.map(str::to_string),
        kind,
        reason,
    });
}

/// Reads typed fields from one row, collecting a problem for each bad field.
struct RowReader<'a> {
    cols: &'a ColumnMap,
    fields: &'a dyn Fields,
    problems: Vec<FieldProblem>,
}

impl<'a> RowReader<'a> {
    /// The text of a column after the source map's transforms (`Ok(None)` when empty).
    fn value(
        &self,
        name: &str,
    ) -> std::result::Result<Option<Cow<'a, str>>, (ProblemKind, String)> {
        let fields = self.fields;
        self.cols.value(name, &|i| fields.get(i))
    }
    /// The text of a column, for naming a record (its problems are reported by the field).
    fn raw(&self, name: &str) -> Option<Cow<'a, str>> {
        self.value(name).ok().flatten()
    }
    fn bad(&mut self, field: &'static str, kind: ProblemKind, reason: String) {
        self.problems.push((field, kind, reason));
    }
    fn required<T>(&mut self, field: &'static str, v: Option<Option<T>>) -> Option<T> {
        match v {
            Some(Some(t)) => Some(t),
            Some(None) => {
                self.bad(
                    field,
                    ProblemKind::Missing,
                    format!("`{field}` is required"),
                );
                None
            }
            None => None,
        }
    }
    /// `Some(None)` when empty, `None` when malformed (a problem was recorded).
    fn parse<T>(
        &mut self,
        field: &'static str,
        f: impl FnOnce(&str) -> std::result::Result<T, (ProblemKind, String)>,
    ) -> Option<Option<T>> {
        match self.value(field) {
            Err((kind, reason)) => {
                self.bad(field, kind, reason);
                None
            }
            Ok(None) => Some(None),
            Ok(Some(s)) => match f(&s) {
                Ok(t) => Some(Some(t)),
                Err((kind, reason)) => {
                    self.bad(field, kind, clip_in(reason, &s));
                    None
                }
            },
        }
    }
    fn text(&mut self, f: &'static str) -> Option<Option<String>> {
        self.parse(f, |s| Ok(s.to_string()))
    }
    fn req_text(&mut self, f: &'static str) -> Option<String> {
        let v = self.text(f);
        self.required(f, v)
    }
    fn date(&mut self, f: &'static str) -> Option<Option<NaiveDate>> {
        self.parse(f, parse_date)
    }
    fn req_date(&mut self, f: &'static str) -> Option<NaiveDate> {
        let v = self.date(f);
        self.required(f, v)
    }
    fn decimal(&mut self, f: &'static str) -> Option<Option<Decimal>> {
        self.parse(f, |s| {
            exact_decimal(s).map_err(|e| (ProblemKind::Malformed, e))
        })
    }
    fn money(&mut self, amount: &'static str, currency: Option<Currency>) -> Option<Money> {
        let v = self.decimal(amount);
        let a = self.required(amount, v)?;
        Some(Money::new(a, currency?))
    }
    fn currency(&mut self, f: &'static str) -> Option<Currency> {
        let v = self.parse(f, |s| {
            Currency::new(s).map_err(|e| (ProblemKind::UnknownValue, e.to_string()))
        });
        self.required(f, v)
    }
    fn integer<T: FromStr>(&mut self, f: &'static str) -> Option<Option<T>> {
        self.parse(f, |s| {
            // `202.0` (a whole number written by a tool that stores numbers as floats) is 202;
            // `202.5` stays a problem.
            let whole = match s.split_once('.') {
                Some((w, frac)) if !w.is_empty() && frac.bytes().all(|b| b == b'0') => w,
                _ => s,
            };
            whole.parse::<T>().map_err(|_| {
                let kind = if s.starts_with('-') {
                    ProblemKind::Negative
                } else {
                    ProblemKind::Malformed
                };
                (
                    kind,
                    format!("`{s}` is not a non-negative whole number in range"),
                )
            })
        })
    }
    fn number(&mut self, f: &'static str) -> Option<Option<f64>> {
        self.parse(f, |s| match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err((
                ProblemKind::Malformed,
                format!("`{s}` is not a finite number"),
            )),
        })
    }
    fn boolean(&mut self, f: &'static str) -> Option<Option<bool>> {
        self.parse(f, |s| match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => Ok(true),
            "false" | "0" | "no" | "n" => Ok(false),
            _ => Err((
                ProblemKind::Malformed,
                format!("`{s}` is not a boolean (true/false)"),
            )),
        })
    }
    fn enumeration<T: FromStr<Err = String>>(&mut self, f: &'static str) -> Option<T> {
        let v = self.parse(f, |s| {
            T::from_str(s).map_err(|e| (ProblemKind::UnknownValue, e))
        });
        self.required(f, v)
    }
    fn list<T: FromStr<Err = String>>(&mut self, f: &'static str) -> Option<Vec<T>> {
        let v = self.parse(f, |s| {
            s.split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| T::from_str(p).map_err(|e| (ProblemKind::UnknownValue, e)))
                .collect::<std::result::Result<Vec<T>, _>>()
        })?;
        Some(v.unwrap_or_default())
    }
}

/// At most this many characters of an offending value are quoted in a problem's reason (the
/// rejected row keeps the whole value).
const QUOTE_LIMIT: usize = 80;

/// Shorten a long value for quoting in a message.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(QUOTE_LIMIT) {
        None => s.into(),
        Some((i, _)) => format!("{}… ({} characters)", &s[..i], s.chars().count()).into(),
    }
}

/// Replace a long quoted value inside a reason by its clipped form.
fn clip_in(reason: String, value: &str) -> String {
    if value.chars().count() > QUOTE_LIMIT {
        reason.replace(value, &clip(value))
    } else {
        reason
    }
}

/// Years outside 1–9999 are refused: exports never mean them, and Python's `date` and
/// JavaScript's ISO strings cannot carry them.
fn plausible_year(y: i32) -> bool {
    (1..=9999).contains(&y)
}

/// Whether `s` starts with a calendar day written `YYYY-MM-DD` (four-digit year, two-digit
/// month and day). The shape is checked before chrono reads the numbers, because chrono alone
/// also takes `24-01-01` (year 24), `2026-1-1` and `+2026-01-01`.
fn starts_with_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&k| b[k].is_ascii_digit())
}

/// A day given as an argument (`as_of`, a window's ends): exactly `YYYY-MM-DD` with a
/// four-digit year 1–9999, spaces around it ignored. The one rule both bindings use, so Python
/// and Node accept and refuse the same texts (`2026-1-1`, `+2026-01-01`, `-0001-01-01` and
/// `24-01-01` are refused); the message names what is expected.
///
/// ```
/// use csops_core::interchange::parse_day;
/// assert_eq!(parse_day("2026-03-31").unwrap().to_string(), "2026-03-31");
/// assert!(parse_day("2026-1-1").is_err());
/// ```
pub fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    let t = s.trim();
    (t.len() == 10 && starts_with_day(t))
        .then(|| t.parse::<NaiveDate>().ok())
        .flatten()
        .filter(|d| plausible_year(d.year()))
        .ok_or_else(|| format!("`{s}` is not a date (expected YYYY-MM-DD, years 1 to 9999)"))
}

/// A day: `YYYY-MM-DD`, or a timestamp whose day is that (`2024-01-01T23:30:00-05:00` is
/// 1 January as written, never moved to another day by a time-zone conversion).
fn parse_date(s: &str) -> std::result::Result<NaiveDate, (ProblemKind, String)> {
    let day = starts_with_day(s)
        .then(|| s[..10].parse::<NaiveDate>().ok())
        .flatten()
        .filter(|d| plausible_year(d.year()));
    match day {
        Some(d) if s.len() == 10 || parse_timestamp_ms(s).is_ok() => Ok(d),
        _ => Err((
            ProblemKind::Malformed,
            format!("`{s}` is not a date (expected YYYY-MM-DD)"),
        )),
    }
}

/// A decimal number exactly as written: `1200.50`, `-3`, `1.2e3`. No separators (`1_200`,
/// `1,200`, ` 12`), and never rounded: a value with more digits than a decimal holds (28
/// after the point, 29 in all) is refused rather than cut.
pub(crate) fn exact_decimal(s: &str) -> std::result::Result<Decimal, String> {
    let bad = || format!("`{s}` is not a decimal number");
    let shape = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !shape {
        return Err(bad());
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(k) => (&s[..k], Some(&s[k + 1..])),
        None => (s, None),
    };
    let too_precise =
        || format!("`{s}` has more digits than an exact decimal holds (28 after the point)");
    let mut d = Decimal::from_str_exact(mantissa).map_err(|e| match e {
        rust_decimal::Error::Underflow => too_precise(),
        _ => bad(),
    })?;
    let Some(exponent) = exponent else {
        return Ok(d);
    };
    let e: i32 = exponent.parse().map_err(|_| bad())?;
    if e < 0 {
        let scale = d.scale() + e.unsigned_abs();
        if scale > 28 {
            return Err(too_precise());
        }
        d.set_scale(scale).map_err(|_| too_precise())?;
    } else {
        for _ in 0..e.min(29) {
            d = d.checked_mul(Decimal::TEN).ok_or_else(bad)?;
        }
        if e > 28 {
            return Err(bad());
        }
    }
    Ok(d)
}

/// The formats of a timestamp without an offset (read as UTC), parsed once.
static NAIVE_TIMESTAMPS: std::sync::LazyLock<[Vec<chrono::format::Item<'static>>; 2]> =
    std::sync::LazyLock::new(|| {
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"].map(|f| {
            chrono::format::StrftimeItems::new(f)
                .parse_to_owned()
                .unwrap_or_default()
        })
    });

fn parse_timestamp_ms(s: &str) -> std::result::Result<i64, (ProblemKind, String)> {
    parse_timestamp(s).map(|(ms, _)| ms)
}

/// A timestamp in milliseconds, and whether it had digits below the millisecond (which
/// usage events do not keep: the loader notes them).
fn parse_timestamp(s: &str) -> std::result::Result<(i64, bool), (ProblemKind, String)> {
    let finer = |nanos: u32| nanos % 1_000_000 != 0;
    if starts_with_day(s) {
        if let Ok(t) = DateTime::parse_from_rfc3339(s)
            && plausible_year(t.with_timezone(&Utc).year())
        {
            return Ok((t.timestamp_millis(), finer(t.timestamp_subsec_nanos())));
        }
        for items in NAIVE_TIMESTAMPS.iter() {
            let mut parsed = chrono::format::Parsed::new();
            if chrono::format::parse(&mut parsed, s, items.iter()).is_ok()
                && let Ok(t) = parsed.to_naive_datetime_with_offset(0)
                && plausible_year(t.year())
            {
                let t = t.and_utc();
                return Ok((t.timestamp_millis(), finer(t.timestamp_subsec_nanos())));
            }
        }
        // A day alone is its midnight UTC (a date column of a frame, written as a day).
        if s.len() == 10
            && let Ok(d) = s.parse::<NaiveDate>()
            && plausible_year(d.year())
        {
            return Ok((
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_millis(),
                false,
            ));
        }
    }
    Err((
        ProblemKind::Malformed,
        format!("`{s}` is not a timestamp (expected RFC 3339, e.g. 2025-03-01T09:30:00Z)"),
    ))
}

fn fmt_timestamp_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// A record type with a row layout.
trait Tabular: Sized {
    const STEM: &'static str;
    fn parse(r: &mut RowReader<'_>) -> Option<Self>;
    /// Values aligned with the file's columns (empty string for none).
    fn write(&self) -> Vec<String>;
    /// Columns beyond the documented ones (account attributes).
    fn extra_fields(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl<T: Tabular> RowFields for T {
    fn row_fields(&self) -> BTreeMap<String, String> {
        let cols = file_doc(T::STEM).columns.iter().map(|c| c.name.to_string());
        let mut out: BTreeMap<String, String> = cols.zip(self.write()).collect();
        out.extend(self.extra_fields());
        out
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

impl Tabular for Account {
    const STEM: &'static str = "accounts";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let name = r.req_text("name");
        let owner_csm = r.text("owner_csm");
        let segment = r.text("segment");
        let tier = r.text("tier");
        let region = r.text("region");
        let industry = r.text("industry");
        let plan = r.text("plan");
        let currency = r.currency("currency");
        let arr = r.money("arr", currency);
        let seats = r.integer::<u32>("seats");
        let start_date = r.req_date("start_date");
        let renewal_date = r.date("renewal_date");
        let term_months = r.integer::<u32>("term_months");
        let mut attributes = BTreeMap::new();
        let fields = r.fields;
        for (k, slot) in &r.cols.attrs {
            if let Ok(Some(v)) = r.cols.attr_value(slot, &|i| fields.get(i)) {
                attributes.insert(k.clone(), v.into_owned());
            }
        }
        Some(Account {
            id: id?,
            name: name?,
            owner_csm: owner_csm?,
            segment: segment?,
            tier: tier?,
            region: region?,
            industry: industry?,
            plan: plan?,
            arr: arr?,
            seats: seats?,
            start_date: start_date?,
            renewal_date: renewal_date?,
            term_months: term_months?,
            attributes,
        })
    }
    fn extra_fields(&self) -> Vec<(String, String)> {
        self.attributes
            .iter()
            .map(|(k, v)| (format!("attr.{k}"), v.clone()))
            .collect()
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            opt(&self.owner_csm),
            opt(&self.segment),
            opt(&self.tier),
            opt(&self.region),
            opt(&self.industry),
            opt(&self.plan),
            self.arr.currency.to_string(),
            self.arr.amount.to_string(),
            opt(&self.seats),
            self.start_date.to_string(),
            opt(&self.renewal_date),
            opt(&self.term_months),
        ]
    }
}

impl Tabular for Contact {
    const STEM: &'static str = "contacts";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let (id, account_id, name) = (
            r.req_text("id"),
            r.req_text("account_id"),
            r.req_text("name"),
        );
        let (email, title) = (r.text("email"), r.text("title"));
        Some(Contact {
            id: id?,
            account_id: account_id?,
            name: name?,
            email: email?,
            title: title?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.name.clone(),
            opt(&self.email),
            opt(&self.title),
        ]
    }
}

impl Tabular for ContactRole {
    const STEM: &'static str = "contact_roles";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let contact_id = r.req_text("contact_id");
        let role = r.enumeration("role");
        let added = r.req_date("added");
        let removed = r.date("removed");
        Some(ContactRole {
            contact_id: contact_id?,
            role: role?,
            added: added?,
            removed: removed?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.contact_id.clone(),
            self.role.to_string(),
            self.added.to_string(),
            opt(&self.removed),
        ]
    }
}

impl Tabular for UsageSnapshot {
    const STEM: &'static str = "usage_snapshots";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let account_id = r.req_text("account_id");
        let period_start = r.req_date("period_start");
        let period_end = r.req_date("period_end");
        let metric = r.req_text("metric");
        // An empty value is "no value for this period", kept as such (never an earlier one).
        let value = r.number("value");
        Some(UsageSnapshot {
            account_id: account_id?,
            period_start: period_start?,
            period_end: period_end?,
            metric: metric?,
            value: value?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.account_id.clone(),
            self.period_start.to_string(),
            self.period_end.to_string(),
            self.metric.clone(),
            opt(&self.value),
        ]
    }
}

impl Tabular for Ticket {
    const STEM: &'static str = "tickets";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let opened = r.req_date("opened");
        let closed = r.date("closed");
        let priority = r.enumeration("priority");
        let status = r.enumeration("status");
        let escalated = r.boolean("escalated");
        let csat = r.integer::<u8>("csat");
        Some(Ticket {
            id: id?,
            account_id: account_id?,
            opened: opened?,
            closed: closed?,
            priority: priority?,
            status: status?,
            escalated: escalated?.unwrap_or(false),
            csat: csat?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.opened.to_string(),
            opt(&self.closed),
            self.priority.to_string(),
            self.status.to_string(),
            self.escalated.to_string(),
            opt(&self.csat),
        ]
    }
}

impl Tabular for SurveyResponse {
    const STEM: &'static str = "surveys";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let contact_id = r.text("contact_id");
        let date = r.req_date("date");
        let kind = r.enumeration("kind");
        let s = r.integer::<u8>("score");
        let score = r.required("score", s);
        let comment = r.text("comment");
        Some(SurveyResponse {
            id: id?,
            account_id: account_id?,
            contact_id: contact_id?,
            date: date?,
            kind: kind?,
            score: score?,
            comment: comment?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            opt(&self.contact_id),
            self.date.to_string(),
            self.kind.to_string(),
            self.score.to_string(),
            opt(&self.comment),
        ]
    }
}

impl Tabular for Meeting {
    const STEM: &'static str = "meetings";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let kind = r.enumeration("kind");
        let date = r.req_date("date");
        let attendee_roles = r.list("attendee_roles");
        Some(Meeting {
            id: id?,
            account_id: account_id?,
            kind: kind?,
            date: date?,
            attendee_roles: attendee_roles?,
        })
    }
    fn write(&self) -> Vec<String> {
        let roles: Vec<&str> = self.attendee_roles.iter().map(|r| r.as_str()).collect();
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.kind.to_string(),
            self.date.to_string(),
            roles.join(";"),
        ]
    }
}

impl Tabular for Milestone {
    const STEM: &'static str = "milestones";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let name = r.req_text("name");
        let due = r.req_date("due");
        let achieved = r.date("achieved");
        Some(Milestone {
            id: id?,
            account_id: account_id?,
            name: name?,
            due: due?,
            achieved: achieved?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.name.clone(),
            self.due.to_string(),
            opt(&self.achieved),
        ]
    }
}

impl Tabular for Opportunity {
    const STEM: &'static str = "opportunities";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let kind = r.enumeration("kind");
        let currency = r.currency("currency");
        let amount = r.money("amount", currency);
        let close_date = r.req_date("close_date");
        let stage = r.req_text("stage");
        let status = r.enumeration("status");
        let p = r.number("probability");
        let probability = r.required("probability", p);
        let forecast_category = r.enumeration("forecast_category");
        let created = r.date("created");
        Some(Opportunity {
            id: id?,
            account_id: account_id?,
            kind: kind?,
            amount: amount?,
            close_date: close_date?,
            stage: stage?,
            status: status?,
            probability: probability?,
            forecast_category: forecast_category?,
            created: created?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.kind.to_string(),
            self.amount.currency.to_string(),
            self.amount.amount.to_string(),
            self.close_date.to_string(),
            self.stage.clone(),
            self.status.to_string(),
            self.probability.to_string(),
            self.forecast_category.to_string(),
            opt(&self.created),
        ]
    }
}

impl Tabular for ArrSnapshot {
    const STEM: &'static str = "arr_snapshots";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let account_id = r.req_text("account_id");
        let date = r.req_date("date");
        let currency = r.currency("currency");
        let arr = r.money("arr", currency);
        Some(ArrSnapshot {
            account_id: account_id?,
            date: date?,
            arr: arr?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.account_id.clone(),
            self.date.to_string(),
            self.arr.currency.to_string(),
            self.arr.amount.to_string(),
        ]
    }
}

impl Tabular for RenewalOutcome {
    const STEM: &'static str = "renewal_outcomes";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let renewal_date = r.req_date("renewal_date");
        let outcome = r.enumeration("outcome");
        let currency = r.currency("currency");
        let arr_before = r.money("arr_before", currency);
        let arr_after = r.money("arr_after", currency);
        Some(RenewalOutcome {
            id: id?,
            account_id: account_id?,
            renewal_date: renewal_date?,
            outcome: outcome?,
            arr_before: arr_before?,
            arr_after: arr_after?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.renewal_date.to_string(),
            self.outcome.to_string(),
            self.arr_before.currency.to_string(),
            self.arr_before.amount.to_string(),
            self.arr_after.amount.to_string(),
        ]
    }
}

/// The fields of one row, by column position.
trait Fields {
    fn get(&self, i: usize) -> Option<&str>;
    /// What is wrong with the row's shape, if anything (the row is then rejected).
    fn fault(&self) -> Option<RowFault> {
        None
    }
    /// How many fields the row has.
    fn width(&self) -> usize;
}

/// What can be wrong with a row before its values are read.
#[derive(Debug, Clone)]
enum RowFault {
    /// Column `i`'s bytes are not valid UTF-8.
    InvalidUtf8(usize),
    /// The row has `got` fields where the header has `want`.
    Width { got: usize, want: usize },
    /// A quoted field opens on `quote_line` and is never closed; `lines_after` lines follow
    /// it (read on their own).
    OpenQuote { quote_line: u64, lines_after: u64 },
    /// A quoted value runs over `lines_after` line breaks and the row ends with `got` fields
    /// where the header has `want` (a quote closed lines later than it should).
    QuoteRunsOn {
        got: usize,
        want: usize,
        lines_after: u64,
    },
    /// Column `i` has text right after its closing quote (`"rep"orts`), which a CSV reader
    /// would join into another value (`reports`).
    TextAfterQuote(usize),
}

/// Reject a row whose shape is wrong (see [`RowFault`]). Returns true when it did.
fn reject_faulty_row(
    asm: &mut Assembler,
    pos: &Position,
    headers: &[String],
    fields: &dyn Fields,
) -> bool {
    // A column without a header is not read; when it holds a value, say so (once a file) so
    // that value is not lost silently.
    if let Some(i) = headers
        .iter()
        .enumerate()
        .find(|(i, h)| h.trim().is_empty() && fields.get(*i).is_some_and(|v| !v.trim().is_empty()))
        .map(|(i, _)| i)
        && !asm.unheaded_reported.contains(pos.file.as_ref())
    {
        asm.unheaded_reported.insert(pos.file.to_string());
        let value = fields.get(i).unwrap_or("");
        asm.report.problems.push(crate::book::Problem {
            file: pos.file.to_string(),
            row: Some(pos.row),
            record_id: None,
            field: Some(format!("column {}", i + 1)),
            kind: ProblemKind::UnknownValue,
            reason: format!(
                "column {} has no header, so its values (`{}` on this row, and any on later \
                 rows) are not read: name the column, or leave it out of the export",
                i + 1,
                clip(value)
            ),
        });
    }
    let Some(fault) = fields.fault() else {
        return false;
    };
    let (field, reason) = match fault {
        RowFault::InvalidUtf8(i) => (
            Some(
                headers
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", i + 1)),
            ),
            "not valid UTF-8 (the rejected row shows it with replacement characters)".to_string(),
        ),
        RowFault::Width { got, want } if got < want => (
            None,
            format!(
                "the row has {got} fields where the header has {want}: a value or a separator \
                 is missing (the row is not padded)"
            ),
        ),
        RowFault::Width { got, want } => (
            None,
            format!(
                "the row has {got} fields where the header has {want}: a value holds an \
                 unquoted comma, or the row has extra values (none is dropped)"
            ),
        ),
        RowFault::TextAfterQuote(i) => (
            Some(
                headers
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", i + 1)),
            ),
            "text follows the closing quote of this value (as in `\"rep\"orts`), so it cannot \
             be read as written: quote the whole value, and double a quote inside it"
                .to_string(),
        ),
        RowFault::OpenQuote {
            quote_line,
            lines_after,
        } => (
            None,
            format!(
                "a quoted value opens on line {quote_line} and is never closed, which would \
                 make the rest of the file ({lines_after} lines) one value; this row is \
                 rejected and the lines after it are read as rows"
            ),
        ),
        RowFault::QuoteRunsOn {
            got,
            want,
            lines_after,
        } => (
            None,
            format!(
                "a quoted value on this row runs over the next {lines_after} lines and leaves \
                 the row with {got} fields where the header has {want}: a quote is not closed \
                 where it should be; this row is rejected and the lines after it are read as \
                 rows"
            ),
        ),
    };
    asm.report.problems.push(crate::book::Problem {
        file: pos.file.to_string(),
        row: Some(pos.row),
        record_id: None,
        field,
        kind: ProblemKind::Malformed,
        reason,
    });
    asm.reject(pos, None, raw_fields(headers, fields));
    true
}
impl Fields for csv::StringRecord {
    fn get(&self, i: usize) -> Option<&str> {
        csv::StringRecord::get(self, i)
    }
    fn width(&self) -> usize {
        self.len()
    }
}
impl Fields for Vec<Option<String>> {
    fn get(&self, i: usize) -> Option<&str> {
        self.as_slice().get(i).and_then(|v| v.as_deref())
    }
    fn width(&self) -> usize {
        self.len()
    }
}

/// A source of rows: the header and an iterator of rows of optional field text.
trait Table {
    fn name(&self) -> &str;
    fn headers(&self) -> &[String];
    /// Call `f(line, fields)` for every data row. `fields(i)` is the text of column `i`.
    /// Reports progress to `progress` as it goes (a stop ends the reading with an error).
    fn for_each_row(
        &mut self,
        progress: &ProgressHook,
        f: &mut dyn FnMut(u64, &dyn Fields),
    ) -> Result<()>;
}

struct JsonTable {
    name: String,
    headers: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

impl JsonTable {
    /// Flatten an array of objects: arrays join with `;`, the `attributes` object becomes
    /// `attr.<key>` columns, numbers and booleans become their text.
    fn new(name: String, stem: &str, items: &[Value], fill_documented: bool) -> Result<Self> {
        let mut headers: Vec<String> = Vec::new();
        let mut pos: HashMap<String, usize> = HashMap::new();
        let mut rows = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Value::Object(obj) = item else {
                return Err(Error::Format {
                    file: name,
                    reason: format!("element {} is not an object", i + 1),
                });
            };
            let mut row: Vec<Option<String>> = vec![None; headers.len()];
            let mut put = |k: String, v: Option<String>, row: &mut Vec<Option<String>>| {
                let idx = *pos.entry(k.clone()).or_insert_with(|| {
                    headers.push(k);
                    headers.len() - 1
                });
                if row.len() <= idx {
                    row.resize(idx + 1, None);
                }
                row[idx] = v;
            };
            for (k, v) in obj {
                if k == "attributes"
                    && let Value::Object(attrs) = v
                {
                    for (ak, av) in attrs {
                        put(format!("attr.{ak}"), json_text(av), &mut row);
                    }
                    continue;
                }
                put(k.clone(), json_text(v), &mut row);
            }
            rows.push(row);
        }
        // JSON objects have no header: a documented key that no object has is a column of
        // empty values (each row then reports its own missing required value).
        for c in file_doc(stem).columns.iter().filter(|_| fill_documented) {
            if !pos.contains_key(c.name) {
                headers.push(c.name.to_string());
            }
        }
        Ok(JsonTable {
            name,
            headers,
            rows,
        })
    }
}

fn json_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(json_text)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

impl Table for JsonTable {
    fn name(&self) -> &str {
        &self.name
    }
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn for_each_row(
        &mut self,
        progress: &ProgressHook,
        f: &mut dyn FnMut(u64, &dyn Fields),
    ) -> Result<()> {
        let stage = format!("reading {}", self.name);
        let total = Some(self.rows.len() as u64);
        progress.report(&stage, 0, total, "rows")?;
        for (i, row) in self.rows.iter().enumerate() {
            if (i as u64 + 1) % EVERY == 0 {
                progress.report(&stage, i as u64, total, "rows")?;
            }
            f(i as u64 + 1, row);
        }
        progress.report(&stage, self.rows.len() as u64, total, "rows")
    }
}

/// A rejected row's fields by header. Fields past the header are kept as `column N` (the
/// first [`EXTRA_FIELDS_KEPT`], then a count of the rest under `…`).
fn raw_fields(headers: &[String], fields: &dyn Fields) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), fields.get(i).unwrap_or("").to_string()))
        .collect();
    let width = fields.width();
    for i in headers.len()..width.min(headers.len() + EXTRA_FIELDS_KEPT) {
        out.insert(
            format!("column {}", i + 1),
            fields.get(i).unwrap_or("").to_string(),
        );
    }
    if width > headers.len() + EXTRA_FIELDS_KEPT {
        out.insert(
            "…".into(),
            format!("{} more fields", width - headers.len() - EXTRA_FIELDS_KEPT),
        );
    }
    out
}

/// Fields past the header kept in a rejected row (a row can have millions).
const EXTRA_FIELDS_KEPT: usize = 64;

/// What the readers of one load share: the maps, and whether a file lacked a column.
struct Ctx<'o> {
    header_map: &'o HeaderMap,
    source: Option<&'o SourceMap>,
    /// Some file lacked a required column: the load fails, whatever its mode.
    fatal: bool,
    progress: ProgressHook,
}

impl Ctx<'_> {
    fn record(&self, stem: &str) -> Option<&RecordSource> {
        self.source.and_then(|s| s.record(stem))
    }
    fn missing_values(&self) -> &[String] {
        self.source.map_or(&[], |s| s.missing_values.as_slice())
    }
}

/// Match a table's headers to a record type's columns and report what does not fit: a header
/// claimed twice, an unknown header (unless `keep_unclaimed`: a wide table's metrics), a
/// required column with no source (fatal for the load; then `None`, and every row of the file
/// is rejected). Also notes the source map's transforms of the file.
#[allow(clippy::too_many_arguments)]
fn map_columns(
    doc: &'static FileDoc,
    file: &str,
    headers: &[String],
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
    claimed: &[&str],
    optional: &[&str],
    keep_unclaimed: bool,
) -> (Option<ColumnMap>, Vec<usize>) {
    let source = ctx.record(doc.stem);
    let (cols, found) = ColumnMap::new(
        doc,
        headers,
        ctx.header_map,
        source,
        ctx.missing_values(),
        claimed,
        optional,
    );
    for (c, i) in &found.duplicates {
        file_problem(
            asm,
            file,
            Some(c),
            ProblemKind::Duplicate,
            format!(
                "column `{c}` appears twice (again as `{}`); the last one is used",
                clip(headers[*i].trim())
            ),
        );
    }
    if !keep_unclaimed {
        for &i in &found.unclaimed {
            let h = clip(headers[i].trim());
            let how = if ctx.source.is_some() {
                "name it in the source map (a column's `from`, or `ignore`)"
            } else {
                "map it in the header map (to a column, to `attr.<name>` on accounts, or to \"\" to ignore it)"
            };
            file_problem(
                asm,
                file,
                Some(&h),
                ProblemKind::UnknownValue,
                format!("unknown column `{h}`: {how}"),
            );
        }
    }
    if let Some(src) = source {
        note_transforms(asm, file, src);
    }
    if found.missing.is_empty() {
        return (Some(cols), found.unclaimed);
    }
    ctx.fatal = true;
    for (c, wanted, near) in &found.missing {
        let near = near
            .as_ref()
            .map(|n| format!("; the closest header is `{}`", clip(n)))
            .unwrap_or_default();
        let reason = if wanted == c {
            format!("required column `{c}` is missing{near}; the file is not read")
        } else {
            format!(
                "column `{c}` comes from header `{}`, which is not in the file{near}; the file is not read",
                clip(wanted)
            )
        };
        file_problem(asm, file, Some(c), ProblemKind::Missing, reason);
    }
    (None, found.unclaimed)
}

/// One note per column the source map transforms, so a report says what was done to a file.
fn note_transforms(asm: &mut Assembler, file: &str, src: &RecordSource) {
    for (col, cs) in &src.columns {
        // A rename alone changes no value: it is not noted.
        let mut parts = Vec::new();
        if let Some(d) = &cs.default {
            parts.push(format!("`{d}` where empty or absent"));
        }
        if !cs.values.is_empty() {
            let pairs: Vec<String> = cs
                .values
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect();
            parts.push(format!("values mapped ({})", pairs.join(", ")));
        }
        if let Some(f) = &cs.format {
            parts.push(format!("dates read as `{f}`"));
        }
        if let Some(s) = cs.scale {
            parts.push(format!("multiplied by {s}"));
        }
        if !cs.derive.is_empty() {
            parts.push(format!("derived from {}", cs.derive.join(" : ")));
        }
        if !parts.is_empty() {
            if let Some(f) = cs.from.as_ref().filter(|f| *f != col) {
                parts.insert(0, format!("read from `{f}`"));
            }
            asm.note(file, None, Some(col), parts.join("; "));
        }
    }
}

/// Read one table of records into the assembler.
fn read_table<T: Tabular>(
    table: &mut dyn Table,
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
    mut sink: impl FnMut(&mut Assembler, Position, T),
) -> Result<()> {
    let doc = file_doc(T::STEM);
    let file = table.name().to_string();
    let headers = table.headers().to_vec();
    let (cols, _) = map_columns(doc, &file, &headers, ctx, asm, &[], &[], false);
    let shared: std::sync::Arc<str> = file.as_str().into();
    table.for_each_row(&ctx.progress.clone(), &mut |line, fields| {
        asm.read(&file);
        let pos = Position {
            file: shared.clone(),
            row: line,
        };
        if reject_faulty_row(asm, &pos, &headers, fields) {
            return;
        }
        let Some(cols) = &cols else {
            asm.reject(&pos, None, raw_fields(&headers, fields));
            return;
        };
        let mut r = RowReader {
            cols,
            fields,
            problems: Vec::new(),
        };
        let rec = T::parse(&mut r);
        match rec {
            Some(rec) if r.problems.is_empty() => sink(asm, pos, rec),
            _ => {
                let id = r.raw("id").map(Cow::into_owned);
                for p in std::mem::take(&mut r.problems) {
                    asm.problem(&pos, id.as_deref(), p);
                }
                asm.reject(&pos, id.as_deref(), raw_fields(&headers, fields));
            }
        }
    })
}

/// Usage events: the hot path, read without building a record per row.
fn read_usage(table: &mut dyn Table, ctx: &mut Ctx<'_>, asm: &mut Assembler) -> Result<()> {
    let doc = file_doc("usage_events");
    let file = table.name().to_string();
    let headers = table.headers().to_vec();
    let (cols, _) = map_columns(doc, &file, &headers, ctx, asm, &[], &[], false);
    let names = ["account_id", "user_id", "feature", "timestamp"];
    let idx = cols
        .as_ref()
        .map(|c| names.map(|n| c.index(n).unwrap_or(usize::MAX)));
    let transforms = cols.as_ref().is_some_and(ColumnMap::transforms);
    let shared: std::sync::Arc<str> = file.as_str().into();
    table.for_each_row(&ctx.progress.clone(), &mut |line, fields| {
        asm.read(&file);
        let pos = Position {
            file: shared.clone(),
            row: line,
        };
        if reject_faulty_row(asm, &pos, &headers, fields) {
            return;
        }
        let (Some(cols), Some(idx)) = (&cols, idx) else {
            asm.reject(&pos, None, raw_fields(&headers, fields));
            return;
        };
        let mut problems: Vec<FieldProblem> = Vec::new();
        // Without transforms, the cells are borrowed as they are (no per-row allocation).
        let mut values: [Option<Cow<'_, str>>; 4] = [None, None, None, None];
        for (k, name) in names.iter().enumerate() {
            values[k] = if transforms {
                match cols.value(name, &|i| fields.get(i)) {
                    Ok(v) => v,
                    Err((kind, reason)) => {
                        problems.push((name, kind, reason));
                        continue;
                    }
                }
            } else {
                fields
                    .get(idx[k])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Cow::Borrowed)
            };
            if values[k].is_none() {
                problems.push((name, ProblemKind::Missing, format!("`{name}` is required")));
            }
        }
        let ts = values[3].as_deref().map(parse_timestamp);
        if let Some(Err((kind, reason))) = &ts {
            let reason = clip_in(reason.clone(), values[3].as_deref().unwrap_or_default());
            problems.push(("timestamp", *kind, reason));
        }
        match (problems.is_empty(), ts) {
            (true, Some(Ok((ms, finer)))) => {
                let v = |k: usize| values[k].as_deref().unwrap_or_default();
                if !asm.add_usage_event(&pos, v(0), v(1), v(2), ms, true) {
                    asm.reject(&pos, None, raw_fields(&headers, fields));
                } else if finer {
                    asm.finer_than_ms(&pos);
                }
            }
            _ => {
                for p in problems {
                    asm.problem(&pos, None, p);
                }
                asm.reject(&pos, None, raw_fields(&headers, fields));
            }
        }
    })
}

fn read_fx(tables: Vec<Box<dyn Table>>, ctx: &mut Ctx<'_>, asm: &mut Assembler) -> Result<()> {
    #[derive(Debug)]
    struct Rate(Currency, Currency, Decimal, Option<NaiveDate>);
    impl Tabular for Rate {
        const STEM: &'static str = "fx_rates";
        fn parse(r: &mut RowReader<'_>) -> Option<Self> {
            let c = r.currency("currency");
            let to = r.currency("reporting_currency");
            let v = r.decimal("rate");
            let rate = r.required("rate", v);
            // A day, or a month (its first day): rates are often monthly averages.
            let from = r.parse("date", |s| {
                parse_date(s).or_else(|e| {
                    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
                        .ok()
                        .filter(|_| s.len() == 7)
                        .ok_or(e)
                })
            });
            Some(Rate(c?, to?, rate?, from?))
        }
        fn write(&self) -> Vec<String> {
            vec![
                self.0.to_string(),
                self.1.to_string(),
                self.2.to_string(),
                opt(&self.3),
            ]
        }
    }
    let mut rows: Vec<(Position, Rate)> = Vec::new();
    for mut table in tables {
        read_table::<Rate>(table.as_mut(), ctx, asm, |_, pos, r| rows.push((pos, r)))?;
    }
    let Some(reporting) = rows.first().map(|(_, r)| r.1) else {
        return Ok(());
    };
    let mut fx = FxTable::new(reporting);
    for (pos, Rate(c, to, rate, from)) in rows {
        let problem = if to != reporting {
            Some((
                "reporting_currency",
                ProblemKind::Inconsistent,
                format!("reporting currency {to} differs from {reporting} on the first row"),
            ))
        } else {
            match from {
                Some(day) => fx.set_rate_from(c, day, rate),
                None => fx.set_rate(c, rate),
            }
            .err()
            .map(|e| ("rate", ProblemKind::OutOfRange, e.to_string()))
        };
        match problem {
            Some(p) => {
                asm.problem(&pos, Some(c.code()), p);
                let fields = BTreeMap::from([
                    ("currency".to_string(), c.to_string()),
                    ("reporting_currency".to_string(), to.to_string()),
                    ("rate".to_string(), rate.to_string()),
                    ("date".to_string(), opt(&from)),
                ]);
                asm.reject(&pos, Some(c.code()), fields);
            }
            None => {
                asm.report
                    .files
                    .entry(pos.file.to_string())
                    .or_default()
                    .loaded += 1
            }
        }
    }
    asm.fx = Some(fx);
    Ok(())
}

/// The files of a source, assigned to record types: each record type's file names (or glob
/// patterns, from the source map) matched against the names the source holds.
#[derive(Debug, Default)]
struct Assignment {
    /// Record type → the names of its files, sorted.
    files: BTreeMap<&'static str, Vec<String>>,
    /// Names no record type claims.
    unclaimed: Vec<String>,
    /// Patterns of the source map that matched nothing: (record type, pattern).
    unmatched: Vec<(&'static str, String)>,
}

/// Assign `names` (file names, or a JSON document's keys) to record types. Without a source
/// map entry, a record type's file is `default_name(stem)`.
fn assign(
    names: &[String],
    source: Option<&SourceMap>,
    default_name: impl Fn(&str) -> String,
) -> Result<Assignment> {
    let mut out = Assignment::default();
    let mut claimed = vec![false; names.len()];
    for doc in FILES {
        let patterns: Vec<String> = match source.and_then(|s| s.record(doc.stem)) {
            Some(src) if !src.files.is_empty() => src.files.clone(),
            _ => vec![default_name(doc.stem)],
        };
        let explicit = source
            .and_then(|s| s.record(doc.stem))
            .is_some_and(|s| !s.files.is_empty());
        let mut mine = Vec::new();
        for pattern in &patterns {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| Error::Config(vec![format!("[{}.files] {e}", doc.stem)]))?
                .compile_matcher();
            let before = mine.len();
            for (i, name) in names.iter().enumerate() {
                if glob.is_match(name) {
                    if claimed[i] && !mine.contains(name) {
                        return Err(Error::Config(vec![format!(
                            "[{}.files] `{name}` is also a file of another record type; a file holds one record type",
                            doc.stem
                        )]));
                    }
                    if !mine.contains(name) {
                        claimed[i] = true;
                        mine.push(name.clone());
                    }
                }
            }
            if explicit && mine.len() == before {
                out.unmatched.push((doc.stem, pattern.clone()));
            }
        }
        mine.sort();
        if !mine.is_empty() {
            out.files.insert(doc.stem, mine);
        }
    }
    out.unclaimed = names
        .iter()
        .zip(&claimed)
        .filter(|(_, c)| !**c)
        .map(|(n, _)| n.clone())
        .collect();
    Ok(out)
}

/// Read every table, in dependency order, from a source that opens tables by name.
fn load_tables(
    assignment: &Assignment,
    mut open: impl FnMut(&'static str, &str) -> Result<Box<dyn Table>>,
    unknown_files: &[String],
    opts: &LoadOptions,
) -> Result<Loaded> {
    opts.header_map.validate()?;
    if let Some(s) = &opts.source_map {
        s.validate()?;
    }
    let mut ctx = Ctx {
        header_map: &opts.header_map,
        source: opts.source_map.as_ref(),
        fatal: false,
        progress: opts.progress.clone(),
    };
    let mut asm = Assembler::default();
    for f in unknown_files {
        let expected: Vec<String> = FILES.iter().map(|d| format!("{}.csv", d.stem)).collect();
        let how = if ctx.source.is_some() {
            "name it in a record type's `files` in the source map"
        } else {
            "rename it, or name it in a source map"
        };
        file_problem(
            &mut asm,
            f,
            None,
            ProblemKind::UnknownValue,
            format!(
                "`{f}` is not a file of the book layout and was not read ({how}); expected: {}",
                expected.join(", ")
            ),
        );
    }
    for (stem, pattern) in &assignment.unmatched {
        file_problem(
            &mut asm,
            pattern,
            None,
            ProblemKind::Missing,
            format!("no file matches `{pattern}`, named in the source map for {stem}"),
        );
    }
    let mut tables = |stem: &'static str| -> Result<Vec<Box<dyn Table>>> {
        assignment
            .files
            .get(stem)
            .map(|names| names.iter().map(|n| open(stem, n)).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    };
    macro_rules! table {
        ($stem:literal, $t:ty, $method:ident) => {{
            let mut rows = Vec::new();
            for mut t in tables($stem)? {
                read_table::<$t>(t.as_mut(), &mut ctx, &mut asm, |_, p, r| {
                    rows.push((p, r, Origin::File))
                })?;
            }
            asm.$method(rows);
        }};
        ($stem:literal, $t:ty) => {
            for mut t in tables($stem)? {
                read_table::<$t>(t.as_mut(), &mut ctx, &mut asm, |asm, p, r| {
                    asm.add(p, r, Origin::File)
                })?;
            }
        };
    }
    if !assignment.files.contains_key("accounts") {
        return Err(Error::Format {
            file: "accounts".into(),
            reason: match ctx.record("accounts").filter(|s| !s.files.is_empty()) {
                Some(s) => format!(
                    "a book needs accounts, and no file matches the source map's accounts files ({})",
                    s.files.join(", ")
                ),
                None => {
                    "a book needs accounts (accounts.csv, or an `accounts` array in JSON)".into()
                }
            },
        });
    }
    let mut account_files = Vec::new();
    {
        let mut rows = Vec::new();
        for mut t in tables("accounts")? {
            account_files.push(t.name().to_string());
            read_table::<Account>(t.as_mut(), &mut ctx, &mut asm, |_, p, r| {
                rows.push((p, r, Origin::File))
            })?;
        }
        asm.add_accounts(rows);
    }
    table!("contacts", Contact, add_contacts);
    match ctx.record("contact_roles").and_then(|s| s.events.clone()) {
        Some(ev) => {
            for mut t in tables("contact_roles")? {
                shapes::read_role_events(t.as_mut(), &ev, &mut ctx, &mut asm)?;
            }
        }
        None => table!("contact_roles", ContactRole),
    }
    for mut t in tables("usage_events")? {
        read_usage(t.as_mut(), &mut ctx, &mut asm)?;
    }
    match ctx.record("usage_snapshots").and_then(|s| s.wide.clone()) {
        Some(wide) => {
            for mut t in tables("usage_snapshots")? {
                shapes::read_wide_metrics(t.as_mut(), &wide, &mut ctx, &mut asm)?;
            }
        }
        None => table!("usage_snapshots", UsageSnapshot),
    }
    table!("tickets", Ticket);
    table!("surveys", SurveyResponse);
    table!("meetings", Meeting);
    table!("milestones", Milestone);
    table!("opportunities", Opportunity);
    table!("arr_snapshots", ArrSnapshot);
    table!("renewal_outcomes", RenewalOutcome);
    let fx = tables("fx_rates")?;
    read_fx(fx, &mut ctx, &mut asm)?;
    let fatal = ctx.fatal;
    // A file that lacks a required column is not a few bad rows: the load fails whatever the
    // mode, with every problem found.
    let mode = if fatal { LoadMode::Strict } else { opts.mode };
    let (book, mut report) = asm.finish(mode)?;
    // Account rows read and none kept is a failed load, not an empty book: nothing else can
    // be read without accounts. (An accounts file without rows is an empty book.)
    let read: u64 = account_files
        .iter()
        .filter_map(|f| report.files.get(f))
        .map(|c| c.read)
        .sum();
    if book.accounts().is_empty() && read > 0 && !opts.allow_empty {
        report.problems.insert(
            0,
            crate::book::Problem {
                file: account_files.join(", "),
                row: None,
                record_id: None,
                field: None,
                kind: ProblemKind::Missing,
                reason: format!(
                    "no account was loaded: all {read} account row(s) were rejected; a book needs accounts"
                ),
            },
        );
        return Err(Error::Validation(Box::new(report)));
    }
    Ok(Loaded { book, report })
}

/// Whether a file name is one a book directory's tables are read from: CSV, and Parquet when
/// the `parquet` feature is on.
fn is_table_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".csv") || (cfg!(feature = "parquet") && lower.ends_with(".parquet"))
}

/// Open one table file of a book directory, by its extension.
fn open_table_file(path: &Path, name: &str) -> Result<Box<dyn Table>> {
    #[cfg(feature = "parquet")]
    if name.to_ascii_lowercase().ends_with(".parquet") {
        return Ok(Box::new(arrow::parquet_table(path, name.to_string())?));
    }
    Ok(Box::new(CsvTable::open(path, name.to_string())?))
}

/// The table files (CSV, and Parquet with the `parquet` feature) under `dir`, up to four
/// folders deep, hidden ones skipped, as paths relative to it with `/` separators, sorted.
fn csv_files(dir: &Path) -> Result<Vec<String>> {
    fn walk(dir: &Path, prefix: &str, depth: u32, out: &mut Vec<String>) -> Result<()> {
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        for entry in fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let rel = format!("{prefix}{name}");
            let ty = entry.file_type().map_err(io)?;
            if ty.is_dir() {
                if depth < 4 {
                    walk(&entry.path(), &format!("{rel}/"), depth + 1, out)?;
                }
            } else if is_table_file(&name) {
                out.push(rel);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", 0, &mut out)?;
    out.sort();
    Ok(out)
}

/// Load a book from a directory of CSV files (`accounts.csv` required, the rest optional) or
/// Parquet files (`accounts.parquet`, …; with the default `parquet` feature), or from a team's
/// own exports with [`LoadOptions::source_map`] saying which file is which.
///
/// A CSV file of the directory that no record type claims is reported (not read). In
/// [`LoadMode::Strict`] any problem returns [`Error::Validation`] with every problem; in
/// [`LoadMode::Lenient`] the valid rows load and the report lists the rest. A file that lacks
/// a required column, or a load that keeps no account, is an [`Error::Validation`] in either
/// mode.
pub fn load_csv_dir(dir: impl AsRef<Path>, opts: &LoadOptions) -> Result<Loaded> {
    crate::fault::checkpoint("load_csv_dir");
    let dir = dir.as_ref();
    let meta = fs::metadata(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let names = csv_files(dir)?;
    let assignment = assign(&names, opts.source_map.as_ref(), |stem| {
        if cfg!(feature = "parquet") {
            format!("{stem}.{{csv,parquet}}")
        } else {
            format!("{stem}.csv")
        }
    })?;
    // A CSV file no record type claims (a typo such as `ticket.csv`) would otherwise be
    // skipped without a word; report the ones at the top of the directory.
    let unknown: Vec<String> = assignment
        .unclaimed
        .iter()
        .filter(|n| !n.contains('/'))
        .cloned()
        .collect();
    load_tables(
        &assignment,
        |_, name| open_table_file(&dir.join(name), name),
        &unknown,
        opts,
    )
}

/// Load a book from CSV texts held in memory, keyed by file stem (`accounts`, `tickets`, …),
/// or by the file names of a [`LoadOptions::source_map`].
pub fn load_csv_texts(texts: &BTreeMap<String, String>, opts: &LoadOptions) -> Result<Loaded> {
    crate::fault::checkpoint("load_csv_texts");
    let names: Vec<String> = texts.keys().cloned().collect();
    let assignment = assign(&names, opts.source_map.as_ref(), str::to_string)?;
    if let Some(unknown) = assignment.unclaimed.first() {
        return Err(Error::Format {
            file: unknown.clone(),
            reason: "not a file of the book layout (nor of the source map)".into(),
        });
    }
    load_tables(
        &assignment,
        |stem, name| {
            let bytes = texts[name].clone().into_bytes();
            let shown = if name == stem {
                format!("{stem}.csv")
            } else {
                name.to_string()
            };
            Ok(Box::new(CsvTable::from_bytes(bytes, shown)?) as Box<dyn Table>)
        },
        &[],
        opts,
    )
}

/// `book` with the records of a JSON document in the layout of [`write_json`] (any subset of
/// its arrays: `{"contact_roles": [...]}`), as a CRM webhook or a nightly delta brings them:
/// [`Book::with_records`] on records read from JSON.
///
/// Each record is first read as loading reads it, its references resolved against the book
/// (and against the accounts and contacts the document itself brings); its problems name
/// `records#<type>` and the record's place in its array. Then the merged book is validated as
/// a whole (problems name the record type and the place in the merged lists). The report lists
/// both; its file counts are the merged book's, plus `records#<type>` for the records read. In
/// [`LoadMode::Strict`] any problem is an [`Error::Validation`].
///
/// ```
/// use csops_core::book::LoadMode;
/// use csops_core::interchange::{load_json_str, with_json};
/// let book = load_json_str(r#"{"accounts": [{"id": "A1", "name": "Acme", "currency": "USD",
///     "arr": "1000", "start_date": "2025-01-01"}],
///     "contacts": [{"id": "C1", "account_id": "A1", "name": "Jane"}],
///     "contact_roles": [{"contact_id": "C1", "role": "executive_sponsor",
///     "added": "2025-01-01"}]}"#, &Default::default())?.book;
/// // The CRM says Jane's sponsorship ended.
/// let merged = with_json(&book, r#"{"contact_roles": [{"contact_id": "C1",
///     "role": "executive_sponsor", "added": "2025-01-01", "removed": "2026-09-20"}]}"#,
///     LoadMode::Strict)?;
/// assert!(merged.book.roles_of(0)[0].removed.is_some());
/// # Ok::<(), csops_core::Error>(())
/// ```
pub fn with_json(book: &Book, text: &str, mode: LoadMode) -> Result<Loaded> {
    const DOC: &str = "records";
    let format = |reason: String| Error::Format {
        file: DOC.into(),
        reason,
    };
    let value: Value = exact_json(text).map_err(|e| format(format!("not valid JSON: {e}")))?;
    let Value::Object(mut doc) = value else {
        return Err(format(
            "the records must be a JSON object of record type → array of records".into(),
        ));
    };
    // The JSON reader checks references only within one document: the book's accounts and
    // contacts that the records do not restate are read along, after the records (which keep
    // their places), and left out of the counts again. They are valid, so every problem found
    // is the records'.
    let reference = Book::from_records(
        crate::book::Records {
            accounts: book.accounts().to_vec(),
            contacts: (0..book.accounts().len())
                .flat_map(|a| book.contacts_of(a).iter().cloned())
                .collect(),
            ..Default::default()
        },
        LoadMode::Lenient,
    )?
    .0;
    let written: Map<String, Value> = serde_json::from_str(&write_json(&reference)?)
        .map_err(|e| format(format!("writing the book's accounts: {e}")))?;
    let renamed = |file: &str| match file.strip_prefix("book.json") {
        Some(rest) => format!("{DOC}{rest}"),
        None => file.to_string(),
    };
    let mut along = Vec::new();
    for stem in ["accounts", "contacts"] {
        let rows = match written.get(stem) {
            Some(Value::Array(rows)) => rows.clone(),
            _ => Vec::new(),
        };
        let given = doc
            .entry(stem.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        // Anything but an array is the reader's to refuse.
        if let Value::Array(given) = given {
            let restated: std::collections::HashSet<String> = given
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            let before = given.len();
            given.extend(rows.into_iter().filter(|r| {
                r.get("id")
                    .and_then(Value::as_str)
                    .is_none_or(|id| !restated.contains(id))
            }));
            along.push((format!("{DOC}#{stem}"), (given.len() - before) as u64));
        }
    }
    // The report of what was read, as if only the records given had been.
    let given_only = |report: &mut ValidationReport| {
        for p in &mut report.problems {
            p.file = renamed(&p.file);
        }
        for r in &mut report.rejected {
            r.file = renamed(&r.file);
        }
        report.files = std::mem::take(&mut report.files)
            .into_iter()
            .map(|(f, c)| (renamed(&f), c))
            .collect();
        for (file, n) in &along {
            if let Some(c) = report.files.get_mut(file) {
                c.read = c.read.saturating_sub(*n);
                c.loaded = c.loaded.saturating_sub(*n);
                if c.read == 0 {
                    report.files.remove(file);
                }
            }
        }
    };
    let read = load_json_named(
        &Value::Object(doc).to_string(),
        "book.json",
        &LoadOptions {
            mode,
            ..LoadOptions::default()
        },
    )
    .map_err(|e| match e {
        Error::Validation(mut report) => {
            given_only(&mut report);
            Error::Validation(report)
        }
        Error::Format { file, reason } => Error::Format {
            file: renamed(&file),
            reason,
        },
        other => other,
    })?;
    let (merged, merged_report) = book.with_records(read.book.to_records(), mode)?;
    let mut report = read.report;
    given_only(&mut report);
    let ValidationReport {
        problems,
        rejected,
        files,
        notes,
    } = merged_report;
    report.notes.extend(notes);
    report.problems.extend(problems);
    report.rejected.extend(rejected);
    report.files.extend(files);
    Ok(Loaded {
        book: merged,
        report,
    })
}

/// Load a book from one JSON document (see [`write_json`] for its layout).
pub fn load_json_str(text: &str, opts: &LoadOptions) -> Result<Loaded> {
    crate::fault::checkpoint("load_json_str");
    load_json_named(text, "book.json", opts)
}

/// A JSON document with every number kept as the text it was written in (a `Value::String`),
/// so an amount given as a JSON number (`1234567.8912345678`) keeps every digit instead of
/// going through a float. Everything csops reads from JSON becomes text before it is parsed,
/// so nothing else changes.
fn exact_json(text: &str) -> std::result::Result<Value, serde_json::Error> {
    use serde_json::value::RawValue;
    fn convert(raw: &RawValue) -> std::result::Result<Value, serde_json::Error> {
        let text = raw.get().trim_start();
        Ok(match text.as_bytes().first() {
            Some(b'{') => {
                let map: BTreeMap<String, &RawValue> = serde_json::from_str(text)?;
                Value::Object(
                    map.into_iter()
                        .map(|(k, v)| Ok((k, convert(v)?)))
                        .collect::<std::result::Result<Map<String, Value>, serde_json::Error>>()?,
                )
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text)?;
                Value::Array(
                    items
                        .into_iter()
                        .map(convert)
                        .collect::<std::result::Result<_, _>>()?,
                )
            }
            Some(b'-' | b'0'..=b'9') => Value::String(text.trim_end().to_string()),
            _ => serde_json::from_str(text)?,
        })
    }
    let raw: &RawValue = serde_json::from_str(text)?;
    convert(raw)
}

/// A JSON value that is a whole number (a number, or a number kept as its text by
/// [`exact_json`]).
fn json_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

/// Load a JSON document named `doc` in messages: rows of its `tickets` array are reported as
/// file `<doc>#tickets`.
fn load_json_named(text: &str, doc: &str, opts: &LoadOptions) -> Result<Loaded> {
    let value: Value = exact_json(text).map_err(|e| Error::Format {
        file: doc.to_string(),
        reason: format!("not valid JSON: {e}"),
    })?;
    let Value::Object(mut obj) = value else {
        return Err(Error::Format {
            file: doc.to_string(),
            reason: "the document must be a JSON object".into(),
        });
    };
    if let Some(v) = obj.remove("schema_version")
        && json_u64(&v) != Some(SCHEMA_VERSION as u64)
    {
        return Err(Error::Format {
            file: doc.to_string(),
            reason: format!(
                "unsupported schema_version {}; this version reads {SCHEMA_VERSION}",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            ),
        });
    }
    let names: Vec<String> = obj
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    let assignment = assign(&names, opts.source_map.as_ref(), str::to_string)?;
    if let Some(k) = assignment.unclaimed.first() {
        return Err(Error::Format {
            file: doc.to_string(),
            reason: format!("unknown key `{k}`"),
        });
    }
    load_tables(
        &assignment,
        |stem, name| match obj.get(name) {
            Some(Value::Array(items)) => Ok(Box::new(JsonTable::new(
                format!("{doc}#{name}"),
                stem,
                items,
                // With a source map, the keys are the export's: its columns say where each
                // csops column comes from.
                opts.source_map
                    .as_ref()
                    .and_then(|s| s.record(stem))
                    .is_none(),
            )?) as Box<dyn Table>),
            _ => Err(Error::Format {
                file: doc.to_string(),
                reason: format!("`{name}` must be an array"),
            }),
        },
        &[],
        opts,
    )
}

/// Load a book from tables given as JSON, keyed by record type (`accounts`, `tickets`, …) or by
/// the file names of a [`LoadOptions::source_map`]: each table is an array of row objects
/// (`[{"id": "A1", "seats": 202}, …]`) or an object of column arrays (`{"id": ["A1", …],
/// "seats": [202, …]}`; a column written as `{"0": …, "1": …}`, as `JSON.stringify` writes a
/// typed array, is that array). This is what the Node `loadBookTables` reads. Cells are read
/// as the JSON book's are (a number as its shortest text, so `202.0` seats is 202; `null` is
/// an empty cell); problems name the table, its 1-based row and the column.
///
/// ```
/// use csops_core::interchange::{load_json_tables, LoadOptions};
/// let loaded = load_json_tables(r#"{"accounts": {"id": ["A1", "A2"], "name": ["Acme", "Beta"],
///     "currency": ["USD", "EUR"], "arr": [1200.5, 10], "start_date": ["2025-01-01", "2025-02-01"],
///     "seats": [202.0, null]}}"#, &LoadOptions::default())?;
/// assert_eq!(loaded.book.accounts()[0].seats, Some(202));
/// assert_eq!(loaded.book.accounts()[1].seats, None);
/// # Ok::<(), csops_core::Error>(())
/// ```
pub fn load_json_tables(text: &str, opts: &LoadOptions) -> Result<Loaded> {
    crate::fault::checkpoint("load_json_tables");
    const DOC: &str = "tables";
    let format = |file: &str, reason: String| Error::Format {
        file: file.to_string(),
        reason,
    };
    let value: Value = exact_json(text).map_err(|e| format(DOC, format!("not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(format(
            DOC,
            "the tables must be an object of table name → rows or columns".into(),
        ));
    };
    let mut rows_of: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, table) in obj {
        let rows = match table {
            Value::Null => continue,
            Value::Array(rows) => rows,
            Value::Object(columns) => columns_to_rows(&name, columns)?,
            _ => {
                return Err(format(
                    &name,
                    "a table must be an array of row objects or an object of column arrays".into(),
                ));
            }
        };
        rows_of.insert(name, rows);
    }
    let names: Vec<String> = rows_of.keys().cloned().collect();
    let assignment = assign(&names, opts.source_map.as_ref(), str::to_string)?;
    if let Some(k) = assignment.unclaimed.first() {
        return Err(format(
            k,
            "not a record type of the book layout (nor a file of the source map)".into(),
        ));
    }
    load_tables(
        &assignment,
        |stem, name| {
            Ok(Box::new(JsonTable::new(
                name.to_string(),
                stem,
                &rows_of[name],
                opts.source_map
                    .as_ref()
                    .and_then(|s| s.record(stem))
                    .is_none(),
            )?) as Box<dyn Table>)
        },
        &[],
        opts,
    )
}

/// An object of column arrays as row objects; every column must be as long as the first.
fn columns_to_rows(name: &str, columns: Map<String, Value>) -> Result<Vec<Value>> {
    let mut cols: Vec<(String, Vec<Value>)> = Vec::with_capacity(columns.len());
    for (k, v) in columns {
        let values = match v {
            Value::Array(a) => a,
            // A typed array as JSON.stringify writes it: {"0": …, "1": …}.
            Value::Object(o)
                if o.keys()
                    .all(|key| key.parse::<usize>().is_ok_and(|n| n < o.len())) =>
            {
                let mut a = vec![Value::Null; o.len()];
                for (key, x) in o {
                    a[key.parse::<usize>().unwrap_or_default()] = x;
                }
                a
            }
            _ => {
                return Err(Error::Format {
                    file: name.to_string(),
                    reason: format!("column `{k}` must be an array"),
                });
            }
        };
        cols.push((k, values));
    }
    let n = cols.first().map_or(0, |c| c.1.len());
    if let Some((k, c)) = cols.iter().find(|c| c.1.len() != n) {
        return Err(Error::Format {
            file: name.to_string(),
            reason: format!(
                "column `{k}` has {} values where `{}` has {n}; columns must be equally long",
                c.len(),
                cols[0].0
            ),
        });
    }
    let mut rows: Vec<Map<String, Value>> = vec![Map::new(); n];
    for (k, values) in cols {
        for (row, v) in rows.iter_mut().zip(values) {
            row.insert(k.clone(), v);
        }
    }
    Ok(rows.into_iter().map(Value::Object).collect())
}

/// Load a book from a JSON file.
pub fn load_json(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Loaded> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let doc = path.file_name().map_or_else(
        || "book.json".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = String::from_utf8(bytes).map_err(|e| Error::Format {
        file: doc.clone(),
        reason: format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
    })?;
    load_json_named(&text, &doc, opts)
}

/// Load a book from a path: a directory of CSV files, or a `.json` document (any case of the
/// extension). This is what the Python and Node `load_book` / `loadBook` call.
pub fn load(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Loaded> {
    crate::fault::checkpoint("load");
    let path = path.as_ref();
    let meta = fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if meta.is_dir() {
        load_csv_dir(path, opts)
    } else if is_json {
        load_json(path, opts)
    } else {
        Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a book is a directory of CSV files or a .json document",
            ),
        })
    }
}

/// Rows of every file of a book, as text aligned with [`FILES`] columns (plus `attr.*`).
/// One file's stem, header and rows of text.
type TableText = (&'static str, Vec<String>, Vec<Vec<String>>);

fn tables(book: &Book) -> Vec<TableText> {
    let r = book.to_records();
    let cols = |stem| {
        file_doc(stem)
            .columns
            .iter()
            .map(|c| c.name.to_string())
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    // Accounts carry attribute columns, the union over all accounts.
    let attr_names: Vec<String> = {
        let mut s: Vec<String> = r
            .accounts
            .iter()
            .flat_map(|a| a.attributes.keys().cloned())
            .collect();
        s.sort();
        s.dedup();
        s
    };
    let mut acols = cols("accounts");
    acols.extend(attr_names.iter().map(|a| format!("attr.{a}")));
    let arows = r
        .accounts
        .iter()
        .map(|a| {
            let mut row = a.write();
            row.extend(
                attr_names
                    .iter()
                    .map(|k| a.attributes.get(k).cloned().unwrap_or_default()),
            );
            row
        })
        .collect();
    out.push(("accounts", acols, arows));
    fn rows<T: Tabular>(items: &[T]) -> Vec<Vec<String>> {
        items.iter().map(Tabular::write).collect()
    }
    out.push(("contacts", cols("contacts"), rows(&r.contacts)));
    out.push((
        "contact_roles",
        cols("contact_roles"),
        rows(&r.contact_roles),
    ));
    let usage = book.usage();
    let accounts = book.accounts();
    let urows = (0..accounts.len())
        .flat_map(|a| {
            let u = usage.of(a);
            (0..u.ts.len()).map(move |i| {
                vec![
                    accounts[a].id.clone(),
                    usage.user_name(u.member[i]).to_string(),
                    usage.feature_name(u.feature[i]).to_string(),
                    fmt_timestamp_ms(u.ts[i]),
                ]
            })
        })
        .collect();
    out.push(("usage_events", cols("usage_events"), urows));
    out.push((
        "usage_snapshots",
        cols("usage_snapshots"),
        rows(&r.usage_snapshots),
    ));
    out.push(("tickets", cols("tickets"), rows(&r.tickets)));
    out.push(("surveys", cols("surveys"), rows(&r.surveys)));
    out.push(("meetings", cols("meetings"), rows(&r.meetings)));
    out.push(("milestones", cols("milestones"), rows(&r.milestones)));
    out.push((
        "opportunities",
        cols("opportunities"),
        rows(&r.opportunities),
    ));
    out.push((
        "arr_snapshots",
        cols("arr_snapshots"),
        rows(&r.arr_snapshots),
    ));
    out.push((
        "renewal_outcomes",
        cols("renewal_outcomes"),
        rows(&r.renewal_outcomes),
    ));
    if let Some(fx) = book.fx() {
        let frows = fx
            .rates()
            .map(|(c, rate)| {
                vec![
                    c.to_string(),
                    fx.reporting().to_string(),
                    rate.to_string(),
                    String::new(),
                ]
            })
            .chain(fx.dated_rates().map(|(c, day, rate)| {
                vec![
                    c.to_string(),
                    fx.reporting().to_string(),
                    rate.to_string(),
                    day.to_string(),
                ]
            }))
            .collect();
        out.push(("fx_rates", cols("fx_rates"), frows));
    }
    out
}

/// Write a book as a directory of CSV files (created if needed). Files with no rows are
/// written with their header only, except `fx_rates.csv`, written only when the book has rates.
pub fn write_csv_dir(book: &Book, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    let dir = dir.as_ref();
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (stem, cols, rows) in tables(book) {
        let path = dir.join(format!("{stem}.csv"));
        let io = |e: csv::Error| Error::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        };
        let mut w = csv::Writer::from_path(&path).map_err(io)?;
        w.write_record(&cols).map_err(io)?;
        for row in rows {
            w.write_record(&row).map_err(io)?;
        }
        w.flush().map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Write a book as CSV texts keyed by file stem (for bindings and tests).
pub fn write_csv_texts(book: &Book) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (stem, cols, rows) in tables(book) {
        let mut w = csv::Writer::from_writer(Vec::new());
        let fmt = |e: csv::Error| Error::Format {
            file: format!("{stem}.csv"),
            reason: e.to_string(),
        };
        w.write_record(&cols).map_err(fmt)?;
        for row in rows {
            w.write_record(&row).map_err(fmt)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Format {
            file: format!("{stem}.csv"),
            reason: e.to_string(),
        })?;
        out.insert(
            stem.to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        );
    }
    Ok(out)
}

/// Write a book as one JSON document:
/// `{"schema_version": 1, "accounts": [{...}], "tickets": [...], ...}`. Amounts are decimal
/// strings (exact), counts and probabilities numbers, lists arrays, account attributes an
/// `attributes` object; empty optional fields are left out.
pub fn write_json(book: &Book) -> Result<String> {
    crate::fault::checkpoint("write_json");
    let mut doc = Map::new();
    doc.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
    for (stem, cols, rows) in tables(book) {
        let doc_cols = file_doc(stem).columns;
        let items: Vec<Value> = rows
            .into_iter()
            .map(|row| {
                let mut obj = Map::new();
                let mut attrs = Map::new();
                for (name, text) in cols.iter().zip(row) {
                    if text.is_empty() {
                        continue;
                    }
                    if let Some(a) = name.strip_prefix("attr.") {
                        attrs.insert(a.to_string(), Value::String(text));
                        continue;
                    }
                    let ty = doc_cols.iter().find(|c| c.name == name).map(|c| c.ty);
                    let v = match ty {
                        Some(ColumnType::Integer) => text
                            .parse::<u64>()
                            .map(Value::from)
                            .unwrap_or(Value::String(text)),
                        Some(ColumnType::Number) => text
                            .parse::<f64>()
                            .ok()
                            .and_then(|x| serde_json::Number::from_f64(x).map(Value::Number))
                            .unwrap_or(Value::String(text)),
                        Some(ColumnType::Bool) => Value::Bool(text == "true"),
                        Some(ColumnType::List) => Value::Array(
                            text.split(';')
                                .map(|s| Value::String(s.to_string()))
                                .collect(),
                        ),
                        _ => Value::String(text),
                    };
                    obj.insert(name.clone(), v);
                }
                if !attrs.is_empty() {
                    obj.insert("attributes".into(), Value::Object(attrs));
                }
                Value::Object(obj)
            })
            .collect();
        doc.insert(stem.to_string(), Value::Array(items));
    }
    serde_json::to_string_pretty(&Value::Object(doc)).map_err(|e| Error::Format {
        file: "book.json".into(),
        reason: e.to_string(),
    })
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

#[cfg(test)]
mod assign_tests {
    use super::*;

    #[test]
    fn default_names_match_csv_and_parquet() {
        let names = vec!["accounts.parquet".to_string(), "tickets.csv".to_string()];
        let a = assign(&names, None, |stem| format!("{stem}.{{csv,parquet}}")).unwrap();
        assert_eq!(a.files["accounts"], vec!["accounts.parquet"]);
        assert_eq!(a.files["tickets"], vec!["tickets.csv"]);
        assert!(a.unclaimed.is_empty());
    }
}
