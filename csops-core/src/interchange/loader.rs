//! Load orchestration: the entry points for a directory, CSV texts in memory, and a path of
//! either kind (files assigned and read by [`super::tables`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

use super::csv_file::CsvTable;
use super::json::load_json;
use super::rows::Table;
use super::tables::{assign, load_tables};
use super::{LoadOptions, Loaded};

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
        return Ok(Box::new(super::arrow::parquet_table(
            path,
            name.to_string(),
        )?));
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
/// [`LoadMode::Strict`](crate::book::LoadMode::Strict) any problem returns [`Error::Validation`] with every problem; in
/// [`LoadMode::Lenient`](crate::book::LoadMode::Lenient) the valid rows load and the report lists the rest. A file that lacks
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
