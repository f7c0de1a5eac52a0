//! The README's Rust snippet ("A taste"), run as written: `csops-core/tests/readme.rs` checks
//! that the README's block is this file's body between the markers, and the test command runs
//! this example from the repository root (`cargo run --example readme`), where the snippet's
//! paths lead.

// Not formatted: the body is the README's text, as a reader sees it.
#[rustfmt::skip]
fn main() -> Result<(), csops_core::Error> {
    // README begin
    use csops_core::book::LoadMode;
    use csops_core::features::{features_as_of, FeatureConfig};
    use csops_core::interchange::{load_csv_dir, LoadOptions};

    let loaded = load_csv_dir("data/sample-book", &LoadOptions { mode: LoadMode::Lenient, ..Default::default() })?;
    println!("{}", loaded.report.render());             // every problem: file, row, field, reason
    let as_of = loaded.book.latest_date().unwrap();
    let frame = features_as_of(&loaded.book, as_of, &FeatureConfig::default())?;
    println!("{}", frame.render_summary());

    let card = csops_core::health::Scorecard::default_heuristic();  // or Scorecard::from_toml(text)?
    let scores = card.score_frame(&frame, None)?;   // score, band, coverage, contributions per account
    println!("{:?}", scores.band_counts());
    let why = card.explain(&frame, None, 0)?;       // one account, measure by measure
    println!("{:?}", why.top_negative_drivers(3));

    use csops_core::backtest::{observe, report, recalibrate, BacktestConfig, RecalibrationConfig};
    let cfg = BacktestConfig::default();            // renewals of the last 4 quarters, scored 90 days before
    let obs = observe(&loaded.book, &card, &cfg)?;  // point-in-time: nothing later is visible
    println!("{}", report(&obs, &card, &cfg)?.render());   // band rates, verdict, AUC, lift, per measure
    let tuned = recalibrate(&obs, &card, &RecalibrationConfig::default())?;  // fit on older quarters
    println!("{}", tuned.render());                 // held-out AUC and Brier, before and after
    // README end
    Ok(())
}
