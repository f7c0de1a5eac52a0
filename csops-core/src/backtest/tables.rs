//! The back-test and re-calibration as tables: one row per renewal, per band, per quarter,
//! per measure, per calibration decile, per lift fraction, per survival step, per ROC point,
//! per weight. Python's `Backtest.bands`, `.quarters`, … and the report's tables are these.

use super::stats::RocPoint;
use super::{BacktestReport, Observations, Recalibration, Slice, UNSCORED};
use crate::Result;
use crate::health::Scorecard;
use crate::options::Casing;
use crate::table::{Table, pick};

/// A back-test's tables, by name.
pub const BACKTEST_TABLES: [&str; 8] = [
    "observations",
    "bands",
    "quarters",
    "measures",
    "calibration",
    "lift",
    "survival",
    "roc",
];

/// The back-test table called `name` ([`BACKTEST_TABLES`], written in `casing`).
pub fn backtest(
    name: &str,
    casing: Casing,
    obs: &Observations,
    report: &BacktestReport,
    card: &Scorecard,
) -> Result<Table> {
    Ok(match pick("a back-test", name, &BACKTEST_TABLES, casing)? {
        0 => observations(obs, card),
        1 => bands(report, card),
        2 => quarters(report),
        3 => measures(report),
        4 => calibration(report),
        5 => lift(report),
        6 => survival(report, card),
        _ => roc(&super::roc_curves(obs)?),
    })
}

/// A re-calibration's tables, by name.
pub const RECALIBRATION_TABLES: [&str; 2] = ["weights", "bands"];

/// The re-calibration table called `name` ([`RECALIBRATION_TABLES`], written in `casing`).
pub fn recalibration(name: &str, casing: Casing, r: &Recalibration) -> Result<Table> {
    Ok(
        match pick("a re-calibration", name, &RECALIBRATION_TABLES, casing)? {
            0 => weights(r),
            _ => recalibrated_bands(r),
        },
    )
}

/// The scorecard's band names, lowest first: the order of every band column.
pub fn band_names(card: &Scorecard) -> Vec<&str> {
    card.bands.iter().map(|b| b.name.as_str()).collect()
}

/// A report row's band, missing for the unscored row (as an unscored account's band is
/// missing in every table).
fn scored(band: &str) -> Option<&str> {
    (band != UNSCORED).then_some(band)
}

/// The whole window first (`all`), then each quarter.
fn slices(r: &BacktestReport) -> impl Iterator<Item = &Slice> {
    std::iter::once(&r.overall).chain(&r.quarters)
}

/// One row per renewal of the window, by renewal date then id: `renewal_id`, `account_id`,
/// `segment`, `renewal_date`, `quarter`, `scored_on`, `outcome`, `churned`, `arr_before`
/// and `arr_after` (amounts in `currency`), `score` (missing when unscored), `band`
/// (missing when unscored), then `measure:<name>`: each measure's score then (missing =
/// no data).
pub fn observations(obs: &Observations, card: &Scorecard) -> Table {
    let rows = &obs.rows;
    let mut t = Table::new();
    t.text("renewal_id", rows.iter().map(|o| &o.renewal_id))
        .text("account_id", rows.iter().map(|o| &o.account_id))
        .maybe_text("segment", rows.iter().map(|o| o.segment.as_deref()))
        .dates("renewal_date", rows.iter().map(|o| o.renewal_date))
        .text("quarter", rows.iter().map(|o| &o.quarter))
        .dates("scored_on", rows.iter().map(|o| o.scored_on))
        .names_of("outcome", rows.iter().map(|o| &o.outcome))
        .flags("churned", rows.iter().map(|o| o.churned))
        .amounts("arr_before", rows.iter().map(|o| o.arr_before.amount))
        .amounts("arr_after", rows.iter().map(|o| o.arr_after.amount))
        .text(
            "currency",
            rows.iter().map(|o| o.arr_before.currency.code()),
        )
        .maybe_numbers("score", rows.iter().map(|o| o.score))
        .bands(
            "band",
            &band_names(card),
            rows.iter().map(|o| o.band.as_deref()),
        );
    for (k, name) in obs.measures.iter().enumerate() {
        t.numbers(
            &format!("measure:{name}"),
            rows.iter()
                .map(|o| o.measure_scores.get(k).copied().unwrap_or(f64::NAN)),
        );
    }
    t
}

/// Renewals per band, for the whole window (`slice` = `all`) then each quarter: `band`
/// (lowest first; missing for the renewals no score covered), `renewals`, `renewed`, `rate`
/// with its Wilson 95% interval `ci_lo`–`ci_hi`, `arr_up` and `arr_renewed` (amounts in
/// `currency`), the ARR-weighted renewal rate `arr_rate`, and `too_few`: fewer renewals than
/// [`super::TOO_FEW_RENEWALS`] behind the rate.
pub fn bands(report: &BacktestReport, card: &Scorecard) -> Table {
    let rows: Vec<_> = slices(report)
        .flat_map(|s| s.bands.iter().map(move |b| (s.label.as_str(), b)))
        .collect();
    Table::new()
        .text("slice", rows.iter().map(|(s, _)| s))
        .bands(
            "band",
            &band_names(card),
            rows.iter().map(|(_, b)| scored(&b.band)),
        )
        .counts("renewals", rows.iter().map(|(_, b)| b.renewals))
        .counts("renewed", rows.iter().map(|(_, b)| b.renewed))
        .maybe_numbers("rate", rows.iter().map(|(_, b)| b.rate))
        .maybe_numbers("ci_lo", rows.iter().map(|(_, b)| b.ci95.map(|i| i.lo)))
        .maybe_numbers("ci_hi", rows.iter().map(|(_, b)| b.ci95.map(|i| i.hi)))
        .amounts("arr_up", rows.iter().map(|(_, b)| b.arr_up.amount))
        .amounts(
            "arr_renewed",
            rows.iter().map(|(_, b)| b.arr_renewed.amount),
        )
        .text(
            "currency",
            rows.iter().map(|(_, b)| b.arr_up.currency.code()),
        )
        .maybe_numbers("arr_rate", rows.iter().map(|(_, b)| b.arr_rate))
        .flags(
            "too_few",
            rows.iter()
                .map(|(_, b)| b.renewals < super::TOO_FEW_RENEWALS),
        )
        .take()
}

/// One row per slice, `all` first then each quarter: `renewals`, `churned`, `unscored`;
/// `auc` with its DeLong 95% interval `auc_lo`–`auc_hi`, `se_delong` and
/// `se_hanley_mcneil`; `brier`; and the lowest band against the highest: `verdict`,
/// `separates`, `test_used` (`z` or `fisher`) and its `p_value`. Missing where not
/// computable.
pub fn quarters(report: &BacktestReport) -> Table {
    let s: Vec<&Slice> = slices(report).collect();
    let c: Vec<_> = s.iter().map(|s| s.comparison.as_ref()).collect();
    Table::new()
        .text("slice", s.iter().map(|s| &s.label))
        .counts("renewals", s.iter().map(|s| s.renewals))
        .counts("churned", s.iter().map(|s| s.churned))
        .counts("unscored", s.iter().map(|s| s.unscored))
        .maybe_numbers("auc", s.iter().map(|s| s.auc.map(|a| a.auc)))
        .maybe_numbers("auc_lo", s.iter().map(|s| s.auc.map(|a| a.ci95.lo)))
        .maybe_numbers("auc_hi", s.iter().map(|s| s.auc.map(|a| a.ci95.hi)))
        .maybe_numbers("se_delong", s.iter().map(|s| s.auc.map(|a| a.se_delong)))
        .maybe_numbers(
            "se_hanley_mcneil",
            s.iter().map(|s| s.auc.map(|a| a.se_hanley_mcneil)),
        )
        .maybe_numbers("brier", s.iter().map(|s| s.brier))
        .maybe_text("verdict", c.iter().map(|c| c.map(|c| &c.verdict)))
        .maybe_flags("separates", c.iter().map(|c| c.map(|c| c.separates)))
        .maybe_text("test_used", c.iter().map(|c| c.map(|c| &c.test_used)))
        .maybe_numbers(
            "p_value",
            c.iter().map(|c| {
                c.map(|c| match (c.test_used.as_str(), c.z_test) {
                    ("z", Some(z)) => z.p_value,
                    _ => c.fisher.p_value,
                })
            }),
        )
        .take()
}

/// Each measure's own predictive power beside its weight: `measure`, `group`,
/// `weight_share`, `observed` (renewals with data), `auc` (missing when not computable),
/// `direction` (`as designed`, `reversed` or `none`), `power_share` and `flag`
/// (`over-weighted`, `under-weighted`, `reversed` or missing).
pub fn measures(report: &BacktestReport) -> Table {
    let m = &report.measures;
    Table::new()
        .text("measure", m.iter().map(|m| &m.measure))
        .text("group", m.iter().map(|m| &m.group))
        .numbers("weight_share", m.iter().map(|m| m.weight_share))
        .counts("observed", m.iter().map(|m| m.observed))
        .maybe_numbers("auc", m.iter().map(|m| m.auc))
        .text("direction", m.iter().map(|m| &m.direction))
        .numbers("power_share", m.iter().map(|m| m.power_share))
        .maybe_text("flag", m.iter().map(|m| m.flag.as_deref()))
        .take()
}

/// The calibration of the score → P(churn) mapping by decile of predicted risk, per slice:
/// `slice`, `decile`, `n`, `positives`, `mean_risk`, `observed`.
pub fn calibration(report: &BacktestReport) -> Table {
    let rows: Vec<_> = slices(report)
        .flat_map(|s| s.calibration.iter().map(move |c| (s.label.as_str(), c)))
        .collect();
    Table::new()
        .text("slice", rows.iter().map(|(s, _)| s))
        .counts("decile", rows.iter().map(|(_, c)| u64::from(c.decile)))
        .counts("n", rows.iter().map(|(_, c)| c.n))
        .counts("positives", rows.iter().map(|(_, c)| c.positives))
        .numbers("mean_risk", rows.iter().map(|(_, c)| c.mean_risk))
        .numbers("observed", rows.iter().map(|(_, c)| c.observed))
        .take()
}

/// Capture and lift of the riskiest accounts, per slice: `slice`, `fraction`, `k`
/// (accounts), `captured` (churns among them), `capture` (share of all churn) and `lift`.
pub fn lift(report: &BacktestReport) -> Table {
    let rows: Vec<_> = slices(report)
        .flat_map(|s| s.lift.iter().map(move |l| (s.label.as_str(), l)))
        .collect();
    Table::new()
        .text("slice", rows.iter().map(|(s, _)| s))
        .numbers("fraction", rows.iter().map(|(_, l)| l.fraction))
        .counts("k", rows.iter().map(|(_, l)| l.k))
        .counts("captured", rows.iter().map(|(_, l)| l.captured))
        .numbers("capture", rows.iter().map(|(_, l)| l.capture))
        .numbers("lift", rows.iter().map(|(_, l)| l.lift))
        .take()
}

/// Kaplan–Meier retention curves by band, from scoring day (days in `time`): `band`,
/// `time`, `at_risk`, `observed` (churns), `censored`, `survival`.
pub fn survival(report: &BacktestReport, card: &Scorecard) -> Table {
    let rows: Vec<_> = report
        .survival
        .iter()
        .flat_map(|b| b.curve.iter().map(move |p| (b.band.as_str(), p)))
        .collect();
    Table::new()
        .bands(
            "band",
            &band_names(card),
            rows.iter().map(|(b, _)| scored(b)),
        )
        .numbers("time", rows.iter().map(|(_, p)| p.time))
        .counts("at_risk", rows.iter().map(|(_, p)| p.at_risk))
        .counts("observed", rows.iter().map(|(_, p)| p.observed))
        .counts("censored", rows.iter().map(|(_, p)| p.censored))
        .numbers("survival", rows.iter().map(|(_, p)| p.survival))
        .take()
}

/// ROC curves ([`super::roc_curves`]) by slice: `slice`, `threshold` (flag every renewal
/// with risk ≥ it; `inf` for the first point, where nothing is flagged), `fpr` and `tpr`.
pub fn roc(curves: &[(String, Vec<RocPoint>)]) -> Table {
    let rows: Vec<(&str, &RocPoint)> = curves
        .iter()
        .flat_map(|(label, curve)| curve.iter().map(move |p| (label.as_str(), p)))
        .collect();
    Table::new()
        .text("slice", rows.iter().map(|(s, _)| s))
        .numbers("threshold", rows.iter().map(|(_, p)| p.threshold))
        .numbers("fpr", rows.iter().map(|(_, p)| p.fpr))
        .numbers("tpr", rows.iter().map(|(_, p)| p.tpr))
        .take()
}

/// A re-calibration's weights: `measure`, `group`, `coefficient` (fitted log-odds of churn
/// per 100 points of measure score; negative protects), `share_before` and `share_after`
/// (nominal shares of the score; 0 when dropped).
pub fn weights(r: &Recalibration) -> Table {
    let w = &r.weights;
    Table::new()
        .text("measure", w.iter().map(|w| &w.measure))
        .text("group", w.iter().map(|w| &w.group))
        .numbers("coefficient", w.iter().map(|w| w.coefficient))
        .numbers("share_before", w.iter().map(|w| w.share_before))
        .numbers("share_after", w.iter().map(|w| w.share_after))
        .take()
}

/// A re-calibration's band threshold choices (`method`: `current`, `target churn rates`,
/// `youden`), one row per band: `band`, `min`, `train_renewals`, `train_churn_rate`,
/// `test_renewals`, `test_churn_rate` (missing when empty).
pub fn recalibrated_bands(r: &Recalibration) -> Table {
    let rows: Vec<_> = r
        .bands
        .iter()
        .flat_map(|c| c.outcomes.iter().map(move |o| (c.method.as_str(), o)))
        .collect();
    Table::new()
        .text("method", rows.iter().map(|(m, _)| m))
        .bands(
            "band",
            &band_names(&r.scorecard),
            rows.iter().map(|(_, o)| Some(o.band.as_str())),
        )
        .numbers("min", rows.iter().map(|(_, o)| o.min))
        .counts("train_renewals", rows.iter().map(|(_, o)| o.train_renewals))
        .maybe_numbers(
            "train_churn_rate",
            rows.iter().map(|(_, o)| o.train_churn_rate),
        )
        .counts("test_renewals", rows.iter().map(|(_, o)| o.test_renewals))
        .maybe_numbers(
            "test_churn_rate",
            rows.iter().map(|(_, o)| o.test_churn_rate),
        )
        .take()
}
