//! Load orchestration: which file holds which record type ([`assign`]), reading every table
//! in dependency order into one book ([`load_tables`]), and the entry points for a directory,
//! CSV texts in memory, and a path of either kind.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::book::{Assembler, LoadMode, Origin, ProblemKind};
use crate::error::{Error, Result};
use crate::record::*;

use super::csv_file::CsvTable;
use super::json::load_json;
use super::read::{Ctx, file_problem, read_fx, read_table, read_usage};
use super::rows::Table;
use super::schema::FILES;
use super::source_map::SourceMap;
use super::{LoadOptions, Loaded};

/// The files of a source, assigned to record types: each record type's file names (or glob
/// patterns, from the source map) matched against the names the source holds.
#[derive(Debug, Default)]
pub(super) struct Assignment {
    /// Record type → the names of its files, sorted.
    files: BTreeMap<&'static str, Vec<String>>,
    /// Names no record type claims.
    pub(super) unclaimed: Vec<String>,
    /// Patterns of the source map that matched nothing: (record type, pattern).
    unmatched: Vec<(&'static str, String)>,
}

/// Assign `names` (file names, or a JSON document's keys) to record types. Without a source
/// map entry, a record type's file is `default_name(stem)`.
pub(super) fn assign(
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
pub(super) fn load_tables(
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
                super::shapes::read_role_events(t.as_mut(), &ev, &mut ctx, &mut asm)?;
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
                super::shapes::read_wide_metrics(t.as_mut(), &wide, &mut ctx, &mut asm)?;
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
