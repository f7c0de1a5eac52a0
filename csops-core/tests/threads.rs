//! A load on two threads (rows read on one, vetted on the other) gives the same book and the
//! same report, problem for problem and row for row, as a load on one: on generated books
//! with random damage (duplicated rows, ragged rows, stray quotes, malformed days, unknown
//! accounts, blank values, CRLF files), with usage files long enough to span many chunks.
//! Also: a stop from the progress hook ends a two-thread load with `Cancelled`.

use std::collections::BTreeMap;

use csops_core::Error;
use csops_core::book::{Book, LoadMode};
use csops_core::interchange::{LoadOptions, load_csv_texts, write_csv_texts};
use csops_core::progress::{Flow, ProgressHook};
use csops_core::synth::{SynthConfig, generate};
use proptest::prelude::*;

/// What is done to one line of one file.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// The line twice (duplicate ids and natural keys).
    Repeat,
    /// One field too many.
    Ragged,
    /// One field too few.
    Short,
    /// A quote opened in the middle of the line.
    Quote,
    /// Days written with slashes (malformed).
    Slashes,
    /// The first field replaced (an unknown id or account).
    Unknown,
    /// The second field emptied.
    Blank,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        Just(Damage::Repeat),
        Just(Damage::Ragged),
        Just(Damage::Short),
        Just(Damage::Quote),
        Just(Damage::Slashes),
        Just(Damage::Unknown),
        Just(Damage::Blank),
    ]
}

fn apply(line: &str, d: Damage) -> String {
    match d {
        Damage::Repeat => format!("{line}\n{line}"),
        Damage::Ragged => format!("{line},extra"),
        Damage::Short => line
            .rsplit_once(',')
            .map_or_else(String::new, |(a, _)| a.into()),
        Damage::Quote => line.replacen(',', ",\"", 1),
        Damage::Slashes => line.replace('-', "/"),
        Damage::Unknown => match line.split_once(',') {
            Some((_, rest)) => format!("nobody,{rest}"),
            None => line.into(),
        },
        Damage::Blank => {
            let mut f: Vec<&str> = line.split(',').collect();
            if f.len() > 1 {
                f[1] = "";
            }
            f.join(",")
        }
    }
}

/// A generated book's files, damaged: `(file, line, damage)`, the file and line taken modulo
/// their counts; CRLF line ends for the files whose bit is set in `crlf`.
fn damaged(seed: u64, harm: &[(usize, usize, Damage)], crlf: u16) -> BTreeMap<String, String> {
    let cfg = SynthConfig {
        accounts: 30,
        seed,
        events_per_account_week: 14.0,
        ..SynthConfig::default()
    };
    let (book, _) = Book::from_records(generate(&cfg), LoadMode::Strict).expect("valid");
    let mut texts = write_csv_texts(&book).expect("writes");
    let names: Vec<String> = texts.keys().cloned().collect();
    for &(f, l, d) in harm {
        let text = texts.get_mut(&names[f % names.len()]).expect("a file");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.len() > 1 {
            let k = 1 + l % (lines.len() - 1);
            lines[k] = apply(&lines[k], d);
        }
        *text = lines.join("\n") + "\n";
    }
    for (k, name) in names.iter().enumerate() {
        if crlf & (1 << (k % 16)) != 0 {
            let t = texts.get_mut(name).expect("a file");
            *t = t.replace('\n', "\r\n");
        }
    }
    texts
}

fn load(
    texts: &BTreeMap<String, String>,
    threads: usize,
) -> (String, Option<BTreeMap<String, String>>) {
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        threads: Some(threads),
        ..Default::default()
    };
    match load_csv_texts(texts, &opts) {
        Ok(l) => (
            serde_json::to_string(&l.report).expect("serialises"),
            Some(write_csv_texts(&l.book).expect("writes")),
        ),
        Err(e) => (format!("{e:?}"), None),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn two_threads_load_what_one_loads(
        seed in 0u64..1_000,
        harm in prop::collection::vec((0usize..16, 0usize..100_000, damage()), 0..40),
        crlf in any::<u16>(),
    ) {
        let texts = damaged(seed, &harm, crlf);
        let usage = texts.get("usage_events").map_or(0, |t| t.lines().count());
        prop_assert!(usage > 2 * 4096, "usage events span several chunks ({usage} lines)");
        let (report1, book1) = load(&texts, 1);
        let (report2, book2) = load(&texts, 2);
        prop_assert_eq!(report1, report2);
        prop_assert_eq!(book1, book2);
    }
}

#[test]
fn a_stop_ends_a_two_thread_load() {
    let texts = damaged(7, &[], 0);
    let hook = ProgressHook::new(|p| {
        if p.stage.contains("usage_events") && p.done > 0 {
            Flow::Stop
        } else {
            Flow::Continue
        }
    });
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        threads: Some(2),
        progress: hook,
        ..Default::default()
    };
    match load_csv_texts(&texts, &opts) {
        Err(Error::Cancelled { stage }) => assert!(stage.contains("usage_events"), "{stage}"),
        other => panic!(
            "expected Cancelled, got {:?}",
            other.map(|l| l.book.counts())
        ),
    }
}

#[test]
fn zero_threads_is_a_config_error() {
    let texts = BTreeMap::from([("accounts".to_string(), "id,name\n".to_string())]);
    let opts = LoadOptions {
        threads: Some(0),
        ..Default::default()
    };
    let err = load_csv_texts(&texts, &opts).err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("threads must be at least 1")));
}
