//! Criterion bench of batch health scoring: 100k accounts, the 6-measure benchmark scorecard
//! (the scale run with numpy/pandas peers is `src/bin/health_scale.rs`).
//!
//! `cargo bench -p csops-benches --bench health`

use criterion::{Criterion, criterion_group, criterion_main};
use csops_benches::bench_scorecard;
use csops_core::features::{FeatureColumn, FeatureFrame};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn scoring(c: &mut Criterion) {
    let n = 100_000;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let names = [
        "logins",
        "breadth",
        "recency",
        "sponsor",
        "escalations",
        "nps",
    ];
    let columns = names
        .iter()
        .map(|name| FeatureColumn {
            name: name.to_string(),
            values: (0..n)
                .map(|_| {
                    if rng.random_bool(0.05) {
                        f64::NAN
                    } else {
                        rng.random_range(0.0..3.0)
                    }
                })
                .collect(),
        })
        .collect();
    let frame = FeatureFrame {
        as_of: "2026-01-01".parse().expect("date"),
        account_ids: (0..n).map(|i| format!("A{i}")).collect(),
        columns,
        missing_notes: Vec::new(),
    };
    let card = bench_scorecard();
    let mut g = c.benchmark_group("health");
    g.sample_size(20);
    g.bench_function("score_frame 100k accounts x 6 measures", |b| {
        b.iter(|| card.score_frame(&frame, None).map(|s| s.scores.len()))
    });
    g.bench_function("explain one of 100k", |b| {
        b.iter(|| card.explain(&frame, None, 42).map(|s| s.score))
    });
    g.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
