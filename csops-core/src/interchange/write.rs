//! Writing a book: as a directory of CSV files, CSV texts, or one JSON document, in the
//! layout loading reads.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::book::Book;
use crate::error::{Error, Result};

use super::SCHEMA_VERSION;
use super::schema::{ColumnType, file_doc};
use super::tabular::Tabular;
use super::values::fmt_timestamp_ms;

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
