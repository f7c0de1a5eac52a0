//! The fuzz targets' kept inputs, replayed on stable: the seeds (`fuzz/seeds/<target>/`, made
//! by `scripts/make_fuzz_seeds.py`) and every input a fuzzing run found a fault with
//! (`fuzz/regressions/<target>/`, kept after the fix). Each must pass its target's checks
//! (see `fuzz/targets.rs`). The fuzzing itself runs with `scripts/fuzz.sh`.

#[path = "../../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut n = 0;
    for kind in ["seeds", "regressions"] {
        let dir = root.join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", f.display());
            n += 1;
        }
    }
    assert!(
        n > 0,
        "{target}: no kept inputs under fuzz/seeds or fuzz/regressions"
    );
}

#[test]
fn csv_book_inputs() {
    replay("csv_book", targets::csv_book);
}

#[test]
fn json_book_inputs() {
    replay("json_book", targets::json_book);
}

#[test]
fn config_inputs() {
    replay("configs", targets::configs);
}

#[test]
fn condition_inputs() {
    replay("condition", targets::condition);
}
