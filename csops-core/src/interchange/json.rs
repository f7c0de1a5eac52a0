//! JSON input: one document in the book layout ([`load_json`], [`load_json_str`]), tables as
//! JSON rows or columns ([`load_json_tables`]), records merged into a book ([`with_json`]),
//! and the [`JsonTable`] they are read through (numbers kept exactly as written).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

use crate::book::{Book, LoadMode, ValidationReport};
use crate::error::{Error, Result};
use crate::progress::{EVERY, ProgressHook};

use super::rows::{Fields, Table};
use super::schema::file_doc;
use super::tables::{assign, load_tables};
use super::write::write_json;
use super::{LoadOptions, Loaded, SCHEMA_VERSION};

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
            if (i as u64 + 1).is_multiple_of(EVERY) {
                progress.report(&stage, i as u64, total, "rows")?;
            }
            f(i as u64 + 1, row);
        }
        progress.report(&stage, self.rows.len() as u64, total, "rows")
    }
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
