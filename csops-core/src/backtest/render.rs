//! A back-test report as a CS Ops lead reads it: the bands with their Wilson intervals and
//! ARR, the red-versus-green verdict, AUC, Brier score, lift, survival, each measure's power
//! and the quarters. Python's `repr` and Node's `render()` are this text.

use std::fmt::Write as _;

use super::*;

impl BacktestReport {
    /// The report as readable text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Back-test of `{}`: renewals {} to {}, scored {} days before renewal{}",
            self.scorecard,
            self.window_start,
            self.window_end,
            self.lead_days,
            if self.contraction_is_churn {
                " (contractions count as churn)"
            } else {
                ""
            }
        );
        render_slice(&mut s, &self.overall);
        if let Some(r) = self.rates_used.as_ref().filter(|r| !r.is_empty()) {
            let _ = writeln!(s, "ARR in {} (converted at {r})", r.reporting);
        }
        if let Some((t, df)) = &self.logrank {
            let _ = writeln!(
                s,
                "Survival by band: log-rank chi² = {:.2} on {df} df, p = {}",
                t.statistic,
                pval(t.p_value)
            );
        }
        let _ = writeln!(s, "\nMeasures: weight vs predictive power");
        let _ = writeln!(
            s,
            "  {:<22} {:>7} {:>6} {:>7}  flag",
            "measure", "weight", "AUC", "power"
        );
        for m in &self.measures {
            let _ = writeln!(
                s,
                "  {:<22} {:>7} {:>6} {:>7}  {}",
                m.measure,
                pct(m.weight_share),
                m.auc.map_or("–".into(), |a| format!("{a:.2}")),
                pct(m.power_share),
                m.flag.as_deref().unwrap_or("")
            );
        }
        if !self.quarters.is_empty() {
            let _ = writeln!(s, "\nBy quarter");
            for q in &self.quarters {
                let _ = writeln!(
                    s,
                    "  {}: {} renewals, {} churned, AUC {}{}",
                    q.label,
                    q.renewals,
                    q.churned,
                    q.auc.map_or("–".into(), |a| format!(
                        "{:.2} [{:.2}–{:.2}]",
                        a.auc, a.ci95.lo, a.ci95.hi
                    )),
                    q.comparison
                        .as_ref()
                        .map_or(String::new(), |c| format!("; {}", c.verdict))
                );
            }
        }
        s
    }
}

fn render_slice(s: &mut String, sl: &Slice) {
    let _ = writeln!(
        s,
        "{} renewals, {} churned ({}), {} unscored",
        sl.renewals,
        sl.churned,
        if sl.renewals > 0 {
            pct(sl.churned as f64 / sl.renewals as f64)
        } else {
            "–".into()
        },
        sl.unscored
    );
    let _ = writeln!(
        s,
        "  {:<10} {:>8} {:>8} {:>14} {:>16} {:>10}",
        "band", "renewals", "renewed", "rate [95% CI]", "ARR up", "ARR rate"
    );
    for b in &sl.bands {
        let _ = writeln!(
            s,
            "  {:<10} {:>8} {:>8} {:>14} {:>16} {:>10}",
            b.band,
            b.renewals,
            b.renewed,
            match (b.rate, b.ci95) {
                (Some(r), Some(i)) =>
                    format!("{} [{:.0}–{:.0}]", pct(r), 100.0 * i.lo, 100.0 * i.hi),
                _ => "–".into(),
            },
            money(&b.arr_up),
            b.arr_rate.map_or("–".into(), pct)
        );
    }
    if let Some(c) = &sl.comparison {
        let _ = writeln!(s, "Verdict: {}", c.verdict);
    }
    if let Some(a) = &sl.auc {
        let _ = writeln!(
            s,
            "ROC AUC {:.3} [{:.3}–{:.3}] (DeLong; {} churned, {} renewed)",
            a.auc, a.ci95.lo, a.ci95.hi, a.positives, a.negatives
        );
    }
    if let Some(b) = sl.brier {
        let _ = writeln!(s, "Brier score {b:.4}");
    }
    for l in &sl.lift {
        let _ = writeln!(
            s,
            "Riskiest {}: {} accounts hold {} of churn (lift {:.1}x)",
            pct(l.fraction),
            l.k,
            pct(l.capture),
            l.lift
        );
    }
}
