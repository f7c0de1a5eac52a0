//! What each fuzz target does with its input, shared by the fuzz binaries (`fuzz/fuzz_targets`)
//! and the stable replay of the kept inputs (`csops-core/tests/fuzz_regressions.rs`).
//!
//! Each function takes any bytes and must not panic; where the input loads, it checks the
//! loader's invariants (a row is loaded or rejected, never lost; a book written and read back
//! is the same book).

#![allow(dead_code)] // each fuzz binary uses one of these functions

use std::collections::BTreeMap;

use csops_core::book::LoadMode;
use csops_core::interchange::{LoadOptions, load_csv_texts, load_json_str, write_csv_texts};

/// A book of CSV texts from any bytes: loaded strict and lenient; counts hold; a lenient
/// book written as CSV and read again is the same book.
pub fn csv_book(data: &[u8]) {
    let mut texts = BTreeMap::new();
    // The parts of the input (split at 0xFF, which UTF-8 never holds) are the texts of the
    // record types in the book layout's order.
    let stems = csops_core::interchange::FILES.iter().map(|f| f.stem);
    for (stem, part) in stems.zip(data.split(|b| *b == 0xFF)) {
        texts.insert(stem.to_string(), String::from_utf8_lossy(part).into_owned());
    }
    if !texts.contains_key("accounts") {
        return;
    }
    let _ = load_csv_texts(&texts, &LoadOptions::default());
    let lenient = LoadOptions {
        mode: LoadMode::Lenient,
        allow_empty: true,
        ..Default::default()
    };
    let Ok(loaded) = load_csv_texts(&texts, &lenient) else {
        return;
    };
    for (file, c) in &loaded.report.files {
        assert_eq!(c.read, c.loaded + c.rejected, "{file}: {c:?}");
    }
    let rejected = loaded.report.rejected.len() as u64;
    let counted: u64 = loaded.report.files.values().map(|c| c.rejected).sum();
    assert_eq!(rejected, counted);
    let written = write_csv_texts(&loaded.book).expect("a loaded book can be written");
    let again = load_csv_texts(&written, &lenient).expect("a written book loads");
    assert_eq!(again.book.counts(), loaded.book.counts());
    assert!(
        again.report.problems.is_empty(),
        "a written book reads back clean: {:?}",
        again.report.problems.first()
    );
}

/// A JSON book from any bytes, strict and lenient.
pub fn json_book(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = load_json_str(&text, &LoadOptions::default());
    let lenient = LoadOptions {
        mode: LoadMode::Lenient,
        allow_empty: true,
        ..Default::default()
    };
    if let Ok(loaded) = load_json_str(&text, &lenient) {
        for (file, c) in &loaded.report.files {
            assert_eq!(c.read, c.loaded + c.rejected, "{file}: {c:?}");
        }
    }
}

/// Every configuration reader (TOML and JSON): scorecards, model sets, tier rules,
/// playbooks, feature settings, header maps and source maps. The first byte picks which.
pub fn configs(data: &[u8]) {
    use csops_core::features::FeatureConfig;
    use csops_core::health::{ModelSet, Scorecard};
    use csops_core::interchange::{HeaderMap, SourceMap};
    use csops_core::playbook::Playbook;
    use csops_core::segment::TierRules;
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 14 {
        0 => drop(Scorecard::from_toml(&text)),
        1 => drop(Scorecard::from_json(&text)),
        2 => drop(ModelSet::from_toml(&text)),
        3 => drop(ModelSet::from_json(&text)),
        4 => drop(TierRules::from_toml(&text)),
        5 => drop(TierRules::from_json(&text)),
        6 => drop(Playbook::from_toml(&text)),
        7 => drop(Playbook::from_json(&text)),
        8 => drop(FeatureConfig::from_toml(&text)),
        9 => drop(FeatureConfig::from_json(&text)),
        10 => drop(HeaderMap::from_toml(&text)),
        11 => drop(HeaderMap::from_json(&text)),
        12 => {
            if let Ok(m) = SourceMap::from_toml(&text) {
                let _ = m.validate();
            }
        }
        _ => {
            if let Ok(m) = SourceMap::from_json(&text) {
                let _ = m.validate();
            }
        }
    }
}

/// The condition language: parse, print, parse again to the same condition.
pub fn condition(data: &[u8]) {
    use csops_core::condition::Condition;
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = text.parse::<Condition>() {
        let printed = c.to_string();
        let again: Condition = printed
            .parse()
            .unwrap_or_else(|e| panic!("`{printed}` (printed from `{text}`) does not parse: {e}"));
        assert_eq!(again, c, "`{text}` → `{printed}`");
    }
}
