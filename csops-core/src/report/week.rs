//! The CS Ops week as one report: the main job's steps, each as a section.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Report, Section, sections};
use crate::backtest::{BacktestConfig, RecalibrationConfig, observe, recalibrate, report};
use crate::book::{Book, ValidationReport};
use crate::features::FeatureConfig;
use crate::features::features_as_of;
use crate::forecast::{
    ForecastConfig, ProbabilityOptions, ReconcileConfig, RenewalProbability, forecast,
    health_as_of, reconcile,
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
///
/// A step the book cannot support (no renewals to back-test yet, no ARR history, currencies
/// without FX) is a section that says so, and the rest of the week stands: the forecast then
/// uses the default band priors and segmentation today's card. A wrong option, or a book with
/// no dated record and no `as_of`, is an error.
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

    // Each later step stands on what the book holds: one that cannot be made says why in its
    // section (too few renewals to back-test, no ARR history), and the rest of the week stands.
    let bt_cfg = BacktestConfig::default();
    let tested = observe(book, &card, &bt_cfg)
        .and_then(|obs| report(&obs, &card, &bt_cfg).map(|bt| (obs, bt)));
    let observations = match tested {
        Ok((obs, bt)) => {
            out.sections.push(sections::backtest::section(&bt)?);
            Some(obs)
        }
        Err(e) => {
            out.sections.push(unavailable(
                sections::backtest::ID,
                sections::backtest::TITLE,
                e,
            )?);
            None
        }
    };
    let recal = match observations
        .map(|obs| recalibrate(&obs, &card, &RecalibrationConfig::default()))
    {
        Some(Ok(r)) => {
            out.sections.push(sections::recalibration::section(&r)?);
            Some(r)
        }
        Some(Err(e)) => {
            out.sections.push(unavailable(
                sections::recalibration::ID,
                sections::recalibration::TITLE,
                e,
            )?);
            None
        }
        None => {
            out.sections.push(Section::new(
                sections::recalibration::ID,
                sections::recalibration::TITLE,
                "Not available for this book: re-calibration fits on the back-test's renewals, and there is no back-test.",
            ));
            None
        }
    };
    // Today's card, re-calibrated where the book allowed it.
    let current = recal.as_ref().map_or(&card, |r| &r.scorecard);

    let forecast_section = || -> Result<Section> {
        let health = health_as_of(book, current, as_of, &features)?;
        let probability = match &recal {
            // P(renew) from the re-calibrated card's mapping, the core's default fallback.
            Some(r) => ProbabilityOptions {
                calibrated: Some(r.probability.clone()),
                ..Default::default()
            }
            .resolve()?,
            None => RenewalProbability::default_band_priors(),
        };
        let fc_cfg = ForecastConfig {
            probability,
            ..Default::default()
        };
        let f = forecast(book, &health, &fc_cfg)?;
        let r = reconcile(book, &f, &ReconcileConfig::default())?;
        let mut s = sections::forecast::section(&f, Some(&r))?;
        if recal.is_none() {
            s.notes.push(
                "P(renew) is the default band priors (red 0.70, yellow 0.85, green 0.95): assumptions, since this book could not be re-calibrated."
                    .into(),
            );
        }
        Ok(s)
    };
    out.sections.push(or_unavailable(
        sections::forecast::ID,
        sections::forecast::TITLE,
        forecast_section(),
    )?);

    let retention_section = || -> Result<Section> {
        let history = ArrHistory::from_book(book)?;
        sections::retention::section(book, &history, as_of)
    };
    out.sections.push(or_unavailable(
        sections::retention::ID,
        sections::retention::TITLE,
        retention_section(),
    )?);

    let rules = options
        .tier_rules
        .clone()
        .unwrap_or_else(TierRules::default_rules);
    let segment_section = || -> Result<Section> {
        let frame = features_as_of(book, as_of, &features)?;
        let scores = current.score_frame(&frame, None)?;
        let table = account_table(book, as_of, Some(&frame), Some(&scores))?;
        let tiers = rules.assign(&table)?;
        let model = CoverageModel::default();
        let roster = roster_from_owners(&table, &tiers, &rules);
        let cov = coverage(&table, &tiers, &rules, &model, &roster)?;
        let plan = assign(&table, &tiers, &rules, &model, &roster)?;
        sections::segment::section(&rules, &cov, Some(&plan))
    };
    out.sections.push(or_unavailable(
        sections::segment::ID,
        sections::segment::TITLE,
        segment_section(),
    )?);

    let playbook = options.playbook.clone().unwrap_or_else(|| Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    });
    // The replay windows are the caller's options: out of range is their error, checked here
    // so that it is not mistaken for what the book cannot support.
    let longest = options.replay_days.max(options.effect_days);
    if i64::from(longest) > i64::from(crate::playbook::MAX_DAYS) {
        return Err(Error::Config(vec![format!(
            "replay_days and effect_days are at most {} days (ten years); got {longest}",
            crate::playbook::MAX_DAYS
        )]));
    }
    let days_back = |n: u64| as_of.checked_sub_days(Days::new(n));
    let (Some(recent_from), Some(long_from)) = (
        days_back(u64::from(options.replay_days.max(1)) - 1),
        days_back(u64::from(options.effect_days)),
    ) else {
        return Err(Error::Config(vec![format!(
            "{as_of} is too early to replay {} days back",
            options.replay_days.max(options.effect_days)
        )]));
    };
    let playbook_section = || -> Result<Section> {
        let ctx = RunContext {
            scorecard: Some(current),
            features: features.clone(),
            accounts: None,
            progress: Default::default(),
        };
        let since = |from: NaiveDate| FireHistory {
            last_run: from.checked_sub_days(Days::new(1)),
            ..Default::default()
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
        sections::playbook::section(&recent, &effects)
    };
    out.sections.push(or_unavailable(
        sections::playbook::ID,
        sections::playbook::TITLE,
        playbook_section(),
    )?);
    Ok(out)
}

/// A section the book cannot support: its answer says why. Only what the data decides (a
/// [`Error::Config`]: too few renewals, no history; a [`Error::Money`]: currencies without
/// FX) becomes such a section; anything else (a cancelled call, a wrong option) is the
/// caller's and stops the report.
fn unavailable(id: &str, title: &str, e: Error) -> Result<Section> {
    match e {
        Error::Config(reasons) => Ok(Section::new(
            id,
            title,
            format!("Not available for this book: {}.", reasons.join("; ")),
        )),
        Error::Money(m) => Ok(Section::new(
            id,
            title,
            format!("Not available for this book: {m}."),
        )),
        other => Err(other),
    }
}

/// The section, or the words saying why the book cannot support it.
fn or_unavailable(id: &str, title: &str, made: Result<Section>) -> Result<Section> {
    made.or_else(|e| unavailable(id, title, e))
}
