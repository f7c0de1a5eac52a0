//! Finding a scorecard's input columns: resolving each measure's feature column (known
//! features, one length, segments that fit), refusing infinite values with the account named,
//! and normalising whole columns (percentile ranks included).

use std::collections::BTreeMap;

use super::normaliser::Normaliser;
use super::scorecard::Scorecard;
use crate::error::{Error, Result};
use crate::features::FeatureFrame;

impl Scorecard {
    /// Raw value columns and measure-score columns (NaN = missing, before the missing rule).
    pub(super) fn measure_columns<'a>(
        &self,
        frame: &'a FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<MeasureColumns<'a>> {
        let raw = self.raw_columns(frame, segments)?;
        let cols = self
            .measures()
            .zip(&raw)
            .map(|((_, m), values)| normalise_column(&m.normaliser, values, segments))
            .collect();
        Ok((raw, cols))
    }

    /// Validate the scorecard against a frame and return each measure's raw column.
    fn raw_columns<'a>(
        &self,
        frame: &'a FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<Vec<&'a [f64]>> {
        let cols = self.resolve_columns(
            |name| frame.column(name).map(|c| c.values.as_slice()),
            frame.columns.iter().map(|c| c.name.as_str()),
            frame.len(),
            segments,
        )?;
        if let Some(e) = self.infinities(&cols, |i| Some(frame.account_ids[i].as_str())) {
            return Err(e);
        }
        Ok(cols)
    }

    /// Validate the scorecard and the inputs (known features, one length, segments that fit)
    /// and return each measure's column, in scorecard order. Infinities are checked by the
    /// caller (the batch loop checks them on the fly rather than in a pass of its own).
    pub(super) fn resolve_columns<'a, 'n>(
        &self,
        lookup: impl Fn(&str) -> Option<&'a [f64]>,
        names: impl IntoIterator<Item = &'n str>,
        n: usize,
        segments: Option<&[String]>,
    ) -> Result<Vec<&'a [f64]>> {
        self.validate()?;
        if segments.is_none()
            && let Some((_, m)) = self.measures().find(|(_, m)| {
                matches!(
                    m.normaliser,
                    Normaliser::Percentile {
                        per_segment: true,
                        ..
                    }
                )
            })
        {
            return Err(Error::Config(vec![format!(
                "measure `{}` ranks within segments, but no segments were given",
                m.name
            )]));
        }
        self.check_features(names)?;
        if let Some(s) = segments
            && s.len() != n
        {
            return Err(Error::Config(vec![format!(
                "segments has {} entries for {n} accounts",
                s.len(),
            )]));
        }
        let cols: Vec<&[f64]> = self
            .measures()
            .map(|(_, m)| lookup(&m.feature).unwrap_or(&[][..]))
            .collect();
        // Columns built by hand can be ragged: an error, not a panic.
        let p: Vec<String> = self
            .measures()
            .zip(&cols)
            .filter(|(_, c)| c.len() != n)
            .map(|((_, m), c)| {
                format!(
                    "column `{}` has {} values for {n} accounts",
                    m.feature,
                    c.len()
                )
            })
            .collect();
        if p.is_empty() {
            Ok(cols)
        } else {
            Err(Error::Config(p))
        }
    }

    /// The error for infinite values in the measures' columns, if any: infinity is neither a
    /// value nor "missing" (that is NaN), so it is refused rather than guessed at.
    pub(super) fn infinities<'i>(
        &self,
        cols: &[&[f64]],
        id: impl Fn(usize) -> Option<&'i str>,
    ) -> Option<Error> {
        let p: Vec<String> = self
            .measures()
            .zip(cols)
            .filter_map(|((_, m), c)| {
                let i = c.iter().position(|x| x.is_infinite())?;
                let count = c.iter().filter(|x| x.is_infinite()).count();
                let first = id(i).map_or(format!("row {i}"), |id| format!("`{id}`"));
                Some(format!(
                    "column `{}` has {count} infinite value(s), the first for {first}; use NaN for missing",
                    m.feature
                ))
            })
            .collect();
        (!p.is_empty()).then_some(Error::Config(p))
    }

    /// The error scoring gives for an infinite value in a column the card reads, with the
    /// first bad row named by its account id (`account_ids`, one per row) rather than by its
    /// position; `None` when there is no infinity. Scoring bare columns
    /// ([`Scorecard::score_columns_into`]) has no ids and names positions: a caller that holds
    /// the ids calls this after such an error, instead of scoring again to name the account.
    pub fn name_infinite_values(
        &self,
        columns: &[(&str, &[f64])],
        account_ids: &[String],
    ) -> Option<Error> {
        let cols: Vec<&[f64]> = self
            .measures()
            .map(|(_, m)| {
                columns
                    .iter()
                    .find(|(c, _)| *c == m.feature)
                    .map_or(&[][..], |(_, v)| *v)
            })
            .collect();
        self.infinities(&cols, |i| account_ids.get(i).map(String::as_str))
    }
}

/// A measure's scores for a whole column (NaN where the value is missing). Linear measures
/// use the same operations as [`Normaliser::apply`], so batch and single scoring agree.
pub(super) fn normalise_column(
    norm: &Normaliser,
    values: &[f64],
    segments: Option<&[String]>,
) -> Vec<f64> {
    match norm {
        Normaliser::Percentile {
            higher_is_better,
            per_segment,
        } => percentile_ranks(
            values,
            if *per_segment { segments } else { None },
            *higher_is_better,
        ),
        Normaliser::Linear { worst, best } => {
            let scale = 100.0 / (best - worst);
            values
                .iter()
                .map(|&x| ((x - worst) * scale).clamp(0.0, 100.0))
                .collect()
        }
        norm => values
            .iter()
            .map(|&x| {
                if x.is_finite() {
                    norm.apply(x)
                } else {
                    f64::NAN
                }
            })
            .collect(),
    }
}

/// Per measure: the raw feature column, and the normalised scores (NaN = missing).
type MeasureColumns<'a> = (Vec<&'a [f64]>, Vec<Vec<f64>>);

/// Midpoint percentile ranks `100 × (below + ½·equal) / n` of finite values, within segments
/// when given; NaN stays NaN.
fn percentile_ranks(
    values: &[f64],
    segments: Option<&[String]>,
    higher_is_better: bool,
) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            groups
                .entry(segments.map_or("", |s| s[i].as_str()))
                .or_default()
                .push(i);
        }
    }
    for idx in groups.values_mut() {
        idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let n = idx.len() as f64;
        let mut start = 0;
        while start < idx.len() {
            let mut end = start;
            while end < idx.len() && values[idx[end]] == values[idx[start]] {
                end += 1;
            }
            let pct = 100.0 * (start as f64 + 0.5 * (end - start) as f64) / n;
            for &i in &idx[start..end] {
                out[i] = if higher_is_better { pct } else { 100.0 - pct };
            }
            start = end;
        }
    }
    out
}
