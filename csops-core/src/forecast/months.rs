//! The forecast month by month: how much renewed ARR to expect by the end of each month of
//! the window, as a distribution (P10, P50, P90) of the running total, against the ARR at
//! stake by then. What a CRO reads as "where will we be by the end of November?", and what
//! the report's fan chart draws.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::{DistributionMethod, ForecastConfig, RenewalForecast, renewed_arr_distribution};
use crate::Result;

/// The renewals of the window up to the end of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct MonthOutlook {
    /// The month (`YYYY-MM`).
    pub month: String,
    /// Renewals due by its end.
    pub renewals: u64,
    /// ARR up for renewal by its end (everything, were every renewal to renew).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub at_stake: Decimal,
    /// Expected renewed ARR by its end (the sum of the lines' expected renewal).
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub expected: Decimal,
    /// 10th percentile of renewed ARR by its end: a bad run.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile: a good run.
    pub p90: f64,
}

/// Each month of the forecast's window that has renewals, in order: the distribution of the
/// renewed ARR due by its end. Renewals renew or not independently, with the lines'
/// `p_renew`, as the forecast's own distribution assumes; the distribution is computed the
/// forecast's default way (exact for up to 20 renewals, else on a grid).
pub fn running_by_month(f: &RenewalForecast) -> Result<Vec<MonthOutlook>> {
    let defaults = ForecastConfig::default();
    let mut months: BTreeMap<&str, Vec<&super::RenewalLine>> = BTreeMap::new();
    for l in &f.lines {
        months.entry(l.month.as_str()).or_default().push(l);
    }
    let mut amounts: Vec<(f64, f64)> = Vec::new();
    let (mut at_stake, mut expected, mut renewals) = (Decimal::ZERO, Decimal::ZERO, 0_u64);
    let mut out = Vec::with_capacity(months.len());
    for (month, lines) in months {
        for l in lines {
            amounts.push((l.arr.to_f64().unwrap_or(f64::NAN), l.p_renew));
            at_stake += l.arr;
            expected += l.expected_renewal;
            renewals += 1;
        }
        let d = renewed_arr_distribution(
            &amounts,
            DistributionMethod::Auto,
            defaults.draws,
            defaults.seed,
        )?;
        out.push(MonthOutlook {
            month: month.to_string(),
            renewals,
            at_stake,
            expected,
            p10: d.p10,
            p50: d.p50,
            p90: d.p90,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{self, SynthConfig};

    #[test]
    fn the_last_month_is_the_whole_window() {
        let loaded = synth::book(&SynthConfig {
            accounts: 120,
            ..SynthConfig::default()
        })
        .unwrap();
        let f = super::super::forecast(
            &loaded.book,
            &Default::default(),
            &ForecastConfig::default(),
        )
        .unwrap();
        let months = running_by_month(&f).unwrap();
        assert!(!months.is_empty());
        let last = months.last().unwrap();
        assert_eq!(last.renewals, f.lines.len() as u64);
        assert_eq!(last.at_stake, f.arr);
        assert_eq!(last.expected, f.expected_renewal);
        let whole = f.distribution.as_ref().unwrap();
        // The whole window's distribution, by the same method as the forecast's own.
        assert_eq!(
            (last.p10, last.p50, last.p90),
            (whole.p10, whole.p50, whole.p90)
        );
        for w in months.windows(2) {
            assert!(w[0].month < w[1].month);
            assert!(w[0].renewals < w[1].renewals && w[0].at_stake <= w[1].at_stake);
        }
        for m in &months {
            assert!(m.p10 <= m.p50 && m.p50 <= m.p90);
            assert!(m.p90 <= m.at_stake.to_f64().unwrap() + 1e-6);
        }
    }
}
