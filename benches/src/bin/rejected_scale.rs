//! What rejected rows cost: a CSV of accounts where every row after the first repeats the first
//! id (each a `duplicate` problem with its row kept in the report), against the same number
//! of good rows. Prints load time and the report's size; run under `/usr/bin/time -v` for the
//! peak memory.
//!
//!   cargo run --release -p csops-benches --bin rejected_scale -- [ROWS] [good|duplicate]

use std::collections::BTreeMap;
use std::time::Instant;

use csops_core::book::LoadMode;
use csops_core::interchange::{LoadOptions, load_csv_texts};

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map_or(1_000_000, |a| a.parse().expect("ROWS"));
    let duplicate = args.next().as_deref() == Some("duplicate");
    let mut text = String::from(
        "id,name,owner_csm,segment,tier,region,industry,plan,currency,arr,seats,start_date,renewal_date,term_months\n",
    );
    for i in 0..rows {
        let id = if duplicate && i > 0 { 0 } else { i };
        text.push_str(&format!(
            "A-{id:07},Account {i} GmbH,csm.{},mid_market,,EMEA,software,pro,USD,1200.00,20,2024-02-01,2026-02-01,12\n",
            i % 50
        ));
    }
    let mut texts = BTreeMap::new();
    texts.insert("accounts".to_string(), text);
    let started = Instant::now();
    let loaded = load_csv_texts(
        &texts,
        &LoadOptions {
            mode: LoadMode::Lenient,
            ..Default::default()
        },
    )
    .expect("a lenient load");
    println!(
        "{rows} {} rows: loaded {} accounts, {} problems, {} rejected rows in {:.2} s",
        if duplicate { "duplicate-id" } else { "good" },
        loaded.book.accounts().len(),
        loaded.report.problems.len(),
        loaded.report.rejected.len(),
        started.elapsed().as_secs_f64()
    );
}
