//! Back-test statistics at scale, on one core: ROC AUC (with its DeLong and Hanley–McNeil
//! standard errors) over 1M labelled, heavily tied risks, and the L2 logistic fit
//! (`C = 1`, Newton) over 1M rows × 6 features.
//!
//! ```text
//! cargo build --release -p csops-benches --bin backtest_scale
//! target/release/backtest_scale [--rows 1000000] [--auc-runs 7] [--fit-runs 3] [--write /tmp/backtest1m]
//! ```
//!
//! Prints one `key value…` line per figure (times in ms, best of the runs; floats in full,
//! round-trip precision) for `benches/peers/backtest_sklearn.py`, which times scikit-learn on
//! the same data in the same run. `--write <dir>` also writes the generated data there as
//! `.npy` files (`risk.npy` f8, `churned.npy` bool, `X.npy` f8 n×6 column-major, `y.npy`
//! bool) before anything is timed.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use csops_benches::{BacktestData, backtest_data};
use csops_core::backtest::{fit, stats};

/// Writes a `.npy` (format 1.0) file: little-endian `descr`, `shape`, raw `data`.
fn write_npy(path: &Path, descr: &str, fortran: bool, shape: &[usize], data: &[u8]) {
    let shape = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let fortran = if fortran { "True" } else { "False" };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}");
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64,
    // ending in a newline.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create .npy"));
    w.write_all(b"\x93NUMPY\x01\x00").expect("write");
    w.write_all(&(header.len() as u16).to_le_bytes())
        .expect("write");
    w.write_all(header.as_bytes()).expect("write");
    w.write_all(data).expect("write");
    w.flush().expect("write");
}

fn f64_bytes<'a>(xs: impl IntoIterator<Item = &'a f64>) -> Vec<u8> {
    xs.into_iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn write_data(dir: &Path, d: &BacktestData) {
    std::fs::create_dir_all(dir).expect("create the data directory");
    let n = d.risk.len();
    let bools = |v: &[bool]| v.iter().map(|&b| u8::from(b)).collect::<Vec<u8>>();
    write_npy(
        &dir.join("risk.npy"),
        "<f8",
        false,
        &[n],
        &f64_bytes(&d.risk),
    );
    write_npy(
        &dir.join("churned.npy"),
        "|b1",
        false,
        &[n],
        &bools(&d.churned),
    );
    write_npy(
        &dir.join("X.npy"),
        "<f8",
        true,
        &[n, d.columns.len()],
        &f64_bytes(d.columns.iter().flatten()),
    );
    write_npy(&dir.join("y.npy"), "|b1", false, &[n], &bools(&d.y));
}

/// Wrapping sum of the values' bit patterns: a cheap fingerprint the peer recomputes with
/// numpy (`arr.view(np.uint64).sum(dtype=np.uint64)`) to prove it read the same data.
fn fingerprint<'a>(xs: impl IntoIterator<Item = &'a f64>) -> u64 {
    xs.into_iter()
        .fold(0u64, |s, x| s.wrapping_add(x.to_bits()))
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.windows(2)
        .find(|w| w[0] == name)
        .and_then(|w| w[1].parse().ok())
}

/// Best wall time of `runs` calls, in seconds, and the last result.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--rows").unwrap_or(1_000_000);
    let auc_runs: usize = arg(&args, "--auc-runs").unwrap_or(7);
    let fit_runs: usize = arg(&args, "--fit-runs").unwrap_or(3);
    let data = backtest_data(n, 11);
    if let Some(dir) = arg::<String>(&args, "--write") {
        write_data(Path::new(&dir), &data);
        println!("wrote {dir}");
    }
    let count = |v: &[bool]| v.iter().filter(|b| **b).count();
    println!("rows {n}");
    println!(
        "data risk {} churned {} x {} y {}",
        fingerprint(&data.risk),
        count(&data.churned),
        fingerprint(data.columns.iter().flatten()),
        count(&data.y)
    );

    let (t_auc, auc) = best_of(auc_runs, || {
        stats::roc_auc(black_box(&data.risk), black_box(&data.churned)).expect("auc")
    });
    println!("auc_ms {:.3} runs {auc_runs}", t_auc * 1e3);
    println!(
        "auc {:?} se_delong {:?} se_hanley_mcneil {:?} positives {} negatives {}",
        auc.auc, auc.se_delong, auc.se_hanley_mcneil, auc.positives, auc.negatives
    );

    let cols: Vec<&[f64]> = data.columns.iter().map(Vec::as_slice).collect();
    let (t_fit, lr) = best_of(fit_runs, || {
        fit::logistic(black_box(&cols), black_box(&data.y), Some(1.0)).expect("fit")
    });
    println!("fit_ms {:.3} runs {fit_runs}", t_fit * 1e3);
    println!("fit_iterations {}", lr.iterations);
    println!("fit_intercept {:?}", lr.intercept);
    println!(
        "fit_coef {}",
        lr.coef
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
}
