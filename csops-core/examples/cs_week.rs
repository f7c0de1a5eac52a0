//! The main job: a CS Ops week on the shipped sample book.
//!
//! ```text
//! cargo run --release --example cs_week [-- <book-dir>]
//! ```
//!
//! Today it runs the first steps of the acceptance story (docs: `../shared/DESIGN.md`):
//! load and validate the book, reporting what was rejected and why; derive every account's
//! point-in-time features as of the book's latest date; score every account with the default
//! (heuristic, login-heavy) scorecard. Later capabilities extend it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use csops_core::backtest::{BacktestConfig, RecalibrationConfig, observe, recalibrate, report};
use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, features_as_of};
use csops_core::forecast::{
    ForecastConfig, ReconcileConfig, RenewalProbability, forecast, health_as_of, reconcile,
};
use csops_core::health::Scorecard;
use csops_core::interchange::{LoadOptions, Loaded, SourceMap, load_csv_dir};
use csops_core::playbook::{
    DEFAULT_EFFECT_HORIZON_DAYS, FireHistory, Playbook, RunContext, play_effects, render_fired,
    replay, sponsor_left_play,
};
use csops_core::report::WeekOptions;
use csops_core::retention::{
    ArrHistory, Cut, Period, arr_bridge, retention_by, retention_series, trailing_twelve_months,
};
use csops_core::segment::{
    CoverageModel, TierRules, account_table, assign, coverage, roster_from_owners, what_if,
};

fn main() -> ExitCode {
    // `cs_week [BOOK_DIR] [--html REPORT.html]`: the week in the terminal, and as a report
    // a CS Ops lead reads in a browser when `--html` names a file.
    let mut dir = None;
    let mut html = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--html" {
            match args.next() {
                Some(p) => html = Some(PathBuf::from(p)),
                None => {
                    eprintln!("error: --html needs a file name");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            dir = Some(PathBuf::from(a));
        }
    }
    let dir = dir
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sample-book"));
    match run(&dir, html.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &std::path::Path, html: Option<&std::path::Path>) -> csops_core::Result<()> {
    println!(
        "csops {} — a CS Ops week on {}\n",
        csops_core::VERSION,
        dir.display()
    );

    println!("== 1. Load and validate the book ==");
    let t = Instant::now();
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let loaded = load_csv_dir(dir, &opts)?;
    let book = &loaded.book;
    print!("{}", loaded.report.render());
    let c = book.counts();
    println!(
        "loaded {} accounts, {} contacts, {} usage events, {} tickets, {} surveys, {} opportunities, {} renewal outcomes in {:.0?}\n",
        c.accounts,
        c.contacts,
        c.usage_events,
        c.tickets,
        c.surveys,
        c.opportunities,
        c.renewal_outcomes,
        t.elapsed()
    );

    exports_step(dir, &loaded)?;

    println!("== 2. Point-in-time features ==");
    let Some(as_of) = book.latest_date() else {
        println!("the book has no dated records; nothing to derive");
        return Ok(());
    };
    let t = Instant::now();
    let cfg = FeatureConfig {
        snapshot_metrics: vec!["active_users".into()],
        ..Default::default()
    };
    let frame = features_as_of(book, as_of, &cfg)?;
    print!("{}", frame.render_summary());
    let mut why: std::collections::BTreeMap<(String, &str), usize> = Default::default();
    for n in &frame.missing_notes {
        let kind = n.why.kind();
        *why.entry((n.feature.clone(), kind)).or_default() += 1;
    }
    for ((feature, kind), n) in why {
        println!("  {feature}: {n} account(s) missing because {kind}");
    }
    println!("derived in {:.0?}\n", t.elapsed());

    println!("== 3. Score every account (the default scorecard, a login-heavy heuristic) ==");
    let card = Scorecard::default_heuristic();
    let t = Instant::now();
    let scores = card.score_frame(&frame, None)?;
    println!(
        "scored {} accounts in {:.0?}",
        scores.scores.len(),
        t.elapsed()
    );
    for (band, n) in scores.band_counts() {
        println!("  {band:<18} {n:>5}");
    }
    let mut order: Vec<usize> = (0..scores.scores.len())
        .filter(|&i| !scores.scores[i].is_nan())
        .collect();
    order.sort_by(|&a, &b| scores.scores[a].total_cmp(&scores.scores[b]));
    println!("\nthe ten riskiest accounts and what pulls them down:");
    for &i in order.iter().take(10) {
        let explained = card.explain(&frame, None, i)?;
        let account = book.account(&frame.account_ids[i]);
        let drivers: Vec<String> = explained
            .top_negative_drivers(csops_core::health::DEFAULT_DRIVERS)
            .iter()
            .map(|d| format!("{} -{:.0}", d.name, d.points_lost))
            .collect();
        println!(
            "  {:<8} {:<28} {:>5.1} {:<7} {}",
            frame.account_ids[i],
            account
                .map_or("", |a| a.name.as_str())
                .chars()
                .take(28)
                .collect::<String>(),
            scores.scores[i],
            scores.band(i).unwrap_or("-"),
            drivers.join(", ")
        );
    }

    println!("\n== 4. Back-test: did the score predict last year's churn? ==");
    let t = Instant::now();
    let bt_cfg = BacktestConfig::default();
    let observations = observe(book, &card, &bt_cfg)?;
    let bt = report(&observations, &card, &bt_cfg)?;
    print!("{}", bt.render());
    println!("back-tested in {:.0?}", t.elapsed());
    let share = |name: &str| bt.measures.iter().find(|m| m.measure == name);
    if let (Some(l), Some(b)) = (share("logins"), share("breadth")) {
        println!(
            "\nlogins carry {:.0}% of the weight but {:.0}% of the predictive power (AUC {}); \
             breadth carries {:.0}% of the weight and {:.0}% of the power (AUC {})",
            100.0 * l.weight_share,
            100.0 * l.power_share,
            l.auc.map_or("-".into(), |a| format!("{a:.2}")),
            100.0 * b.weight_share,
            100.0 * b.power_share,
            b.auc.map_or("-".into(), |a| format!("{a:.2}")),
        );
    }

    println!("\n== 5. Re-tune: fit weights on older quarters, prove them on the latest ==");
    let recal = recalibrate(&observations, &card, &RecalibrationConfig::default())?;
    print!("{}", recal.render());
    if let (Some(a), Some(b)) = (&recal.before.auc, &recal.after.auc) {
        println!(
            "held-out AUC {:.3} -> {:.3}; Brier {} -> {}",
            a.auc,
            b.auc,
            recal.before.brier.map_or("-".into(), |x| format!("{x:.4}")),
            recal.after.brier.map_or("-".into(), |x| format!("{x:.4}")),
        );
    }

    println!("\n== 6. Next quarter's renewal forecast, reconciled with the CRM ==");
    // P(renew) from the re-tuned scorecard's calibrated mapping, on today's scores.
    let health = health_as_of(book, &recal.scorecard, as_of, &FeatureConfig::default())?;
    let fc = ForecastConfig {
        probability: RenewalProbability::Calibrated {
            map: recal.probability.clone(),
            fallback: 0.85,
        },
        ..Default::default()
    };
    let f = forecast(book, &health, &fc)?;
    let cur = f.currency.code();
    println!(
        "{} to {}: {} renewals, {} {cur} up for renewal, expected to renew {} {cur}; \
         expected expansion {} {cur} on renewing accounts, {} {cur} on the rest",
        f.from,
        f.to,
        f.lines.len(),
        f.arr,
        f.expected_renewal,
        f.expected_expansion,
        f.other_expansion
    );
    if let Some(d) = &f.distribution {
        println!(
            "renewed ARR ({}): P10 {:.0}  P50 {:.0}  P90 {:.0} {cur}",
            d.method, d.p10, d.p50, d.p90
        );
    }
    println!(
        "categories: commit {} · best case {} · pipeline {} {cur}",
        f.commit, f.best_case, f.pipeline
    );
    if let Some(rates) = &rates_line(&f.rates_used) {
        println!("amounts converted at {rates}");
    }
    for m in &f.by_month {
        println!(
            "  {}  {:>3} renewals  ARR {:>14}  expected {:>14}",
            m.key, m.renewals, m.arr, m.expected_renewal
        );
    }
    let r = reconcile(book, &f, &ReconcileConfig::default())?;
    println!(
        "CRM renewal opportunities {} {cur} vs forecast {} {cur}: gap {} -> {}",
        r.crm_arr,
        r.forecast_arr,
        r.gap.map_or("-".into(), |g| format!("{:+.2}%", 100.0 * g)),
        if r.passes {
            "reconciles within 2%"
        } else {
            "does NOT reconcile within 2%"
        }
    );
    if let Some(rates) = &rates_line(&r.rates_used) {
        println!("both sides converted at {rates}");
    }
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    for i in &r.issues {
        *kinds.entry(format!("{:?}", i.kind)).or_default() += 1;
    }
    for (k, n) in &kinds {
        println!("  {n:>3} × {k}");
    }
    for i in r.issues.iter().take(6) {
        println!("  {:<9} {:?}: {}", i.account_id, i.kind, i.detail);
    }

    println!("\n== 7. Retention: trailing twelve months, by segment and by quarter ==");
    let history = ArrHistory::from_book(book)?;
    println!(
        "ARR in {} (converted at {})",
        history.currency(),
        history.rates_used()
    );
    let rate = |x: Option<f64>| x.map_or("-".into(), |x| format!("{:.1}%", 100.0 * x));
    let ttm = trailing_twelve_months(&history, as_of)?;
    println!(
        "TTM to {as_of}: GRR {}  NRR {}  logo retention {} ({} of {} logos)",
        rate(ttm.grr),
        rate(ttm.nrr),
        rate(ttm.logo_retention),
        ttm.logos_retained,
        ttm.logos
    );
    for s in retention_by(
        book,
        &history,
        ttm.from,
        ttm.to,
        &Cut::Field("segment".into()),
    )? {
        println!(
            "  {:<12} GRR {:>7}  NRR {:>7}  logos {:>4}  start ARR {:>14} {}",
            s.label,
            rate(s.grr),
            rate(s.nrr),
            s.logos,
            s.start_arr.round_dp(2),
            s.currency.code()
        );
    }
    let bridge = arr_bridge(&history, ttm.from, ttm.to)?;
    println!(
        "ARR bridge: start {} + new {} + expansion {} - contraction {} - churn {} + reactivation {} = end {}",
        bridge.start.round_dp(2),
        bridge.new.round_dp(2),
        bridge.expansion.round_dp(2),
        bridge.contraction.round_dp(2),
        bridge.churn.round_dp(2),
        bridge.reactivation.round_dp(2),
        bridge.end.round_dp(2)
    );
    let series = retention_series(&history, ttm.from, as_of, Period::Quarter)?;
    for q in &series {
        println!(
            "  {}  GRR {:>7}  NRR {:>7}",
            q.label,
            rate(q.grr),
            rate(q.nrr)
        );
    }

    println!("\n== 8. Segmentation, coverage and CSM load ==");
    let scores_now = recal.scorecard.score_frame(&frame, None)?;
    let table = account_table(book, as_of, Some(&frame), Some(&scores_now))?;
    let rules = TierRules::default_rules();
    let tiers = rules.assign(&table)?;
    let model = CoverageModel::default();
    let roster = roster_from_owners(&table, &tiers, &rules);
    let cov = coverage(&table, &tiers, &rules, &model, &roster)?;
    let conditions = rules
        .rules
        .iter()
        .map(|r| r.when.to_string())
        .chain(["otherwise".to_string()]);
    for (rule, t) in conditions.zip(&cov.tiers) {
        println!(
            "  {:<11} {:>4} accounts  ARR {:>12.0}  CSMs {:>4.1} on the roster, {:>4.0} needed at {:<24}  ({rule})",
            t.tier,
            t.accounts,
            t.arr,
            t.csms,
            t.needed,
            format!("{:?}", t.capacity)
        );
    }
    println!(
        "  {} accounts without an owner in a named tier",
        cov.unowned
    );
    for c in &cov.csms {
        println!(
            "  {:<16} {:<11} {:>3} accounts  ARR {:>12.0}  {:>2} red  {:>2} off-tier  load {:>4.0}%  {}",
            c.csm,
            c.tier,
            c.accounts,
            c.arr,
            c.red_accounts,
            c.off_tier,
            100.0 * c.utilisation,
            c.status
        );
    }
    let plan = assign(&table, &tiers, &rules, &model, &roster)?;
    let placed: Vec<_> = plan.moves.iter().filter(|m| m.to.is_some()).collect();
    println!(
        "assignment: {} accounts placed with a CSM, {} released to the pool, {} not placed",
        placed.len(),
        plan.moves
            .iter()
            .filter(|m| m.to.is_none() && m.reason.contains("pooled"))
            .count(),
        plan.unplaced
    );
    for m in placed.iter().take(8) {
        println!(
            "  {:<9} {:<11} {} -> {}: {}",
            m.account_id,
            m.tier,
            m.from.as_deref().unwrap_or("-"),
            m.to.as_deref().unwrap_or("-"),
            m.reason
        );
    }
    let mut lower = rules.clone();
    lower.rules[0].when = "arr >= 75000".parse()?;
    let w = what_if(&table, &rules, &lower, &model)?;
    println!(
        "what if high-touch started at 75,000 instead of 100,000: {} accounts change tier",
        w.changes.len()
    );
    for t in &w.tiers {
        if t.accounts_before != t.accounts_after {
            println!(
                "  {:<11} {} -> {} accounts, CSMs needed {} -> {}",
                t.tier, t.accounts_before, t.accounts_after, t.needed_before, t.needed_after
            );
        }
    }

    println!("\n== 9. The sponsor-left play, log-only, over the last four weeks ==");
    let playbook = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    let ctx = RunContext {
        scorecard: Some(&recal.scorecard),
        features: FeatureConfig::default(),
        accounts: None,
        progress: Default::default(),
    };
    let four_weeks_ago = as_of - chrono::Days::new(27);
    let start = FireHistory {
        last_run: Some(four_weeks_ago - chrono::Days::new(1)),
        ..Default::default()
    };
    let r = replay(book, &playbook, four_weeks_ago, as_of, &start, &ctx)?;
    println!(
        "{} to {}: {} would-have-fired, per CSM {:?}",
        r.from,
        r.to,
        r.fired.len(),
        r.per_csm
    );
    print!("{}", render_fired(&r.fired));
    // The same play over the last eighteen months, and what happened to those accounts.
    let long_from = as_of - chrono::Days::new(540);
    let long = replay(
        book,
        &playbook,
        long_from,
        as_of,
        &FireHistory {
            last_run: Some(long_from - chrono::Days::new(1)),
            ..Default::default()
        },
        &ctx,
    )?;
    for e in play_effects(
        book,
        &playbook,
        &long.fired,
        DEFAULT_EFFECT_HORIZON_DAYS,
        &ctx,
    )? {
        println!(
            "over 18 months it would have fired {} times; {}",
            long.fired.len(),
            e.verdict
        );
    }

    if let Some(path) = html {
        println!("\n== 10. The week as a report for the CS Ops lead ==");
        let t = Instant::now();
        let week = csops_core::report::week(book, Some(&loaded.report), &WeekOptions::default())?;
        week.write_html(path)?;
        println!(
            "{} sections written to {} in {:.0?}",
            week.sections.len(),
            path.display(),
            t.elapsed()
        );
    }
    Ok(())
}

/// Step 1b: the same book as the team's own tools export it (`exports-sample` beside the
/// book, with its source map): load it, say what the source map did, and compare.
fn exports_step(dir: &std::path::Path, plain: &Loaded) -> csops_core::Result<()> {
    let exports = dir.with_file_name("exports-sample");
    let map_path = exports.join("source-map.toml");
    if !map_path.exists() {
        return Ok(());
    }
    println!("== 1b. The same book from the team's own exports, through a source map ==");
    let t = Instant::now();
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        source_map: Some(SourceMap::from_path(&map_path)?),
        ..Default::default()
    };
    let loaded = load_csv_dir(&exports, &opts)?;
    println!(
        "{} ({} files) loaded in {:.0?}:",
        exports.display(),
        loaded.report.files.len(),
        t.elapsed()
    );
    for (file, c) in &loaded.report.files {
        println!(
            "  {file:<32} {:>7} read {:>7} loaded {:>4} rejected",
            c.read, c.loaded, c.rejected
        );
    }
    let mut per_row: std::collections::BTreeMap<&str, usize> = Default::default();
    for n in &loaded.report.notes {
        match n.row {
            None => println!("  - {n}"),
            Some(_) => *per_row.entry(n.file.as_str()).or_default() += 1,
        }
    }
    for (file, n) in per_row {
        let first = loaded
            .report
            .notes
            .iter()
            .find(|x| x.file == file && x.row.is_some())
            .map(ToString::to_string)
            .unwrap_or_default();
        println!("  - {file}: {n} row note(s), e.g. {first}");
    }
    let (a, b) = (plain.book.to_records(), loaded.book.to_records());
    let blanks = b
        .usage_snapshots
        .iter()
        .filter(|s| s.value.is_none())
        .count();
    println!(
        "same as the plain layout: accounts {}, contacts {}, usage events {}, tickets {}, opportunities {}; \
         {} problem(s) as there ({}); {} blank metric cell(s) loaded as missing values of their month\n",
        yes(a.accounts == b.accounts),
        yes(a.contacts == b.contacts),
        yes(a.usage_events == b.usage_events),
        yes(a.tickets == b.tickets),
        yes(a.opportunities == b.opportunities),
        loaded.report.problems.len(),
        plain.report.problems.len(),
        blanks
    );
    Ok(())
}

fn yes(same: bool) -> &'static str {
    if same { "equal" } else { "DIFFERENT" }
}

/// The FX rates behind a figure, when any amount was converted.
fn rates_line(rates: &Option<csops_core::money::RatesUsed>) -> Option<String> {
    rates.as_ref().filter(|r| !r.is_empty()).map(|r| r.render())
}
