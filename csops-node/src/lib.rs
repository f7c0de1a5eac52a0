//! Node.js binding of csops (napi-rs): a thin layer that converts JavaScript arguments,
//! calls csops-core, and converts results and errors back. It holds no logic of its own.
//!
//! - [`book`]: `loadBook*` functions, the `Book` and `FeatureFrame` classes, async tasks.
//! - [`backtest`]: `backtest*` functions, the `Backtest` and `Recalibration` classes, async
//!   tasks.
//! - [`health`]: the `Scorecard` class (health scoring), its async task, and `trend`.
//! - [`modelset`]: the `ModelSet` class (a scorecard per segment) and its async task.
//! - [`retention`]: the ARR bridge and retention (`Book` methods, `bridgeTable`).
//! - [`forecast`]: health on a day, the renewal `forecast` (and its async task, its tables)
//!   and its `reconcile`iation with the CRM.
//! - [`condition`]: the condition language (`Condition`) and the caller's columns it reads.
//! - [`segment`]: `TierRules`, the account table, tiers, coverage and assignment
//!   (`book.segment`, its async task, `segmentColumns`) and what-if.
//! - [`playbook`]: the `Playbook` class, running and replaying plays (`runPlays`,
//!   `replayPlays`, their async tasks), their effects (`playEffects`), `renderFired` and
//!   `closeTask`; the fire history as plain data.
//! - [`records`]: records as data (the JSON interchange layout's types) and
//!   `book.withRecords`, the book with the records a webhook brings.
//! - [`pool`]: the memory of result columns JavaScript let go of, kept for the next batch.
//! - [`stats`]: the back-test's statistics on their own (`stats.wilson`, `stats.rocAuc`, ...).
//! - [`results`]: results into JavaScript: the core's values, field names camelCased, and
//!   the text summaries the core renders.
//! - [`features`]: feature values into scoring (columns, a `FeatureFrame`, rows).
//! - [`args`]: reading plain argument values (`CSOPS_INVALID_ARGUMENT` on a wrong type); each
//!   domain module reads its own options and classes with it.
//! - [`options`]: options objects into the core's option types (the core reads, defaults
//!   and checks them).
//! - [`error`]: the one mapping of core errors to `code`s.
//! - [`failure`]: what went wrong as plain data, and the panic guard.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use napi_derive::napi;

pub mod args;
pub mod backtest;
pub mod book;
pub mod condition;
pub mod error;
pub mod failure;
pub mod features;
pub mod forecast;
pub mod health;
pub mod modelset;
pub mod options;
pub mod playbook;
pub mod pool;
pub mod progress;
pub mod records;
pub mod report;
pub mod results;
pub mod retention;
pub mod segment;
pub mod stats;

/// The csops version.
#[napi]
pub fn version() -> String {
    csops_core::VERSION.to_string()
}

/// Test builds only: make the core panic at its checkpoints (`true`) or not (`false`).
#[cfg(feature = "panic-injection")]
#[napi_derive::napi]
pub fn arm_panic(on: bool) {
    csops_core::fault::arm(on);
}
