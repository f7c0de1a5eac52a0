//! The validation report: what a load found wrong with its input, row by row, and what it
//! kept. [`ValidationReport`] lists every [`Problem`] (file, row, record id, field, kind,
//! reason), every [`RejectedRow`] with its [`RawFields`], row counts per file
//! ([`FileCounts`]) and the loader's [`Note`]s; [`LoadMode`] says whether problems fail the
//! load.
//!
//! This file needs nothing of [`crate::error`] (whose `Error::Validation` carries a report), so
//! the two do not import each other.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
/// How to treat problems when building a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// Any problem fails the load with [`Error::Validation`] carrying every problem found.
    ///
    /// [`Error::Validation`]: crate::Error::Validation
    #[default]
    Strict,
    /// Keep valid rows, reject bad ones, and return the report beside the book.
    Lenient,
}

/// What kind of problem a row has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[non_exhaustive]
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

impl ProblemKind {
    /// The wire name (`unknown_value`, …), as in JSON and the bindings.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::Malformed => "malformed",
            ProblemKind::UnknownValue => "unknown_value",
            ProblemKind::Negative => "negative",
            ProblemKind::OutOfRange => "out_of_range",
            ProblemKind::DatesOutOfOrder => "dates_out_of_order",
            ProblemKind::Inconsistent => "inconsistent",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::UnknownReference => "unknown_reference",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Problem {
    /// The file (or document section) the row came from, e.g. `accounts.csv`.
    pub file: String,
    /// The row: the line number in a CSV file (the header is line 1), or the 1-based position
    /// in a JSON array or in-memory list. `None` for problems with a whole file.
    pub row: Option<u64>,
    /// The id of the record, when it has one and it could be read.
    pub record_id: Option<String>,
    /// The field (column), when the problem is with one field.
    pub field: Option<String>,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// A human explanation, including the offending value.
    pub reason: String,
}

impl Problem {
    /// A problem with one field of the row at `pos`.
    pub(crate) fn at(pos: &Position, record_id: Option<&str>, p: FieldProblem) -> Self {
        Problem {
            file: pos.file.to_string(),
            row: Some(pos.row),
            record_id: record_id.map(str::to_string),
            field: Some(p.0.to_string()),
            kind: p.1,
            reason: p.2,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(id) = &self.record_id {
            write!(f, " ({id})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A row that was not loaded, with its raw fields so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct RejectedRow {
    /// The file.
    pub file: String,
    /// The row (see [`Problem::row`]).
    pub row: u64,
    /// The record id, when readable.
    pub record_id: Option<String>,
    /// The raw fields as read (column → text).
    pub fields: RawFields,
}

/// The raw fields of a rejected row as read: column → text. Serialized as an object with the
/// columns in name order, as a map. Kept compact, since a bad export can reject millions of
/// rows: the rejected rows of a file share its column names, and a row's texts are one string.
#[derive(Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(type = "Record<string, string>")
)]
pub struct RawFields {
    /// Column names, sorted.
    names: std::sync::Arc<[String]>,
    /// The texts, one after another, in `names` order.
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
}

impl RawFields {
    /// Fields from (column, text) pairs; a later pair of a column replaces an earlier one.
    pub fn new<K: Into<String>, V: AsRef<str>>(fields: impl IntoIterator<Item = (K, V)>) -> Self {
        let map: BTreeMap<String, String> = fields
            .into_iter()
            .map(|(k, v)| (k.into(), v.as_ref().to_string()))
            .collect();
        Self::from_sorted(map.keys().cloned().collect::<Vec<_>>().into(), map.values())
    }

    /// Fields under sorted, distinct `names` (shared), with one text per name in that order.
    pub(super) fn from_sorted<'a>(
        names: std::sync::Arc<[String]>,
        texts: impl IntoIterator<Item = &'a String>,
    ) -> Self {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(names.len());
        for t in texts {
            text.push_str(t);
            ends.push(text.len());
        }
        debug_assert_eq!(ends.len(), names.len());
        RawFields { names, text, ends }
    }

    /// The text of a column, if the row has it.
    pub fn get(&self, column: &str) -> Option<&str> {
        let i = self
            .names
            .binary_search_by(|n| n.as_str().cmp(column))
            .ok()?;
        Some(self.text_at(i))
    }

    fn text_at(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// (column, text) pairs in column-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), self.text_at(i)))
    }

    /// How many columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// No columns at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The fields as a map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

impl std::ops::Index<&str> for RawFields {
    type Output = str;
    /// The text of a column; panics when the row has no such column (as a map's index does).
    fn index(&self, column: &str) -> &str {
        self.get(column)
            .unwrap_or_else(|| panic!("the rejected row has no column `{column}`"))
    }
}

impl fmt::Debug for RawFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for RawFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for RawFields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(RawFields::new)
    }
}

/// Row counts for one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct FileCounts {
    /// Data rows read.
    pub read: u64,
    /// Rows loaded into the book.
    pub loaded: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// Something the loader did that is not a problem but changes what a reader of the export
/// would see: a source-map transform applied to a file, or a documented rule applied to one
/// row (a role removed with no earlier addition). Strict loads keep notes; nothing the loader
/// assumes goes unlisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Note {
    /// The file.
    pub file: String,
    /// The row (see [`Problem::row`]); `None` for a note about the whole file.
    pub row: Option<u64>,
    /// The field, when the note is about one.
    pub field: Option<String>,
    /// What was done, and why.
    pub note: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.note)
    }
}

/// Everything validation found, and what was kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct ValidationReport {
    /// Every problem, in file and row order.
    pub problems: Vec<Problem>,
    /// Every rejected row, with its raw fields.
    pub rejected: Vec<RejectedRow>,
    /// Row counts per file.
    pub files: BTreeMap<String, FileCounts>,
    /// What the loader did by the source map's rules (file, then row order).
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// How many problems [`ValidationReport::render_html`] lists before "… and N more".
pub const HTML_MAX_PROBLEMS: usize = 200;

impl ValidationReport {
    /// No problems at all.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// One line: problem and row counts.
    pub fn summary(&self) -> String {
        let read: u64 = self.files.values().map(|c| c.read).sum();
        let rejected: u64 = self.files.values().map(|c| c.rejected).sum();
        let mut s = format!(
            "{} problem(s); {rejected} of {read} row(s) rejected",
            self.problems.len()
        );
        if let Some(p) = self.problems.first() {
            s.push_str(&format!("; first: {p}"));
        }
        s
    }

    /// The report in HTML (a notebook's rendering): the summary, row counts per file, then the
    /// first 200 problems and how many more there are.
    pub fn render_html(&self) -> String {
        use crate::render::{html_escape, html_table};
        let mut s = format!(
            "<div class=\"csops-validation-report\"><p>{}</p>",
            html_escape(&self.summary())
        );
        let files: Vec<Vec<String>> = self
            .files
            .iter()
            .map(|(file, c)| {
                vec![
                    file.clone(),
                    c.read.to_string(),
                    c.loaded.to_string(),
                    c.rejected.to_string(),
                ]
            })
            .collect();
        s.push_str(&html_table(&["file", "read", "loaded", "rejected"], &files));
        if !self.problems.is_empty() {
            let rows: Vec<Vec<String>> = self
                .problems
                .iter()
                .take(HTML_MAX_PROBLEMS)
                .map(|p| {
                    vec![
                        p.file.clone(),
                        p.row.map_or_else(String::new, |r| r.to_string()),
                        p.record_id.clone().unwrap_or_default(),
                        p.field.clone().unwrap_or_default(),
                        crate::table::serde_name(&p.kind),
                        p.reason.clone(),
                    ]
                })
                .collect();
            s.push_str(&html_table(
                &["file", "row", "record", "field", "kind", "reason"],
                &rows,
            ));
            let more = self.problems.len().saturating_sub(HTML_MAX_PROBLEMS);
            if more > 0 {
                s.push_str(&format!("<p>… and {more} more problem(s)</p>"));
            }
        }
        s.push_str("</div>");
        s
    }

    /// A readable multi-line report: counts per file, then every problem.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{:<24} {:>10} {:>10} {:>10}\n",
            "file", "read", "loaded", "rejected"
        ));
        for (file, c) in &self.files {
            s.push_str(&format!(
                "{:<24} {:>10} {:>10} {:>10}\n",
                file, c.read, c.loaded, c.rejected
            ));
        }
        if self.problems.is_empty() {
            s.push_str("no problems\n");
        } else {
            s.push_str(&format!("{} problem(s):\n", self.problems.len()));
            for p in &self.problems {
                s.push_str(&format!("  - [{}] {p}\n", p.kind));
            }
        }
        if !self.notes.is_empty() {
            s.push_str(&format!(
                "{} note(s) on what the loader did:\n",
                self.notes.len()
            ));
            for n in &self.notes {
                s.push_str(&format!("  - {n}\n"));
            }
        }
        s
    }

    pub(super) fn sort(&mut self) {
        self.problems
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
        self.rejected
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
        self.notes
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
    }
}

/// Where a record came from: file and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Position {
    /// Shared so that making a position per row costs no allocation.
    pub file: std::sync::Arc<str>,
    pub row: u64,
}

/// A problem with one field of one record, before it is placed in a file and row.
pub(crate) type FieldProblem = (&'static str, ProblemKind, String);
