//! Retention identities, on random books (random snapshots, outcomes, currencies).

mod common;

use chrono::{Days, NaiveDate};
use csops_core::book::{Book, LoadMode};
use csops_core::money::{Currency, FxTable};
use csops_core::retention::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A random book with an FX table covering every currency it uses (a book without one, or
/// with a currency the table lacks, is an error: see `mixed_currencies_need_a_rate`).
fn history(seed: u64, n: usize) -> (Book, ArrHistory) {
    let mut records = common::random_records(seed, n);
    let mut fx = FxTable::new(Currency::new("USD").unwrap());
    for (code, rate) in [
        ("EUR", "1.0831"),
        ("GBP", "1.27"),
        ("JPY", "0.0067"),
        ("CHF", "1.1"),
    ] {
        fx.set_rate(Currency::new(code).unwrap(), rate.parse().unwrap())
            .unwrap();
    }
    records.fx = Some(fx);
    let (book, _) = Book::from_records(records, LoadMode::Lenient).unwrap();
    let h = ArrHistory::from_book(&book).unwrap();
    (book, h)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_bridge_and_the_rates_hold_their_identities(
        seed in any::<u64>(),
        n in 1usize..40,
        a in 0u64..1200,
        len in 1u64..500,
    ) {
        let (book, h) = history(seed, n);
        let from = common::base_date() - Days::new(200) + Days::new(a);
        let to = from + Days::new(len);
        let b = arr_bridge(&h, from, to).unwrap();
        // start + new + expansion − contraction − churn + reactivation = end, to the cent.
        prop_assert_eq!(b.reconciled_end(), b.end);
        prop_assert_eq!(
            b.logos_start + b.logos_new + b.logos_reactivated - b.logos_churned,
            b.logos_end
        );
        let z = Decimal::ZERO;
        prop_assert!([b.new, b.expansion, b.contraction, b.churn, b.reactivation].iter().all(|x| *x >= z));
        // Every account line agrees with ARR on the two days.
        for m in &b.accounts {
            let i = book.account_index(&m.account_id).unwrap();
            prop_assert_eq!(m.start, h.arr_on(i, from));
            prop_assert_eq!(m.end, h.arr_on(i, to));
        }
        let r = retention(&h, from, to).unwrap();
        // The cohort is the accounts with ARR at the start.
        prop_assert_eq!(r.start_arr, b.start);
        prop_assert_eq!(r.logos, b.logos_start);
        // Its end ARR: start + expansion − contraction − churn (no new, no reactivation).
        prop_assert_eq!(r.end_arr, b.start + b.expansion - b.contraction - b.churn);
        prop_assert_eq!(r.retained_arr, b.start - b.contraction - b.churn);
        if let Some(g) = r.grr {
            prop_assert!((0.0..=1.0).contains(&g));
            prop_assert!(r.nrr.unwrap() >= g);
        }
        // Cuts partition the cohort.
        for cut in [Cut::Field("segment".into()), Cut::Field("region".into()), Cut::StartCohort] {
            let parts = retention_by(&book, &h, from, to, &cut).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.start_arr).sum::<Decimal>(), r.start_arr);
            prop_assert_eq!(parts.iter().map(|p| p.end_arr).sum::<Decimal>(), r.end_arr);
            prop_assert_eq!(parts.iter().map(|p| p.logos).sum::<u64>(), r.logos);
        }
    }
}

#[test]
fn series_periods_are_calendar_periods() {
    let (_, h) = history(5, 30);
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let q = retention_series(&h, d("2025-01-01"), d("2025-12-31"), Period::Quarter).unwrap();
    let labels: Vec<&str> = q.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
    assert_eq!((q[0].from, q[0].to), (d("2024-12-31"), d("2025-03-31")));
    assert_eq!(q[3].to, d("2025-12-31"));
    // A period-end day as `from` is itself the first boundary; a mid-period day skips to the
    // next complete period; an incomplete last period is left out.
    let m = retention_series(&h, d("2025-01-31"), d("2025-04-15"), Period::Month).unwrap();
    let labels: Vec<&str> = m.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["2025-02", "2025-03"]);
    let m = retention_series(&h, d("2025-01-15"), d("2025-03-31"), Period::Month).unwrap();
    assert_eq!(m[0].label, "2025-02");
    let y = retention_series(&h, d("2024-01-01"), d("2025-12-31"), Period::Year).unwrap();
    assert_eq!(
        y.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
        ["2024", "2025"]
    );
    // Consecutive quarters chain: each ends where the next starts.
    assert!(q.windows(2).all(|w| w[0].to == w[1].from));
    let t = trailing_twelve_months(&h, d("2025-12-31")).unwrap();
    assert_eq!((t.from, t.label.as_str()), (d("2024-12-31"), "ttm"));
}

#[test]
fn bad_periods_and_cuts_are_errors() {
    let (book, h) = history(1, 10);
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert!(arr_bridge(&h, d("2025-06-30"), d("2025-06-30")).is_err());
    assert!(retention(&h, d("2025-06-30"), d("2025-01-01")).is_err());
    let e = retention_by(
        &book,
        &h,
        d("2025-01-01"),
        d("2025-06-30"),
        &Cut::Field("colour".into()),
    );
    assert!(matches!(e, Err(csops_core::Error::Config(_))));
}

#[test]
fn mixed_currencies_need_a_rate() {
    let mut records = common::random_records(3, 40);
    records.fx = None;
    let currencies: std::collections::BTreeSet<_> =
        records.accounts.iter().map(|a| a.arr.currency).collect();
    assert!(currencies.len() > 1, "the random book mixes currencies");
    let (book, _) = Book::from_records(records, LoadMode::Lenient).unwrap();
    assert!(matches!(
        ArrHistory::from_book(&book),
        Err(csops_core::Error::Money(_))
    ));
}

/// Two edge cases found by the pandas cross-check: records dated before an account started.
#[test]
fn records_before_the_start_date_follow_the_definitions() {
    use csops_core::book::Records;
    use csops_core::money::Money;
    use csops_core::record::{Account, ArrSnapshot, Outcome, RenewalOutcome};
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let usd = |s: &str| Money::new(s.parse().unwrap(), Currency::new("USD").unwrap());
    let acc = |id: &str| Account {
        id: id.into(),
        name: id.into(),
        owner_csm: None,
        segment: None,
        tier: None,
        region: None,
        industry: None,
        plan: None,
        arr: usd("100.00"),
        seats: None,
        start_date: d("2025-01-15"),
        renewal_date: None,
        term_months: None,
        attributes: Default::default(),
    };
    let mut r = Records::default();
    // E1: no snapshots; an outcome before the start (100 -> 200) and one after (200 -> 300).
    r.accounts.push(acc("E1"));
    for (id, day, before, after) in [
        ("R1", "2024-12-01", "100.00", "200.00"),
        ("R2", "2025-06-01", "200.00", "300.00"),
    ] {
        r.renewal_outcomes.push(RenewalOutcome {
            id: id.into(),
            account_id: "E1".into(),
            renewal_date: d(day),
            outcome: Outcome::Expanded,
            arr_before: usd(before),
            arr_after: usd(after),
        });
    }
    // E2: a positive snapshot before the start, zeroed before the start, then 50.
    r.accounts.push(acc("E2"));
    for (day, arr) in [
        ("2024-11-30", "100.00"),
        ("2024-12-31", "0.00"),
        ("2025-03-31", "50.00"),
    ] {
        r.arr_snapshots.push(ArrSnapshot {
            account_id: "E2".into(),
            date: d(day),
            arr: usd(arr),
        });
    }
    let (book, _) = Book::from_records(r, LoadMode::Strict).unwrap();
    let h = ArrHistory::from_book(&book).unwrap();
    // E1 on 2025-01-20: the start step (ARR before the first outcome) is the latest step.
    assert_eq!(
        h.arr_on(0, d("2025-01-20")),
        "100.00".parse::<Decimal>().unwrap()
    );
    assert_eq!(
        h.arr_on(0, d("2025-07-01")),
        "300.00".parse::<Decimal>().unwrap()
    );
    // E2 had no ARR on any day from its start to 2025-02-28: its 50 is new, not a win-back.
    let b = arr_bridge(&h, d("2025-02-28"), d("2025-06-30")).unwrap();
    let e2 = b.accounts.iter().find(|m| m.account_id == "E2").unwrap();
    assert_eq!(e2.movement, Movement::New);
}
