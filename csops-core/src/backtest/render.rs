//! A back-test report as a CS Ops lead reads it: the bands with their Wilson intervals and
//! ARR, the red-versus-green verdict, AUC, Brier score, lift, survival, each measure's power
//! and the quarters. Python's `repr` and Node's `render()` are this text.

use std::fmt::Write as _;

use super::*;
use crate::render::{html_escape, html_table};

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

/// An optional number with `digits` decimals, or `–`.
fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{x:.digits$}"))
}

impl BacktestReport {
    /// As HTML (a notebook's rendering, a report's section): the bands, the verdict, the ranking, the measures and
    /// the quarters.
    pub fn render_html(&self) -> String {
        let r = self;
        let all = &r.overall;
        let mut s = String::from("<div class=\"csops-backtest\">");
        s.push_str(&format!(
            "<p><b>Back-test of {}</b>: renewals {} to {}, scored {} days before renewal{}</p>",
            html_escape(&format!("`{}`", r.scorecard)),
            r.window_start,
            r.window_end,
            r.lead_days,
            if r.contraction_is_churn {
                " (contractions count as churn)"
            } else {
                ""
            }
        ));
        s.push_str(&format!(
            "<p>{} renewals, {} churned, {} unscored</p>",
            all.renewals, all.churned, all.unscored
        ));
        let bands: Vec<Vec<String>> = all
            .bands
            .iter()
            .map(|b| {
                vec![
                    b.band.clone(),
                    b.renewals.to_string(),
                    b.renewed.to_string(),
                    match (b.rate, b.ci95) {
                        (Some(rate), Some(i)) => {
                            format!("{} [{:.0}–{:.0}]", pct(rate), 100.0 * i.lo, 100.0 * i.hi)
                        }
                        _ => "–".to_string(),
                    },
                    money(&b.arr_up),
                    b.arr_rate.map_or_else(|| "–".to_string(), pct),
                ]
            })
            .collect();
        s.push_str(&html_table(
            &[
                "band",
                "renewals",
                "renewed",
                "rate [95% CI]",
                "ARR up",
                "ARR rate",
            ],
            &bands,
        ));
        if let Some(c) = &all.comparison {
            s.push_str(&format!(
                "<p><b>Verdict:</b> {}</p>",
                html_escape(&c.verdict)
            ));
        }
        if let Some(a) = &all.auc {
            s.push_str(&format!(
                "<p>ROC AUC {:.3} [{:.3}–{:.3}] (DeLong; {} churned, {} renewed){}</p>",
                a.auc,
                a.ci95.lo,
                a.ci95.hi,
                a.positives,
                a.negatives,
                all.brier
                    .map_or(String::new(), |b| format!("; Brier score {b:.4}"))
            ));
        }
        let measures: Vec<Vec<String>> = r
            .measures
            .iter()
            .map(|m| {
                vec![
                    m.measure.clone(),
                    m.group.clone(),
                    pct(m.weight_share),
                    opt(m.auc, 2),
                    pct(m.power_share),
                    m.flag.clone().unwrap_or_default(),
                ]
            })
            .collect();
        s.push_str("<p>Measures: weight vs predictive power</p>");
        s.push_str(&html_table(
            &["measure", "group", "weight", "AUC", "power", "flag"],
            &measures,
        ));
        let quarters: Vec<Vec<String>> = r
            .quarters
            .iter()
            .map(|q| {
                vec![
                    q.label.clone(),
                    q.renewals.to_string(),
                    q.churned.to_string(),
                    q.auc.map_or_else(
                        || "–".to_string(),
                        |a| format!("{:.2} [{:.2}–{:.2}]", a.auc, a.ci95.lo, a.ci95.hi),
                    ),
                    q.comparison
                        .as_ref()
                        .map_or_else(String::new, |c| c.verdict.clone()),
                ]
            })
            .collect();
        if !quarters.is_empty() {
            s.push_str("<p>By quarter</p>");
            s.push_str(&html_table(
                &["quarter", "renewals", "churned", "AUC [95% CI]", "verdict"],
                &quarters,
            ));
        }
        s.push_str("</div>");
        s
    }
}

impl Recalibration {
    /// As HTML (a notebook's rendering, a report's section): the split, the weights, the held-out comparison and the
    /// band choices.
    pub fn render_html(&self) -> String {
        let r = self;
        let mut s = String::from("<div class=\"csops-recalibration\">");
        s.push_str(&format!(
            "<p><b>Re-calibration</b>: trained on {} ({} renewals, {} churned), held out {} \
             ({} renewals, {} churned)</p>",
            html_escape(&r.train.quarters.join(", ")),
            r.train.renewals,
            r.train.churned,
            html_escape(&r.test.quarters.join(", ")),
            r.test.renewals,
            r.test.churned
        ));
        let weights: Vec<Vec<String>> = r
            .weights
            .iter()
            .map(|w| {
                vec![
                    w.measure.clone(),
                    w.group.clone(),
                    format!("{:.3}", w.coefficient),
                    pct(w.share_before),
                    pct(w.share_after),
                ]
            })
            .collect();
        s.push_str(&html_table(
            &["measure", "group", "coefficient", "before", "after"],
            &weights,
        ));
        if !r.dropped.is_empty() {
            s.push_str(&format!(
                "<p>Dropped (no protective effect): {}</p>",
                html_escape(&r.dropped.join(", "))
            ));
        }
        let held = |name: &str, h: &HeldOut| {
            vec![
                name.to_string(),
                h.scored.to_string(),
                h.auc.map_or_else(
                    || "–".to_string(),
                    |a| format!("{:.3} [{:.3}–{:.3}]", a.auc, a.ci95.lo, a.ci95.hi),
                ),
                opt(h.brier, 4),
            ]
        };
        s.push_str("<p>Held out</p>");
        s.push_str(&html_table(
            &["scorecard", "scored", "AUC [95% CI]", "Brier"],
            &[held("before", &r.before), held("after", &r.after)],
        ));
        let bands: Vec<Vec<String>> = r
            .bands
            .iter()
            .flat_map(|c| {
                c.outcomes.iter().map(move |o| {
                    vec![
                        c.method.clone(),
                        o.band.clone(),
                        format!("{:.1}", o.min),
                        o.train_renewals.to_string(),
                        o.train_churn_rate.map_or_else(|| "–".to_string(), pct),
                        o.test_renewals.to_string(),
                        o.test_churn_rate.map_or_else(|| "–".to_string(), pct),
                    ]
                })
            })
            .collect();
        s.push_str("<p>Band choices</p>");
        s.push_str(&html_table(
            &[
                "method",
                "band",
                "min",
                "train",
                "train churn",
                "held out",
                "held-out churn",
            ],
            &bands,
        ));
        s.push_str("</div>");
        s
    }
}
