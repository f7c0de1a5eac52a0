//! Properties of loading through a source map:
//! - a wide metric table read through the `wide` shape equals its long form (blanks included);
//! - a snapshot feature is never older than its maximum age, and is the latest period's value;
//! - a book written as CSV, re-exported with renamed headers, reformatted dates, percent
//!   probabilities and blank default currencies, loads back through the matching source map as
//!   the same book.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use csops_core::book::{Book, LoadMode, Records};
use csops_core::features::{FeatureConfig, MissingWhy, features_as_of};
use csops_core::interchange::{LoadOptions, SourceMap, load_csv_texts, write_csv_texts};
use csops_core::money::{Currency, Money};
use csops_core::record::{Account, UsageSnapshot};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: format!("Account {id}"),
        owner_csm: None,
        segment: None,
        tier: None,
        region: None,
        industry: None,
        plan: None,
        arr: Money::new(Decimal::new(1000, 0), Currency::new("USD").unwrap()),
        seats: None,
        start_date: "2020-01-01".parse().unwrap(),
        renewal_date: None,
        term_months: None,
        attributes: BTreeMap::new(),
    }
}

fn month_end(k: u32) -> NaiveDate {
    // The last day of month k after 2023-01.
    let first = NaiveDate::from_ymd_opt(2023 + (k / 12) as i32, k % 12 + 1, 1).unwrap();
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap()
}

/// Snapshots of `n_acc` accounts × `metrics` over months: per cell, absent (no row), blank
/// (a row without a value) or a value.
fn snapshots() -> impl Strategy<Value = (usize, Vec<String>, Vec<UsageSnapshot>)> {
    (1usize..4, 1usize..4, 1u32..8).prop_flat_map(|(n_acc, n_met, n_mon)| {
        let cells = n_acc * n_met * n_mon as usize;
        prop::collection::vec(
            prop_oneof![
                Just(None),
                Just(Some(None)),
                (-1e6f64..1e6).prop_map(|v| Some(Some(v)))
            ],
            cells,
        )
        .prop_map(move |cells| {
            let metrics: Vec<String> = (0..n_met).map(|m| format!("metric_{m}")).collect();
            let mut out = Vec::new();
            let mut k = 0;
            for a in 0..n_acc {
                for mon in 0..n_mon {
                    // A wide row exists for an account and month when any of its cells does.
                    let row: Vec<_> = (0..n_met).map(|m| cells[k + m]).collect();
                    k += n_met;
                    if row.iter().all(Option::is_none) {
                        continue;
                    }
                    for (m, cell) in row.into_iter().enumerate() {
                        let end = month_end(mon);
                        out.push(UsageSnapshot {
                            account_id: format!("A{a}"),
                            period_start: NaiveDate::from_ymd_opt(
                                chrono::Datelike::year(&end),
                                chrono::Datelike::month(&end),
                                1,
                            )
                            .unwrap(),
                            period_end: end,
                            metric: metrics[m].clone(),
                            // In a wide table an absent cell of an existing row is a blank.
                            value: cell.flatten(),
                        });
                    }
                }
            }
            (n_acc, metrics, out)
        })
    })
}

fn book_of(n_acc: usize, snaps: Vec<UsageSnapshot>) -> Book {
    let records = Records {
        accounts: (0..n_acc).map(|a| account(&format!("A{a}"))).collect(),
        usage_snapshots: snaps,
        ..Default::default()
    };
    Book::from_records(records, LoadMode::Strict).unwrap().0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_wide_table_reads_as_its_long_form((n_acc, metrics, snaps) in snapshots()) {
        let long = book_of(n_acc, snaps.clone());
        // Melt by hand: one row per account and month, one column per metric, blank = none.
        let mut rows: BTreeMap<(String, NaiveDate), BTreeMap<String, Option<f64>>> = BTreeMap::new();
        for s in &snaps {
            rows.entry((s.account_id.clone(), s.period_end)).or_default().insert(s.metric.clone(), s.value);
        }
        let mut wide = format!("account,period_end,{}\n", metrics.join(","));
        for ((a, end), vals) in &rows {
            let cells: Vec<String> = metrics
                .iter()
                .map(|m| vals.get(m).copied().flatten().map_or(String::new(), |v| format!("{v:?}")))
                .collect();
            wide.push_str(&format!("{a},{end},{}\n", cells.join(",")));
        }
        let mut texts = write_csv_texts(&long).unwrap();
        texts.remove("usage_snapshots");
        texts.insert("metrics.csv".into(), wide);
        let map = SourceMap::from_toml(
            "[usage_snapshots]\nfiles = [\"metrics.csv\"]\ncolumns.account_id = \"account\"\nwide.period = \"month\"\n",
        ).unwrap();
        let opts = LoadOptions { source_map: Some(map), ..Default::default() };
        let loaded = load_csv_texts(&texts, &opts).unwrap();
        let mut a = long.to_records().usage_snapshots;
        let mut b = loaded.book.to_records().usage_snapshots;
        let key = |s: &UsageSnapshot| (s.account_id.clone(), s.period_end, s.metric.clone());
        a.sort_by_key(key);
        b.sort_by_key(key);
        prop_assert_eq!(a, b);
        // (A table without rows is read, and counts nothing.)
        let c = loaded.report.files.get("metrics.csv").copied().unwrap_or_default();
        prop_assert_eq!(c.read, rows.len() as u64);
        prop_assert_eq!(c.loaded, rows.len() as u64);
    }

    #[test]
    fn a_snapshot_feature_is_the_latest_period_and_never_older_than_its_maximum_age(
        (n_acc, metrics, snaps) in snapshots(),
        as_of_offset in 0u64..400,
        max_age in 1u32..200,
    ) {
        let book = book_of(n_acc, snaps.clone());
        let as_of = NaiveDate::from_ymd_opt(2023, 1, 15).unwrap() + Days::new(as_of_offset);
        let cfg = FeatureConfig {
            snapshot_metrics: metrics.clone(),
            snapshot_max_age_days: max_age,
            ..Default::default()
        };
        let frame = features_as_of(&book, as_of, &cfg).unwrap();
        for (i, id) in frame.account_ids.iter().enumerate() {
            for m in &metrics {
                let name = format!("snapshot.{m}");
                let got = frame.column(&name).unwrap().values[i];
                let latest = snaps
                    .iter()
                    .filter(|s| &s.account_id == id && &s.metric == m && s.period_end <= as_of)
                    .max_by_key(|s| s.period_end);
                let why = frame.missing_why(id, &name);
                match latest {
                    None => {
                        prop_assert!(got.is_nan());
                        prop_assert!(why.is_none());
                    }
                    Some(s) if (as_of - s.period_end).num_days() > max_age as i64 => {
                        prop_assert!(got.is_nan(), "{} is {} days old", name, (as_of - s.period_end).num_days());
                        let stale = matches!(why, Some(MissingWhy::Stale { last_value_on, .. }) if *last_value_on == s.period_end);
                        prop_assert!(stale);
                    }
                    Some(s) => match s.value {
                        Some(v) => prop_assert_eq!(got.to_bits(), v.to_bits()),
                        None => {
                            // Blank: missing, never an earlier period's value.
                            prop_assert!(got.is_nan());
                            let blank = matches!(why, Some(MissingWhy::NoValueForPeriod { period_end }) if *period_end == s.period_end);
                            prop_assert!(blank);
                        }
                    },
                }
            }
        }
    }

    #[test]
    fn a_reexported_book_loads_back_through_its_source_map(
        seed in any::<u64>(),
        n in 1usize..5,
        date_format in prop::sample::select(vec!["%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y"]),
        prefix in "[A-Z][a-z]{1,6} ",
    ) {
        let records = common::random_records(seed, n);
        let (book, _) = Book::from_records(records, LoadMode::Strict).unwrap();
        let texts = write_csv_texts(&book).unwrap();
        // Re-export: every header renamed, every date reformatted, probabilities in percent,
        // USD currencies blank; build the source map that reads it back as we go.
        let mut exported = BTreeMap::new();
        let mut map = String::from("missing_values = []\n");
        for (stem, text) in &texts {
            let doc = csops_core::interchange::FILES.iter().find(|f| f.stem == stem).unwrap();
            let mut lines = text.lines();
            let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
            let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(header.iter().map(|h| format!("{prefix}{h}"))).unwrap();
            let file = format!("export_{stem}.csv");
            map.push_str(&format!("[{stem}]\nfiles = [\"{file}\"]\n"));
            let mut specs = BTreeSet::new();
            for h in &header {
                let ty = doc.columns.iter().find(|c| c.name == h).map(|c| c.ty);
                let mut spec = format!("from = \"{prefix}{h}\"");
                match ty {
                    Some(csops_core::interchange::ColumnType::Date) => {
                        spec.push_str(&format!(", format = \"{date_format}\""));
                    }
                    Some(csops_core::interchange::ColumnType::Currency) => {
                        spec.push_str(", default = \"USD\"");
                    }
                    _ if h == "probability" => spec.push_str(", scale = 0.01"),
                    _ => {}
                }
                specs.insert(format!("columns.\"{h}\" = {{ {spec} }}\n"));
            }
            for s in specs {
                map.push_str(&s);
            }
            for row in rdr.records() {
                let row = row.unwrap();
                let out: Vec<String> = header
                    .iter()
                    .zip(row.iter())
                    .map(|(h, v)| {
                        let ty = doc.columns.iter().find(|c| c.name == h).map(|c| c.ty);
                        match ty {
                            Some(csops_core::interchange::ColumnType::Date) if !v.is_empty() => {
                                let d: NaiveDate = v.parse().unwrap();
                                d.format(date_format).to_string()
                            }
                            Some(csops_core::interchange::ColumnType::Currency) if v == "USD" => String::new(),
                            _ if h == "probability" && !v.is_empty() => {
                                (Decimal::from_str_exact(v).unwrap() * Decimal::new(100, 0)).normalize().to_string()
                            }
                            _ => v.to_string(),
                        }
                    })
                    .collect();
                w.write_record(&out).unwrap();
            }
            exported.insert(file, String::from_utf8(w.into_inner().unwrap()).unwrap());
        }
        let map = SourceMap::from_toml(&map).unwrap();
        let opts = LoadOptions { source_map: Some(map), ..Default::default() };
        let again = load_csv_texts(&exported, &opts).unwrap();
        prop_assert_eq!(again.book.to_records(), book.to_records());
        for (file, c) in &again.report.files {
            prop_assert_eq!(c.read, c.loaded + c.rejected, "{}", file);
        }
    }
}
