//! The forecast and its reconciliation as a CS Ops lead reads them: the headline totals, the
//! range of renewed ARR, the months; the CRM gap and the first disagreements. The same text in
//! a terminal, a Python `repr`, a Node `summary`; the same tables as HTML.

use std::collections::BTreeMap;

use super::{Reconciliation, RenewalForecast};
use crate::money::Currency;
use crate::render::{amount, html_escape, html_table, share, whole};

/// How many reconciliation issues the text and HTML renderings list.
const SHOWN_ISSUES: usize = 10;

/// A serde enum's name (`missing_opportunity`).
fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl RenewalForecast {
    /// Two lines: the renewals and what they are expected to bring; expansion and categories.
    pub fn headline(&self) -> [String; 2] {
        let cur = self.currency;
        [
            format!(
                "Renewal forecast as of {} for {} to {}: {} renewals, {} {cur} up for renewal, \
                 expected to renew {} {cur}",
                self.as_of,
                self.from,
                self.to,
                self.lines.len(),
                amount(self.arr),
                amount(self.expected_renewal)
            ),
            format!(
                "expected expansion {} {cur} on renewing accounts, {} {cur} on the rest; \
                 commit {} · best case {} · pipeline {} {cur}",
                amount(self.expected_expansion),
                amount(self.other_expansion),
                amount(self.commit),
                amount(self.best_case),
                amount(self.pipeline)
            ),
        ]
    }

    /// The range of renewed ARR, when anything renews.
    fn distribution_line(&self) -> Option<String> {
        self.distribution.as_ref().map(|d| {
            format!(
                "renewed ARR ({}): P10 {}  P50 {}  P90 {} {}",
                d.method,
                whole(d.p10),
                whole(d.p50),
                whole(d.p90),
                self.currency
            )
        })
    }

    /// The forecast as text: the headline, the range, a line per month.
    pub fn render(&self) -> String {
        let [a, b] = self.headline();
        let mut s = format!("{a}\n  {b}");
        if let Some(d) = self.distribution_line() {
            s.push_str(&format!("\n  {d}"));
        }
        for m in &self.by_month {
            s.push_str(&format!(
                "\n  {}  {:>4} renewals  ARR {:>16}  expected {:>16}",
                m.key,
                m.renewals,
                amount(m.arr),
                amount(m.expected_renewal)
            ));
        }
        s
    }

    /// The forecast as HTML: the totals, the range and a table of the months.
    pub fn render_html(&self) -> String {
        let [a, b] = self.headline();
        let mut s = format!(
            "<div class=\"csops-forecast\"><p><b>{}</b><br>{}",
            html_escape(&a),
            html_escape(&b)
        );
        if let Some(d) = self.distribution_line() {
            s.push_str(&format!("<br>{}", html_escape(&d)));
        }
        s.push_str("</p>");
        let rows: Vec<Vec<String>> = self
            .by_month
            .iter()
            .map(|m| {
                vec![
                    m.key.clone(),
                    m.renewals.to_string(),
                    amount(m.arr),
                    amount(m.expected_renewal),
                    amount(m.expected_expansion),
                ]
            })
            .collect();
        s.push_str(&html_table(
            &["month", "renewals", "ARR", "expected", "expansion"],
            &rows,
        ));
        s.push_str("</div>");
        s
    }
}

impl Reconciliation {
    /// One line: the CRM total against the forecast's, the gap, and whether it reconciles.
    /// `currency` is the forecast's (every amount is in it).
    pub fn headline(&self, currency: Currency) -> String {
        let cur = currency;
        format!(
            "CRM renewal opportunities {} {cur} vs forecast {} {cur}: gap {} -> {} within {}",
            amount(self.crm_arr),
            amount(self.forecast_arr),
            self.gap
                .map_or_else(|| "–".to_string(), |g| format!("{:+.2}%", 100.0 * g)),
            if self.passes {
                "reconciles"
            } else {
                "does NOT reconcile"
            },
            share(self.tolerance)
        )
    }

    /// How many issues of each kind.
    pub fn issue_counts(&self) -> BTreeMap<String, usize> {
        let mut kinds = BTreeMap::new();
        for i in &self.issues {
            *kinds.entry(name(&i.kind)).or_default() += 1;
        }
        kinds
    }

    /// The reconciliation as text: the headline, the weighted amounts, the issues by kind
    /// and the first ones.
    pub fn render(&self, currency: Currency) -> String {
        let mut s = self.headline(currency);
        s.push_str(&format!(
            "\n  forecast expects {} {cur} to renew; the CRM's weighted amount is {} {cur}",
            amount(self.forecast_expected),
            amount(self.crm_weighted),
            cur = currency
        ));
        if self.issues.is_empty() {
            s.push_str("\n  no issues");
        }
        for (kind, n) in self.issue_counts() {
            s.push_str(&format!("\n  {n:>4} × {kind}"));
        }
        for i in self.issues.iter().take(SHOWN_ISSUES) {
            s.push_str(&format!(
                "\n  {:<10} {}: {}",
                i.account_id,
                name(&i.kind),
                i.detail
            ));
        }
        if self.issues.len() > SHOWN_ISSUES {
            s.push_str(&format!(
                "\n  … and {} more (see .issues)",
                self.issues.len() - SHOWN_ISSUES
            ));
        }
        s
    }

    /// The reconciliation as HTML: the headline and a table of the first issues.
    pub fn render_html(&self, currency: Currency) -> String {
        let mut s = format!(
            "<div class=\"csops-reconciliation\"><p><b>{}</b></p>",
            html_escape(&self.headline(currency))
        );
        let rows: Vec<Vec<String>> = self
            .issues
            .iter()
            .take(SHOWN_ISSUES)
            .map(|i| {
                vec![
                    name(&i.kind),
                    i.account_id.clone(),
                    i.opportunity_id.clone().unwrap_or_default(),
                    i.detail.clone(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            s.push_str(&html_table(
                &["issue", "account", "opportunity", "detail"],
                &rows,
            ));
        }
        if self.issues.len() > SHOWN_ISSUES {
            s.push_str(&format!(
                "<p>… and {} more (see <code>.issues</code>)</p>",
                self.issues.len() - SHOWN_ISSUES
            ));
        }
        s.push_str("</div>");
        s
    }
}
