//! Dated FX rates: an amount converts at the rate in force on its own day; a day before the
//! first dated rate uses the undated rate, or is an error naming the day when there is none;
//! dated rates survive a write and a load.

use std::collections::BTreeMap;

use csops_core::Error;
use csops_core::book::LoadMode;
use csops_core::interchange::{LoadOptions, load_csv_texts, write_csv_texts};
use csops_core::money::{Currency, FxTable, Money, MoneyError};
use csops_core::retention::ArrHistory;
use rust_decimal::Decimal;

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

#[test]
fn the_rate_in_force_on_the_day_converts_it() {
    let (usd, eur) = (Currency::new("USD").unwrap(), Currency::new("EUR").unwrap());
    let mut fx = FxTable::new(usd);
    fx.set_rate_from(eur, d("2025-01-01"), dec("1.10")).unwrap();
    fx.set_rate_from(eur, d("2025-06-01"), dec("1.20")).unwrap();
    let m = Money::new(dec("1000"), eur);
    assert_eq!(
        fx.convert_on(&m, d("2025-05-31")).unwrap().amount,
        dec("1100.00")
    );
    assert_eq!(
        fx.convert_on(&m, d("2025-06-01")).unwrap().amount,
        dec("1200.00")
    );
    assert_eq!(
        fx.rate_on(eur, d("2026-01-01")),
        Some((dec("1.20"), Some(d("2025-06-01"))))
    );
    // Before the first dated rate, with no undated one: an error naming the day.
    assert!(matches!(
        fx.convert_on(&m, d("2024-12-31")),
        Err(MoneyError::NoRateOn { day, first, .. }) if day == d("2024-12-31") && first == d("2025-01-01")
    ));
    // With an undated rate, that one.
    fx.set_rate(eur, dec("1.05")).unwrap();
    assert_eq!(
        fx.convert_on(&m, d("2024-12-31")).unwrap().amount,
        dec("1050.00")
    );
    assert!(
        fx.set_rate_from(eur, d("2025-02-01"), Decimal::ZERO)
            .is_err()
    );
}

const ACCOUNTS: &str =
    "id,name,currency,arr,start_date\nA1,Acme,EUR,1000,2025-01-01\nA2,Beta,USD,500,2025-01-01\n";
const SNAPSHOTS: &str = "account_id,date,currency,arr\nA1,2025-01-31,EUR,1000\nA1,2025-06-30,EUR,1000\nA2,2025-01-31,USD,500\n";

fn book(fx: &str) -> csops_core::Result<csops_core::interchange::Loaded> {
    let texts = BTreeMap::from([
        ("accounts".to_string(), ACCOUNTS.to_string()),
        ("arr_snapshots".to_string(), SNAPSHOTS.to_string()),
        ("fx_rates".to_string(), fx.to_string()),
    ]);
    load_csv_texts(
        &texts,
        &LoadOptions {
            mode: LoadMode::Strict,
            ..Default::default()
        },
    )
}

#[test]
fn arr_history_converts_each_snapshot_at_its_days_rate_and_rates_round_trip() {
    // Monthly rates (a month is its first day) and an undated fallback.
    let loaded =
        book("currency,reporting_currency,rate,date\nEUR,USD,1.10,2025-01\nEUR,USD,1.20,2025-06\n")
            .unwrap();
    let h = ArrHistory::from_book(&loaded.book).unwrap();
    assert_eq!(h.arr_on(0, d("2025-02-15")), dec("1100.00"));
    assert_eq!(h.arr_on(0, d("2025-07-15")), dec("1200.00"));
    assert_eq!(h.arr_on(1, d("2025-07-15")), dec("500"));
    // The history says which rates it used.
    assert_eq!(
        h.rates_used()
            .iter()
            .map(|r| (r.1, r.2))
            .collect::<Vec<_>>(),
        vec![
            (dec("1.10"), Some(d("2025-01-01"))),
            (dec("1.20"), Some(d("2025-06-01")))
        ]
    );
    assert_eq!(
        h.render_rates_used(),
        "EUR→USD 1.10 from 2025-01-01, EUR→USD 1.20 from 2025-06-01"
    );
    let again = load_csv_texts(
        &write_csv_texts(&loaded.book).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(again.book.fx(), loaded.book.fx());
    // An undated table converts every day alike: constant currency.
    let constant = book("currency,reporting_currency,rate\nEUR,USD,1.10\n").unwrap();
    let h = ArrHistory::from_book(&constant.book).unwrap();
    assert_eq!(h.arr_on(0, d("2025-07-15")), dec("1100.00"));
    // A snapshot before the first dated rate, with no undated one, is a money error.
    let early = book("currency,reporting_currency,rate,date\nEUR,USD,1.20,2025-06-01\n").unwrap();
    assert!(matches!(
        ArrHistory::from_book(&early.book),
        Err(Error::Money(MoneyError::NoRateOn { .. }))
    ));
    // A bad date in the rates file is a problem of its row.
    let Err(Error::Validation(r)) =
        book("currency,reporting_currency,rate,date\nEUR,USD,1.20,June\n")
    else {
        panic!("a bad date is a problem")
    };
    assert_eq!(r.problems[0].field.as_deref(), Some("date"));
}
