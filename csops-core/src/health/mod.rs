//! Health scores: composable, explainable scorecards.
//!
//! A health score answers "how likely is this account to renew?" with a number a CSM can act
//! on. csops builds it as a **[`Scorecard`]**: a tree of weighted **groups** (usage,
//! engagement, support, …) holding weighted **[`Measure`]s**. Each measure reads one feature
//! column of a [`FeatureFrame`] and maps it to 0–100 through a **[`Normaliser`]** (a linear
//! range, step thresholds, a percentile rank, a logistic curve, a yes/no flag, or piecewise
//! points). The account's score is the weighted sum of its measure scores, and it is shown with
//! its parts: every measure's **contribution** (the contributions add up to the score), the
//! **coverage** (the share of the scorecard's weight that had data), the **band** (red, yellow,
//! green, or your own scheme) and the **drivers** pulling it down.
//!
//! **Missing data** is a choice per measure ([`MissingRule`]): redistribute the measure's weight
//! over the measures that have data (the default: scoring then equals scoring with that measure
//! removed), use a fixed score, or count it as the worst score. Below a minimum coverage the
//! account gets no score at all but an explicit "insufficient data" result, because a score
//! built on a sliver of data looks as confident as one built on all of it.
//!
//! A fixed-formula scorecard like the [default](Scorecard::default_heuristic) is a
//! **heuristic**, not a fitted model: it encodes someone's judgement. Whether it predicts churn
//! is a question for the back-test, not for this module.
//!
//! Scorecards are data: serde types loadable from TOML or JSON (with a `schema_version`),
//! validated with every problem reported at once.
//!
//! ```
//! use csops_core::health::{Scorecard, Normaliser};
//!
//! let card = Scorecard::builder("simple")
//!     .group("usage", 2.0)
//!     .measure("breadth", "feature_breadth", 1.0, Normaliser::linear(0.0, 1.0))
//!     .group("relationship", 1.0)
//!     .measure("sponsor", "exec_sponsor_present", 1.0, Normaliser::boolean())
//!     .build()?;
//! let s = card.score_values(&[Some(0.5), Some(1.0)])?;
//! assert_eq!(s.score, Some(2.0 / 3.0 * 50.0 + 1.0 / 3.0 * 100.0));
//! # Ok::<(), csops_core::Error>(())
//! ```

mod account;
mod columns;
mod default_card;
mod explain;
mod model_set;
mod normaliser;
mod overrides;
mod render;
mod results;
mod scorecard;
mod scoring;
mod trend;

pub use model_set::{ModelSet, ModelSetScores};
pub use normaliser::Normaliser;
pub use overrides::{Override, ReportedScore, overrides_from_value};
pub use results::{
    AccountScore, DEFAULT_DRIVERS, MeasureResult, NOT_SCORED, ScoreDetail, ScoreFrame,
};
pub use scorecard::{
    Band, Group, Measure, MissingRule, Scorecard, ScorecardBuilder, default_bands,
};
pub use trend::{Direction, Trend, trend};

#[cfg(doc)]
use crate::features::FeatureFrame;

/// The default dead-band of a trend, in score points: moves within ±2 points are flat.
pub const DEFAULT_DEAD_BAND: f64 = 2.0;

/// The scorecard layout version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
