//! Where each csops column of a file sits, and how its text becomes csops' text.
//!
//! A file's headers are matched to the record type's documented columns once: through the
//! source map's `from` (see [`super::source_map`]), else the header map's rename, else the
//! header of the same name. Each row's value is then the cell's text, with the source map's
//! transforms applied in a fixed order: missing markers, default, value map, date format, scale;
//! or, for a derived id, the key columns joined with `:`. A transform that cannot apply is a
//! problem of that row and field, never a silent change.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;

use super::source_map::{ColumnSource, RecordSource, closest, scale_decimal};
use super::{ColumnType, FileDoc, HeaderMap};
use crate::book::ProblemKind;

/// A problem with one value: its kind and a reason quoting the value.
pub(super) type ValueProblem = (ProblemKind, String);

/// A source-map transform of one column, ready to apply.
#[derive(Debug)]
struct Transform {
    default: Option<String>,
    scale: Option<Decimal>,
    format: Option<String>,
    values: HashMap<String, String>,
    /// Positions (in the file's documented columns) of the key columns of a derived id.
    derive: Vec<usize>,
    ty: ColumnType,
}

impl Transform {
    fn new(cs: &ColumnSource, ty: ColumnType, doc: &FileDoc) -> Self {
        Transform {
            default: cs.default.clone(),
            scale: cs.scale.and_then(scale_decimal),
            format: cs.format.clone(),
            values: cs
                .values
                .iter()
                .map(|(k, v)| (k.trim().to_string(), v.clone()))
                .collect(),
            derive: cs
                .derive
                .iter()
                .filter_map(|k| doc.columns.iter().position(|c| c.name == k))
                .collect(),
            ty,
        }
    }
}

/// Where one column's text comes from.
#[derive(Debug, Default)]
pub(super) struct Slot {
    /// The header's position in the row, when the file has it.
    pub index: Option<usize>,
    transform: Option<Transform>,
}

/// Where each documented column of a record type sits in a file, and its transforms.
#[derive(Debug)]
pub(super) struct ColumnMap {
    doc: &'static FileDoc,
    /// One per documented column, in `doc.columns` order.
    slots: Vec<Slot>,
    /// Custom account attributes: name and where.
    pub attrs: Vec<(String, Slot)>,
    /// Text that counts as empty in typed columns (empty without a source map).
    missing_values: Vec<String>,
}

/// What matching a file's headers found.
#[derive(Debug, Default)]
pub(super) struct HeaderMatch {
    /// Header positions no column claimed (unknown columns, or a wide table's metrics).
    pub unclaimed: Vec<usize>,
    /// Headers that two columns claim: (column, header) of the later one.
    pub duplicates: Vec<(&'static str, usize)>,
    /// Required columns with no source: (column, the header looked for, the closest header
    /// present).
    pub missing: Vec<(&'static str, String, Option<String>)>,
}

impl ColumnMap {
    /// Match `headers` to the documented columns of `doc`. `claimed` are headers a shape
    /// reads itself (an event log's date and action); `optional` are required columns a shape
    /// fills itself (a wide table's metric and value).
    pub(super) fn new(
        doc: &'static FileDoc,
        headers: &[String],
        header_map: &HeaderMap,
        source: Option<&RecordSource>,
        missing_values: &[String],
        claimed: &[&str],
        optional: &[&str],
    ) -> (Self, HeaderMatch) {
        let mut found = HeaderMatch::default();
        let trimmed: Vec<&str> = headers.iter().map(|h| h.trim()).collect();
        let mut taken = vec![false; headers.len()];
        for (i, h) in trimmed.iter().enumerate() {
            let ignored = header_map.rename(doc.stem, h).is_empty()
                || source.is_some_and(|s| s.ignore.iter().any(|x| x.trim() == *h))
                || claimed.contains(h);
            taken[i] = ignored;
        }
        let spec = |name: &str| source.and_then(|s| s.columns.get(name));
        let mut slots = Vec::with_capacity(doc.columns.len());
        for c in doc.columns {
            let cs = spec(c.name);
            let wanted: Cow<str> = match cs.and_then(|cs| cs.from.as_deref()) {
                Some(from) => from.trim().into(),
                None => c.name.into(),
            };
            let explicit = cs.and_then(|cs| cs.from.as_deref()).is_some();
            let mut index = None;
            for (i, h) in trimmed.iter().enumerate() {
                let hit = if explicit {
                    *h == wanted.as_ref()
                } else {
                    header_map.rename(doc.stem, h) == c.name
                };
                if hit {
                    if index.is_some() {
                        found.duplicates.push((c.name, i));
                    }
                    index = Some(i);
                    taken[i] = true;
                }
            }
            let filled = cs.is_some_and(|cs| cs.default.is_some() || !cs.derive.is_empty());
            if index.is_none()
                && !filled
                && (explicit || (c.required && !optional.contains(&c.name)))
            {
                let near = closest(&wanted, trimmed.iter().copied()).map(str::to_string);
                found.missing.push((c.name, wanted.into_owned(), near));
            }
            slots.push(Slot {
                index,
                transform: cs.map(|cs| Transform::new(cs, c.ty, doc)),
            });
        }
        let mut attrs = Vec::new();
        if doc.stem == "accounts" {
            // Source-map attributes first, then headers the header map names `attr.<name>`.
            if let Some(s) = source {
                for (col, cs) in s.columns.iter().filter(|(k, _)| k.starts_with("attr.")) {
                    let wanted = cs.from.as_deref().unwrap_or(col).trim();
                    let index = trimmed.iter().position(|h| *h == wanted);
                    match index {
                        Some(i) => taken[i] = true,
                        None if cs.default.is_none() => found.missing.push((
                            "attr",
                            wanted.to_string(),
                            closest(wanted, trimmed.iter().copied()).map(str::to_string),
                        )),
                        None => {}
                    }
                    attrs.push((
                        col["attr.".len()..].to_string(),
                        Slot {
                            index,
                            transform: Some(Transform::new(cs, ColumnType::Text, doc)),
                        },
                    ));
                }
            }
            for (i, h) in trimmed.iter().enumerate() {
                let name = header_map.rename(doc.stem, h);
                if !taken[i] && name.starts_with("attr.") && name.len() > 5 {
                    taken[i] = true;
                    attrs.push((
                        name["attr.".len()..].to_string(),
                        Slot {
                            index: Some(i),
                            transform: None,
                        },
                    ));
                }
            }
        }
        found.unclaimed = (0..headers.len()).filter(|&i| !taken[i]).collect();
        let missing_values = if source.is_some() {
            missing_values.to_vec()
        } else {
            Vec::new()
        };
        (
            ColumnMap {
                doc,
                slots,
                attrs,
                missing_values,
            },
            found,
        )
    }

    /// The position of a documented column.
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.doc.columns.iter().position(|c| c.name == name)
    }

    /// Whether any column has a transform (the fast paths skip the general one otherwise).
    pub(super) fn transforms(&self) -> bool {
        self.slots.iter().any(|s| s.transform.is_some())
    }

    /// The header position of a documented column, when the file has it.
    pub(super) fn index(&self, name: &str) -> Option<usize> {
        self.position(name).and_then(|p| self.slots[p].index)
    }

    /// The text of column `name` in a row: `Ok(None)` when empty.
    pub(super) fn value<'a>(
        &self,
        name: &str,
        get: &dyn Fn(usize) -> Option<&'a str>,
    ) -> Result<Option<Cow<'a, str>>, ValueProblem> {
        match self.position(name) {
            Some(p) => self.slot_value(&self.slots[p], get),
            None => Ok(None),
        }
    }

    /// The text of an attribute slot.
    pub(super) fn attr_value<'a>(
        &self,
        slot: &Slot,
        get: &dyn Fn(usize) -> Option<&'a str>,
    ) -> Result<Option<Cow<'a, str>>, ValueProblem> {
        self.slot_value(slot, get)
    }

    fn slot_value<'a>(
        &self,
        slot: &Slot,
        get: &dyn Fn(usize) -> Option<&'a str>,
    ) -> Result<Option<Cow<'a, str>>, ValueProblem> {
        let cell = slot
            .index
            .and_then(get)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let Some(t) = &slot.transform else {
            return Ok(cell.map(Cow::Borrowed));
        };
        if !t.derive.is_empty() {
            let mut parts = Vec::with_capacity(t.derive.len());
            for &k in &t.derive {
                let name = self.doc.columns[k].name;
                match self.slot_value(&self.slots[k], get)? {
                    Some(v) => parts.push(v),
                    None => {
                        return Err((
                            ProblemKind::Missing,
                            format!("the id is derived from `{name}`, which is empty"),
                        ));
                    }
                }
            }
            return Ok(Some(Cow::Owned(parts.join(":"))));
        }
        let typed = !matches!(t.ty, ColumnType::Text);
        let cell = cell.filter(|s| !(typed && self.missing_values.iter().any(|m| m == s)));
        let Some(s) = cell else {
            return Ok(t.default.clone().map(Cow::Owned));
        };
        let mut out: Cow<'a, str> = match t.values.get(s) {
            Some(v) => Cow::Owned(v.clone()),
            None => Cow::Borrowed(s),
        };
        if let Some(fmt) = &t.format {
            out = Cow::Owned(reformat(&out, fmt, t.ty)?);
        }
        if let Some(scale) = t.scale {
            out = Cow::Owned(rescale(&out, scale)?);
        }
        Ok(Some(out))
    }
}

/// A date or timestamp in the given format, written as csops writes it.
fn reformat(s: &str, fmt: &str, ty: ColumnType) -> Result<String, ValueProblem> {
    let bad = || {
        (
            ProblemKind::Malformed,
            format!("`{s}` does not match the date format `{fmt}`"),
        )
    };
    if ty == ColumnType::Timestamp {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Ok(t
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::AutoSi, true));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true));
        }
        return NaiveDate::parse_from_str(s, fmt)
            .map(|d| format!("{d}T00:00:00Z"))
            .map_err(|_| bad());
    }
    NaiveDate::parse_from_str(s, fmt)
        .map(|d| d.to_string())
        .map_err(|_| bad())
}

/// `s × scale`, exactly, as text.
fn rescale(s: &str, scale: Decimal) -> Result<String, ValueProblem> {
    let d = super::values::exact_decimal(s).map_err(|e| {
        (
            ProblemKind::Malformed,
            format!("{e} (to multiply by {scale})"),
        )
    })?;
    d.checked_mul(scale)
        .map(|v| v.normalize().to_string())
        .ok_or_else(|| {
            (
                ProblemKind::OutOfRange,
                format!("`{s}` × {scale} is outside the range of an exact decimal"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_is_exact() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(rescale("37", d("0.01")).unwrap(), "0.37");
        assert_eq!(rescale("45.50", d("0.01")).unwrap(), "0.455");
        assert_eq!(rescale("1.5", d("1000")).unwrap(), "1500");
        assert_eq!(rescale("1e2", d("0.01")).unwrap(), "1");
        assert!(rescale("abc", d("0.01")).is_err());
        assert_eq!(
            rescale("79228162514264337593543950335", d("10"))
                .unwrap_err()
                .0,
            ProblemKind::OutOfRange
        );
    }

    #[test]
    fn dates_are_rewritten_from_their_format() {
        assert_eq!(
            reformat("03/15/2025", "%m/%d/%Y", ColumnType::Date).unwrap(),
            "2025-03-15"
        );
        assert!(reformat("15/03/2025", "%m/%d/%Y", ColumnType::Date).is_err());
        assert_eq!(
            reformat("15.03.2025 09:30", "%d.%m.%Y %H:%M", ColumnType::Timestamp).unwrap(),
            "2025-03-15T09:30:00Z"
        );
    }
}
