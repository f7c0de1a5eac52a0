//! A segmentation as a CS Ops lead reads it: a headline, the tiers (accounts, ARR, CSMs on
//! the roster and needed, the target, the rule), the CSMs' loads, then the assignment plan's
//! first moves. The same text in a terminal, a Python `repr`, a Node `summary`; the same
//! tables as HTML for a notebook or a report.

use chrono::NaiveDate;

use super::{Capacity, Plan, TierRules};
use crate::render::{html_escape, html_table, text_table, whole};

/// How many moves the text and HTML renderings list.
const SHOWN_MOVES: usize = 8;

const TIER_HEADERS: [&str; 7] = [
    "tier", "accounts", "ARR", "CSMs", "needed", "target", "rule",
];
const CSM_HEADERS: [&str; 8] = [
    "csm", "tier", "accounts", "ARR", "red", "off-tier", "load", "status",
];
const MOVE_HEADERS: [&str; 5] = ["account", "tier", "from", "to", "reason"];

impl TierRules {
    /// `n.`, tier, condition per rule, then the default tier (`otherwise`).
    fn rule_rows(&self) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| vec![format!("{}.", i + 1), r.tier.clone(), r.when.to_string()])
            .collect();
        rows.push(vec![
            String::new(),
            self.default_tier.clone(),
            "otherwise".to_string(),
        ]);
        rows
    }

    /// The rules as a CS Ops lead reads them: in order, each tier with its condition, then
    /// the default tier (Python's `repr`, Node's `render()`).
    pub fn render(&self) -> String {
        format!(
            "TierRules: the first rule an account matches gives its tier\n{}",
            text_table(
                &["", "tier", "when"],
                &self.rule_rows(),
                &[true, false, false]
            )
        )
    }

    /// [`TierRules::render`] as HTML (a notebook's rendering).
    pub fn render_html(&self) -> String {
        format!(
            "<div class=\"csops-tier-rules\"><p><b>TierRules</b>: the first rule an account \
             matches gives its tier</p>{}</div>",
            html_table(&["", "tier", "when"], &self.rule_rows())
        )
    }
}

/// A target ratio in a few words.
pub fn describe_target(c: Capacity) -> String {
    match c {
        Capacity::AccountsPerCsm(x) => format!("{} accounts per CSM", whole(x)),
        Capacity::ArrPerCsm(x) => format!("{} ARR per CSM", whole(x)),
        Capacity::Pooled => "pooled".to_string(),
    }
}

impl Plan {
    /// (placed with a CSM, released to the pool, not placed).
    fn move_counts(&self) -> (usize, usize, u64) {
        let a = &self.assignment;
        let placed = a.moves.iter().filter(|m| m.to.is_some()).count();
        let unplaced = a.unplaced;
        let to_none = a.moves.len() - placed;
        let released = to_none.saturating_sub(usize::try_from(unplaced).unwrap_or(usize::MAX));
        (placed, released, unplaced)
    }

    /// One line: customers, tiers, the roster and whether it was inferred.
    pub fn headline(&self, as_of: Option<NaiveDate>) -> String {
        let customers: u64 = self.coverage.tiers.iter().map(|t| t.accounts).sum();
        let day = as_of.map_or_else(String::new, |d| format!(" as of {d}"));
        format!(
            "Segmentation{day}: {customers} customers in {} tiers, {} CSMs on the roster{}",
            self.coverage.tiers.len(),
            self.roster.len(),
            if self.roster_inferred {
                " (from the owners)"
            } else {
                ""
            }
        )
    }

    fn tier_rows(&self, rules: &TierRules) -> Vec<Vec<String>> {
        // The conditions that lead to each tier (`otherwise` for the default).
        let when = |tier: &str| -> String {
            let mut parts: Vec<String> = rules
                .rules
                .iter()
                .filter(|r| r.tier == tier)
                .map(|r| r.when.to_string())
                .collect();
            if rules.default_tier == tier {
                parts.push("otherwise".into());
            }
            parts.join(" | ")
        };
        self.coverage
            .tiers
            .iter()
            .map(|t| {
                vec![
                    t.tier.clone(),
                    t.accounts.to_string(),
                    whole(t.arr),
                    // `+ 0.0` turns a negative zero (no CSMs, summed from nothing) into `0.0`.
                    format!("{:.1}", t.csms + 0.0),
                    format!("{}", t.needed),
                    describe_target(t.capacity),
                    when(&t.tier),
                ]
            })
            .collect()
    }

    fn csm_rows(&self) -> Vec<Vec<String>> {
        self.coverage
            .csms
            .iter()
            .map(|c| {
                vec![
                    c.csm.clone(),
                    c.tier.clone(),
                    c.accounts.to_string(),
                    whole(c.arr),
                    c.red_accounts.to_string(),
                    c.off_tier.to_string(),
                    format!("{:.0}%", 100.0 * c.utilisation),
                    c.status.clone(),
                ]
            })
            .collect()
    }

    fn move_rows(&self) -> Vec<Vec<String>> {
        self.assignment
            .moves
            .iter()
            .take(SHOWN_MOVES)
            .map(|m| {
                vec![
                    m.account_id.clone(),
                    m.tier.clone(),
                    m.from.clone().unwrap_or_else(|| "-".into()),
                    m.to.clone().unwrap_or_else(|| "-".into()),
                    m.reason.clone(),
                ]
            })
            .collect()
    }

    fn assignment_line(&self) -> String {
        let (placed, released, unplaced) = self.move_counts();
        format!(
            "assignment: {placed} accounts placed with a CSM, {released} released to the pool, \
             {unplaced} not placed"
        )
    }

    /// The segmentation as text: the headline, the tiers, the CSMs, owners not on the roster,
    /// the assignment and its first moves.
    pub fn render(&self, rules: &TierRules, as_of: Option<NaiveDate>) -> String {
        let mut s = vec![
            self.headline(as_of),
            text_table(
                &TIER_HEADERS,
                &self.tier_rows(rules),
                &[false, true, true, true, true, false, false],
            ),
            format!(
                "{} customers without an owner in a named tier",
                self.coverage.unowned
            ),
        ];
        if !self.coverage.csms.is_empty() {
            s.push(text_table(
                &CSM_HEADERS,
                &self.csm_rows(),
                &[false, false, true, true, true, true, true, false],
            ));
        }
        let unknown = &self.coverage.unknown_owners;
        if !unknown.is_empty() {
            let names: Vec<String> = unknown
                .iter()
                .map(|u| format!("{} ({})", u.owner, u.accounts))
                .collect();
            s.push(format!("owners not on the roster: {}", names.join(", ")));
        }
        s.push(self.assignment_line());
        let moves = &self.assignment.moves;
        if !moves.is_empty() {
            s.push(text_table(
                &MOVE_HEADERS,
                &self.move_rows(),
                &[false, false, false, false, false],
            ));
        }
        if moves.len() > SHOWN_MOVES {
            s.push(format!(
                "  … and {} more (see .assignment)",
                moves.len() - SHOWN_MOVES
            ));
        }
        s.join("\n")
    }

    /// The segmentation as HTML: the headline, the tier and CSM tables and the first moves.
    pub fn render_html(&self, rules: &TierRules, as_of: Option<NaiveDate>) -> String {
        let mut s = format!(
            "<div class=\"csops-segmentation\"><p><b>{}</b></p>",
            html_escape(&self.headline(as_of))
        );
        s.push_str(&html_table(&TIER_HEADERS, &self.tier_rows(rules)));
        s.push_str(&format!(
            "<p>{} customers without an owner in a named tier</p>",
            self.coverage.unowned
        ));
        if !self.coverage.csms.is_empty() {
            s.push_str(&html_table(&CSM_HEADERS, &self.csm_rows()));
        }
        s.push_str(&format!("<p>{}</p>", html_escape(&self.assignment_line())));
        let moves = &self.assignment.moves;
        if !moves.is_empty() {
            s.push_str(&html_table(&MOVE_HEADERS, &self.move_rows()));
        }
        if moves.len() > SHOWN_MOVES {
            s.push_str(&format!(
                "<p>… and {} more (see <code>.assignment</code>)</p>",
                moves.len() - SHOWN_MOVES
            ));
        }
        s.push_str("</div>");
        s
    }
}

impl super::WhatIf {
    /// One line: how many accounts change tier.
    pub fn headline(&self) -> String {
        let n = self.changes.len();
        format!(
            "What-if: {n} account{} change{} tier",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" }
        )
    }

    /// The tiers whose accounts or CSMs needed change, one line each.
    fn shifted_tiers(&self) -> impl Iterator<Item = &super::TierShift> {
        self.tiers
            .iter()
            .filter(|t| t.accounts_before != t.accounts_after || t.needed_before != t.needed_after)
    }

    /// The headline, then each tier that changes: accounts and CSMs needed, before and after.
    /// The text of Python's `repr` and Node's `summary`.
    pub fn render(&self) -> String {
        let mut out = self.headline();
        for t in self.shifted_tiers() {
            out.push_str(&format!(
                "\n  {}: {} -> {} accounts, CSMs needed {} -> {}",
                t.tier, t.accounts_before, t.accounts_after, t.needed_before, t.needed_after
            ));
        }
        out
    }

    /// The headline and the table of every tier, as HTML.
    pub fn render_html(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .tiers
            .iter()
            .map(|t| {
                vec![
                    t.tier.clone(),
                    t.accounts_before.to_string(),
                    t.accounts_after.to_string(),
                    t.needed_before.to_string(),
                    t.needed_after.to_string(),
                ]
            })
            .collect();
        format!(
            "<div class=\"csops-what-if\"><p><b>{}</b></p>{}</div>",
            html_escape(&self.headline()),
            html_table(
                &[
                    "tier",
                    "accounts before",
                    "accounts after",
                    "CSMs needed before",
                    "after"
                ],
                &rows
            )
        )
    }
}
