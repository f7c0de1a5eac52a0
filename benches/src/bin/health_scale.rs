//! Scoring speed: 1M accounts (configurable) with a 6-measure scorecard, on one core.
//!
//! ```text
//! cargo run --release -p csops-benches --bin health_scale -- --accounts 1000000 [--write-frame /tmp/frame.csv]
//! ```
//!
//! Prints the best wall time of several runs. `--write-frame` also writes the generated
//! feature frame as CSV so `benches/peers/health_numpy.py` can score the same data.
//!
//! `--serve` (for the binding benchmarks, `benches/peers/python_overhead.py` and
//! `benches/node/score_overhead.mjs`): after the data is ready it prints `ready` and then
//! answers commands on stdin, one per line, each with a burst of timed runs, so that the Rust
//! and the binding's bursts alternate and see the same machine (a shared machine drifts by a
//! quarter within a minute):
//! - `full [k]`: `score_frame` k times (default 1; a fresh result each time, the previous one
//!   dropped first), answered with `<best ms> <checksum>`;
//! - `into [k]`: `score_columns_into` with contributions, into a reused result (no fresh memory
//!   to fault in: what a caller scoring batch after batch pays), k times, answered with
//!   `<best ms>`;
//! - `only [k]`: the same, scores only, answered with `<best ms>`.
//!
//! `full` pays for fresh result memory, and how much depends on the allocator's state (glibc
//! gives a freed result back to the system, or not, by heuristics that the sizes of earlier
//! allocations tip): `into` is the stable figure to compare a binding with.

use std::io::Write;
use std::time::Instant;

use csops_benches::bench_scorecard;
use csops_core::features::{FeatureColumn, FeatureFrame};
use csops_core::health::ScoreDetail;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .windows(2)
        .find(|w| w[0] == "--accounts")
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut col = |f: &mut dyn FnMut(&mut ChaCha8Rng) -> f64| -> Vec<f64> {
        (0..n)
            .map(|_| {
                if rng.random_bool(0.05) {
                    f64::NAN
                } else {
                    f(&mut rng)
                }
            })
            .collect()
    };
    let columns = vec![
        ("logins", col(&mut |r| r.random_range(0.0..4.0))),
        ("breadth", col(&mut |r| r.random_range(0.0..1.0))),
        ("recency", col(&mut |r| r.random_range(0.0..60.0))),
        (
            "sponsor",
            col(&mut |r| if r.random_bool(0.6) { 1.0 } else { 0.0 }),
        ),
        ("escalations", col(&mut |r| r.random_range(0..5) as f64)),
        ("nps", col(&mut |r| r.random_range(-100.0..100.0))),
    ];
    let frame = FeatureFrame {
        as_of: "2026-01-01".parse().expect("date"),
        account_ids: (0..n).map(|i| format!("A{i}")).collect(),
        columns: columns
            .into_iter()
            .map(|(name, values)| FeatureColumn {
                name: name.into(),
                values,
            })
            .collect(),
        missing_notes: Vec::new(),
    };
    if let Some(path) = args
        .windows(2)
        .find(|w| w[0] == "--write-frame")
        .map(|w| w[1].clone())
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let names: Vec<&str> = frame.columns.iter().map(|c| c.name.as_str()).collect();
        writeln!(w, "{}", names.join(",")).expect("write");
        for i in 0..n {
            let row: Vec<String> = frame
                .columns
                .iter()
                .map(|c| {
                    if c.values[i].is_nan() {
                        String::new()
                    } else {
                        c.values[i].to_string()
                    }
                })
                .collect();
            writeln!(w, "{}", row.join(",")).expect("write");
        }
    }
    let card = bench_scorecard();
    if args.iter().any(|a| a == "--serve") {
        serve(&card, &frame);
        return;
    }
    let mut best = f64::INFINITY;
    let mut checksum = 0.0;
    for _ in 0..7 {
        let t = Instant::now();
        let s = card.score_frame(&frame, None).expect("scores");
        best = best.min(t.elapsed().as_secs_f64());
        checksum = s.scores.iter().filter(|x| !x.is_nan()).sum::<f64>();
    }
    println!(
        "csops score_frame: {n} accounts x 6 measures: best of 7 = {:.1} ms ({:.1} ns/account); checksum {checksum:.6}",
        best * 1e3,
        best * 1e9 / n as f64
    );
    // The same scoring into a reused result (no fresh memory to fault in): what a caller
    // scoring many batches or as-of dates pays per run.
    let columns: Vec<(&str, &[f64])> = frame
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.values.as_slice()))
        .collect();
    let mut out = csops_core::health::ScoreFrame::default();
    let mut best_into = f64::INFINITY;
    for _ in 0..7 {
        let t = Instant::now();
        card.score_columns_into(&columns, None, ScoreDetail::Full, &mut out)
            .expect("scores");
        best_into = best_into.min(t.elapsed().as_secs_f64());
    }
    let check_into = out.scores.iter().filter(|x| !x.is_nan()).sum::<f64>();
    assert_eq!(
        check_into.to_bits(),
        checksum.to_bits(),
        "same scores either way"
    );
    println!(
        "csops score_columns_into (reused result): best of 7 = {:.1} ms ({:.1} ns/account)",
        best_into * 1e3,
        best_into * 1e9 / n as f64
    );
    // Scores, bands and coverage only: the same output as the numpy peer computes.
    let mut best_only = f64::INFINITY;
    for _ in 0..7 {
        let t = Instant::now();
        card.score_columns_into(&columns, None, ScoreDetail::ScoresOnly, &mut out)
            .expect("scores");
        best_only = best_only.min(t.elapsed().as_secs_f64());
    }
    let check_only = out.scores.iter().filter(|x| !x.is_nan()).sum::<f64>();
    assert_eq!(
        check_only.to_bits(),
        checksum.to_bits(),
        "same scores either way"
    );
    println!(
        "csops score_columns_into (scores only): best of 7 = {:.1} ms ({:.1} ns/account)",
        best_only * 1e3,
        best_only * 1e9 / n as f64
    );
}

/// Answer `full` and `only` commands on stdin with one timed run each (see the module doc).
fn serve(card: &csops_core::health::Scorecard, frame: &FeatureFrame) {
    use std::io::BufRead;
    let columns: Vec<(&str, &[f64])> = frame
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.values.as_slice()))
        .collect();
    let mut fresh: Option<csops_core::health::ScoreFrame> = None;
    let mut reused = csops_core::health::ScoreFrame::default();
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ready").expect("write");
    stdout.flush().expect("flush");
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("read a command");
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or_default();
        let k: usize = words.next().map_or(1, |k| k.parse().expect("a count"));
        let mut best = f64::INFINITY;
        match command {
            "full" => {
                let mut checksum = 0.0;
                for _ in 0..k {
                    drop(fresh.take()); // before the run, as a caller's previous result would be
                    let t = Instant::now();
                    let s = card.score_frame(frame, None).expect("scores");
                    best = best.min(t.elapsed().as_secs_f64() * 1e3);
                    checksum = s.scores.iter().filter(|x| !x.is_nan()).sum::<f64>();
                    fresh = Some(s);
                }
                writeln!(stdout, "{best} {checksum}").expect("write");
            }
            "into" | "only" => {
                let detail = if command == "into" {
                    ScoreDetail::Full
                } else {
                    ScoreDetail::ScoresOnly
                };
                for _ in 0..k {
                    let t = Instant::now();
                    card.score_columns_into(&columns, None, detail, &mut reused)
                        .expect("scores");
                    best = best.min(t.elapsed().as_secs_f64() * 1e3);
                }
                writeln!(stdout, "{best}").expect("write");
            }
            other => panic!("unknown command {other:?} (full, into, only)"),
        }
        stdout.flush().expect("flush");
    }
}
