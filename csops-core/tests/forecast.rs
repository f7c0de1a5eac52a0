//! The renewal forecast: lines and totals, the renewed-ARR distribution against brute force,
//! and the CRM reconciliation on a book built by hand.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use csops_core::book::{Book, LoadMode, Records};
use csops_core::forecast::*;
use csops_core::money::{Currency, Money};
use csops_core::record::*;
use csops_core::synth::{SynthConfig, generate};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn usd(s: &str) -> Money {
    Money::new(s.parse().unwrap(), Currency::new("USD").unwrap())
}

/// Quantile by brute force, independently of the library: enumerate outcomes recursively,
/// sort them, walk the cumulative probability.
fn brute_quantiles(amounts: &[(f64, f64)]) -> (f64, Vec<f64>) {
    fn walk(a: &[(f64, f64)], v: f64, p: f64, out: &mut Vec<(f64, f64)>) {
        match a.split_first() {
            None => out.push((v, p)),
            Some(((x, q), rest)) => {
                walk(rest, v + x, p * q, out);
                walk(rest, v, p * (1.0 - q), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(amounts, 0.0, 1.0, &mut out);
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    let q = |t: f64| {
        let mut c = 0.0;
        for (v, p) in &out {
            c += p;
            if c >= t - 1e-12 {
                return *v;
            }
        }
        out.last().unwrap().0
    };
    let mean = out.iter().map(|(v, p)| v * p).sum();
    // The 1st to 99th percentiles.
    (mean, (1..100).map(|k| q(f64::from(k) / 100.0)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn exact_and_grid_distributions_agree_with_brute_force(
        amounts in prop::collection::vec((1u32..500_000, 0.0f64..=1.0), 1..14)
    ) {
        let a: Vec<(f64, f64)> = amounts.iter().map(|(x, p)| (f64::from(*x), *p)).collect();
        let (mean, percentiles) = brute_quantiles(&a);
        let (p10, p50, p90) = (percentiles[9], percentiles[49], percentiles[89]);
        let e = renewed_arr_distribution(&a, DistributionMethod::Exact, 0, 0).unwrap();
        prop_assert!((e.mean - mean).abs() <= 1e-6 * mean.max(1.0));
        prop_assert_eq!((e.p10, e.p50, e.p90), (p10, p50, p90));
        prop_assert_eq!(&e.percentiles, &percentiles);
        // The grid rounds each amount to a multiple of its step, moving every outcome by at
        // most n·step/2, so every grid quantile is within n·step/2 of the exact one. (Both
        // quantile functions accept a cumulative probability 1e-12 short of the level, which
        // absorbs floating-point sums that land on a level.)
        let g = renewed_arr_distribution(&a, DistributionMethod::Grid, 0, 0).unwrap();
        let slack = a.len() as f64 * g.resolution / 2.0 + 1e-6;
        prop_assert_eq!(g.percentiles.len(), 99);
        for (k, (got, want)) in g.percentiles.iter().zip(&percentiles).enumerate() {
            prop_assert!(
                (got - want).abs() <= slack,
                "percentile {}: grid {} vs exact {} (step {}, slack {})",
                k + 1, got, want, g.resolution, slack
            );
        }
        prop_assert!(g.percentiles.windows(2).all(|w| w[0] <= w[1]));
        prop_assert_eq!((g.percentiles[9], g.percentiles[49], g.percentiles[89]), (g.p10, g.p50, g.p90));
    }
}

#[test]
fn grid_keeps_the_probability_of_amounts_smaller_than_half_a_step() {
    // The step is 10.00001, so the 1 rounds to no step; outcomes 0, 1, 1e6, 1e6 + 1 at ¼ each.
    let a = [(1.0, 0.5), (1_000_000.0, 0.5)];
    let g = renewed_arr_distribution(&a, DistributionMethod::Grid, 0, 0).unwrap();
    assert!(g.resolution > 10.0);
    let slack = g.resolution;
    assert!(
        g.p50.abs() <= slack,
        "p50 {} (step {})",
        g.p50,
        g.resolution
    );
    assert!(
        g.p10.abs() <= slack && (g.p90 - 1e6).abs() <= slack,
        "{g:?}"
    );
}

#[test]
fn monte_carlo_agrees_with_the_grid_on_many_renewals() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let a: Vec<(f64, f64)> = (0..400)
        .map(|_| {
            (
                rng.random_range(1_000.0..200_000.0),
                rng.random_range(0.5..1.0),
            )
        })
        .collect();
    let g = renewed_arr_distribution(&a, DistributionMethod::Grid, 0, 0).unwrap();
    let m = renewed_arr_distribution(&a, DistributionMethod::MonteCarlo, 50_000, 7).unwrap();
    assert_eq!(g.method, "grid");
    // The standard deviation of the total is about √Σ a²p(1−p); Monte Carlo quantiles from
    // 50,000 draws sit well within a tenth of it.
    let sd: f64 = a
        .iter()
        .map(|(x, p)| x * x * p * (1.0 - p))
        .sum::<f64>()
        .sqrt();
    for (x, y) in [(g.p10, m.p10), (g.p50, m.p50), (g.p90, m.p90)] {
        assert!(
            (x - y).abs() < 0.1 * sd,
            "grid {x} vs Monte Carlo {y} (sd {sd})"
        );
    }
    assert!(g.p10 < g.p50 && g.p50 < g.p90);
    // Seeded: the same seed gives the same answer.
    let m2 = renewed_arr_distribution(&a, DistributionMethod::MonteCarlo, 50_000, 7).unwrap();
    assert_eq!(m, m2);
    assert!(renewed_arr_distribution(&a, DistributionMethod::Exact, 0, 0).is_err());
    assert!(renewed_arr_distribution(&[(1.0, 1.5)], DistributionMethod::Auto, 0, 0).is_err());
}

#[test]
fn forecast_totals_add_up_on_a_generated_book() {
    let (book, _) = Book::from_records(
        generate(&SynthConfig {
            accounts: 400,
            seed: 21,
            ..Default::default()
        }),
        LoadMode::Strict,
    )
    .unwrap();
    let card = csops_core::health::Scorecard::default_heuristic();
    let as_of = book.latest_date().unwrap();
    let health = health_as_of(&book, &card, as_of, &Default::default()).unwrap();
    let f = forecast(&book, &health, &ForecastConfig::default()).unwrap();
    assert!(
        f.lines.len() > 20,
        "{} renewals next quarter",
        f.lines.len()
    );
    assert!(
        f.from > as_of
            && f.lines
                .iter()
                .all(|l| l.renewal_date >= f.from && l.renewal_date <= f.to)
    );
    let sum = |g: &[Subtotal], f: fn(&Subtotal) -> Decimal| g.iter().map(f).sum::<Decimal>();
    for g in [&f.by_segment, &f.by_csm, &f.by_month] {
        assert_eq!(sum(g, |s| s.arr), f.arr);
        assert_eq!(sum(g, |s| s.expected_renewal), f.expected_renewal);
        assert_eq!(
            g.iter().map(|s| s.renewals).sum::<u64>() as usize,
            f.lines.len()
        );
    }
    assert_eq!(f.commit + f.best_case + f.pipeline, f.arr);
    // A line's missing CSM stays missing; the subtotal counts it under NO_GROUP.
    let owners: BTreeMap<&str, Option<&str>> = book
        .accounts()
        .iter()
        .map(|a| (a.id.as_str(), a.owner_csm.as_deref()))
        .collect();
    for l in &f.lines {
        assert_eq!(l.csm.as_deref(), owners[l.account_id.as_str()]);
    }
    let unowned = f.lines.iter().filter(|l| l.csm.is_none()).count() as u64;
    let no_group = f.by_csm.iter().find(|s| s.key == NO_GROUP);
    assert_eq!(no_group.map_or(0, |s| s.renewals), unowned);
    // The bands of the lines, lowest first: every scored line's score is at least the
    // scores of the lines in lower bands.
    let rank = |b: &str| f.bands.iter().position(|x| x == b).unwrap();
    let scored: Vec<(usize, f64)> = f
        .lines
        .iter()
        .filter_map(|l| Some((rank(l.band.as_deref()?), l.score?)))
        .collect();
    assert!(f.bands.len() >= 2, "{:?}", f.bands);
    for &(r1, s1) in &scored {
        for &(r2, s2) in &scored {
            assert!(
                r1 >= r2 || s1 <= s2,
                "band order {:?} against scores",
                f.bands
            );
        }
    }
    for l in &f.lines {
        let p = Decimal::try_from(l.p_renew).unwrap();
        assert_eq!(l.expected_renewal, (l.arr * p).round_dp(2));
        assert!(l.arr > Decimal::ZERO);
    }
    let dist = f.distribution.as_ref().unwrap();
    assert!(dist.p10 <= dist.p50 && dist.p50 <= dist.p90);
    // Supplied probabilities win over bands.
    let all_certain = ForecastConfig {
        probability: RenewalProbability::Supplied {
            probabilities: BTreeMap::new(),
            fallback: 1.0,
        },
        ..Default::default()
    };
    let sure = forecast(&book, &health, &all_certain).unwrap();
    assert_eq!(sure.expected_renewal, sure.arr);
    assert_eq!(sure.commit, sure.arr);
    let r = reconcile(&book, &f, &ReconcileConfig::default()).unwrap();
    assert_eq!(r.forecast_arr, f.arr);
}

/// A small book where every kind of disagreement happens once.
fn hand_book() -> Book {
    let acc = |id: &str, renewal: &str| Account {
        id: id.into(),
        name: format!("Account {id}"),
        owner_csm: Some("sam".into()),
        segment: Some("smb".into()),
        tier: None,
        region: None,
        industry: None,
        plan: None,
        arr: usd("1000.00"),
        seats: None,
        start_date: d("2025-01-01"),
        renewal_date: Some(d(renewal)),
        term_months: Some(12),
        attributes: BTreeMap::new(),
    };
    let opp =
        |id: &str, account: &str, amount: &str, close: &str, cat: ForecastCategory| Opportunity {
            id: id.into(),
            account_id: account.into(),
            kind: OpportunityKind::Renewal,
            amount: usd(amount),
            close_date: d(close),
            stage: "Negotiation".into(),
            status: OpportunityStatus::Open,
            probability: 0.8,
            forecast_category: cat,
            created: None,
        };
    let mut r = Records::default();
    // A: clean. B: no opportunity. C: amount off by 10%. D: closes a month early.
    // E: commit on a red account. F: no renewal in the window, but an open opportunity.
    for (id, renewal) in [
        ("A", "2026-10-15"),
        ("B", "2026-11-01"),
        ("C", "2026-11-20"),
        ("D", "2026-12-10"),
        ("E", "2026-12-20"),
        ("F", "2027-03-01"),
    ] {
        r.accounts.push(acc(id, renewal));
        r.arr_snapshots.push(ArrSnapshot {
            account_id: id.into(),
            date: d("2026-09-30"),
            arr: usd("1000.00"),
        });
    }
    r.opportunities = vec![
        opp(
            "O-A",
            "A",
            "1000.00",
            "2026-10-15",
            ForecastCategory::Commit,
        ),
        opp(
            "O-C",
            "C",
            "1100.00",
            "2026-11-20",
            ForecastCategory::BestCase,
        ),
        opp(
            "O-D",
            "D",
            "1000.00",
            "2026-11-28",
            ForecastCategory::Pipeline,
        ),
        opp(
            "O-E",
            "E",
            "1000.00",
            "2026-12-20",
            ForecastCategory::Commit,
        ),
        opp(
            "O-F",
            "F",
            "1000.00",
            "2026-12-30",
            ForecastCategory::Pipeline,
        ),
    ];
    Book::from_records(r, LoadMode::Strict).unwrap().0
}

#[test]
fn reconciliation_finds_every_disagreement() {
    let book = hand_book();
    let health: BTreeMap<String, Health> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .map(|id| {
            let band = if *id == "E" { "red" } else { "green" };
            (
                id.to_string(),
                Health {
                    score: Some(if *id == "E" { 20.0 } else { 80.0 }),
                    band: Some(band.into()),
                },
            )
        })
        .collect();
    let cfg = ForecastConfig {
        as_of: Some(d("2026-09-30")),
        ..Default::default()
    };
    let f = forecast(&book, &health, &cfg).unwrap();
    assert_eq!((f.from, f.to), (d("2026-10-01"), d("2026-12-31")));
    let ids: Vec<&str> = f.lines.iter().map(|l| l.account_id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "D", "E"]);
    assert_eq!(f.arr, "5000.00".parse::<Decimal>().unwrap());
    // Band priors: green 0.95 × 4 accounts, red 0.70 × 1.
    assert_eq!(f.expected_renewal, "4500.00".parse::<Decimal>().unwrap());
    let r = reconcile(&book, &f, &ReconcileConfig::default()).unwrap();
    let got: Vec<(IssueKind, &str)> = r
        .issues
        .iter()
        .map(|i| (i.kind, i.account_id.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (IssueKind::MissingOpportunity, "B"),
            (IssueKind::NoRenewalDue, "F"),
            (IssueKind::AmountMismatch, "C"),
            (IssueKind::CloseDateOutsideRenewalMonth, "D"),
            (IssueKind::CommitOnAtRiskAccount, "E"),
        ]
    );
    // CRM: A 1000 + C 1100 + D 1000 + E 1000 + F 1000 = 5100 against 5000 forecast.
    assert_eq!(r.crm_arr, "5100.00".parse::<Decimal>().unwrap());
    let gap = r.gap.unwrap();
    assert!((gap - (5000.0 - 5100.0) / 5100.0).abs() < 1e-15);
    // A 1.96% gap passes the default 2% tolerance and fails a 1% one.
    assert!(r.passes, "{gap}");
    let strict = reconcile(
        &book,
        &f,
        &ReconcileConfig {
            tolerance: 0.01,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!strict.passes);
    assert_eq!(r.crm_weighted, "4080.00".parse::<Decimal>().unwrap());
}
