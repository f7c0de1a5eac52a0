//! The whole segmentation in one call: the account table of a book on a day, then tiers,
//! the roster, coverage and the assignment plan, in the order the main job runs them. Python's
//! `segment_table` / `Book.segment` and Node's `segmentColumns` / `book.segment` are each this
//! one call, so they check and decide alike.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    Assignment, Coverage, CoverageModel, Csm, TierRules, account_table, assign, coverage,
    roster_from_owners,
};
use crate::book::Book;
use crate::condition::{Condition, GivenTable, Kind, Schema, Table};
use crate::features::{FeatureConfig, features_as_of};
use crate::health::Scorecard;
use crate::{Error, Result};

/// Tiers, roster, coverage and assignment of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Each row's tier, as an index into [`TierRules::tiers`].
    pub tiers: Vec<usize>,
    /// The CSMs coverage and assignment used.
    pub roster: Vec<Csm>,
    /// Whether the roster was inferred from the owners ([`roster_from_owners`]) rather than
    /// given.
    pub roster_inferred: bool,
    /// Headcount and load.
    pub coverage: Coverage,
    /// Who should own what.
    pub assignment: Assignment,
}

/// An account with its tier by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct AccountTier {
    /// The account (its `id`).
    pub account_id: String,
    /// Its tier.
    pub tier: String,
}

/// A [`Plan`] as it is shown: each account with its tier by name, the roster, coverage and
/// assignment. What the Python and Node packages hand out as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Segmentation {
    /// Every account's tier, row by row (the table's order).
    pub tiers: Vec<AccountTier>,
    /// The roster used: the one given, or the one implied by the accounts' owners (every
    /// owner, serving the tier most of their accounts are in, full-time).
    pub roster: Vec<Csm>,
    /// Whether that roster was inferred from the owners rather than given.
    pub roster_inferred: bool,
    /// Coverage: per tier, per CSM, unknown owners, unowned customers.
    pub coverage: Coverage,
    /// Assignment: the moves that place accounts with CSMs of their tier within capacity.
    pub assignment: Assignment,
}

impl Plan {
    /// The plan of `table` under `rules` as it is shown: each row's account id (the table's
    /// `id` column, which segmentation requires) with its tier's name.
    pub fn segmentation(&self, table: &Table, rules: &TierRules) -> Result<Segmentation> {
        let ids = super::text_col(table, "id")?;
        let names = rules.tiers();
        Ok(Segmentation {
            tiers: ids
                .iter()
                .zip(&self.tiers)
                .map(|(id, &t)| AccountTier {
                    account_id: id.clone().unwrap_or_default(),
                    tier: names[t].to_string(),
                })
                .collect(),
            roster: self.roster.clone(),
            roster_inferred: self.roster_inferred,
            coverage: self.coverage.clone(),
            assignment: self.assignment.clone(),
        })
    }
}

/// The fields coverage and assignment read, with their kinds: a column of one of them given
/// with no value at all takes this kind.
pub const COVERAGE_FIELDS: [(&str, Kind); 4] = [
    ("id", Kind::Text),
    ("arr", Kind::Number),
    ("owner_csm", Kind::Text),
    ("band", Kind::Text),
];

/// [`plan`] of a table as a user gave it ([`GivenTable`]): the rules checked against every
/// column name given, and columns with no value typed by the rules and by what coverage reads
/// ([`COVERAGE_FIELDS`]). Returns the table the plan was made on with the plan.
pub fn plan_given(
    given: &GivenTable,
    rules: &TierRules,
    model: &CoverageModel,
    roster: Option<Vec<Csm>>,
) -> Result<(Table, Plan)> {
    let given = &with_account_ids(given);
    let conditions: Vec<&Condition> = rules.rules.iter().map(|r| &r.when).collect();
    let present: Vec<(&str, Kind)> = COVERAGE_FIELDS
        .iter()
        .filter(|(f, _)| given.names.iter().any(|n| n == f))
        .copied()
        .collect();
    let table = given.ready(&conditions, &present)?.into_owned();
    let schema = given.schema(&table);
    let plan = plan_with_schema(&table, &schema, rules, model, roster)?;
    Ok((table, plan))
}

/// The table with its account ids as `id`: a table given with an `account_id` column and no
/// `id` one (as a scored frame is) has its ids there.
pub(super) fn with_account_ids(given: &GivenTable) -> Cow<'_, GivenTable> {
    let has = |n: &str| given.table.columns.contains_key(n) || given.missing.contains(n);
    if has("id") || !given.table.columns.contains_key("account_id") {
        return Cow::Borrowed(given);
    }
    let mut t = given.clone();
    let ids = t.table.columns["account_id"].clone();
    t.table.columns.insert("id".to_string(), ids);
    t.name("id");
    Cow::Owned(t)
}

/// Segment a table: check the rules against its fields (every problem at once, with
/// suggestions), tier every row, take the roster given or infer it from the owners (each
/// serving the tier most of their accounts are in), then coverage and assignment.
pub fn plan(
    table: &Table,
    rules: &TierRules,
    model: &CoverageModel,
    roster: Option<Vec<Csm>>,
) -> Result<Plan> {
    plan_with_schema(table, &table.schema(), rules, model, roster)
}

/// [`plan`], checking the rules against `schema` instead of the table's own fields: a caller
/// that read only the columns the rules use passes the names of all the input's columns, so
/// an unknown field gets a "did you mean" from every one of them.
pub fn plan_with_schema(
    table: &Table,
    schema: &Schema,
    rules: &TierRules,
    model: &CoverageModel,
    roster: Option<Vec<Csm>>,
) -> Result<Plan> {
    crate::fault::checkpoint("segment::plan");
    rules.validate(schema)?;
    let tiers = rules.assign(table)?;
    let roster_inferred = roster.is_none();
    let roster = roster.unwrap_or_else(|| roster_from_owners(table, &tiers, rules));
    let coverage = coverage(table, &tiers, rules, model, &roster)?;
    let assignment = assign(table, &tiers, rules, model, &roster)?;
    Ok(Plan {
        tiers,
        roster,
        roster_inferred,
        coverage,
        assignment,
    })
}

/// The account table of a book on `as_of` ([`account_table`]): with the day's features when
/// `features` is given, and their health scores and bands when a `scorecard` is given too (a
/// scorecard without features is an [`Error::Config`]: it scores features).
pub fn book_table(
    book: &Book,
    as_of: NaiveDate,
    features: Option<&FeatureConfig>,
    scorecard: Option<&Scorecard>,
) -> Result<Table> {
    let frame = features
        .map(|cfg| features_as_of(book, as_of, cfg))
        .transpose()?;
    let scores = match (scorecard, &frame) {
        (Some(card), Some(frame)) => Some(card.score_frame(frame, None)?),
        (Some(_), None) => {
            return Err(Error::Config(vec![
                "a scorecard scores features: leave `features` on to use `scorecard`".into(),
            ]));
        }
        (None, _) => None,
    };
    account_table(book, as_of, frame.as_ref(), scores.as_ref())
}
