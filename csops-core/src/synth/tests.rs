//! Tests of the generator: validity, determinism, the book's shape, and the churn model's
//! signal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;

use super::helpers::{day_secs, days, months};
use super::model::SPONSOR_LOST_DAYS;
use super::*;
use crate::book::{Book, LoadMode, ProblemKind};
use crate::interchange::FILES;
use crate::interchange::{LoadOptions, load_csv_dir, write_csv_dir};

fn cfg(accounts: usize, seed: u64) -> SynthConfig {
    SynthConfig {
        accounts,
        seed,
        ..Default::default()
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("csops-synth-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// P(a random churner scores below a random renewer), ties counting half.
fn auc_low_means_churn(churned: &[f64], renewed: &[f64]) -> f64 {
    let mut wins = 0.0;
    for c in churned {
        for r in renewed {
            wins += if c < r {
                1.0
            } else if c == r {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (churned.len() * renewed.len()) as f64
}

#[test]
fn every_generated_book_passes_strict_validation() {
    for (accounts, seed) in [(0, 1), (1, 2), (7, 3), (60, 4), (250, 5)] {
        let r = generate(&cfg(accounts, seed));
        assert_eq!(r.accounts.len(), accounts);
        let (book, report) = Book::from_records(r, LoadMode::Strict)
            .unwrap_or_else(|e| panic!("{accounts} accounts, seed {seed}: {e}"));
        assert!(report.is_clean());
        assert_eq!(book.accounts().len(), accounts);
    }
    // Other windows and knobs too.
    let odd = SynthConfig {
        accounts: 80,
        seed: 9,
        start: NaiveDate::from_ymd_opt(2021, 2, 17).unwrap(),
        quarters: 5,
        missing_rate: 0.3,
        events_per_account_week: 1.5,
        usage_days: 2000,
        existing_share: 0.1,
    };
    assert!(odd.validate().is_ok());
    Book::from_records(generate(&odd), LoadMode::Strict).unwrap();
}

#[test]
fn same_seed_same_book_other_seed_other_book() {
    let a = generate(&cfg(40, 11));
    assert_eq!(a, generate(&cfg(40, 11)));
    assert_ne!(a, generate(&cfg(40, 12)));
    // An account's records do not depend on how many accounts follow it.
    let b = generate(&cfg(41, 11));
    assert_eq!(a.accounts[..], b.accounts[..40]);
    assert_eq!(a.usage_events[..], b.usage_events[..a.usage_events.len()]);
}

#[test]
fn the_book_looks_like_a_book() {
    let c = cfg(400, 21);
    let r = generate(&c);
    let end = c.end();
    assert_eq!(end, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    let ids: BTreeSet<&str> = r.accounts.iter().map(|a| a.id.as_str()).collect();
    assert!(ids.contains("A-00001") && ids.contains("A-00400"));
    let currencies: BTreeSet<&str> = r.accounts.iter().map(|a| a.arr.currency.code()).collect();
    assert_eq!(currencies, BTreeSet::from(["EUR", "GBP", "USD"]));
    assert!(r.accounts.iter().all(|a| a.arr.amount.scale() == 2));
    let per_account = |n: usize| n as f64 / r.accounts.len() as f64;
    let contacts = per_account(r.contacts.len());
    assert!(
        (3.0..=8.0).contains(&contacts),
        "{contacts} contacts per account"
    );
    assert!(
        r.contact_roles
            .iter()
            .any(|x| x.role == Role::ExecutiveSponsor && x.removed.is_some())
    );
    let features: BTreeSet<&str> = r.usage_events.iter().map(|e| e.feature.as_str()).collect();
    assert_eq!(features, FEATURES.iter().copied().collect());
    assert!(r.tickets.iter().any(|t| t.priority == Priority::Urgent));
    assert!(r.tickets.iter().any(|t| t.csat.is_some()));
    assert!(r.surveys.iter().any(|s| s.kind == SurveyKind::Nps));
    assert!(r.surveys.iter().any(|s| s.kind == SurveyKind::Csat));
    assert!(r.meetings.iter().any(|m| m.kind == MeetingKind::Ebr));
    assert!(r.milestones.iter().any(|m| m.achieved.is_some()));
    for kind in OpportunityKind::ALL {
        assert!(r.opportunities.iter().any(|o| o.kind == *kind), "{kind}");
    }
    for outcome in Outcome::ALL {
        assert!(
            r.renewal_outcomes.iter().any(|o| o.outcome == *outcome),
            "{outcome}"
        );
    }
    // Nothing happens on or after the export day.
    assert!(
        r.usage_events
            .iter()
            .all(|e| e.timestamp.date_naive() < end)
    );
    assert!(
        r.tickets
            .iter()
            .all(|t| t.opened < end && t.closed.is_none_or(|c| c < end))
    );
    assert!(r.renewal_outcomes.iter().all(|o| o.renewal_date < end));
    // Churned accounts stay, at zero ARR, with the churn renewal as their renewal date;
    // the others' renewal date is their next one.
    let churn: BTreeMap<&str, NaiveDate> = r
        .renewal_outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Churned)
        .map(|o| (o.account_id.as_str(), o.renewal_date))
        .collect();
    for a in &r.accounts {
        match churn.get(a.id.as_str()) {
            Some(d) => {
                assert!(a.arr.amount.is_zero());
                assert_eq!(a.renewal_date, Some(*d));
            }
            None => {
                let next = a.renewal_date.unwrap();
                assert!(next >= end && months(next, 0) < months(end, 12));
                assert!(!a.arr.amount.is_zero());
            }
        }
    }
    // The latest month-end ARR snapshot agrees with the account's ARR.
    let mut last: BTreeMap<&str, &ArrSnapshot> = BTreeMap::new();
    for s in &r.arr_snapshots {
        last.insert(s.account_id.as_str(), s);
    }
    for a in &r.accounts {
        if let Some(s) = last.get(a.id.as_str()) {
            assert_eq!(s.arr, a.arr, "{}", a.id);
        }
    }
    // Optional values go missing at about the configured rate.
    let no_seats = r.accounts.iter().filter(|a| a.seats.is_none()).count();
    assert!(
        (5..=40).contains(&no_seats),
        "{no_seats} accounts without seats"
    );
}

#[test]
fn annual_logo_churn_is_in_a_sane_band() {
    let r = generate(&cfg(1500, 31));
    let n = r.renewal_outcomes.len();
    let churned = r
        .renewal_outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Churned)
        .count();
    let rate = churned as f64 / n as f64;
    assert!(n > 1000, "{n} renewals");
    assert!((0.10..=0.20).contains(&rate), "churn {rate:.3}");
}

/// The churn model in one test: in the 90 days before each renewal, the share of key
/// features used separates churners from renewers far better than logins per user do.
#[test]
fn breadth_predicts_churn_far_better_than_logins() {
    let c = cfg(1500, 32);
    let r = generate(&c);
    let usage_from = days(c.end(), -(c.usage_days as i64));
    let mut by_account: BTreeMap<&str, Vec<&UsageEvent>> = BTreeMap::new();
    for e in &r.usage_events {
        by_account.entry(e.account_id.as_str()).or_default().push(e);
    }
    let (mut breadth, mut logins) = ((vec![], vec![]), (vec![], vec![]));
    for o in &r.renewal_outcomes {
        let from = days(o.renewal_date, -90);
        if from < usage_from {
            continue;
        }
        let (lo, hi) = (day_secs(from), day_secs(o.renewal_date));
        let window: Vec<&&UsageEvent> = by_account
            .get(o.account_id.as_str())
            .map(|v| {
                v.iter()
                    .filter(|e| (lo..hi).contains(&e.timestamp.timestamp()))
            })
            .into_iter()
            .flatten()
            .collect();
        let keys: BTreeSet<&str> = window
            .iter()
            .map(|e| e.feature.as_str())
            .filter(|f| KEY_FEATURES.contains(f))
            .collect();
        let users: BTreeSet<&str> = window.iter().map(|e| e.user_id.as_str()).collect();
        let n_logins = window.iter().filter(|e| e.feature == "login").count();
        let b = keys.len() as f64 / KEY_FEATURES.len() as f64;
        let l = n_logins as f64 / users.len().max(1) as f64 / (90.0 / 7.0);
        let churned = o.outcome == Outcome::Churned;
        for (v, (ch, rn)) in [(b, &mut breadth), (l, &mut logins)] {
            if churned { ch.push(v) } else { rn.push(v) }
        }
    }
    assert!(breadth.0.len() > 100 && breadth.1.len() > 500);
    let auc_b = auc_low_means_churn(&breadth.0, &breadth.1);
    let auc_l = auc_low_means_churn(&logins.0, &logins.1);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(auc_b > 0.7, "breadth AUC {auc_b:.3}");
    assert!(auc_l < 0.62, "logins AUC {auc_l:.3}");
    assert!(
        auc_b - 0.5 > 2.5 * (auc_l - 0.5),
        "breadth {auc_b:.3} vs logins {auc_l:.3}"
    );
    assert!(mean(&breadth.0) < mean(&breadth.1) - 0.15);
}

#[test]
fn losing_the_sponsor_before_renewal_raises_churn() {
    let r = generate(&cfg(1500, 33));
    let account_of: BTreeMap<&str, &str> = r
        .contacts
        .iter()
        .map(|c| (c.id.as_str(), c.account_id.as_str()))
        .collect();
    let mut removed: BTreeMap<&str, Vec<NaiveDate>> = BTreeMap::new();
    for x in &r.contact_roles {
        if let (Role::ExecutiveSponsor, Some(d)) = (x.role, x.removed) {
            removed
                .entry(account_of[x.contact_id.as_str()])
                .or_default()
                .push(d);
        }
    }
    let (mut lost, mut kept) = ((0, 0), (0, 0));
    for o in &r.renewal_outcomes {
        let from = days(o.renewal_date, -SPONSOR_LOST_DAYS);
        let hit = removed
            .get(o.account_id.as_str())
            .is_some_and(|v| v.iter().any(|d| *d >= from && *d < o.renewal_date));
        let slot = if hit { &mut lost } else { &mut kept };
        slot.0 += (o.outcome == Outcome::Churned) as usize;
        slot.1 += 1;
    }
    let rate = |(c, n): (usize, usize)| c as f64 / n as f64;
    assert!(lost.1 > 100, "{lost:?}");
    assert!(rate(lost) > 1.5 * rate(kept), "lost {lost:?} kept {kept:?}");
}

#[test]
fn density_knob_scales_events_and_changes_nothing_else() {
    let base = cfg(60, 41);
    let sparse = SynthConfig {
        events_per_account_week: 1.0,
        ..base.clone()
    };
    let none = SynthConfig {
        events_per_account_week: 0.0,
        ..base.clone()
    };
    let (a, b, z) = (generate(&base), generate(&sparse), generate(&none));
    assert!(z.usage_events.is_empty());
    let ratio = a.usage_events.len() as f64 / b.usage_events.len() as f64;
    assert!((3.5..=6.5).contains(&ratio), "ratio {ratio}");
    let strip = |mut r: Records| {
        r.usage_events.clear();
        r
    };
    assert_eq!(strip(a), strip(b));
}

#[test]
fn csv_dir_loads_into_the_same_book_as_generate() {
    let c = cfg(40, 51);
    let dir = temp_dir("same");
    let summary = generate_to_csv_dir(&c, &dir).unwrap();
    assert_eq!(summary.files.len(), FILES.len());
    let loaded = load_csv_dir(&dir, &LoadOptions::default()).unwrap();
    assert!(loaded.report.is_clean());
    let (book, _) = Book::from_records(generate(&c), LoadMode::Strict).unwrap();
    assert_eq!(loaded.book.to_records(), book.to_records());
    assert_eq!(summary.counts, book.counts());
    let outcomes = book.to_records().renewal_outcomes;
    assert_eq!(summary.renewals, outcomes.len());
    let churned = outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Churned)
        .count();
    assert_eq!(summary.churned, churned);
    // Byte for byte what `write_csv_dir` writes for the same book.
    let other = temp_dir("same-written");
    write_csv_dir(&book, &other).unwrap();
    for f in FILES {
        let name = format!("{}.csv", f.stem);
        let (x, y) = (
            fs::read(dir.join(&name)).unwrap(),
            fs::read(other.join(&name)).unwrap(),
        );
        assert!(x == y, "{name} differs");
    }
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::remove_dir_all(&other);
}

#[test]
fn bad_rows_are_reported_one_problem_each_and_nothing_else_is_lost() {
    let c = cfg(60, 61);
    let dir = temp_dir("bad");
    let summary = generate_to_csv_dir(&c, &dir).unwrap();
    let bad = append_bad_rows(&dir).unwrap();
    assert!((6..=10).contains(&bad.len()));
    let kinds: BTreeSet<ProblemKind> = bad.iter().map(|b| b.kind).collect();
    assert!(kinds.len() >= 8, "{kinds:?}");
    assert!(load_csv_dir(&dir, &LoadOptions::default()).is_err());
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let loaded = load_csv_dir(&dir, &opts).unwrap();
    let report = &loaded.report;
    let got: BTreeSet<(String, u64, String, ProblemKind)> = report
        .problems
        .iter()
        .map(|p| {
            let field = p.field.clone().unwrap_or_default();
            (p.file.clone(), p.row.unwrap_or(0), field, p.kind)
        })
        .collect();
    let want: BTreeSet<(String, u64, String, ProblemKind)> = bad
        .iter()
        .map(|b| (b.file.clone(), b.line, b.field.clone(), b.kind))
        .collect();
    assert_eq!(report.problems.len(), bad.len(), "{}", report.render());
    assert_eq!(got, want);
    assert_eq!(report.rejected.len(), bad.len());
    assert_eq!(loaded.book.counts(), summary.counts);
    let _ = fs::remove_dir_all(&dir);
}

/// `data/sample-book/` is exactly what its README's command writes, and loads leniently
/// with exactly the deliberate problems. After changing the generator, regenerate it with
/// `cargo run --release -p csops-core --example generate_book -- --accounts 300 --seed 42
/// --out data/sample-book --bad-rows` and update the numbers in its README.
#[test]
fn the_shipped_sample_book_is_what_the_generator_writes() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-book");
    if !shipped.join("accounts.csv").exists() {
        return;
    }
    let dir = temp_dir("sample");
    generate_to_csv_dir(&cfg(300, 42), &dir).unwrap();
    let bad = append_bad_rows(&dir).unwrap();
    for f in FILES {
        let name = format!("{}.csv", f.stem);
        let same = fs::read(dir.join(&name)).ok() == fs::read(shipped.join(&name)).ok();
        assert!(
            same,
            "data/sample-book/{name} is stale: regenerate it (see this test)"
        );
    }
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let loaded = load_csv_dir(&shipped, &opts).unwrap();
    assert_eq!(loaded.report.problems.len(), bad.len());
    assert_eq!(loaded.report.rejected.len(), bad.len());
    assert_eq!(loaded.book.accounts().len(), 300);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn configuration_is_validated_and_readable() {
    let c = SynthConfig::from_toml("accounts = 12\nseed = 3\nstart = \"2023-01-01\"").unwrap();
    assert_eq!((c.accounts, c.seed, c.quarters), (12, 3, 8));
    assert_eq!(c.end(), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    assert!(SynthConfig::from_toml("acounts = 12").is_err());
    let bad = SynthConfig {
        quarters: 0,
        missing_rate: 0.9,
        events_per_account_week: -1.0,
        existing_share: 2.0,
        ..Default::default()
    };
    let Err(Error::Config(problems)) = bad.validate() else {
        panic!("expected a config error")
    };
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(generate_to_csv_dir(&bad, temp_dir("never")).is_err());
    // `generate` clamps instead of failing.
    let r = generate(&SynthConfig { accounts: 3, ..bad });
    Book::from_records(r, LoadMode::Strict).unwrap();
}
