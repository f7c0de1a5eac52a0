//! The ARR bridge as a CS Ops lead reads it: the identity line by line, with the logos
//! behind each movement, as text and as an HTML table. Python's `repr` and Node's `summary`
//! are this text.

use rust_decimal::Decimal;

use super::ArrBridge;
use crate::render::{amount, html_escape, html_table};

/// One line of the identity: its name, its sign, its amount and the logos behind it (none
/// for expansion and contraction, which move no logo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeLine {
    /// `start`, `new`, `expansion`, `contraction`, `churn`, `reactivation` or `end`.
    pub name: &'static str,
    /// `+`, `-`, `=` or nothing (the start).
    pub sign: &'static str,
    /// The amount, positive for every movement (the sign says which way it goes).
    pub amount: Decimal,
    /// The accounts behind it, for the lines that count logos.
    pub logos: Option<u64>,
}

impl ArrBridge {
    /// The identity `start + new + expansion − contraction − churn + reactivation = end`,
    /// line by line.
    pub fn lines(&self) -> [BridgeLine; 7] {
        let line = |name, sign, amount, logos| BridgeLine {
            name,
            sign,
            amount,
            logos,
        };
        [
            line("start", "", self.start, Some(self.logos_start)),
            line("new", "+", self.new, Some(self.logos_new)),
            line("expansion", "+", self.expansion, None),
            line("contraction", "-", self.contraction, None),
            line("churn", "-", self.churn, Some(self.logos_churned)),
            line(
                "reactivation",
                "+",
                self.reactivation,
                Some(self.logos_reactivated),
            ),
            line("end", "=", self.end, Some(self.logos_end)),
        ]
    }

    /// One line: the period and the currency.
    pub fn headline(&self) -> String {
        format!(
            "ARR bridge from {} to {} ({})",
            self.from, self.to, self.currency
        )
    }

    /// The bridge as text: the headline, then the identity with amounts aligned and the
    /// logos beside them.
    pub fn render(&self) -> String {
        let lines = self.lines();
        let texts: Vec<String> = lines.iter().map(|l| amount(l.amount)).collect();
        let width = texts.iter().map(String::len).max().unwrap_or(0);
        let mut s = self.headline();
        for (l, text) in lines.iter().zip(&texts) {
            s.push_str(&format!("\n{:<1} {:<13}{text:>width$}", l.sign, l.name));
            if let Some(n) = l.logos {
                s.push_str(&format!("  {n:>5} logos"));
            }
        }
        s
    }

    /// The bridge as an HTML table (a notebook's view of it).
    pub fn render_html(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .lines()
            .iter()
            .map(|l| {
                vec![
                    format!("{} {}", l.sign, l.name).trim().to_string(),
                    amount(l.amount),
                    l.logos.map_or_else(String::new, |n| n.to_string()),
                ]
            })
            .collect();
        format!(
            "<div class=\"csops-arr-bridge\"><p><b>ARR bridge</b> from {} to {} ({})</p>{}</div>",
            self.from,
            self.to,
            html_escape(self.currency.code()),
            html_table(&["", "ARR", "logos"], &rows)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn the_identity_reads_line_by_line() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let b = ArrBridge {
            from: "2026-06-30".parse().unwrap(),
            to: "2026-09-30".parse().unwrap(),
            currency: Currency::new("USD").unwrap(),
            start: d("1000"),
            new: d("200"),
            expansion: d("50.5"),
            contraction: d("10"),
            churn: d("100"),
            reactivation: d("0"),
            end: d("1140.5"),
            logos_start: 10,
            logos_new: 2,
            logos_churned: 1,
            logos_reactivated: 0,
            logos_end: 11,
            accounts: Vec::new(),
            rates_used: crate::money::RatesUsed::new(Currency::new("USD").unwrap()),
        };
        let text = b.render();
        assert!(text.starts_with("ARR bridge from 2026-06-30 to 2026-09-30 (USD)"));
        assert!(
            text.contains("\n+ new            200.00      2 logos"),
            "{text}"
        );
        assert!(text.contains("\n+ expansion       50.50\n"), "{text}");
        assert!(
            text.contains("\n= end          1,140.50     11 logos"),
            "{text}"
        );
        assert!(b.render_html().contains("<td>- churn</td>"));
    }
}
