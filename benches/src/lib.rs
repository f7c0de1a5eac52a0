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
