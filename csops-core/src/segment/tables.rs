//! Segmentation as tables: each account's tier and owner, coverage per tier, each CSM's
//! load, the assignment's moves, what other rules would change, and the account table the
//! rules read.

use super::{Assignment, Coverage, Plan, Segmentation, TierRules, WhatIf};
use crate::Result;
use crate::condition::{Column, Table as Accounts};
use crate::options::Casing;
use crate::table::{Categories, Table, Values, pick};

/// The tables of a segmentation as shown (what Node's `book.segment` returns), by name.
pub const SEGMENTATION_TABLES: [&str; 3] = ["coverage", "csms", "assignment"];

/// The segmentation table called `name` ([`SEGMENTATION_TABLES`], written in `casing`).
pub fn segmentation(name: &str, casing: Casing, s: &Segmentation) -> Result<Table> {
    Ok(
        match pick("a segmentation", name, &SEGMENTATION_TABLES, casing)? {
            0 => coverage(&s.coverage),
            1 => csms(&s.coverage),
            _ => assignment(&s.coverage, &s.assignment),
        },
    )
}

/// The tiers in order (rule order, then the default): coverage lists every tier so.
fn tier_order(c: &Coverage) -> Vec<&str> {
    c.tiers.iter().map(|t| t.tier.as_str()).collect()
}

/// The text column `name` of the accounts, missing where absent.
fn text<'a>(accounts: &'a Accounts, name: &str) -> Vec<Option<&'a str>> {
    match accounts.columns.get(name) {
        Some(Column::Text(v)) => v.iter().map(Option::as_deref).collect(),
        _ => vec![None; accounts.rows],
    }
}

/// Each row's tier, as a category of the rules' tiers.
fn row_tiers(rules: &TierRules, plan: &Plan) -> Values {
    let names = rules.tiers();
    let tiers: Vec<Option<&str>> = plan.tiers.iter().map(|&t| names.get(t).copied()).collect();
    Values::Categories(Categories::of(&names, tiers, false))
}

/// Every account (row of the table segmented), in order: `account_id`, `arr` (former
/// customers have none and are tiered but not covered or assigned) and `tier`.
pub fn tiers(accounts: &Accounts, rules: &TierRules, plan: &Plan) -> Table {
    let arr = match accounts.columns.get("arr") {
        Some(Column::Number(v)) => v.clone(),
        _ => vec![f64::NAN; accounts.rows],
    };
    Table::new()
        .maybe_text("account_id", text(accounts, "id"))
        .numbers("arr", arr)
        .push("tier", row_tiers(rules, plan))
        .take()
}

/// One row per tier (rule order, then the default): `tier`, `accounts` and `arr`
/// (customers in it), `target` (`accounts_per_csm`, `arr_per_csm` or `pooled`), `ratio`
/// (missing when pooled), `csms` (FTE on the roster for it) and `needed` (CSMs it needs at
/// the target, whole people).
pub fn coverage(c: &Coverage) -> Table {
    let t = &c.tiers;
    Table::new()
        .tiers(
            "tier",
            &tier_order(c),
            t.iter().map(|t| Some(t.tier.as_str())),
        )
        .counts("accounts", t.iter().map(|t| t.accounts))
        .numbers("arr", t.iter().map(|t| t.arr))
        .text("target", t.iter().map(|t| t.capacity.kind()))
        .maybe_numbers("ratio", t.iter().map(|t| t.capacity.ratio()))
        .numbers("csms", t.iter().map(|t| t.csms))
        .numbers("needed", t.iter().map(|t| t.needed))
        .take()
}

/// One row per CSM on the roster, by name: `csm`, `tier` (served), `accounts` and `arr`
/// (owned customers), `red_accounts` (in the `red` band, when scored), `off_tier` (owned
/// accounts of another tier), `utilisation` (load against capacity, 1.0 = at the target)
/// and `status` (`over`, `under` below 80%, or `ok`).
pub fn csms(coverage: &Coverage) -> Table {
    let c = &coverage.csms;
    Table::new()
        .text("csm", c.iter().map(|c| &c.csm))
        .tiers(
            "tier",
            &tier_order(coverage),
            c.iter().map(|c| Some(c.tier.as_str())),
        )
        .counts("accounts", c.iter().map(|c| c.accounts))
        .numbers("arr", c.iter().map(|c| c.arr))
        .counts("red_accounts", c.iter().map(|c| c.red_accounts))
        .counts("off_tier", c.iter().map(|c| c.off_tier))
        .numbers("utilisation", c.iter().map(|c| c.utilisation))
        .text("status", c.iter().map(|c| &c.status))
        .take()
}

/// Every move of the assignment plan, largest ARR first: `account_id`, `tier`, `from` and
/// `to` (owners before and after; `to` missing when released to the pool or not placed)
/// and `reason`.
pub fn assignment(coverage: &Coverage, a: &Assignment) -> Table {
    let m = &a.moves;
    Table::new()
        .text("account_id", m.iter().map(|m| &m.account_id))
        .tiers(
            "tier",
            &tier_order(coverage),
            m.iter().map(|m| Some(m.tier.as_str())),
        )
        .maybe_text("from", m.iter().map(|m| m.from.as_deref()))
        .maybe_text("to", m.iter().map(|m| m.to.as_deref()))
        .text("reason", m.iter().map(|m| &m.reason))
        .take()
}

/// Every account (row), in order, after the plan: `account_id`, `tier`, `owner_csm`
/// (before) and `owner` (after; missing when pooled or not placed).
pub fn owners(accounts: &Accounts, rules: &TierRules, plan: &Plan) -> Table {
    Table::new()
        .maybe_text("account_id", text(accounts, "id"))
        .push("tier", row_tiers(rules, plan))
        .maybe_text("owner_csm", text(accounts, "owner_csm"))
        .maybe_text("owner", plan.assignment.owners.iter().map(Option::as_deref))
        .take()
}

/// The accounts other rules would move: `account_id`, `before`, `after` (tiers).
pub fn changes(w: &WhatIf) -> Table {
    let c = &w.changes;
    Table::new()
        .text("account_id", c.iter().map(|c| &c.account_id))
        .text("before", c.iter().map(|c| &c.before))
        .text("after", c.iter().map(|c| &c.after))
        .take()
}

/// Per tier of either rules: `tier`, `accounts_before`, `accounts_after`,
/// `needed_before`, `needed_after` (CSMs at the target ratio).
pub fn tier_shifts(w: &WhatIf) -> Table {
    let t = &w.tiers;
    Table::new()
        .text("tier", t.iter().map(|t| &t.tier))
        .counts("accounts_before", t.iter().map(|t| t.accounts_before))
        .counts("accounts_after", t.iter().map(|t| t.accounts_after))
        .numbers("needed_before", t.iter().map(|t| t.needed_before))
        .numbers("needed_after", t.iter().map(|t| t.needed_after))
        .take()
}

/// The order of an account table's columns: the account's own fields, custom attributes,
/// features, health, then anything else.
const ACCOUNT_FIELDS: [&str; 15] = [
    "id",
    "name",
    "owner_csm",
    "segment",
    "tier",
    "region",
    "industry",
    "plan",
    "currency",
    "arr",
    "seats",
    "term_months",
    "start_date",
    "renewal_date",
    "days_to_renewal",
];

/// The account table ([`super::account_table`]) in reading order: the account's own
/// fields, custom attributes (`attr.<name>`), the features (in `feature_names`' order),
/// `score`, `band` and `coverage`, then anything else.
pub fn account_table(accounts: &Accounts, feature_names: &[String]) -> Table {
    let attrs = accounts
        .columns
        .keys()
        .map(String::as_str)
        .filter(|k| k.starts_with("attr."));
    let candidates = ACCOUNT_FIELDS
        .iter()
        .copied()
        .chain(attrs)
        .chain(feature_names.iter().map(String::as_str))
        .chain(["score", "band", "coverage"])
        .chain(accounts.columns.keys().map(String::as_str));
    let mut order: Vec<&str> = Vec::new();
    for name in candidates {
        if accounts.columns.contains_key(name) && !order.contains(&name) {
            order.push(name);
        }
    }
    let mut t = Table::new();
    for name in order {
        match &accounts.columns[name] {
            Column::Number(v) => t.numbers(name, v.iter().copied()),
            Column::Text(v) => t.maybe_text(name, v.iter().map(Option::as_deref)),
            Column::Bool(v) => t.maybe_flags(name, v.iter().copied()),
        };
    }
    t
}
