//! Helpers shared by the csops benchmarks.

use std::time::{Duration, Instant};

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`), if readable.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Reset the peak-memory counter (Linux: write 5 to `/proc/self/clear_refs`), so the next
/// [`peak_rss_mib`] measures one phase. Returns false where that is not supported.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Run `f`, returning its result, the wall time and the peak RSS during it (MiB).
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<f64>) {
    reset_peak_rss();
    let t = Instant::now();
    let out = f();
    (out, t.elapsed(), peak_rss_mib())
}

/// The 6-measure scorecard every scoring benchmark uses (and `peers/health_numpy.py`
/// reimplements): three normaliser kinds and each missing-data rule.
pub fn bench_scorecard() -> csops_core::health::Scorecard {
    use csops_core::health::{MissingRule, Normaliser, Scorecard};
    Scorecard::builder("bench 6")
        .group("usage", 2.0)
        .measure("logins", "logins", 3.0, Normaliser::linear(0.0, 3.0))
        .measure("breadth", "breadth", 2.0, Normaliser::linear(0.0, 1.0))
        .measure_with(
            "recency",
            "recency",
            1.0,
            Normaliser::linear(30.0, 0.0),
            MissingRule::Worst,
        )
        .group("relationship", 1.0)
        .measure("sponsor", "sponsor", 1.0, Normaliser::boolean())
        .measure(
            "escalations",
            "escalations",
            1.0,
            Normaliser::steps(vec![1.0, 3.0], vec![100.0, 50.0, 10.0]),
        )
        .measure_with(
            "nps",
            "nps",
            1.0,
            Normaliser::linear(-100.0, 100.0),
            MissingRule::Fixed { score: 50.0 },
        )
        .build()
        .expect("the benchmark scorecard is valid")
}

/// Generated back-test data, shared by `src/bin/backtest_scale.rs` and `benches/backtest.rs`
/// (and, through files `backtest_scale --write` writes, by `peers/backtest_sklearn.py`).
#[derive(Debug, Clone)]
pub struct BacktestData {
    /// Churn risk, `100 − health score`, on 0–100 in steps of 0.1 (so heavily tied: at most
    /// 1,001 distinct values, as a real scorecard rounded for display gives).
    pub risk: Vec<f64>,
    /// Churned, drawn from a logistic model of the risk (about 15% positive).
    pub churned: Vec<bool>,
    /// Six features on 0–1, column by column.
    pub columns: Vec<Vec<f64>>,
    /// Outcome drawn from [`BACKTEST_TRUE_MODEL`] on `columns`.
    pub y: Vec<bool>,
}

/// The logistic model `y` is drawn from: `[intercept, β₁ … β₆]` (about 17% positive).
pub const BACKTEST_TRUE_MODEL: [f64; 7] = [-3.0, 2.0, -1.5, 1.0, 0.5, -0.8, 1.5];

/// `rows` rows of [`BacktestData`] from `seed` (ChaCha8, so the same on every platform).
pub fn backtest_data(rows: usize, seed: u64) -> BacktestData {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let mut risk = Vec::with_capacity(rows);
    let mut churned = Vec::with_capacity(rows);
    for _ in 0..rows {
        // Health ~ Normal(68, 16) by Box–Muller, cut to 0–100, in whole tenths.
        let (u1, u2): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let tenths = (680.0 + 160.0 * normal).round().clamp(0.0, 1000.0);
        let r = (1000.0 - tenths) / 10.0;
        risk.push(r);
        churned.push(rng.random_bool(sigmoid(-2.0 + 0.06 * (r - 32.0))));
    }
    let k = BACKTEST_TRUE_MODEL.len() - 1;
    let mut columns = vec![Vec::with_capacity(rows); k];
    let mut y = Vec::with_capacity(rows);
    for _ in 0..rows {
        let mut z = BACKTEST_TRUE_MODEL[0];
        for (col, b) in columns.iter_mut().zip(&BACKTEST_TRUE_MODEL[1..]) {
            let x: f64 = rng.random();
            col.push(x);
            z += b * x;
        }
        y.push(rng.random_bool(sigmoid(z)));
    }
    BacktestData {
        risk,
        churned,
        columns,
        y,
    }
}
