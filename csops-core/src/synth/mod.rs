//! A deterministic synthetic book of business, with a known churn model.
//!
//! Health scores, back-tests and forecasts need data whose truth is known: if the generator
//! says feature breadth drives churn and login frequency barely matters, a back-test run on its
//! output should find exactly that. [`generate`] builds such a book in memory as
//! [`Records`]; [`generate_to_csv_dir`] writes the same book straight to a directory of CSV
//! files (the [`crate::interchange`] layout), streaming account by account so a million accounts
//! and tens of millions of usage events never sit in memory at once. The same
//! [`SynthConfig`] (and in particular the same `seed`) always gives the same book, byte for byte:
//! every account draws from its own [`ChaCha8Rng`] streams (portable across platforms), seeded
//! from the book seed and the account's number, so an account's records also do not depend on
//! how many accounts the book has. The model itself uses only plain `f64` arithmetic with
//! `exp`, `ln` and `sqrt`.
//!
//! # What the book looks like
//!
//! The book covers a window of `quarters` quarters from `start` to [`SynthConfig::end`]; the
//! export is taken on the end date, so every activity record is dated before it (plans such as
//! open opportunities' close dates and upcoming renewal dates may lie after it).
//!
//! - **Accounts** `A-00001`, … in three segments (`smb` 55%, `mid_market` 33%, `enterprise`
//!   12%), four regions (`NA`, `EMEA`, `APAC`, `LATAM`), mostly USD with EUR and GBP contracts in
//!   EMEA. ARR is seats × list price × (1 − discount), an exact amount in cents. About 60% of
//!   accounts were already customers when the window opens; the rest start on staggered dates
//!   within it. Contracts are annual (`term_months` 12) and renew on the anniversary of
//!   `start_date`. Enterprise and mid-market accounts are owned by segment CSMs; small
//!   accounts by a pooled CSM, and a quarter of them by nobody. Two custom attributes:
//!   `attr.source` (how the account was won) and `attr.employees` (company size band).
//! - **Contacts** (3–8 per account) with a role history: an executive sponsor (every
//!   enterprise and mid-market account, 60% of small ones), a champion, an admin and others.
//!   Sponsors and champions leave (a quarter and a fifth of them a year); a leaver's roles get a
//!   `removed` date, and many are replaced weeks or months later by a colleague or a new hire.
//! - **Usage events**: sessions of a user logging in (`login`) and using features. Eight
//!   **key features** ([`KEY_FEATURES`]: `reports`, `dashboards`, `integrations`,
//!   `automation`, `api`, `alerts`, `exports`, `sharing`) plus `settings` and `search`. Events
//!   cover the last `usage_days` days and are a *sample* of telemetry whose density is set by
//!   `events_per_account_week`; the warehouse-style monthly `usage_snapshots` (`active_users`,
//!   `api_calls`) carry the full counts.
//! - **Tickets** (priority, status, escalation, CSAT on some), **surveys** (quarterly NPS waves
//!   to most accounts' contacts, CSAT after some meetings), **meetings** (onboarding, QBRs,
//!   EBRs before renewals, check-ins; with the roles that attended), **milestones** (onboarding
//!   and success-plan outcomes, due and achieved), **opportunities** (a renewal opportunity for
//!   every past renewal and for most renewals in the next two quarters, expansion and
//!   new-business deals), month-end **ARR snapshots** and **renewal outcomes**, and an **FX
//!   table** (reporting in USD).
//! - About `missing_rate` of optional values are missing: seats, industry, region, contact
//!   e-mails and titles, ticket CSAT, survey answers (NPS gaps), usage-snapshot months,
//!   opportunity creation dates, and a few upcoming renewal opportunities that nobody created.
//!
//! Churned accounts stay in the book with their history: their `arr` is 0, their
//! `renewal_date` is the renewal at which they left (there is no next one), and their month-end
//! ARR snapshots read 0 from then on.
//!
//! # The churn model
//!
//! Every account has three hidden traits that wander from month to month (a stable part plus
//! a drift that changes over a year or so): **engagement** (how much of the product the team
//! has adopted), **login habit** (how often users come back) and **sentiment**. Each is on a
//! standard-normal scale across the book. They are correlated a little (login habit 0.15 and
//! sentiment 0.35 with engagement) but are distinct. They drive what the exports show:
//!
//! - engagement sets how many of the eight key features the account uses
//!   (`round(8 × logistic(0.5 + 1.5 × engagement))`, lower while a new account onboards) and
//!   what share of its seats is active; every session's feature events are spread over exactly
//!   the features in use;
//! - login habit sets how many sessions (each starts with a `login`) each user has per week;
//! - sentiment sets NPS answers (and, less, CSAT and ticket volume).
//!
//! At each renewal in the window the account churns with probability `logistic(z)`:
//!
//! ```text
//! z = −2.85 + segment − 5.0 × (breadth − 0.6) − 0.2 × login_habit − 0.7 × sentiment
//!     + 1.5 × sponsor_lost + ε,          ε ~ Normal(0, 0.5)
//! segment: smb +0.35, mid_market 0, enterprise −0.45
//! ```
//!
//! - `breadth` is the true share of key features in use, averaged over the 120 days before the
//!   renewal (mean 0.59, standard deviation 0.27 across the book). It is the strongest driver:
//!   one standard deviation less breadth multiplies the odds of churn by about 3.7.
//! - `login_habit` and `sentiment` are averaged the same way. A standard deviation of login
//!   habit moves the odds by only about 1.2: login frequency is a weak signal, and a scorecard
//!   that leans on it is mis-weighted. Sentiment (what NPS measures) is moderate, about 2.0.
//! - `sponsor_lost` is 1 when an `executive_sponsor` role was removed in the 180 days before
//!   the renewal, whether or not someone took over; it multiplies the odds by about 4.5.
//!   Sponsors leave at about 0.28 a year; half are replaced, 30–180 days later.
//!
//! Because the traits drift, what a CSM sees 90 days before a renewal carries most of the
//! signal and data from a year earlier carries less. Scored with the point-in-time features of
//! [`crate::features`] 90 days before each renewal of the last four quarters, a book of a few
//! thousand accounts gives a rank AUC (a churner scoring lower than a renewer) of about 0.75
//! for `feature_breadth`, 0.6–0.65 for `nps`, and only 0.55–0.59 for `logins_per_user_week`;
//! accounts whose sponsor left in the 180 days before renewal churn about twice as often as
//! the rest. Overall logo churn is about 15% of renewals a year (smb highest, enterprise
//! lowest). Accounts that stay expand (more likely when engaged), contract (more likely when
//! disengaged) or renew flat. Nothing else (tickets, meetings, milestones, champion changes)
//! enters `z`; those relate to churn only through their correlation with the traits.
//!
//! ```
//! use csops_core::synth::{generate, SynthConfig};
//! use csops_core::book::{Book, LoadMode};
//!
//! let cfg = SynthConfig { accounts: 20, seed: 7, ..Default::default() };
//! let records = generate(&cfg);
//! assert_eq!(records.accounts.len(), 20);
//! assert_eq!(records, generate(&cfg)); // same seed, same book
//! let (book, report) = Book::from_records(records, LoadMode::Strict)?;
//! assert!(report.is_clean());
//! # Ok::<(), csops_core::Error>(())
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, TimeDelta, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::book::{BookCounts, ProblemKind, Records};
use crate::error::{Error, Result};
use crate::interchange::FILES;
use crate::money::{Currency, FxTable, Money};
use crate::record::*;

/// The key features whose adoption is "feature breadth": the default of
/// [`crate::features::FeatureConfig::key_features`], so the generated book and the default
/// features agree.
pub const KEY_FEATURES: &[&str] = crate::features::DEFAULT_KEY_FEATURES;

/// The parameters of a synthetic book. Serde-readable (TOML or JSON) with every field optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SynthConfig {
    /// Random seed: the same configuration and seed always give the same book (default 42).
    pub seed: u64,
    /// Number of accounts (default 300).
    pub accounts: usize,
    /// First day of the window (default 2024-10-01).
    pub start: NaiveDate,
    /// Length of the window in quarters, 1–400 (default 8); see [`SynthConfig::end`].
    pub quarters: u32,
    /// Share of optional values left missing, 0–0.5 (default 0.05).
    pub missing_rate: f64,
    /// Usage-event density: the average number of raw usage events per active account per
    /// week (default 5.0). Engaged, larger accounts get more, small quiet ones fewer. About
    /// 0.82 gives 50 events per account over the default 540 days of usage (1M accounts,
    /// 50M events); the default gives about 300.
    pub events_per_account_week: f64,
    /// Raw usage events cover this many days before the end date (default 540: enough to
    /// derive 28-day features 90 days before every renewal of the last four quarters, and the
    /// window before that). 0 means no raw events.
    pub usage_days: u32,
    /// Share of accounts that were already customers when the window opens, 0–1 (default 0.6).
    pub existing_share: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 42,
            accounts: 300,
            start: NaiveDate::from_ymd_opt(2024, 10, 1).unwrap_or_default(),
            quarters: 8,
            missing_rate: 0.05,
            events_per_account_week: 5.0,
            usage_days: 540,
            existing_share: 0.6,
        }
    }
}

impl SynthConfig {
    /// The end of the window: `start` plus `quarters` quarters. The book is exported on this
    /// day: every activity record is dated before it.
    pub fn end(&self) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(3 * self.quarters.clamp(1, 400)))
            .unwrap_or(self.start)
    }

    /// Check every parameter; all problems are reported at once. [`generate`] clamps
    /// out-of-range values instead; [`generate_to_csv_dir`] refuses them.
    pub fn validate(&self) -> Result<()> {
        let mut p = Vec::new();
        if !(1..=400).contains(&self.quarters) {
            p.push(format!("quarters must be 1–400, got {}", self.quarters));
        }
        if !(0.0..=0.5).contains(&self.missing_rate) {
            p.push(format!(
                "missing_rate must be 0–0.5, got {}",
                self.missing_rate
            ));
        }
        if !(0.0..=10_000.0).contains(&self.events_per_account_week) {
            p.push(format!(
                "events_per_account_week must be 0–10000, got {}",
                self.events_per_account_week
            ));
        }
        if !(0.0..=1.0).contains(&self.existing_share) {
            p.push(format!(
                "existing_share must be 0–1, got {}",
                self.existing_share
            ));
        }
        if self.accounts > 100_000_000 {
            p.push(format!(
                "accounts must be at most 100000000, got {}",
                self.accounts
            ));
        }
        if self
            .start
            .checked_add_months(Months::new(3 * self.quarters.clamp(1, 400) + 48))
            .is_none()
            || self.start.year() < 1900
        {
            p.push(format!("start {} is out of range", self.start));
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// Parse from TOML and validate.
    pub fn from_toml(text: &str) -> Result<Self> {
        let c: SynthConfig =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("synth config: {e}")]))?;
        c.validate()?;
        Ok(c)
    }
}

/// What [`generate_to_csv_dir`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The end of the window (the export day).
    pub end: NaiveDate,
    /// Rows written per record type.
    pub counts: BookCounts,
    /// Renewals decided in the window (one renewal outcome each).
    pub renewals: usize,
    /// Of those, how many churned.
    pub churned: usize,
    /// The files written, in [`FILES`] order.
    pub files: Vec<PathBuf>,
}

impl Summary {
    /// Churned renewals ÷ renewals (logo churn per renewal, i.e. annual logo churn); 0 when
    /// there were no renewals.
    pub fn churn_rate(&self) -> f64 {
        if self.renewals == 0 {
            0.0
        } else {
            self.churned as f64 / self.renewals as f64
        }
    }
}

/// Generate a book in memory. Out-of-range parameters are clamped (see
/// [`SynthConfig::validate`] to reject them instead).
pub fn generate(cfg: &SynthConfig) -> Records {
    let ctx = Ctx::new(cfg);
    let mut ids = Ids::default();
    let mut r = Records {
        fx: Some(fx_table()),
        ..Default::default()
    };
    for i in 0..cfg.accounts {
        let d = gen_account(&ctx, i, &mut ids);
        let aid = d.account.id.clone();
        r.usage_events.extend(d.events.iter().map(|e| UsageEvent {
            account_id: aid.clone(),
            user_id: format!("u{}", e.user + 1),
            feature: FEATURES[e.feature as usize].to_string(),
            timestamp: DateTime::<Utc>::from_timestamp(e.ts, 0).unwrap_or_default(),
        }));
        r.accounts.push(d.account);
        r.contacts.extend(d.contacts);
        r.contact_roles.extend(d.roles);
        r.usage_snapshots.extend(d.snapshots);
        r.tickets.extend(d.tickets);
        r.surveys.extend(d.surveys);
        r.meetings.extend(d.meetings);
        r.milestones.extend(d.milestones);
        r.opportunities.extend(d.opportunities);
        r.arr_snapshots.extend(d.arr_snapshots);
        r.renewal_outcomes.extend(d.outcomes);
    }
    r
}

/// Generate a book straight into a directory of CSV files (created if needed), in the layout
/// of [`crate::interchange::write_csv_dir`]: the same file names and columns, account
/// attributes as `attr.<name>` columns. Accounts are generated and written one at a time, so
/// memory stays flat however many accounts and events there are. Loading the directory gives
/// the same book as [`generate`] followed by [`crate::book::Book::from_records`].
pub fn generate_to_csv_dir(cfg: &SynthConfig, dir: impl AsRef<Path>) -> Result<Summary> {
    cfg.validate()?;
    let dir = dir.as_ref();
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let ctx = Ctx::new(cfg);
    let mut sink = CsvSink::create(dir)?;
    let mut ids = Ids::default();
    let mut counts = BookCounts::default();
    let (mut renewals, mut churned) = (0usize, 0usize);
    for i in 0..cfg.accounts {
        let d = gen_account(&ctx, i, &mut ids);
        renewals += d.outcomes.len();
        churned += d
            .outcomes
            .iter()
            .filter(|o| o.outcome == Outcome::Churned)
            .count();
        sink.write_account(&d, &mut counts)?;
    }
    let files = sink.finish()?;
    Ok(Summary {
        end: ctx.end,
        counts,
        renewals,
        churned,
        files,
    })
}

// ---------------------------------------------------------------------------------------------
// Model constants.

/// Every feature name used in events; the first eight are [`KEY_FEATURES`].
const FEATURES: [&str; 11] = [
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
const F_API: u8 = 4;
const F_LOGIN: u8 = 8;
const F_SETTINGS: u8 = 9;
const F_SEARCH: u8 = 10;
/// How early each key feature tends to be adopted (reports and dashboards first, the API last).
const ADOPTION_WEIGHT: [f64; 8] = [5.0, 4.5, 2.0, 1.5, 1.0, 2.5, 3.5, 3.0];

const CHURN_INTERCEPT: f64 = -2.85;
const CHURN_BREADTH: f64 = -5.0;
const BREADTH_CENTER: f64 = 0.6;
const CHURN_LOGINS: f64 = -0.2;
const CHURN_SENTIMENT: f64 = -0.7;
const CHURN_SPONSOR_LOST: f64 = 1.5;
const CHURN_NOISE_SD: f64 = 0.5;
const SPONSOR_LOST_DAYS: i64 = 180;
/// Segment offsets of the churn logit: smb, mid_market, enterprise.
const SEGMENT_OFFSET: [f64; 3] = [0.35, 0.0, -0.45];

/// Trait dynamics: the stable part's and the drift's standard deviations, and the drift's
/// month-to-month autocorrelation.
const TRAIT_STABLE_SD: f64 = 0.75;
const TRAIT_DRIFT_SD: f64 = 0.66;
const TRAIT_DRIFT_RHO: f64 = 0.9;
/// Sessions per tracked user per week at `events_per_account_week` = 1 (calibrated so that
/// the average active account-week has about that many events).
const SESSION_RATE_PER_EVENT: f64 = 0.0645;

/// Salt of the usage-event random streams.
const EVENT_STREAM: u64 = 0x05EE_D0FE_7E75_u64;

const SEGMENTS: [&str; 3] = ["smb", "mid_market", "enterprise"];
const REGIONS: [&str; 4] = ["NA", "EMEA", "APAC", "LATAM"];
/// Start of the business day in UTC hours, per region.
const REGION_UTC_HOUR: [i64; 4] = [14, 7, 0, 12];

// ---------------------------------------------------------------------------------------------
// Vocabulary.

const FIRST_NAMES: &[&str] = &[
    "Dana", "Sam", "Alex", "Priya", "Jordan", "Maria", "Chen", "Fatima", "Lukas", "Sofia", "Omar",
    "Hannah", "Diego", "Aiko", "Noah", "Emma", "Ravi", "Chloe", "Mateo", "Ingrid", "Kwame",
    "Elena", "Tom", "Grace", "Yusuf", "Lena", "Marco", "Zoe", "Arjun", "Nora", "Felix", "Amara",
    "Liam", "Julia", "Kenji", "Olivia", "Pedro", "Sara", "Ethan", "Mia", "Hugo", "Leila",
];
const LAST_NAMES: &[&str] = &[
    "Reyes",
    "Lee",
    "Patel",
    "Okafor",
    "Schmidt",
    "Garcia",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Haddad",
    "Johansson",
    "Tanaka",
    "Murphy",
    "Silva",
    "Cohen",
    "Dubois",
    "Khan",
    "Novak",
    "Moreau",
    "Fischer",
    "Ito",
    "Walker",
    "Mensah",
    "Costa",
    "Larsen",
    "Ortiz",
    "Byrne",
    "Weber",
    "Kim",
    "Singh",
    "Alvarez",
    "Brooks",
    "Hansen",
    "Yilmaz",
    "Clarke",
    "Romero",
];
const NAME_PREFIXES: &[&str] = &[
    "Northwind",
    "Blue Harbor",
    "Redwood",
    "Silverline",
    "Granite",
    "Brightpath",
    "Cedar",
    "Summit",
    "Ironbridge",
    "Lumen",
    "Oakridge",
    "Pioneer",
    "Quarry",
    "Riverstone",
    "Sterling",
    "Tidewater",
    "Unity",
    "Vantage",
    "Westfield",
    "Zenith",
    "Atlas",
    "Beacon",
    "Crescent",
    "Delta",
    "Evergreen",
    "Foxglove",
    "Harbor Point",
    "Juniper",
    "Keystone",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Polaris",
    "Sapphire",
    "Trillium",
    "Willow",
];
const NAME_NOUNS: &[&str] = &[
    "Analytics",
    "Logistics",
    "Health",
    "Foods",
    "Capital",
    "Robotics",
    "Media",
    "Labs",
    "Systems",
    "Retail",
    "Energy",
    "Learning",
    "Freight",
    "Insurance",
    "Software",
    "Manufacturing",
    "Dental",
    "Hospitality",
    "Biotech",
    "Consulting",
    "Networks",
    "Outfitters",
    "Pharma",
    "Realty",
];
const LEGAL_SUFFIX: [&[&str]; 4] = [
    &["Inc.", "LLC", "Corp.", "Co."],
    &["GmbH", "Ltd", "SA", "BV", "AB", "SAS"],
    &["Pty Ltd", "Pte Ltd", "KK", "Ltd"],
    &["SA de CV", "Ltda", "SA", "SRL"],
];
const INDUSTRIES: &[&str] = &[
    "software",
    "financial_services",
    "healthcare",
    "manufacturing",
    "retail",
    "education",
    "logistics",
    "media",
    "public_sector",
    "professional_services",
];
const SPONSOR_TITLES: &[&str] = &[
    "VP Operations",
    "Chief Operating Officer",
    "VP Customer Experience",
    "Head of Revenue Operations",
    "Chief Technology Officer",
    "VP Finance",
    "Chief Data Officer",
];
const CHAMPION_TITLES: &[&str] = &[
    "Operations Manager",
    "Director of Analytics",
    "Senior Analyst",
    "Team Lead",
    "Head of Reporting",
];
const ADMIN_TITLES: &[&str] = &["Systems Administrator", "IT Manager", "RevOps Manager"];
const OTHER_TITLES: &[&str] = &[
    "Procurement Manager",
    "Data Engineer",
    "Finance Manager",
    "Analyst",
    "Account Manager",
    "Director of Sales",
    "Solutions Architect",
    "Accounts Payable Specialist",
];
const PROMOTER_COMMENTS: &[&str] = &[
    "Dashboards save us hours every week",
    "Great support team",
    "The automation features are excellent",
    "Our whole team relies on it now",
];
const PASSIVE_COMMENTS: &[&str] = &[
    "Does the job",
    "Good but reporting could be faster",
    "Would like more integrations",
    "Pricing is a bit high",
];
const DETRACTOR_COMMENTS: &[&str] = &[
    "Too hard to get the team using it",
    "We only use the basics",
    "Support response times are slow",
    "Not sure we are getting value",
    "Missing the integrations we need",
];
const ONBOARDING_MILESTONES: &[&str] = &[
    "Kick-off complete",
    "SSO configured",
    "Admins trained",
    "First dashboard live",
    "CRM integration live",
    "First automated workflow",
];
const SUCCESS_MILESTONES: &[&str] = &[
    "Roll out to a second team",
    "Automate weekly reporting",
    "Executive dashboard adopted",
    "API integration in production",
    "Reduce manual exports by half",
    "Alerting for key metrics",
];
/// Custom account attributes, in column (name) order.
const ATTRIBUTES: [&str; 2] = ["employees", "source"];

// ---------------------------------------------------------------------------------------------
// Small helpers.

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn stream_seed(seed: u64, stream: u64) -> u64 {
    splitmix64(seed ^ splitmix64(stream.wrapping_add(1)))
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

type R = ChaCha8Rng;

fn unif(r: &mut R) -> f64 {
    r.random::<f64>()
}

fn chance(r: &mut R, p: f64) -> bool {
    unif(r) < p
}

fn normal(r: &mut R) -> f64 {
    r.sample::<f64, _>(StandardNormal)
}

/// A whole number in `lo..=hi`.
fn int(r: &mut R, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        r.random_range(lo..=hi)
    }
}

fn pick<T: Copy>(r: &mut R, items: &[T]) -> T {
    items[int(r, 0, items.len() as i64 - 1) as usize]
}

fn weighted(r: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = unif(r) * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn poisson(r: &mut R, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        return (lambda + lambda.sqrt() * normal(r)).round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0u32, unif(r));
    while p > limit {
        k += 1;
        p *= unif(r);
    }
    k
}

/// Days until the next event of a process with `per_year` events a year.
fn exp_days(r: &mut R, per_year: f64) -> i64 {
    (-(1.0 - unif(r)).ln() * 365.0 / per_year).round().max(1.0) as i64
}

fn days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(n)).unwrap_or(d)
}

fn months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(d)
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    days(months(first, 1), -1)
}

fn day_secs(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp()
}

fn money(cents: i64, c: Currency) -> Money {
    Money::new(Decimal::new(cents, 2), c)
}

fn currency(code: &str) -> Currency {
    Currency::new(code).unwrap_or_else(|_| unreachable!("{code} is an ISO code"))
}

fn fx_table() -> FxTable {
    let mut fx = FxTable::new(currency("USD"));
    for (c, rate) in [
        ("EUR", Decimal::new(10850, 4)),
        ("GBP", Decimal::new(12700, 4)),
    ] {
        // Positive literal rates cannot fail.
        let _ = fx.set_rate(currency(c), rate);
    }
    fx
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// Book-wide settings derived once from the configuration.
struct Ctx {
    seed: u64,
    start: NaiveDate,
    end: NaiveDate,
    usage_from: NaiveDate,
    missing: f64,
    session_rate: f64,
    existing_share: f64,
    /// First month of the trait grid (six months before the window).
    grid_start: NaiveDate,
    grid_months: usize,
    id_width: usize,
    /// CSM names per segment.
    csms: [Vec<String>; 3],
}

impl Ctx {
    fn new(cfg: &SynthConfig) -> Ctx {
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

    fn month(&self, d: NaiveDate) -> usize {
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
struct Ids {
    contact: u64,
    ticket: u64,
    survey: u64,
    meeting: u64,
    milestone: u64,
    opportunity: u64,
    outcome: u64,
}

fn next_id(counter: &mut u64, prefix: &str) -> String {
    *counter += 1;
    format!("{prefix}-{:06}", *counter)
}

/// One usage event, compactly: the account is implied, the user is a per-account number.
#[derive(Debug, Clone, Copy)]
struct Ev {
    ts: i64,
    user: u16,
    feature: u8,
}

/// Everything generated for one account.
struct AccountData {
    account: Account,
    contacts: Vec<Contact>,
    roles: Vec<ContactRole>,
    events: Vec<Ev>,
    snapshots: Vec<UsageSnapshot>,
    tickets: Vec<Ticket>,
    surveys: Vec<SurveyResponse>,
    meetings: Vec<Meeting>,
    milestones: Vec<Milestone>,
    opportunities: Vec<Opportunity>,
    arr_snapshots: Vec<ArrSnapshot>,
    outcomes: Vec<RenewalOutcome>,
}

/// The three hidden traits, month by month on the book's grid.
struct Traits {
    engagement: Vec<f64>,
    logins: Vec<f64>,
    sentiment: Vec<f64>,
}

impl Traits {
    fn new(r: &mut R, n: usize) -> Traits {
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

/// A person at the customer, before ids are assigned.
struct Person {
    first: &'static str,
    last: &'static str,
    title: &'static str,
    created: NaiveDate,
    left: Option<NaiveDate>,
}

/// A role spell, before ids are assigned.
#[derive(Clone, Copy)]
struct Spell {
    person: usize,
    role: Role,
    added: NaiveDate,
    removed: Option<NaiveDate>,
}

fn holds(spells: &[Spell], role: Role, d: NaiveDate) -> bool {
    spells
        .iter()
        .any(|s| s.role == role && s.added <= d && s.removed.is_none_or(|x| x > d))
}

/// Leavers of one role: a Poisson process of departures from `from` to `until`; each leaver's
/// open spells end, and with probability `replace` someone takes the role over after a gap.
#[allow(clippy::too_many_arguments)]
fn departures(
    r: &mut R,
    people: &mut Vec<Person>,
    spells: &mut Vec<Spell>,
    role: Role,
    per_year: f64,
    replace: f64,
    gap: (i64, i64),
    titles: &[&'static str],
    from: NaiveDate,
    until: NaiveDate,
) {
    let mut t = from;
    loop {
        t = days(t, exp_days(r, per_year));
        if t >= until {
            break;
        }
        let Some(holder) = spells
            .iter()
            .find(|s| s.role == role && s.removed.is_none() && s.added < t)
            .map(|s| s.person)
        else {
            continue;
        };
        spells.retain(|s| !(s.person == holder && s.added >= t));
        for s in spells
            .iter_mut()
            .filter(|s| s.person == holder && s.removed.is_none())
        {
            s.removed = Some(t);
        }
        people[holder].left = Some(t);
        if !chance(r, replace) {
            continue;
        }
        let t2 = days(t, int(r, gap.0, gap.1));
        if t2 >= until {
            continue;
        }
        let candidates: Vec<usize> = (0..people.len())
            .filter(|&p| people[p].left.is_none() && people[p].created <= t2)
            .collect();
        let person = if people.len() < 8 && (candidates.is_empty() || chance(r, 0.5)) {
            people.push(Person {
                first: pick(r, FIRST_NAMES),
                last: pick(r, LAST_NAMES),
                title: pick(r, titles),
                created: t2,
                left: None,
            });
            people.len() - 1
        } else if candidates.is_empty() {
            continue;
        } else {
            pick(r, &candidates)
        };
        spells.push(Spell {
            person,
            role,
            added: t2,
            removed: None,
        });
    }
}

/// The account's state on a day, derived from its traits.
struct View<'a> {
    ctx: &'a Ctx,
    traits: &'a Traits,
    start_date: NaiveDate,
    pool_max: f64,
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
    fn adopted(&self, d: NaiveDate) -> usize {
        let e = self.traits.engagement[self.m(d)];
        ((8.0 * sigmoid(0.5 + 1.5 * e) * self.ramp(d)).round() as usize).clamp(1, 8)
    }
    /// Share of licensed users who are active.
    fn adoption(&self, d: NaiveDate) -> f64 {
        0.45 + 0.55 * sigmoid(0.4 + 1.2 * self.traits.engagement[self.m(d)])
    }
    /// Tracked product users active on the day.
    fn pool(&self, d: NaiveDate) -> usize {
        ((self.pool_max * self.adoption(d)).round() as usize).max(1)
    }
    fn logins(&self, d: NaiveDate) -> f64 {
        self.traits.logins[self.m(d)]
    }
    fn sentiment(&self, d: NaiveDate) -> f64 {
        self.traits.sentiment[self.m(d)]
    }
    fn engagement(&self, d: NaiveDate) -> f64 {
        self.traits.engagement[self.m(d)]
    }
    /// Mean true breadth, login habit and sentiment over the 120 days before `d`.
    fn recent(&self, d: NaiveDate) -> (f64, f64, f64) {
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
fn churn_logit(seg: usize, breadth: f64, logins: f64, sentiment: f64, sponsor_lost: bool) -> f64 {
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

fn sponsor_lost(spells: &[Spell], d: NaiveDate) -> bool {
    let from = days(d, -SPONSOR_LOST_DAYS);
    spells
        .iter()
        .any(|s| s.role == Role::ExecutiveSponsor && s.removed.is_some_and(|x| x >= from && x < d))
}

fn gen_account(ctx: &Ctx, idx: usize, ids: &mut Ids) -> AccountData {
    let mut rng = R::seed_from_u64(stream_seed(ctx.seed, idx as u64));
    let r = &mut rng;
    let miss = ctx.missing;
    let end = ctx.end;
    let last_day = days(end, -1);
    let id = format!("A-{:0w$}", idx + 1, w = ctx.id_width);

    // --- Firmographics -------------------------------------------------------------------
    let seg = weighted(r, &[0.55, 0.33, 0.12]);
    let region = weighted(r, &[0.45, 0.30, 0.15, 0.10]);
    let cur = if region == 1 {
        ["EUR", "GBP", "USD"][weighted(r, &[0.45, 0.30, 0.25])]
    } else {
        "USD"
    };
    let price_factor = match cur {
        "EUR" => 0.92,
        "GBP" => 0.79,
        _ => 1.0,
    };
    let currency = currency(cur);
    let existing = chance(r, ctx.existing_share);
    let window_days = (end - ctx.start).num_days().max(1);
    let drawn = if existing {
        days(ctx.start, -int(r, 30, 3 * 365))
    } else {
        days(ctx.start, int(r, 0, window_days - 1))
    };
    let dom = match weighted(r, &[0.4, 0.15, 0.45]) {
        0 => 1,
        1 => 15,
        _ => int(r, 2, 28) as u32,
    };
    let mut start_date = drawn.with_day(dom).unwrap_or(drawn);
    if !existing {
        start_date = start_date.clamp(ctx.start, last_day);
    }
    let prefix = pick(r, NAME_PREFIXES);
    let noun = pick(r, NAME_NOUNS);
    let name = format!("{prefix} {noun} {}", pick(r, LEGAL_SUFFIX[region]));
    let domain = format!("{}{}.example", prefix, noun)
        .to_lowercase()
        .replace(' ', "");
    let industry = pick(r, INDUSTRIES);
    let plan = match seg {
        0 => ["starter", "pro"][weighted(r, &[0.65, 0.35])],
        1 => ["pro", "business"][weighted(r, &[0.6, 0.4])],
        _ => ["enterprise", "business"][weighted(r, &[0.75, 0.25])],
    };
    let u = unif(r);
    let mut seats: i64 = match seg {
        0 => 3 + (37.0 * u * u) as i64,
        1 => 25 + (225.0 * u * u) as i64,
        _ => 150 + (1050.0 * u * u) as i64,
    };
    let list_price: f64 = match plan {
        "starter" => 300.0,
        "pro" => 480.0,
        "business" => 720.0,
        _ => 960.0,
    };
    let unit = (list_price * price_factor).round() as i64;
    let discount = int(r, 0, if seg == 2 { 35 } else { 25 });
    let mut arr_cents = seats * unit * (100 - discount);
    let owner = if seg == 0 && chance(r, 0.25) {
        None
    } else {
        Some(ctx.csms[seg][int(r, 0, ctx.csms[seg].len() as i64 - 1) as usize].clone())
    };
    let source = match seg {
        0 => ["self_serve", "inbound", "partner", "outbound"][weighted(r, &[0.4, 0.35, 0.15, 0.1])],
        _ => ["inbound", "outbound", "partner"][weighted(r, &[0.35, 0.45, 0.2])],
    };
    let employees = match seg {
        0 => ["1-10", "11-50", "51-200"][weighted(r, &[0.3, 0.5, 0.2])],
        1 => ["51-200", "201-1000"][weighted(r, &[0.4, 0.6])],
        _ => ["1001-5000", "5000+"][weighted(r, &[0.55, 0.45])],
    };
    let mut attributes = BTreeMap::new();
    for (k, v) in [("source", source), ("employees", employees)] {
        if !chance(r, miss) {
            attributes.insert(k.to_string(), v.to_string());
        }
    }
    let has_industry = !chance(r, miss);
    let has_region = !chance(r, miss / 2.0);

    // --- Hidden traits ---------------------------------------------------------------------
    let traits = Traits::new(r, ctx.grid_months);
    let mut order: Vec<u8> = Vec::with_capacity(8);
    let mut w = ADOPTION_WEIGHT;
    for _ in 0..8 {
        let k = weighted(r, &w);
        order.push(k as u8);
        w[k] = 0.0;
    }
    let view = View {
        ctx,
        traits: &traits,
        start_date,
        pool_max: (1.0 + 1.4 * (seats as f64).ln()).round().clamp(2.0, 14.0),
    };

    // --- People and roles ------------------------------------------------------------------
    let has_sponsor = seg > 0 || chance(r, 0.6);
    let n_people = match seg {
        0 => int(r, 3, 4),
        1 => int(r, 4, 6),
        _ => int(r, 5, 8),
    } as usize;
    let mut plan_roles: Vec<Role> = Vec::new();
    if has_sponsor {
        plan_roles.push(Role::ExecutiveSponsor);
    }
    plan_roles.extend([Role::Champion, Role::Admin]);
    let others = [
        Role::EconomicBuyer,
        Role::User,
        Role::Technical,
        Role::DecisionMaker,
        Role::Billing,
        Role::User,
    ];
    let mut people: Vec<Person> = Vec::new();
    let mut spells: Vec<Spell> = Vec::new();
    for k in 0..n_people {
        let role = plan_roles
            .get(k)
            .copied()
            .unwrap_or_else(|| others[(k - plan_roles.len()) % others.len()]);
        let title = match role {
            Role::ExecutiveSponsor => pick(r, SPONSOR_TITLES),
            Role::Champion => pick(r, CHAMPION_TITLES),
            Role::Admin => pick(r, ADMIN_TITLES),
            _ => pick(r, OTHER_TITLES),
        };
        let added = if k < 3 {
            start_date
        } else {
            days(start_date, int(r, 0, 60))
                .min(last_day)
                .max(start_date)
        };
        people.push(Person {
            first: pick(r, FIRST_NAMES),
            last: pick(r, LAST_NAMES),
            title,
            created: added,
            left: None,
        });
        spells.push(Spell {
            person: k,
            role,
            added,
            removed: None,
        });
        if role == Role::ExecutiveSponsor && seg < 2 && chance(r, 0.5) {
            spells.push(Spell {
                person: k,
                role: Role::EconomicBuyer,
                added,
                removed: None,
            });
        }
    }
    let churn_from = start_date.max(days(ctx.start, -SPONSOR_LOST_DAYS));
    departures(
        r,
        &mut people,
        &mut spells,
        Role::ExecutiveSponsor,
        0.28,
        0.5,
        (30, 180),
        SPONSOR_TITLES,
        churn_from,
        end,
    );
    departures(
        r,
        &mut people,
        &mut spells,
        Role::Champion,
        0.2,
        0.7,
        (10, 90),
        CHAMPION_TITLES,
        churn_from,
        end,
    );

    // --- Renewals --------------------------------------------------------------------------
    let mut arr_history: Vec<(NaiveDate, i64)> = vec![(start_date, arr_cents)];
    let mut seat_history: Vec<(NaiveDate, i64)> = vec![(start_date, seats)];
    let mut outcomes = Vec::new();
    let mut churn_date: Option<NaiveDate> = None;
    let mut past_renewals: Vec<(NaiveDate, Outcome, i64, i64)> = Vec::new();
    let mut k = 1;
    loop {
        let rdate = months(start_date, 12 * k);
        if rdate >= end {
            break;
        }
        k += 1;
        if rdate < ctx.start {
            continue;
        }
        let (b, l, s) = view.recent(rdate);
        let lost = sponsor_lost(&spells, rdate);
        let z = churn_logit(seg, b, l, s, lost) + CHURN_NOISE_SD * normal(r);
        let before = arr_cents;
        let (outcome, after) = if chance(r, sigmoid(z)) {
            (Outcome::Churned, 0)
        } else {
            let ue = 0.7 * view.engagement(rdate) + 0.3 * view.logins(rdate);
            let p_exp = sigmoid(-1.5 + 0.9 * ue);
            let p_con = sigmoid(-2.4 - 0.7 * ue);
            let x = unif(r);
            if x < p_exp {
                let f = 1.0 + 0.05 + 0.35 * unif(r);
                seats = ((seats as f64 * f).round() as i64).max(seats + 1);
                let a = ((before as f64 * f).round() as i64).max(before + 100);
                (Outcome::Expanded, a)
            } else if x < p_exp + p_con {
                let f = 1.0 - 0.05 - 0.30 * unif(r);
                seats = ((seats as f64 * f).round() as i64).clamp(1, seats);
                let a = ((before as f64 * f).round() as i64).clamp(1, (before - 100).max(1));
                if a >= before {
                    (Outcome::Renewed, before)
                } else {
                    (Outcome::Contracted, a)
                }
            } else {
                (Outcome::Renewed, before)
            }
        };
        outcomes.push(RenewalOutcome {
            id: next_id(&mut ids.outcome, "R"),
            account_id: id.clone(),
            renewal_date: rdate,
            outcome,
            arr_before: money(before, currency),
            arr_after: money(after, currency),
        });
        past_renewals.push((rdate, outcome, before, after));
        arr_cents = after;
        arr_history.push((rdate, after));
        seat_history.push((rdate, seats));
        if outcome == Outcome::Churned {
            churn_date = Some(rdate);
            break;
        }
    }
    let active_until = churn_date.unwrap_or(end); // exclusive
    let renewal_date = churn_date.unwrap_or_else(|| {
        let mut k = 1;
        loop {
            let d = months(start_date, 12 * k);
            if d >= end {
                break d;
            }
            k += 1;
        }
    });

    // A churned customer's CRM contacts stop changing when it leaves.
    if let Some(c) = churn_date {
        spells.retain(|s| s.added < c);
        for s in &mut spells {
            if s.removed.is_some_and(|x| x >= c) {
                s.removed = None;
            }
        }
        for p in &mut people {
            if p.left.is_some_and(|x| x >= c) {
                p.left = None;
            }
        }
    }
    let keep: Vec<bool> = people
        .iter()
        .map(|p| p.created < active_until.max(days(start_date, 1)))
        .collect();
    let mut contact_ids: Vec<Option<String>> = vec![None; people.len()];
    let mut contacts = Vec::new();
    for (k, p) in people.iter().enumerate() {
        if !keep[k] {
            continue;
        }
        let cid = next_id(&mut ids.contact, "C");
        contact_ids[k] = Some(cid.clone());
        contacts.push(Contact {
            id: cid,
            account_id: id.clone(),
            name: format!("{} {}", p.first, p.last),
            email: (!chance(r, miss)).then(|| {
                format!("{}.{}@{}", p.first, p.last, domain)
                    .to_lowercase()
                    .replace(' ', "")
            }),
            title: (!chance(r, miss)).then(|| p.title.to_string()),
        });
    }
    let mut ordered: Vec<Spell> = spells.clone();
    ordered.sort_by_key(|s| (s.person, s.added));
    let roles: Vec<ContactRole> = ordered
        .iter()
        .filter_map(|s| {
            Some(ContactRole {
                contact_id: contact_ids[s.person].clone()?,
                role: s.role,
                added: s.added,
                removed: s.removed,
            })
        })
        .collect();

    // --- Usage events ----------------------------------------------------------------------
    let mut events: Vec<Ev> = Vec::new();
    let ev_from = ctx.usage_from.max(start_date);
    if ctx.session_rate > 0.0 && ev_from < active_until {
        // Events draw from their own stream, so the density knob changes nothing else.
        let mut ev_rng = R::seed_from_u64(stream_seed(ctx.seed ^ EVENT_STREAM, idx as u64));
        let r = &mut ev_rng;
        let limit = day_secs(active_until);
        let pool_max = view.pool_max as usize;
        let zipf: Vec<f64> = (0..pool_max)
            .map(|i| 1.0 / ((i + 1) as f64).powf(0.9))
            .collect();
        let mut week = ev_from;
        let mut week_events: Vec<Ev> = Vec::new();
        while week < active_until {
            let mid = days(week, 3);
            let pool = view.pool(mid).min(pool_max);
            let lambda = ctx.session_rate * pool as f64 * (0.45 * view.logins(mid) - 0.1).exp();
            let k = view.adopted(mid);
            let feat_lambda = 0.6 + 1.4 * k as f64 / 8.0;
            week_events.clear();
            let mut wd = [1.0; 7];
            for (i, x) in wd.iter_mut().enumerate() {
                if days(week, i as i64).weekday().num_days_from_monday() >= 5 {
                    *x = 0.15;
                }
            }
            for _ in 0..poisson(r, lambda) {
                let day = days(week, weighted(r, &wd) as i64);
                let mut ts =
                    day_secs(day) + REGION_UTC_HOUR[region] * 3600 + int(r, 0, 9 * 3600 - 1);
                let user = weighted(r, &zipf[..pool]) as u16;
                week_events.push(Ev {
                    ts,
                    user,
                    feature: F_LOGIN,
                });
                for _ in 0..1 + poisson(r, feat_lambda) {
                    ts += int(r, 20, 900);
                    let feature = if chance(r, 0.88) {
                        order[int(r, 0, k as i64 - 1) as usize]
                    } else if chance(r, 0.6) {
                        F_SEARCH
                    } else {
                        F_SETTINGS
                    };
                    week_events.push(Ev { ts, user, feature });
                }
            }
            week_events.sort_by_key(|e| e.ts);
            events.extend(week_events.iter().filter(|e| e.ts < limit));
            week = days(week, 7);
        }
    }

    // --- Usage snapshots (warehouse metrics, monthly) --------------------------------------
    let mut snapshots = Vec::new();
    let mut m = ctx.start.with_day(1).unwrap_or(ctx.start);
    while month_end(m) < end {
        let me = month_end(m);
        if start_date <= me && active_until > m {
            let seats_then = arr_at(&seat_history, me).max(1);
            let active = (seats_then as f64 * view.adoption(me) * (0.92 + 0.16 * unif(r)))
                .round()
                .max(1.0);
            let api = if order[..view.adopted(me)].contains(&F_API) {
                (60.0
                    * (seats_then as f64).powf(0.9)
                    * (0.4 * view.logins(me) + 0.3 * normal(r)).exp())
                .round()
            } else {
                0.0
            };
            for (metric, value) in [("active_users", active), ("api_calls", api)] {
                if !chance(r, miss) {
                    snapshots.push(UsageSnapshot {
                        account_id: id.clone(),
                        period_start: m,
                        period_end: me,
                        metric: metric.to_string(),
                        value: Some(value),
                    });
                }
            }
        }
        m = months(m, 1);
    }

    // --- Tickets ---------------------------------------------------------------------------
    let mut tickets = Vec::new();
    let ticket_rate = [0.35, 1.0, 2.5][seg];
    let mut m = ctx.start.with_day(1).unwrap_or(ctx.start);
    while m < end {
        let lo = m.max(start_date).max(ctx.start);
        let hi = month_end(m).min(days(active_until, -1));
        if lo <= hi {
            let lambda = ticket_rate
                * (-0.25 * view.engagement(lo) - 0.2 * view.sentiment(lo)).exp()
                * ((hi - lo).num_days() + 1) as f64
                / 30.0;
            for _ in 0..poisson(r, lambda) {
                let opened = days(lo, int(r, 0, (hi - lo).num_days()));
                let priority = [
                    Priority::Low,
                    Priority::Normal,
                    Priority::High,
                    Priority::Urgent,
                ][weighted(r, &[0.25, 0.5, 0.18, 0.07])];
                let mean_days = match priority {
                    Priority::Urgent => 1.5,
                    Priority::High => 3.0,
                    Priority::Normal => 5.0,
                    Priority::Low => 8.0,
                };
                let closed = days(opened, (-(1.0 - unif(r)).ln() * mean_days).round() as i64);
                let (closed, status) = if closed < end {
                    let s = if chance(r, 0.85) {
                        TicketStatus::Closed
                    } else {
                        TicketStatus::Solved
                    };
                    (Some(closed), s)
                } else if chance(r, 0.7) {
                    (None, TicketStatus::Open)
                } else {
                    (None, TicketStatus::Pending)
                };
                let escalated = chance(
                    r,
                    match priority {
                        Priority::Urgent => 0.35,
                        Priority::High => 0.1,
                        _ => 0.02,
                    },
                );
                let csat = (closed.is_some() && chance(r, 0.4 * (1.0 - miss))).then(|| {
                    let x = 4.1 + 0.5 * view.sentiment(opened) + 0.9 * normal(r)
                        - if priority == Priority::Urgent {
                            0.4
                        } else {
                            0.0
                        };
                    x.round().clamp(1.0, 5.0) as u8
                });
                tickets.push(Ticket {
                    id: next_id(&mut ids.ticket, "T"),
                    account_id: id.clone(),
                    opened,
                    closed,
                    priority,
                    status,
                    escalated,
                    csat,
                });
            }
        }
        m = months(m, 1);
    }

    // --- Meetings (and CSAT surveys after some) --------------------------------------------
    let mut meetings: Vec<Meeting> = Vec::new();
    let present = |role: Role, d: NaiveDate| holds(&spells, role, d);
    let active_on = |d: NaiveDate| d >= start_date && d < active_until && d >= ctx.start;
    if start_date >= ctx.start {
        let d = days(start_date, int(r, 3, 14));
        if active_on(d) {
            let mut roles = vec![Role::Champion, Role::Admin];
            if seg == 2 && present(Role::ExecutiveSponsor, d) {
                roles.insert(0, Role::ExecutiveSponsor);
            }
            meetings.push(Meeting {
                id: String::new(),
                account_id: id.clone(),
                kind: MeetingKind::Onboarding,
                date: d,
                attendee_roles: roles,
            });
        }
    }
    let qbr_p = [0.05, 0.45, 0.85][seg];
    let mut q = ctx.start;
    while q < end {
        let d = days(q, int(r, 10, 80));
        if active_on(d) && chance(r, qbr_p * sigmoid(1.5 + view.engagement(d)) / 0.82) {
            let mut roles = Vec::new();
            if present(Role::ExecutiveSponsor, d) && chance(r, 0.35) {
                roles.push(Role::ExecutiveSponsor);
            }
            if present(Role::Champion, d) {
                roles.push(Role::Champion);
            }
            if chance(r, 0.5) {
                roles.push(Role::Admin);
            }
            if chance(r, 0.3) {
                roles.push(Role::User);
            }
            meetings.push(Meeting {
                id: String::new(),
                account_id: id.clone(),
                kind: MeetingKind::Qbr,
                date: d,
                attendee_roles: roles,
            });
        }
        q = months(q, 3);
    }
    let ebr_p = [0.0, 0.35, 0.75][seg];
    let mut k = 1;
    loop {
        let rdate = months(start_date, 12 * k);
        k += 1;
        let d = days(rdate, -int(r, 45, 100));
        if d >= end {
            break;
        }
        if active_on(d) && rdate <= active_until && chance(r, ebr_p) {
            let mut roles = Vec::new();
            if present(Role::ExecutiveSponsor, d) {
                roles.push(Role::ExecutiveSponsor);
            }
            if present(Role::EconomicBuyer, d) {
                roles.push(Role::EconomicBuyer);
            }
            if present(Role::Champion, d) || roles.is_empty() {
                roles.push(Role::Champion);
            }
            meetings.push(Meeting {
                id: String::new(),
                account_id: id.clone(),
                kind: MeetingKind::Ebr,
                date: d,
                attendee_roles: roles,
            });
        }
    }
    let checkin_rate = [0.15, 0.3, 0.5][seg];
    let mut m = ctx.start.with_day(1).unwrap_or(ctx.start);
    while m < end {
        for _ in 0..poisson(r, checkin_rate) {
            let d = days(m, int(r, 0, 27));
            if active_on(d) && d < end {
                let role = if chance(r, 0.6) {
                    Role::Champion
                } else {
                    Role::Admin
                };
                meetings.push(Meeting {
                    id: String::new(),
                    account_id: id.clone(),
                    kind: MeetingKind::CheckIn,
                    date: d,
                    attendee_roles: vec![role],
                });
            }
        }
        m = months(m, 1);
    }
    meetings.sort_by_key(|m| m.date);
    for m in &mut meetings {
        m.id = next_id(&mut ids.meeting, "M");
    }

    // --- Surveys: quarterly NPS waves, CSAT after onboarding and QBRs ----------------------
    let mut surveys = Vec::new();
    let in_program = chance(r, 0.88);
    let mut wave = days(ctx.start, 14);
    while wave < end {
        if in_program && wave >= start_date && wave < active_until {
            for (k, p) in people.iter().enumerate() {
                let Some(cid) = &contact_ids[k] else { continue };
                if p.created > wave || p.left.is_some_and(|x| x <= wave) {
                    continue;
                }
                if !chance(r, 0.35 * (1.0 - miss)) {
                    continue;
                }
                let date = days(wave, int(r, 0, 21));
                if date >= active_until {
                    continue;
                }
                let x = 7.2 + 1.5 * view.sentiment(date) + 1.2 * normal(r);
                let score = x.round().clamp(0.0, 10.0) as u8;
                let comment = chance(r, 0.25).then(|| {
                    let pool = match score {
                        9..=10 => PROMOTER_COMMENTS,
                        7..=8 => PASSIVE_COMMENTS,
                        _ => DETRACTOR_COMMENTS,
                    };
                    pick(r, pool).to_string()
                });
                surveys.push(SurveyResponse {
                    id: next_id(&mut ids.survey, "S"),
                    account_id: id.clone(),
                    contact_id: Some(cid.clone()),
                    date,
                    kind: SurveyKind::Nps,
                    score,
                    comment,
                });
            }
        }
        wave = months(wave, 3);
    }
    for mt in &meetings {
        if !matches!(mt.kind, MeetingKind::Onboarding | MeetingKind::Qbr) || !chance(r, 0.3) {
            continue;
        }
        let date = days(mt.date, int(r, 1, 5));
        if date >= active_until {
            continue;
        }
        let x = 4.0 + 0.6 * view.sentiment(date) + 0.8 * normal(r);
        let champion = people.iter().enumerate().find(|(k, _)| {
            contact_ids[*k].is_some()
                && spells.iter().any(|s| {
                    s.person == *k
                        && s.role == Role::Champion
                        && s.added <= date
                        && s.removed.is_none_or(|x| x > date)
                })
        });
        surveys.push(SurveyResponse {
            id: next_id(&mut ids.survey, "S"),
            account_id: id.clone(),
            contact_id: champion.and_then(|(k, _)| contact_ids[k].clone()),
            date,
            kind: SurveyKind::Csat,
            score: x.round().clamp(1.0, 5.0) as u8,
            comment: None,
        });
    }

    // --- Milestones ------------------------------------------------------------------------
    let mut milestones = Vec::new();
    let mut plan_ms: Vec<(&str, NaiveDate)> = Vec::new();
    if start_date >= ctx.start {
        let n = int(r, 2, 4) as usize;
        for (k, name) in ONBOARDING_MILESTONES.iter().take(n).enumerate() {
            plan_ms.push((name, days(start_date, 30 * (k as i64 + 1) + int(r, -5, 5))));
        }
    }
    let mut y = 0;
    loop {
        let year_start = months(start_date.max(ctx.start), 12 * y);
        if year_start >= end {
            break;
        }
        if start_date < ctx.start || y > 0 {
            for _ in 0..int(r, 1, 2) {
                plan_ms.push((
                    pick(r, SUCCESS_MILESTONES),
                    days(year_start, int(r, 60, 330)),
                ));
            }
        }
        y += 1;
    }
    let horizon = if churn_date.is_some() {
        active_until
    } else {
        days(end, 120)
    };
    for (name, due) in plan_ms {
        if due >= horizon {
            continue;
        }
        let p = sigmoid(0.6 + 1.2 * view.engagement(due.min(last_day)));
        let achieved = if chance(r, p) {
            let d = days(due, int(r, -20, 30));
            (d < end && d < active_until && d >= start_date).then_some(d)
        } else {
            None
        };
        milestones.push(Milestone {
            id: next_id(&mut ids.milestone, "MS"),
            account_id: id.clone(),
            name: name.to_string(),
            due,
            achieved,
        });
    }

    // --- Opportunities ---------------------------------------------------------------------
    let mut opps = Vec::new();
    let opp = |ids: &mut Ids,
               kind: OpportunityKind,
               cents: i64,
               close: NaiveDate,
               stage: &str,
               status: OpportunityStatus,
               probability: f64,
               fc: ForecastCategory,
               created: Option<NaiveDate>| Opportunity {
        id: next_id(&mut ids.opportunity, "O"),
        account_id: id.clone(),
        kind,
        amount: money(cents, currency),
        close_date: close,
        stage: stage.to_string(),
        status,
        probability,
        forecast_category: fc,
        created,
    };
    let created = |r: &mut R, close: NaiveDate, lo: i64, hi: i64| {
        (!chance(r, miss)).then(|| days(close, -int(r, lo, hi)))
    };
    if start_date >= ctx.start {
        let close = days(start_date, -int(r, 0, 20));
        let c = created(r, close, 30, 120);
        opps.push(opp(
            ids,
            OpportunityKind::NewBusiness,
            arr_history[0].1,
            close,
            "Closed Won",
            OpportunityStatus::Won,
            1.0,
            ForecastCategory::Closed,
            c,
        ));
    }
    for &(rdate, outcome, before, after) in &past_renewals {
        let won = outcome != Outcome::Churned;
        let close = days(rdate, -int(r, 0, if won { 25 } else { 10 }));
        let c = created(r, close, 90, 150);
        let amount = match outcome {
            Outcome::Renewed | Outcome::Contracted => after,
            _ => before,
        };
        opps.push(if won {
            opp(
                ids,
                OpportunityKind::Renewal,
                amount,
                close,
                "Closed Won",
                OpportunityStatus::Won,
                1.0,
                ForecastCategory::Closed,
                c,
            )
        } else {
            opp(
                ids,
                OpportunityKind::Renewal,
                amount,
                close,
                "Closed Lost",
                OpportunityStatus::Lost,
                0.0,
                ForecastCategory::Omitted,
                c,
            )
        });
        if outcome == Outcome::Expanded {
            let c = created(r, close, 30, 90);
            opps.push(opp(
                ids,
                OpportunityKind::Expansion,
                after - before,
                close,
                "Closed Won",
                OpportunityStatus::Won,
                1.0,
                ForecastCategory::Closed,
                c,
            ));
        }
    }
    // Expansion attempts that were lost, mid-term.
    let mut y = ctx.start;
    while y < end {
        let d = days(y, int(r, 30, 330));
        if d >= start_date && d < active_until && d < end && chance(r, 0.08) {
            let cents = (arr_at(&arr_history, d) as f64 * (0.1 + 0.2 * unif(r))).round() as i64;
            let c = created(r, d, 30, 90);
            opps.push(opp(
                ids,
                OpportunityKind::Expansion,
                cents.max(100),
                d,
                "Closed Lost",
                OpportunityStatus::Lost,
                0.0,
                ForecastCategory::Omitted,
                c,
            ));
        }
        y = months(y, 12);
    }
    if churn_date.is_none() {
        // The next renewal, if it falls in the next two quarters, as the rep sees it.
        let to_close = (renewal_date - end).num_days();
        if to_close < 183 && !chance(r, miss) {
            let (b, l, s) = view.recent(end);
            let seen =
                sigmoid(churn_logit(seg, b, l, s, sponsor_lost(&spells, end)) + 0.6 * normal(r));
            let (stage, fc, p) = if to_close > 120 {
                ("Qualification", ForecastCategory::Pipeline, 0.5)
            } else if seen < 0.1 {
                ("Negotiation", ForecastCategory::Commit, 0.9)
            } else if seen < 0.25 {
                ("Proposal", ForecastCategory::BestCase, 0.7)
            } else {
                ("Qualification", ForecastCategory::Pipeline, 0.4)
            };
            let amount = if chance(r, 0.05) {
                (arr_cents as f64 * 1.07).round() as i64 // an uplift typed in by the rep
            } else {
                arr_cents
            };
            let created = (!chance(r, miss))
                .then(|| days(renewal_date, -int(r, 120, 180)).min(days(end, -int(r, 1, 30))));
            opps.push(opp(
                ids,
                OpportunityKind::Renewal,
                amount,
                renewal_date,
                stage,
                OpportunityStatus::Open,
                p,
                fc,
                created,
            ));
        }
        let ue = 0.7 * view.engagement(last_day) + 0.3 * view.logins(last_day);
        if chance(r, sigmoid(-2.2 + ue)) {
            let close = days(end, int(r, 20, 180));
            let cents = (arr_cents as f64 * (0.1 + 0.25 * unif(r))).round() as i64;
            let (stage, fc, p) = if chance(r, 0.5) {
                ("Discovery", ForecastCategory::Pipeline, 0.2)
            } else {
                ("Proposal", ForecastCategory::BestCase, 0.5)
            };
            let c = (!chance(r, miss)).then(|| days(end, -int(r, 5, 90)));
            opps.push(opp(
                ids,
                OpportunityKind::Expansion,
                cents.max(100),
                close,
                stage,
                OpportunityStatus::Open,
                p,
                fc,
                c,
            ));
        }
    }

    // --- ARR snapshots (month ends) --------------------------------------------------------
    let mut arr_snapshots = Vec::new();
    let mut me = month_end(days(ctx.start, -1));
    while me < end {
        if me >= start_date {
            arr_snapshots.push(ArrSnapshot {
                account_id: id.clone(),
                date: me,
                arr: money(arr_at(&arr_history, me), currency),
            });
        }
        me = month_end(days(me, 1));
    }

    let account = Account {
        id: id.clone(),
        name,
        owner_csm: owner,
        segment: Some(SEGMENTS[seg].to_string()),
        tier: None,
        region: has_region.then(|| REGIONS[region].to_string()),
        industry: has_industry.then(|| industry.to_string()),
        plan: Some(plan.to_string()),
        arr: money(arr_cents, currency),
        seats: (!chance(r, miss)).then_some(seats as u32),
        start_date,
        renewal_date: Some(renewal_date),
        term_months: Some(12),
        attributes,
    };
    AccountData {
        account,
        contacts,
        roles,
        events,
        snapshots,
        tickets,
        surveys,
        meetings,
        milestones,
        opportunities: opps,
        arr_snapshots,
        outcomes,
    }
}

/// The value of a step history (ARR or seats, changing at renewals) on a day.
fn arr_at(history: &[(NaiveDate, i64)], d: NaiveDate) -> i64 {
    history
        .iter()
        .rev()
        .find(|(from, _)| *from <= d)
        .map_or(0, |(_, a)| *a)
}

// ---------------------------------------------------------------------------------------------
// Streaming CSV output.

struct CsvSink {
    dir: PathBuf,
    writers: Vec<(PathBuf, csv::Writer<BufWriter<fs::File>>)>,
    events: (PathBuf, BufWriter<fs::File>),
    day_cache: (i64, [u8; 10]),
}

/// Writer slots, in [`FILES`] order (usage events are written separately).
const W_ACCOUNTS: usize = 0;
const W_CONTACTS: usize = 1;
const W_ROLES: usize = 2;
const W_SNAPSHOTS: usize = 3;
const W_TICKETS: usize = 4;
const W_SURVEYS: usize = 5;
const W_MEETINGS: usize = 6;
const W_MILESTONES: usize = 7;
const W_OPPS: usize = 8;
const W_ARR: usize = 9;
const W_OUTCOMES: usize = 10;
const W_FX: usize = 11;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

fn o<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

impl CsvSink {
    fn create(dir: &Path) -> Result<CsvSink> {
        let mut writers = Vec::new();
        let mut events = None;
        for f in FILES {
            let path = dir.join(format!("{}.csv", f.stem));
            let file = fs::File::create(&path).map_err(io_err(&path))?;
            let buf = BufWriter::with_capacity(1 << 20, file);
            let mut header: Vec<String> = f.columns.iter().map(|c| c.name.to_string()).collect();
            if f.stem == "accounts" {
                header.extend(ATTRIBUTES.iter().map(|a| format!("attr.{a}")));
            }
            if f.stem == "usage_events" {
                let mut buf = buf;
                writeln!(buf, "{}", header.join(",")).map_err(io_err(&path))?;
                events = Some((path, buf));
                continue;
            }
            let mut w = csv::Writer::from_writer(buf);
            w.write_record(&header).map_err(csv_err(&path))?;
            writers.push((path, w));
        }
        let events = events.ok_or_else(|| Error::Format {
            file: "usage_events.csv".into(),
            reason: "the layout has no usage_events file".into(),
        })?;
        Ok(CsvSink {
            dir: dir.to_path_buf(),
            writers,
            events,
            day_cache: (i64::MIN, [b'0'; 10]),
        })
    }

    fn row(&mut self, slot: usize, fields: &[String]) -> Result<()> {
        let (path, w) = &mut self.writers[slot];
        w.write_record(fields).map_err(csv_err(path))
    }

    fn write_account(&mut self, d: &AccountData, counts: &mut BookCounts) -> Result<()> {
        let a = &d.account;
        let mut row = vec![
            a.id.clone(),
            a.name.clone(),
            o(&a.owner_csm),
            o(&a.segment),
            o(&a.tier),
            o(&a.region),
            o(&a.industry),
            o(&a.plan),
            a.arr.currency.to_string(),
            a.arr.amount.to_string(),
            o(&a.seats),
            a.start_date.to_string(),
            o(&a.renewal_date),
            o(&a.term_months),
        ];
        row.extend(
            ATTRIBUTES
                .iter()
                .map(|k| a.attributes.get(*k).cloned().unwrap_or_default()),
        );
        self.row(W_ACCOUNTS, &row)?;
        counts.accounts += 1;
        for c in &d.contacts {
            let row = [
                c.id.clone(),
                c.account_id.clone(),
                c.name.clone(),
                o(&c.email),
                o(&c.title),
            ];
            self.row(W_CONTACTS, &row)?;
        }
        counts.contacts += d.contacts.len();
        for c in &d.roles {
            let row = [
                c.contact_id.clone(),
                c.role.to_string(),
                c.added.to_string(),
                o(&c.removed),
            ];
            self.row(W_ROLES, &row)?;
        }
        counts.contact_roles += d.roles.len();
        self.write_events(&a.id, &d.events)?;
        counts.usage_events += d.events.len();
        for s in &d.snapshots {
            let row = [
                s.account_id.clone(),
                s.period_start.to_string(),
                s.period_end.to_string(),
                s.metric.clone(),
                s.value.map(|v| v.to_string()).unwrap_or_default(),
            ];
            self.row(W_SNAPSHOTS, &row)?;
        }
        counts.usage_snapshots += d.snapshots.len();
        for t in &d.tickets {
            let row = [
                t.id.clone(),
                t.account_id.clone(),
                t.opened.to_string(),
                o(&t.closed),
                t.priority.to_string(),
                t.status.to_string(),
                t.escalated.to_string(),
                o(&t.csat),
            ];
            self.row(W_TICKETS, &row)?;
        }
        counts.tickets += d.tickets.len();
        for s in &d.surveys {
            let row = [
                s.id.clone(),
                s.account_id.clone(),
                o(&s.contact_id),
                s.date.to_string(),
                s.kind.to_string(),
                s.score.to_string(),
                o(&s.comment),
            ];
            self.row(W_SURVEYS, &row)?;
        }
        counts.surveys += d.surveys.len();
        for m in &d.meetings {
            let roles: Vec<&str> = m.attendee_roles.iter().map(|r| r.as_str()).collect();
            let row = [
                m.id.clone(),
                m.account_id.clone(),
                m.kind.to_string(),
                m.date.to_string(),
                roles.join(";"),
            ];
            self.row(W_MEETINGS, &row)?;
        }
        counts.meetings += d.meetings.len();
        for m in &d.milestones {
            let row = [
                m.id.clone(),
                m.account_id.clone(),
                m.name.clone(),
                m.due.to_string(),
                o(&m.achieved),
            ];
            self.row(W_MILESTONES, &row)?;
        }
        counts.milestones += d.milestones.len();
        for p in &d.opportunities {
            let row = [
                p.id.clone(),
                p.account_id.clone(),
                p.kind.to_string(),
                p.amount.currency.to_string(),
                p.amount.amount.to_string(),
                p.close_date.to_string(),
                p.stage.clone(),
                p.status.to_string(),
                p.probability.to_string(),
                p.forecast_category.to_string(),
                o(&p.created),
            ];
            self.row(W_OPPS, &row)?;
        }
        counts.opportunities += d.opportunities.len();
        for s in &d.arr_snapshots {
            let row = [
                s.account_id.clone(),
                s.date.to_string(),
                s.arr.currency.to_string(),
                s.arr.amount.to_string(),
            ];
            self.row(W_ARR, &row)?;
        }
        counts.arr_snapshots += d.arr_snapshots.len();
        for x in &d.outcomes {
            let row = [
                x.id.clone(),
                x.account_id.clone(),
                x.renewal_date.to_string(),
                x.outcome.to_string(),
                x.arr_before.currency.to_string(),
                x.arr_before.amount.to_string(),
                x.arr_after.amount.to_string(),
            ];
            self.row(W_OUTCOMES, &row)?;
        }
        counts.renewal_outcomes += d.outcomes.len();
        Ok(())
    }

    /// Usage events, the bulk of the book: formatted by hand (no field ever needs quoting).
    fn write_events(&mut self, account: &str, events: &[Ev]) -> Result<()> {
        let mut line: Vec<u8> = Vec::with_capacity(64);
        let (path, w) = &mut self.events;
        for e in events {
            let day = e.ts.div_euclid(86_400);
            if day != self.day_cache.0 {
                let date = DateTime::<Utc>::from_timestamp(day * 86_400, 0)
                    .unwrap_or_default()
                    .date_naive()
                    .format("%Y-%m-%d")
                    .to_string();
                let mut b = [b'0'; 10];
                b.copy_from_slice(&date.as_bytes()[..10]);
                self.day_cache = (day, b);
            }
            let secs = e.ts.rem_euclid(86_400);
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            line.clear();
            line.extend_from_slice(account.as_bytes());
            line.extend_from_slice(b",u");
            push_uint(&mut line, e.user as u64 + 1);
            line.push(b',');
            line.extend_from_slice(FEATURES[e.feature as usize].as_bytes());
            line.push(b',');
            line.extend_from_slice(&self.day_cache.1);
            line.extend_from_slice(&[
                b'T',
                b'0' + (h / 10) as u8,
                b'0' + (h % 10) as u8,
                b':',
                b'0' + (m / 10) as u8,
                b'0' + (m % 10) as u8,
                b':',
                b'0' + (s / 10) as u8,
                b'0' + (s % 10) as u8,
                b'Z',
                b'\n',
            ]);
            w.write_all(&line).map_err(io_err(path))?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<PathBuf>> {
        let fx = fx_table();
        for (c, rate) in fx.rates() {
            let row = [
                c.to_string(),
                fx.reporting().to_string(),
                rate.to_string(),
                String::new(),
            ];
            self.row(W_FX, &row)?;
        }
        let CsvSink {
            dir,
            writers,
            events,
            ..
        } = self;
        let (path, mut w) = events;
        w.flush().map_err(io_err(&path))?;
        for (path, mut w) in writers {
            w.flush().map_err(io_err(&path))?;
        }
        Ok(FILES
            .iter()
            .map(|f| dir.join(format!("{}.csv", f.stem)))
            .collect())
    }
}

fn push_uint(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

// ---------------------------------------------------------------------------------------------
// Deliberately bad rows, for the sample book.

/// One deliberately bad row appended by [`append_bad_rows`], and the validation rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    /// The file, e.g. `tickets.csv`.
    pub file: String,
    /// Its line in the file (the header is line 1), as the validation report gives it.
    pub line: u64,
    /// The field the problem is reported on.
    pub field: String,
    /// The kind of problem validation reports.
    pub kind: ProblemKind,
    /// The rule the row breaks, in a few words.
    pub rule: String,
    /// The export mistake the row imitates.
    pub story: String,
}

/// Append a handful of realistic export mistakes to a book directory written by
/// [`generate_to_csv_dir`], one per validation rule: a duplicate account id, a negative ARR, a
/// ticket for an account that does not exist, a ticket closed before it opened, an unknown
/// priority, an NPS of 11, a usage event without a user, a malformed date and a probability
/// given in percent. Every other row stays valid, so a lenient load reports exactly these
/// problems. Returns what was appended, in order.
pub fn append_bad_rows(dir: impl AsRef<Path>) -> Result<Vec<BadRow>> {
    let dir = dir.as_ref();
    let accounts = read_table(&dir.join("accounts.csv"))?;
    let (hdr, rows) = &accounts;
    let col = |name: &str| hdr.iter().position(|h| h == name);
    let (Some(ci), Some(cs), Some(co)) = (col("id"), col("start_date"), col("owner_csm")) else {
        return Err(Error::Format {
            file: "accounts.csv".into(),
            reason: "expected id, start_date and owner_csm columns".into(),
        });
    };
    if rows.is_empty() {
        return Err(Error::Format {
            file: "accounts.csv".into(),
            reason: "the book has no accounts to build bad rows around".into(),
        });
    }
    let victim = &rows[41.min(rows.len() - 1)];
    let width = rows[0][ci].len().saturating_sub(2).max(5);
    let n = rows.len();
    let acct = |k: usize| rows[k.min(n - 1)][ci].clone();
    let latest_start = rows
        .iter()
        .filter_map(|r| r[cs].parse::<NaiveDate>().ok())
        .max()
        .unwrap_or_default();
    let day = |back: i64| days(latest_start, -back).to_string();
    let other_csm = rows
        .iter()
        .map(|r| r[co].clone())
        .find(|c| !c.is_empty() && *c != victim[co])
        .unwrap_or_else(|| "dana.reyes".into());
    let n_tickets = read_table(&dir.join("tickets.csv"))?.1.len();
    let n_surveys = read_table(&dir.join("surveys.csv"))?.1.len();
    let n_meetings = read_table(&dir.join("meetings.csv"))?.1.len();
    let n_opps = read_table(&dir.join("opportunities.csv"))?.1.len();
    let mut out = Vec::new();

    // 1. Duplicate account id: the same account exported twice after a CRM owner change.
    let mut dup: Vec<(String, String)> = hdr.iter().cloned().zip(victim.iter().cloned()).collect();
    dup[co].1 = other_csm;
    let line = append_row(dir, "accounts.csv", &dup)?;
    out.push(BadRow {
        file: "accounts.csv".into(),
        line,
        field: "id".into(),
        kind: ProblemKind::Duplicate,
        rule: "account ids are unique".into(),
        story: format!(
            "account {} exported a second time after an owner change in the CRM",
            victim[ci]
        ),
    });
    // 2. Negative ARR: a refund netted into the ARR field by the billing export.
    let new_id = format!("A-{:0width$}", n + 1);
    let line = append_fields(
        dir,
        "accounts.csv",
        &[
            ("id", new_id.clone()),
            ("name", "Harbor Point Dental Co.".into()),
            ("segment", "smb".into()),
            ("region", "NA".into()),
            ("plan", "starter".into()),
            ("currency", "USD".into()),
            ("arr", "-1250.00".into()),
            ("seats", "4".into()),
            ("start_date", day(200)),
            ("term_months", "12".into()),
        ],
    )?;
    out.push(BadRow {
        file: "accounts.csv".into(),
        line,
        field: "arr".into(),
        kind: ProblemKind::Negative,
        rule: "amounts are not negative".into(),
        story: format!("{new_id}: a refund netted into ARR by the billing export (-1250.00)"),
    });
    // 3. Unknown account: a ticket for an account merged away in the CRM.
    let ghost = format!("A-{:0width$}", n + 57);
    let line = append_fields(
        dir,
        "tickets.csv",
        &[
            ("id", format!("T-{:06}", n_tickets + 1)),
            ("account_id", ghost.clone()),
            ("opened", day(40)),
            ("closed", day(38)),
            ("priority", "normal".into()),
            ("status", "closed".into()),
            ("escalated", "false".into()),
        ],
    )?;
    out.push(BadRow {
        file: "tickets.csv".into(),
        line,
        field: "account_id".into(),
        kind: ProblemKind::UnknownReference,
        rule: "records refer to existing accounts".into(),
        story: format!("a ticket for {ghost}, an account merged away in the CRM"),
    });
    // 4. Closed before opened: the support desk swapped the two dates.
    let line = append_fields(
        dir,
        "tickets.csv",
        &[
            ("id", format!("T-{:06}", n_tickets + 2)),
            ("account_id", acct(6)),
            ("opened", day(12)),
            ("closed", day(14)),
            ("priority", "high".into()),
            ("status", "closed".into()),
            ("escalated", "false".into()),
            ("csat", "2".into()),
        ],
    )?;
    out.push(BadRow {
        file: "tickets.csv".into(),
        line,
        field: "closed".into(),
        kind: ProblemKind::DatesOutOfOrder,
        rule: "a ticket closes on or after it opens".into(),
        story: "opened and closed dates swapped by the support-desk export".into(),
    });
    // 5. Unknown priority: a value from another help desk's vocabulary.
    let line = append_fields(
        dir,
        "tickets.csv",
        &[
            ("id", format!("T-{:06}", n_tickets + 3)),
            ("account_id", acct(11)),
            ("opened", day(9)),
            ("priority", "critical".into()),
            ("status", "open".into()),
            ("escalated", "true".into()),
        ],
    )?;
    out.push(BadRow {
        file: "tickets.csv".into(),
        line,
        field: "priority".into(),
        kind: ProblemKind::UnknownValue,
        rule: "priority is one of low, normal, high, urgent".into(),
        story: "priority `critical` from a help desk with its own scale".into(),
    });
    // 6. NPS 11: a 1–11 answer scale mapped off by one.
    let line = append_fields(
        dir,
        "surveys.csv",
        &[
            ("id", format!("S-{:06}", n_surveys + 1)),
            ("account_id", acct(17)),
            ("date", day(20)),
            ("kind", "nps".into()),
            ("score", "11".into()),
            ("comment", "Would recommend to anyone".into()),
        ],
    )?;
    out.push(BadRow {
        file: "surveys.csv".into(),
        line,
        field: "score".into(),
        kind: ProblemKind::OutOfRange,
        rule: "an NPS score is 0–10".into(),
        story: "an NPS of 11 from a survey tool whose 1–11 scale was mapped off by one".into(),
    });
    // 7. Missing required field: an anonymous telemetry event.
    let line = append_fields(
        dir,
        "usage_events.csv",
        &[
            ("account_id", acct(2)),
            ("user_id", String::new()),
            ("feature", "login".into()),
            ("timestamp", format!("{}T08:15:02Z", day(3))),
        ],
    )?;
    out.push(BadRow {
        file: "usage_events.csv".into(),
        line,
        field: "user_id".into(),
        kind: ProblemKind::Missing,
        rule: "user_id is required".into(),
        story: "an anonymous (logged-out) event with no user id".into(),
    });
    // 8. Malformed date: a meeting date re-typed in a spreadsheet, US style.
    let us_date = days(latest_start, -30);
    let line = append_fields(
        dir,
        "meetings.csv",
        &[
            ("id", format!("M-{:06}", n_meetings + 1)),
            ("account_id", acct(23)),
            ("kind", "qbr".into()),
            (
                "date",
                format!(
                    "{:02}/{:02}/{}",
                    us_date.month(),
                    us_date.day(),
                    us_date.year()
                ),
            ),
            ("attendee_roles", "champion;admin".into()),
        ],
    )?;
    out.push(BadRow {
        file: "meetings.csv".into(),
        line,
        field: "date".into(),
        kind: ProblemKind::Malformed,
        rule: "dates are YYYY-MM-DD".into(),
        story: "a meeting date edited in a spreadsheet and saved as MM/DD/YYYY".into(),
    });
    // 9. Probability in percent: `85` where the CRM API would say 0.85.
    let close = days(latest_start, 90);
    let line = append_fields(
        dir,
        "opportunities.csv",
        &[
            ("id", format!("O-{:06}", n_opps + 1)),
            ("account_id", acct(29)),
            ("kind", "expansion".into()),
            ("currency", "USD".into()),
            ("amount", "12000.00".into()),
            ("close_date", close.to_string()),
            ("stage", "Negotiation".into()),
            ("status", "open".into()),
            ("probability", "85".into()),
            ("forecast_category", "commit".into()),
            ("created", day(10)),
        ],
    )?;
    out.push(BadRow {
        file: "opportunities.csv".into(),
        line,
        field: "probability".into(),
        kind: ProblemKind::OutOfRange,
        rule: "probability is 0–1".into(),
        story: "probability exported as a percentage (85) from a CRM report".into(),
    });
    Ok(out)
}

/// Header and rows of a CSV file.
fn read_table(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let fmt = |e: csv::Error| Error::Format {
        file: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(fmt)?;
    let hdr = rd
        .headers()
        .map_err(fmt)?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for rec in rd.records() {
        rows.push(rec.map_err(fmt)?.iter().map(String::from).collect());
    }
    Ok((hdr, rows))
}

/// Append a row given as (column, value) pairs in header order; returns its line number.
fn append_row(dir: &Path, file: &str, fields: &[(String, String)]) -> Result<u64> {
    let path = dir.join(file);
    let lines = {
        let f = fs::File::open(&path).map_err(io_err(&path))?;
        std::io::BufReader::new(f).lines().count() as u64
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields.iter().map(|(_, v)| v))
        .map_err(csv_err(&path))?;
    let bytes = w.into_inner().map_err(|e| Error::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(io_err(&path))?;
    f.write_all(&bytes).map_err(io_err(&path))?;
    Ok(lines + 1)
}

/// Append a row from named values; other columns are left empty.
fn append_fields(dir: &Path, file: &str, values: &[(&str, String)]) -> Result<u64> {
    let path = dir.join(file);
    let hdr: Vec<String> = csv::Reader::from_path(&path)
        .and_then(|mut r| Ok(r.headers()?.iter().map(String::from).collect()))
        .map_err(csv_err(&path))?;
    let fields: Vec<(String, String)> = hdr
        .iter()
        .map(|h| {
            let v = values
                .iter()
                .find(|(k, _)| k == h)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (h.clone(), v)
        })
        .collect();
    append_row(dir, file, &fields)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::book::{Book, LoadMode};
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
}
