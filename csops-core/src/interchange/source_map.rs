//! The source map: how a team's own exports become a book, without reshaping them by hand.
//!
//! A CRM, a billing system and a warehouse never export csops' layout. A [`SourceMap`] says,
//! once, per record type (`accounts`, `opportunities`, `usage_snapshots`, …):
//!
//! - **which files** hold it: names or glob patterns (`files = ["crm/opps_*.csv"]`); several
//!   files are read one after the other. Without `files`, the record type is read from
//!   `<type>.csv` as in the plain layout.
//! - **where each csops column comes from**, and how its text becomes csops' value:
//!   - `from`: the export's header (`id = "Account ID"` is short for `id = { from = "Account ID" }`);
//!   - `default`: a constant for an absent column or an empty cell (`currency = { default = "USD" }`);
//!   - `scale`: a multiplier, applied exactly in decimal (`probability = { from = "Probability (%)", scale = 0.01 }`);
//!   - `format`: a date or timestamp format in `strftime` notation (`format = "%m/%d/%Y"`);
//!   - `values`: a value map from the export's words to csops' (`values = { "End User" = "user" }`);
//!     a value not in the map is read as it is (so an enumeration still rejects an unknown word);
//!   - `derive`: for an `id` column only, build the id from key columns: their values (after
//!     mapping) joined with `:` (`derive = ["account_id", "renewal_date"]` gives
//!     `A-00001:2025-02-01`). Stable: the same row always gets the same id; two rows with the
//!     same keys get the same id and the second is reported as a duplicate.
//! - **which headers to ignore** on purpose (`ignore = ["Internal Notes"]`); any other header
//!   csops does not know is reported, so no column disappears unnoticed.
//! - **a shape**, for two exports that are not one record per row:
//!   - `wide` (usage snapshots): one row per account and period, one column per metric, as a
//!     warehouse exports a metric table. An empty cell is *no value for that metric and
//!     period*: it is loaded as a missing value, so a feature never falls back on an earlier
//!     period's value (see [`crate::features`]).
//!   - `events` (contact roles): a CRM's role-change log, one row per `added` or `removed`
//!     event, turned into role spells. A removal with no earlier addition (the log starts
//!     after the role began) becomes a spell from the account's start date to the removal;
//!     each such case is listed in the load report's notes ([`RemovalWithoutAddition`]).
//!
//! Text in `missing_values` (by default `NaN`, `NULL`, `N/A`, … see [`DEFAULT_MISSING_VALUES`])
//! counts as an empty cell in number, amount, date and yes/no columns; never in text columns,
//! where `NA` may be North America.
//!
//! A whole source map, in TOML (the JSON form has the same keys):
//!
//! ```toml
//! [accounts]
//! files = ["crm_accounts.csv"]
//! ignore = ["Internal Notes"]
//! columns.id = "Account ID"
//! columns.name = "Account Name"
//! columns.currency = { default = "USD" }
//! columns.arr = "ARR"
//! columns.start_date = { from = "Customer Since", format = "%m/%d/%Y" }
//! columns.segment = { from = "Segment", values = { "SMB" = "smb", "Mid-Market" = "mid_market" } }
//!
//! [opportunities]
//! files = ["crm_opportunities.csv"]
//! columns.probability = { from = "Probability (%)", scale = 0.01 }
//!
//! [renewal_outcomes]
//! files = ["outcomes.csv"]
//! columns.id = { derive = ["account_id", "renewal_date"] }
//!
//! [usage_snapshots]
//! files = ["warehouse_quarterly_metrics.csv"]
//! columns.account_id = "account"
//! columns.period_end = "quarter_end"
//! wide.period = "quarter"
//! wide.metrics = { "Active Users" = "active_users", "NPS" = "nps" }
//!
//! [contact_roles]
//! files = ["contact_role_events.csv"]
//! columns.role = { from = "role", values = { "end_user" = "user" } }
//! events.action = "change"
//! events.date = "changed_on"
//! ```
//!
//! [`SourceMap::validate`] reports every problem at once, each with its place
//! (`[opportunities.columns.probability]`).

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use chrono::format::{Item, StrftimeItems};
use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::{ColumnType, FILES, FileDoc};
use crate::error::{Error, Result};

/// Text that counts as "no value" in typed columns unless a source map says otherwise.
pub const DEFAULT_MISSING_VALUES: &[&str] = &[
    "NaN", "nan", "NULL", "null", "None", "N/A", "n/a", "#N/A", "NA",
];

fn default_missing_values() -> Vec<String> {
    DEFAULT_MISSING_VALUES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// How a book's exports map onto csops' record types. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceMap {
    /// Text that counts as an empty cell in number, amount, date and yes/no columns.
    #[serde(default = "default_missing_values")]
    pub missing_values: Vec<String>,
    /// Per record type (file stem of the plain layout): where its rows come from.
    #[serde(flatten)]
    pub records: BTreeMap<String, RecordSource>,
}

impl Default for SourceMap {
    fn default() -> Self {
        SourceMap {
            missing_values: default_missing_values(),
            records: BTreeMap::new(),
        }
    }
}

/// Where one record type's rows come from, and how to read them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordSource {
    /// File names or glob patterns, relative to the book's directory (for a JSON book: keys of
    /// the document). Empty: `<type>.csv` (or the `<type>` key).
    pub files: Vec<String>,
    /// csops column → where its value comes from. A column not listed is read from the header
    /// of the same name (after the header map).
    pub columns: BTreeMap<String, ColumnSource>,
    /// Export headers to skip on purpose.
    pub ignore: Vec<String>,
    /// Read a wide metric table (usage snapshots only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wide: Option<WideMetrics>,
    /// Read a role-change event log (contact roles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<RoleEvents>,
}

/// Where one csops column's value comes from. Written as a header (`"Account ID"`) or as a
/// table of the fields below.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ColumnSource {
    /// The export's header (default: the csops column name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// A constant used when the column is absent or the cell is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Multiply the value by this (number, amount and whole-number columns), exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// The date or timestamp format, in `strftime` notation (`%d/%m/%Y`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The export's value → csops' value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// `id` only: build it from these csops columns, joined with `:`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derive: Vec<String>,
}

/// The table form of [`ColumnSource`].
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(Default)]
struct ColumnSourceTable {
    from: Option<String>,
    default: Option<StringOrNumber>,
    scale: Option<f64>,
    format: Option<String>,
    values: BTreeMap<String, String>,
    derive: Vec<String>,
}

/// A default written as text or as a number (`default = 12`).
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl StringOrNumber {
    fn text(self) -> String {
        match self {
            StringOrNumber::Text(s) => s,
            StringOrNumber::Int(i) => i.to_string(),
            StringOrNumber::Float(f) => f.to_string(),
            StringOrNumber::Bool(b) => b.to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for ColumnSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ColumnSource;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a header name, or a table with from/default/scale/format/values/derive",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<ColumnSource, E> {
                Ok(ColumnSource {
                    from: Some(v.to_string()),
                    ..Default::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<ColumnSource, A::Error> {
                let t = ColumnSourceTable::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ColumnSource {
                    from: t.from,
                    default: t.default.map(StringOrNumber::text),
                    scale: t.scale,
                    format: t.format,
                    values: t.values,
                    derive: t.derive,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// The length of a period, to derive `period_start` from `period_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodLength {
    /// Seven days ending on `period_end`.
    Week,
    /// One calendar month ending on `period_end`.
    Month,
    /// Three months ending on `period_end`.
    Quarter,
    /// Twelve months ending on `period_end`.
    Year,
}

impl PeriodLength {
    /// The first day of the period that ends on `end` (inclusive): the day after `end`, less
    /// the period (so a quarter ending 2025-03-31 starts 2025-01-01).
    pub fn start(self, end: NaiveDate) -> Option<NaiveDate> {
        let next = end.checked_add_days(Days::new(1))?;
        match self {
            PeriodLength::Week => end.checked_sub_days(Days::new(6)),
            PeriodLength::Month => next.checked_sub_months(Months::new(1)),
            PeriodLength::Quarter => next.checked_sub_months(Months::new(3)),
            PeriodLength::Year => next.checked_sub_months(Months::new(12)),
        }
    }
}

/// A wide metric table: one row per account and period, one column per metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WideMetrics {
    /// Metric columns: export header → metric name. Empty: every header that is not the
    /// account, a period column or ignored is a metric, named by its header.
    pub metrics: BTreeMap<String, String>,
    /// Derive `period_start` from `period_end` (when the table has no start column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodLength>,
}

/// What to do with a removal that has no earlier addition in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalWithoutAddition {
    /// The role is taken to have been held from the account's start date (the log began
    /// after it was added); listed in the report's notes.
    #[default]
    AccountStart,
    /// The removal row is rejected as a problem.
    Reject,
}

/// A role-change event log: one row per role added or removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleEvents {
    /// The column saying what happened (default header `event`).
    pub action: ColumnSource,
    /// The column with the day it happened (default header `date`).
    pub date: ColumnSource,
    /// Values of `action` meaning the role was added (default `added`).
    pub added: Vec<String>,
    /// Values of `action` meaning the role ended (default `removed`).
    pub removed: Vec<String>,
    /// The rule for a removal without an addition.
    pub removal_without_addition: RemovalWithoutAddition,
}

impl Default for RoleEvents {
    fn default() -> Self {
        RoleEvents {
            action: ColumnSource {
                from: Some("event".into()),
                ..Default::default()
            },
            date: ColumnSource {
                from: Some("date".into()),
                ..Default::default()
            },
            added: vec!["added".into()],
            removed: vec!["removed".into()],
            removal_without_addition: RemovalWithoutAddition::default(),
        }
    }
}

impl SourceMap {
    /// Parse from TOML text and validate.
    pub fn from_toml(text: &str) -> Result<Self> {
        let map: SourceMap =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("source map: {e}")]))?;
        map.validate()?;
        Ok(map)
    }

    /// Parse from JSON text and validate.
    pub fn from_json(text: &str) -> Result<Self> {
        let map: SourceMap = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("source map: {e}")]))?;
        map.validate()?;
        Ok(map)
    }

    /// Read a `.toml` or `.json` file and validate.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::from_json(&text)
        } else {
            Self::from_toml(&text)
        }
    }

    /// Write as TOML text (reads back to the same map).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Config(vec![format!("source map: {e}")]))
    }

    /// Check every record type, column and shape; reports all problems at once, each with
    /// its place in the map.
    pub fn validate(&self) -> Result<()> {
        let mut p = Vec::new();
        let mut patterns: Vec<(&str, &str)> = Vec::new();
        for (stem, src) in &self.records {
            let Some(doc) = FILES.iter().find(|f| f.stem == stem) else {
                let names: Vec<&str> = FILES.iter().map(|f| f.stem).collect();
                p.push(format!(
                    "[{stem}] is not a record type{}; expected one of: {}",
                    closest(stem, names.iter().copied())
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default(),
                    names.join(", ")
                ));
                continue;
            };
            for f in &src.files {
                if f.trim().is_empty() {
                    p.push(format!("[{stem}.files] has an empty name"));
                } else if let Err(e) = globset::Glob::new(f) {
                    p.push(format!("[{stem}.files] `{f}` is not a valid pattern: {e}"));
                } else if let Some((other, _)) = patterns.iter().find(|(_, g)| *g == f.as_str()) {
                    p.push(format!(
                        "[{stem}.files] `{f}` is also a file of [{other}]; a file holds one record type"
                    ));
                } else {
                    patterns.push((stem, f));
                }
            }
            for (col, cs) in &src.columns {
                let here = format!("[{stem}.columns.{col}]");
                let ty = match doc.columns.iter().find(|c| c.name == col) {
                    Some(c) => Some(c),
                    None if stem == "accounts" && col.starts_with("attr.") && col.len() > 5 => None,
                    None => {
                        p.push(format!(
                            "{here} `{col}` is not a column of {stem}{}",
                            closest(col, doc.columns.iter().map(|c| c.name))
                                .map(|c| format!(" (did you mean `{c}`?)"))
                                .unwrap_or_default()
                        ));
                        continue;
                    }
                };
                check_column(&here, doc, ty.map(|c| (c.name, c.ty, c.values)), cs, &mut p);
            }
            match (&src.wide, &src.events) {
                (Some(_), Some(_)) => p.push(format!(
                    "[{stem}] has both a `wide` and an `events` shape; a file has one shape"
                )),
                (Some(w), None) => {
                    if stem != "usage_snapshots" {
                        p.push(format!(
                            "[{stem}.wide] the wide shape is for usage_snapshots only"
                        ));
                    }
                    for (k, name) in [("metric", "metric"), ("value", "value")] {
                        if src.columns.contains_key(k) {
                            p.push(format!(
                                "[{stem}.columns.{k}] a wide table has no `{name}` column: its metric columns give both"
                            ));
                        }
                    }
                    for (h, m) in &w.metrics {
                        if m.trim().is_empty() {
                            p.push(format!("[{stem}.wide.metrics] `{h}` maps to an empty name"));
                        }
                    }
                }
                (None, Some(e)) => {
                    if stem != "contact_roles" {
                        p.push(format!(
                            "[{stem}.events] the events shape is for contact_roles only"
                        ));
                    }
                    for k in ["added", "removed"] {
                        if src.columns.contains_key(k) {
                            p.push(format!(
                                "[{stem}.columns.{k}] an event log has no `{k}` column: `events.date` and `events.action` give it"
                            ));
                        }
                    }
                    if e.added.is_empty() || e.removed.is_empty() {
                        p.push(format!(
                            "[{stem}.events] `added` and `removed` each need at least one value"
                        ));
                    }
                    if let Some(v) = e.added.iter().find(|v| e.removed.contains(v)) {
                        p.push(format!(
                            "[{stem}.events] `{v}` is listed as both added and removed"
                        ));
                    }
                    check_column(
                        &format!("[{stem}.events.date]"),
                        doc,
                        Some(("date", ColumnType::Date, None)),
                        &e.date,
                        &mut p,
                    );
                    check_column(
                        &format!("[{stem}.events.action]"),
                        doc,
                        Some(("action", ColumnType::Text, None)),
                        &e.action,
                        &mut p,
                    );
                }
                (None, None) => {}
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// The source of one record type, if the map has one.
    pub fn record(&self, stem: &str) -> Option<&RecordSource> {
        self.records.get(stem)
    }
}

type ColumnInfo = (&'static str, ColumnType, Option<fn() -> Vec<&'static str>>);

fn check_column(
    here: &str,
    doc: &FileDoc,
    col: Option<ColumnInfo>,
    cs: &ColumnSource,
    p: &mut Vec<String>,
) {
    let (name, ty, allowed) = col.unwrap_or(("attr", ColumnType::Text, None));
    if let Some(s) = cs.scale {
        if !s.is_finite() || s == 0.0 {
            p.push(format!(
                "{here} scale must be a finite non-zero number, got {s}"
            ));
        } else if !matches!(
            ty,
            ColumnType::Number | ColumnType::Decimal | ColumnType::Integer
        ) {
            p.push(format!(
                "{here} scale applies to number, amount and whole-number columns; `{name}` is {}",
                type_word(ty)
            ));
        } else if scale_decimal(s).is_none() {
            p.push(format!(
                "{here} scale {s} cannot be written as an exact decimal"
            ));
        }
    }
    if let Some(f) = &cs.format {
        if !matches!(ty, ColumnType::Date | ColumnType::Timestamp) {
            p.push(format!(
                "{here} format applies to date and timestamp columns; `{name}` is {}",
                type_word(ty)
            ));
        } else if f.trim().is_empty() || StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
            p.push(format!(
                "{here} `{f}` is not a valid date format (strftime notation, e.g. %d/%m/%Y)"
            ));
        }
    }
    if let Some(allowed) = allowed {
        let allowed = allowed();
        for (from, to) in &cs.values {
            let parts: Vec<&str> = if ty == ColumnType::List {
                to.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            } else {
                vec![to.as_str()]
            };
            for part in parts {
                if !allowed.contains(&part) {
                    p.push(format!(
                        "{here} `{from}` maps to `{part}`, not a value of `{name}`; expected one of: {}",
                        allowed.join(", ")
                    ));
                }
            }
        }
        if let Some(d) = &cs.default
            && !allowed.contains(&d.as_str())
        {
            p.push(format!(
                "{here} default `{d}` is not a value of `{name}`; expected one of: {}",
                allowed.join(", ")
            ));
        }
    }
    if let Some(d) = &cs.default {
        let bad = match ty {
            ColumnType::Currency => crate::money::Currency::new(d).is_err(),
            ColumnType::Decimal => Decimal::from_str_exact(d).is_err(),
            ColumnType::Number => !d.parse::<f64>().is_ok_and(f64::is_finite),
            ColumnType::Integer => d.parse::<u64>().is_err(),
            ColumnType::Date => NaiveDate::from_str(d).is_err(),
            _ => false,
        };
        if bad {
            p.push(format!("{here} default `{d}` is not {}", type_word(ty)));
        }
    }
    if !cs.derive.is_empty() {
        if name != "id" {
            p.push(format!("{here} derive is for the `id` column only"));
        }
        if cs.from.is_some() || cs.default.is_some() {
            p.push(format!("{here} a derived id takes no `from` or `default`"));
        }
        for k in &cs.derive {
            if k == "id" || !doc.columns.iter().any(|c| c.name == k) {
                p.push(format!(
                    "{here} derive: `{k}` is not a key column of {}",
                    doc.stem
                ));
            }
        }
    }
    if let Some(f) = &cs.from
        && f.trim().is_empty()
    {
        p.push(format!("{here} from is empty"));
    }
}

fn type_word(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Text => "text",
        ColumnType::Date => "a date",
        ColumnType::Timestamp => "a timestamp",
        ColumnType::Decimal => "an amount",
        ColumnType::Currency => "a currency code",
        ColumnType::Integer => "a whole number",
        ColumnType::Number => "a number",
        ColumnType::Bool => "a yes/no value",
        ColumnType::Enum => "one of a list of values",
        ColumnType::List => "a list of values",
    }
}

/// A scale as the decimal the user wrote (`0.01` is exactly one hundredth, not the nearest
/// binary fraction): through the shortest text that reads back to the same `f64`.
pub(crate) fn scale_decimal(s: f64) -> Option<Decimal> {
    let text = format!("{s}");
    Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// The candidate most like `name`, when it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, _)| *s >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_parses_from_toml_and_json_alike() {
        let toml = r#"
            missing_values = ["-"]
            [accounts]
            files = ["crm_*.csv"]
            ignore = ["Notes"]
            columns.id = "Account ID"
            columns.currency = { default = "USD" }
            columns.seats = { from = "Seats", default = 0 }
            [opportunities.columns]
            probability = { from = "Prob %", scale = 0.01 }
            id = { derive = ["account_id", "close_date"] }
            [usage_snapshots]
            wide.period = "quarter"
            [contact_roles]
            events.action = "change"
        "#;
        let m = SourceMap::from_toml(toml).unwrap();
        assert_eq!(m.missing_values, vec!["-"]);
        assert_eq!(
            m.records["accounts"].columns["id"].from.as_deref(),
            Some("Account ID")
        );
        assert_eq!(
            m.records["accounts"].columns["seats"].default.as_deref(),
            Some("0")
        );
        assert_eq!(
            m.records["opportunities"].columns["probability"].scale,
            Some(0.01)
        );
        let ev = m.records["contact_roles"].events.as_ref().unwrap();
        assert_eq!(ev.action.from.as_deref(), Some("change"));
        assert_eq!(ev.added, vec!["added"]);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(SourceMap::from_json(&json).unwrap(), m);
        let again = SourceMap::from_toml(&m.to_toml().unwrap()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let toml = r#"
            [acounts]
            [opportunities.columns]
            probabilty = "p"
            stage = { scale = 2 }
            close_date = { format = "%Q" }
            kind = { values = { "Renewal" = "renew" } }
            currency = { default = "dollars" }
            [tickets]
            wide.period = "month"
            [renewal_outcomes.columns]
            id = { derive = ["account", "renewal_date"], from = "x" }
        "#;
        let Err(Error::Config(p)) = SourceMap::from_toml(toml) else {
            panic!("expected a config error")
        };
        let all = p.join("\n");
        for needle in [
            "[acounts] is not a record type (did you mean `accounts`?)",
            "[opportunities.columns.probabilty] `probabilty` is not a column of opportunities (did you mean `probability`?)",
            "[opportunities.columns.stage] scale applies to number",
            "[opportunities.columns.close_date] `%Q` is not a valid date format",
            "[opportunities.columns.kind] `Renewal` maps to `renew`, not a value of `kind`",
            "[opportunities.columns.currency] default `dollars` is not a currency code",
            "[tickets.wide] the wide shape is for usage_snapshots only",
            "[renewal_outcomes.columns.id] a derived id takes no `from` or `default`",
            "[renewal_outcomes.columns.id] derive: `account` is not a key column",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
        assert_eq!(p.len(), 9, "{all}");
    }

    #[test]
    fn a_misspelt_key_is_an_error() {
        let e = SourceMap::from_toml("[accounts]\nfile = [\"a.csv\"]").unwrap_err();
        assert!(e.to_string().contains("unknown field `file`"), "{e}");
        let e = SourceMap::from_toml("[accounts.columns]\nid = { form = \"x\" }").unwrap_err();
        assert!(e.to_string().contains("unknown field `form`"), "{e}");
    }

    #[test]
    fn periods_end_on_their_last_day() {
        let d = |s: &str| NaiveDate::from_str(s).unwrap();
        assert_eq!(
            PeriodLength::Quarter.start(d("2025-03-31")),
            Some(d("2025-01-01"))
        );
        assert_eq!(
            PeriodLength::Quarter.start(d("2025-09-30")),
            Some(d("2025-07-01"))
        );
        assert_eq!(
            PeriodLength::Month.start(d("2024-02-29")),
            Some(d("2024-02-01"))
        );
        assert_eq!(
            PeriodLength::Year.start(d("2025-12-31")),
            Some(d("2025-01-01"))
        );
        assert_eq!(
            PeriodLength::Week.start(d("2025-01-07")),
            Some(d("2025-01-01"))
        );
    }

    #[test]
    fn scales_are_the_decimals_written() {
        assert_eq!(scale_decimal(0.01).unwrap().to_string(), "0.01");
        assert_eq!(scale_decimal(100.0).unwrap().to_string(), "100");
        assert_eq!(scale_decimal(1e-5).unwrap().to_string(), "0.00001");
    }
}
