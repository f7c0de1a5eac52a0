//! Reading tables into the assembler, per record type: matching a table's headers to its
//! columns (and reporting what does not fit), then each row as a record ([`read_table`]),
//! usage events on their fast path, and FX rates.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::book::{Assembler, FieldProblem, Position, Problem, ProblemKind};
use crate::error::Result;
use crate::money::{Currency, FxTable};
use crate::progress::ProgressHook;

use super::columns::ColumnMap;
use super::header_map::HeaderMap;
use super::pipeline::{self, Journal, RowLog};
use super::rows::{Fields, RowReader, Table, raw_fields, reject_faulty_row};
use super::schema::{FileDoc, file_doc};
use super::source_map::{RecordSource, SourceMap};
use super::tabular::{Tabular, opt};
use super::values::{clip, clip_in, parse_date, parse_timestamp};

pub(super) fn file_problem(
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
/// What the readers of one load share: the maps, and whether a file lacked a column.
pub(super) struct Ctx<'o> {
    pub(super) header_map: &'o HeaderMap,
    /// Threads the load may use ([`super::LoadOptions::threads`], resolved).
    pub(super) threads: usize,
    pub(super) source: Option<&'o SourceMap>,
    /// Some file lacked a required column: the load fails, whatever its mode.
    pub(super) fatal: bool,
    pub(super) progress: ProgressHook,
}

impl Ctx<'_> {
    pub(super) fn record(&self, stem: &str) -> Option<&RecordSource> {
        self.source.and_then(|s| s.record(stem))
    }
    pub(super) fn missing_values(&self) -> &[String] {
        self.source.map_or(&[], |s| s.missing_values.as_slice())
    }
}

/// Match a table's headers to a record type's columns and report what does not fit: a header
/// claimed twice, an unknown header (unless `keep_unclaimed`: a wide table's metrics), a
/// required column with no source (fatal for the load; then `None`, and every row of the file
/// is rejected). Also notes the source map's transforms of the file.
#[allow(clippy::too_many_arguments)]
pub(super) fn map_columns(
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

/// Read one table of records into the assembler: rows read into records (on a second thread
/// when the load has more than one, see [`super::pipeline`]), then vetted and kept by `sink` in
/// file order.
pub(super) fn read_table<T: Tabular + Send>(
    table: &mut dyn Table,
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
    mut sink: impl FnMut(&mut Assembler, Position, T),
) -> Result<()> {
    let doc = file_doc(T::STEM);
    let file = table.name().to_string();
    let headers = table.headers().to_vec();
    let (cols, _) = map_columns(doc, &file, &headers, ctx, asm, &[], &[], false);
    let shared: Arc<str> = file.as_str().into();
    let read = |table: &mut dyn Table, hook: &ProgressHook, log: &mut Journal<'_, T>| {
        // One position for every row, its name cloned only into a problem or a rejected row.
        let mut pos = Position {
            file: shared.clone(),
            row: 0,
        };
        table.for_each_row(hook, &mut |line, fields| {
            log.read();
            pos.row = line;
            read_row(log, &pos, &headers, cols.as_ref(), fields);
            log.row_done();
        })
    };
    let keep = |asm: &mut Assembler, pos, rec, _: &str| sink(asm, pos, rec);
    let progress = ctx.progress.clone();
    pipeline::read_into(asm, table, &shared, ctx.threads, &progress, read, keep)
}

/// One row of a table of records: its record, or its problems and the row rejected.
fn read_row<T: Tabular>(
    log: &mut Journal<'_, T>,
    pos: &Position,
    headers: &[String],
    cols: Option<&ColumnMap>,
    fields: &dyn Fields,
) {
    if reject_faulty_row(log, pos, headers, fields) {
        return;
    }
    let Some(cols) = cols else {
        log.reject(pos, None, raw_fields(headers, fields));
        return;
    };
    let mut r = RowReader {
        cols,
        fields,
        problems: Vec::new(),
    };
    let rec = T::parse(&mut r);
    match rec {
        Some(rec) if r.problems.is_empty() => log.keep(pos.row, rec),
        _ => {
            let id = r.raw("id").map(Cow::into_owned);
            for p in std::mem::take(&mut r.problems) {
                log.problem(Problem::at(pos, id.as_deref(), p));
            }
            log.reject(pos, id.as_deref(), raw_fields(headers, fields));
        }
    }
}

/// A usage event read from its row: its account (resolved by the reading half), its account
/// id, user and feature as ranges of the chunk's text (one arena a chunk, not three strings an
/// event), its time, whether the time had digits below the millisecond, and, for an event the
/// book will reject (unknown account, empty name), the row's raw fields.
struct UsageCells {
    account: Option<usize>,
    names: [(u32, u32); 3],
    ms: i64,
    finer: bool,
    fields: Option<BTreeMap<String, String>>,
}

/// Usage events: the hot path, read without building a record per row.
pub(super) fn read_usage(
    table: &mut dyn Table,
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
) -> Result<()> {
    let doc = file_doc("usage_events");
    let file = table.name().to_string();
    let headers = table.headers().to_vec();
    let (cols, _) = map_columns(doc, &file, &headers, ctx, asm, &[], &[], false);
    let names = ["account_id", "user_id", "feature", "timestamp"];
    let idx = cols
        .as_ref()
        .map(|c| names.map(|n| c.index(n).unwrap_or(usize::MAX)));
    let transforms = cols.as_ref().is_some_and(ColumnMap::transforms);
    let shared: Arc<str> = file.as_str().into();
    let index = asm.lend_account_index();
    let read = |table: &mut dyn Table, hook: &ProgressHook, log: &mut Journal<'_, UsageCells>| {
        // One position for every row, its name cloned only into a problem or a rejected row.
        let mut pos = Position {
            file: shared.clone(),
            row: 0,
        };
        table.for_each_row(hook, &mut |line, fields| {
            log.read();
            pos.row = line;
            if reject_faulty_row(log, &pos, &headers, fields) {
                log.row_done();
                return;
            }
            let (Some(cols), Some(idx)) = (&cols, idx) else {
                log.reject(&pos, None, raw_fields(&headers, fields));
                log.row_done();
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
                    let account = index.get(values[0].as_deref().unwrap_or_default()).copied();
                    // The raw fields go along only for a row the book will reject (an unknown
                    // account, an empty name): kept rows carry none.
                    let doubtful = account.is_none()
                        || (1..3).any(|k| values[k].as_deref().is_none_or(|v| v.trim().is_empty()));
                    let fields = doubtful.then(|| raw_fields(&headers, fields));
                    let text = log.text();
                    let mut put = |k: usize| {
                        let from = text.len() as u32;
                        text.push_str(values[k].as_deref().unwrap_or_default());
                        (from, text.len() as u32)
                    };
                    let names = [put(0), put(1), put(2)];
                    log.keep(
                        pos.row,
                        UsageCells {
                            account,
                            names,
                            ms,
                            finer,
                            fields,
                        },
                    );
                }
                _ => {
                    for p in problems {
                        log.problem(Problem::at(&pos, None, p));
                    }
                    log.reject(&pos, None, raw_fields(&headers, fields));
                }
            }
            log.row_done();
        })
    };
    let keep = |asm: &mut Assembler, pos: Position, ev: UsageCells, text: &str| {
        let name = |k: usize| &text[ev.names[k].0 as usize..ev.names[k].1 as usize];
        if !asm.add_usage_event(&pos, ev.account, name(0), name(1), name(2), ev.ms) {
            asm.reject(&pos, None, ev.fields.unwrap_or_default());
        } else if ev.finer {
            asm.finer_than_ms(&pos);
        }
    };
    let progress = ctx.progress.clone();
    let read = pipeline::read_into(asm, table, &shared, ctx.threads, &progress, read, keep);
    asm.return_account_index(index);
    read
}

pub(super) fn read_fx(
    tables: Vec<Box<dyn Table>>,
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
) -> Result<()> {
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
            None => asm.count_loaded(&pos.file),
        }
    }
    asm.fx = Some(fx);
    Ok(())
}
