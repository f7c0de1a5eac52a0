//! Tests of the book: grouping, renewal dates, and validation reporting every problem.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::records::Collected;
use super::*;
use crate::money::{Currency, Money};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: format!("{id} Inc"),
        owner_csm: None,
        segment: None,
        tier: None,
        region: None,
        industry: None,
        plan: None,
        arr: Money::new(Decimal::new(1000, 0), Currency::new("USD").unwrap()),
        seats: None,
        start_date: d("2024-01-01"),
        renewal_date: Some(d("2025-01-01")),
        term_months: None,
        attributes: BTreeMap::new(),
    }
}

#[test]
fn grouping_is_stable_and_in_place() {
    let mut c = Collected::default();
    for (a, x) in [(2, "a"), (0, "b"), (1, "c"), (0, "d"), (2, "e"), (3, "f")] {
        c.push(a, x);
    }
    let g = Grouped::build(c, 5);
    assert_eq!(g.items, ["b", "d", "c", "a", "e", "f"]);
    assert_eq!(g.of(0), ["b", "d"]);
    assert_eq!(g.of(2), ["a", "e"]);
    assert!(g.of(4).is_empty() && g.of(99).is_empty());
}

#[test]
fn next_renewal_recurs_by_term_without_future_records() {
    let a = account("A");
    assert_eq!(
        a.next_renewal_on_or_after(d("2024-06-01")),
        Some(d("2025-01-01"))
    );
    assert_eq!(
        a.next_renewal_on_or_after(d("2025-01-01")),
        Some(d("2025-01-01"))
    );
    assert_eq!(
        a.next_renewal_on_or_after(d("2025-01-02")),
        Some(d("2026-01-01"))
    );
    let mut later = a.clone();
    later.renewal_date = Some(d("2027-01-01"));
    assert_eq!(
        later.next_renewal_on_or_after(d("2024-03-01")),
        Some(d("2025-01-01"))
    );
}

#[test]
fn duplicates_and_unknown_references_are_reported_together() {
    let r = Records {
        accounts: vec![account("A"), account("A"), account("B")],
        contacts: vec![Contact {
            id: "c1".into(),
            account_id: "Z".into(),
            name: "Zed".into(),
            email: None,
            title: None,
        }],
        ..Default::default()
    };
    let err = Book::from_records(r.clone(), LoadMode::Strict).unwrap_err();
    let Error::Validation(report) = err else {
        panic!("expected validation error")
    };
    assert_eq!(report.problems.len(), 2);
    assert_eq!(report.problems[0].kind, ProblemKind::Duplicate);
    assert_eq!(report.problems[0].row, Some(2));
    assert_eq!(report.problems[1].kind, ProblemKind::UnknownReference);
    assert_eq!(report.problems[1].field.as_deref(), Some("account_id"));

    let (book, report) = Book::from_records(r, LoadMode::Lenient).unwrap();
    assert_eq!(book.accounts().len(), 2);
    assert_eq!(report.rejected.len(), 2);
    assert_eq!(&report.rejected[0].fields["id"], "A");
}
