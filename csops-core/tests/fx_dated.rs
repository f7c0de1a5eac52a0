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
            .rates
            .iter()
            .map(|r| (r.rate, r.from))
            .collect::<Vec<_>>(),
        vec![
            (dec("1.10"), Some(d("2025-01-01"))),
            (dec("1.20"), Some(d("2025-06-01")))
        ]
    );
    assert_eq!(
        h.rates_used().render(),
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

/// The book above with a renewal of A1 on 2026-01-01 (EUR) and A2's (USD).
fn book_with_renewals(fx: &str) -> csops_core::interchange::Loaded {
    let mut texts = BTreeMap::from([
        (
            "accounts".to_string(),
            "id,name,currency,arr,start_date,renewal_date,term_months
             A1,Acme,EUR,1000,2025-01-01,2026-01-01,12
A2,Beta,USD,500,2025-01-01,2026-01-01,12
"
            .to_string(),
        ),
        ("arr_snapshots".to_string(), SNAPSHOTS.to_string()),
        (
            "renewal_outcomes".to_string(),
            "id,account_id,renewal_date,outcome,currency,arr_before,arr_after\n\
             R1,A1,2026-01-01,renewed,EUR,1000,1000\nR2,A2,2026-01-01,churned,USD,500,0\n"
                .to_string(),
        ),
    ]);
    if !fx.is_empty() {
        texts.insert("fx_rates".to_string(), fx.to_string());
    }
    load_csv_texts(
        &texts,
        &LoadOptions {
            mode: LoadMode::Strict,
            ..Default::default()
        },
    )
    .unwrap()
}

const MONTHLY: &str = "currency,reporting_currency,rate,date\nEUR,USD,1.10,2025-01\nEUR,USD,1.20,2025-06\nEUR,USD,1.30,2025-12\n";

#[test]
fn each_figure_says_which_rates_it_used_and_only_those() {
    use csops_core::backtest::{BacktestConfig, observe};
    use csops_core::forecast::{ForecastConfig, forecast};
    use csops_core::health::Scorecard;
    use csops_core::retention::arr_bridge;

    let plain = book_with_renewals("");
    let loaded = book_with_renewals(MONTHLY);
    let h = ArrHistory::from_book(&loaded.book).unwrap();
    // Per account and day: the rate its ARR that day was converted at.
    let r = h.rate_on(0, d("2025-03-01")).unwrap();
    assert_eq!((r.rate, r.from), (dec("1.10"), Some(d("2025-01-01"))));
    assert_eq!(h.rate_on(0, d("2025-07-01")).unwrap().rate, dec("1.20"));
    assert_eq!(h.rate_on(1, d("2025-07-01")), None, "USD is not converted");
    // A bridge inside the first rate's months used that rate only.
    let b = arr_bridge(&h, d("2025-02-28"), d("2025-03-31")).unwrap();
    assert_eq!(b.rates_used.render(), "EUR→USD 1.10 from 2025-01-01");
    let b = arr_bridge(&h, d("2025-02-28"), d("2025-07-31")).unwrap();
    assert_eq!(
        b.rates_used.render(),
        "EUR→USD 1.10 from 2025-01-01, EUR→USD 1.20 from 2025-06-01"
    );
    // A forecast: the ARR on its day (the June snapshot, at June's rate).
    let cfg = ForecastConfig {
        as_of: Some(d("2025-07-15")),
        start: Some(d("2025-12-01")),
        end: Some(d("2026-01-31")),
        ..Default::default()
    };
    let f = forecast(&loaded.book, &BTreeMap::new(), &cfg).unwrap();
    assert!(!f.lines.is_empty());
    assert_eq!(
        f.rates_used.as_ref().unwrap().render(),
        "EUR→USD 1.20 from 2025-06-01"
    );
    // A book without an FX table: no rates, and one currency or an error.
    assert!(
        forecast(&plain.book, &BTreeMap::new(), &cfg).is_err(),
        "EUR and USD without rates"
    );
    // A back-test: each renewal's ARR at its renewal day's rate (December's).
    let obs = observe(
        &loaded.book,
        &Scorecard::default_heuristic(),
        &BacktestConfig {
            quarters: 2,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(obs.rows.len(), 2);
    assert_eq!(
        obs.rates_used.as_ref().unwrap().render(),
        "EUR→USD 1.30 from 2025-12-01"
    );
    let report = csops_core::backtest::report(
        &obs,
        &Scorecard::default_heuristic(),
        &BacktestConfig::default(),
    )
    .unwrap();
    assert!(
        report
            .render()
            .contains("ARR in USD (converted at EUR→USD 1.30 from 2025-12-01)"),
        "{}",
        report.render()
    );
}

#[test]
fn a_one_currency_book_keeps_no_per_step_rates() {
    let texts = BTreeMap::from([(
        "accounts".to_string(),
        "id,name,currency,arr,start_date\nA1,Acme,USD,1000,2025-01-01\n".to_string(),
    )]);
    let loaded = load_csv_texts(&texts, &LoadOptions::default()).unwrap();
    let h = ArrHistory::from_book(&loaded.book).unwrap();
    assert!(h.rates_used().is_empty());
    assert_eq!(h.rates_used().render(), "all amounts in USD");
    assert_eq!(h.rate_on(0, d("2025-06-01")), None);
}
