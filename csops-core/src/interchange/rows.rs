//! One row of a table: reading its typed values ([`RowReader`]), its fields by position
//! ([`Fields`]), what can be wrong with its shape ([`RowFault`]) and how such a row is
//! rejected, the [`Table`] a reader draws rows from, and a rejected row's raw fields.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::book::{FieldProblem, Position, ProblemKind};
use crate::error::Result;
use crate::money::{Currency, Money};
use crate::progress::ProgressHook;

use super::columns::ColumnMap;
use super::pipeline::RowLog;
use super::values::{clip, clip_in, exact_decimal, parse_date};

/// Reads typed fields from one row, collecting a problem for each bad field.
pub(super) struct RowReader<'a> {
    pub(super) cols: &'a ColumnMap,
    pub(super) fields: &'a dyn Fields,
    pub(super) problems: Vec<FieldProblem>,
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
    pub(super) fn raw(&self, name: &str) -> Option<Cow<'a, str>> {
        self.value(name).ok().flatten()
    }
    pub(super) fn bad(&mut self, field: &'static str, kind: ProblemKind, reason: String) {
        self.problems.push((field, kind, reason));
    }
    pub(super) fn required<T>(&mut self, field: &'static str, v: Option<Option<T>>) -> Option<T> {
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
    pub(super) fn parse<T>(
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
    pub(super) fn text(&mut self, f: &'static str) -> Option<Option<String>> {
        self.parse(f, |s| Ok(s.to_string()))
    }
    pub(super) fn req_text(&mut self, f: &'static str) -> Option<String> {
        let v = self.text(f);
        self.required(f, v)
    }
    pub(super) fn date(&mut self, f: &'static str) -> Option<Option<NaiveDate>> {
        self.parse(f, parse_date)
    }
    pub(super) fn req_date(&mut self, f: &'static str) -> Option<NaiveDate> {
        let v = self.date(f);
        self.required(f, v)
    }
    pub(super) fn decimal(&mut self, f: &'static str) -> Option<Option<Decimal>> {
        self.parse(f, |s| {
            exact_decimal(s).map_err(|e| (ProblemKind::Malformed, e))
        })
    }
    pub(super) fn money(
        &mut self,
        amount: &'static str,
        currency: Option<Currency>,
    ) -> Option<Money> {
        let v = self.decimal(amount);
        let a = self.required(amount, v)?;
        Some(Money::new(a, currency?))
    }
    pub(super) fn currency(&mut self, f: &'static str) -> Option<Currency> {
        let v = self.parse(f, |s| {
            Currency::new(s).map_err(|e| (ProblemKind::UnknownValue, e.to_string()))
        });
        self.required(f, v)
    }
    pub(super) fn integer<T: FromStr>(&mut self, f: &'static str) -> Option<Option<T>> {
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
    pub(super) fn number(&mut self, f: &'static str) -> Option<Option<f64>> {
        self.parse(f, |s| match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err((
                ProblemKind::Malformed,
                format!("`{s}` is not a finite number"),
            )),
        })
    }
    pub(super) fn boolean(&mut self, f: &'static str) -> Option<Option<bool>> {
        self.parse(f, |s| match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => Ok(true),
            "false" | "0" | "no" | "n" => Ok(false),
            _ => Err((
                ProblemKind::Malformed,
                format!("`{s}` is not a boolean (true/false)"),
            )),
        })
    }
    pub(super) fn enumeration<T: FromStr<Err = String>>(&mut self, f: &'static str) -> Option<T> {
        let v = self.parse(f, |s| {
            T::from_str(s).map_err(|e| (ProblemKind::UnknownValue, e))
        });
        self.required(f, v)
    }
    pub(super) fn list<T: FromStr<Err = String>>(&mut self, f: &'static str) -> Option<Vec<T>> {
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

/// The fields of one row, by column position.
pub(super) trait Fields {
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
pub(super) enum RowFault {
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
pub(super) fn reject_faulty_row(
    log: &mut impl RowLog,
    pos: &Position,
    headers: &[String],
    fields: &dyn Fields,
) -> bool {
    // A column without a header is not read; when it holds a value, say so (once a file) so
    // that value is not lost silently.
    if let Some(i) = headers
        .iter()
        .enumerate()
        .find(|(i, h)| {
            // (`chars().all`: stops at a header's first letter, where `trim` would scan both ends.)
            h.chars().all(char::is_whitespace)
                && fields.get(*i).is_some_and(|v| !v.trim().is_empty())
        })
        .map(|(i, _)| i)
        && log.wants_unheaded(&pos.file)
    {
        let value = fields.get(i).unwrap_or("");
        log.unheaded(crate::book::Problem {
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
    log.problem(crate::book::Problem {
        file: pos.file.to_string(),
        row: Some(pos.row),
        record_id: None,
        field,
        kind: ProblemKind::Malformed,
        reason,
    });
    log.reject(pos, None, raw_fields(headers, fields));
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
pub(super) trait Table: Send {
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

/// A rejected row's fields by header. Fields past the header are kept as `column N` (the
/// first [`EXTRA_FIELDS_KEPT`], then a count of the rest under `…`).
pub(super) fn raw_fields(headers: &[String], fields: &dyn Fields) -> BTreeMap<String, String> {
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
