//! Data quality: what the load found, by file and kind of problem.

use std::collections::BTreeMap;

use crate::Result;
use crate::book::ValidationReport;
use crate::render::grouped;
use crate::report::{Section, Table};

/// The data-quality section of a load's validation report.
pub fn section(report: &ValidationReport) -> Result<Section> {
    let read: u64 = report.files.values().map(|c| c.read).sum();
    let rejected: u64 = report.files.values().map(|c| c.rejected).sum();
    let answer = if report.problems.is_empty() {
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
    let mut s = Section::new("quality", "Data quality", answer);
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
    s.tables.push(files);
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
    Ok(s)
}
