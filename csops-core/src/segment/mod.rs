//! Segmentation and coverage: which accounts get which kind of attention, and who gives it.
//!
//! **Tiers** draw the segmentation lines: high-touch accounts get a named CSM with a small
//! book, tech-touch accounts share one with many others, digital (pooled) accounts are served
//! by a pool and automation. [`TierRules`] is an ordered list of conditions in the
//! [condition language](crate::condition) ("`arr >= 100000 and region in ["EMEA"]`"); the first
//! rule an account matches gives its tier, and accounts matching none fall to the default tier.
//! Rules are data (JSON or TOML) and are checked when loaded: every rule's condition parses and
//! names only known fields.
//!
//! Only customers count: accounts with ARR on the day. Former customers keep their tier in
//! the table but are neither covered nor assigned.
//!
//! **Coverage** sets, per tier, a target ratio: accounts per CSM, ARR per CSM, or pooled. From
//! the book it works out the headcount each tier needs, each CSM's load (accounts, ARR, red
//! accounts) against their capacity, and who is over or under.
//!
//! **Assignment** places accounts that have no owner, or whose owner serves another tier, or
//! whose owner is over capacity, with CSMs of the right tier who have room: the largest
//! accounts first, each to the least-loaded CSM (balancing count and ARR), keeping every owner
//! who is right and within capacity (stability). It is deterministic, reports every move with
//! its reason, and running it again moves nothing.
//!
//! **What-if**: change a threshold and see which accounts change tier and what happens to the
//! headcount each tier needs.

mod coverage;
mod plan;
mod render;
pub mod tables;
mod what_if;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::condition::{Column, Condition, GivenTable, Schema, Table};
use crate::features::FeatureFrame;
use crate::health::ScoreFrame;
use crate::retention::ArrHistory;
use crate::{Error, Result};
pub use coverage::{
    Capacity, Coverage, CoverageModel, Csm, CsmLoad, TierCoverage, UnknownOwner, coverage,
    roster_from_owners,
};
use coverage::{customer, load_of, num_col, text_col};
pub use plan::{
    AccountTier, COVERAGE_FIELDS, Plan, Segmentation, book_table, plan, plan_given,
    plan_with_schema,
};
pub use render::describe_target;
pub use what_if::{TierChange, TierShift, WhatIf, what_if, what_if_given};

/// One tier rule: accounts matching `when` (and no earlier rule) are in `tier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "TierRuleJson"))]
pub struct TierRule {
    /// The tier.
    pub tier: String,
    /// The condition: its text form (as it is written back), its structured form, or (in
    /// Node) a `Condition`.
    #[cfg_attr(
        feature = "typescript",
        ts(type = "string | ConditionJson | Condition")
    )]
    pub when: Condition,
}

/// Ordered tier rules, first match wins, with a default tier (snake_case keys in every
/// language, as in configuration files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "TierRulesJson")
)]
pub struct TierRules {
    /// Version of this configuration format (1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>", optional))]
    pub schema_version: u32,
    /// The rules, in order.
    pub rules: Vec<TierRule>,
    /// The tier of accounts no rule matches.
    pub default_tier: String,
}

fn one() -> u32 {
    1
}

impl TierRules {
    /// The defaults: high-touch from $100k ARR, mid-touch from $25k, tech-touch from $5k,
    /// digital (pooled) below. ARR thresholds are in the book's reporting currency.
    pub fn default_rules() -> Self {
        let rule = |tier: &str, when: &str| TierRule {
            tier: tier.into(),
            when: when.parse().expect("default rules parse"),
        };
        TierRules {
            schema_version: 1,
            rules: vec![
                rule("high_touch", "arr >= 100000"),
                rule("mid_touch", "arr >= 25000"),
                rule("tech_touch", "arr >= 5000"),
            ],
            default_tier: "digital".into(),
        }
    }

    /// Read from JSON, with every check that needs no table (see [`TierRules::check`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let rules: Self = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("tier rules: {e}")]))?;
        rules.check()?;
        Ok(rules)
    }

    /// A tier rules from its `.toml` or `.json` file ([`crate::options::load_file`]).
    pub fn load(path: &std::path::Path) -> Result<Self> {
        crate::options::load_file("tier rules", path, Self::from_json, Self::from_toml)
    }

    /// Read from TOML, with every check that needs no table (see [`TierRules::check`]).
    pub fn from_toml(text: &str) -> Result<Self> {
        let rules: Self =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("tier rules: {e}")]))?;
        rules.check()?;
        Ok(rules)
    }

    /// Every check that needs no table, all problems at once: the rules checked against the
    /// schema their own conditions imply ([`Schema::implied_by`]), which finds unnamed tiers,
    /// an unsupported version and a field compared as a number in one rule and as text in
    /// another. Loading runs it; [`TierRules::validate`] checks the fields against a table.
    pub fn check(&self) -> Result<()> {
        crate::fault::checkpoint("TierRules::check");
        self.validate(&Schema::implied_by(self.rules.iter().map(|r| &r.when)))
    }

    /// Write as JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Config(vec![e.to_string()]))
    }

    /// Write as TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Config(vec![e.to_string()]))
    }

    /// The tiers, in rule order, then the default (each once).
    pub fn tiers(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in self
            .rules
            .iter()
            .map(|r| r.tier.as_str())
            .chain([self.default_tier.as_str()])
        {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// Check every rule against the fields available: all problems at once.
    pub fn validate(&self, schema: &Schema) -> Result<()> {
        let mut p = Vec::new();
        if self.schema_version != 1 {
            p.push(format!(
                "schema_version {} is not supported (1)",
                self.schema_version
            ));
        }
        if self.default_tier.trim().is_empty() {
            p.push("the default tier has no name".into());
        }
        for (i, r) in self.rules.iter().enumerate() {
            if r.tier.trim().is_empty() {
                p.push(format!("rule {}: the tier has no name", i + 1));
            }
            if let Err(Error::Config(e)) = schema.check(&r.when) {
                p.extend(
                    e.into_iter()
                        .map(|e| format!("rule {} ({}): {e}", i + 1, r.tier)),
                );
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }

    /// The tier of every row of a table as a user gave it ([`GivenTable`]): the rules are
    /// checked against every column name given (so an unknown field gets a suggestion from
    /// all of them), columns with no value take the kind the rules compare them with.
    pub fn assign_given(&self, given: &GivenTable) -> Result<Vec<usize>> {
        let conditions: Vec<&Condition> = self.rules.iter().map(|r| &r.when).collect();
        let table = given.ready(&conditions, &[])?;
        self.validate(&given.schema(&table))?;
        self.assign(&table)
    }

    /// The tier of every row of `table`, as an index into [`TierRules::tiers`].
    pub fn assign(&self, table: &Table) -> Result<Vec<usize>> {
        crate::fault::checkpoint("TierRules::assign");
        self.validate(&table.schema())?;
        let tiers = self.tiers();
        let index = |t: &str| tiers.iter().position(|x| *x == t).expect("tier listed");
        let mut out = vec![usize::MAX; table.rows];
        for r in &self.rules {
            let hit = table.filter(&r.when)?;
            let t = index(&r.tier);
            for (o, h) in out.iter_mut().zip(hit) {
                if *o == usize::MAX && h {
                    *o = t;
                }
            }
        }
        let d = index(&self.default_tier);
        for o in &mut out {
            if *o == usize::MAX {
                *o = d;
            }
        }
        Ok(out)
    }
}

/// The accounts of a book as a [`Table`] for conditions, one row per account (book order):
///
/// | field | kind | meaning |
/// |---|---|---|
/// | `id`, `name`, `owner_csm`, `segment`, `tier`, `region`, `industry`, `plan`, `currency` | text | account fields (`tier` is the one recorded in the CRM) |
/// | `arr` | number | ARR on `as_of`, in the reporting currency |
/// | `seats`, `term_months` | number | |
/// | `start_date`, `renewal_date` | text | `YYYY-MM-DD`; `renewal_date` is the next one on or after `as_of` |
/// | `days_to_renewal` | number | days from `as_of` to it |
/// | `attr.<name>` | text | custom attributes |
/// | each feature column | number | from `features`, when given (matched by account id) |
/// | `score`, `coverage` | number; `band` text | from `scores` (rows of `features`), when given |
pub fn account_table(
    book: &Book,
    as_of: NaiveDate,
    features: Option<&FeatureFrame>,
    scores: Option<&ScoreFrame>,
) -> Result<Table> {
    let accounts = book.accounts();
    let n = accounts.len();
    let history = ArrHistory::from_book(book)?;
    let text = |f: &dyn Fn(&crate::record::Account) -> Option<String>| {
        Column::Text(accounts.iter().map(f).collect())
    };
    let mut t = Table {
        rows: n,
        ..Default::default()
    };
    t.insert("id", text(&|a| Some(a.id.clone())))?;
    t.insert("name", text(&|a| Some(a.name.clone())))?;
    t.insert("owner_csm", text(&|a| a.owner_csm.clone()))?;
    t.insert("segment", text(&|a| a.segment.clone()))?;
    t.insert("tier", text(&|a| a.tier.clone()))?;
    t.insert("region", text(&|a| a.region.clone()))?;
    t.insert("industry", text(&|a| a.industry.clone()))?;
    t.insert("plan", text(&|a| a.plan.clone()))?;
    t.insert(
        "currency",
        text(&|a| Some(a.arr.currency.code().to_string())),
    )?;
    t.insert("start_date", text(&|a| Some(a.start_date.to_string())))?;
    let renewal: Vec<Option<NaiveDate>> = accounts
        .iter()
        .map(|a| a.next_renewal_on_or_after(as_of))
        .collect();
    t.insert(
        "renewal_date",
        Column::Text(renewal.iter().map(|d| d.map(|d| d.to_string())).collect()),
    )?;
    t.insert(
        "days_to_renewal",
        Column::Number(
            renewal
                .iter()
                .map(|d| d.map_or(f64::NAN, |d| (d - as_of).num_days() as f64))
                .collect(),
        ),
    )?;
    t.insert(
        "arr",
        Column::Number(
            (0..n)
                .map(|a| history.arr_on(a, as_of).to_f64().unwrap_or(f64::NAN))
                .collect(),
        ),
    )?;
    t.insert(
        "seats",
        Column::Number(
            accounts
                .iter()
                .map(|a| a.seats.map_or(f64::NAN, f64::from))
                .collect(),
        ),
    )?;
    t.insert(
        "term_months",
        Column::Number(
            accounts
                .iter()
                .map(|a| a.term_months.map_or(f64::NAN, f64::from))
                .collect(),
        ),
    )?;
    let attrs: BTreeSet<&str> = accounts
        .iter()
        .flat_map(|a| a.attributes.keys().map(String::as_str))
        .collect();
    for k in attrs {
        t.insert(
            &format!("attr.{k}"),
            text(&|a| a.attributes.get(k).cloned()),
        )?;
    }
    if let Some(frame) = features {
        let row: BTreeMap<&str, usize> = frame
            .account_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let at: Vec<Option<usize>> = accounts
            .iter()
            .map(|a| row.get(a.id.as_str()).copied())
            .collect();
        for c in &frame.columns {
            t.insert(
                &c.name,
                Column::Number(
                    at.iter()
                        .map(|r| r.map_or(f64::NAN, |r| c.values[r]))
                        .collect(),
                ),
            )?;
        }
        if let Some(s) = scores {
            if s.scores.len() != frame.len() {
                return Err(Error::Config(vec![format!(
                    "{} scores for a frame of {} accounts",
                    s.scores.len(),
                    frame.len()
                )]));
            }
            t.insert(
                "score",
                Column::Number(
                    at.iter()
                        .map(|r| r.map_or(f64::NAN, |r| s.scores[r]))
                        .collect(),
                ),
            )?;
            t.insert(
                "coverage",
                Column::Number(
                    at.iter()
                        .map(|r| r.map_or(f64::NAN, |r| s.coverage[r]))
                        .collect(),
                ),
            )?;
            t.insert(
                "band",
                Column::Text(
                    at.iter()
                        .map(|r| r.and_then(|r| s.band(r)).map(str::to_string))
                        .collect(),
                ),
            )?;
        }
    } else if scores.is_some() {
        return Err(Error::Config(vec![
            "scores need the feature frame they were computed on".into(),
        ]));
    }
    Ok(t)
}

/// One account placed (or moved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "AccountMove")
)]
pub struct Move {
    /// The account.
    pub account_id: String,
    /// Its tier.
    pub tier: String,
    /// Owner before.
    pub from: Option<String>,
    /// Owner after (`None`: moved to the pool, or could not be placed; see `reason`).
    pub to: Option<String>,
    /// Why it moved.
    pub reason: String,
}

/// The result of an assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Assignment {
    /// The owner of every row after assignment (`None`: pooled, or not placed).
    pub owners: Vec<Option<String>>,
    /// Every change, largest ARR first.
    pub moves: Vec<Move>,
    /// Accounts that could not be placed (also listed in `moves`, with `to: None` and a
    /// reason saying so).
    pub unplaced: u64,
}

/// Place accounts with CSMs of their tier within capacity (see the module documentation).
pub fn assign(
    table: &Table,
    tiers: &[usize],
    rules: &TierRules,
    model: &CoverageModel,
    roster: &[Csm],
) -> Result<Assignment> {
    model.validate(rules)?;
    let names = rules.tiers();
    let arr = num_col(table, "arr")?;
    let owner = text_col(table, "owner_csm")?;
    let ids = text_col(table, "id")?;
    if tiers.len() != table.rows {
        return Err(Error::Config(vec![format!(
            "{} tiers for {} rows",
            tiers.len(),
            table.rows
        )]));
    }
    let mut p = Vec::new();
    let mut seen = BTreeSet::new();
    for c in roster {
        if !model.tiers.contains_key(&c.tier) {
            p.push(format!(
                "CSM `{}`: tier `{}` has no coverage target",
                c.name, c.tier
            ));
        }
        if !(c.fte > 0.0 && c.fte.is_finite()) {
            p.push(format!(
                "CSM `{}`: fte must be positive, not {}",
                c.name, c.fte
            ));
        }
        if !seen.insert(c.name.as_str()) {
            p.push(format!("CSM `{}` is on the roster twice", c.name));
        }
    }
    if !p.is_empty() {
        return Err(Error::Config(p));
    }
    let arr_of = |i: usize| if arr[i].is_nan() { 0.0 } else { arr[i] };
    // Order: largest ARR first, then id, so the result is deterministic and big accounts get
    // first pick of capacity.
    // (The same order as a stable sort by (ARR, id): sorted by ARR and row first, then each
    // run of equal ARR by id and row, so ids are compared only between ties.)
    let mut order: Vec<usize> = (0..table.rows).collect();
    order.sort_unstable_by(|&a, &b| arr_of(b).total_cmp(&arr_of(a)).then(a.cmp(&b)));
    for tied in order.chunk_by_mut(|&a, &b| arr_of(a).total_cmp(&arr_of(b)).is_eq()) {
        if tied.len() > 1 {
            tied.sort_unstable_by(|&a, &b| ids[a].cmp(&ids[b]).then(a.cmp(&b)));
        }
    }
    struct Load {
        accounts: f64,
        arr: f64,
    }
    let mut load: Vec<Load> = roster
        .iter()
        .map(|_| Load {
            accounts: 0.0,
            arr: 0.0,
        })
        .collect();
    let index: HashMap<&str, usize> = roster
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    // Looked up once: each tier's target, and each CSM's target and tier (index into `names`).
    let tier_cap: Vec<Capacity> = names.iter().map(|t| model.tiers[*t]).collect();
    let cap: Vec<Capacity> = roster.iter().map(|c| model.tiers[&c.tier]).collect();
    let serves: Vec<Option<usize>> = roster
        .iter()
        .map(|c| names.iter().position(|t| *t == c.tier))
        .collect();
    let fits = |c: usize, l: &Load, i: usize| -> bool {
        match cap[c] {
            Capacity::AccountsPerCsm(x) => l.accounts + 1.0 <= x * roster[c].fte + 1e-9,
            // A CSM with no accounts can always take one, however large.
            Capacity::ArrPerCsm(x) => {
                l.accounts == 0.0 || l.arr + arr_of(i) <= x * roster[c].fte + 1e-9
            }
            Capacity::Pooled => false,
        }
    };
    let mut owners: Vec<Option<String>> = owner.to_vec();
    let mut pending: Vec<(usize, String)> = Vec::new();
    // Every move with its row, to list them in `order` at the end.
    let mut moves: Vec<(usize, Move)> = Vec::new();
    // 1. Keep every owner who serves the account's tier and has room (largest first).
    for &i in order.iter().filter(|&&i| customer(arr[i])) {
        let ti = tiers[i];
        let tier = names[ti];
        if tier_cap[ti] == Capacity::Pooled {
            // Re-tiered into the pool: it leaves its named CSM.
            if let Some(o) = &owner[i] {
                moves.push((
                    i,
                    Move {
                        account_id: ids[i].clone().unwrap_or_default(),
                        tier: tier.to_string(),
                        from: Some(o.clone()),
                        to: None,
                        reason: format!("{tier} is pooled: served by the pool, not a named CSM"),
                    },
                ));
                owners[i] = None;
            }
            continue;
        }
        match owner[i]
            .as_deref()
            .and_then(|o| index.get(o).map(|&c| (o, c)))
        {
            Some((_, c)) if serves[c] == Some(ti) && fits(c, &load[c], i) => {
                load[c].accounts += 1.0;
                load[c].arr += arr_of(i);
            }
            Some((o, c)) if serves[c] == Some(ti) => {
                pending.push((i, format!("{o} is over capacity for {tier}")))
            }
            Some((o, c)) => pending.push((
                i,
                format!("the account is {tier}; {o} serves {}", roster[c].tier),
            )),
            None => match owner[i].as_deref() {
                Some(o) => pending.push((i, format!("{o} is not on the roster"))),
                None => pending.push((i, "no owner".into())),
            },
        }
    }
    // 2. Place the rest, largest first, with the least-loaded CSM of the tier who has room
    // (then the least ARR, then the name). Each tier keeps its CSMs ordered by that key, so
    // a placement takes the first CSM in order who has room: O(log CSMs) unless CSMs without
    // room for this account come first. CSMs at an accounts-per-CSM target who are full are
    // dropped for good (loads only grow); at an ARR target, one without room for a large
    // account may have room for a smaller one later, so they stay.
    let mut by_name: Vec<usize> = (0..roster.len()).collect();
    by_name.sort_by(|&a, &b| roster[a].name.cmp(&roster[b].name));
    let mut name_rank = vec![0; roster.len()];
    for (r, &c) in by_name.iter().enumerate() {
        name_rank[c] = r;
    }
    #[derive(Clone, Copy, PartialEq)]
    struct Key {
        load: f64,
        arr: f64,
        name_rank: usize,
        csm: usize,
    }
    impl Eq for Key {}
    impl PartialOrd for Key {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Key {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.load
                .total_cmp(&other.load)
                .then(self.arr.total_cmp(&other.arr))
                .then(self.name_rank.cmp(&other.name_rank))
        }
    }
    let key = |c: usize, l: &Load| Key {
        load: load_of(cap[c], l.accounts, l.arr, roster[c].fte),
        arr: l.arr,
        name_rank: name_rank[c],
        csm: c,
    };
    let mut open: Vec<BTreeSet<Key>> = vec![BTreeSet::new(); names.len()];
    for c in 0..roster.len() {
        if let Some(t) = serves[c] {
            open[t].insert(key(c, &load[c]));
        }
    }
    let mut full: Vec<Key> = Vec::new();
    let mut unplaced = 0;
    for (i, reason) in pending {
        let ti = tiers[i];
        let tier = names[ti];
        let set = &mut open[ti];
        let mut best = None;
        for k in set.iter() {
            if fits(k.csm, &load[k.csm], i) {
                best = Some(*k);
                break;
            }
            if !matches!(cap[k.csm], Capacity::ArrPerCsm(_)) {
                full.push(*k);
            }
        }
        for k in full.drain(..) {
            set.remove(&k);
        }
        let to = best.map(|k| {
            let c = k.csm;
            set.remove(&k);
            load[c].accounts += 1.0;
            load[c].arr += arr_of(i);
            set.insert(key(c, &load[c]));
            roster[c].name.clone()
        });
        if to.is_none() {
            unplaced += 1;
        }
        moves.push((
            i,
            Move {
                account_id: ids[i].clone().unwrap_or_default(),
                tier: tier.to_string(),
                from: owner[i].clone(),
                to: to.clone(),
                reason: if to.is_some() {
                    reason
                } else {
                    format!("{reason}; no {tier} CSM has capacity")
                },
            },
        ));
        owners[i] = to;
    }
    // Largest ARR first (then id), whichever step found them.
    let mut rank = vec![0; table.rows];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    moves.sort_by_key(|(i, _)| rank[*i]);
    Ok(Assignment {
        owners,
        moves: moves.into_iter().map(|(_, m)| m).collect(),
        unplaced,
    })
}
