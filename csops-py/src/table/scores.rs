//! The scores written as the input was (the same kind of table, its own ids), and result
//! columns of other entry points written the same way.

use csops_core::health::{NOT_SCORED, ScoreFrame};
use pyo3::prelude::*;

use super::*;
use crate::pool;

/// The scores as the same kind of table as the input: columns `score`, `band`, `coverage`
/// and one `contribution.<measure>` per measure (none when scored with
/// `ScoreDetail::ScoresOnly`, whose `contributions` are empty). pandas: indexed by the input's
/// ids (`account_id`), `band` an ordered categorical; polars and pyarrow: an `account_id`
/// column first, `band` an Enum (a dictionary in pyarrow), `score` null where not scored; dict:
/// `account_id`, then numpy arrays (lists without numpy) and `band` as a list of str or None.
/// A `csops.FeatureFrame` gives pandas if it can be imported, else a dict.
pub fn write_scores<'py>(
    py: Python<'py>,
    input: &Input<'py>,
    scores: ScoreFrame,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = FrameKind::of_input(py, input.kind());
    let ScoreFrame {
        scores: score,
        band_codes,
        band_names,
        coverage,
        measure_names,
        contributions,
        ..
    } = scores;
    let mut out = Columns::new(py);
    out.index(ACCOUNT_ID, input.ids_column());
    // The scores are missing exactly where the band is (the core's invariant): for Arrow,
    // one pass over the band bytes gives both their nulls.
    let score_col = match kind {
        FrameKind::Pandas | FrameKind::Dict => Col::Floats {
            values: score,
            nan_is_null: false,
        },
        FrameKind::Polars | FrameKind::Arrow | FrameKind::ArrowBatch => {
            debug_assert!(
                score
                    .iter()
                    .zip(&band_codes)
                    .all(|(s, &c)| s.is_nan() == (c == NOT_SCORED))
            );
            Col::Masked {
                nulls: validity(&band_codes, |&c| c != NOT_SCORED),
                values: score,
            }
        }
    };
    out.col("score", score_col);
    // Band codes in a byte each, as the core wrote them (a scorecard has a few bands; more
    // than 127 would be a category column of text).
    let band_col = if band_names.len() <= 127 {
        Col::Codes {
            codes: band_codes,
            names: band_names,
            ordered: true,
        }
    } else {
        let codes = band_codes
            .iter()
            .map(|&c| (c != NOT_SCORED).then_some(u16::from(c)))
            .collect();
        pool::U8.give(band_codes);
        Col::Category {
            codes,
            names: band_names,
            ordered: true,
        }
    };
    out.col("band", band_col);
    out.col(
        "coverage",
        Col::Floats {
            values: coverage,
            nan_is_null: false,
        },
    );
    for (m, c) in measure_names.iter().zip(contributions) {
        out.col(
            format!("contribution.{m}"),
            Col::Floats {
                values: c,
                nan_is_null: false,
            },
        );
    }
    out.build(kind, "a scored table")
}

/// One column of a result table other than the scores' (see [`write_columns`]).
#[derive(Debug)]
pub enum OutColumn {
    /// Numbers, NaN where missing (null in polars).
    Floats(Vec<f64>),
    /// Text, None where missing.
    Texts(Vec<Option<String>>),
    /// Days, None where missing.
    Dates(Vec<Option<chrono::NaiveDate>>),
}

/// Named columns as the same kind of table as the input, with its account ids: pandas
/// indexed by `account_id`; polars and pyarrow with an `account_id` column first (text as
/// String, days as Date, NaN as null); dict: `account_id`, then numpy arrays (lists without
/// numpy) for numbers and lists for text and days. A `csops.FeatureFrame` gives pandas if it
/// can be imported, else a dict. Text columns are plain strings (not categoricals).
pub fn write_columns<'py>(
    py: Python<'py>,
    input: &Input<'py>,
    columns: Vec<(&str, OutColumn)>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = FrameKind::of_input(py, input.kind());
    let mut out = Columns::new(py);
    out.index(ACCOUNT_ID, input.ids_column());
    for (name, c) in columns {
        out.col(
            name,
            match c {
                OutColumn::Floats(v) => Col::floats(v),
                OutColumn::Texts(v) => Col::Texts(v),
                OutColumn::Dates(v) => Col::Dates(v),
            },
        );
    }
    out.build(kind, "a result table")
}
