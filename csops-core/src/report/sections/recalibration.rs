//! Re-calibration: weights fitted on older quarters, proved on the latest.

use super::{num, pct, sentence};
use crate::Result;
use crate::backtest::Recalibration;
use crate::report::chart::{self, Bar, BarScale, Pair};
use crate::report::{Section, Table};

/// The section's anchor in the page.
pub const ID: &str = "recalibration";
/// The section's heading.
pub const TITLE: &str = "Re-calibration";

/// The re-calibration section.
pub fn section(r: &Recalibration) -> Result<Section> {
    let auc = |h: &crate::backtest::HeldOut| h.auc.as_ref().map(|a| a.auc);
    let (before, after) = (auc(&r.before), auc(&r.after));
    let answer = match (before, after) {
        (Some(b), Some(a)) => format!(
            "Fitted on {} and checked on {} ({} renewals held out), the re-fitted weights rank churners with AUC {a:.3} against {b:.3} for today's weights{}.",
            r.train.quarters.join(", "),
            r.test.quarters.join(", "),
            r.test.renewals,
            if a > b { ", better" } else { ", no better" }
        ),
        _ => format!(
            "The held-out quarters ({}) have too few scored renewals to compare the weights.",
            r.test.quarters.join(", ")
        ),
    };
    let mut s = Section::new(ID, TITLE, answer);
    let bars: Vec<Bar> = [("today's weights", &r.before), ("re-fitted", &r.after)]
        .into_iter()
        .map(|(label, h)| Bar {
            label: label.into(),
            value: auc(h),
            interval: h.auc.as_ref().map(|a| (a.ci95.lo, a.ci95.hi)),
            n: h.scored,
            small: h.scored < super::SMALL_SAMPLE,
        })
        .collect();
    s.charts.push(chart::bars(
        "Held-out AUC before and after, with 95% intervals",
        &format!(
            "On the held-out quarters: today's weights AUC {}, re-fitted {}; Brier {} and {}.",
            num(before, 3),
            num(after, 3),
            num(r.before.brier, 4),
            num(r.after.brier, 4)
        ),
        "AUC",
        &bars,
        BarScale::Number(1.0),
    )?);
    if !r.weights.is_empty() {
        s.charts.push(chart::pairs(
            "Each measure's share of the weight, today and re-fitted",
            &format!(
                "Solid: today's share of the weight; outline: the re-fitted share. {}.",
                sentence(
                    &r.weights
                        .iter()
                        .map(|w| format!(
                            "{} {} to {}",
                            w.measure,
                            pct(Some(w.share_before)),
                            pct(Some(w.share_after))
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ),
            ("today's weights", "re-fitted"),
            &r.weights
                .iter()
                .map(|w| Pair {
                    label: w.measure.clone(),
                    first: w.share_before,
                    second: w.share_after,
                })
                .collect::<Vec<_>>(),
        )?);
    }
    let mut t = Table::new(
        "Weights before and after",
        &[
            "measure",
            "group",
            "weight before",
            "weight after",
            "coefficient",
        ],
        &["weight before", "weight after", "coefficient"],
    );
    for w in &r.weights {
        t.row(vec![
            w.measure.clone(),
            w.group.clone(),
            pct(Some(w.share_before)),
            pct(Some(w.share_after)),
            num(Some(w.coefficient), 3),
        ]);
    }
    s.tables.push(t);
    let mut h = Table::new(
        "Held-out proof",
        &["weights", "scored", "AUC", "Brier"],
        &["scored", "AUC", "Brier"],
    );
    for (label, x) in [("today's", &r.before), ("re-fitted", &r.after)] {
        h.row(vec![
            label.into(),
            x.scored.to_string(),
            num(auc(x), 3),
            num(x.brier, 4),
        ]);
    }
    s.tables.push(h);
    if !r.dropped.is_empty() {
        s.notes.push(format!(
            "Left out of the fit (no variation or no data): {}.",
            r.dropped.join(", ")
        ));
    }
    s.notes.push(format!(
        "An L2-regularised logistic regression (C = {}) on {} training renewals ({} churned).",
        r.c, r.train.renewals, r.train.churned
    ));
    Ok(s)
}
