//! Criterion bench of the back-test statistics at 100k rows: ROC AUC (with its DeLong and
//! Hanley–McNeil standard errors) on tied risks, and the L2 logistic fit (C = 1) on 6
//! features. The 1M-row scale run beside scikit-learn is `src/bin/backtest_scale.rs` with
//! `peers/backtest_sklearn.py`.
//!
//! `cargo bench -p csops-benches --bench backtest`

use criterion::{Criterion, criterion_group, criterion_main};
use csops_benches::backtest_data;
use csops_core::backtest::{fit, stats};

fn backtest(c: &mut Criterion) {
    let data = backtest_data(100_000, 11);
    let cols: Vec<&[f64]> = data.columns.iter().map(Vec::as_slice).collect();
    let mut g = c.benchmark_group("backtest");
    g.sample_size(20);
    g.bench_function("roc_auc 100k tied risks", |b| {
        b.iter(|| stats::roc_auc(&data.risk, &data.churned).map(|a| a.auc))
    });
    g.bench_function("logistic C=1 100k rows x 6", |b| {
        b.iter(|| fit::logistic(&cols, &data.y, Some(1.0)).map(|f| f.intercept))
    });
    g.finish();
}

criterion_group!(benches, backtest);
criterion_main!(benches);
