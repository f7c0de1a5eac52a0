//! The [`Trend`] of a score against a previous one: the change, and its [`Direction`] once
//! moves within a dead-band count as flat.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Direction of a score change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Direction {
    /// Up by more than the dead-band.
    Up,
    /// Within the dead-band.
    Flat,
    /// Down by more than the dead-band.
    Down,
}

/// The change of a score against a previous one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Trend {
    /// `current − previous`.
    pub delta: f64,
    /// Up, flat or down, with changes within ±`dead_band` counted as flat.
    pub direction: Direction,
}

/// Compare a score with a previous one; changes within ±`dead_band` points are flat.
///
/// Scores must be finite (an account without a score has no trend) and the dead-band a finite
/// number ≥ 0; anything else is an [`Error::Config`].
pub fn trend(current: f64, previous: f64, dead_band: f64) -> Result<Trend> {
    if !current.is_finite() || !previous.is_finite() {
        return Err(Error::Config(vec![format!(
            "a trend needs two scores, got {current} and {previous}"
        )]));
    }
    if !(dead_band.is_finite() && dead_band >= 0.0) {
        return Err(Error::Config(vec![format!(
            "dead_band must be a finite number ≥ 0, got {dead_band}"
        )]));
    }
    let delta = current - previous;
    let direction = if delta > dead_band {
        Direction::Up
    } else if delta < -dead_band {
        Direction::Down
    } else {
        Direction::Flat
    };
    Ok(Trend { delta, direction })
}
