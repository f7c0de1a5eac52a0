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

const HEADER: &str = "id,name,currency,arr,start_date";

/// Accounts rows `A1..An` (row k on line k + 1), with `bad` put in place of row `at`.
fn accounts_text(n: usize, at: usize, bad: &str, eol: &str) -> String {
    let mut s = format!("{HEADER}{eol}");
    for k in 1..=n {
        if k == at {
            s.push_str(bad);
        } else {
            s.push_str(&format!("A{k},Name {k},USD,10,2024-01-01"));
        }
        s.push_str(eol);
    }
    s
}

#[test]
fn row_numbers_are_file_lines_whatever_the_line_endings() {
    for eol in ["\n", "\r\n", "\r"] {
        // Row 3 (line 4) has a bad amount.
        let text = accounts_text(5, 3, "A3,Name 3,USD,ten,2024-01-01", eol);
        let l = lenient(&[("accounts", &text)]);
        let p = &l.report.problems[0];
        assert_eq!(
            (p.row, p.field.as_deref()),
            (Some(4), Some("arr")),
            "{eol:?}: {p:?}"
        );
        assert_eq!(l.book.accounts().len(), 4, "{eol:?}");
        // A duplicate id says where it was first seen, by line.
        let text = accounts_text(5, 4, "A2,Again,USD,10,2024-01-01", eol);
        let l = lenient(&[("accounts", &text)]);
        let p = &l.report.problems[0];
        assert_eq!(p.row, Some(5), "{eol:?}: {p:?}");
        assert!(p.reason.contains("row 3"), "{eol:?}: {}", p.reason);
    }
    // A quoted value with line breaks: the next row is numbered by the line it starts on.
    let text =
        format!("{HEADER}\r\nA1,\"Two\r\nlines\",USD,10,2024-01-01\r\nA2,B,USD,x,2024-01-01\r\n");
    let l = lenient(&[("accounts", &text)]);
    assert_eq!(l.report.problems[0].row, Some(4));
    assert_eq!(l.book.accounts()[0].name, "Two\r\nlines");
}

#[test]
fn a_row_with_too_few_or_too_many_fields_is_rejected_whole() {
    for (bad, got) in [
        ("A3,Name 3,USD,10", 4),
        ("A3,Name 3,USD,10,2024-01-01,EXTRA", 6),
        ("A3,Name 3,USD,10,2024-01-01,", 6),
    ] {
        let l = lenient(&[("accounts", &accounts_text(5, 3, bad, "\r\n"))]);
        assert_eq!(l.book.accounts().len(), 4, "{bad}");
        let p = &l.report.problems[0];
        assert_eq!(p.row, Some(4), "{bad}");
        assert!(
            p.reason
                .contains(&format!("has {got} fields where the header has 5")),
            "{bad}: {}",
            p.reason
        );
        let counts = &l.report.files["accounts.csv"];
        assert_eq!((counts.read, counts.loaded, counts.rejected), (5, 4, 1));
    }
    // The extra values are kept in the rejected row, not dropped.
    let l = lenient(&[(
        "accounts",
        &accounts_text(2, 2, "A2,B,USD,24,2024-01-01,36,EXTRA", "\n"),
    )]);
    let r = &l.report.rejected[0];
    assert_eq!(&r.fields["column 6"], "36");
    assert_eq!(&r.fields["column 7"], "EXTRA");
}

#[test]
fn a_million_extra_fields_reject_one_row_and_keep_a_count() {
    let bad = format!("A2,B,USD,10,2024-01-01{}", ",x".repeat(1_000_000));
    let l = lenient(&[("accounts", &accounts_text(3, 2, &bad, "\n"))]);
    assert_eq!(l.book.accounts().len(), 2);
    let r = &l.report.rejected[0];
    assert_eq!(r.row, 3);
    assert_eq!(&r.fields["…"], format!("{} more fields", 1_000_000 - 64));
}

#[test]
fn an_open_quote_rejects_its_row_and_the_rows_after_it_load() {
    for eol in ["\n", "\r\n", "\r"] {
        // Row 500 (line 501) opens a quote it never closes.
        let text = accounts_text(1000, 500, "A500,\"Acme, Inc,USD,10,2024-01-01", eol);
        let l = lenient(&[("accounts", &text)]);
        let counts = &l.report.files["accounts.csv"];
        assert_eq!(
            (counts.read, counts.loaded, counts.rejected),
            (1000, 999, 1),
            "{eol:?}"
        );
        let p = &l.report.problems[0];
        assert_eq!(p.row, Some(501), "{eol:?}");
        assert!(
            p.reason.contains("opens on line 501 and is never closed"),
            "{}",
            p.reason
        );
        // The rejected row is what its own line says, not the rest of the file.
        let r = &l.report.rejected[0];
        assert_eq!(&r.fields["name"], "Acme, Inc,USD,10,2024-01-01");
        assert!(l.book.account("A1000").is_some());
        // Rows after it keep their own line numbers.
        let text = text.replace("A900,Name 900,USD,10", "A900,Name 900,USD,ten");
        let l = lenient(&[("accounts", &text)]);
        let p = l
            .report
            .problems
            .iter()
            .find(|p| p.field.as_deref() == Some("arr"));
        assert_eq!(p.map(|p| p.row), Some(Some(901)), "{eol:?}");
    }
    // On the last line, without a line break after it.
    let text = format!("{HEADER}\nA1,N,USD,10,2024-01-01\nA2,\"N,USD,10,2024-01-01");
    let l = lenient(&[("accounts", &text)]);
    assert_eq!(l.book.accounts().len(), 1);
    assert_eq!(l.report.problems[0].row, Some(3));
}

#[test]
fn quotes_that_close_are_not_open_quotes() {
    let text = format!(
        "{HEADER}\nA1,\"Say \"\"hi\"\"\",USD,10,2024-01-01\nA2,5\" screen,USD,10,2024-01-01\nA3,\"\"\"\",USD,10,2024-01-01\n"
    );
    let l = lenient(&[("accounts", &text)]);
    assert!(l.report.problems.is_empty(), "{:?}", l.report.problems);
    assert_eq!(l.book.accounts()[0].name, "Say \"hi\"");
    assert_eq!(l.book.accounts()[1].name, "5\" screen");
    assert_eq!(l.book.accounts()[2].name, "\"");
}

fn account_with_arr(arr: &str) -> Loaded {
    lenient(&[(
        "accounts",
        &format!(
            "id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\nA2,Beta,USD,{arr},2024-01-01\n"
        ),
    )])
}

#[test]
fn amounts_are_taken_exactly_as_written_or_refused() {
    for bad in [
        "1_200.00",
        "1_2_0_0",
        "\"1,200.00\"",
        "$12",
        "1.00000000000000000000000000001e0",
        "1e-30",
        "0.00000000000000000000000000001",
        "1e400",
        "NaN",
        "inf",
    ] {
        let l = account_with_arr(bad);
        assert_eq!(l.book.accounts().len(), 1, "`{bad}` must not load");
        let p = &l.report.problems[0];
        assert_eq!(
            (p.row, p.field.as_deref()),
            (Some(3), Some("arr")),
            "`{bad}`: {p:?}"
        );
    }
    for (good, exact) in [
        ("1200.50", "1200.50"),
        ("+5", "5"),
        ("1.2e3", "1200"),
        ("1.5E-2", "0.015"),
        // Spaces around a value are not part of it (documented in docs/schema.md).
        (" 12 ", "12"),
        (
            "0.1234567890123456789012345678",
            "0.1234567890123456789012345678",
        ),
    ] {
        let l = account_with_arr(good);
        assert!(
            l.report.problems.is_empty(),
            "{good}: {:?}",
            l.report.problems
        );
        let got = l.book.accounts()[1].arr.amount;
        assert_eq!(got, exact.parse().unwrap(), "{good}");
    }
}

#[test]
fn an_amount_beyond_the_limit_is_a_problem_not_a_panic_later() {
    use csops_core::retention::{ArrHistory, arr_bridge, trailing_twelve_months};
    let l = account_with_arr("79228162514264337593543950335");
    let p = &l.report.problems[0];
    assert_eq!(
        (p.row, p.field.as_deref(), p.kind),
        (Some(3), Some("arr"), ProblemKind::OutOfRange)
    );
    assert!(p.reason.contains("limit of 10^15"), "{}", p.reason);
    // At the limit: loads, and every sum stays in range.
    let mut text = String::from("id,name,currency,arr,start_date\n");
    for k in 0..1000 {
        text.push_str(&format!("A{k},N,USD,1000000000000000,2024-01-01\n"));
    }
    let l = lenient(&[("accounts", &text)]);
    assert!(l.report.problems.is_empty());
    let h = ArrHistory::from_book(&l.book).unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let b = arr_bridge(&h, day("2024-06-30"), day("2025-06-30")).unwrap();
    assert_eq!(b.end, "1000000000000000000".parse().unwrap());
    trailing_twelve_months(&h, day("2025-06-30")).unwrap();
}

#[test]
fn json_amounts_given_as_numbers_keep_every_digit() {
    let doc = r#"{"schema_version": 1, "accounts": [
        {"id": "A1", "name": "Acme", "currency": "USD", "arr": 1234567.8912345678, "start_date": "2024-01-01"},
        {"id": "A2", "name": "Beta", "currency": "USD", "arr": 0.1, "start_date": "2024-01-01"}
    ]}"#;
    let l = csops_core::interchange::load_json_str(doc, &LoadOptions::default()).unwrap();
    assert_eq!(
        l.book.accounts()[0].arr.amount.to_string(),
        "1234567.8912345678"
    );
    assert_eq!(l.book.accounts()[1].arr.amount.to_string(), "0.1");
}

#[test]
fn a_column_without_a_header_is_reported_when_it_holds_values() {
    // A trailing comma on every line (a common spreadsheet export): nothing is lost.
    let text = "id,name,currency,arr,start_date,\nA1,Acme,USD,10,2024-01-01,\nA2,Beta,USD,10,2024-01-01,\n";
    let l = lenient(&[("accounts", text)]);
    assert!(l.report.problems.is_empty(), "{:?}", l.report.problems);
    // A column of values without a header: said once, on the first row that has one.
    let text = "id,name,,currency,arr,start_date\nA1,Acme,,USD,10,2024-01-01\nA2,Beta,gold,USD,10,2024-01-01\nA3,Gamma,silver,USD,10,2024-01-01\n";
    let l = lenient(&[("accounts", text)]);
    assert_eq!(l.book.accounts().len(), 3);
    assert_eq!(l.report.problems.len(), 1, "{:?}", l.report.problems);
    let p = &l.report.problems[0];
    assert_eq!((p.row, p.field.as_deref()), (Some(3), Some("column 3")));
    assert!(p.reason.contains("`gold`"), "{}", p.reason);
}

#[test]
fn a_duplicate_contact_role_spell_is_flagged_like_a_duplicate_snapshot() {
    let l = lenient(&[
        (
            "accounts",
            "id,name,currency,arr,start_date\nA1,Acme,USD,10,2024-01-01\n",
        ),
        ("contacts", "id,account_id,name\nC1,A1,Ann\n"),
        (
            "contact_roles",
            "contact_id,role,added,removed\nC1,champion,2024-01-01,\nC1,champion,2024-01-01,2024-06-01\nC1,decision_maker,2024-01-01,\n",
        ),
    ]);
    assert_eq!(l.book.counts().contact_roles, 2);
    let p = &l.report.problems[0];
    assert_eq!(
        (p.file.as_str(), p.row, p.field.as_deref(), p.kind),
        (
            "contact_roles.csv",
            Some(3),
            Some("added"),
            ProblemKind::Duplicate
        )
    );
    assert!(p.reason.contains("first seen at row 2"), "{}", p.reason);
}

mod renewals {
    use chrono::{Months, NaiveDate};
    use csops_core::record::Account;
    use proptest::prelude::*;

    fn account(start: NaiveDate, anchor: NaiveDate, term: u32) -> Account {
        let text = format!(
            "id,name,currency,arr,start_date,renewal_date,term_months\nA1,N,USD,1,{start},{anchor},{term}\n"
        );
        let texts = std::collections::BTreeMap::from([("accounts".to_string(), text)]);
        let l = csops_core::interchange::load_csv_texts(&texts, &Default::default()).unwrap();
        l.book.accounts()[0].clone()
    }

    /// The renewal found by walking the anchor's renewals one term at a time.
    fn walked(a: &Account, date: NaiveDate) -> Option<NaiveDate> {
        let anchor = a.renewal_date?;
        let at = |k: i64| {
            let m = Months::new((k.unsigned_abs() as u32) * a.term());
            if k >= 0 {
                anchor.checked_add_months(m)
            } else {
                anchor.checked_sub_months(m)
            }
        };
        let mut k = 0i64;
        while at(k - 1).is_some_and(|r| r >= date && r > a.start_date) {
            k -= 1;
        }
        while at(k).is_some_and(|r| r < date) {
            k += 1;
        }
        at(k)
    }

    fn day() -> impl Strategy<Value = NaiveDate> {
        (1990i32..2040, 1u32..13, 1u32..32).prop_map(|(y, m, d)| {
            (0..4)
                .find_map(|back| NaiveDate::from_ymd_opt(y, m, d - back))
                .unwrap()
        })
    }

    proptest! {
        #[test]
        fn the_next_renewal_is_the_one_a_walk_finds(
            start in day(), anchor in day(), date in day(), term in 1u32..37,
        ) {
            prop_assume!(anchor >= start);
            let a = account(start, anchor, term);
            prop_assert_eq!(a.next_renewal_on_or_after(date), walked(&a, date));
        }
    }

    #[test]
    fn a_monthly_term_over_eight_thousand_years_is_found_by_arithmetic() {
        // (It used to step back a month at a time: ~100,000 steps for this account.)
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let a = account(d("0001-01-01"), d("9999-01-31"), 1);
        assert_eq!(
            a.next_renewal_on_or_after(d("0001-03-15")),
            Some(d("0001-03-31"))
        );
        assert_eq!(
            a.next_renewal_on_or_after(d("9999-12-01")),
            Some(d("9999-12-31"))
        );
        assert_eq!(
            a.next_renewal_on_or_after(d("9999-12-31")),
            Some(d("9999-12-31"))
        );
    }
}

#[test]
fn text_after_a_closing_quote_rejects_its_row_naming_the_column() {
    // `"rep"orts` would be read as `reports`: not as written. The row is rejected, naming the
    // column; the others load; an escaped quote, spaces after a quote and a quote inside an
    // unquoted value are not faults.
    for eol in ["\n", "\r\n", "\r"] {
        let text = [
            "account_id,user_id,feature,timestamp",
            "A1,u1,login,2025-04-14T11:16:27Z",
            "A1,u1,\"rep\"orts,2025-04-14T11:29:05Z",
            "A1,\"u\"\"2\",\"reports\" ,2025-04-14T14:33:13Z",
            "A1,u\"3,reports,2025-04-14T14:43:50Z",
            "A1,u4,\"x\"y,\"z\"",
        ]
        .join(eol)
            + eol;
        let accounts = accounts_text(1, 0, "", eol);
        let loaded = lenient(&[("accounts", &accounts), ("usage_events", &text)]);
        let problems: Vec<_> = loaded
            .report
            .problems
            .iter()
            .map(|p| (p.file.as_str(), p.row, p.field.as_deref(), p.kind))
            .collect();
        assert_eq!(
            problems,
            [
                (
                    "usage_events.csv",
                    Some(3),
                    Some("feature"),
                    ProblemKind::Malformed
                ),
                (
                    "usage_events.csv",
                    Some(6),
                    Some("feature"),
                    ProblemKind::Malformed
                ),
            ],
            "{eol:?}: {:?}",
            loaded.report.problems
        );
        let events = loaded.book.to_records().usage_events;
        assert_eq!(events.len(), 3, "{eol:?}");
        assert_eq!(events[1].user_id, "u\"2");
        assert_eq!(events[2].user_id, "u\"3");
    }
}

#[test]
fn timestamps_finer_than_a_millisecond_load_with_a_note() {
    // Usage events keep time to the millisecond: finer digits are dropped, and said so once
    // per file with how many and where the first is; millisecond timestamps get no note.
    let accounts = accounts_text(1, 0, "", "\n");
    let usage = "account_id,user_id,feature,timestamp\n\
                 A1,u1,login,2025-04-14T11:16:27.123Z\n\
                 A1,u1,login,2025-04-14T11:16:27.123456789Z\n\
                 A1,u2,login,2025-04-14 11:16:27.5000001\n";
    let loaded = lenient(&[("accounts", &accounts), ("usage_events", usage)]);
    assert!(
        loaded.report.problems.is_empty(),
        "{:?}",
        loaded.report.problems
    );
    assert_eq!(loaded.book.to_records().usage_events.len(), 3);
    let notes = &loaded.report.notes;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        (
            notes[0].file.as_str(),
            notes[0].row,
            notes[0].field.as_deref()
        ),
        ("usage_events.csv", Some(3), Some("timestamp"))
    );
    assert!(
        notes[0]
            .note
            .starts_with("2 timestamp(s) have digits below the millisecond")
    );
    let exact = "account_id,user_id,feature,timestamp\nA1,u1,login,2025-04-14T11:16:27.123Z\n";
    assert!(
        lenient(&[("accounts", &accounts), ("usage_events", exact)])
            .report
            .notes
            .is_empty()
    );
}
