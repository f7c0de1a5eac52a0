//! Deliberately bad rows, for the sample book: realistic export mistakes appended to a written
//! book, one per validation rule ([`append_bad_rows`]).

use std::fs;
use std::io::{BufRead, Write};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::book::ProblemKind;
use crate::error::{Error, Result};

use super::csv_sink::{csv_err, io_err};
use super::helpers::days;

/// One deliberately bad row appended by [`append_bad_rows`], and the validation rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    /// The file, e.g. `tickets.csv`.
    pub file: String,
    /// Its line in the file (the header is line 1), as the validation report gives it.
    pub line: u64,
    /// The field the problem is reported on.
    pub field: String,
    /// The kind of problem validation reports.
    pub kind: ProblemKind,
    /// The rule the row breaks, in a few words.
    pub rule: String,
    /// The export mistake the row imitates.
    pub story: String,
}

/// Append a handful of realistic export mistakes to a book directory written by
/// [`generate_to_csv_dir`], one per validation rule: a duplicate account id, a negative ARR, a
/// ticket for an account that does not exist, a ticket closed before it opened, an unknown
/// priority, an NPS of 11, a usage event without a user, a malformed date and a probability
/// given in percent. Every other row stays valid, so a lenient load reports exactly these
/// problems. Returns what was appended, in order.
///
/// [`generate_to_csv_dir`]: crate::synth::generate_to_csv_dir
pub fn append_bad_rows(dir: impl AsRef<Path>) -> Result<Vec<BadRow>> {
    let dir = dir.as_ref();
    let accounts = read_table(&dir.join("accounts.csv"))?;
    let (hdr, rows) = &accounts;
    let col = |name: &str| hdr.iter().position(|h| h == name);
    let (Some(ci), Some(cs), Some(co)) = (col("id"), col("start_date"), col("owner_csm")) else {
        return Err(Error::Format {
            file: "accounts.csv".into(),
            reason: "expected id, start_date and owner_csm columns".into(),
        });
    };
    if rows.is_empty() {
        return Err(Error::Format {
            file: "accounts.csv".into(),
            reason: "the book has no accounts to build bad rows around".into(),
        });
    }
    let victim = &rows[41.min(rows.len() - 1)];
    let width = rows[0][ci].len().saturating_sub(2).max(5);
    let n = rows.len();
    let acct = |k: usize| rows[k.min(n - 1)][ci].clone();
    let latest_start = rows
        .iter()
        .filter_map(|r| r[cs].parse::<NaiveDate>().ok())
        .max()
        .unwrap_or_default();
    let day = |back: i64| days(latest_start, -back).to_string();
    let other_csm = rows
        .iter()
        .map(|r| r[co].clone())
        .find(|c| !c.is_empty() && *c != victim[co])
        .unwrap_or_else(|| "dana.reyes".into());
    let n_tickets = read_table(&dir.join("tickets.csv"))?.1.len();
    let n_surveys = read_table(&dir.join("surveys.csv"))?.1.len();
    let n_meetings = read_table(&dir.join("meetings.csv"))?.1.len();
    let n_opps = read_table(&dir.join("opportunities.csv"))?.1.len();
    let mut out = Vec::new();

    // 1. Duplicate account id: the same account exported twice after a CRM owner change.
    let mut dup: Vec<(String, String)> = hdr.iter().cloned().zip(victim.iter().cloned()).collect();
    dup[co].1 = other_csm;
    let line = append_row(dir, "accounts.csv", &dup)?;
    out.push(BadRow {
        file: "accounts.csv".into(),
        line,
        field: "id".into(),
        kind: ProblemKind::Duplicate,
        rule: "account ids are unique".into(),
        story: format!(
            "account {} exported a second time after an owner change in the CRM",
            victim[ci]
        ),
    });
    // 2. Negative ARR: a refund netted into the ARR field by the billing export.
    let new_id = format!("A-{:0width$}", n + 1);
    let line = append_fields(
        dir,
        "accounts.csv",
        &[
            ("id", new_id.clone()),
            ("name", "Harbor Point Dental Co.".into()),
            ("segment", "smb".into()),
            ("region", "NA".into()),
            ("plan", "starter".into()),
            ("currency", "USD".into()),
            ("arr", "-1250.00".into()),
            ("seats", "4".into()),
            ("start_date", day(200)),
            ("term_months", "12".into()),
        ],
    )?;
    out.push(BadRow {
        file: "accounts.csv".into(),
        line,
        field: "arr".into(),
        kind: ProblemKind::Negative,
        rule: "amounts are not negative".into(),
        story: format!("{new_id}: a refund netted into ARR by the billing export (-1250.00)"),
    });
    // 3. Unknown account: a ticket for an account merged away in the CRM.
    let ghost = format!("A-{:0width$}", n + 57);
    let line = append_fields(
        dir,
        "tickets.csv",
        &[
            ("id", format!("T-{:06}", n_tickets + 1)),
            ("account_id", ghost.clone()),
            ("opened", day(40)),
            ("closed", day(38)),
            ("priority", "normal".into()),
            ("status", "closed".into()),
            ("escalated", "false".into()),
        ],
    )?;
    out.push(BadRow {
        file: "tickets.csv".into(),
        line,
        field: "account_id".into(),
        kind: ProblemKind::UnknownReference,
        rule: "records refer to existing accounts".into(),
        story: format!("a ticket for {ghost}, an account merged away in the CRM"),
    });
    // 4. Closed before opened: the support desk swapped the two dates.
    let line = append_fields(
        dir,
        "tickets.csv",
        &[
            ("id", format!("T-{:06}", n_tickets + 2)),
            ("account_id", acct(6)),
            ("opened", day(12)),
            ("closed", day(14)),
            ("priority", "high".into()),
            ("status", "closed".into()),
            ("escalated", "false".into()),
            ("csat", "2".into()),
        ],
    )?;
    out.push(BadRow {
        file: "tickets.csv".into(),
        line,
        field: "closed".into(),
        kind: ProblemKind::DatesOutOfOrder,
        rule: "a ticket closes on or after it opens".into(),
        story: "opened and closed dates swapped by the support-desk export".into(),
    });
    // 5. Unknown priority: a value from another help desk's vocabulary.
    let line = append_fields(
        dir,
        "tickets.csv",
        &[
            ("id", format!("T-{:06}", n_tickets + 3)),
            ("account_id", acct(11)),
            ("opened", day(9)),
            ("priority", "critical".into()),
            ("status", "open".into()),
            ("escalated", "true".into()),
        ],
    )?;
    out.push(BadRow {
        file: "tickets.csv".into(),
        line,
        field: "priority".into(),
        kind: ProblemKind::UnknownValue,
        rule: "priority is one of low, normal, high, urgent".into(),
        story: "priority `critical` from a help desk with its own scale".into(),
    });
    // 6. NPS 11: a 1–11 answer scale mapped off by one.
    let line = append_fields(
        dir,
        "surveys.csv",
        &[
            ("id", format!("S-{:06}", n_surveys + 1)),
            ("account_id", acct(17)),
            ("date", day(20)),
            ("kind", "nps".into()),
            ("score", "11".into()),
            ("comment", "Would recommend to anyone".into()),
        ],
    )?;
    out.push(BadRow {
        file: "surveys.csv".into(),
        line,
        field: "score".into(),
        kind: ProblemKind::OutOfRange,
        rule: "an NPS score is 0–10".into(),
        story: "an NPS of 11 from a survey tool whose 1–11 scale was mapped off by one".into(),
    });
    // 7. Missing required field: an anonymous telemetry event.
    let line = append_fields(
        dir,
        "usage_events.csv",
        &[
            ("account_id", acct(2)),
            ("user_id", String::new()),
            ("feature", "login".into()),
            ("timestamp", format!("{}T08:15:02Z", day(3))),
        ],
    )?;
    out.push(BadRow {
        file: "usage_events.csv".into(),
        line,
        field: "user_id".into(),
        kind: ProblemKind::Missing,
        rule: "user_id is required".into(),
        story: "an anonymous (logged-out) event with no user id".into(),
    });
    // 8. Malformed date: a meeting date re-typed in a spreadsheet, US style.
    let us_date = days(latest_start, -30);
    let line = append_fields(
        dir,
        "meetings.csv",
        &[
            ("id", format!("M-{:06}", n_meetings + 1)),
            ("account_id", acct(23)),
            ("kind", "qbr".into()),
            (
                "date",
                format!(
                    "{:02}/{:02}/{}",
                    us_date.month(),
                    us_date.day(),
                    us_date.year()
                ),
            ),
            ("attendee_roles", "champion;admin".into()),
        ],
    )?;
    out.push(BadRow {
        file: "meetings.csv".into(),
        line,
        field: "date".into(),
        kind: ProblemKind::Malformed,
        rule: "dates are YYYY-MM-DD".into(),
        story: "a meeting date edited in a spreadsheet and saved as MM/DD/YYYY".into(),
    });
    // 9. Probability in percent: `85` where the CRM API would say 0.85.
    let close = days(latest_start, 90);
    let line = append_fields(
        dir,
        "opportunities.csv",
        &[
            ("id", format!("O-{:06}", n_opps + 1)),
            ("account_id", acct(29)),
            ("kind", "expansion".into()),
            ("currency", "USD".into()),
            ("amount", "12000.00".into()),
            ("close_date", close.to_string()),
            ("stage", "Negotiation".into()),
            ("status", "open".into()),
            ("probability", "85".into()),
            ("forecast_category", "commit".into()),
            ("created", day(10)),
        ],
    )?;
    out.push(BadRow {
        file: "opportunities.csv".into(),
        line,
        field: "probability".into(),
        kind: ProblemKind::OutOfRange,
        rule: "probability is 0–1".into(),
        story: "probability exported as a percentage (85) from a CRM report".into(),
    });
    Ok(out)
}

/// Header and rows of a CSV file.
fn read_table(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let fmt = |e: csv::Error| Error::Format {
        file: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(fmt)?;
    let hdr = rd
        .headers()
        .map_err(fmt)?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for rec in rd.records() {
        rows.push(rec.map_err(fmt)?.iter().map(String::from).collect());
    }
    Ok((hdr, rows))
}

/// Append a row given as (column, value) pairs in header order; returns its line number.
fn append_row(dir: &Path, file: &str, fields: &[(String, String)]) -> Result<u64> {
    let path = dir.join(file);
    let lines = {
        let f = fs::File::open(&path).map_err(io_err(&path))?;
        std::io::BufReader::new(f).lines().count() as u64
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields.iter().map(|(_, v)| v))
        .map_err(csv_err(&path))?;
    let bytes = w.into_inner().map_err(|e| Error::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(io_err(&path))?;
    f.write_all(&bytes).map_err(io_err(&path))?;
    Ok(lines + 1)
}

/// Append a row from named values; other columns are left empty.
fn append_fields(dir: &Path, file: &str, values: &[(&str, String)]) -> Result<u64> {
    let path = dir.join(file);
    let hdr: Vec<String> = csv::Reader::from_path(&path)
        .and_then(|mut r| Ok(r.headers()?.iter().map(String::from).collect()))
        .map_err(csv_err(&path))?;
    let fields: Vec<(String, String)> = hdr
        .iter()
        .map(|h| {
            let v = values
                .iter()
                .find(|(k, _)| k == h)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (h.clone(), v)
        })
        .collect();
    append_row(dir, file, &fields)
}
