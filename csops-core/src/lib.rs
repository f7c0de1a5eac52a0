//! csops-core: the pure engine of csops, an open engine for Customer Success Operations.
//!
//! The post-sale operating system CS platforms sell as a black box, as a library: a typed,
//! validated book of customer records; point-in-time features; health scores that can be
//! back-tested against real churn and re-calibrated with held-out proof; segmentation and
//! CSM coverage; playbooks with a log-only mode; renewal forecasts reconciled with the CRM;
//! GRR/NRR with cohort cuts, in exact money. The Python (`csops`) and Node (`csops`)
//! packages are thin bindings of this crate: every decision, default and text is made here.
//!
//! # A worked example
//!
//! Load a book (here a small synthetic one; [`interchange::load_csv_dir`] reads a folder of
//! CSV exports, and a source map reads your own tools' exports), derive each account's
//! features as of a day, and score them with the default scorecard (a login-heavy
//! *heuristic*, a starting point to back-test, not a fitted model):
//!
//! ```
//! use csops_core::features::{FeatureConfig, features_as_of};
//! use csops_core::health::Scorecard;
//! use csops_core::synth::{self, SynthConfig};
//!
//! # fn main() -> csops_core::Result<()> {
//! let loaded = synth::book(&SynthConfig { accounts: 40, ..SynthConfig::default() })?;
//! assert!(loaded.report.problems.is_empty(), "a generated book is clean");
//! let book = &loaded.book;
//!
//! // Features see nothing after the day they are taken (point-in-time correctness).
//! let as_of = book.latest_date().expect("the book has dated records");
//! let features = features_as_of(book, as_of, &FeatureConfig::default())?;
//!
//! let card = Scorecard::default_heuristic();
//! let scores = card.score_frame(&features, None)?;
//! // One row per account the features cover (the customers of that day), scored in order.
//! assert_eq!(scores.scores.len(), features.account_ids.len());
//! for (band, accounts) in scores.band_counts() {
//!     println!("{band}: {accounts} accounts");
//! }
//! // Each score is explained: what each measure contributed.
//! let first = &features.account_ids[0];
//! let why = card.explain_account(&features, None, first)?;
//! println!("{}", why.render(first));
//! # Ok(())
//! # }
//! ```
//!
//! # Where things are
//!
//! One module per concept of the field: [`record`] (the record types), [`book`] (a validated
//! book and its indexes), [`interchange`] (CSV, JSON, Arrow/Parquet and source-mapped exports
//! in; a validation report of every problem with its file, row and field), [`features`],
//! [`health`] (scorecards, model sets), [`backtest`] (back-tests, re-calibration),
//! [`segment`] and [`condition`] (tiers, coverage, the condition language), [`playbook`],
//! [`forecast`], [`retention`] (GRR/NRR, the ARR bridge), [`money`] (exact amounts with a
//! currency; mixing currencies without FX is an error), [`options`] (every option the
//! bindings accept, as serde types with documented defaults), [`render`] (text and HTML of
//! results), [`table`] (every result's flat tables: the columns Python's DataFrames and
//! Node's column objects show). Errors are one [`Error`] type whose kind is machine-readable.
//!
//! # Features
//!
//! - `parquet` (default): load books from folders of Parquet files (implies `arrow`).
//! - `arrow`: records from Arrow record batches, and [`columnar`], the one boundary where
//!   Arrow arrays become the core's column views and back.
//! - `typescript`: TypeScript declarations of the types that cross into Node.
//! - `panic-injection`: test builds only ([`fault`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The version of this crate, shared by the Python and Node packages.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod backtest;
pub mod book;
#[cfg(feature = "arrow")]
pub mod columnar;
pub mod condition;
pub mod error;
pub mod fault;
pub mod features;
pub mod forecast;
pub mod health;
pub mod missing;
pub mod money;
pub mod options;
pub mod playbook;
pub mod progress;
pub mod record;
pub mod render;
pub mod report;
pub mod retention;
pub mod segment;
pub mod table;
#[cfg(feature = "typescript")]
pub mod typescript;

pub use error::{Error, Result};
pub mod interchange;
pub mod synth;
