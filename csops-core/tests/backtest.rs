//! Back-test and re-calibration on generated books whose churn model is known
//! (see `csops_core::synth`: feature breadth matters far more than logins).

use chrono::{Days, TimeZone, Utc};
use csops_core::backtest::*;
use csops_core::book::{Book, LoadMode, Records};
use csops_core::health::Scorecard;
use csops_core::record::UsageEvent;
use csops_core::synth::{SynthConfig, generate};

fn book(records: Records) -> Book {
    Book::from_records(records, LoadMode::Strict).unwrap().0
}

fn synth(accounts: usize, seed: u64) -> Records {
    generate(&SynthConfig {
        accounts,
        seed,
        ..Default::default()
    })
}

#[test]
fn observations_are_point_in_time() {
    let records = synth(120, 3);
    let card = Scorecard::default_heuristic();
    let cfg = BacktestConfig::default();
    let base = observe(&book(records.clone()), &card, &cfg).unwrap();
    assert!(base.rows.len() > 40, "{} renewals", base.rows.len());
    let o = base.rows.iter().find(|o| o.score.is_some()).unwrap();
    // A burst of activity for that account the day after it was scored is invisible to its
    // observation; the same burst the day before changes it.
    let burst = |day: chrono::NaiveDate| -> Vec<UsageEvent> {
        let t = Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap());
        (0..400)
            .map(|i| UsageEvent {
                account_id: o.account_id.clone(),
                user_id: format!("burst-{}", i % 40),
                feature: if i % 2 == 0 {
                    "login".into()
                } else {
                    format!("f{}", i % 9)
                },
                timestamp: t,
            })
            .collect()
    };
    let mut later = records.clone();
    later.usage_events.extend(burst(o.scored_on + Days::new(1)));
    let after = observe(&book(later), &card, &cfg).unwrap();
    let same = after
        .rows
        .iter()
        .find(|r| r.renewal_id == o.renewal_id)
        .unwrap();
    // (Debug text, since missing measures are NaN, which is never equal to itself.)
    assert_eq!(format!("{same:?}"), format!("{o:?}"));
    let mut earlier = records;
    earlier.usage_events.extend(burst(o.scored_on));
    let before = observe(&book(earlier), &card, &cfg).unwrap();
    let changed = before
        .rows
        .iter()
        .find(|r| r.renewal_id == o.renewal_id)
        .unwrap();
    assert_ne!(changed.score, o.score, "the test can see a same-day change");
}

#[test]
fn report_counts_add_up_and_agree_with_the_statistics() {
    let b = book(synth(300, 11));
    let card = Scorecard::default_heuristic();
    let cfg = BacktestConfig::default();
    let obs = observe(&b, &card, &cfg).unwrap();
    let r = report(&obs, &card, &cfg).unwrap();
    // The window is four calendar quarters ending with the latest renewal.
    assert_eq!(r.quarters.len(), 4);
    assert!(
        obs.rows
            .iter()
            .all(|o| o.renewal_date >= r.window_start && o.renewal_date <= r.window_end)
    );
    assert!(
        obs.rows
            .iter()
            .all(|o| (o.renewal_date - o.scored_on).num_days() == 90)
    );
    let all = &r.overall;
    assert_eq!(all.renewals as usize, obs.rows.len());
    assert_eq!(
        all.bands.iter().map(|b| b.renewals).sum::<u64>(),
        all.renewals
    );
    assert_eq!(
        all.bands
            .iter()
            .map(|b| b.renewals - b.renewed)
            .sum::<u64>(),
        all.churned
    );
    assert_eq!(
        r.quarters.iter().map(|q| q.renewals).sum::<u64>(),
        all.renewals
    );
    assert_eq!(
        r.quarters.iter().map(|q| q.churned).sum::<u64>(),
        all.churned
    );
    // The AUC is the AUC of the observations.
    let scored: Vec<&Observation> = obs.rows.iter().filter(|o| o.score.is_some()).collect();
    let risk: Vec<f64> = scored.iter().map(|o| 100.0 - o.score.unwrap()).collect();
    let churned: Vec<bool> = scored.iter().map(|o| o.churned).collect();
    let auc = stats::roc_auc(&risk, &churned).unwrap();
    assert_eq!(all.auc.unwrap(), auc);
    // Survival curves cover every scored renewal; churns are their events.
    let n: u64 = r.survival.iter().map(|s| s.curve[0].at_risk).sum();
    assert_eq!(n as usize, scored.len());
    let events: u64 = r
        .survival
        .iter()
        .flat_map(|s| &s.curve)
        .map(|p| p.observed)
        .sum();
    assert_eq!(events, scored.iter().filter(|o| o.churned).count() as u64);
    // Counting contractions as churn can only add churn.
    let strict = BacktestConfig {
        contraction_is_churn: true,
        ..cfg.clone()
    };
    let r2 = backtest(&b, &card, &strict).unwrap();
    assert!(r2.overall.churned >= all.churned);
    // The text names the verdict and the measures.
    let text = r.render();
    assert!(text.contains("ROC AUC") && text.contains("logins") && text.contains("breadth"));
    // Plain data: the report serialises.
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"overall\""));
}

#[test]
fn the_known_churn_model_shows_through() {
    // The generator's churn depends on breadth far more than on logins: the back-test of
    // the login-heavy default must say so, and re-calibration must move weight to breadth
    // and do better on the held-out quarter.
    let b = book(synth(1500, 5));
    let card = Scorecard::default_heuristic();
    let cfg = BacktestConfig::default();
    let obs = observe(&b, &card, &cfg).unwrap();
    let r = report(&obs, &card, &cfg).unwrap();
    let m = |name: &str| r.measures.iter().find(|m| m.measure == name).unwrap();
    assert!(m("breadth").auc.unwrap() > m("logins").auc.unwrap() + 0.1);
    assert_eq!(m("logins").flag.as_deref(), Some("over-weighted"));
    assert_eq!(m("breadth").flag.as_deref(), Some("under-weighted"));
    let recal = recalibrate(&obs, &card, &RecalibrationConfig::default()).unwrap();
    let w = |name: &str| recal.weights.iter().find(|w| w.measure == name).unwrap();
    assert!(w("breadth").share_after > w("logins").share_after);
    assert!(w("breadth").share_after > w("breadth").share_before);
    assert!(recal.scorecard.weight_shares().iter().all(|s| *s >= 0.0));
    let (before, after) = (recal.before.auc.unwrap().auc, recal.after.auc.unwrap().auc);
    assert!(after > before, "held-out AUC {before} -> {after}");
    assert!(recal.after.brier.unwrap() < recal.before.brier.unwrap());
    // The re-weighted card is a valid scorecard that round-trips as configuration.
    let again = Scorecard::from_json(&recal.scorecard.to_json().unwrap()).unwrap();
    assert_eq!(again, recal.scorecard);
}

#[test]
fn the_fit_never_sees_the_held_out_quarter() {
    let b = book(synth(300, 11));
    let card = Scorecard::default_heuristic();
    let obs = observe(&b, &card, &BacktestConfig::default()).unwrap();
    let cfg = RecalibrationConfig::default();
    let a = recalibrate(&obs, &card, &cfg).unwrap();
    // Flip every outcome of the held-out quarter: the fit must not move.
    let last = obs.rows.last().unwrap().quarter.clone();
    let mut flipped = obs.clone();
    for o in flipped.rows.iter_mut().filter(|o| o.quarter == last) {
        o.churned = !o.churned;
    }
    let b2 = recalibrate(&flipped, &card, &cfg).unwrap();
    assert_eq!(a.fit, b2.fit);
    assert_eq!(a.scorecard, b2.scorecard);
    assert_ne!(
        a.after, b2.after,
        "the held-out evaluation does see the outcomes"
    );
}

#[test]
fn bad_configurations_are_errors() {
    let b = book(synth(60, 1));
    let card = Scorecard::default_heuristic();
    let zero = BacktestConfig {
        quarters: 0,
        ..Default::default()
    };
    assert!(backtest(&b, &card, &zero).is_err());
    let lift = BacktestConfig {
        lift_fractions: vec![1.5],
        ..Default::default()
    };
    assert!(backtest(&b, &card, &lift).is_err());
    let obs = observe(&b, &card, &BacktestConfig::default()).unwrap();
    let all_held = RecalibrationConfig {
        holdout_quarters: 4,
        ..Default::default()
    };
    assert!(recalibrate(&obs, &card, &all_held).is_err());
    let empty = book(Records::default());
    assert!(observe(&empty, &card, &BacktestConfig::default()).is_err());
}

#[test]
fn percentile_measures_rank_within_the_book_of_the_day() {
    use csops_core::health::Normaliser;
    // A percentile measure needs the whole book of the scoring day, not just the renewing
    // accounts: each renewal's score is its rank among every customer that day.
    let records = synth(150, 9);
    let b = book(records);
    let card = Scorecard::builder("breadth rank")
        .group("usage", 1.0)
        .measure(
            "breadth",
            "feature_breadth",
            1.0,
            Normaliser::Percentile {
                higher_is_better: true,
                per_segment: false,
            },
        )
        .build()
        .unwrap();
    let cfg = BacktestConfig::default();
    let obs = observe(&b, &card, &cfg).unwrap();
    let o = obs.rows.iter().find(|o| o.score.is_some()).unwrap();
    let frame = csops_core::features::features_as_of(&b, o.scored_on, &cfg.features).unwrap();
    let scores = card.score_frame(&frame, None).unwrap();
    let row = frame
        .account_ids
        .iter()
        .position(|id| *id == o.account_id)
        .unwrap();
    assert_eq!(o.score, Some(scores.scores[row]));
    assert!(frame.len() > 50, "ranked among {} accounts", frame.len());
}

#[test]
fn observations_of_another_scorecard_are_refused() {
    use csops_core::health::Normaliser;
    let b = book(synth(60, 2));
    let card = Scorecard::default_heuristic();
    let cfg = BacktestConfig::default();
    let obs = observe(&b, &card, &cfg).unwrap();
    let other = Scorecard::builder("other")
        .measure("x", "nps", 1.0, Normaliser::linear(-100.0, 100.0))
        .build()
        .unwrap();
    assert!(report(&obs, &other, &cfg).is_err());
    assert!(recalibrate(&obs, &other, &RecalibrationConfig::default()).is_err());
    // Each quarter carries its own per-measure table.
    let r = report(&obs, &card, &cfg).unwrap();
    assert!(
        r.quarters
            .iter()
            .all(|q| q.measures.len() == r.measures.len())
    );
}

#[test]
fn hostile_configurations_are_errors_not_panics() {
    let b = book(synth(40, 4));
    let card = Scorecard::default_heuristic();
    for quarters in [401, u32::MAX] {
        let cfg = BacktestConfig {
            quarters,
            ..Default::default()
        };
        assert!(matches!(
            backtest(&b, &card, &cfg),
            Err(csops_core::Error::Config(_))
        ));
    }
    let empty_map = BacktestConfig {
        probability: Some(ProbabilityMap::Isotonic(IsotonicMap {
            x: vec![],
            y: vec![],
        })),
        ..Default::default()
    };
    assert!(matches!(
        backtest(&b, &card, &empty_map),
        Err(csops_core::Error::Config(_))
    ));
    let far_back = BacktestConfig {
        quarters: 400,
        end: Some("0002-01-01".parse().unwrap()),
        ..Default::default()
    };
    // Four hundred quarters back from year 2 is a valid (empty) window, not a panic.
    let r = backtest(&b, &card, &far_back).unwrap();
    assert_eq!(r.overall.renewals, 0);
}

/// A value's JSON text (where a missing measure score, NaN, is `null`).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

/// The records of the accounts `keep` says yes to (every record type; the FX table whole).
fn part(records: &Records, keep: impl Fn(&str) -> bool) -> Records {
    macro_rules! of {
        ($field:ident) => {
            records
                .$field
                .iter()
                .filter(|r| keep(&r.account_id))
                .cloned()
                .collect()
        };
    }
    Records {
        accounts: records
            .accounts
            .iter()
            .filter(|a| keep(&a.id))
            .cloned()
            .collect(),
        contacts: of!(contacts),
        contact_roles: {
            // A role belongs to its contact's account.
            let kept: std::collections::HashSet<&str> = records
                .contacts
                .iter()
                .filter(|c| keep(&c.account_id))
                .map(|c| c.id.as_str())
                .collect();
            records
                .contact_roles
                .iter()
                .filter(|r| kept.contains(r.contact_id.as_str()))
                .cloned()
                .collect()
        },
        usage_events: of!(usage_events),
        usage_snapshots: of!(usage_snapshots),
        tickets: of!(tickets),
        surveys: of!(surveys),
        meetings: of!(meetings),
        milestones: of!(milestones),
        opportunities: of!(opportunities),
        arr_snapshots: of!(arr_snapshots),
        renewal_outcomes: of!(renewal_outcomes),
        fx: records.fx.clone(),
    }
}

/// A book split by account and each part observed on its own (as Spark's executors do)
/// merges into the observations of the whole book, report and all; parts of another window
/// are refused.
#[test]
fn observations_made_in_parts_merge_into_the_whole_books() {
    let records = synth(150, 11);
    let card = Scorecard::default_heuristic();
    let whole_book = book(records.clone());
    let cfg = BacktestConfig {
        end: whole_book.latest_date(),
        ..BacktestConfig::default()
    };
    let whole = observe(&whole_book, &card, &cfg).unwrap();
    assert!(whole.rows.len() > 40, "{} renewals", whole.rows.len());
    let parts: Vec<Observations> = (0..3)
        .map(|k| {
            let p = part(&records, |id| {
                id.bytes().map(usize::from).sum::<usize>() % 3 == k
            });
            observe(&book(p), &card, &cfg).unwrap()
        })
        .collect();
    assert!(parts.iter().all(|p| !p.rows.is_empty()));
    let merged = Observations::merge(parts.clone()).unwrap();
    // Compared in their serde form: NaN (a missing measure) is not equal to itself.
    assert_eq!(merged.rows.len(), whole.rows.len());
    for (m, w) in merged.rows.iter().zip(&whole.rows) {
        assert_eq!(json(m), json(w), "{}", w.renewal_id);
    }
    assert_eq!(json(&merged), json(&whole));
    assert_eq!(
        json(&report(&merged, &card, &cfg).unwrap()),
        json(&report(&whole, &card, &cfg).unwrap())
    );

    let mut other = parts[1].clone();
    other.lead_days += 1;
    let e = Observations::merge(vec![parts[0].clone(), other]).unwrap_err();
    assert!(e.to_string().contains("lead_days"), "{e}");
    assert!(Observations::merge(Vec::new()).is_err());
}
