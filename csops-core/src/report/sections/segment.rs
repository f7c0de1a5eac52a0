//! Segmentation and coverage: how many accounts each tier holds, how many CSMs it needs
//! against how many it has, and each CSM's load.

use super::{pct, sentence};
use crate::Result;
use crate::report::chart::{self, Bar, BarScale};
use crate::report::{Section, Table};
use crate::segment::{Assignment, Coverage, TierRules};

/// The section's anchor in the page.
pub const ID: &str = "segmentation";
/// The section's heading.
pub const TITLE: &str = "Segmentation and coverage";

/// The segmentation section: tiers by `rules`, `coverage` of them, and the assignment plan
/// when there is one.
pub fn section(
    rules: &TierRules,
    coverage: &Coverage,
    plan: Option<&Assignment>,
) -> Result<Section> {
    let short: f64 = coverage
        .tiers
        .iter()
        .map(|t| (t.needed - t.csms).max(0.0))
        .sum();
    let over: Vec<&str> = coverage
        .csms
        .iter()
        .filter(|c| c.utilisation > 1.0)
        .map(|c| c.csm.as_str())
        .collect();
    let mut s = Section::new(
        ID,
        TITLE,
        format!(
            "{} accounts in {} tiers; {}, and {} of {} CSMs are over capacity{}.",
            coverage.tiers.iter().map(|t| t.accounts).sum::<u64>(),
            coverage.tiers.len(),
            if short > 0.0 {
                format!("the tiers need {short:.1} more CSM(s) than the roster has")
            } else {
                "the roster covers what every tier needs".to_string()
            },
            over.len(),
            coverage.csms.len(),
            if over.is_empty() {
                String::new()
            } else {
                format!(" ({})", over.join(", "))
            }
        ),
    );
    if !coverage.csms.is_empty() {
        let top = coverage
            .csms
            .iter()
            .map(|c| c.utilisation)
            .fold(1.2_f64, f64::max);
        let bars: Vec<Bar> = coverage
            .csms
            .iter()
            .map(|c| Bar {
                label: c.csm.clone(),
                value: Some(c.utilisation),
                interval: None,
                n: c.accounts,
                small: false,
            })
            .collect();
        s.charts.push(chart::bars(
            "CSM load against capacity (100% is full)",
            &format!(
                "Each CSM's book as a share of their tier's capacity, with their account count. {}.",
                sentence(&coverage
                    .csms
                    .iter()
                    .map(|c| format!(
                        "{} ({}): {} accounts, load {}, {}",
                        c.csm,
                        c.tier,
                        c.accounts,
                        pct(Some(c.utilisation)),
                        c.status
                    ))
                    .collect::<Vec<_>>()
                    .join("; "))
            ),
            "load",
            &bars,
            BarScale::Share(top),
        )?);
    }
    let mut conditions: Vec<String> = rules.rules.iter().map(|r| r.when.to_string()).collect();
    conditions.push("otherwise".into());
    let mut t = Table::new(
        "Tiers",
        &[
            "tier", "rule", "accounts", "ARR", "capacity", "CSMs", "needed",
        ],
        &["accounts", "ARR", "CSMs", "needed"],
    );
    for (tier, rule) in coverage.tiers.iter().zip(conditions) {
        t.row(vec![
            tier.tier.clone(),
            rule,
            tier.accounts.to_string(),
            crate::render::whole(tier.arr),
            format!("{:?}", tier.capacity),
            format!("{:.1}", tier.csms),
            format!("{:.1}", tier.needed),
        ]);
    }
    s.tables.push(t);
    let mut c = Table::new(
        "CSM load",
        &[
            "CSM", "tier", "accounts", "ARR", "red", "off-tier", "load", "status",
        ],
        &["accounts", "ARR", "red", "off-tier", "load"],
    );
    for x in &coverage.csms {
        c.row(vec![
            x.csm.clone(),
            x.tier.clone(),
            x.accounts.to_string(),
            crate::render::whole(x.arr),
            x.red_accounts.to_string(),
            x.off_tier.to_string(),
            pct(Some(x.utilisation)),
            x.status.clone(),
        ]);
    }
    s.tables.push(c);
    if let Some(plan) = plan {
        let placed: Vec<_> = plan.moves.iter().filter(|m| m.to.is_some()).collect();
        let mut m = Table::new(
            &format!(
                "Assignment: {} account(s) to place with a CSM, {} not placed (the first 20)",
                placed.len(),
                plan.unplaced
            ),
            &["account", "tier", "from", "to", "why"],
            &[],
        );
        for x in placed.iter().take(20) {
            m.row(vec![
                x.account_id.clone(),
                x.tier.clone(),
                x.from.clone().unwrap_or_else(|| "-".into()),
                x.to.clone().unwrap_or_else(|| "-".into()),
                x.reason.clone(),
            ]);
        }
        s.tables.push(m);
    }
    if coverage.unowned > 0 {
        s.notes.push(format!(
            "{} account(s) in a named tier have no owner.",
            coverage.unowned
        ));
    }
    for u in &coverage.unknown_owners {
        s.notes.push(format!(
            "Owner {} of {} account(s) is not on the roster.",
            u.owner, u.accounts
        ));
    }
    Ok(s)
}
