//! The generator's shared state: book-wide settings derived once from the configuration
//! ([`Ctx`]), the id counters, and what is generated for one account ([`AccountData`]).

use std::collections::HashSet;

use chrono::{Datelike, Months, NaiveDate};
use rand::SeedableRng;

use crate::record::*;

use super::config::SynthConfig;
use super::helpers::{R, days, pick, stream_seed};
use super::vocabulary::{FIRST_NAMES, LAST_NAMES};

/// Sessions per tracked user per week at `events_per_account_week` = 1 (calibrated so that
/// the average active account-week has about that many events).
const SESSION_RATE_PER_EVENT: f64 = 0.0645;

/// Book-wide settings derived once from the configuration.
pub(super) struct Ctx {
    pub(super) seed: u64,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) usage_from: NaiveDate,
    pub(super) missing: f64,
    pub(super) session_rate: f64,
    pub(super) existing_share: f64,
    /// First month of the trait grid (six months before the window).
    grid_start: NaiveDate,
    pub(super) grid_months: usize,
    pub(super) id_width: usize,
    /// CSM names per segment.
    pub(super) csms: [Vec<String>; 3],
}

impl Ctx {
    pub(super) fn new(cfg: &SynthConfig) -> Ctx {
        let end = cfg.end();
        let start = if end > cfg.start {
            cfg.start
        } else {
            days(end, -90)
        };
        let usage_from = days(end, -(cfg.usage_days as i64)).max(start);
        let grid_start = start
            .with_day(1)
            .and_then(|d| d.checked_sub_months(Months::new(6)))
            .unwrap_or(start);
        let grid_months = month_index(grid_start, end) + 2;
        let n = cfg.accounts as f64;
        let mut rng = R::seed_from_u64(stream_seed(cfg.seed, u64::MAX));
        let mut used = HashSet::new();
        let mut names = |count: usize| -> Vec<String> {
            (0..count)
                .map(|_| {
                    let base = format!(
                        "{}.{}",
                        pick(&mut rng, FIRST_NAMES),
                        pick(&mut rng, LAST_NAMES)
                    )
                    .to_lowercase();
                    let mut name = base.clone();
                    let mut k = 2;
                    while !used.insert(name.clone()) {
                        name = format!("{base}{k}");
                        k += 1;
                    }
                    name
                })
                .collect()
        };
        let csms = [
            names(((n * 0.55 / 250.0).ceil() as usize).max(1)),
            names(((n * 0.33 / 40.0).ceil() as usize).max(1)),
            names(((n * 0.12 / 15.0).ceil() as usize).max(1)),
        ];
        Ctx {
            seed: cfg.seed,
            start,
            end,
            usage_from,
            missing: cfg.missing_rate.clamp(0.0, 0.5),
            session_rate: SESSION_RATE_PER_EVENT * cfg.events_per_account_week.clamp(0.0, 10_000.0),
            existing_share: cfg.existing_share.clamp(0.0, 1.0),
            grid_start,
            grid_months,
            id_width: cfg.accounts.to_string().len().max(5),
            csms,
        }
    }

    pub(super) fn month(&self, d: NaiveDate) -> usize {
        if d < self.grid_start {
            0
        } else {
            month_index(self.grid_start, d).min(self.grid_months - 1)
        }
    }
}

fn month_index(from: NaiveDate, d: NaiveDate) -> usize {
    let m = (d.year() - from.year()) * 12 + d.month0() as i32 - from.month0() as i32;
    m.max(0) as usize
}

/// Global id counters (ids are numbered across the book in generation order).
#[derive(Default)]
pub(super) struct Ids {
    pub(super) contact: u64,
    pub(super) ticket: u64,
    pub(super) survey: u64,
    pub(super) meeting: u64,
    pub(super) milestone: u64,
    pub(super) opportunity: u64,
    pub(super) outcome: u64,
}

pub(super) fn next_id(counter: &mut u64, prefix: &str) -> String {
    *counter += 1;
    format!("{prefix}-{:06}", *counter)
}

/// One usage event, compactly: the account is implied, the user is a per-account number.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ev {
    pub(super) ts: i64,
    pub(super) user: u16,
    pub(super) feature: u8,
}

/// Everything generated for one account.
pub(super) struct AccountData {
    pub(super) account: Account,
    pub(super) contacts: Vec<Contact>,
    pub(super) roles: Vec<ContactRole>,
    pub(super) events: Vec<Ev>,
    pub(super) snapshots: Vec<UsageSnapshot>,
    pub(super) tickets: Vec<Ticket>,
    pub(super) surveys: Vec<SurveyResponse>,
    pub(super) meetings: Vec<Meeting>,
    pub(super) milestones: Vec<Milestone>,
    pub(super) opportunities: Vec<Opportunity>,
    pub(super) arr_snapshots: Vec<ArrSnapshot>,
    pub(super) outcomes: Vec<RenewalOutcome>,
}
