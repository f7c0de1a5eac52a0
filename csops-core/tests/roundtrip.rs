//! Books round-trip through CSV and JSON: load(write(book)) == book.

mod common;

use csops_core::book::{Book, LoadMode};
use csops_core::interchange::{
    LoadOptions, load_csv_dir, load_csv_texts, load_json_str, write_csv_dir, write_csv_texts,
    write_json,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_and_json_round_trip(seed in any::<u64>(), n in 0usize..6) {
        let records = common::random_records(seed, n);
        let (book, report) = Book::from_records(records, LoadMode::Strict).expect("generated records are valid");
        prop_assert!(report.is_clean());
        let expected = book.to_records();

        let texts = write_csv_texts(&book).unwrap();
        let again = load_csv_texts(&texts, &LoadOptions::default()).expect("written CSV loads strictly");
        prop_assert_eq!(&again.book.to_records(), &expected);

        let json = write_json(&book).unwrap();
        let again = load_json_str(&json, &LoadOptions::default()).expect("written JSON loads strictly");
        prop_assert_eq!(&again.book.to_records(), &expected);
    }
}

#[test]
fn csv_directory_round_trip_on_disk() {
    let records = common::random_records(7, 5);
    let (book, _) = Book::from_records(records, LoadMode::Strict).unwrap();
    let dir = std::env::temp_dir().join(format!("csops-roundtrip-{}", std::process::id()));
    let written = write_csv_dir(&book, &dir).unwrap();
    assert!(written.iter().any(|p| p.ends_with("accounts.csv")));
    let again = load_csv_dir(&dir, &LoadOptions::default()).unwrap();
    assert_eq!(again.book.to_records(), book.to_records());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_csv_files_in_a_book_directory_are_reported() {
    let records = common::random_records(11, 2);
    let (book, _) = Book::from_records(records, LoadMode::Strict).unwrap();
    let dir = std::env::temp_dir().join(format!("csops-unknown-{}", std::process::id()));
    write_csv_dir(&book, &dir).unwrap();
    std::fs::write(dir.join("ticket.csv"), "id\nT1\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not csv, not reported").unwrap();
    let lenient = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let loaded = load_csv_dir(&dir, &lenient).unwrap();
    assert_eq!(
        loaded.report.problems.len(),
        1,
        "{:?}",
        loaded.report.problems
    );
    assert_eq!(loaded.report.problems[0].file, "ticket.csv");
    assert!(loaded.report.problems[0].reason.contains("tickets.csv"));
    assert!(
        load_csv_dir(&dir, &LoadOptions::default()).is_err(),
        "strict mode fails on it"
    );
    std::fs::remove_dir_all(&dir).ok();
}

mod missing_numbers {
    use csops_core::features::FeatureColumn;
    use csops_core::health::ScoreFrame;
    use proptest::prelude::*;

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits())
    }

    fn column() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(
            prop_oneof![Just(f64::NAN), -1e12..1e12f64, Just(0.0), Just(-0.0)],
            0..40,
        )
    }

    proptest! {
        /// Missing values (NaN) are written as `null` and read back as missing.
        #[test]
        fn columns_with_missing_values_survive_json(values in column(), more in column()) {
            let c = FeatureColumn { name: "x".into(), values: values.clone() };
            let text = serde_json::to_string(&c).unwrap();
            prop_assert_eq!(text.contains("null"), values.iter().any(|v| v.is_nan()));
            let back: FeatureColumn = serde_json::from_str(&text).unwrap();
            prop_assert!(same(&back.values, &values));
            // Band codes: unscored (255) as `null` under `bands`, and back.
            let codes: Vec<u8> = values.iter().map(|v| if v.is_nan() { 255 } else { (v.abs() as u8) % 5 }).collect();
            let s = ScoreFrame {
                scores: values.clone(),
                band_codes: codes.clone(),
                coverage: more.clone(),
                contributions: vec![values.clone(), more.clone()],
                ..Default::default()
            };
            let text = serde_json::to_string(&s).unwrap();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(json["bands"].as_array().map(|b| b.iter().filter(|x| x.is_null()).count()), Some(codes.iter().filter(|c| **c == 255).count()));
            let back: ScoreFrame = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back.band_codes, &codes);
            prop_assert!(same(&back.scores, &values) && same(&back.coverage, &more));
            prop_assert!(same(&back.contributions[0], &values) && same(&back.contributions[1], &more));
        }
    }
}
