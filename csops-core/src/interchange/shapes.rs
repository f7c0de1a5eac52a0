//! Exports that are not one record per row: a wide metric table, a role-change event log.
//!
//! Both are read row by row like any file (every row counted, every problem with its file,
//! row and field), then turned into csops' records:
//!
//! - a **wide metric table** row (account, period, one cell per metric) becomes one usage
//!   snapshot per metric column; an empty cell becomes a snapshot *without a value*, so the
//!   period is known to have no value and a feature never reaches back to an earlier one. A
//!   row with any bad cell is rejected whole.
//! - a **role-change log** becomes role spells: per contact and role, in date order, an
//!   `added` opens a spell and the next `removed` closes it. An `added` while the role is
//!   already held continues the spell (noted); a `removed` with no open spell follows
//!   [`RemovalWithoutAddition`] (noted, or rejected). A spell's rows are loaded or rejected
//!   together.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::read::{Ctx, file_problem, map_columns};
use super::rows::{RowReader, Table, raw_fields, reject_faulty_row};
use super::schema::file_doc;
use super::source_map::{ColumnSource, RemovalWithoutAddition, RoleEvents, WideMetrics};
use super::values::{clip, parse_date};
use crate::book::{Assembler, Position, ProblemKind};
use crate::error::Result;
use crate::record::{ContactRole, Role, UsageSnapshot};

/// Read a wide metric table as usage snapshots.
pub(super) fn read_wide_metrics(
    table: &mut dyn Table,
    wide: &WideMetrics,
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
) -> Result<()> {
    let doc = file_doc("usage_snapshots");
    let file = table.name().to_string();
    let headers = table.headers().to_vec();
    let mut optional = vec!["metric", "value"];
    if wide.period.is_some() {
        optional.push("period_start");
    }
    let (cols, unclaimed) = map_columns(doc, &file, &headers, ctx, asm, &[], &optional, true);
    let missing_values: Vec<String> = ctx.missing_values().to_vec();
    // Metric columns: (header position, header, metric name).
    let mut metrics: Vec<(usize, String, String)> = Vec::new();
    let mut fatal = cols.is_none();
    if wide.metrics.is_empty() {
        for &i in &unclaimed {
            let h = headers[i].trim().to_string();
            metrics.push((i, h.clone(), h));
        }
    } else {
        for (h, m) in &wide.metrics {
            match headers.iter().position(|x| x.trim() == h.trim()) {
                Some(i) => metrics.push((i, h.clone(), m.clone())),
                None => {
                    let near = super::source_map::closest(h, headers.iter().map(|x| x.trim()))
                        .map(|n| format!("; the closest header is `{}`", clip(n)))
                        .unwrap_or_default();
                    file_problem(
                        asm,
                        &file,
                        Some(h),
                        ProblemKind::Missing,
                        format!(
                            "metric column `{h}` is not in the file{near}; the file is not read"
                        ),
                    );
                    fatal = true;
                }
            }
        }
        for &i in &unclaimed {
            if !metrics.iter().any(|(j, _, _)| *j == i) {
                let h = clip(headers[i].trim());
                file_problem(
                    asm,
                    &file,
                    Some(&h),
                    ProblemKind::UnknownValue,
                    format!("unknown column `{h}`: list it in `wide.metrics`, or in `ignore`"),
                );
            }
        }
    }
    if metrics.is_empty() && !fatal {
        file_problem(
            asm,
            &file,
            None,
            ProblemKind::Missing,
            "a wide metric table needs at least one metric column; the file is not read".into(),
        );
        fatal = true;
    }
    if fatal {
        ctx.fatal = true;
    }
    let names: Vec<String> = metrics.iter().map(|(_, _, m)| m.clone()).collect();
    asm.note(
        &file,
        None,
        None,
        format!(
            "wide metric table: one usage snapshot per row and metric ({}); an empty cell is no value for that period",
            names.join(", ")
        ),
    );
    let shared: Arc<str> = file.as_str().into();
    table.for_each_row(&ctx.progress.clone(), &mut |line, fields| {
        asm.read(&file);
        let pos = Position {
            file: shared.clone(),
            row: line,
        };
        if reject_faulty_row(asm, &pos, &headers, fields) {
            return;
        }
        let (Some(cols), false) = (&cols, fatal) else {
            asm.reject(&pos, None, raw_fields(&headers, fields));
            return;
        };
        let mut r = RowReader {
            cols,
            fields,
            problems: Vec::new(),
        };
        let account_id = r.req_text("account_id");
        let period_end = r.req_date("period_end");
        let start = r.date("period_start");
        let mut named: Vec<(String, ProblemKind, String)> = Vec::new();
        let period_start = match (start, period_end, wide.period) {
            (Some(Some(s)), _, _) => Some(s),
            (Some(None), Some(end), Some(p)) => match p.start(end) {
                Some(s) => Some(s),
                None => {
                    r.bad(
                        "period_end",
                        ProblemKind::OutOfRange,
                        format!("no {p:?} ends on {end} within the calendar"),
                    );
                    None
                }
            },
            (Some(None), _, None) => {
                r.bad(
                    "period_start",
                    ProblemKind::Missing,
                    "`period_start` is required (or set `wide.period`)".into(),
                );
                None
            }
            _ => None,
        };
        let mut values = Vec::with_capacity(metrics.len());
        for (i, h, _) in &metrics {
            let cell = fields.get(*i).map(str::trim).unwrap_or("");
            if cell.is_empty() || missing_values.iter().any(|m| m == cell) {
                values.push(None);
                continue;
            }
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(Some(v)),
                _ => {
                    named.push((
                        h.clone(),
                        ProblemKind::Malformed,
                        format!("`{}` is not a finite number", clip(cell)),
                    ));
                    values.push(None);
                }
            }
        }
        let ok = r.problems.is_empty() && named.is_empty();
        let (Some(account_id), Some(period_start), Some(period_end), true) =
            (account_id, period_start, period_end, ok)
        else {
            for p in std::mem::take(&mut r.problems) {
                asm.problem(&pos, None, p);
            }
            for (field, kind, reason) in named {
                asm.problem_named(&pos, None, &field, kind, reason);
            }
            asm.reject(&pos, None, raw_fields(&headers, fields));
            return;
        };
        // A metric of this account and period already loaded from an earlier row: the whole
        // row is rejected, so a row is either loaded or not.
        let mut duplicate = false;
        for ((_, h, m), _) in metrics.iter().zip(&values) {
            if let Some(first) = asm.snapshot_row(&account_id, m, period_start) {
                asm.problem_named(
                    &pos,
                    None,
                    h,
                    ProblemKind::Duplicate,
                    format!(
                        "duplicate `{m}` snapshot for period starting {period_start}; first seen at row {first}"
                    ),
                );
                duplicate = true;
            }
        }
        if duplicate {
            asm.reject(&pos, None, raw_fields(&headers, fields));
            return;
        }
        let mut kept = true;
        for (k, ((_, _, m), v)) in metrics.iter().zip(values).enumerate() {
            let snap = UsageSnapshot {
                account_id: account_id.clone(),
                period_start,
                period_end,
                metric: m.clone(),
                value: v,
            };
            let added = asm.add_uncounted(&pos, snap);
            if k == 0 && !added {
                // The account or the period is what failed: the same for every metric.
                kept = false;
                break;
            }
        }
        if kept {
            asm.count_loaded(&file);
        } else {
            asm.reject(&pos, None, raw_fields(&headers, fields));
        }
    })
}

/// One row of a role-change log.
struct RoleEvent {
    pos: Position,
    contact_id: String,
    role: Role,
    date: NaiveDate,
    added: bool,
    raw: BTreeMap<String, String>,
}

/// Read a role-change event log as role spells.
pub(super) fn read_role_events(
    table: &mut dyn Table,
    ev: &RoleEvents,
    ctx: &mut Ctx<'_>,
    asm: &mut Assembler,
) -> Result<()> {
    let doc = file_doc("contact_roles");
    let file = table.name().to_string();
    let headers = table.headers().to_vec();
    let header_of = |c: &ColumnSource, default: &'static str| {
        c.from.clone().unwrap_or_else(|| default.to_string())
    };
    let (date_h, action_h) = (header_of(&ev.date, "date"), header_of(&ev.action, "event"));
    let claimed = [date_h.as_str(), action_h.as_str()];
    let (cols, _) = map_columns(doc, &file, &headers, ctx, asm, &claimed, &["added"], false);
    let find = |h: &str| headers.iter().position(|x| x.trim() == h.trim());
    let (date_i, action_i) = (find(&date_h), find(&action_h));
    let mut fatal = cols.is_none();
    for (what, h, i) in [("date", &date_h, date_i), ("action", &action_h, action_i)] {
        if i.is_none() {
            let near = super::source_map::closest(h, headers.iter().map(|x| x.trim()))
                .map(|n| format!("; the closest header is `{}`", clip(n)))
                .unwrap_or_default();
            file_problem(
                asm,
                &file,
                Some(h),
                ProblemKind::Missing,
                format!(
                    "the event {what} column `{h}` is not in the file{near}; the file is not read"
                ),
            );
            fatal = true;
        }
    }
    if fatal {
        ctx.fatal = true;
    }
    let missing_values: Vec<String> = ctx.missing_values().to_vec();
    asm.note(
        &file,
        None,
        None,
        format!(
            "role-change log: `{action_h}` rows {} open a role spell, {} close it; read as role spells",
            ev.added.join("/"),
            ev.removed.join("/")
        ),
    );
    let shared: Arc<str> = file.as_str().into();
    let mut events: Vec<RoleEvent> = Vec::new();
    table.for_each_row(&ctx.progress.clone(), &mut |line, fields| {
        asm.read(&file);
        let pos = Position {
            file: shared.clone(),
            row: line,
        };
        if reject_faulty_row(asm, &pos, &headers, fields) {
            return;
        }
        let (Some(cols), Some(di), Some(ai), false) = (&cols, date_i, action_i, fatal) else {
            asm.reject(&pos, None, raw_fields(&headers, fields));
            return;
        };
        let mut r = RowReader {
            cols,
            fields,
            problems: Vec::new(),
        };
        let contact_id = r.req_text("contact_id");
        let role = r.enumeration::<Role>("role");
        let mut named: Vec<(String, ProblemKind, String)> = Vec::new();
        let cell = |i: usize| {
            fields
                .get(i)
                .map(str::trim)
                .filter(|s| !s.is_empty() && !missing_values.iter().any(|m| m == s))
        };
        let date = match cell(di) {
            None => {
                named.push((
                    date_h.clone(),
                    ProblemKind::Missing,
                    format!("`{date_h}` is required"),
                ));
                None
            }
            Some(s) => {
                let parsed = match &ev.date.format {
                    Some(f) => NaiveDate::parse_from_str(s, f)
                        .map_err(|_| format!("`{}` does not match the date format `{f}`", clip(s))),
                    None => parse_date(s).map_err(|(_, reason)| reason),
                };
                match parsed {
                    Ok(d) => Some(d),
                    Err(reason) => {
                        named.push((date_h.clone(), ProblemKind::Malformed, reason));
                        None
                    }
                }
            }
        };
        let added = match cell(ai) {
            None => {
                named.push((
                    action_h.clone(),
                    ProblemKind::Missing,
                    format!("`{action_h}` is required"),
                ));
                None
            }
            Some(s) => {
                let v = ev.action.values.get(s).map_or(s, String::as_str);
                if ev.added.iter().any(|a| a == v) {
                    Some(true)
                } else if ev.removed.iter().any(|a| a == v) {
                    Some(false)
                } else {
                    named.push((
                        action_h.clone(),
                        ProblemKind::UnknownValue,
                        format!(
                            "`{}` is neither an addition ({}) nor a removal ({})",
                            clip(s),
                            ev.added.join(", "),
                            ev.removed.join(", ")
                        ),
                    ));
                    None
                }
            }
        };
        match (
            contact_id,
            role,
            date,
            added,
            r.problems.is_empty() && named.is_empty(),
        ) {
            (Some(contact_id), Some(role), Some(date), Some(added), true) => {
                events.push(RoleEvent {
                    pos,
                    contact_id,
                    role,
                    date,
                    added,
                    raw: raw_fields(&headers, fields),
                })
            }
            _ => {
                for p in std::mem::take(&mut r.problems) {
                    asm.problem(&pos, None, p);
                }
                for (field, kind, reason) in named {
                    asm.problem_named(&pos, None, &field, kind, reason);
                }
                asm.reject(&pos, None, raw_fields(&headers, fields));
            }
        }
    })?;
    // Per contact and role, in date order (rows of one day in file order).
    events.sort_by(|a, b| {
        (&a.contact_id, a.role.to_string(), a.date, a.pos.row).cmp(&(
            &b.contact_id,
            b.role.to_string(),
            b.date,
            b.pos.row,
        ))
    });
    let mut spells: Vec<(ContactRole, Vec<RoleEvent>)> = Vec::new();
    let mut open: Option<(ContactRole, Vec<RoleEvent>)> = None;
    let same = |s: &ContactRole, e: &RoleEvent| s.contact_id == e.contact_id && s.role == e.role;
    for e in events {
        if let Some((s, _)) = &open
            && !same(s, &e)
        {
            spells.push(open.take().expect("checked above"));
        }
        match (&mut open, e.added) {
            (Some((s, rows)), true) => {
                asm.note(
                    &e.pos.file,
                    Some(e.pos.row),
                    Some("added"),
                    format!(
                        "`{}` added again for {} while held since {} (row {}); the spell continues",
                        e.role, e.contact_id, s.added, rows[0].pos.row
                    ),
                );
                rows.push(e);
            }
            (None, true) => {
                open = Some((
                    ContactRole {
                        contact_id: e.contact_id.clone(),
                        role: e.role,
                        added: e.date,
                        removed: None,
                    },
                    vec![e],
                ));
            }
            (Some(_), false) => {
                let (mut s, mut rows) = open.take().expect("matched Some");
                s.removed = Some(e.date);
                rows.push(e);
                spells.push((s, rows));
            }
            (None, false) => match ev.removal_without_addition {
                RemovalWithoutAddition::AccountStart => {
                    let start = asm
                        .contact_account_start(&e.contact_id)
                        .map_or(e.date, |d| d.min(e.date));
                    asm.note(
                        &e.pos.file,
                        Some(e.pos.row),
                        Some("added"),
                        format!(
                            "`{}` of {} removed on {} with no earlier addition in the log: taken as held from the account's start, {start}",
                            e.role, e.contact_id, e.date
                        ),
                    );
                    spells.push((
                        ContactRole {
                            contact_id: e.contact_id.clone(),
                            role: e.role,
                            added: start,
                            removed: Some(e.date),
                        },
                        vec![e],
                    ));
                }
                RemovalWithoutAddition::Reject => {
                    asm.problem_named(
                        &e.pos,
                        None,
                        &action_h,
                        ProblemKind::Inconsistent,
                        format!(
                            "`{}` of {} removed on {} with no earlier addition in the log",
                            e.role, e.contact_id, e.date
                        ),
                    );
                    asm.reject(&e.pos, None, e.raw);
                }
            },
        }
    }
    spells.extend(open);
    // In the order of their first row, as a file of spells would have been read.
    spells.sort_by_key(|(_, rows)| rows[0].pos.row);
    for (spell, rows) in spells {
        let first = rows[0].pos.clone();
        if asm.add_uncounted(&first, spell) {
            for r in &rows {
                asm.count_loaded(&r.pos.file);
            }
        } else {
            for (k, r) in rows.into_iter().enumerate() {
                if k > 0 {
                    asm.problem_named(
                        &r.pos,
                        None,
                        "contact_id",
                        ProblemKind::Inconsistent,
                        format!("part of the role spell rejected at row {}", first.row),
                    );
                }
                asm.reject(&r.pos, None, r.raw);
            }
        }
    }
    Ok(())
}
