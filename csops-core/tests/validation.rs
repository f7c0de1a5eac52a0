//! Every validation rule has a bad-input case whose problem names the file, row and field.

use std::collections::BTreeMap;

use csops_core::Error;
use csops_core::book::{LoadMode, ProblemKind};
use csops_core::interchange::{HeaderMap, LoadOptions, Loaded, load_csv_texts, load_json_str};

const ACCOUNTS: &str = "id,name,currency,arr,start_date,renewal_date,seats\n\
A1,Acme,USD,1000.00,2024-01-01,2025-01-01,10\n\
A2,Beta,EUR,2000.50,2024-02-01,2025-02-01,\n";

fn lenient() -> LoadOptions {
    LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    }
}

fn load(files: &[(&str, &str)]) -> Loaded {
    let mut texts = BTreeMap::new();
    texts.insert("accounts".to_string(), ACCOUNTS.to_string());
    for (k, v) in files {
        texts.insert(k.to_string(), v.to_string());
    }
    load_csv_texts(&texts, &lenient()).expect("lenient load returns a report")
}

/// Assert exactly one problem, at `file` line `row`, field `field`, of `kind`, with the reason
/// containing `needle`; and that the row is listed as rejected with its raw fields.
fn one_problem(l: &Loaded, file: &str, row: u64, field: &str, kind: ProblemKind, needle: &str) {
    let p = &l.report.problems;
    assert_eq!(p.len(), 1, "problems: {p:#?}");
    assert_eq!(p[0].file, file);
    assert_eq!(p[0].row, Some(row));
    assert_eq!(p[0].field.as_deref(), Some(field));
    assert_eq!(p[0].kind, kind);
    assert!(
        p[0].reason.contains(needle),
        "reason `{}` lacks `{needle}`",
        p[0].reason
    );
    assert!(p[0].to_string().contains(&format!("{file}, row {row}")));
    let r = &l.report.rejected;
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].file.as_str(), r[0].row), (file, row));
    assert!(!r[0].fields.is_empty(), "rejected row keeps its raw fields");
}

#[test]
fn clean_input_has_no_problems() {
    let l = load(&[]);
    assert!(l.report.is_clean());
    assert_eq!(l.book.accounts().len(), 2);
    assert_eq!(l.report.files["accounts.csv"].loaded, 2);
}

#[test]
fn duplicate_account_id() {
    let mut texts = BTreeMap::new();
    texts.insert(
        "accounts".into(),
        format!("{ACCOUNTS}A1,Acme again,USD,5.00,2024-01-01,,\n"),
    );
    let l = load_csv_texts(&texts, &lenient()).unwrap();
    one_problem(
        &l,
        "accounts.csv",
        4,
        "id",
        ProblemKind::Duplicate,
        "first seen at row 2",
    );
    assert_eq!(
        l.book.account("A1").unwrap().name,
        "Acme",
        "the first occurrence is kept"
    );
}

#[test]
fn negative_amount() {
    let l = load(&[(
        "arr_snapshots",
        "account_id,date,currency,arr\nA1,2024-03-31,USD,-5.00\n",
    )]);
    one_problem(
        &l,
        "arr_snapshots.csv",
        2,
        "arr",
        ProblemKind::Negative,
        "-5.00",
    );
}

#[test]
fn malformed_amount() {
    let l = load(&[(
        "arr_snapshots",
        "account_id,date,currency,arr\nA1,2024-03-31,USD,\"1,200.00\"\n",
    )]);
    one_problem(
        &l,
        "arr_snapshots.csv",
        2,
        "arr",
        ProblemKind::Malformed,
        "1,200.00",
    );
}

#[test]
fn unknown_currency() {
    let l = load(&[(
        "arr_snapshots",
        "account_id,date,currency,arr\nA1,2024-03-31,USS,5\n",
    )]);
    one_problem(
        &l,
        "arr_snapshots.csv",
        2,
        "currency",
        ProblemKind::UnknownValue,
        "USS",
    );
}

#[test]
fn unknown_account_reference() {
    let l = load(&[(
        "tickets",
        "id,account_id,opened,priority,status\nT1,A9,2024-03-01,high,open\n",
    )]);
    one_problem(
        &l,
        "tickets.csv",
        2,
        "account_id",
        ProblemKind::UnknownReference,
        "A9",
    );
}

#[test]
fn reference_to_a_rejected_account_says_so() {
    let mut texts = BTreeMap::new();
    texts.insert(
        "accounts".into(),
        "id,name,currency,arr,start_date\nA1,Acme,USD,-1,2024-01-01\nA2,Beta,USD,1,2024-01-01\n"
            .into(),
    );
    texts.insert(
        "tickets".into(),
        "id,account_id,opened,priority,status\nT1,A1,2024-03-01,high,open\n".into(),
    );
    let l = load_csv_texts(&texts, &lenient()).unwrap();
    let t = l
        .report
        .problems
        .iter()
        .find(|p| p.file == "tickets.csv")
        .unwrap();
    assert_eq!(t.kind, ProblemKind::UnknownReference);
    assert!(t.reason.contains("was rejected (row 2)"), "{}", t.reason);
}

#[test]
fn unknown_contact_reference() {
    let l = load(&[(
        "contact_roles",
        "contact_id,role,added\nC9,champion,2024-01-01\n",
    )]);
    one_problem(
        &l,
        "contact_roles.csv",
        2,
        "contact_id",
        ProblemKind::UnknownReference,
        "C9",
    );
}

#[test]
fn survey_contact_of_another_account() {
    let l = load(&[
        ("contacts", "id,account_id,name\nC1,A1,Sam\n"),
        (
            "surveys",
            "id,account_id,contact_id,date,kind,score\nS1,A2,C1,2024-05-01,nps,9\n",
        ),
    ]);
    one_problem(
        &l,
        "surveys.csv",
        2,
        "contact_id",
        ProblemKind::Inconsistent,
        "another account",
    );
}

#[test]
fn dates_out_of_order() {
    let l = load(&[(
        "tickets",
        "id,account_id,opened,closed,priority,status\nT1,A1,2024-03-05,2024-03-01,low,closed\n",
    )]);
    one_problem(
        &l,
        "tickets.csv",
        2,
        "closed",
        ProblemKind::DatesOutOfOrder,
        "before opened",
    );
    let l = load(&[
        ("contacts", "id,account_id,name\nC1,A1,Sam\n"),
        (
            "contact_roles",
            "contact_id,role,added,removed\nC1,executive_sponsor,2024-05-01,2024-04-01\n",
        ),
    ]);
    one_problem(
        &l,
        "contact_roles.csv",
        2,
        "removed",
        ProblemKind::DatesOutOfOrder,
        "before added",
    );
    let mut texts = BTreeMap::new();
    texts.insert(
        "accounts".into(),
        "id,name,currency,arr,start_date,renewal_date\nA1,Acme,USD,1,2024-01-01,2023-01-01\nA2,Beta,USD,1,2024-01-01,\n"
            .into(),
    );
    let l = load_csv_texts(&texts, &lenient()).unwrap();
    one_problem(
        &l,
        "accounts.csv",
        2,
        "renewal_date",
        ProblemKind::DatesOutOfOrder,
        "before start_date",
    );
}

#[test]
fn unknown_enum_value() {
    let l = load(&[(
        "tickets",
        "id,account_id,opened,priority,status\nT1,A1,2024-03-01,critical,open\n",
    )]);
    one_problem(
        &l,
        "tickets.csv",
        2,
        "priority",
        ProblemKind::UnknownValue,
        "low, normal, high, urgent",
    );
}

#[test]
fn enum_values_are_read_leniently_in_case_and_spacing() {
    let l = load(&[
        ("contacts", "id,account_id,name\nC1,A1,Sam\n"),
        (
            "contact_roles",
            "contact_id,role,added\nC1,Executive Sponsor,2024-01-01\n",
        ),
    ]);
    assert!(l.report.is_clean(), "{:?}", l.report.problems);
}

#[test]
fn missing_required_field() {
    let l = load(&[(
        "tickets",
        "id,account_id,opened,priority,status\nT1,A1,,high,open\n",
    )]);
    one_problem(
        &l,
        "tickets.csv",
        2,
        "opened",
        ProblemKind::Missing,
        "required",
    );
}

#[test]
fn missing_required_column_fails_the_load_in_every_mode_and_names_the_closest_header() {
    for opts in [lenient(), LoadOptions::default()] {
        let mut texts = BTreeMap::new();
        texts.insert("accounts".to_string(), ACCOUNTS.to_string());
        texts.insert(
            "tickets".to_string(),
            "id,account_id,Opened On,priority,status\nT1,A1,2024-01-01,high,open\nT2,A1,2024-01-02,low,open\n"
                .to_string(),
        );
        let Err(Error::Validation(report)) = load_csv_texts(&texts, &opts) else {
            panic!(
                "a missing required column fails the load in {:?} mode",
                opts.mode
            )
        };
        assert_eq!(report.problems.len(), 2, "{:#?}", report.problems);
        let p = report
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::Missing)
            .unwrap();
        assert_eq!((p.file.as_str(), p.row), ("tickets.csv", None));
        assert_eq!(p.field.as_deref(), Some("opened"));
        assert!(
            p.reason.contains("the closest header is `Opened On`"),
            "{}",
            p.reason
        );
        // The unknown header is reported too; every row of the file is listed, once.
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.field.as_deref() == Some("Opened On"))
        );
        assert_eq!(report.rejected.len(), 2);
        assert_eq!(report.files["tickets.csv"].read, 2);
        assert_eq!(report.files["tickets.csv"].rejected, 2);
    }
}

#[test]
fn a_load_that_rejects_every_account_fails_instead_of_returning_an_empty_book() {
    let mut texts = BTreeMap::new();
    texts.insert(
        "accounts".to_string(),
        "id,name,currency,arr,start_date\nA1,Acme,USD,-1,2024-01-01\n,Beta,USD,1,2024-01-01\n"
            .to_string(),
    );
    let Err(Error::Validation(report)) = load_csv_texts(&texts, &lenient()) else {
        panic!("no account loaded is an error")
    };
    assert!(
        report.problems[0]
            .reason
            .contains("no account was loaded: all 2 account row(s) were rejected"),
        "{}",
        report.problems[0].reason
    );
    assert_eq!(report.rejected.len(), 2);
    // Unless the caller loads a part of a book and says so.
    let part = LoadOptions {
        allow_empty: true,
        ..lenient()
    };
    let l = load_csv_texts(&texts, &part).unwrap();
    assert!(l.book.accounts().is_empty());
    assert_eq!(l.report.rejected.len(), 2);
    // An accounts file without rows is an empty book, not an error.
    texts.insert(
        "accounts".to_string(),
        "id,name,currency,arr,start_date\n".to_string(),
    );
    assert!(
        load_csv_texts(&texts, &lenient())
            .unwrap()
            .book
            .accounts()
            .is_empty()
    );
}

#[test]
fn malformed_date() {
    let l = load(&[(
        "meetings",
        "id,account_id,kind,date\nM1,A1,ebr,03/15/2024\n",
    )]);
    one_problem(
        &l,
        "meetings.csv",
        2,
        "date",
        ProblemKind::Malformed,
        "03/15/2024",
    );
}

#[test]
fn malformed_timestamp_in_usage_events() {
    let l = load(&[(
        "usage_events",
        "account_id,user_id,feature,timestamp\nA1,u1,login,yesterday\nA1,u1,login,2024-03-01T10:00:00Z\n",
    )]);
    one_problem(
        &l,
        "usage_events.csv",
        2,
        "timestamp",
        ProblemKind::Malformed,
        "yesterday",
    );
    assert_eq!(l.book.usage().len(), 1);
}

#[test]
fn usage_event_for_unknown_account() {
    let l = load(&[(
        "usage_events",
        "account_id,user_id,feature,timestamp\nZZ,u1,login,2024-03-01T10:00:00Z\n",
    )]);
    one_problem(
        &l,
        "usage_events.csv",
        2,
        "account_id",
        ProblemKind::UnknownReference,
        "ZZ",
    );
}

#[test]
fn out_of_range_scores_and_probabilities() {
    let l = load(&[(
        "surveys",
        "id,account_id,date,kind,score\nS1,A1,2024-05-01,nps,11\n",
    )]);
    one_problem(
        &l,
        "surveys.csv",
        2,
        "score",
        ProblemKind::OutOfRange,
        "0–10",
    );
    let l = load(&[(
        "surveys",
        "id,account_id,date,kind,score\nS1,A1,2024-05-01,csat,0\n",
    )]);
    one_problem(
        &l,
        "surveys.csv",
        2,
        "score",
        ProblemKind::OutOfRange,
        "1–5",
    );
    let l = load(&[(
        "opportunities",
        "id,account_id,kind,currency,amount,close_date,stage,status,probability,forecast_category\nO1,A1,renewal,USD,10,2025-01-01,Neg,open,80,commit\n",
    )]);
    one_problem(
        &l,
        "opportunities.csv",
        2,
        "probability",
        ProblemKind::OutOfRange,
        "0–1",
    );
}

#[test]
fn inconsistent_renewal_outcome() {
    let l = load(&[(
        "renewal_outcomes",
        "id,account_id,renewal_date,outcome,currency,arr_before,arr_after\nR1,A1,2025-01-01,churned,USD,1000,500\n",
    )]);
    one_problem(
        &l,
        "renewal_outcomes.csv",
        2,
        "outcome",
        ProblemKind::Inconsistent,
        "churned",
    );
}

#[test]
fn resolved_ticket_without_closed_date() {
    let l = load(&[(
        "tickets",
        "id,account_id,opened,priority,status\nT1,A1,2024-03-01,high,closed\n",
    )]);
    one_problem(
        &l,
        "tickets.csv",
        2,
        "closed",
        ProblemKind::Inconsistent,
        "no closed date",
    );
}

#[test]
fn duplicate_natural_keys() {
    let l = load(&[(
        "arr_snapshots",
        "account_id,date,currency,arr\nA1,2024-03-31,USD,5\nA1,2024-03-31,USD,6\n",
    )]);
    one_problem(
        &l,
        "arr_snapshots.csv",
        3,
        "date",
        ProblemKind::Duplicate,
        "row 2",
    );
    let l = load(&[(
        "usage_snapshots",
        "account_id,period_start,period_end,metric,value\nA1,2024-03-01,2024-03-31,active_users,5\nA1,2024-03-01,2024-03-31,active_users,6\n",
    )]);
    one_problem(
        &l,
        "usage_snapshots.csv",
        3,
        "period_start",
        ProblemKind::Duplicate,
        "row 2",
    );
}

#[test]
fn every_problem_in_a_row_is_reported_not_just_the_first() {
    let l = load(&[(
        "tickets",
        "id,account_id,opened,priority,status,csat\nT1,A1,nope,critical,open,x\n",
    )]);
    let fields: Vec<_> = l
        .report
        .problems
        .iter()
        .map(|p| p.field.clone().unwrap())
        .collect();
    assert_eq!(fields, ["opened", "priority", "csat"]);
    assert_eq!(l.report.rejected.len(), 1);
}

#[test]
fn unknown_columns_are_reported_and_the_header_map_fixes_them() {
    let crm = "Account ID,Account Name,Currency,ARR,Start,Notes,Source\nA1,Acme,USD,5,2024-01-01,hi,web\n";
    let mut texts = BTreeMap::new();
    texts.insert("accounts".to_string(), crm.to_string());
    let Err(Error::Validation(report)) = load_csv_texts(&texts, &lenient()) else {
        panic!("required columns are missing without a map")
    };
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.field.as_deref() == Some("Notes") && p.row.is_none())
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.field.as_deref() == Some("arr")
                && p.reason.contains("the closest header is `ARR`"))
    );

    let map = HeaderMap::from_toml(
        r#"[accounts]
"Account ID" = "id"
"Account Name" = "name"
"Currency" = "currency"
"ARR" = "arr"
"Start" = "start_date"
"Notes" = ""
"Source" = "attr.source"
"#,
    )
    .unwrap();
    let opts = LoadOptions {
        mode: LoadMode::Strict,
        header_map: map,
        source_map: None,
        allow_empty: false,
        threads: None,
        progress: Default::default(),
    };
    let l = load_csv_texts(&texts, &opts).unwrap();
    assert!(l.report.is_clean());
    assert_eq!(l.book.account("A1").unwrap().attributes["source"], "web");
}

#[test]
fn header_map_rejects_unknown_targets() {
    let err = HeaderMap::from_toml("[accounts]\n\"X\" = \"nonsense\"\n[tikets]\n\"Y\" = \"id\"\n")
        .unwrap_err();
    let Error::Config(p) = err else {
        panic!("expected config error")
    };
    assert_eq!(p.len(), 2, "{p:?}");
}

#[test]
fn strict_mode_fails_with_every_problem() {
    let mut texts = BTreeMap::new();
    texts.insert("accounts".into(), ACCOUNTS.to_string());
    texts.insert(
        "tickets".into(),
        "id,account_id,opened,priority,status\nT1,A9,2024-03-01,high,open\nT2,A1,bad,high,open\n"
            .into(),
    );
    let err = load_csv_texts(&texts, &LoadOptions::default()).unwrap_err();
    let Error::Validation(report) = err else {
        panic!("expected validation error")
    };
    assert_eq!(report.problems.len(), 2);
    assert!(err_text(&report.problems[0].to_string()).contains("tickets.csv, row 2"));
}

fn err_text(s: &str) -> String {
    s.to_string()
}

#[test]
fn malformed_csv_and_json_are_format_errors_not_panics() {
    let mut texts = BTreeMap::new();
    texts.insert("accounts".into(), "id,name\n\"A1,unterminated\n".into());
    let _ = load_csv_texts(&texts, &lenient()); // must not panic; either error or report
    for bad in [
        "",
        "[]",
        "{\"accounts\": 5}",
        "{\"accounts\": [1]}",
        "{\"nope\": []}",
        "{\"schema_version\": 99, \"accounts\": []}",
        "{",
    ] {
        assert!(
            matches!(load_json_str(bad, &lenient()), Err(Error::Format { .. })),
            "{bad}"
        );
    }
}

#[test]
fn json_rows_are_validated_with_positions() {
    let doc = r#"{"schema_version": 1,
      "accounts": [{"id": "A1", "name": "Acme", "currency": "USD", "arr": "10.50", "start_date": "2024-01-01"}],
      "tickets": [{"id": "T1", "account_id": "A1", "opened": "2024-02-01", "priority": "high", "status": "open"},
                  {"id": "T2", "account_id": "A1", "opened": "2024-02-01", "priority": "meh", "status": "open"}]}"#;
    let l = load_json_str(doc, &lenient()).unwrap();
    one_problem(
        &l,
        "book.json#tickets",
        2,
        "priority",
        ProblemKind::UnknownValue,
        "meh",
    );
}

#[test]
fn invalid_utf8_rejects_the_row_not_the_file() {
    let dir = std::env::temp_dir().join(format!("csops-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = b"id,name,currency,arr,start_date\nA1,Acme,USD,1,2024-01-01\nA2,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"Bad,USD,1,2024-01-01\n");
    std::fs::write(dir.join("accounts.csv"), bytes).unwrap();
    let l = csops_core::interchange::load_csv_dir(&dir, &lenient()).unwrap();
    one_problem(
        &l,
        "accounts.csv",
        3,
        "name",
        ProblemKind::Malformed,
        "UTF-8",
    );
    assert_eq!(l.book.accounts().len(), 1);
    assert!(l.report.rejected[0].fields["name"].contains('\u{fffd}'));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn dates_outside_years_1_to_9999_are_malformed() {
    for bad in ["-2024-01-01", "+12345-01-01", "0000-01-01"] {
        let l = load(&[(
            "meetings",
            &format!("id,account_id,kind,date\nM1,A1,ebr,{bad}\n"),
        )]);
        one_problem(&l, "meetings.csv", 2, "date", ProblemKind::Malformed, bad);
    }
}

#[test]
fn long_values_are_clipped_in_reasons_but_kept_in_rejected_rows() {
    let huge = "9".repeat(100_000) + "x";
    let l = load(&[(
        "arr_snapshots",
        &format!("account_id,date,currency,arr\nA1,2024-03-31,USD,{huge}\n"),
    )]);
    let p = &l.report.problems[0];
    assert!(p.reason.len() < 300, "reason is {} bytes", p.reason.len());
    assert!(p.reason.contains("100001 characters"));
    assert_eq!(&l.report.rejected[0].fields["arr"], huge);
}

#[test]
fn load_dispatches_on_directory_or_json_and_names_missing_paths() {
    let missing = std::env::temp_dir().join("csops-no-such-book");
    let err = csops_core::interchange::load(&missing, &lenient()).unwrap_err();
    assert!(
        matches!(err, Error::Io { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{err}"
    );
    let file = std::env::temp_dir().join(format!("csops-book-{}.json", std::process::id()));
    std::fs::write(&file, r#"{"accounts": [{"id": "A1", "name": "Acme", "currency": "USD", "arr": "1", "start_date": "2024-01-01"}], "tickets": [{"id": "T1"}]}"#).unwrap();
    let l = csops_core::interchange::load(&file, &lenient()).unwrap();
    assert_eq!(l.book.accounts().len(), 1);
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        l.report
            .problems
            .iter()
            .all(|p| p.file == format!("{name}#tickets")),
        "{:?}",
        l.report.problems
    );
    std::fs::write(&file, [b'{', 0xff, b'}']).unwrap();
    assert!(matches!(
        csops_core::interchange::load(&file, &lenient()),
        Err(Error::Format { .. })
    ));
    std::fs::remove_file(&file).ok();
}

#[test]
fn records_from_json_join_a_book_with_their_problems_named() {
    use csops_core::interchange::{load_json_str, with_json};
    let book = load_json_str(
        r#"{"accounts": [{"id": "A1", "name": "Acme", "currency": "USD", "arr": "1000",
            "start_date": "2025-01-01"}],
            "contacts": [{"id": "C1", "account_id": "A1", "name": "Jane"}],
            "contact_roles": [{"contact_id": "C1", "role": "executive_sponsor",
            "added": "2025-01-01"}]}"#,
        &Default::default(),
    )
    .unwrap()
    .book;
    // A restated spell replaces the old one; a ticket is added; both resolve against the book.
    let merged = with_json(
        &book,
        r#"{"contact_roles": [{"contact_id": "C1", "role": "executive_sponsor",
            "added": "2025-01-01", "removed": "2026-09-20"}],
            "tickets": [{"id": "T1", "account_id": "A1", "opened": "2026-09-01",
            "priority": "high", "status": "open", "escalated": true}]}"#,
        LoadMode::Strict,
    )
    .unwrap();
    assert_eq!(merged.book.roles_of(0).len(), 1);
    assert!(merged.book.roles_of(0)[0].removed.is_some());
    assert_eq!(merged.book.tickets_of(0).len(), 1);
    assert_eq!(
        merged.book.accounts().len(),
        1,
        "the book's accounts are not doubled"
    );
    assert_eq!(merged.report.files["records#tickets"].read, 1);
    assert!(!merged.report.files.contains_key("records#accounts"));
    // A record naming an unknown account is rejected with its place, in either mode.
    let bad = r#"{"tickets": [{"id": "T2", "account_id": "A1", "opened": "2026-09-01",
        "priority": "high", "status": "open"}, {"id": "T3", "account_id": "nobody",
        "opened": "2026-09-01", "priority": "urgent", "status": "open"}]}"#;
    let lenient = with_json(&book, bad, LoadMode::Lenient).unwrap();
    assert_eq!(lenient.book.tickets_of(0).len(), 1);
    let p = &lenient.report.problems[0];
    assert_eq!((p.file.as_str(), p.row), ("records#tickets", Some(2)));
    assert!(p.reason.contains("nobody"), "{}", p.reason);
    let Err(csops_core::Error::Validation(report)) = with_json(&book, bad, LoadMode::Strict) else {
        panic!("strict mode refuses the records")
    };
    assert_eq!(report.problems[0].file, "records#tickets");
    // Not JSON, or not an object: a format error naming the records.
    for text in ["{", "[]"] {
        assert!(matches!(
            with_json(&book, text, LoadMode::Lenient),
            Err(csops_core::Error::Format { ref file, .. }) if file == "records"
        ));
    }
}
