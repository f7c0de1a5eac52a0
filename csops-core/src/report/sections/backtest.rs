//! Back-test: did the score predict the renewals and churns that followed?

use super::{SMALL_SAMPLE, num, pct, sentence};
use crate::Result;
use crate::backtest::BacktestReport;
use crate::report::chart::{self, Axes, Bar, BarScale, Pair, Series};
use crate::report::{Section, Table};

/// The section's anchor in the page.
pub const ID: &str = "backtest";
/// The section's heading.
pub const TITLE: &str = "Back-test of the score";

/// The back-test section of a back-test report.
pub fn section(bt: &BacktestReport) -> Result<Section> {
    let o = &bt.overall;
    let verdict = o
        .comparison
        .as_ref()
        .map(|c| c.verdict.clone())
        .unwrap_or_else(|| "too few renewals in each band to compare them.".into());
    let verdict = if verdict.ends_with('.') {
        verdict
    } else {
        format!("{verdict}.")
    };
    let auc = o
        .auc
        .as_ref()
        .map_or_else(String::new, |a| format!(" AUC {:.2}.", a.auc));
    let mut s = Section::new(
        ID,
        TITLE,
        format!(
            "Over {} renewals from {} to {} scored {} days before each: {verdict}{auc}",
            o.renewals, bt.window_start, bt.window_end, bt.lead_days
        ),
    );

    // Renewal rate per band, with its interval and n.
    let bars: Vec<Bar> = o
        .bands
        .iter()
        .map(|b| Bar {
            label: b.band.clone(),
            value: b.rate,
            interval: b.ci95.map(|i| (i.lo, i.hi)),
            n: b.renewals,
            small: b.renewals < SMALL_SAMPLE,
        })
        .collect();
    let alt = o
        .bands
        .iter()
        .map(|b| {
            format!(
                "{}: {} of {} renewed ({})",
                b.band,
                b.renewed,
                b.renewals,
                pct(b.rate)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    s.charts.push(chart::bars(
        "Renewal rate by band, with 95% Wilson intervals",
        &format!("Renewal rate of each band's renewals. {}.", sentence(&alt)),
        "renewed",
        &bars,
        BarScale::Share(1.0),
    )?);
    let mut t = Table::new(
        "Renewals by band",
        &[
            "band",
            "renewals",
            "renewed",
            "rate",
            "95% interval",
            "ARR up",
            "ARR renewed",
        ],
        &["renewals", "renewed", "rate", "ARR up", "ARR renewed"],
    );
    for b in &o.bands {
        t.row(vec![
            b.band.clone(),
            b.renewals.to_string(),
            b.renewed.to_string(),
            pct(b.rate),
            b.ci95.map_or("-".into(), |i| {
                format!("{}–{}", pct(Some(i.lo)), pct(Some(i.hi)))
            }),
            money(&b.arr_up),
            money(&b.arr_renewed),
        ]);
    }
    s.tables.push(t);

    // AUC per quarter.
    let quarters: Vec<Bar> = bt
        .quarters
        .iter()
        .map(|q| Bar {
            label: q.label.clone(),
            value: q.auc.as_ref().map(|a| a.auc),
            interval: q.auc.as_ref().map(|a| (a.ci95.lo, a.ci95.hi)),
            n: q.renewals,
            small: q.churned < 5 || q.renewals < SMALL_SAMPLE,
        })
        .collect();
    if !quarters.is_empty() {
        let alt = bt
            .quarters
            .iter()
            .map(|q| {
                format!(
                    "{}: AUC {} on {} renewals, {} churned",
                    q.label,
                    num(q.auc.as_ref().map(|a| a.auc), 2),
                    q.renewals,
                    q.churned
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        s.charts.push(chart::bars(
            "AUC by quarter (0.5 is chance), with 95% intervals",
            &format!(
                "How well the score ranked churners below renewers, quarter by quarter. {}.",
                sentence(&alt)
            ),
            "AUC",
            &quarters,
            BarScale::Number(1.0),
        )?);
    }

    // Calibration by decile, with counts.
    if !o.calibration.is_empty() {
        let points: Vec<(f64, f64)> = o
            .calibration
            .iter()
            .map(|c| (c.mean_risk, c.observed))
            .collect();
        let top = points
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .fold(0.1_f64, f64::max)
            .min(1.0);
        s.charts.push(chart::lines(
            "Calibration: predicted against observed churn, by decile",
            "Each point is a tenth of the scored renewals, labelled with how many: its mean predicted churn risk against the share that churned; the grey diagonal is perfect calibration.",
            &Axes {
                x: "predicted churn risk".into(),
                y: "observed churn".into(),
                x_range: (0.0, top),
                y_range: (0.0, top),
                y_share: true,
                x_share: true,
                diagonal: true,
                x_names: Vec::new(),
            },
            &[Series {
                name: "deciles".into(),
                points,
                step: false,
                labels: o.calibration.iter().map(|c| format!("n={}", c.n)).collect(),
            }],
        )?);
        let mut t = Table::new(
            "Calibration by decile",
            &["decile", "renewals", "churned", "predicted", "observed"],
            &["renewals", "churned", "predicted", "observed"],
        );
        for c in &o.calibration {
            t.row(vec![
                c.decile.to_string(),
                c.n.to_string(),
                c.positives.to_string(),
                pct(Some(c.mean_risk)),
                pct(Some(c.observed)),
            ]);
        }
        s.tables.push(t);
    }

    // Lift: how many churners the riskiest fraction catches.
    if !o.lift.is_empty() {
        let mut points = vec![(0.0, 0.0)];
        points.extend(o.lift.iter().map(|l| (l.fraction, l.capture)));
        s.charts.push(chart::lines(
            "Lift: churners caught by working the riskiest accounts first",
            &format!(
                "Share of churners among the riskiest share of renewals; the diagonal is a random order. {}.",
                sentence(&o.lift
                    .iter()
                    .map(|l| format!(
                        "the riskiest {} hold {} of churners (lift {:.1})",
                        pct(Some(l.fraction)),
                        pct(Some(l.capture)),
                        l.lift
                    ))
                    .collect::<Vec<_>>()
                    .join("; "))
            ),
            &Axes {
                x: "riskiest share of renewals".into(),
                y: "share of churners caught".into(),
                x_range: (0.0, 1.0),
                y_range: (0.0, 1.0),
                y_share: true,
                x_share: true,
                diagonal: true,
                x_names: Vec::new(),
            },
            &[Series {
                name: "score".into(),
                points,
                step: false,
                labels: std::iter::once(String::new())
                    .chain(o.lift.iter().map(|l| format!("lift {:.1}", l.lift)))
                    .collect(),
            }],
        )?);
    }

    // Kaplan–Meier by band.
    if !bt.survival.is_empty() {
        let series: Vec<Series> = bt
            .survival
            .iter()
            .map(|b| {
                let mut points = vec![(0.0, 1.0)];
                points.extend(b.curve.iter().map(|p| (p.time, p.survival)));
                Series {
                    name: b.band.clone(),
                    points,
                    step: true,
                    labels: Vec::new(),
                }
            })
            .collect();
        let x_max = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .fold(1.0_f64, f64::max);
        let y_min = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(1.0_f64, f64::min);
        let logrank = bt.logrank.as_ref().map_or(String::new(), |(t, df)| {
            format!(
                " Log-rank χ² {:.1} on {df} df, p = {}.",
                t.statistic,
                p_value(t.p_value)
            )
        });
        s.charts.push(chart::lines(
            "Staying a customer, by band (Kaplan–Meier)",
            &format!(
                "Share of each band's accounts still customers by days after scoring. {}.{logrank}",
                sentence(
                    &bt.survival
                        .iter()
                        .map(|b| format!(
                            "{}: {} at the end",
                            b.band,
                            pct(b.curve.last().map(|p| p.survival))
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ),
            &Axes {
                x: "days after scoring".into(),
                y: "still a customer".into(),
                x_range: (0.0, x_max),
                y_range: ((y_min - 0.05).max(0.0), 1.0),
                y_share: true,
                x_share: false,
                diagonal: false,
                x_names: Vec::new(),
            },
            &series,
        )?);
    }

    // Each measure's weight against its predictive power.
    if !bt.measures.is_empty() {
        s.charts.push(chart::pairs(
            "Each measure's share of the weight against its share of the predictive power",
            &format!(
                "Solid: the measure's share of the scorecard's weight; outline: its share of the predictive power (from its own AUC). {}.",
                sentence(
                    &bt.measures
                        .iter()
                        .map(|x| format!(
                            "{} weight {} power {}{}",
                            x.measure,
                            pct(Some(x.weight_share)),
                            pct(Some(x.power_share)),
                            x.flag.as_ref().map_or(String::new(), |f| format!(" ({f})"))
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ),
            ("weight", "predictive power"),
            &bt.measures
                .iter()
                .map(|x| Pair {
                    label: x.measure.clone(),
                    first: x.weight_share,
                    second: x.power_share,
                })
                .collect::<Vec<_>>(),
        )?);
    }
    let mut m = Table::new(
        "Each measure's weight against its predictive power",
        &[
            "measure", "group", "weight", "power", "AUC", "observed", "flag",
        ],
        &["weight", "power", "AUC", "observed"],
    );
    for x in &bt.measures {
        m.row(vec![
            x.measure.clone(),
            x.group.clone(),
            pct(Some(x.weight_share)),
            pct(Some(x.power_share)),
            num(x.auc, 2),
            x.observed.to_string(),
            x.flag.clone().unwrap_or_default(),
        ]);
    }
    s.tables.push(m);
    if o.unscored > 0 {
        s.notes.push(format!(
            "{} renewal(s) had no score on their scoring day (no data yet) and are left out of the rates.",
            o.unscored
        ));
    }
    if bars.iter().any(|b| b.small) {
        s.notes.push(format!(
            "Bands with fewer than {SMALL_SAMPLE} renewals are drawn pale and marked \"too few\": their intervals are too wide to read alone."
        ));
    }
    Ok(s)
}

/// A p-value as people read it: `0.042`, `< 0.001`.
fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// An amount to the cent with its currency: `1,457,495.67 USD`.
fn money(m: &crate::money::Money) -> String {
    format!("{} {}", crate::render::amount(m.amount), m.currency.code())
}
