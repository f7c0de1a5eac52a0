//! From tables to a book: which table holds which record type ([`assign`]: the default file
//! names, or a source map's patterns), and reading every table in dependency order into one
//! book ([`load_tables`]). Every source (CSV files, CSV texts, JSON documents, Arrow tables,
//! Parquet files) ends here.

use std::collections::BTreeMap;

use crate::book::{Assembler, LoadMode, Origin, ProblemKind};
use crate::error::{Error, Result};
use crate::record::*;

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
        threads: opts.threads()?,
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
    let (book, mut report) = asm.finish(mode, ctx.threads)?;
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
