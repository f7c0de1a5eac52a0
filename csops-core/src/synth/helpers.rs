//! Small helpers: seeded random streams and draws, date steps, money and the FX table.

use chrono::{Datelike, Months, NaiveDate, NaiveTime, TimeDelta};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rust_decimal::Decimal;

use crate::money::{Currency, FxTable, Money};

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub(super) fn stream_seed(seed: u64, stream: u64) -> u64 {
    splitmix64(seed ^ splitmix64(stream.wrapping_add(1)))
}

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub(super) type R = ChaCha8Rng;

pub(super) fn unif(r: &mut R) -> f64 {
    r.random::<f64>()
}

pub(super) fn chance(r: &mut R, p: f64) -> bool {
    unif(r) < p
}

pub(super) fn normal(r: &mut R) -> f64 {
    r.sample::<f64, _>(StandardNormal)
}

/// A whole number in `lo..=hi`.
pub(super) fn int(r: &mut R, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        r.random_range(lo..=hi)
    }
}

pub(super) fn pick<T: Copy>(r: &mut R, items: &[T]) -> T {
    items[int(r, 0, items.len() as i64 - 1) as usize]
}

pub(super) fn weighted(r: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = unif(r) * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

pub(super) fn poisson(r: &mut R, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        return (lambda + lambda.sqrt() * normal(r)).round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0u32, unif(r));
    while p > limit {
        k += 1;
        p *= unif(r);
    }
    k
}

/// Days until the next event of a process with `per_year` events a year.
pub(super) fn exp_days(r: &mut R, per_year: f64) -> i64 {
    (-(1.0 - unif(r)).ln() * 365.0 / per_year).round().max(1.0) as i64
}

pub(super) fn days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(n)).unwrap_or(d)
}

pub(super) fn months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(d)
}

pub(super) fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    days(months(first, 1), -1)
}

pub(super) fn day_secs(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp()
}

pub(super) fn money(cents: i64, c: Currency) -> Money {
    Money::new(Decimal::new(cents, 2), c)
}

pub(super) fn currency(code: &str) -> Currency {
    Currency::new(code).unwrap_or_else(|_| unreachable!("{code} is an ISO code"))
}

pub(super) fn fx_table() -> FxTable {
    let mut fx = FxTable::new(currency("USD"));
    for (c, rate) in [
        ("EUR", Decimal::new(10850, 4)),
        ("GBP", Decimal::new(12700, 4)),
    ] {
        // Positive literal rates cannot fail.
        let _ = fx.set_rate(currency(c), rate);
    }
    fx
}
