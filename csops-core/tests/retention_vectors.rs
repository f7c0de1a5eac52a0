//! The ARR bridge and retention rates against an independent pandas implementation of the
//! definitions in `csops_core::retention`'s module doc: `tests/vectors/retention.json` was
//! computed by `scripts/reference/retention_pandas.py` (versions and commands recorded there)
//! from the CSV files `generate_book` writes for the generator parameters in the file.
//!
//! The same book is generated here in memory. Two books are checked: `clean` (as generated)
//! and `fallbacks` (snapshots and renewal outcomes dropped for some accounts, zero snapshots
//! turned into win-backs for others, so that every branch of "ARR on a day" and every kind of
//! movement occurs). Amounts must agree exactly as decimal values, counts exactly, rates within
//! 1e-12 relative.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use csops_core::book::{Book, LoadMode, Records};
use csops_core::money::Money;
use csops_core::retention::*;
use csops_core::synth::{SynthConfig, generate};
use rust_decimal::Decimal;
use serde_json::Value;

fn vectors() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/retention.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// The generated book's records (generated once for all the tests of this file).
fn records() -> &'static Records {
    static R: OnceLock<Records> = OnceLock::new();
    R.get_or_init(|| {
        let g = &vectors()["generator"];
        let cfg = SynthConfig {
            accounts: g["accounts"].as_u64().unwrap() as usize,
            seed: g["seed"].as_u64().unwrap(),
            ..Default::default()
        };
        // Every other setting is the default the vectors were generated with.
        assert_eq!(cfg.start, day(&g["start"]));
        assert_eq!(u64::from(cfg.quarters), g["quarters"].as_u64().unwrap());
        assert_eq!(cfg.missing_rate, g["missing_rate"].as_f64().unwrap());
        assert_eq!(
            cfg.events_per_account_week,
            g["events_per_account_week"].as_f64().unwrap()
        );
        assert_eq!(cfg.usage_days as u64, g["usage_days"].as_u64().unwrap());
        assert_eq!(cfg.existing_share, g["existing_share"].as_f64().unwrap());
        generate(&cfg)
    })
}

fn book(records: Records) -> Book {
    Book::from_records(records, LoadMode::Strict).unwrap().0
}

fn dec(v: &Value) -> Decimal {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"));
    Decimal::from_str(s).unwrap_or_else(|e| panic!("bad decimal {s}: {e}"))
}

fn day(v: &Value) -> NaiveDate {
    v.as_str().unwrap().parse().unwrap()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn arr(v: &Value) -> &Vec<Value> {
    let a = v.as_array().unwrap_or_else(|| panic!("not an array: {v}"));
    assert!(!a.is_empty(), "no vectors");
    a
}

thread_local! {
    /// Values compared by the current test (each test runs on its own thread).
    static COMPARED: Cell<usize> = const { Cell::new(0) };
}

fn compared() {
    COMPARED.with(|c| c.set(c.get() + 1));
}

#[track_caller]
fn same_amount(what: &str, got: Decimal, want: &Value) {
    let want = dec(want);
    assert_eq!(got, want, "{what}: rust {got}, pandas {want}");
    compared();
}

#[track_caller]
fn same_count(what: &str, got: u64, want: &Value) {
    assert_eq!(got, u(want), "{what}");
    compared();
}

#[track_caller]
fn close(what: &str, got: Option<f64>, want: &Value) {
    match (got, want.as_f64()) {
        (None, None) => assert!(want.is_null(), "{what}: {want}"),
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= 1e-12 * w.abs(),
            "{what}: rust {g}, pandas {w} (diff {:e})",
            (g - w).abs()
        ),
        (g, _) => panic!("{what}: rust {g:?}, pandas {want}"),
    }
    compared();
}

fn check_retention(what: &str, r: &Retention, w: &Value, from: NaiveDate, to: NaiveDate) {
    assert_eq!(r.label, w["label"].as_str().unwrap(), "{what}");
    assert_eq!((r.from, r.to), (from, to), "{what}");
    assert_eq!(r.currency.code(), vectors()["reporting_currency"], "{what}");
    let what = format!("{what} [{}]", r.label);
    same_count(&format!("{what} logos"), r.logos, &w["logos"]);
    same_count(
        &format!("{what} logos_retained"),
        r.logos_retained,
        &w["logos_retained"],
    );
    same_amount(&format!("{what} start_arr"), r.start_arr, &w["start_arr"]);
    same_amount(
        &format!("{what} retained_arr"),
        r.retained_arr,
        &w["retained_arr"],
    );
    same_amount(&format!("{what} end_arr"), r.end_arr, &w["end_arr"]);
    close(&format!("{what} grr"), r.grr, &w["grr"]);
    close(&format!("{what} nrr"), r.nrr, &w["nrr"]);
    close(
        &format!("{what} logo_retention"),
        r.logo_retention,
        &w["logo_retention"],
    );
}

fn check_bridge(what: &str, b: &ArrBridge, w: &Value) {
    assert_eq!(b.currency.code(), vectors()["reporting_currency"], "{what}");
    for (name, got) in [
        ("start", b.start),
        ("new", b.new),
        ("expansion", b.expansion),
        ("contraction", b.contraction),
        ("churn", b.churn),
        ("reactivation", b.reactivation),
        ("end", b.end),
    ] {
        same_amount(&format!("{what} bridge {name}"), got, &w[name]);
    }
    for (name, got) in [
        ("logos_start", b.logos_start),
        ("logos_new", b.logos_new),
        ("logos_churned", b.logos_churned),
        ("logos_reactivated", b.logos_reactivated),
        ("logos_end", b.logos_end),
        ("accounts_listed", b.accounts.len() as u64),
    ] {
        same_count(&format!("{what} bridge {name}"), got, &w[name]);
    }
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for m in &b.accounts {
        let k = serde_json::to_value(m.movement).unwrap();
        *kinds.entry(k.as_str().unwrap().to_string()).or_default() += 1;
    }
    let want = w["movement_counts"].as_object().unwrap();
    for (k, n) in want {
        same_count(
            &format!("{what} accounts with movement {k}"),
            kinds.get(k).copied().unwrap_or(0),
            n,
        );
    }
    assert!(
        kinds.keys().all(|k| want.contains_key(k)),
        "{what}: {kinds:?}"
    );
    // The identity, exactly.
    assert_eq!(
        b.reconciled_end(),
        b.end,
        "{what}: the bridge does not add up"
    );
}

fn cut(name: &str) -> Cut {
    match name {
        "start_cohort" => Cut::StartCohort,
        f => Cut::Field(f.to_string()),
    }
}

fn period(name: &str) -> Period {
    match name {
        "month" => Period::Month,
        "quarter" => Period::Quarter,
        "year" => Period::Year,
        p => panic!("unknown period {p}"),
    }
}

/// Compare everything the vectors hold for one book.
fn check_book(name: &str, records: Records) {
    let w = arr(&vectors()["books"])
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` book in the vectors"));
    let book = book(records);
    let history = ArrHistory::from_book(&book).unwrap();
    assert_eq!(history.len(), book.accounts().len());
    assert_eq!(history.currency().code(), vectors()["reporting_currency"]);
    let before = COMPARED.with(Cell::get);

    for p in arr(&w["periods"]) {
        let (from, to) = (day(&p["from"]), day(&p["to"]));
        let what = format!("{name} {from}..{to}");
        let b = arr_bridge(&history, from, to).unwrap();
        check_bridge(&what, &b, &p["bridge"]);
        let r = retention(&history, from, to).unwrap();
        check_retention(&what, &r, &p["retention"], from, to);
        // The cohort's start ARR is the bridge's start ARR.
        assert_eq!(r.start_arr, b.start, "{what}");
        assert_eq!(r.logos, b.logos_start, "{what}");
        let cuts = p["cuts"].as_object().unwrap();
        assert!(!cuts.is_empty());
        for (c, rows) in cuts {
            let got = retention_by(&book, &history, from, to, &cut(c)).unwrap();
            let rows = arr(rows);
            let labels = |v: &[Retention]| v.iter().map(|r| r.label.clone()).collect::<Vec<_>>();
            let want: Vec<String> = rows
                .iter()
                .map(|r| r["label"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(labels(&got), want, "{what} cut by {c}");
            for (g, r) in got.iter().zip(rows) {
                check_retention(&format!("{what} by {c}"), g, r, from, to);
            }
            // The cut partitions the cohort.
            let total: Decimal = got.iter().map(|g| g.end_arr).sum();
            assert_eq!(total, r.end_arr, "{what} cut by {c}");
        }
    }

    for s in arr(&w["series"]) {
        let (from, to) = (day(&s["from"]), day(&s["to"]));
        let p = s["period"].as_str().unwrap();
        let got = retention_series(&history, from, to, period(p)).unwrap();
        let rows = arr(&s["rows"]);
        assert_eq!(got.len(), rows.len(), "{name} {p} series {from}..{to}");
        for (g, r) in got.iter().zip(rows) {
            let what = format!("{name} {p} series");
            check_retention(&what, g, r, day(&r["from"]), day(&r["to"]));
        }
    }

    for t in arr(&w["ttm"]) {
        let got = trailing_twelve_months(&history, day(&t["to"])).unwrap();
        check_retention(
            &format!("{name} ttm"),
            &got,
            t,
            day(&t["from"]),
            day(&t["to"]),
        );
    }

    let n = COMPARED.with(Cell::get) - before;
    eprintln!("{name}: {n} values agree with pandas");
    assert!(n > 1000, "only {n} values compared");
}

#[test]
fn the_generated_book_is_the_book_pandas_read() {
    let v = vectors();
    let records = records();
    let book = book(records.clone());
    assert_eq!(serde_json::to_value(book.counts()).unwrap(), v["counts"]);
    assert_eq!(book.latest_date(), Some(day(&v["latest_date"])));
    let fx = book.fx().unwrap();
    assert_eq!(fx.reporting().code(), v["reporting_currency"]);
    let mut rates: BTreeMap<String, Decimal> =
        fx.rates().map(|(c, r)| (c.code().to_string(), r)).collect();
    rates.insert(fx.reporting().code().to_string(), Decimal::ONE);
    let want: BTreeMap<String, Decimal> = v["fx_rates"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(c, r)| (c.clone(), dec(r)))
        .collect();
    assert_eq!(rates, want);

    fn totals<'a>(m: impl Iterator<Item = &'a Money>) -> BTreeMap<String, Decimal> {
        let mut t = BTreeMap::new();
        for m in m {
            *t.entry(m.currency.code().to_string())
                .or_insert(Decimal::ZERO) += m.amount;
        }
        t
    }
    for (name, got) in [
        (
            "account_arr",
            totals(records.accounts.iter().map(|a| &a.arr)),
        ),
        (
            "arr_snapshots",
            totals(records.arr_snapshots.iter().map(|s| &s.arr)),
        ),
        (
            "renewal_arr_after",
            totals(records.renewal_outcomes.iter().map(|o| &o.arr_after)),
        ),
    ] {
        let want = v["raw_totals"][name].as_object().unwrap();
        assert_eq!(got.len(), want.len(), "{name}");
        for (c, w) in want {
            same_amount(&format!("total {name} {c}"), got[c.as_str()], w);
        }
    }
}

#[test]
fn clean_book_agrees_with_pandas() {
    check_book("clean", records().clone());
}

#[test]
fn fallback_book_agrees_with_pandas() {
    let t = &arr(&vectors()["books"])
        .iter()
        .find(|b| b["name"] == "fallbacks")
        .unwrap()["transform"];
    let (no_snaps, no_outcomes, win_back) = (
        u(&t["drop_snapshots_if_account_number_divisible_by"]),
        u(&t["drop_renewal_outcomes_if_account_number_divisible_by"]),
        u(&t["win_back_if_account_number_divisible_by"]),
    );
    let (win_from, win_arr) = (day(&t["win_back_from"]), dec(&t["win_back_arr"]));
    let number = |id: &str| -> u64 { id.strip_prefix("A-").unwrap().parse().unwrap() };

    let mut r = records().clone();
    let mut changed = 0;
    for s in &mut r.arr_snapshots {
        let n = number(&s.account_id);
        if n % win_back == 0 && s.date >= win_from && s.arr.amount.is_zero() {
            s.arr = Money::new(win_arr, s.arr.currency);
            changed += u64::from(n % no_snaps != 0);
        }
    }
    r.arr_snapshots
        .retain(|s| number(&s.account_id) % no_snaps != 0);
    r.renewal_outcomes
        .retain(|o| number(&o.account_id) % no_outcomes != 0);
    same_count(
        "win-back snapshots",
        changed,
        &t["win_back_snapshots_changed"],
    );
    check_book("fallbacks", r);
}
