//! Long calls report progress and stop when their hook says so, with `Error::Cancelled` and no
//! result: loading, feature derivation, back-tests and replays.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use csops_core::Error;
use csops_core::backtest::{BacktestConfig, observe};
use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, features_as_of};
use csops_core::health::Scorecard;
use csops_core::interchange::{LoadOptions, Loaded, load_csv_dir};
use csops_core::playbook::{FireHistory, Playbook, RunContext, replay, sponsor_left_play};
use csops_core::progress::{Flow, ProgressHook};

fn sample() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sample-book")
}

fn load(progress: ProgressHook) -> csops_core::Result<Loaded> {
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        progress,
        ..Default::default()
    };
    load_csv_dir(sample(), &opts)
}

type Seen = Arc<Mutex<Vec<(String, u64, Option<u64>, String)>>>;

/// A hook recording every report, stopping after `stop_after` reports (never when `None`).
fn recorder(stop_after: Option<u64>) -> (ProgressHook, Seen) {
    let seen: Seen = Arc::default();
    let calls = AtomicU64::new(0);
    let s = seen.clone();
    let hook = ProgressHook::new(move |p| {
        s.lock()
            .unwrap()
            .push((p.stage.into(), p.done, p.total, p.unit.into()));
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        if stop_after.is_some_and(|k| n >= k) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    });
    (hook, seen)
}

#[test]
fn loading_reports_each_file_from_start_to_end_in_bytes() {
    let (hook, seen) = recorder(None);
    let loaded = load(hook).unwrap();
    let seen = seen.lock().unwrap();
    let events: Vec<_> = seen
        .iter()
        .filter(|s| s.0 == "reading usage_events.csv")
        .collect();
    let size = std::fs::metadata(sample().join("usage_events.csv"))
        .unwrap()
        .len();
    assert_eq!(events.first().unwrap().1, 0);
    assert_eq!(events.last().unwrap().1, size);
    assert!(
        events.len() >= 3,
        "83,904 rows report every 8,192: {}",
        events.len()
    );
    assert!(events.iter().all(|e| e.2 == Some(size) && e.3 == "bytes"));
    assert!(events.windows(2).all(|w| w[0].1 <= w[1].1));
    // Every file of the book is reported, and the hook changes nothing.
    for file in loaded.report.files.keys() {
        assert!(
            seen.iter().any(|s| s.0 == format!("reading {file}")),
            "{file}"
        );
    }
    assert!(loaded.book.to_records() == load(ProgressHook::none()).unwrap().book.to_records());
}

#[test]
fn a_hook_that_says_stop_ends_each_long_call_with_cancelled() {
    for k in [1, 2, 5] {
        let (hook, _) = recorder(Some(k));
        assert!(matches!(load(hook), Err(Error::Cancelled { .. })));
    }
    let book = load(ProgressHook::none()).unwrap().book;
    let as_of = book.latest_date().unwrap();

    let (hook, seen) = recorder(None);
    let cfg = FeatureConfig {
        progress: hook,
        ..Default::default()
    };
    let frame = features_as_of(&book, as_of, &cfg).unwrap();
    let plain = features_as_of(&book, as_of, &FeatureConfig::default()).unwrap();
    // (NaN is missing, so compare the serialised frames, where it is null.)
    assert!(serde_json::to_value(&frame).unwrap() == serde_json::to_value(&plain).unwrap());
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1, last.2),
        ("deriving features", 300, Some(300))
    );
    let (hook, _) = recorder(Some(1));
    let cfg = FeatureConfig {
        progress: hook,
        ..Default::default()
    };
    let Err(Error::Cancelled { stage }) = features_as_of(&book, as_of, &cfg) else {
        panic!("stopped")
    };
    assert_eq!(stage, "deriving features");

    let card = Scorecard::default_heuristic();
    let (hook, seen) = recorder(None);
    let bt = BacktestConfig {
        progress: hook,
        ..Default::default()
    };
    observe(&book, &card, &bt).unwrap();
    assert!(seen.lock().unwrap().iter().any(|s| s.0 == "back-testing"));
    let (hook, _) = recorder(Some(3));
    let bt = BacktestConfig {
        progress: hook,
        ..Default::default()
    };
    assert!(matches!(
        observe(&book, &card, &bt),
        Err(Error::Cancelled { .. })
    ));

    let playbook = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    let from = as_of - chrono::Days::new(27);
    let (hook, seen) = recorder(None);
    let ctx = RunContext {
        progress: hook,
        ..Default::default()
    };
    replay(&book, &playbook, from, as_of, &FireHistory::default(), &ctx).unwrap();
    let days: Vec<u64> = seen.lock().unwrap().iter().map(|s| s.1).collect();
    assert_eq!(days, (0..28).collect::<Vec<u64>>());
    let (hook, _) = recorder(Some(10));
    let ctx = RunContext {
        progress: hook,
        ..Default::default()
    };
    let Err(Error::Cancelled { stage }) =
        replay(&book, &playbook, from, as_of, &FireHistory::default(), &ctx)
    else {
        panic!("stopped")
    };
    assert_eq!(stage, "replaying plays");
}
