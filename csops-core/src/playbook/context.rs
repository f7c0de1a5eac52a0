//! What a run sees: its context (the scorecard, the feature definitions, the accounts it is
//! for) and the table of fields plays read on a day.

use chrono::NaiveDate;

use crate::Result;
use crate::book::Book;
use crate::condition::Table;
use crate::features::{FeatureConfig, features_as_of};
use crate::health::Scorecard;
use crate::segment::account_table;

/// How to run plays.
#[derive(Debug, Clone, Default)]
pub struct RunContext<'a> {
    /// The scorecard that gives `score` and `band` (none: those fields are absent).
    pub scorecard: Option<&'a Scorecard>,
    /// Feature definitions.
    pub features: FeatureConfig,
    /// Run for these accounts only (by id; `None`: every account), as a webhook does when one
    /// account's record changed. The table is still derived for the whole book (percentile
    /// measures need it), but only these accounts can fire, and the rest of the history is left
    /// as it was: the run does not move `last_run` (the next full run still sees the day's
    /// events of other accounts; the day's fires for these accounts stay once-a-day), and it
    /// does not start a crossing play's state (a play's first full run does).
    pub accounts: Option<&'a [String]>,
    /// Called for each day of a replay; answering stop ends it with
    /// [`crate::Error::Cancelled`] (see [`crate::progress`]).
    pub progress: crate::progress::ProgressHook,
}

/// The fields plays can use on `day` (the account table with features and scores).
pub fn play_table(book: &Book, day: NaiveDate, ctx: &RunContext<'_>) -> Result<Table> {
    let frame = features_as_of(book, day, &ctx.features)?;
    let scores = match ctx.scorecard {
        Some(c) => Some(c.score_frame(&frame, None)?),
        None => None,
    };
    account_table(book, day, Some(&frame), scores.as_ref())
}
