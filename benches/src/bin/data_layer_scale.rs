//! Scale run of the data layer: generate a large book as CSV (once), load and validate it,
//! derive point-in-time features; print wall time and peak memory per phase.
//!
//! ```text
//! cargo run --release -p csops-benches --bin data_layer_scale -- \
//!     --accounts 1000000 --events-per-account-week 0.82 --dir /tmp/csops-1m
//! ```
//!
//! The generated directory is reused when it already exists (delete it to regenerate).
//! `--threads N` loads on N threads (default: every core). `--features-out FILE` writes the
//! usage features (account id, then one column each; empty where missing) as CSV, for the peer
//! scripts of `benches/peers/` to check their answers against before they are timed.

use std::path::PathBuf;

use csops_benches::measure;
use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, features_as_of};
use csops_core::interchange::{LoadOptions, load_csv_dir};
use csops_core::synth::{SynthConfig, generate_to_csv_dir};

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.windows(2)
        .find(|w| w[0] == name)
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let accounts: usize = arg(&args, "--accounts", 100_000);
    let per_week: f64 = arg(&args, "--events-per-account-week", 0.82);
    let dir: PathBuf = arg(
        &args,
        "--dir",
        PathBuf::from(format!("/tmp/csops-book-{accounts}")),
    );

    if !dir.join("accounts.csv").exists() {
        let cfg = SynthConfig {
            accounts,
            seed: 7,
            events_per_account_week: per_week,
            ..SynthConfig::default()
        };
        let (summary, t, mem) = measure(|| generate_to_csv_dir(&cfg, &dir));
        let summary = summary?;
        println!(
            "generate: {t:.1?}, peak {:.0} MiB: {summary:?}",
            mem.unwrap_or(f64::NAN)
        );
    }
    let size: u64 = std::fs::read_dir(&dir)?
        .filter_map(|e| std::fs::metadata(e.ok()?.path()).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "book: {} ({:.2} GiB of CSV)",
        dir.display(),
        size as f64 / (1u64 << 30) as f64
    );

    let threads: usize = arg(&args, "--threads", 0);
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        threads: (threads > 0).then_some(threads),
        ..Default::default()
    };
    println!("threads: {}", opts.threads()?);
    let (loaded, t, mem) = measure(|| load_csv_dir(&dir, &opts));
    let loaded = loaded?;
    let c = loaded.book.counts();
    println!(
        "load + validate: {t:.2?}, peak {:.0} MiB; {} accounts, {} usage events, {} problems",
        mem.unwrap_or(f64::NAN),
        c.accounts,
        c.usage_events,
        loaded.report.problems.len()
    );
    let as_of = loaded.book.latest_date().ok_or("empty book")?;
    let cfg = FeatureConfig::default();
    let (frame, t, mem) = measure(|| features_as_of(&loaded.book, as_of, &cfg));
    let frame = frame?;
    println!(
        "features as of {as_of}: {t:.2?}, peak {:.0} MiB (process, book resident); {} accounts x {} features",
        mem.unwrap_or(f64::NAN),
        frame.len(),
        frame.columns.len()
    );
    if let Some(out) = args.windows(2).find(|w| w[0] == "--features-out") {
        let usage = [
            "logins_per_user_week",
            "dau_mau",
            "feature_breadth",
            "seat_utilisation",
            "days_since_last_activity",
            "usage_change_pct",
        ];
        let cols: Vec<_> = usage.iter().filter_map(|n| frame.column(n)).collect();
        let mut w = csv::Writer::from_path(&out[1])?;
        w.write_record(std::iter::once("account_id").chain(cols.iter().map(|c| c.name.as_str())))?;
        for (i, id) in frame.account_ids.iter().enumerate() {
            let cells = cols
                .iter()
                .map(|c| c.get(i).map_or(String::new(), |v| format!("{v:?}")));
            w.write_record(std::iter::once(id.clone()).chain(cells))?;
        }
        w.flush()?;
        println!("features written to {}", out[1]);
    }
    Ok(())
}
