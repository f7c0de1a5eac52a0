//! Health scorecards: normalisers, missing data, bands, validation, and properties.

use csops_core::Error;
use csops_core::features::{FeatureColumn, FeatureFrame};
use csops_core::health::*;
use proptest::prelude::*;

fn frame(cols: Vec<(&str, Vec<f64>)>) -> FeatureFrame {
    let n = cols.first().map_or(0, |c| c.1.len());
    FeatureFrame {
        as_of: "2025-01-01".parse().unwrap(),
        account_ids: (0..n).map(|i| format!("A{i}")).collect(),
        columns: cols
            .into_iter()
            .map(|(n, v)| FeatureColumn {
                name: n.into(),
                values: v,
            })
            .collect(),
        missing_notes: Vec::new(),
    }
}

#[test]
fn normalisers_map_to_0_100() {
    let up = Normaliser::linear(0.0, 4.0);
    assert_eq!(
        (up.apply(-1.0), up.apply(1.0), up.apply(9.0)),
        (0.0, 25.0, 100.0)
    );
    let down = Normaliser::linear(60.0, 0.0); // days since last login: fewer is better
    assert_eq!(
        (down.apply(0.0), down.apply(15.0), down.apply(90.0)),
        (100.0, 75.0, 0.0)
    );
    let steps = Normaliser::steps(vec![1.0, 3.0], vec![100.0, 50.0, 10.0]);
    assert_eq!(
        (
            steps.apply(0.0),
            steps.apply(1.0),
            steps.apply(2.9),
            steps.apply(3.0)
        ),
        (100.0, 50.0, 50.0, 10.0)
    );
    let logistic = Normaliser::Logistic {
        midpoint: 5.0,
        steepness: 1.0,
    };
    assert_eq!(logistic.apply(5.0), 50.0);
    assert!(logistic.apply(10.0) > 99.0 && logistic.apply(0.0) < 1.0);
    assert_eq!(
        (
            Normaliser::boolean().apply(1.0),
            Normaliser::boolean().apply(0.0)
        ),
        (100.0, 0.0)
    );
    let pw = Normaliser::piecewise(vec![(0.0, 100.0), (90.0, 80.0), (180.0, 40.0)]);
    assert_eq!(
        (
            pw.apply(-5.0),
            pw.apply(45.0),
            pw.apply(135.0),
            pw.apply(999.0)
        ),
        (100.0, 90.0, 60.0, 40.0)
    );
}

#[test]
fn percentile_ranks_with_ties_and_segments() {
    let card = Scorecard::builder("p")
        .measure(
            "rank",
            "x",
            1.0,
            Normaliser::Percentile {
                higher_is_better: true,
                per_segment: false,
            },
        )
        .build()
        .unwrap();
    let f = frame(vec![("x", vec![1.0, 2.0, 2.0, 3.0, f64::NAN])]);
    let s = card.score_frame(&f, None).unwrap();
    // n = 4 present: 1 → 12.5, 2 (tied) → 50, 3 → 87.5; the missing one is not scored.
    assert_eq!(&s.scores[..4], &[12.5, 50.0, 50.0, 87.5]);
    assert!(s.scores[4].is_nan());

    let seg_card = Scorecard::builder("p")
        .measure(
            "rank",
            "x",
            1.0,
            Normaliser::Percentile {
                higher_is_better: false,
                per_segment: true,
            },
        )
        .build()
        .unwrap();
    let f = frame(vec![("x", vec![1.0, 2.0, 10.0, 20.0])]);
    let segs: Vec<String> = ["a", "a", "b", "b"].map(String::from).to_vec();
    let s = seg_card.score_frame(&f, Some(&segs)).unwrap();
    assert_eq!(s.scores, [75.0, 25.0, 75.0, 25.0]);
    // Explaining one row gives the same score as the batch.
    assert_eq!(
        seg_card.explain(&f, Some(&segs), 1).unwrap().score,
        Some(25.0)
    );
}

#[test]
fn missing_rules_and_coverage() {
    let card = |rule| {
        Scorecard::builder("m")
            .group("g", 1.0)
            .measure("a", "a", 3.0, Normaliser::linear(0.0, 100.0))
            .measure_with("b", "b", 1.0, Normaliser::linear(0.0, 100.0), rule)
            .min_coverage(0.5)
            .build()
            .unwrap()
    };
    let values = [Some(80.0), None];
    assert_eq!(
        card(MissingRule::Redistribute)
            .score_values(&values)
            .unwrap()
            .score,
        Some(80.0)
    );
    assert_eq!(
        card(MissingRule::Fixed { score: 40.0 })
            .score_values(&values)
            .unwrap()
            .score,
        Some(0.75 * 80.0 + 0.25 * 40.0)
    );
    assert_eq!(
        card(MissingRule::Worst)
            .score_values(&values)
            .unwrap()
            .score,
        Some(60.0)
    );
    let r = card(MissingRule::Fixed { score: 40.0 })
        .score_values(&values)
        .unwrap();
    assert_eq!(r.coverage, 0.75, "imputed values do not count as coverage");
    let thin = card(MissingRule::Redistribute)
        .score_values(&[None, Some(10.0)])
        .unwrap();
    assert_eq!(
        (thin.score, thin.band, thin.coverage),
        (None, None, 0.25),
        "insufficient data"
    );
}

#[test]
fn bands_boundaries_and_letter_grades() {
    let card = Scorecard::builder("b")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 100.0))
        .build()
        .unwrap();
    let band = |v: f64| card.score_values(&[Some(v)]).unwrap().band.unwrap();
    assert_eq!(
        (band(39.99), band(40.0), band(69.99), band(70.0)),
        (
            "red".into(),
            "yellow".into(),
            "yellow".into(),
            "green".into()
        )
    );
    let grades: Vec<Band> = [
        ("F", 0.0),
        ("D", 60.0),
        ("C", 70.0),
        ("B", 80.0),
        ("A", 90.0),
    ]
    .map(|(n, m)| Band {
        name: n.into(),
        min: m,
    })
    .to_vec();
    let card = Scorecard::builder("g")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 100.0))
        .bands(grades)
        .build()
        .unwrap();
    assert_eq!(
        card.score_values(&[Some(85.0)]).unwrap().band.as_deref(),
        Some("B")
    );
}

#[test]
fn validation_reports_every_problem() {
    let toml = r#"
schema_version = 1
name = "broken"
min_coverage = 1.5
bands = [{ name = "red", min = 10 }, { name = "green", min = 5 }]
[[groups]]
name = "usage"
weight = -1
[[groups.measures]]
name = "logins"
feature = "logins_per_user_week"
weight = 1
normaliser = { kind = "steps", thresholds = [3, 1], points = [0, 50] }
[[groups.measures]]
name = "logins"
feature = "x"
weight = 0
normaliser = { kind = "linear", worst = 1, best = 1 }
"#;
    let Err(Error::Config(p)) = Scorecard::from_toml(toml) else {
        panic!("expected config errors")
    };
    let all = p.join("\n");
    for needle in [
        "min_coverage",
        "first band must start at 0",
        "strictly increasing",
        "weight must be",
        "one more point",
        "duplicate measure",
        "different `worst` and `best`",
    ] {
        assert!(all.contains(needle), "missing `{needle}` in:\n{all}");
    }
    let card = Scorecard::default_heuristic();
    let Err(Error::Config(p)) = card.check_features(["logins_per_user_week"]) else {
        panic!()
    };
    assert!(p.iter().any(|m| m.contains("unknown feature `nps`")));
}

#[test]
fn the_default_scorecard_is_valid_login_heavy_and_round_trips() {
    let card = Scorecard::default_heuristic();
    card.validate().unwrap();
    assert!(card.description.contains("not a fitted model"));
    let text = card.to_toml().unwrap();
    assert_eq!(Scorecard::from_toml(&text).unwrap(), card);
    let json = serde_json::to_string(&card).unwrap();
    assert_eq!(Scorecard::from_json(&json).unwrap(), card);
    // Logins outweigh breadth several times over.
    let usage = &card.groups[0];
    let w = |n: &str| usage.measures.iter().find(|m| m.name == n).unwrap().weight;
    assert!(w("logins") >= 3.0 * w("breadth"));
}

#[test]
fn trend_and_drivers() {
    assert_eq!(trend(62.0, 70.0, 2.0).unwrap().direction, Direction::Down);
    assert_eq!(trend(71.5, 70.0, 2.0).unwrap().direction, Direction::Flat);
    assert!(trend(f64::NAN, 70.0, 2.0).is_err() && trend(60.0, 70.0, -1.0).is_err());
    assert_eq!(
        trend(75.0, 70.0, 2.0).unwrap(),
        Trend {
            delta: 5.0,
            direction: Direction::Up
        }
    );
    let card = Scorecard::builder("d")
        .measure("a", "a", 1.0, Normaliser::linear(0.0, 100.0))
        .measure("b", "b", 1.0, Normaliser::linear(0.0, 100.0))
        .measure("c", "c", 2.0, Normaliser::linear(0.0, 100.0))
        .build()
        .unwrap();
    let s = card
        .score_values(&[Some(100.0), Some(20.0), Some(50.0)])
        .unwrap();
    let d: Vec<&str> = s
        .top_negative_drivers(5)
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(d, ["c", "b"], "c costs 25 points, b 20, a none");
}

/// A random scorecard of linear measures over features f0..f{n}, plus random values.
fn card_and_values() -> impl Strategy<Value = (Scorecard, Vec<Option<f64>>)> {
    let measure = (
        0.01f64..10.0,
        -50.0f64..50.0,
        1.0f64..100.0,
        any::<bool>(),
        0u8..3,
        0.0f64..100.0,
    );
    (
        prop::collection::vec(prop::collection::vec(measure, 1..4), 1..4),
        0.01f64..10.0,
    )
        .prop_flat_map(|(groups, _)| {
            let mut b = Scorecard::builder("random").min_coverage(0.0);
            let mut k = 0;
            for (gi, g) in groups.iter().enumerate() {
                b = b.group(&format!("g{gi}"), 1.0 + gi as f64);
                for (w, lo, span, up, rule, fixed) in g {
                    let norm = if *up {
                        Normaliser::linear(*lo, lo + span)
                    } else {
                        Normaliser::linear(lo + span, *lo)
                    };
                    let rule = match rule {
                        0 => MissingRule::Redistribute,
                        1 => MissingRule::Fixed { score: *fixed },
                        _ => MissingRule::Worst,
                    };
                    b = b.measure_with(&format!("m{k}"), &format!("f{k}"), *w, norm, rule);
                    k += 1;
                }
            }
            let card = b.build().unwrap();
            (
                Just(card),
                prop::collection::vec(prop::option::weighted(0.8, -100.0f64..200.0), k),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scores_in_range_and_contributions_add_up((card, values) in card_and_values()) {
        let s = card.score_values(&values).unwrap();
        if let Some(score) = s.score {
            prop_assert!((0.0..=100.0).contains(&score));
            let sum: f64 = s.measures.iter().map(|m| m.contribution).sum();
            prop_assert!((sum - score).abs() < 1e-9, "{} vs {}", sum, score);
            let gsum: f64 = s.groups.iter().map(|g| g.1).sum();
            prop_assert!((gsum - score).abs() < 1e-9);
            let wsum: f64 = s.measures.iter().map(|m| m.weight).sum();
            prop_assert!((wsum - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn monotone_in_each_measures_direction((card, values) in card_and_values(), k in 0usize..12, bump in 0.0f64..50.0) {
        let k = k % values.len();
        let Some(x) = values[k] else { return Ok(()) };
        let (_, m) = card.measures().nth(k).unwrap();
        let Normaliser::Linear { worst, best } = m.normaliser else { unreachable!() };
        let better = if best > worst { x + bump } else { x - bump };
        let mut v2 = values.clone();
        v2[k] = Some(better);
        let (a, b) = (card.score_values(&values).unwrap().score, card.score_values(&v2).unwrap().score);
        if let (Some(a), Some(b)) = (a, b) {
            prop_assert!(b >= a - 1e-9, "improving {} lowered the score {} -> {}", m.name, a, b);
        }
    }

    #[test]
    fn redistributing_a_missing_measure_equals_removing_it((card, values) in card_and_values(), k in 0usize..12) {
        let k = k % values.len();
        let mut card = card;
        // Make measure k redistribute and be missing.
        let mut idx = 0;
        let mut removed = card.clone();
        'outer: for (gi, g) in card.groups.iter_mut().enumerate() {
            for (mi, m) in g.measures.iter_mut().enumerate() {
                if idx == k {
                    m.missing = MissingRule::Redistribute;
                    removed.groups[gi].measures.remove(mi);
                    if removed.groups[gi].measures.is_empty() {
                        removed.groups.remove(gi);
                    }
                    break 'outer;
                }
                idx += 1;
            }
        }
        prop_assume!(!removed.groups.is_empty());
        let mut with_missing = values.clone();
        with_missing[k] = None;
        let mut without = values.clone();
        without.remove(k);
        let a = card.score_values(&with_missing).unwrap().score;
        let b = removed.score_values(&without).unwrap().score;
        match (a, b) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b),
            (a, b) => prop_assert_eq!(a, b),
        }
    }

    #[test]
    fn batch_scoring_matches_single_scoring_and_permutes((card, values) in card_and_values(), rows in 1usize..6) {
        // Build a frame of `rows` accounts by rotating the values.
        let n = values.len();
        let cols: Vec<(String, Vec<f64>)> = (0..n)
            .map(|k| (format!("f{k}"), (0..rows).map(|r| values[(k + r) % n].unwrap_or(f64::NAN)).collect()))
            .collect();
        let f = frame(cols.iter().map(|(a, b)| (a.as_str(), b.clone())).collect());
        let s = card.score_frame(&f, None).unwrap();
        for r in 0..rows {
            let v: Vec<Option<f64>> = (0..n).map(|k| values[(k + r) % n]).collect();
            let one = card.score_values(&v).unwrap();
            match one.score {
                Some(x) => prop_assert!((x - s.scores[r]).abs() < 1e-9),
                None => prop_assert!(s.scores[r].is_nan()),
            }
            prop_assert!((one.coverage - s.coverage[r]).abs() < 1e-12);
            // Missing scores and missing bands are the same accounts.
            prop_assert_eq!(s.scores[r].is_nan(), s.band_codes[r] == NOT_SCORED);
            let e = card.explain(&f, None, r).unwrap();
            prop_assert_eq!(e.score.map(|x| x.to_bits()), one.score.map(|x| x.to_bits()));
        }
        // Reversing the accounts reverses the results.
        let mut rev = f.clone();
        rev.account_ids.reverse();
        for c in &mut rev.columns { c.values.reverse(); }
        let sr = card.score_frame(&rev, None).unwrap();
        for r in 0..rows {
            let (a, b) = (s.scores[r], sr.scores[rows - 1 - r]);
            prop_assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        }
    }
}

#[test]
fn model_sets_pick_a_scorecard_per_segment() {
    let usage = Scorecard::builder("usage card")
        .measure("u", "u", 1.0, Normaliser::linear(0.0, 10.0))
        .build()
        .unwrap();
    let sponsor = Scorecard::builder("enterprise card")
        .measure("s", "s", 1.0, Normaliser::boolean())
        .build()
        .unwrap();
    let set = ModelSet {
        default: usage,
        by_segment: [("enterprise".to_string(), sponsor)].into(),
    };
    let f = frame(vec![
        ("u", vec![5.0, 10.0, 2.0]),
        ("s", vec![1.0, 0.0, 0.0]),
    ]);
    let segs: Vec<String> = ["smb", "enterprise", "mid"].map(String::from).to_vec();
    let r = set.score_frame(&f, &segs).unwrap();
    assert_eq!(r.scores, [50.0, 0.0, 20.0]);
    assert_eq!(r.scorecard, ["usage card", "enterprise card", "usage card"]);
    assert_eq!(r.bands[1].as_deref(), Some("red"));
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(
        serde_json::from_str::<ModelSet>(&json).unwrap(),
        set,
        "model sets are data too"
    );
    assert_eq!(ModelSet::from_toml(&set.to_toml().unwrap()).unwrap(), set);
    assert_eq!(ModelSet::from_json(&set.to_json().unwrap()).unwrap(), set);
    let bad = ModelSet {
        default: Scorecard {
            min_coverage: 2.0,
            ..set.default.clone()
        },
        by_segment: Default::default(),
    };
    let Err(Error::Config(p)) = bad.validate() else {
        panic!()
    };
    assert!(p[0].starts_with("default: min_coverage"));
}

#[test]
fn overrides_replace_the_reported_score_until_they_expire() {
    let card = Scorecard::builder("o")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 100.0))
        .build()
        .unwrap();
    let f = frame(vec![("x", vec![20.0, 90.0, 50.0])]);
    let s = card.score_frame(&f, None).unwrap();
    let day = |d: &str| d.parse().unwrap();
    let overrides = vec![
        Override {
            account_id: "A0".into(),
            score: None,
            band: Some("green".into()),
            reason: "3-year renewal signed".into(),
            author: "vp.cs".into(),
            expires: day("2025-06-01"),
        },
        Override {
            account_id: "A1".into(),
            score: Some(30.0),
            band: None,
            reason: "exec sponsor left".into(),
            author: "csm".into(),
            expires: day("2025-01-01"),
        },
    ];
    let r = card
        .apply_overrides(&f.account_ids, &s, &overrides, day("2025-01-01"))
        .unwrap();
    assert_eq!(
        (
            r[0].score,
            r[0].band.as_deref(),
            r[0].computed_band.as_deref()
        ),
        (Some(20.0), Some("green"), Some("red"))
    );
    assert!(r[0].override_applied.is_some());
    assert_eq!(
        (r[1].score, r[1].band.as_deref()),
        (Some(90.0), Some("green")),
        "expired on its expiry day"
    );
    assert!(r[2].override_applied.is_none());
    let earlier = card
        .apply_overrides(&f.account_ids, &s, &overrides, day("2024-12-31"))
        .unwrap();
    assert_eq!(
        (
            earlier[1].score,
            earlier[1].band.as_deref(),
            earlier[1].computed_score
        ),
        (Some(30.0), Some("red"), Some(90.0))
    );

    let bad = vec![Override {
        account_id: "A0".into(),
        score: Some(120.0),
        band: Some("purple".into()),
        reason: "".into(),
        author: "x".into(),
        expires: day("2030-01-01"),
    }];
    let Err(Error::Config(p)) = card.validate_overrides(&bad) else {
        panic!()
    };
    assert_eq!(p.len(), 3, "{p:?}");
}

#[test]
fn trends_of_a_batch_against_previous_scores() {
    let card = Scorecard::builder("t")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 100.0))
        .build()
        .unwrap();
    let s = card
        .score_frame(&frame(vec![("x", vec![50.0, 60.0, f64::NAN])]), None)
        .unwrap();
    let t = s.trends(&[55.0, 59.0, 10.0], 2.0);
    assert_eq!(t[0].map(|t| t.direction), Some(Direction::Down));
    assert_eq!(t[1].map(|t| t.direction), Some(Direction::Flat));
    assert_eq!(t[2], None, "no current score, no trend");
}

#[test]
fn ragged_frames_and_infinities_are_errors_not_panics() {
    let card = Scorecard::builder("r")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 1.0))
        .build()
        .unwrap();
    let mut f = frame(vec![("x", vec![0.5, 0.2])]);
    f.account_ids.push("extra".into());
    assert!(matches!(card.score_frame(&f, None), Err(Error::Config(_))));
    let f = frame(vec![("x", vec![0.5, f64::INFINITY])]);
    let Err(Error::Config(p)) = card.score_frame(&f, None) else {
        panic!()
    };
    assert!(p[0].contains("infinite") && p[0].contains("A1"), "{p:?}");
    assert_eq!(
        Scorecard::from_json(&card.to_json().unwrap()).unwrap(),
        card
    );
}

#[test]
fn limits_and_segment_requirements_are_checked() {
    let mut b = Scorecard::builder("wide").group("g", 1.0);
    for k in 0..65 {
        b = b.measure(
            &format!("m{k}"),
            &format!("f{k}"),
            1.0,
            Normaliser::linear(0.0, 1.0),
        );
    }
    let Err(Error::Config(p)) = b.build() else {
        panic!("65 measures must be refused")
    };
    assert!(p.iter().any(|m| m.contains("at most 64 measures")));
    let card = Scorecard::builder("seg")
        .measure(
            "r",
            "x",
            1.0,
            Normaliser::Percentile {
                higher_is_better: true,
                per_segment: true,
            },
        )
        .build()
        .unwrap();
    let Err(Error::Config(p)) = card.score_frame(&frame(vec![("x", vec![1.0])]), None) else {
        panic!()
    };
    assert!(p[0].contains("no segments were given"));
    let lin = Scorecard::builder("l")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 1.0))
        .build()
        .unwrap();
    assert!(lin.score_values(&[Some(f64::INFINITY)]).is_err());
}

/// Batch scoring works in blocks of accounts; a book bigger than several blocks, with
/// missing-data patterns that first appear late, must score exactly as account-by-account.
#[test]
fn batch_scoring_across_blocks_matches_single_scoring() {
    let card = Scorecard::builder("every kind")
        .min_coverage(0.3)
        .group("usage", 2.0)
        .measure("lin", "a", 2.0, Normaliser::linear(10.0, 0.0))
        .measure(
            "steps",
            "b",
            1.0,
            Normaliser::steps(vec![1.0, 3.0], vec![100.0, 50.0, 0.0]),
        )
        .group("rel", 1.0)
        .measure_with("yes", "c", 1.0, Normaliser::boolean(), MissingRule::Worst)
        .measure_with(
            "curve",
            "d",
            1.0,
            Normaliser::Logistic {
                midpoint: 0.0,
                steepness: 0.1,
            },
            MissingRule::Fixed { score: 40.0 },
        )
        .measure(
            "piece",
            "e",
            1.0,
            Normaliser::piecewise(vec![(0.0, 0.0), (5.0, 80.0), (9.0, 100.0)]),
        )
        .build()
        .unwrap();
    let n = 20_000;
    // A cheap deterministic mix: a measure goes missing on a period of its own, and one
    // pattern (everything but `lin`) only appears after the first blocks.
    let col = |k: usize| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let missing = (i * (k + 3)).is_multiple_of(11 + 2 * k)
                    || (k == 0 && i > 15_000 && i % 7 == 0);
                if missing {
                    f64::NAN
                } else {
                    ((i * 37 + k * 101) % 1000) as f64 / 50.0 - 5.0
                }
            })
            .collect()
    };
    let cols: Vec<(String, Vec<f64>)> = ["a", "b", "c", "d", "e"]
        .iter()
        .enumerate()
        .map(|(k, name)| (name.to_string(), col(k)))
        .collect();
    let borrowed: Vec<(&str, &[f64])> = cols
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_slice()))
        .collect();
    let full = card.score_columns(&borrowed, None).unwrap();
    assert_eq!(full.scores.len(), n);
    let mut scored = 0;
    for i in 0..n {
        let v: Vec<Option<f64>> = cols
            .iter()
            .map(|(_, c)| Some(c[i]).filter(|x| x.is_finite()))
            .collect();
        let one = card.score_values(&v).unwrap();
        match one.score {
            Some(x) => {
                scored += 1;
                assert!(
                    (x - full.scores[i]).abs() < 1e-9,
                    "row {i}: {x} vs {}",
                    full.scores[i]
                );
                assert_eq!(full.band(i), one.band.as_deref(), "row {i}");
                // Contributions, summed in measure order, are the score itself.
                let sum: f64 = full.contributions.iter().map(|c| c[i]).sum();
                assert_eq!(
                    sum.clamp(0.0, 100.0).to_bits(),
                    full.scores[i].to_bits(),
                    "row {i}"
                );
            }
            None => assert!(
                full.scores[i].is_nan() && full.band_index(i).is_none(),
                "row {i}"
            ),
        }
        assert!((one.coverage - full.coverage[i]).abs() < 1e-12, "row {i}");
    }
    assert!(
        scored > n / 2 && scored < n,
        "both outcomes are exercised: {scored}"
    );

    // Scores only: the same numbers to the bit, no contributions; the result is reusable
    // for a smaller batch afterwards.
    let mut out = ScoreFrame::default();
    card.score_columns_into(&borrowed, None, ScoreDetail::ScoresOnly, &mut out)
        .unwrap();
    assert!(out.contributions.is_empty());
    assert_eq!(out.band_codes, full.band_codes);
    assert_eq!(out.coverage, full.coverage);
    assert!(
        out.scores
            .iter()
            .zip(&full.scores)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    let small: Vec<(&str, &[f64])> = borrowed.iter().map(|(a, b)| (*a, &b[..10])).collect();
    card.score_columns_into(&small, None, ScoreDetail::Full, &mut out)
        .unwrap();
    assert_eq!(out.scores.len(), 10);
    assert_eq!(out.contributions.len(), 5);
    assert!(out.contributions.iter().all(|c| c.len() == 10));
    assert!(
        out.scores
            .iter()
            .zip(&full.scores)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // The frame API gives the same result as the borrowed-columns API.
    let f = frame(cols.iter().map(|(a, b)| (a.as_str(), b.clone())).collect());
    let via_frame = card.score_frame(&f, None).unwrap();
    let bits = |s: &ScoreFrame| -> Vec<u64> {
        s.scores
            .iter()
            .chain(s.contributions.iter().flatten())
            .map(|x| x.to_bits())
            .collect()
    };
    assert!(bits(&via_frame) == bits(&full) && via_frame.band_codes == full.band_codes);
}

#[test]
fn borrowed_columns_are_checked_like_frames() {
    let card = Scorecard::builder("r")
        .measure("x", "x", 1.0, Normaliser::linear(0.0, 1.0))
        .build()
        .unwrap();
    let (x, short) = ([0.5, f64::NEG_INFINITY, 0.1], [0.5]);
    let Err(Error::Config(p)) = card.score_columns(&[("x", &x[..])], None) else {
        panic!()
    };
    assert!(p[0].contains("infinite") && p[0].contains("row 1"), "{p:?}");
    let Err(Error::Config(p)) = card.score_columns(&[("y", &x[..])], None) else {
        panic!()
    };
    assert!(p[0].contains("unknown feature `x`"), "{p:?}");
    let Err(Error::Config(p)) = card.score_columns(&[("y", &x[..]), ("x", &short[..])], None)
    else {
        panic!()
    };
    assert!(p[0].contains("1 values for 3 accounts"), "{p:?}");
    assert!(card.score_columns(&[], None).is_err());
}

#[test]
fn band_codes_read_from_json_refuse_the_unscored_code_as_a_band() {
    let ok: ScoreFrame = serde_json::from_str(
        r#"{"scores":[50.0,null],"bands":[1,null],"band_names":["red","yellow"],"coverage":[1.0,0.0],"measure_names":[],"contributions":[]}"#,
    )
    .unwrap();
    assert_eq!(ok.band_codes, vec![1, NOT_SCORED]);
    assert_eq!(
        (ok.band(0), ok.band(1), ok.band_index(1)),
        (Some("yellow"), None, None)
    );
    let bad = serde_json::from_str::<ScoreFrame>(
        r#"{"scores":[50.0],"bands":[255],"band_names":["red"],"coverage":[1.0],"measure_names":[],"contributions":[]}"#,
    );
    assert!(bad.unwrap_err().to_string().contains("not a band"));
}

/// A one-measure scorecard of `norm` scores `xs` in a batch exactly as `Normaliser::apply`
/// scores each value (the batch loop has its own code per normaliser kind); missing values
/// get no score.
fn batch_equals_apply(norm: Normaliser, xs: &[f64]) -> Result<(), TestCaseError> {
    let card = Scorecard::builder("one measure")
        .group("g", 1.0)
        .measure("m", "x", 1.0, norm.clone())
        .build()
        .unwrap();
    let s = card.score_columns(&[("x", xs)], None).unwrap();
    for (i, &x) in xs.iter().enumerate() {
        if x.is_nan() {
            prop_assert!(s.scores[i].is_nan());
        } else {
            prop_assert_eq!(
                s.scores[i].to_bits(),
                norm.apply(x).clamp(0.0, 100.0).to_bits(),
                "x = {}",
                x
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The batch loop's own step loops (selects for one or two thresholds, a count for more)
    /// give what `Normaliser::apply` gives, value by value, including values exactly on a
    /// threshold and missing ones.
    #[test]
    fn batch_steps_equal_the_normaliser(
        cuts in prop::collection::btree_set(-20i32..20, 1..6),
        points in prop::collection::vec(0.0f64..100.0, 6),
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, -30.0f64..30.0), 1..300),
    ) {
        let thresholds: Vec<f64> = cuts.iter().map(|&c| f64::from(c)).collect();
        let points = points[..thresholds.len() + 1].to_vec();
        let norm = Normaliser::steps(thresholds.clone(), points);
        // Values on a threshold, just below one, anywhere, or missing.
        let xs: Vec<f64> = picks
            .iter()
            .map(|(i, kind, x)| {
                let t = thresholds[i.index(thresholds.len())];
                match kind {
                    0 => t,
                    1 => t - 1e-9,
                    2 => *x,
                    _ => f64::NAN,
                }
            })
            .collect();
        batch_equals_apply(norm, &xs)?;
    }

    /// The same for yes/no measures: any non-zero value is yes (minus zero is no).
    #[test]
    fn batch_booleans_equal_the_normaliser(
        yes in 0.0f64..100.0,
        no in 0.0f64..100.0,
        picks in prop::collection::vec((0u8..5, -3.0f64..3.0), 1..300),
    ) {
        let norm = Normaliser::Boolean { yes, no };
        let xs: Vec<f64> = picks
            .iter()
            .map(|(kind, x)| match kind {
                0 => 0.0,
                1 => -0.0,
                2 => 1.0,
                3 => *x,
                _ => f64::NAN,
            })
            .collect();
        batch_equals_apply(norm, &xs)?;
    }
}

#[test]
fn weights_whose_total_overflows_are_a_validation_error() {
    let mut card = Scorecard::default_heuristic();
    for g in &mut card.groups {
        g.weight = 1.7e308;
    }
    match card.validate() {
        Err(Error::Config(p)) => assert!(
            p.iter()
                .any(|m| m.contains("group weights sum past the largest number")),
            "{p:?}"
        ),
        other => panic!("expected a config error, got {other:?}"),
    }
    let mut card = Scorecard::default_heuristic();
    for m in &mut card.groups[0].measures {
        m.weight = 1.7e308;
    }
    let many = card.groups[0].measures.len() > 1;
    assert_eq!(card.validate().is_err(), many);
}
