//! Tiers, coverage and assignment.

use csops_core::Error;
use csops_core::condition::{Column, Table};
use csops_core::segment::*;
use proptest::prelude::*;

fn table(arr: &[f64], owners: &[Option<&str>]) -> Table {
    let mut t = Table::default();
    t.insert(
        "id",
        Column::Text((0..arr.len()).map(|i| Some(format!("A{i:03}"))).collect()),
    )
    .unwrap();
    t.insert("arr", Column::Number(arr.to_vec())).unwrap();
    t.insert(
        "owner_csm",
        Column::Text(owners.iter().map(|o| o.map(str::to_string)).collect()),
    )
    .unwrap();
    t.insert(
        "region",
        Column::Text(
            (0..arr.len())
                .map(|i| Some(["EMEA", "NA"][i % 2].to_string()))
                .collect(),
        ),
    )
    .unwrap();
    t
}

#[test]
fn first_matching_rule_wins_and_rules_are_data() {
    let t = table(&[150_000.0, 30_000.0, 6_000.0, 100.0, f64::NAN], &[None; 5]);
    let rules = TierRules::default_rules();
    let tiers = rules.assign(&t).unwrap();
    let names = rules.tiers();
    let got: Vec<&str> = tiers.iter().map(|&i| names[i]).collect();
    // Missing ARR matches no threshold: the default tier.
    assert_eq!(
        got,
        [
            "high_touch",
            "mid_touch",
            "tech_touch",
            "digital",
            "digital"
        ]
    );
    let toml = rules.to_toml().unwrap();
    assert_eq!(TierRules::from_toml(&toml).unwrap(), rules);
    assert_eq!(
        TierRules::from_json(&rules.to_json().unwrap()).unwrap(),
        rules
    );
    // Conditions may be written structured in JSON too.
    let json = r#"{"rules": [{"tier": "emea_big", "when": {"and": [
        {"field": "arr", "op": ">=", "value": 20000}, {"field": "region", "in": ["EMEA"]}]}}],
        "default_tier": "rest"}"#;
    let r = TierRules::from_json(json).unwrap();
    let tiers = r.assign(&t).unwrap();
    assert_eq!(tiers, [0, 1, 1, 1, 1]);
}

#[test]
fn tier_rules_report_every_problem_at_load() {
    let t = table(&[1.0], &[None]);
    let json = r#"{"schema_version": 2, "rules": [
        {"tier": "", "when": "arr > 'x'"},
        {"tier": "b", "when": "regoin == 'EMEA'"}], "default_tier": " "}"#;
    // Loading lists what needs no table: the version, two unnamed tiers. (`arr > 'x'` is
    // consistent on its own; the table says `arr` is a number.)
    let Err(Error::Config(p)) = TierRules::from_json(json) else {
        panic!("malformed rules loaded")
    };
    assert_eq!(p.len(), 3, "{p:?}");
    // Against a table, every problem: those three, `arr` compared with text, `regoin`.
    let r: TierRules = serde_json::from_str(json).unwrap();
    let Err(Error::Config(p)) = r.validate(&t.schema()) else {
        panic!()
    };
    assert_eq!(p.len(), 5, "{p:?}");
    let Err(Error::Config(p)) =
        TierRules::from_json(r#"{"rules": [{"tier": "a", "when": "arr >"}], "default_tier": "d"}"#)
    else {
        panic!()
    };
    assert!(p[0].contains("line 1, column"), "{p:?}");
}

#[test]
fn coverage_counts_need_load_and_status() {
    let arr = [200_000.0, 150_000.0, 120_000.0, 40_000.0, 30_000.0, 1_000.0];
    let owners = [
        Some("ann"),
        Some("ann"),
        Some("bob"),
        Some("bob"),
        None,
        None,
    ];
    let t = table(&arr, &owners);
    let rules = TierRules::default_rules();
    let tiers = rules.assign(&t).unwrap();
    let model = CoverageModel {
        tiers: [
            ("high_touch", Capacity::AccountsPerCsm(2.0)),
            ("mid_touch", Capacity::ArrPerCsm(50_000.0)),
            ("tech_touch", Capacity::AccountsPerCsm(100.0)),
            ("digital", Capacity::Pooled),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    };
    let roster = roster_from_owners(&t, &tiers, &rules);
    // ann has two high-touch accounts; bob one high and one mid (tie: the earlier tier).
    assert_eq!(
        roster
            .iter()
            .map(|c| (c.name.as_str(), c.tier.as_str()))
            .collect::<Vec<_>>(),
        [("ann", "high_touch"), ("bob", "high_touch")]
    );
    let c = coverage(&t, &tiers, &rules, &model, &roster).unwrap();
    let high = &c.tiers[0];
    assert_eq!((high.accounts, high.needed, high.csms), (3, 2.0, 2.0));
    let mid = &c.tiers[1];
    assert_eq!((mid.accounts, mid.arr, mid.needed), (2, 70_000.0, 2.0));
    assert_eq!(
        c.unowned, 1,
        "the mid-touch account without owner; the digital one is pooled"
    );
    let ann = &c.csms[0];
    assert_eq!(
        (ann.accounts, ann.utilisation, ann.status.as_str()),
        (2, 1.0, "ok")
    );
    // bob serves high-touch; his mid-touch account counts in his load and as off-tier.
    let bob = &c.csms[1];
    assert_eq!(
        (bob.accounts, bob.off_tier, bob.status.as_str()),
        (2, 1, "ok")
    );
    // A tier without a target is an error.
    let mut bad = model.clone();
    bad.tiers.remove("digital");
    assert!(coverage(&t, &tiers, &rules, &bad, &roster).is_err());
}

fn model(high: f64, mid: f64) -> CoverageModel {
    CoverageModel {
        tiers: [
            ("high_touch", Capacity::AccountsPerCsm(high)),
            ("mid_touch", Capacity::AccountsPerCsm(mid)),
            ("tech_touch", Capacity::ArrPerCsm(100_000.0)),
            ("digital", Capacity::Pooled),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn assignment_respects_capacity_is_stable_and_idempotent(
        // Some accounts without ARR (former customers), which assignment leaves alone.
        accounts in prop::collection::vec((prop_oneof![1 => Just(0u32), 9 => 0u32..300_000], 0usize..6), 1..60),
        csms in prop::collection::vec((0usize..3, 1u32..5), 1..6),
        high in 1u32..8,
        mid in 1u32..20,
    ) {
        let names = ["c0", "c1", "c2", "c3", "c4", "c5"];
        let arr: Vec<f64> = accounts.iter().map(|(a, _)| f64::from(*a)).collect();
        let owners: Vec<Option<&str>> = accounts.iter().map(|(_, o)| names.get(*o).copied().filter(|_| *o < 5)).collect();
        let t = table(&arr, &owners);
        let rules = TierRules::default_rules();
        let tiers = rules.assign(&t).unwrap();
        let tier_names = ["high_touch", "mid_touch", "tech_touch"];
        let roster: Vec<Csm> = csms.iter().enumerate().map(|(i, (tier, fte))| Csm {
            name: names[i].to_string(),
            tier: tier_names[*tier].to_string(),
            fte: f64::from(*fte) / 2.0,
        }).collect();
        let m = model(f64::from(high), f64::from(mid));
        let a = assign(&t, &tiers, &rules, &m, &roster).unwrap();
        // Every customer of a named tier has an owner of that tier, or is reported unplaced.
        // Accounts without ARR are not customers: assignment leaves them as they are.
        let rt = rules.tiers();
        for (i, o) in a.owners.iter().enumerate() {
            let tier = rt[tiers[i]];
            if arr[i] <= 0.0 {
                prop_assert_eq!(o.as_deref(), owners[i]);
                let id = format!("A{i:03}");
                prop_assert!(!a.moves.iter().any(|mv| mv.account_id == id), "{} moved", id);
                continue;
            }
            match o {
                Some(o) => {
                    let c = roster.iter().find(|c| &c.name == o).unwrap();
                    prop_assert_eq!(c.tier.as_str(), tier);
                }
                None => {
                    let id = format!("A{:03}", i);
                    let unplaced = a.moves.iter().any(|mv| mv.to.is_none() && mv.account_id == id && mv.reason.contains("capacity"));
                    prop_assert!(tier == "digital" || unplaced);
                }
            }
        }
        // Count capacities are never exceeded (by customers: a former customer left with its
        // owner is not part of the book a CSM covers).
        for c in &roster {
            let n = a.owners.iter().zip(&arr).filter(|(o, v)| **v > 0.0 && o.as_deref() == Some(c.name.as_str())).count() as f64;
            match m.tiers[&c.tier] {
                Capacity::AccountsPerCsm(x) => prop_assert!(n <= x * c.fte + 1e-9),
                Capacity::ArrPerCsm(x) => {
                    let load: f64 = a.owners.iter().zip(&arr).filter(|(o, _)| o.as_deref() == Some(c.name.as_str())).map(|(_, v)| v).sum();
                    prop_assert!(n <= 1.0 || load <= x * c.fte + 1e-9);
                }
                Capacity::Pooled => prop_assert_eq!(n, 0.0),
                other => prop_assert!(false, "a capacity this test does not know: {other:?}"),
            }
        }
        // When a tier's count capacity covers its accounts, nothing of it is unplaced.
        for (ti, t_name) in tier_names.iter().enumerate().take(2) {
            let cap: f64 = roster.iter().filter(|c| c.tier == *t_name).map(|c| match m.tiers[&c.tier] {
                Capacity::AccountsPerCsm(x) => (x * c.fte + 1e-9).floor(),
                _ => 0.0,
            }).sum();
            let need = tiers.iter().filter(|&&x| x == ti).count() as f64;
            if cap >= need {
                prop_assert!(a.moves.iter().all(|mv| mv.tier != *t_name || mv.to.is_some()));
            }
        }
        // Running it again on the result moves nothing; the same input gives the same result.
        let owners2: Vec<Option<&str>> = a.owners.iter().map(|o| o.as_deref()).collect();
        let t2 = table(&arr, &owners2);
        let again = assign(&t2, &tiers, &rules, &m, &roster).unwrap();
        prop_assert!(again.moves.iter().all(|mv| mv.to.is_none() && mv.from.is_none()), "{:?}", again.moves);
        prop_assert_eq!(assign(&t, &tiers, &rules, &m, &roster).unwrap(), a);
    }
}

#[test]
fn what_if_shows_tier_changes_and_headcount() {
    let t = table(&[150_000.0, 90_000.0, 30_000.0, 2_000.0], &[None; 4]);
    let before = TierRules::default_rules();
    let mut after = before.clone();
    after.rules[0].when = "arr >= 80000".parse().unwrap();
    let w = what_if(&t, &before, &after, &CoverageModel::default()).unwrap();
    assert_eq!(
        w.changes,
        [TierChange {
            account_id: "A001".to_string(),
            before: "mid_touch".to_string(),
            after: "high_touch".to_string()
        }]
    );
    let high = w.tiers.iter().find(|x| x.tier == "high_touch").unwrap();
    assert_eq!((high.accounts_before, high.accounts_after), (1, 2));
}

#[test]
fn the_documented_toml_loads() {
    let text = r#"
default_tier = "digital"

[[rules]]
tier = "high_touch"
when = 'arr >= 100000 or (arr >= 50000 and segment == "enterprise")'

[[rules]]
tier = "mid_touch"
when = "arr >= 25000"

[[rules]]
tier = "tech_touch"
when = "arr >= 5000"
"#;
    let r = TierRules::from_toml(text).unwrap();
    assert_eq!(
        r.tiers(),
        ["high_touch", "mid_touch", "tech_touch", "digital"]
    );
    let mut t = table(&[60_000.0, 60_000.0], &[None, None]);
    t.insert(
        "segment",
        Column::Text(vec![Some("enterprise".into()), Some("smb".into())]),
    )
    .unwrap();
    assert_eq!(r.assign(&t).unwrap(), [0, 1]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every account gets exactly one tier: the first rule it matches, else the default.
    #[test]
    fn every_account_gets_exactly_one_tier_the_first_match(
        arr in prop::collection::vec(prop::option::of(0u32..400_000), 1..50),
        thresholds in prop::collection::vec(0u32..400_000, 0..5),
    ) {
        let values: Vec<f64> = arr.iter().map(|a| a.map_or(f64::NAN, f64::from)).collect();
        let t = table(&values, &vec![None; values.len()]);
        let rules = TierRules {
            schema_version: 1,
            rules: thresholds
                .iter()
                .enumerate()
                .map(|(k, x)| TierRule {
                    tier: format!("t{k}"),
                    when: format!("arr >= {x} or region == \"NA\" and arr < {}", x / 2).parse().unwrap(),
                })
                .collect(),
            default_tier: "rest".into(),
        };
        let tiers = rules.assign(&t).unwrap();
        prop_assert_eq!(tiers.len(), values.len());
        let names = rules.tiers();
        for (i, &ti) in tiers.iter().enumerate() {
            prop_assert!(ti < names.len());
            // The first rule whose condition holds for this row alone.
            let first = rules
                .rules
                .iter()
                .position(|r| t.filter(&r.when).unwrap()[i])
                .map_or("rest", |k| rules.rules[k].tier.as_str());
            prop_assert_eq!(names[ti], first);
        }
    }
}
