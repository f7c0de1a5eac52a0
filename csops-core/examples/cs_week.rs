//! The main job: a CS Ops week on the shipped sample book.
//!
//! ```text
//! cargo run --release --example cs_week [-- <book-dir>]
//! ```
//!
//! Today it runs the first steps of the acceptance story (docs: `../shared/DESIGN.md`):
//! load and validate the book, reporting what was rejected and why; derive every account's
//! point-in-time features as of the book's latest date; score every account with the default
//! (heuristic, login-heavy) scorecard. Later capabilities extend it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use csops_core::backtest::{BacktestConfig, RecalibrationConfig, observe, recalibrate, report};
use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, features_as_of};
use csops_core::health::Scorecard;
use csops_core::interchange::{LoadOptions, load_csv_dir};

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sample-book"));
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &std::path::Path) -> csops_core::Result<()> {
    println!(
        "csops {} — a CS Ops week on {}\n",
        csops_core::VERSION,
        dir.display()
    );

    println!("== 1. Load and validate the book ==");
    let t = Instant::now();
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let loaded = load_csv_dir(dir, &opts)?;
    let book = &loaded.book;
    print!("{}", loaded.report.render());
    let c = book.counts();
    println!(
        "loaded {} accounts, {} contacts, {} usage events, {} tickets, {} surveys, {} opportunities, {} renewal outcomes in {:.0?}\n",
        c.accounts,
        c.contacts,
        c.usage_events,
        c.tickets,
        c.surveys,
        c.opportunities,
        c.renewal_outcomes,
        t.elapsed()
    );

    println!("== 2. Point-in-time features ==");
    let Some(as_of) = book.latest_date() else {
        println!("the book has no dated records; nothing to derive");
        return Ok(());
    };
    let t = Instant::now();
    let cfg = FeatureConfig {
        snapshot_metrics: vec!["active_users".into()],
        ..Default::default()
    };
    let frame = features_as_of(book, as_of, &cfg)?;
    print!("{}", frame.render_summary());
    println!("derived in {:.0?}\n", t.elapsed());

    println!("== 3. Score every account (the default scorecard, a login-heavy heuristic) ==");
    let card = Scorecard::default_heuristic();
    let t = Instant::now();
    let scores = card.score_frame(&frame, None)?;
    println!(
        "scored {} accounts in {:.0?}",
        scores.scores.len(),
        t.elapsed()
    );
    for (band, n) in scores.band_counts() {
        println!("  {band:<18} {n:>5}");
    }
    let mut order: Vec<usize> = (0..scores.scores.len())
        .filter(|&i| !scores.scores[i].is_nan())
        .collect();
    order.sort_by(|&a, &b| scores.scores[a].total_cmp(&scores.scores[b]));
    println!("\nthe ten riskiest accounts and what pulls them down:");
    for &i in order.iter().take(10) {
        let explained = card.explain(&frame, None, i)?;
        let account = book.account(&frame.account_ids[i]);
        let drivers: Vec<String> = explained
            .top_negative_drivers(3)
            .iter()
            .map(|d| format!("{} -{:.0}", d.name, d.points_lost))
            .collect();
        println!(
            "  {:<8} {:<28} {:>5.1} {:<7} {}",
            frame.account_ids[i],
            account
                .map_or("", |a| a.name.as_str())
                .chars()
                .take(28)
                .collect::<String>(),
            scores.scores[i],
            scores.band(i).unwrap_or("-"),
            drivers.join(", ")
        );
    }

    println!("\n== 4. Back-test: did the score predict last year's churn? ==");
    let t = Instant::now();
    let bt_cfg = BacktestConfig::default();
    let observations = observe(book, &card, &bt_cfg)?;
    let bt = report(&observations, &card, &bt_cfg)?;
    print!("{}", bt.render());
    println!("back-tested in {:.0?}", t.elapsed());
    let share = |name: &str| bt.measures.iter().find(|m| m.measure == name);
    if let (Some(l), Some(b)) = (share("logins"), share("breadth")) {
        println!(
            "\nlogins carry {:.0}% of the weight but {:.0}% of the predictive power (AUC {}); \
             breadth carries {:.0}% of the weight and {:.0}% of the power (AUC {})",
            100.0 * l.weight_share,
            100.0 * l.power_share,
            l.auc.map_or("-".into(), |a| format!("{a:.2}")),
            100.0 * b.weight_share,
            100.0 * b.power_share,
            b.auc.map_or("-".into(), |a| format!("{a:.2}")),
        );
    }

    println!("\n== 5. Re-tune: fit weights on older quarters, prove them on the latest ==");
    let recal = recalibrate(&observations, &card, &RecalibrationConfig::default())?;
    print!("{}", recal.render());
    if let (Some(a), Some(b)) = (&recal.before.auc, &recal.after.auc) {
        println!(
            "held-out AUC {:.3} -> {:.3}; Brier {} -> {}",
            a.auc,
            b.auc,
            recal.before.brier.map_or("-".into(), |x| format!("{x:.4}")),
            recal.after.brier.map_or("-".into(), |x| format!("{x:.4}")),
        );
    }
    Ok(())
}
