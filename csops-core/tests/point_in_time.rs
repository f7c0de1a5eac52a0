//! Point-in-time correctness: records dated after the as-of day never change a feature.

mod common;

use chrono::Days;
use csops_core::book::{Book, LoadMode};
use csops_core::features::{FeatureConfig, FeatureFrame, features_as_of};
use proptest::prelude::*;

fn same(a: &FeatureFrame, b: &FeatureFrame) -> bool {
    a.account_ids == b.account_ids
        && a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| {
            x.name == y.name
                && x.values
                    .iter()
                    .zip(&y.values)
                    .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn records_after_the_as_of_day_change_nothing(seed in any::<u64>(), n in 1usize..6, day in 0u64..800) {
        let as_of = common::base_date() + Days::new(day);
        let base = common::random_records(seed, n);
        let cfg = FeatureConfig { snapshot_metrics: vec!["active_users0".into()], include_churned: seed % 2 == 0, ..Default::default() };
        let (book, _) = Book::from_records(base.clone(), LoadMode::Strict).unwrap();
        let before = features_as_of(&book, as_of, &cfg).unwrap();

        let more = common::future_records(seed, &base, as_of);
        let (book2, report) = Book::from_records(common::extend(base, more), LoadMode::Strict).unwrap();
        prop_assert!(report.is_clean());
        let after = features_as_of(&book2, as_of, &cfg).unwrap();
        prop_assert!(same(&before, &after), "features changed:\n{:?}\n{:?}", before, after);
    }
}
