//! The churn model: its constants, the three hidden traits that drift month to month
//! ([`Traits`]), the account's state on a day derived from them ([`View`]), and the churn logit
//! (see the module docs of [`crate::synth`]).

use chrono::NaiveDate;

use crate::record::*;

use super::context::Ctx;
use super::helpers::{R, days, normal, sigmoid};
use super::people::Spell;

/// Every feature name used in events; the first eight are [`KEY_FEATURES`].
pub(super) const FEATURES: [&str; 11] = [
    "reports",
    "dashboards",
    "integrations",
    "automation",
    "api",
    "alerts",
    "exports",
    "sharing",
    "login",
    "settings",
    "search",
];
pub(super) const F_API: u8 = 4;
pub(super) const F_LOGIN: u8 = 8;
pub(super) const F_SETTINGS: u8 = 9;
pub(super) const F_SEARCH: u8 = 10;
/// How early each key feature tends to be adopted (reports and dashboards first, the API last).
pub(super) const ADOPTION_WEIGHT: [f64; 8] = [5.0, 4.5, 2.0, 1.5, 1.0, 2.5, 3.5, 3.0];

const CHURN_INTERCEPT: f64 = -2.85;
const CHURN_BREADTH: f64 = -5.0;
const BREADTH_CENTER: f64 = 0.6;
const CHURN_LOGINS: f64 = -0.2;
const CHURN_SENTIMENT: f64 = -0.7;
const CHURN_SPONSOR_LOST: f64 = 1.5;
pub(super) const CHURN_NOISE_SD: f64 = 0.5;
pub(super) const SPONSOR_LOST_DAYS: i64 = 180;
/// Segment offsets of the churn logit: smb, mid_market, enterprise.
const SEGMENT_OFFSET: [f64; 3] = [0.35, 0.0, -0.45];

/// Trait dynamics: the stable part's and the drift's standard deviations, and the drift's
/// month-to-month autocorrelation.
const TRAIT_STABLE_SD: f64 = 0.75;
const TRAIT_DRIFT_SD: f64 = 0.66;
const TRAIT_DRIFT_RHO: f64 = 0.9;

/// Salt of the usage-event random streams.
pub(super) const EVENT_STREAM: u64 = 0x05EE_D0FE_7E75_u64;

pub(super) const SEGMENTS: [&str; 3] = ["smb", "mid_market", "enterprise"];
pub(super) const REGIONS: [&str; 4] = ["NA", "EMEA", "APAC", "LATAM"];
/// Start of the business day in UTC hours, per region.
pub(super) const REGION_UTC_HOUR: [i64; 4] = [14, 7, 0, 12];

/// The three hidden traits, month by month on the book's grid.
pub(super) struct Traits {
    engagement: Vec<f64>,
    logins: Vec<f64>,
    sentiment: Vec<f64>,
}

impl Traits {
    pub(super) fn new(r: &mut R, n: usize) -> Traits {
        let corr = |r: &mut R| {
            let (z1, z2, z3) = (normal(r), normal(r), normal(r));
            (
                z1,
                0.15 * z1 + (1.0f64 - 0.0225).sqrt() * z2,
                0.35 * z1 + (1.0f64 - 0.1225).sqrt() * z3,
            )
        };
        let stable = corr(r);
        let d0 = corr(r);
        let mut dev = [
            d0.0 * TRAIT_DRIFT_SD,
            d0.1 * TRAIT_DRIFT_SD,
            d0.2 * TRAIT_DRIFT_SD,
        ];
        let step = TRAIT_DRIFT_SD * (1.0 - TRAIT_DRIFT_RHO * TRAIT_DRIFT_RHO).sqrt();
        let mut t = Traits {
            engagement: Vec::with_capacity(n),
            logins: Vec::with_capacity(n),
            sentiment: Vec::with_capacity(n),
        };
        for _ in 0..n {
            t.engagement.push(stable.0 * TRAIT_STABLE_SD + dev[0]);
            t.logins.push(stable.1 * TRAIT_STABLE_SD + dev[1]);
            t.sentiment.push(stable.2 * TRAIT_STABLE_SD + dev[2]);
            let e = corr(r);
            dev = [
                dev[0] * TRAIT_DRIFT_RHO + e.0 * step,
                dev[1] * TRAIT_DRIFT_RHO + e.1 * step,
                dev[2] * TRAIT_DRIFT_RHO + e.2 * step,
            ];
        }
        t
    }
}

/// The account's state on a day, derived from its traits.
pub(super) struct View<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) traits: &'a Traits,
    pub(super) start_date: NaiveDate,
    pub(super) pool_max: f64,
}

impl View<'_> {
    fn m(&self, d: NaiveDate) -> usize {
        self.ctx.month(d)
    }
    /// Onboarding ramp: new accounts adopt features over their first four months.
    fn ramp(&self, d: NaiveDate) -> f64 {
        let age = (d - self.start_date).num_days().max(0) as f64;
        (0.45 + 0.55 * age / 120.0).min(1.0)
    }
    /// Number of key features in use.
    pub(super) fn adopted(&self, d: NaiveDate) -> usize {
        let e = self.traits.engagement[self.m(d)];
        ((8.0 * sigmoid(0.5 + 1.5 * e) * self.ramp(d)).round() as usize).clamp(1, 8)
    }
    /// Share of licensed users who are active.
    pub(super) fn adoption(&self, d: NaiveDate) -> f64 {
        0.45 + 0.55 * sigmoid(0.4 + 1.2 * self.traits.engagement[self.m(d)])
    }
    /// Tracked product users active on the day.
    pub(super) fn pool(&self, d: NaiveDate) -> usize {
        ((self.pool_max * self.adoption(d)).round() as usize).max(1)
    }
    pub(super) fn logins(&self, d: NaiveDate) -> f64 {
        self.traits.logins[self.m(d)]
    }
    pub(super) fn sentiment(&self, d: NaiveDate) -> f64 {
        self.traits.sentiment[self.m(d)]
    }
    pub(super) fn engagement(&self, d: NaiveDate) -> f64 {
        self.traits.engagement[self.m(d)]
    }
    /// Mean true breadth, login habit and sentiment over the 120 days before `d`.
    pub(super) fn recent(&self, d: NaiveDate) -> (f64, f64, f64) {
        let (mut b, mut l, mut s) = (0.0, 0.0, 0.0);
        for k in 0..4 {
            let x = days(d, -15 - 30 * k);
            b += self.adopted(x) as f64 / 8.0;
            l += self.logins(x);
            s += self.sentiment(x);
        }
        (b / 4.0, l / 4.0, s / 4.0)
    }
}

/// The churn logit (see the module docs).
pub(super) fn churn_logit(
    seg: usize,
    breadth: f64,
    logins: f64,
    sentiment: f64,
    sponsor_lost: bool,
) -> f64 {
    CHURN_INTERCEPT
        + SEGMENT_OFFSET[seg]
        + CHURN_BREADTH * (breadth - BREADTH_CENTER)
        + CHURN_LOGINS * logins
        + CHURN_SENTIMENT * sentiment
        + if sponsor_lost {
            CHURN_SPONSOR_LOST
        } else {
            0.0
        }
}

pub(super) fn sponsor_lost(spells: &[Spell], d: NaiveDate) -> bool {
    let from = days(d, -SPONSOR_LOST_DAYS);
    spells
        .iter()
        .any(|s| s.role == Role::ExecutiveSponsor && s.removed.is_some_and(|x| x >= from && x < d))
}
