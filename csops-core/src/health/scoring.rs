//! Batch scoring: [`Scorecard::score_frame`] and [`Scorecard::score_columns`] score every
//! account of a frame column by column, in cache-sized blocks, with the weights of each
//! pattern of present measures computed once ([`WeightPatterns`]).

use super::account::coverage;
use super::columns::normalise_column;
use super::normaliser::Normaliser;
use super::results::{NOT_SCORED, ScoreDetail, ScoreFrame};
use super::scorecard::{Measure, MissingRule, Scorecard};
use crate::error::{Error, Result};
use crate::features::FeatureFrame;

impl Scorecard {
    /// Score every account of a frame. `segments`, when given, is one segment per frame row,
    /// used by per-segment percentile measures. Every measure's feature must be a column.
    ///
    /// Works column by column over cache-sized blocks of accounts, with no allocation per
    /// account. To score repeatedly without allocating the result each time, see
    /// [`Scorecard::score_columns_into`].
    pub fn score_frame(
        &self,
        frame: &FeatureFrame,
        segments: Option<&[String]>,
    ) -> Result<ScoreFrame> {
        crate::fault::checkpoint("Scorecard::score_frame");
        let mut out = ScoreFrame::default();
        let cols = self.resolve_columns(
            |name| frame.column(name).map(|c| c.values.as_slice()),
            frame.columns.iter().map(|c| c.name.as_str()),
            frame.len(),
            segments,
        )?;
        self.score_into(&cols, frame.len(), segments, true, &mut out)
            .map_err(|()| {
                self.infinities(&cols, |i| Some(frame.account_ids[i].as_str()))
                    .unwrap_or_else(|| Error::Config(vec!["infinite value".into()]))
            })?;
        Ok(out)
    }

    /// Score borrowed columns (feature name → values, `NaN` for missing; all the same
    /// length), e.g. straight from arrays the caller already holds, without building a
    /// [`FeatureFrame`]. Columns no measure reads are ignored.
    ///
    /// ```
    /// use csops_core::health::{Normaliser, Scorecard};
    /// let card = Scorecard::builder("logins only")
    ///     .group("usage", 1.0)
    ///     .measure("logins", "logins_per_user_week", 1.0, Normaliser::linear(0.0, 2.0))
    ///     .build()?;
    /// let logins = [0.5, 2.0, f64::NAN];
    /// let s = card.score_columns(&[("logins_per_user_week", &logins[..])], None)?;
    /// assert_eq!(s.scores[0], 25.0);
    /// assert_eq!(s.band(1), Some("green"));
    /// assert!(s.scores[2].is_nan()); // no data at all: insufficient coverage
    /// # Ok::<(), csops_core::Error>(())
    /// ```
    pub fn score_columns(
        &self,
        columns: &[(&str, &[f64])],
        segments: Option<&[String]>,
    ) -> Result<ScoreFrame> {
        let mut out = ScoreFrame::default();
        self.score_columns_into(columns, segments, ScoreDetail::Full, &mut out)?;
        Ok(out)
    }

    /// [`Scorecard::score_columns`] into an existing [`ScoreFrame`], reusing its buffers: a
    /// caller scoring many as-of dates or batches pays for the result's memory once. With
    /// [`ScoreDetail::ScoresOnly`] the per-measure contributions are not kept
    /// (`out.contributions` is empty), which is faster and a sixth of the memory for a
    /// six-measure card. On error `out` holds no valid result.
    pub fn score_columns_into(
        &self,
        columns: &[(&str, &[f64])],
        segments: Option<&[String]>,
        detail: ScoreDetail,
        out: &mut ScoreFrame,
    ) -> Result<()> {
        let n = columns.first().map_or(0, |(_, c)| c.len());
        let lookup = |name: &str| columns.iter().find(|(c, _)| *c == name).map(|(_, v)| *v);
        let cols = self.resolve_columns(lookup, columns.iter().map(|(c, _)| *c), n, segments)?;
        let keep = detail == ScoreDetail::Full;
        self.score_into(&cols, n, segments, keep, out)
            .map_err(|()| {
                out.scores.clear();
                self.infinities(&cols, |_| None)
                    .unwrap_or_else(|| Error::Config(vec!["infinite value".into()]))
            })
    }

    /// The batch loop. Accounts are taken in blocks small enough for the per-block buffers
    /// (pattern ids, running totals) to stay in cache, so each input column is read once and
    /// each output column written once. `Err(())` means an infinite input was met.
    fn score_into(
        &self,
        raw: &[&[f64]],
        n: usize,
        segments: Option<&[String]>,
        keep: bool,
        out: &mut ScoreFrame,
    ) -> std::result::Result<(), ()> {
        const BLOCK: usize = 4096;
        let ms: Vec<&Measure> = self.measures().map(|(_, m)| m).collect();
        let nominal = self.nominal_weights();
        // Weights and coverage depend only on which measures an account has (its pattern),
        // so they are computed once per pattern. A measure's weight in a pattern is its own
        // weight × its group's factor in that pattern (`factors[g][p]`): per block, each
        // account's group factors are looked up once (`rows[g]`), so the per-measure loops
        // below read plain arrays and vectorise, instead of looking up a weight per measure.
        let mut patterns = WeightPatterns::new(&ms, &nominal);
        let group_of: Vec<usize> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, grp)| std::iter::repeat_n(g, grp.measures.len()))
            .collect();
        let mut factors: Vec<Vec<f64>> = vec![Vec::new(); self.groups.len()];
        let mut rows: Vec<Vec<f64>> = vec![vec![0.0; BLOCK]; self.groups.len()];
        let imputes: u64 = ms
            .iter()
            .enumerate()
            .filter(|(_, m)| !matches!(m.missing, MissingRule::Redistribute))
            .fold(0, |acc, (k, _)| acc | 1 << k);
        // With up to 16 measures a direct table replaces hashing the mask; with up to 10 it is
        // filled up front (at most 1024 patterns), so the per-account lookup is a plain read.
        let mut table = if ms.len() <= 16 {
            vec![u32::MAX; 1 << ms.len()]
        } else {
            Vec::new()
        };
        let filled = ms.len() <= 10;
        if filled {
            for (m, slot) in (0u64..).zip(table.iter_mut()) {
                *slot = patterns.id(self, m | imputes, m);
            }
        }
        // Percentile ranks need the whole column, so they are computed up front.
        let ranks: Vec<Option<Vec<f64>>> = ms
            .iter()
            .zip(raw)
            .map(|(m, col)| {
                matches!(m.normaliser, Normaliser::Percentile { .. })
                    .then(|| normalise_column(&m.normaliser, col, segments))
            })
            .collect();
        let fills: Vec<f64> = ms.iter().map(|m| imputed(m)).collect();

        out.band_names = self.bands.iter().map(|b| b.name.clone()).collect();
        out.measure_names = ms.iter().map(|m| m.name.clone()).collect();
        out.scores.clear();
        out.scores.reserve(n);
        out.band_codes.clear();
        out.band_codes.reserve(n);
        out.coverage.clear();
        out.coverage.reserve(n);
        let kept = if keep { ms.len() } else { 0 };
        out.contributions.resize_with(kept, Vec::new);
        out.contributions.truncate(kept);
        for c in &mut out.contributions {
            c.clear();
            c.reserve(n);
        }

        let band_mins: Vec<f64> = self.bands.iter().map(|b| b.min).collect();
        let (mut unscored, mut cover) = (Vec::new(), Vec::new());
        // Two groups: each pattern's four per-account values side by side, one lookup each.
        let mut two: Vec<[f64; 4]> = Vec::new();
        let mut nan_row = vec![0f64; BLOCK];
        // Per-block buffers, on the heap: a block is too big for small thread stacks.
        let (mut mask, mut pat, mut total) =
            (vec![0u64; BLOCK], vec![0u32; BLOCK], vec![0f64; BLOCK]);
        let mut infinite = false;
        for start in (0..n).step_by(BLOCK) {
            let len = BLOCK.min(n - start);
            let (mask, pat, total) = (&mut mask[..len], &mut pat[..len], &mut total[..len]);
            mask.fill(0);
            // Four columns at a time: reading several columns side by side keeps more memory
            // reads in flight than one column after another (the first read of each block's
            // values comes from memory, not cache).
            for (q, cols) in raw.chunks(4).enumerate() {
                let r = start..start + len;
                let bit = |x: f64, k: usize| u64::from(x.is_finite()) << (4 * q + k);
                let inf = |x: f64| x.is_infinite();
                match cols {
                    [c0, c1, c2, c3] => {
                        let rows = c0[r.clone()]
                            .iter()
                            .zip(&c1[r.clone()])
                            .zip(&c2[r.clone()])
                            .zip(&c3[r]);
                        for (m, (((&x0, &x1), &x2), &x3)) in mask.iter_mut().zip(rows) {
                            *m |= bit(x0, 0) | bit(x1, 1) | bit(x2, 2) | bit(x3, 3);
                            infinite |= inf(x0) | inf(x1) | inf(x2) | inf(x3);
                        }
                    }
                    [c0, c1, c2] => {
                        let rows = c0[r.clone()].iter().zip(&c1[r.clone()]).zip(&c2[r]);
                        for (m, ((&x0, &x1), &x2)) in mask.iter_mut().zip(rows) {
                            *m |= bit(x0, 0) | bit(x1, 1) | bit(x2, 2);
                            infinite |= inf(x0) | inf(x1) | inf(x2);
                        }
                    }
                    [c0, c1] => {
                        let rows = c0[r.clone()].iter().zip(&c1[r]);
                        for (m, (&x0, &x1)) in mask.iter_mut().zip(rows) {
                            *m |= bit(x0, 0) | bit(x1, 1);
                            infinite |= inf(x0) | inf(x1);
                        }
                    }
                    _ => {
                        for (k, c) in cols.iter().enumerate() {
                            for (m, &x) in mask.iter_mut().zip(&c[r.clone()]) {
                                *m |= bit(x, k);
                                infinite |= inf(x);
                            }
                        }
                    }
                }
            }
            if filled {
                let top = table.len() - 1; // a power of two less one: masks are below it
                for (p, &m) in pat.iter_mut().zip(mask.iter()) {
                    *p = table[m as usize & top];
                }
            } else {
                for (p, &m) in pat.iter_mut().zip(mask.iter()) {
                    *p = if table.is_empty() {
                        patterns.id(self, m | imputes, m)
                    } else {
                        let slot = &mut table[m as usize];
                        if *slot == u32::MAX {
                            *slot = patterns.id(self, m | imputes, m);
                        }
                        *slot
                    };
                }
            }
            // Per pattern, flat for the per-account lookups: the group factors, what an
            // unscored account's score gets added (NaN; 0 when scored), and coverage.
            for p in &patterns.patterns[unscored.len()..] {
                for (fg, f) in factors.iter_mut().zip(&p.group_factors) {
                    fg.push(*f);
                }
                unscored.push(if p.scored { 0.0 } else { f64::NAN });
                cover.push(p.coverage);
                if let [f0, f1] = p.group_factors[..] {
                    two.push([f0, f1, if p.scored { 0.0 } else { f64::NAN }, p.coverage]);
                }
            }
            match &mut rows[..] {
                // Two groups (the usual shape): every lookup of an account in one pass,
                // coverage included.
                [r0, r1] => {
                    let at = out.coverage.len();
                    out.coverage.resize(at + len, 0.0);
                    let rows = r0[..len].iter_mut().zip(&mut r1[..len]);
                    let rows = rows.zip(&mut nan_row[..len]).zip(&mut out.coverage[at..]);
                    for ((((a, b), u), c), &p) in rows.zip(pat.iter()) {
                        [*a, *b, *u, *c] = two[p as usize];
                    }
                }
                _ => {
                    for (row, fg) in rows.iter_mut().zip(&factors) {
                        for (r, &p) in row[..len].iter_mut().zip(pat.iter()) {
                            *r = fg[p as usize];
                        }
                    }
                    for (r, &p) in nan_row[..len].iter_mut().zip(pat.iter()) {
                        *r = unscored[p as usize];
                    }
                    out.coverage.extend(pat.iter().map(|&p| cover[p as usize]));
                }
            }
            total.fill(0.0);
            for (k, m) in ms.iter().enumerate() {
                let (wk, fill) = ((&rows[group_of[k]][..len], m.weight), fills[k]);
                let c = keep.then(|| &mut out.contributions[k]);
                // One monomorphised loop per normaliser kind, so the normaliser is inlined.
                match (&m.normaliser, &ranks[k]) {
                    (_, Some(r)) => accumulate(|s| s, &r[start..start + len], wk, fill, total, c),
                    (Normaliser::Linear { worst, best }, None) => {
                        let (worst, scale) = (*worst, 100.0 / (best - worst));
                        let f = move |x: f64| ((x - worst) * scale).clamp(0.0, 100.0);
                        accumulate(f, &raw[k][start..start + len], wk, fill, total, c)
                    }
                    (Normaliser::Steps { thresholds, points }, None) => {
                        let xs = &raw[k][start..start + len];
                        match (thresholds.as_slice(), points.as_slice()) {
                            // One or two thresholds (the usual shapes): selects, which
                            // vectorise, rather than an index into the points.
                            (&[t0], &[p0, p1]) => {
                                let f = move |x: f64| pick(t0 <= x, p1, p0);
                                accumulate(f, xs, wk, fill, total, c)
                            }
                            (&[t0, t1], &[p0, p1, p2]) => {
                                let f = move |x: f64| pick(t1 <= x, p2, pick(t0 <= x, p1, p0));
                                accumulate(f, xs, wk, fill, total, c)
                            }
                            _ => {
                                // Counting the thresholds passed is branch-free, unlike a
                                // search.
                                let f =
                                    |x: f64| points[thresholds.iter().filter(|t| **t <= x).count()];
                                accumulate(f, xs, wk, fill, total, c)
                            }
                        }
                    }
                    (Normaliser::Boolean { yes, no }, None) => {
                        let (yes, no) = (*yes, *no);
                        let f = move |x: f64| pick(x != 0.0, yes, no);
                        accumulate(f, &raw[k][start..start + len], wk, fill, total, c)
                    }
                    (norm, None) => accumulate(
                        |x| norm.apply(x),
                        &raw[k][start..start + len],
                        wk,
                        fill,
                        total,
                        c,
                    ),
                }
            }
            out.scores.extend(
                total
                    .iter()
                    .zip(&nan_row[..len])
                    .map(|(&t, &u)| t.clamp(0.0, 100.0) + u),
            );
            let block_scores = &out.scores[start..];
            match *band_mins.as_slice() {
                // The usual schemes, with the band count known to the compiler: vectorised.
                [a, b, c] => bands_into(&mut out.band_codes, block_scores, [a, b, c]),
                [a, b, c, d] => bands_into(&mut out.band_codes, block_scores, [a, b, c, d]),
                [a, b, c, d, e] => bands_into(&mut out.band_codes, block_scores, [a, b, c, d, e]),
                _ => out.band_codes.extend(block_scores.iter().map(|&t| {
                    let above = band_mins.iter().filter(|m| **m <= t).count();
                    if t.is_nan() {
                        NOT_SCORED
                    } else {
                        above.saturating_sub(1) as u8
                    }
                })),
            }
        }
        if infinite { Err(()) } else { Ok(()) }
    }
}

/// `yes` if `cond`, else `no`, through a bit mask: written as an `if`, the compiler may
/// make it a load from an address chosen per value, which does not vectorise; masks do.
#[inline(always)]
fn pick(cond: bool, yes: f64, no: f64) -> f64 {
    let m = u64::from(cond).wrapping_neg();
    f64::from_bits((yes.to_bits() & m) | (no.to_bits() & !m))
}

/// The bands of `scores` (by their `mins`, ascending), appended to `out`: as `band_of`,
/// without a branch per band; NaN is "not scored".
#[inline(always)]
fn bands_into<const N: usize>(out: &mut Vec<u8>, scores: &[f64], mins: [f64; N]) {
    out.extend(scores.iter().map(|&t| {
        let above: u8 = mins.iter().map(|m| u8::from(*m <= t)).sum();
        if t.is_nan() {
            NOT_SCORED
        } else {
            above.saturating_sub(1)
        }
    }));
}

/// Add one measure's contributions over a block of accounts to the running totals (and
/// keep them, when asked): the account's group factor × the measure's weight × normalised
/// value, or × the missing rule's fill value when the value is missing. A redistributed
/// missing measure has fill 0 (and its group's factor leaves its weight out), so it adds
/// exactly 0. `(factors, weight)`: each account's group factor, and the measure's own weight.
#[inline(always)]
fn accumulate(
    normalise: impl Fn(f64) -> f64,
    xs: &[f64],
    (factors, weight): (&[f64], f64),
    fill: f64,
    total: &mut [f64],
    keep: Option<&mut Vec<f64>>,
) {
    // Missing values take the fill value through a bit mask rather than a branch: missing
    // values are scattered, and a mispredicted branch per one costs more than the select.
    let value = |f: f64, x: f64| f * weight * pick(!x.is_nan(), normalise(x), fill);
    match keep {
        Some(c) => {
            let at = c.len();
            c.resize(at + xs.len(), 0.0);
            for (((&x, &f), t), o) in xs
                .iter()
                .zip(factors)
                .zip(total.iter_mut())
                .zip(&mut c[at..])
            {
                let v = value(f, x);
                *t += v;
                *o = v;
            }
        }
        None => {
            for ((&x, &f), t) in xs.iter().zip(factors).zip(total.iter_mut()) {
                *t += value(f, x);
            }
        }
    }
}

/// The score a missing measure gets under an imputing rule.
fn imputed(m: &Measure) -> f64 {
    match m.missing {
        MissingRule::Fixed { score } => score,
        _ => 0.0,
    }
}

/// Weights, coverage and "scored?" for one pattern of scored / present measures.
#[derive(Debug, Clone)]
struct Pattern {
    /// Per group: the factor of its measures' own weights (see `group_factors_into`).
    group_factors: Vec<f64>,
    coverage: f64,
    scored: bool,
}

/// A cache of [`Pattern`]s by (scored mask, present mask). Real books have few patterns
/// (most accounts have every measure), so this turns per-account weight arithmetic into a
/// lookup.
struct WeightPatterns {
    nominal: Vec<f64>,
    measures: usize,
    index: std::collections::HashMap<(u64, u64), u32>,
    patterns: Vec<Pattern>,
    last: Option<((u64, u64), u32)>,
}

impl WeightPatterns {
    fn new(ms: &[&Measure], nominal: &[f64]) -> Self {
        WeightPatterns {
            nominal: nominal.to_vec(),
            measures: ms.len(),
            index: Default::default(),
            patterns: Vec::new(),
            last: None,
        }
    }

    /// The id of a pattern, computing it the first time it is seen.
    fn id(&mut self, card: &Scorecard, scored: u64, present: u64) -> u32 {
        let key = (scored, present);
        if let Some((k, i)) = self.last
            && k == key
        {
            return i;
        }
        let next = self.patterns.len() as u32;
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            let flags: Vec<Option<f64>> = (0..self.measures)
                .map(|k| (scored & (1 << k) != 0).then_some(0.0))
                .collect();
            let present_flags: Vec<bool> = (0..self.measures)
                .map(|k| present & (1 << k) != 0)
                .collect();
            let mut weights = vec![0.0; self.measures];
            card.effective_weights_into(&flags, &mut weights, &mut Vec::new());
            let coverage = coverage(&self.nominal, &present_flags);
            let scored = coverage >= card.min_coverage && weights.iter().any(|w| *w > 0.0);
            let mut group_factors = Vec::new();
            card.group_factors_into(&flags, &mut group_factors);
            if !scored {
                group_factors.fill(0.0);
            }
            self.patterns.push(Pattern {
                group_factors,
                coverage,
                scored,
            });
        }
        self.last = Some((key, i));
        i
    }
}
