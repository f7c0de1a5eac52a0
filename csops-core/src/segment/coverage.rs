//! Coverage: how many customers and how much ARR each tier holds, the CSMs it has and needs at
//! its target ratio, each CSM's load against capacity, owners not on the roster and customers
//! without an owner. The roster may be given or implied by the accounts' owners.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::TierRules;
use crate::condition::{Column, Table};
use crate::{Error, Result};

/// A tier's target ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[non_exhaustive]
pub enum Capacity {
    /// Up to this many accounts per CSM.
    AccountsPerCsm(f64),
    /// Up to this much ARR per CSM (reporting currency).
    ArrPerCsm(f64),
    /// Served by a pool: no named CSM.
    Pooled,
}

impl Capacity {
    /// The kind of target, as configuration files spell it: `accounts_per_csm`,
    /// `arr_per_csm` or `pooled`.
    pub fn kind(&self) -> &'static str {
        match self {
            Capacity::AccountsPerCsm(_) => "accounts_per_csm",
            Capacity::ArrPerCsm(_) => "arr_per_csm",
            Capacity::Pooled => "pooled",
        }
    }

    /// The target ratio (accounts or ARR per CSM); `None` for a pool.
    pub fn ratio(&self) -> Option<f64> {
        match self {
            Capacity::AccountsPerCsm(x) | Capacity::ArrPerCsm(x) => Some(*x),
            Capacity::Pooled => None,
        }
    }
}

/// Target ratios per tier (snake_case keys in every language, as in configuration files): up
/// to so many accounts per CSM (`{ accounts_per_csm: 15 }`), so much ARR per CSM
/// (`{ arr_per_csm: 2000000 }`, in the reporting currency), or `pooled` (served by a pool, no
/// named CSM). Every tier of the rules needs a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "CoverageModelJson")
)]
pub struct CoverageModel {
    /// Tier → target.
    pub tiers: BTreeMap<String, Capacity>,
}

impl Default for CoverageModel {
    /// High-touch 15 accounts per CSM, mid-touch 50, tech-touch 200, digital pooled.
    fn default() -> Self {
        CoverageModel {
            tiers: [
                ("high_touch", Capacity::AccountsPerCsm(15.0)),
                ("mid_touch", Capacity::AccountsPerCsm(50.0)),
                ("tech_touch", Capacity::AccountsPerCsm(200.0)),
                ("digital", Capacity::Pooled),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        }
    }
}

impl CoverageModel {
    pub(super) fn validate(&self, rules: &TierRules) -> Result<()> {
        let mut p = Vec::new();
        for t in rules.tiers() {
            if !self.tiers.contains_key(t) {
                p.push(format!("tier `{t}` has no coverage target"));
            }
        }
        for (t, c) in &self.tiers {
            match c {
                Capacity::AccountsPerCsm(x) | Capacity::ArrPerCsm(x)
                    if !(*x > 0.0 && x.is_finite()) =>
                {
                    p.push(format!("tier `{t}`: the ratio must be positive, not {x}"))
                }
                _ => {}
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }
}

/// A CSM on the roster. An unknown key (a misspelt `fte`) is an error, never ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Csm {
    /// Name (as in accounts' `owner_csm`).
    pub name: String,
    /// The tier they serve.
    pub tier: String,
    /// Share of a full book they carry (1.0 full-time; 0.5 half). Default 1.
    #[serde(default = "full")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<f64>", optional))]
    pub fte: f64,
}

pub(super) fn full() -> f64 {
    1.0
}

/// The roster implied by a book: every owner, serving the tier most of their accounts are in
/// (ties to the earlier tier), full-time.
pub fn roster_from_owners(table: &Table, tiers: &[usize], rules: &TierRules) -> Vec<Csm> {
    let names = rules.tiers();
    let Some(Column::Text(owner)) = table.columns.get("owner_csm") else {
        return Vec::new();
    };
    let mut counts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (o, &t) in owner.iter().zip(tiers) {
        if let Some(o) = o {
            counts
                .entry(o.as_str())
                .or_insert_with(|| vec![0; names.len()])[t] += 1;
        }
    }
    counts
        .into_iter()
        .map(|(name, c)| {
            let best = (0..c.len())
                .max_by_key(|&i| (c[i], std::cmp::Reverse(i)))
                .unwrap_or(0);
            Csm {
                name: name.to_string(),
                tier: names[best].to_string(),
                fte: 1.0,
            }
        })
        .collect()
}

/// A tier's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct TierCoverage {
    /// The tier.
    pub tier: String,
    /// Accounts in it.
    pub accounts: u64,
    /// Their ARR.
    pub arr: f64,
    /// Its target.
    pub capacity: Capacity,
    /// CSMs on the roster for it (FTE).
    pub csms: f64,
    /// CSMs it needs at the target ratio (FTE, whole people: rounded up).
    pub needed: f64,
}

/// A CSM's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct CsmLoad {
    /// The CSM.
    pub csm: String,
    /// The tier they serve.
    pub tier: String,
    /// Accounts they own.
    pub accounts: u64,
    /// Their ARR.
    pub arr: f64,
    /// Owned accounts in the lowest health band (when scores were given).
    pub red_accounts: u64,
    /// Owned accounts of another tier.
    pub off_tier: u64,
    /// Load against capacity (1.0 = exactly at the target ratio).
    pub utilisation: f64,
    /// `over`, `under` (below 80%) or `ok`.
    pub status: String,
}

/// An owner of customers who is not on the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct UnknownOwner {
    /// The owner, as in accounts' `owner_csm`.
    pub owner: String,
    /// Customers they own.
    pub accounts: u64,
}

/// The coverage picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Coverage {
    /// Per tier.
    pub tiers: Vec<TierCoverage>,
    /// Per CSM, by name.
    pub csms: Vec<CsmLoad>,
    /// Owners not on the roster, with their account counts.
    pub unknown_owners: Vec<UnknownOwner>,
    /// Accounts without an owner, in non-pooled tiers.
    pub unowned: u64,
}

pub(super) fn num_col<'a>(t: &'a Table, name: &str) -> Result<&'a [f64]> {
    match t.columns.get(name) {
        Some(Column::Number(v)) => Ok(v),
        _ => Err(Error::Config(vec![format!(
            "the table has no number column `{name}`"
        )])),
    }
}

pub(super) fn text_col<'a>(t: &'a Table, name: &str) -> Result<&'a [Option<String>]> {
    match t.columns.get(name) {
        Some(Column::Text(v)) => Ok(v),
        _ => Err(Error::Config(vec![format!(
            "the table has no text column `{name}`"
        )])),
    }
}

/// A customer on the day: some ARR. Former customers (and prospects) are not covered.
pub(super) fn customer(arr: f64) -> bool {
    arr > 0.0
}

pub(super) fn load_of(cap: Capacity, accounts: f64, arr: f64, fte: f64) -> f64 {
    match cap {
        Capacity::AccountsPerCsm(x) => accounts / (x * fte),
        Capacity::ArrPerCsm(x) => arr / (x * fte),
        Capacity::Pooled => 0.0,
    }
}

/// Coverage of a tiered table (from [`TierRules::assign`]) against a model and a roster.
///
/// One pass over the rows (an owner is looked up by name once per customer), so the cost is
/// O(rows + roster), whatever the size of the roster.
pub fn coverage(
    table: &Table,
    tiers: &[usize],
    rules: &TierRules,
    model: &CoverageModel,
    roster: &[Csm],
) -> Result<Coverage> {
    model.validate(rules)?;
    let names = rules.tiers();
    let arr = num_col(table, "arr")?;
    let owner = text_col(table, "owner_csm")?;
    let band = table.columns.get("band").and_then(|c| match c {
        Column::Text(v) => Some(v),
        _ => None,
    });
    let lowest = "red";
    let pooled: Vec<bool> = names
        .iter()
        .map(|t| model.tiers[*t] == Capacity::Pooled)
        .collect();
    // A roster name's slot: its first entry (a name on the roster twice shares the rows).
    let mut slot_of: HashMap<&str, usize> = HashMap::with_capacity(roster.len());
    for (c, csm) in roster.iter().enumerate() {
        slot_of.entry(csm.name.as_str()).or_insert(c);
    }
    // Sums start at -0.0, as `Iterator::sum` does, so an empty sum is the same value.
    let mut tier_accounts = vec![0u64; names.len()];
    let mut tier_arr = vec![-0.0f64; names.len()];
    struct Owned {
        accounts: u64,
        arr: f64,
        red: u64,
        // Owned accounts by tier (index into `names`), for `off_tier`.
        by_tier: Vec<u64>,
    }
    let mut owned: Vec<Option<Owned>> = (0..roster.len()).map(|_| None).collect();
    let mut unknown: BTreeMap<&str, u64> = BTreeMap::new();
    let mut unowned = 0;
    for i in (0..table.rows).filter(|&i| customer(arr[i])) {
        let t = tiers[i];
        tier_accounts[t] += 1;
        tier_arr[t] += arr[i];
        match owner[i].as_deref() {
            None if !pooled[t] => unowned += 1,
            None => {}
            Some(o) => match slot_of.get(o) {
                Some(&c) => {
                    let s = owned[c].get_or_insert_with(|| Owned {
                        accounts: 0,
                        arr: -0.0,
                        red: 0,
                        by_tier: vec![0; names.len()],
                    });
                    s.accounts += 1;
                    s.arr += arr[i];
                    s.by_tier[t] += 1;
                    if band.is_some_and(|b| b[i].as_deref() == Some(lowest)) {
                        s.red += 1;
                    }
                }
                None => *unknown.entry(o).or_default() += 1,
            },
        }
    }
    let mut out = Coverage {
        tiers: Vec::new(),
        csms: Vec::new(),
        unknown_owners: unknown
            .into_iter()
            .map(|(o, k)| UnknownOwner {
                owner: o.to_string(),
                accounts: k,
            })
            .collect(),
        unowned,
    };
    for (ti, t) in names.iter().enumerate() {
        let cap = model.tiers[*t];
        let a = tier_accounts[ti] as f64;
        let x = tier_arr[ti];
        out.tiers.push(TierCoverage {
            tier: t.to_string(),
            accounts: tier_accounts[ti],
            arr: x,
            capacity: cap,
            csms: roster.iter().filter(|c| c.tier == *t).map(|c| c.fte).sum(),
            needed: match cap {
                Capacity::AccountsPerCsm(r) => (a / r).ceil(),
                Capacity::ArrPerCsm(r) => (x / r).ceil(),
                Capacity::Pooled => 0.0,
            },
        });
    }
    let mut by_name: Vec<&Csm> = roster.iter().collect();
    by_name.sort_by(|a, b| a.name.cmp(&b.name));
    for c in by_name {
        let s = owned[slot_of[c.name.as_str()]].as_ref();
        let accounts = s.map_or(0, |s| s.accounts);
        let x = s.map_or(-0.0, |s| s.arr);
        let same_tier = names
            .iter()
            .position(|t| *t == c.tier)
            .and_then(|t| s.map(|s| s.by_tier[t]))
            .unwrap_or(0);
        let cap = model
            .tiers
            .get(&c.tier)
            .copied()
            .unwrap_or(Capacity::Pooled);
        let u = load_of(cap, accounts as f64, x, c.fte);
        out.csms.push(CsmLoad {
            csm: c.name.clone(),
            tier: c.tier.clone(),
            accounts,
            arr: x,
            red_accounts: s.map_or(0, |s| s.red),
            off_tier: accounts - same_tier,
            utilisation: u,
            status: if u > 1.0 {
                "over"
            } else if u < 0.8 {
                "under"
            } else {
                "ok"
            }
            .into(),
        });
    }
    Ok(out)
}
