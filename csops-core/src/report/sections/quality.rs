//! Data quality: what the load found, by file and kind of problem, and how fresh each feed
//! is on the report's day.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::Result;
use crate::book::{Book, ValidationReport};
use crate::render::grouped;
use crate::report::{Section, Table};

/// The section's anchor in the page.
pub const ID: &str = "quality";
/// The section's heading.
pub const TITLE: &str = "Data quality";

/// How often each dated feed is expected to bring something new, in days: a feed whose
/// latest record is older than this on the report's day is called stale. A heuristic (daily
/// usage within a week, monthly snapshots within five weeks, …), not a rule of any tool;
/// renewal outcomes come when renewals do, so they are listed but never stale.
pub const EXPECTED_EVERY_DAYS: [(&str, i64); 6] = [
    ("usage_events", 7),
    ("tickets", 14),
    ("meetings", 30),
    ("surveys", 60),
    ("usage_snapshots", 35),
    ("arr_snapshots", 35),
];

/// The feeds whose latest record is older than expected on `as_of`, with how many days.
pub fn stale_feeds(book: &Book, as_of: NaiveDate) -> Vec<(&'static str, i64)> {
    let latest = book.latest_dates();
    EXPECTED_EVERY_DAYS
        .iter()
        .filter_map(|&(feed, every)| {
            let days = (as_of - *latest.get(feed)?).num_days();
            (days > every).then_some((feed, days))
        })
        .collect()
}

/// The data-quality section: the load's validation report (when there is one) and each
/// feed's freshness on `as_of`.
pub fn section(
    report: Option<&ValidationReport>,
    book: &Book,
    as_of: NaiveDate,
) -> Result<Section> {
    let given = report.is_some();
    let empty = ValidationReport::default();
    let report = report.unwrap_or(&empty);
    let read: u64 = report.files.values().map(|c| c.read).sum();
    let rejected: u64 = report.files.values().map(|c| c.rejected).sum();
    let answer = if !given {
        "No load report was given, so problems with the rows are not shown.".to_string()
    } else if report.problems.is_empty() {
        format!(
            "The book is clean: {} rows read from {} files, none rejected.",
            grouped(&read.to_string()),
            report.files.len()
        )
    } else {
        format!(
            "{} problem(s) in {} rows read from {} files; {rejected} row(s) were rejected and are not in any figure below.",
            report.problems.len(),
            grouped(&read.to_string()),
            report.files.len()
        )
    };
    let stale = stale_feeds(book, as_of);
    let answer = if stale.is_empty() {
        format!("{answer} Every feed is current on {as_of}.")
    } else {
        format!(
            "{answer} Stale on {as_of}: {}.",
            stale
                .iter()
                .map(|(f, d)| format!("{f} (last {d} days before)"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut s = Section::new(ID, TITLE, answer);
    let latest = book.latest_dates();
    let mut fresh = Table::new(
        &format!("Freshness of each feed on {as_of}"),
        &[
            "feed",
            "latest record",
            "days before",
            "expected every",
            "status",
        ],
        &["days before", "expected every"],
    );
    for (feed, day) in &latest {
        let every = EXPECTED_EVERY_DAYS
            .iter()
            .find(|(f, _)| f == feed)
            .map(|(_, e)| *e);
        let days = (as_of - *day).num_days();
        fresh.row(vec![
            (*feed).to_string(),
            day.to_string(),
            days.to_string(),
            every.map_or("-".into(), |e| format!("{e} days")),
            match every {
                Some(e) if days > e => "stale".into(),
                Some(_) => "current".into(),
                None => "event-driven".into(),
            },
        ]);
    }
    let mut files = Table::new(
        "Rows by file",
        &["file", "read", "loaded", "rejected"],
        &["read", "loaded", "rejected"],
    );
    for (file, c) in &report.files {
        files.row(vec![
            file.clone(),
            grouped(&c.read.to_string()),
            grouped(&c.loaded.to_string()),
            grouped(&c.rejected.to_string()),
        ]);
    }
    if given {
        s.tables.push(files);
    }
    let mut kinds: BTreeMap<(&str, &str), (u64, Option<&crate::book::Problem>)> = BTreeMap::new();
    for p in &report.problems {
        let e = kinds
            .entry((p.file.as_str(), p.kind.as_str()))
            .or_insert((0, None));
        e.0 += 1;
        e.1.get_or_insert(p);
    }
    if !kinds.is_empty() {
        let mut t = Table::new(
            "Problems by file and kind, with the first of each",
            &["file", "kind", "problems", "first"],
            &["problems"],
        );
        for ((file, kind), (n, first)) in kinds {
            t.row(vec![
                file.into(),
                kind.into(),
                n.to_string(),
                first.map(ToString::to_string).unwrap_or_default(),
            ]);
        }
        s.tables.push(t);
    }
    for n in &report.notes {
        s.notes.push(n.to_string());
    }
    s.tables.insert(1.min(s.tables.len()), fresh);
    s.notes.push(
        "A feed is stale when its latest record is older than it is expected to be (a heuristic cadence per feed); renewal outcomes come with renewals and are never stale."
            .into(),
    );
    Ok(s)
}
