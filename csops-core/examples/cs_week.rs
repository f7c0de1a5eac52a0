//! The main job: a CS Ops week on the shipped sample book.
//!
//! ```text
//! cargo run --release --example cs_week [-- <book-dir>]
//! ```
//!
//! Today it runs the first steps of the acceptance story (docs: `../shared/DESIGN.md`):
//! load and validate the book, reporting what was rejected and why, then derive every
//! account's point-in-time features as of the book's latest date. Later capabilities extend it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, features_as_of};
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
    println!("derived in {:.0?}", t.elapsed());
    Ok(())
}
