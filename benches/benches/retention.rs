//! Criterion bench of retention at 100k accounts (~2.2M monthly ARR snapshots over two years,
//! a fifth in EUR): the ARR history build, the trailing year's ARR bridge, GRR / NRR / logo
//! retention (whole book and by segment) and the quarterly series over two years. The 1M-account
//! scale run beside pandas is `src/bin/retention_scale.rs` with `peers/retention_pandas.py`.
//!
//! `cargo bench -p csops-benches --bench retention`

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use csops_benches::retention_data;
use csops_core::book::{Book, LoadMode};
use csops_core::retention::{
    ArrHistory, Cut, Period, arr_bridge, retention, retention_by, retention_series,
};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a valid date")
}

fn bench(c: &mut Criterion) {
    let records = retention_data(100_000, 7).to_records();
    let (book, _) = Book::from_records(records, LoadMode::Strict).expect("a valid book");
    let history = ArrHistory::from_book(&book).expect("history");
    let (from, to) = (day("2024-12-31"), day("2025-12-31"));
    let segment = Cut::Field("segment".into());
    let mut g = c.benchmark_group("retention");
    g.sample_size(10);
    g.bench_function("ArrHistory::from_book 100k", |b| {
        b.iter(|| ArrHistory::from_book(&book).map(|h| h.len()))
    });
    g.bench_function("arr_bridge trailing year 100k", |b| {
        b.iter(|| arr_bridge(&history, from, to).map(|r| r.end))
    });
    g.bench_function("retention trailing year 100k", |b| {
        b.iter(|| retention(&history, from, to).map(|r| r.grr))
    });
    g.bench_function("retention_by segment 100k", |b| {
        b.iter(|| retention_by(&book, &history, from, to, &segment).map(|r| r.len()))
    });
    g.bench_function("retention_series 8 quarters 100k", |b| {
        b.iter(|| {
            retention_series(&history, day("2024-01-01"), to, Period::Quarter).map(|r| r.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
