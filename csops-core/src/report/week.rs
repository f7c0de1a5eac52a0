//! The CS Ops week as one report: the main job's steps, each as a section.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Report, sections};
use crate::backtest::{BacktestConfig, RecalibrationConfig, observe, recalibrate, report};
use crate::book::{Book, ValidationReport};
use crate::features::FeatureConfig;
use crate::features::features_as_of;
use crate::forecast::{
    ForecastConfig, ProbabilityOptions, ReconcileConfig, forecast, health_as_of, reconcile,
};
use crate::health::Scorecard;
use crate::playbook::{
    DEFAULT_HORIZON_DAYS, FireHistory, Playbook, RunContext, play_effects, replay,
    sponsor_left_play,
};
use crate::retention::ArrHistory;
use crate::segment::{
    CoverageModel, TierRules, account_table, assign, coverage, roster_from_owners,
};
use crate::{Error, Result};

/// What the week's report covers. Every field has a default: `WeekOptions::default()` is the
/// main job's week (`{}` in JSON, no keyword in Python or Node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeekOptions {
    /// The report's day (default: the book's latest date).
    pub as_of: Option<NaiveDate>,
    /// The title (default: `CS Ops week to <as_of>`).
    pub title: Option<String>,
    /// The scorecard of today's health and the back-test (default: the default heuristic).
    pub scorecard: Option<Scorecard>,
    /// The tier rules (default: the default rules).
    pub tier_rules: Option<TierRules>,
    /// The plays replayed log-only (default: the sponsor-left play).
    pub playbook: Option<Playbook>,
    /// How many days the replay's would-have-fired list covers, the report's day included
    /// (default 28: four weeks).
    pub replay_days: u32,
    /// The plays' effects are measured on their firings from this many days before the
    /// report's day to it (default 540, eighteen months, so that their renewals have come
    /// due; the main job's window).
    pub effect_days: u32,
}

impl Default for WeekOptions {
    fn default() -> Self {
        WeekOptions {
            as_of: None,
            title: None,
            scorecard: None,
            tier_rules: None,
            playbook: None,
            replay_days: 28,
            effect_days: 540,
        }
    }
}

/// The CS Ops week of `book` as a report: data quality (the load's `validation` report when
/// given, and each feed's freshness), health, the back-test of the scorecard, its re-calibration with held-out proof,
/// next quarter's renewal forecast (probabilities from the re-calibration) reconciled with
/// the CRM, retention, segmentation and coverage (scored by the re-calibrated card), and the
/// plays replayed log-only with their effects.
pub fn week(
    book: &Book,
    validation: Option<&ValidationReport>,
    options: &WeekOptions,
) -> Result<Report> {
    crate::fault::checkpoint("report::week");
    let as_of = match options.as_of.or_else(|| book.latest_date()) {
        Some(d) => d,
        None => {
            return Err(Error::Config(vec![
                "the book has no dated records: give as_of".into(),
            ]));
        }
    };
    let card = options
        .scorecard
        .clone()
        .unwrap_or_else(Scorecard::default_heuristic);
    let features = FeatureConfig::default();
    let counts = book.counts();
    let mut out = Report::new(
        options
            .title
            .clone()
            .unwrap_or_else(|| format!("CS Ops week to {as_of}")),
        format!(
            "{} accounts, {} renewal outcomes, {} opportunities; figures as of {as_of}.",
            counts.accounts, counts.renewal_outcomes, counts.opportunities
        ),
    );
    out.sections
        .push(sections::quality::section(validation, book, as_of)?);
    out.sections
        .push(sections::health::section(book, &card, as_of, &features)?);

    let bt_cfg = BacktestConfig::default();
    let observations = observe(book, &card, &bt_cfg)?;
    let bt = report(&observations, &card, &bt_cfg)?;
    out.sections.push(sections::backtest::section(&bt)?);
    let recal = recalibrate(&observations, &card, &RecalibrationConfig::default())?;
    out.sections.push(sections::recalibration::section(&recal)?);

    let health = health_as_of(book, &recal.scorecard, as_of, &features)?;
    let fc_cfg = ForecastConfig {
        // P(renew) from the re-calibrated card's mapping, the core's default fallback.
        probability: ProbabilityOptions {
            calibrated: Some(recal.probability.clone()),
            ..Default::default()
        }
        .resolve()?,
        ..Default::default()
    };
    let f = forecast(book, &health, &fc_cfg)?;
    let r = reconcile(book, &f, &ReconcileConfig::default())?;
    out.sections
        .push(sections::forecast::section(&f, Some(&r))?);

    let history = ArrHistory::from_book(book)?;
    out.sections
        .push(sections::retention::section(book, &history, as_of)?);

    let frame = features_as_of(book, as_of, &features)?;
    let scores = recal.scorecard.score_frame(&frame, None)?;
    let table = account_table(book, as_of, Some(&frame), Some(&scores))?;
    let rules = options
        .tier_rules
        .clone()
        .unwrap_or_else(TierRules::default_rules);
    let tiers = rules.assign(&table)?;
    let model = CoverageModel::default();
    let roster = roster_from_owners(&table, &tiers, &rules);
    let cov = coverage(&table, &tiers, &rules, &model, &roster)?;
    let plan = assign(&table, &tiers, &rules, &model, &roster)?;
    out.sections
        .push(sections::segment::section(&rules, &cov, Some(&plan))?);

    let playbook = options.playbook.clone().unwrap_or_else(|| Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    });
    let ctx = RunContext {
        scorecard: Some(&recal.scorecard),
        features: features.clone(),
        accounts: None,
        progress: Default::default(),
    };
    let days_back = |n: u64| as_of.checked_sub_days(Days::new(n));
    let since = |from: NaiveDate| FireHistory {
        last_run: from.checked_sub_days(Days::new(1)),
        ..Default::default()
    };
    let (Some(recent_from), Some(long_from)) = (
        days_back(u64::from(options.replay_days.max(1)) - 1),
        days_back(u64::from(options.effect_days)),
    ) else {
        return Err(Error::Config(vec![format!(
            "{as_of} is too early to replay {} days back",
            options.replay_days.max(options.effect_days)
        )]));
    };
    let recent = replay(
        book,
        &playbook,
        recent_from,
        as_of,
        &since(recent_from),
        &ctx,
    )?;
    let long = replay(book, &playbook, long_from, as_of, &since(long_from), &ctx)?;
    let effects = play_effects(book, &playbook, &long.fired, DEFAULT_HORIZON_DAYS, &ctx)?;
    out.sections
        .push(sections::playbook::section(&recent, &effects)?);
    Ok(out)
}
