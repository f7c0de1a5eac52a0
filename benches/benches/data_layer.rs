//! Criterion benches of the data layer on a generated book: validation + indexing of records
//! held in memory, CSV loading, and point-in-time feature derivation.
//!
//! `cargo bench -p csops-benches --bench data_layer`

use criterion::{Criterion, criterion_group, criterion_main};
use csops_core::book::{Book, LoadMode};
use csops_core::features::{FeatureConfig, features_as_of};
use csops_core::interchange::{LoadOptions, load_csv_texts, write_csv_texts};
use csops_core::synth::{SynthConfig, generate};

fn data_layer(c: &mut Criterion) {
    let cfg = SynthConfig {
        accounts: 2_000,
        seed: 1,
        ..SynthConfig::default()
    };
    let records = generate(&cfg);
    let events = records.usage_events.len();
    let (book, _) =
        Book::from_records(records.clone(), LoadMode::Strict).expect("generated books are valid");
    let texts = write_csv_texts(&book).expect("writes");
    let as_of = cfg.end();
    let fcfg = FeatureConfig::default();

    let mut g = c.benchmark_group(format!("2k accounts, {events} events"));
    g.sample_size(10);
    g.bench_function("validate + index records", |b| {
        b.iter(|| Book::from_records(records.clone(), LoadMode::Strict).map(|(b, _)| b.counts()))
    });
    g.bench_function("load CSV texts", |b| {
        b.iter(|| load_csv_texts(&texts, &LoadOptions::default()).map(|l| l.book.counts()))
    });
    g.bench_function("features as of end", |b| {
        b.iter(|| features_as_of(&book, as_of, &fcfg).map(|f| f.len()))
    });
    g.finish();
}

criterion_group!(benches, data_layer);
criterion_main!(benches);
