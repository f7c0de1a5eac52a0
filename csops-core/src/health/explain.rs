//! Explaining one account of a frame: the full per-measure breakdown of its score, with why
//! a missing value is missing.

use super::account::measure_score;
use super::results::AccountScore;
use super::scorecard::Scorecard;
use crate::error::{Error, Result};
use crate::features::FeatureFrame;

impl Scorecard {
    /// Explain the account `account_id` of a frame, as [`Scorecard::explain`] explains its row.
    /// An id the frame does not hold is [`Error::NotFound`]; an id on more than one row is
    /// [`Error::Config`] naming the rows (which of them is meant would be a guess).
    pub fn explain_account(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
        account_id: &str,
    ) -> Result<AccountScore> {
        let mut rows = frame
            .account_ids
            .iter()
            .enumerate()
            .filter(|(_, a)| *a == account_id)
            .map(|(i, _)| i);
        match (rows.next(), rows.next()) {
            (Some(row), None) => self.explain(frame, segments, row),
            (None, _) => Err(Error::NotFound {
                what: format!("account `{account_id}` is not in the data"),
            }),
            (Some(a), Some(b)) => Err(Error::Config(vec![format!(
                "account `{account_id}` appears more than once in the data (rows {} and {}{})",
                a + 1,
                b + 1,
                if rows.next().is_some() {
                    ", and more"
                } else {
                    ""
                }
            )])),
        }
    }

    /// Explain row `i` of a frame: the full per-measure breakdown (percentile measures are
    /// ranked within the whole frame, as in [`Scorecard::score_frame`]).
    pub fn explain(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
        i: usize,
    ) -> Result<AccountScore> {
        crate::fault::checkpoint("Scorecard::explain");
        if i >= frame.len() {
            return Err(Error::Config(vec![format!(
                "row {i} is outside the frame of {} accounts",
                frame.len()
            )]));
        }
        let (raw, cols) = self.measure_columns(frame, segments)?;
        let values: Vec<Option<f64>> = raw
            .iter()
            .map(|c| Some(c[i]).filter(|x| x.is_finite()))
            .collect();
        let present: Vec<bool> = values.iter().map(Option::is_some).collect();
        let scores: Vec<Option<f64>> = self
            .measures()
            .zip(&cols)
            .zip(&present)
            .map(|(((_, m), col), p)| measure_score(m, p.then_some(col[i])))
            .collect();
        let mut out = self.combine(&values, &scores, &present);
        if !frame.missing_notes.is_empty() {
            let id = &frame.account_ids[i];
            for ((_, m), r) in self.measures().zip(&mut out.measures) {
                if r.value.is_none() {
                    r.missing_why = frame.missing_why(id, &m.feature).cloned();
                }
            }
        }
        Ok(out)
    }
}
