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
//!
//! [`ChaCha8Rng`]: rand_chacha::ChaCha8Rng

mod account;
mod bad_rows;
mod config;
mod context;
mod csv_sink;
mod helpers;
mod model;
mod people;
#[cfg(test)]
mod tests;
mod vocabulary;

use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::book::{BookCounts, Records};
use crate::error::{Error, Result};
use crate::record::*;

use account::gen_account;
pub use bad_rows::{BadRow, append_bad_rows};
pub use config::{Summary, SynthConfig};
use context::{Ctx, Ids};
use csv_sink::CsvSink;
use helpers::fx_table;
use model::FEATURES;

/// The key features whose adoption is "feature breadth": the default of
/// [`crate::features::FeatureConfig::key_features`], so the generated book and the default
/// features agree.
pub const KEY_FEATURES: &[&str] = crate::features::DEFAULT_KEY_FEATURES;

/// A synthetic book, as the bindings make one (`csops.generate_book`, `generateBook`): the
/// configuration is checked first (every problem at once, as [`SynthConfig::validate`]), then
/// the records are generated and assembled into a book as a strict load would (a generated
/// book has no problems, so its report is clean).
pub fn book(cfg: &SynthConfig) -> Result<crate::interchange::Loaded> {
    cfg.validate()?;
    let (book, report) =
        crate::book::Book::from_records(generate(cfg), crate::book::LoadMode::Strict)?;
    Ok(crate::interchange::Loaded { book, report })
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
