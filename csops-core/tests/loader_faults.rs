//! The loader's faults (issue 17): nothing lost, nothing altered. Each test feeds an input a
//! careless or hostile export would give and checks that the value is taken exactly as
//! written or rejected with its file, row and field, never silently changed.

use std::collections::BTreeMap;

use csops_core::book::LoadMode;
use csops_core::book::ProblemKind;
use csops_core::interchange::{LoadOptions, Loaded, load_csv_texts};

fn lenient(files: &[(&str, &str)]) -> Loaded {
    let texts: BTreeMap<String, String> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    load_csv_texts(
        &texts,
        &LoadOptions {
            mode: LoadMode::Lenient,
            ..Default::default()
        },
    )
    .unwrap()
}

fn account_with_start(start: &str) -> Loaded {
    lenient(&[(
        "accounts",
        &format!(
            "id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\nA2,Beta,USD,10,{start}\n"
        ),
    )])
}

#[test]
fn a_day_must_be_written_yyyy_mm_dd() {
    for bad in [
        "24-01-01",
        "2026-1-1",
        "+2026-01-01",
        "-0001-01-01",
        "+12345-01-01",
        "2026-01-01x",
        "2026/01/01",
        "0000-01-01",
        "2026-02-30",
    ] {
        let l = account_with_start(bad);
        assert_eq!(l.book.accounts().len(), 1, "`{bad}` must not load");
        let p = &l.report.problems[0];
        assert_eq!(
            (p.row, p.field.as_deref(), p.kind),
            (Some(3), Some("start_date"), ProblemKind::Malformed),
            "`{bad}`: {p:?}"
        );
        assert!(p.reason.contains(bad), "{}", p.reason);
    }
}

#[test]
fn a_timestamp_in_a_date_field_keeps_its_written_day() {
    // Not moved to 2 January by converting 23:30 at UTC−5 to UTC.
    for (text, day) in [
        ("2024-01-01T23:30:00-05:00", "2024-01-01"),
        ("2024-01-01T00:00:00Z", "2024-01-01"),
        ("2024-01-01 08:00:00", "2024-01-01"),
        ("2024-01-01T08:00:00.123", "2024-01-01"),
    ] {
        let l = account_with_start(text);
        assert!(
            l.report.problems.is_empty(),
            "{text}: {:?}",
            l.report.problems
        );
        assert_eq!(l.book.accounts()[1].start_date.to_string(), day, "{text}");
    }
    // A day followed by something that is not a time is not a day.
    let l = account_with_start("2024-01-01T99:00:00");
    assert_eq!(l.book.accounts().len(), 1);
}

#[test]
fn a_timestamp_must_start_with_a_four_digit_year() {
    let accounts = "id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\n";
    for bad in [
        "24-01-01T10:00:00Z",
        "+2024-01-01T10:00:00Z",
        "2024-1-01T10:00:00",
    ] {
        let l = lenient(&[
            ("accounts", accounts),
            (
                "usage_events",
                &format!("account_id,user_id,feature,timestamp\nA1,u1,login,{bad}\n"),
            ),
        ]);
        assert_eq!(l.book.counts().usage_events, 0, "`{bad}` must not load");
        let p = &l.report.problems[0];
        assert_eq!(
            (p.row, p.field.as_deref()),
            (Some(2), Some("timestamp")),
            "{p:?}"
        );
    }
}
