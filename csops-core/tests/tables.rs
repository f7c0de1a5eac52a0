//! The result tables of the sample book (`csops_core::table`), kept as files in
//! `tests/conformance/tables/` and compared value for value in Rust (here) and Python
//! (`test_table_vectors.py`: pyarrow, polars and pandas frames), so a table has the same
//! columns, kinds and values in both. (Node hands out the results' structured form, whose
//! figures these tables flatten.) `UPDATE_TABLES=1 cargo test -p csops-core --test tables`
//! rewrites them.
//!
//! Each file holds `{"schema": [{name, kind, categories}], "columns": {name: [values]}}`:
//! numbers with `null` where missing, dates as ISO days, amounts as exact decimal text.

use std::path::PathBuf;

use csops_core::backtest::{self, BacktestConfig, tables as bt};
use csops_core::book::{Book, LoadMode};
use csops_core::features::FeatureConfig;
use csops_core::forecast::tables::{self as fc, SubtotalBy};
use csops_core::forecast::{ForecastOptions, health_as_of};
use csops_core::health::Scorecard;
use csops_core::interchange::{LoadOptions, load_csv_dir};
use csops_core::retention::{ArrHistory, arr_bridge, tables as rt};
use csops_core::segment::{CoverageModel, TierRules, book_table, plan, tables as sg};
use csops_core::table::{Table, Values};

fn sample() -> Book {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sample-book");
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    load_csv_dir(dir, &opts).unwrap().book
}

/// Every column as long as the table; every band column a category of the card's bands in
/// order; then the file, word for word.
fn check(name: &str, table: &Table, card: &Scorecard) {
    let rows = table.rows();
    for c in &table.columns {
        assert_eq!(c.values.len(), rows, "{name}.{}", c.name);
        if c.name == "band" {
            let Values::Categories(cat) = &c.values else {
                panic!("{name}.band is not a category")
            };
            assert!(cat.ordered, "{name}.band");
            let want: Vec<&str> = bt::band_names(card);
            assert_eq!(&cat.names[..want.len()], &want[..], "{name}.band");
        }
    }
    let value = serde_json::json!({ "schema": table.schema(), "columns": table });
    let got = serde_json::to_string_pretty(&value).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance/tables")
        .join(format!("{name}.json"));
    if std::env::var_os("UPDATE_TABLES").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_TABLES=1 writes it)", path.display()));
    assert_eq!(got, want, "{name}");
}

#[test]
fn the_sample_books_tables_are_the_vectors() {
    let book = sample();
    let card = Scorecard::default_heuristic();
    let cfg = BacktestConfig::default();
    let obs = backtest::observe(&book, &card, &cfg).unwrap();
    let report = backtest::report(&obs, &card, &cfg).unwrap();
    check("backtest_bands", &bt::bands(&report, &card), &card);
    check("backtest_quarters", &bt::quarters(&report), &card);
    check("backtest_measures", &bt::measures(&report), &card);
    check("backtest_calibration", &bt::calibration(&report), &card);
    check("backtest_lift", &bt::lift(&report), &card);
    check("backtest_survival", &bt::survival(&report, &card), &card);
    let observations = bt::observations(&obs, &card);
    assert_eq!(observations.rows(), obs.rows.len());
    check("backtest_observations", &observations, &card);

    let latest = book.latest_date().unwrap();
    let health = health_as_of(&book, &card, latest, &FeatureConfig::default()).unwrap();
    check("health_as_of", &fc::health(&health, &card), &card);
    let f_cfg = ForecastOptions::default().config().unwrap();
    let f = csops_core::forecast::forecast(&book, &health, &f_cfg).unwrap();
    let lines = fc::lines(&f);
    assert_eq!(lines.rows(), f.lines.len());
    check("forecast_lines", &lines, &card);
    check(
        "forecast_by_segment",
        &fc::subtotals(&f, SubtotalBy::Segment),
        &card,
    );
    check(
        "forecast_by_csm",
        &fc::subtotals(&f, SubtotalBy::Csm),
        &card,
    );
    check(
        "forecast_by_month",
        &fc::subtotals(&f, SubtotalBy::Month),
        &card,
    );
    check("forecast_months", &fc::months(&f).unwrap(), &card);

    let history = ArrHistory::from_book(&book).unwrap();
    let from = latest - chrono::Days::new(365);
    let bridge = arr_bridge(&history, from, latest).unwrap();
    check("arr_bridge_accounts", &rt::movements(&bridge), &card);

    let rules = TierRules::default_rules();
    let model = CoverageModel::default();
    let accounts = book_table(&book, latest, Some(&FeatureConfig::default()), Some(&card)).unwrap();
    let p = plan(&accounts, &rules, &model, None).unwrap();
    check(
        "segmentation_tiers",
        &sg::tiers(&accounts, &rules, &p),
        &card,
    );
    check("segmentation_coverage", &sg::coverage(&p.coverage), &card);
    check("segmentation_csms", &sg::csms(&p.coverage), &card);
    check(
        "segmentation_assignment",
        &sg::assignment(&p.coverage, &p.assignment),
        &card,
    );
    check(
        "segmentation_owners",
        &sg::owners(&accounts, &rules, &p),
        &card,
    );
}
