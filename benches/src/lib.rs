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

/// The retention benchmark's book in compact form, shared by `src/bin/retention_scale.rs`
/// and `benches/retention.rs` (and, through the CSV files `retention_scale --write` writes,
/// by `peers/retention_pandas.py`).
///
/// Monthly ARR snapshots on the [`RETENTION_MONTHS`] month-ends from 2023-12-31 to
/// 2025-12-31. Nine in ten accounts started before the window (any day of 2021–2023) and have a
/// snapshot every month-end; the rest start on a day of 2024 or 2025 and are first snapshotted
/// at the end of that month (so ARR between the start date and the first snapshot is the
/// first snapshot's, csops' lead-in rule). From month to month ARR stays flat, expands,
/// contracts or churns (rates by segment); a churned account has one zero snapshot and none
/// after, unless it comes back (win-back, some 4% a month), when its snapshots resume.
/// A fifth of the accounts bill in EUR, converted at an FX rate of exactly 1.08 USD.
#[derive(Debug, Clone)]
pub struct RetentionData {
    /// Accounts, in book order (id `A` + 7 digits of the index).
    pub accounts: Vec<RetentionAccount>,
    /// Snapshots grouped by account, by month within an account.
    pub snapshots: Vec<RetentionSnapshot>,
}

/// One generated account.
#[derive(Debug, Clone, Copy)]
pub struct RetentionAccount {
    /// Index into [`RETENTION_SEGMENTS`], or `None` (about 2%, labelled `none` by a cut).
    pub segment: Option<u8>,
    /// Contract start.
    pub start_date: chrono::NaiveDate,
    /// Bills in EUR (else USD).
    pub eur: bool,
}

/// One generated ARR snapshot.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSnapshot {
    /// Account index.
    pub account: u32,
    /// Month-end index: the snapshot is dated [`retention_month_end`]`(month)`.
    pub month: u8,
    /// ARR in cents of the account's currency.
    pub cents: i64,
}

/// Segments of the retention book.
pub const RETENTION_SEGMENTS: [&str; 3] = ["enterprise", "mid-market", "smb"];
/// Month-ends with snapshots: 2023-12-31 (index 0) to 2025-12-31 (index 24).
pub const RETENTION_MONTHS: usize = 25;
/// The EUR → USD rate, in hundredths (exactly 1.08).
pub const RETENTION_EUR_RATE_HUNDREDTHS: i64 = 108;

/// The last day of month `m` of the window (0 = December 2023).
pub fn retention_month_end(m: usize) -> chrono::NaiveDate {
    let first = chrono::NaiveDate::from_ymd_opt(2023, 12, 1).expect("valid date");
    first
        .checked_add_months(chrono::Months::new(m as u32 + 1))
        .and_then(|d| d.pred_opt())
        .expect("valid date")
}

/// An account id of the retention book.
pub fn retention_account_id(a: usize) -> String {
    format!("A{a:07}")
}

/// `cents / 100` as whatever decimal type the caller needs (inferred: `rust_decimal::Decimal`
/// for [`csops_core::money::Money`]), so this crate needs no direct dependency on it.
fn hundredths<D: From<i64> + std::ops::Div<Output = D>>(cents: i64) -> D {
    D::from(cents) / D::from(100)
}

/// Generate `accounts` accounts from `seed` (ChaCha8). Accounts are generated one after
/// another, each with all its snapshots, so the first `k` accounts of a bigger book are the
/// book of `k` accounts.
pub fn retention_data(accounts: usize, seed: u64) -> RetentionData {
    use chrono::{Datelike, NaiveDate};
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let early = NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid date");
    let early_days = (retention_month_end(0) - early).num_days();
    let mut accs = Vec::with_capacity(accounts);
    let mut snaps = Vec::with_capacity(accounts * 22);
    for a in 0..accounts {
        let u: f64 = rng.random();
        let segment = match u {
            u if u < 0.02 => None,
            u if u < 0.12 => Some(0u8),
            u if u < 0.42 => Some(1),
            _ => Some(2),
        };
        let eur = rng.random_bool(0.2);
        let (start_date, first_month) = if rng.random_bool(0.9) {
            let d = early + chrono::Days::new(rng.random_range(0..=early_days) as u64);
            (d, 0usize)
        } else {
            let m = rng.random_range(1..RETENTION_MONTHS);
            let end = retention_month_end(m);
            let day = rng.random_range(1..=end.day());
            (end.with_day(day).expect("valid day"), m)
        };
        // Whole-dollar ARR, log-uniform by segment; churn / expansion / contraction per month.
        let ((lo, hi), (p_churn, p_exp, p_con)) = match segment {
            Some(0) => ((40_000.0f64, 600_000.0f64), (0.004, 0.035, 0.012)),
            Some(1) => ((8_000.0, 80_000.0), (0.008, 0.030, 0.015)),
            Some(_) => ((600.0, 12_000.0), (0.015, 0.020, 0.010)),
            None => ((600.0, 200_000.0), (0.010, 0.025, 0.012)),
        };
        let dollars = (lo.ln() + rng.random::<f64>() * (hi / lo).ln())
            .exp()
            .round();
        let mut cents = dollars as i64 * 100;
        let mut last_positive = cents;
        let mut zero_written = false;
        for m in first_month..RETENTION_MONTHS {
            if m > first_month {
                if cents > 0 {
                    let u: f64 = rng.random();
                    if u < p_churn {
                        cents = 0;
                    } else if u < p_churn + p_exp {
                        cents = (cents as f64 * rng.random_range(1.05..1.5)).round() as i64;
                    } else if u < p_churn + p_exp + p_con {
                        let f = rng.random_range(0.5..0.95);
                        cents = ((cents as f64 * f).round() as i64).max(100);
                    }
                } else if rng.random_bool(0.04) {
                    cents = ((last_positive as f64 * rng.random_range(0.5..1.2)).round() as i64)
                        .max(100);
                }
            }
            if cents > 0 {
                last_positive = cents;
                zero_written = false;
            } else if zero_written {
                continue;
            } else {
                zero_written = true;
            }
            snaps.push(RetentionSnapshot {
                account: a as u32,
                month: m as u8,
                cents,
            });
        }
        accs.push(RetentionAccount {
            segment,
            start_date,
            eur,
        });
    }
    RetentionData {
        accounts: accs,
        snapshots: snaps,
    }
}

impl RetentionData {
    /// The book's records (accounts and ARR snapshots, with a USD FX table converting EUR at
    /// 1.08). Each account's current ARR is its last snapshot's.
    pub fn to_records(&self) -> csops_core::book::Records {
        use csops_core::money::{Currency, FxTable, Money};
        use csops_core::record::{Account, ArrSnapshot};
        let usd = Currency::new("USD").expect("USD");
        let eur = Currency::new("EUR").expect("EUR");
        let mut fx = FxTable::new(usd);
        fx.set_rate(eur, hundredths(RETENTION_EUR_RATE_HUNDREDTHS))
            .expect("a positive rate");
        let months: Vec<_> = (0..RETENTION_MONTHS).map(retention_month_end).collect();
        let mut last = vec![0i64; self.accounts.len()];
        let arr_snapshots = self
            .snapshots
            .iter()
            .map(|s| {
                let a = s.account as usize;
                last[a] = s.cents;
                let cur = if self.accounts[a].eur { eur } else { usd };
                ArrSnapshot {
                    account_id: retention_account_id(a),
                    date: months[s.month as usize],
                    arr: Money::new(hundredths(s.cents), cur),
                }
            })
            .collect();
        let accounts = self
            .accounts
            .iter()
            .enumerate()
            .map(|(a, acc)| {
                let id = retention_account_id(a);
                Account {
                    name: id.clone(),
                    id,
                    owner_csm: None,
                    segment: acc
                        .segment
                        .map(|s| RETENTION_SEGMENTS[s as usize].to_string()),
                    tier: None,
                    region: None,
                    industry: None,
                    plan: None,
                    arr: Money::new(hundredths(last[a]), if acc.eur { eur } else { usd }),
                    seats: None,
                    start_date: acc.start_date,
                    renewal_date: None,
                    term_months: None,
                    attributes: Default::default(),
                }
            })
            .collect();
        csops_core::book::Records {
            accounts,
            arr_snapshots,
            fx: Some(fx),
            ..Default::default()
        }
    }
}
