//! Loading the same book from CSV, from Parquet and from in-memory Arrow tables, in one run.
//!
//! ```text
//! cargo run --release -p csops-benches --bin formats_scale -- \
//!     --accounts 1000000 --events-per-account-week 0.82 --runs 3
//! ```
//!
//! Generates the book as CSV (once, reused), converts every file to Parquet (zstd, column
//! types inferred from the CSV as a warehouse export would have them; once, reused) and reads
//! the Parquet files into record batches, then loads the book each way `--runs` times,
//! interleaved, printing the median wall time and peak memory of each (the in-memory tables
//! are resident during their load, so that peak includes them). Every way must give the same
//! book (record counts and problems are compared). `--ways csv,parquet` leaves the in-memory
//! tables out (at 1M accounts they do not fit in memory beside the book they load into).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::RecordBatch;
use csops_benches::measure;
use csops_core::book::LoadMode;
use csops_core::interchange::{LoadOptions, Loaded, load_arrow_tables, load_csv_dir};
use csops_core::synth::{SynthConfig, generate_to_csv_dir};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.windows(2)
        .find(|w| w[0] == name)
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(default)
}

type Error = Box<dyn std::error::Error>;

fn csv_to_parquet(csv: &Path, parquet: &Path) -> Result<(), Error> {
    let format = arrow_csv::reader::Format::default().with_header(true);
    let (schema, _) = format.infer_schema(std::fs::File::open(csv)?, Some(100_000))?;
    let schema = Arc::new(schema);
    let reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_format(format)
        .with_batch_size(64 * 1024)
        .build(std::fs::File::open(csv)?)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(parquet)?, schema, Some(props))?;
    for b in reader {
        w.write(&b?)?;
    }
    w.close()?;
    Ok(())
}

fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>, Error> {
    let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path)?)?
        .with_batch_size(64 * 1024)
        .build()?;
    Ok(r.collect::<Result<Vec<_>, _>>()?)
}

fn size_of(dir: &Path, ext: &str) -> Result<u64, Error> {
    let mut n = 0;
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == ext) {
            n += std::fs::metadata(&p)?.len();
        }
    }
    Ok(n)
}

fn fingerprint(l: &Loaded) -> String {
    format!(
        "{:?} / {} problems",
        l.book.counts(),
        l.report.problems.len()
    )
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let accounts: usize = arg(&args, "--accounts", 100_000);
    let per_week: f64 = arg(&args, "--events-per-account-week", 0.82);
    let runs: usize = arg(&args, "--runs", 3);
    let ways: String = arg(&args, "--ways", "csv,parquet,arrow tables".to_string());
    let ways: Vec<&str> = ["csv", "parquet", "arrow tables"]
        .into_iter()
        .filter(|w| ways.split(',').any(|x| x.trim() == *w))
        .collect();
    let dir: PathBuf = arg(
        &args,
        "--dir",
        PathBuf::from(format!("/tmp/csops-book-{accounts}")),
    );
    if !dir.join("accounts.csv").exists() {
        let cfg = SynthConfig {
            accounts,
            seed: 7,
            events_per_account_week: per_week,
            ..SynthConfig::default()
        };
        generate_to_csv_dir(&cfg, &dir)?;
    }
    let pq = dir.with_file_name(format!(
        "{}-parquet",
        dir.file_name().unwrap().to_string_lossy()
    ));
    if !pq.join("accounts.parquet").exists() {
        std::fs::create_dir_all(&pq)?;
        for e in std::fs::read_dir(&dir)? {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "csv") {
                let stem = p.file_stem().unwrap().to_string_lossy().to_string();
                csv_to_parquet(&p, &pq.join(format!("{stem}.parquet")))?;
            }
        }
    }
    println!(
        "book: {accounts} accounts; CSV {:.2} GiB, Parquet (zstd) {:.2} GiB",
        size_of(&dir, "csv")? as f64 / f64::from(1u32 << 30),
        size_of(&pq, "parquet")? as f64 / f64::from(1u32 << 30)
    );
    let mut tables: BTreeMap<String, Vec<RecordBatch>> = BTreeMap::new();
    if ways.contains(&"arrow tables") {
        for e in std::fs::read_dir(&pq)? {
            let p = e?.path();
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            tables.insert(stem, read_parquet(&p)?);
        }
    }
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let mut times: BTreeMap<&str, Vec<(Duration, f64)>> = BTreeMap::new();
    let mut prints: BTreeMap<&str, String> = BTreeMap::new();
    for _ in 0..runs {
        for &way in &ways {
            let (loaded, t, mem) = measure(|| match way {
                "csv" => load_csv_dir(&dir, &opts),
                "parquet" => load_csv_dir(&pq, &opts),
                _ => load_arrow_tables(&tables, &opts),
            });
            let loaded = loaded?;
            prints.insert(way, fingerprint(&loaded));
            drop(loaded);
            times
                .entry(way)
                .or_default()
                .push((t, mem.unwrap_or(f64::NAN)));
        }
    }
    let csv_median = median(&times["csv"]).0;
    for (way, v) in &times {
        let (t, mem) = median(v);
        println!(
            "{way:<13} load + validate: {:>8.2?} median of {runs} ({:.2}× CSV's time), peak {mem:.0} MiB",
            t,
            t.as_secs_f64() / csv_median.as_secs_f64()
        );
    }
    let first = prints.values().next().cloned().unwrap_or_default();
    for (way, p) in &prints {
        assert_eq!(p, &first, "{way} loads a different book");
    }
    println!("same book each way: {first}");
    Ok(())
}

fn median(v: &[(Duration, f64)]) -> (Duration, f64) {
    let mut t: Vec<Duration> = v.iter().map(|x| x.0).collect();
    let mut m: Vec<f64> = v.iter().map(|x| x.1).collect();
    t.sort();
    m.sort_by(f64::total_cmp);
    (t[t.len() / 2], m[m.len() / 2])
}
