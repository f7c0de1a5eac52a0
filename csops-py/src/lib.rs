//! Python bindings for csops: the native module `csops._csops`.
//!
//! The Python package `csops` (see `python/csops/__init__.py`) re-exports what
//! this module defines; users never import `csops._csops` directly.
//!
//! The bindings are thin: they convert types and errors and call the core; there is no
//! logic here. Layout, so that bindings can grow without this file turning into a heap:
//! - `errors`: the exception hierarchy (`CsopsError`, `ValidationError`, `ConfigError`,
//!   `FormatError`, `CsopsIOError`), the one conversion from `csops_core::Error` into
//!   them, and the helpers every core call goes through (GIL released, panics caught).
//! - `convert`: shared conversions of arguments (mode, header map, feature config, dates)
//!   and of serialisable core values into plain Python data.
//! - `report`: `Problem` and `ValidationReport`.
//! - `book`: `Book` and `load_book`, `load_book_json`, `load_book_csv`.
//! - `features`: `FeatureFrame`.
//! - `health`: `Scorecard`, `Explanation` and `trend` (health scoring).
//! - `modelset`: `ModelSet` (a scorecard per segment).
//! - `backtest`: `backtest`, `Backtest` and `Recalibration` (does the score predict churn;
//!   new weights fitted on past renewals).
//! - `retention`: `ArrBridge`, and the retention methods of `Book` (`arr_bridge`,
//!   `retention`, `retention_series`, `trailing_twelve_months`; declared in `book`,
//!   implemented in `retention`).
//! - `forecast`: `forecast`, `RenewalForecast` and `Reconciliation`, and `Book.health_as_of`
//!   (the health a forecast reads).
//! - `condition`: `Condition` (the condition language) and the one reader of the tables it
//!   (and tier rules, and segmentation) reads.
//! - `segment`: `TierRules`, `Segmentation`, `WhatIf` and `segment_table`, and the methods
//!   `Book.account_table` and `Book.segment` (declared in `book`, implemented in `segment`).
//! - `playbook`: `Playbook`, `FireHistory`, `run_plays` and `PlayRun`, `replay_plays` and
//!   `PlayReplay`, and `play_effects` (plays that fire tasks, log-only first).
//! - `stats`: `csops.stats`, the back-test's statistics on their own (Wilson, z and Fisher
//!   tests, AUC, Brier, deciles, lift, Kaplan–Meier, log-rank, logistic, isotonic).
//! - `table`: tables in (`read`: what the scorer reads) and out (`write`: `Columns`, a result as
//!   pandas, polars, pyarrow or a dict; `scores`; `categories`: bands and tiers).
//! - `pool`: result memory kept for the next call (numpy arrays and Arrow buffers whose
//!   memory comes back when Python drops them).
//! - `spark_support`: a back-test in two halves for `csops.spark` (`_backtest_observe` per
//!   partition, `_backtest_from_observations` on the driver).
//!
//! Each module with Python-visible items has a `register(m)` function called from
//! [`_csops`] below.
//!
//! Tests of the bindings are Python tests (`csops-py/tests`, run by
//! `scripts/test-python.sh`). Avoid Rust `#[test]`s or doctests here that call
//! into Python: such a test binary links `libpython3.x.so` and, at run time,
//! gets whichever one the dynamic loader finds (on the CI image: Debian's
//! system Python at /usr, not the pyenv `python3`), or fails to start where
//! there is none.

use pyo3::prelude::*;

pub mod arrow;
pub mod backtest;
pub mod book;
pub mod condition;
pub mod convert;
pub mod errors;
pub mod features;
pub mod forecast;
pub mod health;
pub mod modelset;
pub mod options;
pub mod playbook;
pub mod pool;
pub mod progress;
pub mod report;
pub mod retention;
pub mod segment;
pub mod spark_support;
pub mod stats;
pub mod table;
pub mod validation;

/// The native module. Its name must match `[lib] name` in Cargo.toml and the
/// last part of `tool.maturin.module-name` in pyproject.toml.
/// Test builds only: make the core panic at its checkpoints (`True`) or not (`False`).
#[cfg(feature = "panic-injection")]
#[pyfunction]
fn _arm_panic(on: bool) {
    csops_core::fault::arm(on);
}

#[pymodule]
fn _csops(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Set as an attribute, not added (which would list it in `__all__`): a test hook, not API.
    #[cfg(feature = "panic-injection")]
    m.setattr("_arm_panic", wrap_pyfunction!(_arm_panic, m)?)?;
    m.add("__version__", csops_core::VERSION)?;
    errors::register(m)?;
    validation::register(m)?;
    book::register(m)?;
    features::register(m)?;
    health::register(m)?;
    modelset::register(m)?;
    backtest::register(m)?;
    retention::register(m)?;
    forecast::register(m)?;
    condition::register(m)?;
    segment::register(m)?;
    playbook::register(m)?;
    spark_support::register(m)?;
    report::register(m)?;
    stats::register(m)?;
    m.add_function(wrap_pyfunction!(table::_polars_categories, m)?)?;
    Ok(())
}
