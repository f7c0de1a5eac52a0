//! `data/exports-sample` is the sample book as a team's own tools export it (other names and
//! headers, US and European dates, percent probabilities, blank currencies, outcomes without
//! ids, a wide metric table with blanks, a role-change log). Loaded with its source map, it is
//! the same book as `data/sample-book` wherever the information is the same, and differs only
//! where the export says less (the documented differences, each checked here).

use std::collections::BTreeMap;
use std::path::PathBuf;

use csops_core::backtest::{BacktestConfig, observe};
use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, MissingWhy, features_as_of};
use csops_core::health::Scorecard;
use csops_core::interchange::{LoadOptions, Loaded, SourceMap, load_csv_dir};

fn data(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("data")
        .join(dir)
}

fn sample() -> Loaded {
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    load_csv_dir(data("sample-book"), &opts).unwrap()
}

fn exports() -> Loaded {
    let map = SourceMap::from_path(data("exports-sample").join("source-map.toml")).unwrap();
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        source_map: Some(map),
        ..Default::default()
    };
    load_csv_dir(data("exports-sample"), &opts).unwrap()
}

#[test]
fn the_messy_export_loads_as_the_same_book_where_it_says_the_same() {
    let (a, b) = (sample(), exports());
    let (ra, rb) = (a.book.to_records(), b.book.to_records());
    assert_eq!(ra.accounts, rb.accounts);
    assert_eq!(ra.contacts, rb.contacts);
    assert_eq!(ra.usage_events, rb.usage_events);
    assert_eq!(ra.tickets, rb.tickets);
    assert_eq!(ra.surveys, rb.surveys);
    assert_eq!(ra.meetings, rb.meetings);
    assert_eq!(ra.milestones, rb.milestones);
    assert_eq!(ra.opportunities, rb.opportunities);
    assert_eq!(ra.arr_snapshots, rb.arr_snapshots);
    assert_eq!(a.book.fx(), b.book.fx());
    // The same rows are rejected, for the same reasons, and every row is counted.
    assert_eq!(a.report.rejected.len(), b.report.rejected.len());
    let kinds = |l: &Loaded| {
        let mut k: Vec<_> = l
            .report
            .problems
            .iter()
            .map(|p| (p.kind, p.field.clone()))
            .collect();
        k.sort();
        k
    };
    assert_eq!(kinds(&a), kinds(&b));
    for (file, c) in &b.report.files {
        assert_eq!(c.read, c.loaded + c.rejected, "{file}");
    }

    // Outcomes: the same, but with ids derived from the account and the day.
    assert_eq!(ra.renewal_outcomes.len(), rb.renewal_outcomes.len());
    for (x, y) in ra.renewal_outcomes.iter().zip(&rb.renewal_outcomes) {
        assert_eq!(y.id, format!("{}:{}", x.account_id, x.renewal_date));
        let mut y = y.clone();
        y.id = x.id.clone();
        assert_eq!(x, &y);
    }
}

#[test]
fn blanks_in_the_wide_table_are_missing_values_of_their_period() {
    let (a, b) = (sample(), exports());
    let (ra, rb) = (a.book.to_records(), b.book.to_records());
    let key = |s: &csops_core::record::UsageSnapshot| {
        (s.account_id.clone(), s.metric.clone(), s.period_end)
    };
    let long: BTreeMap<_, _> = ra.usage_snapshots.iter().map(|s| (key(s), s)).collect();
    let mut blanks = 0;
    for s in &rb.usage_snapshots {
        match long.get(&key(s)) {
            Some(x) => assert_eq!(*x, s),
            None => {
                // A blank cell: a period with no value, where the long table had no row.
                assert_eq!(s.value, None, "{s:?}");
                blanks += 1;
            }
        }
    }
    assert_eq!(rb.usage_snapshots.len() - blanks, ra.usage_snapshots.len());
    assert!(
        blanks > 100,
        "the sample has ~5% missing snapshots: {blanks}"
    );
}

#[test]
fn a_removal_without_an_addition_holds_the_role_from_the_account_start_and_says_so() {
    let (a, b) = (sample(), exports());
    let (ra, rb) = (a.book.to_records(), b.book.to_records());
    assert_eq!(ra.contact_roles.len(), rb.contact_roles.len());
    let noted: Vec<_> = b
        .report
        .notes
        .iter()
        .filter(|n| n.note.contains("no earlier addition"))
        .collect();
    let key = |r: &csops_core::record::ContactRole| (r.contact_id.clone(), r.role, r.removed);
    let exported: BTreeMap<_, _> = rb.contact_roles.iter().map(|r| (key(r), r)).collect();
    let mut adjusted = 0;
    for x in &ra.contact_roles {
        let y = exported[&key(x)];
        if x.added == y.added {
            continue;
        }
        // Only spells added before the log began and removed within it, now held from the
        // account's start.
        adjusted += 1;
        assert!(x.added < "2025-01-01".parse().unwrap() && x.removed.is_some());
        let account = a.book.contact(&x.contact_id).unwrap().account_id.clone();
        assert_eq!(y.added, a.book.account(&account).unwrap().start_date);
    }
    assert!(adjusted > 0);
    assert!(
        noted.len() >= adjusted,
        "{} notes, {adjusted} adjusted",
        noted.len()
    );
}

#[test]
fn features_and_backtest_agree_except_where_blanks_are_now_missing() {
    let (a, b) = (sample(), exports());
    let cfg = FeatureConfig {
        snapshot_metrics: vec!["active_users".into()],
        ..Default::default()
    };
    let as_of = a.book.latest_date().unwrap();
    let (fa, fb) = (
        features_as_of(&a.book, as_of, &cfg).unwrap(),
        features_as_of(&b.book, as_of, &cfg).unwrap(),
    );
    assert_eq!(fa.account_ids, fb.account_ids);
    let mut blank_now_missing = 0;
    for (ca, cb) in fa.columns.iter().zip(&fb.columns) {
        for (i, (x, y)) in ca.values.iter().zip(&cb.values).enumerate() {
            if x.to_bits() == y.to_bits() {
                continue;
            }
            // The only difference: last month's cell is blank, so the value is missing (the
            // long table, lacking the row, fell back on the month before).
            assert_eq!(ca.name, "snapshot.active_users");
            assert!(y.is_nan());
            assert!(matches!(
                fb.missing_why(&fb.account_ids[i], &ca.name),
                Some(MissingWhy::NoValueForPeriod { .. })
            ));
            blank_now_missing += 1;
        }
    }
    assert!(blank_now_missing > 0);

    // The back-test observations (the default scorecard reads no snapshot metric) are equal.
    let card = Scorecard::default_heuristic();
    let bt = BacktestConfig::default();
    let (oa, ob) = (
        observe(&a.book, &card, &bt).unwrap(),
        observe(&b.book, &card, &bt).unwrap(),
    );
    // Every figure equal; the renewals' ids are the export's derived ones.
    let without_ids = |o| {
        let mut v = serde_json::to_value(o).unwrap();
        for row in v["rows"].as_array_mut().unwrap() {
            row["renewal_id"] = serde_json::Value::Null;
        }
        v
    };
    assert_eq!(oa.rows.len(), ob.rows.len());
    assert!(oa.rows.len() > 200);
    assert_eq!(without_ids(&oa), without_ids(&ob));
}

#[test]
fn the_report_says_what_the_source_map_did() {
    let b = exports();
    let text = b.report.render();
    for needle in [
        "crm_opportunities.csv, field `probability`: read from `Probability (%)`; multiplied by 0.01",
        "outcomes.csv, field `id`: derived from account_id : renewal_date",
        "warehouse_monthly_metrics.csv: wide metric table",
        "contacts_events.csv: role-change log",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}
