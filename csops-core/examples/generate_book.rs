//! Generate a synthetic book of business as a directory of CSV files.
//!
//! ```text
//! cargo run --release -p csops-core --example generate_book -- --accounts 300 --seed 42 \
//!     --out data/sample-book [--bad-rows] [--check]
//! ```
//!
//! Options (every one optional except `--out`; defaults are those of `SynthConfig`):
//!
//! | flag | meaning |
//! |---|---|
//! | `--out DIR` | the directory to write (created if needed; the book's CSV files are replaced) |
//! | `--accounts N` | number of accounts |
//! | `--seed S` | random seed; the same seed gives the same book |
//! | `--start YYYY-MM-DD` | first day of the window |
//! | `--quarters Q` | length of the window in quarters |
//! | `--missing-rate X` | share of optional values left missing |
//! | `--events-per-account-week X` | usage-event density (default 5; about 0.82 gives 50 events per account) |
//! | `--usage-days D` | days of raw usage events before the end of the window |
//! | `--existing-share X` | share of accounts already customers when the window opens |
//! | `--config FILE` | read the settings from a TOML file first (flags override it) |
//! | `--bad-rows` | then append a handful of deliberately bad rows, one per validation rule |
//! | `--check` | then load the directory leniently and print the validation report |
//!
//! The generator and its churn model are documented in `csops_core::synth`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use csops_core::book::LoadMode;
use csops_core::interchange::{LoadOptions, load_csv_dir};
use csops_core::synth::{SynthConfig, append_bad_rows, generate_to_csv_dir};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut cfg = SynthConfig::default();
    let mut out: Option<PathBuf> = None;
    let (mut bad_rows, mut check) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--accounts" => cfg.accounts = value()?.parse()?,
            "--seed" => cfg.seed = value()?.parse()?,
            "--start" => cfg.start = value()?.parse()?,
            "--quarters" => cfg.quarters = value()?.parse()?,
            "--missing-rate" => cfg.missing_rate = value()?.parse()?,
            "--events-per-account-week" => cfg.events_per_account_week = value()?.parse()?,
            "--usage-days" => cfg.usage_days = value()?.parse()?,
            "--existing-share" => cfg.existing_share = value()?.parse()?,
            "--config" => {
                let text = std::fs::read_to_string(value()?)?;
                cfg = SynthConfig::from_toml(&text)?;
            }
            "--bad-rows" => bad_rows = true,
            "--check" => check = true,
            "-h" | "--help" => {
                println!(
                    "usage: generate_book --out DIR [--accounts N] [--seed S] [--start YYYY-MM-DD] \
                     [--quarters Q] [--missing-rate X] [--events-per-account-week X] \
                     [--usage-days D] [--existing-share X] [--config FILE] [--bad-rows] [--check]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown flag `{other}` (try --help)").into()),
        }
    }
    let out = out.ok_or("--out DIR is required")?;

    let t = Instant::now();
    let summary = generate_to_csv_dir(&cfg, &out)?;
    let elapsed = t.elapsed();
    let c = &summary.counts;
    println!(
        "generated {} accounts (seed {}, {} → {}) into {} in {:.2?}",
        c.accounts,
        cfg.seed,
        cfg.start,
        summary.end,
        out.display(),
        elapsed
    );
    println!(
        "renewals decided: {}, churned: {} ({:.1}% logo churn per renewal)",
        summary.renewals,
        summary.churned,
        100.0 * summary.churn_rate()
    );
    let rows = [
        ("accounts", c.accounts),
        ("contacts", c.contacts),
        ("contact_roles", c.contact_roles),
        ("usage_events", c.usage_events),
        ("usage_snapshots", c.usage_snapshots),
        ("tickets", c.tickets),
        ("surveys", c.surveys),
        ("meetings", c.meetings),
        ("milestones", c.milestones),
        ("opportunities", c.opportunities),
        ("arr_snapshots", c.arr_snapshots),
        ("renewal_outcomes", c.renewal_outcomes),
    ];
    let mut total = 0u64;
    println!("{:<24} {:>12} {:>12}", "file", "rows", "bytes");
    for path in &summary.files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let n = rows
            .iter()
            .find(|(s, _)| *s == stem)
            .map_or(String::from("-"), |(_, n)| n.to_string());
        let bytes = size(path);
        total += bytes;
        println!("{:<24} {:>12} {:>12}", format!("{stem}.csv"), n, bytes);
    }
    println!("{:<24} {:>12} {:>12}", "total", "", total);

    if bad_rows {
        let bad = append_bad_rows(&out)?;
        println!("\nappended {} deliberately bad rows:", bad.len());
        for b in &bad {
            println!(
                "  {} line {}, `{}` ({:?}): {} — {}",
                b.file, b.line, b.field, b.kind, b.rule, b.story
            );
        }
    }
    if check {
        let t = Instant::now();
        let opts = LoadOptions {
            mode: LoadMode::Lenient,
            ..Default::default()
        };
        let loaded = load_csv_dir(&out, &opts)?;
        println!("\nlenient load in {:.2?}:", t.elapsed());
        print!("{}", loaded.report.render());
    }
    Ok(())
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
