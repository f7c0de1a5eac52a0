//! One file per section of the report, each a function `section(...)` from the results the
//! section shows (so a caller who ran their own steps composes their own report).

pub mod backtest;
pub mod forecast;
pub mod health;
pub mod playbook;
pub mod quality;
pub mod recalibration;
pub mod retention;
pub mod segment;

/// Fewer observations than this behind a rate and the chart marks it "too few"
/// ([`crate::backtest::TOO_FEW_RENEWALS`]).
pub const SMALL_SAMPLE: u64 = crate::backtest::TOO_FEW_RENEWALS;

/// A share as a percentage with one decimal, `-` when there is none.
pub(crate) fn pct(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map_or_else(|| "-".into(), |x| format!("{:.1}%", 100.0 * x))
}

/// A number with `digits` decimals, `-` when there is none.
pub(crate) fn num(x: Option<f64>, digits: usize) -> String {
    x.filter(|x| x.is_finite())
        .map_or_else(|| "-".into(), |x| format!("{x:.digits$}"))
}

/// A decimal amount as a float for a chart (charts need no cents).
pub(crate) fn f(d: rust_decimal::Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(f64::NAN)
}

/// Text that starts a sentence: its first letter upper-case (`red: 28 accounts` → `Red: …`).
pub(crate) fn sentence(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
