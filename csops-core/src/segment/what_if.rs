//! What-if: the same accounts under other tier rules, before and after, account by account
//! and tier by tier, with the headcount each set of rules implies.

use serde::{Deserialize, Serialize};

use super::{Coverage, CoverageModel, TierRules, coverage, text_col};
use crate::Result;

use crate::condition::{Condition, GivenTable, Table};

/// What a change of tier rules does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct WhatIf {
    /// Accounts changing tier, in row order.
    pub changes: Vec<TierChange>,
    /// Every tier of either rules (those before first).
    pub tiers: Vec<TierShift>,
}

/// An account changing tier under other rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct TierChange {
    /// The account.
    pub account_id: String,
    /// Its tier under the rules before.
    pub before: String,
    /// Its tier under the rules after.
    pub after: String,
}

/// A tier under the rules before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct TierShift {
    /// The tier.
    pub tier: String,
    /// Customers in it before.
    pub accounts_before: u64,
    /// Customers in it after.
    pub accounts_after: u64,
    /// CSMs it needs before (at the model's target ratio, whole people).
    pub needed_before: f64,
    /// CSMs it needs after.
    pub needed_after: f64,
}

/// Compare two sets of tier rules on the same table and coverage model.
pub fn what_if(
    table: &Table,
    before: &TierRules,
    after: &TierRules,
    model: &CoverageModel,
) -> Result<WhatIf> {
    let (tb, ta) = (before.assign(table)?, after.assign(table)?);
    let (nb, na) = (before.tiers(), after.tiers());
    let ids = text_col(table, "id")?;
    let changes = (0..table.rows)
        .filter(|&i| nb[tb[i]] != na[ta[i]])
        .map(|i| TierChange {
            account_id: ids[i].clone().unwrap_or_default(),
            before: nb[tb[i]].to_string(),
            after: na[ta[i]].to_string(),
        })
        .collect();
    let cb = coverage(table, &tb, before, model, &[])?;
    let ca = coverage(table, &ta, after, model, &[])?;
    let mut names: Vec<&str> = nb.clone();
    for t in &na {
        if !names.contains(t) {
            names.push(t);
        }
    }
    let get = |c: &Coverage, t: &str| {
        c.tiers
            .iter()
            .find(|x| x.tier == t)
            .map_or((0, 0.0), |x| (x.accounts, x.needed))
    };
    let tiers = names
        .iter()
        .map(|t| {
            let (b, nb) = get(&cb, t);
            let (a, na) = get(&ca, t);
            TierShift {
                tier: t.to_string(),
                accounts_before: b,
                accounts_after: a,
                needed_before: nb,
                needed_after: na,
            }
        })
        .collect();
    Ok(WhatIf { changes, tiers })
}

/// [`what_if`] on a table as a user gave it ([`GivenTable`]): both sets of rules checked
/// against every column name given, columns with no value typed by the rules.
pub fn what_if_given(
    given: &GivenTable,
    before: &TierRules,
    after: &TierRules,
    model: &CoverageModel,
) -> Result<WhatIf> {
    let given = &super::plan::with_account_ids(given);
    let conditions: Vec<&Condition> = before
        .rules
        .iter()
        .chain(&after.rules)
        .map(|r| &r.when)
        .collect();
    let table = given.ready(&conditions, &[])?;
    let schema = given.schema(&table);
    before.validate(&schema)?;
    after.validate(&schema)?;
    what_if(&table, before, after, model)
}
