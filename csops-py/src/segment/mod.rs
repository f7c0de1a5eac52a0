//! Segmentation: tier rules (`TierRules`), coverage and assignment (`Segmentation`, `WhatIf`,
//! `segment_table`), and the methods of `Book` that feed them (`account_table`, `segment`;
//! declared in `book`, implemented here).
//!
//! Every decision is the core's (`csops_core::segment`); this module hands the core the
//! tables `condition` reads and turns results into DataFrames, text and HTML.

mod plan;
mod rules;
mod what_if;

pub use plan::*;
pub use rules::*;
pub use what_if::*;

use csops_core::Error;
use csops_core::condition::GivenTable;
use csops_core::features::features_as_of;
use csops_core::segment::{CoverageModel, Csm, account_table, book_table, plan, plan_given};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString};

use crate::book::PyBook;
use crate::condition::read_data;
use crate::convert::to_python;
use crate::errors::call;
use crate::features::PyFeatureFrame;
use crate::health::PyScorecard;
use crate::options::{feature_config_arg as features, mapping_to_json};
use crate::retention::as_of_or_latest;
use crate::table::table_out;
use crate::table::{FrameKind, is_instance_of, is_missing, kind_of, type_name};
use csops_core::segment::tables;

// Coverage model and roster ----------------------------------------------------------------

/// `model=`: None (the defaults), or a dict of targets per tier (``{"high_touch":
/// {"accounts_per_csm": 15}, "digital": "pooled"}``), bare or as the core's ``{"tiers":
/// {...}}``.
fn model_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<CoverageModel> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(CoverageModel::default());
    };
    if value.is_instance_of::<PyString>() || value.cast::<PyMapping>().is_err() {
        return Err(crate::errors::argument_error(format!(
            "model must be None (the defaults) or a dict of targets per tier, e.g. \
             {{\"high_touch\": {{\"accounts_per_csm\": 15}}, \"digital\": \"pooled\"}}; got {}",
            type_name(value)
        )));
    }
    let m = value.cast::<PyMapping>()?;
    let wrapped =
        m.len()? == 1 && m.contains("tiers")? && m.get_item("tiers")?.cast::<PyMapping>().is_ok();
    let text = mapping_to_json(py, "model", value)?;
    let text = if wrapped {
        text
    } else {
        format!("{{\"tiers\": {text}}}")
    };
    call(py, || {
        serde_json::from_str::<CoverageModel>(&text)
            .map_err(|e| Error::Config(vec![format!("coverage model: {e}")]))
    })
}

/// `roster=`: None (every owner, serving the tier most of their accounts are in), a list of
/// dicts ``{"name", "tier", "fte"}``, or a DataFrame with those columns.
fn roster_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<Csm>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let records = if is_instance_of(py, value, "pandas", "DataFrame") {
        value.call_method1("to_dict", ("records",))?
    } else if is_instance_of(py, value, "polars", "DataFrame") {
        value.call_method0("to_dicts")?
    } else if is_instance_of(py, value, "pyarrow", "Table")
        || is_instance_of(py, value, "pyarrow", "RecordBatch")
    {
        value.call_method0("to_pylist")?
    } else if value.is_instance_of::<PyString>() || value.cast::<PyMapping>().is_ok() {
        return Err(crate::errors::argument_error(format!(
            "roster must be None or a list of dicts {{\"name\", \"tier\", \"fte\"}}; got {}",
            type_name(value)
        )));
    } else {
        py.get_type::<PyList>().call1((value,)).map_err(|_| {
            crate::errors::argument_error(format!(
                "roster must be None or a list of dicts {{\"name\", \"tier\", \"fte\"}}; got {}",
                type_name(value)
            ))
        })?
    };
    // A missing value (None, NaN: a DataFrame's empty `fte` cell) takes the default.
    let cleaned = PyList::empty(py);
    for record in records.try_iter()? {
        let record = record?;
        let Ok(m) = record.cast::<PyMapping>() else {
            cleaned.append(record)?; // reported by the core's reader, by position
            continue;
        };
        let d = PyDict::new(py);
        for item in m.items()?.iter() {
            let (k, v) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
            if !is_missing(&v) {
                d.set_item(k, v)?;
            }
        }
        cleaned.append(d)?;
    }
    let text = mapping_to_json(py, "roster", &cleaned)?;
    call(py, || {
        serde_json::from_str::<Vec<Csm>>(&text)
            .map(Some)
            .map_err(|e| Error::Config(vec![format!("roster: {e}")]))
    })
}

// Segmentation -----------------------------------------------------------------------------

/// The default coverage model as a dict: ``{"tiers": {"high_touch": {"accounts_per_csm":
/// 15}, "mid_touch": {"accounts_per_csm": 50}, "tech_touch": {"accounts_per_csm": 200},
/// "digital": "pooled"}}`` (the core's defaults, as Node's ``defaultCoverageModel()``).
#[pyfunction]
pub fn default_coverage_model(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(py, &CoverageModel::default())
}

/// Segment ``data``, a table of your own accounts: tier every row by ``rules`` (None: the
/// defaults), then coverage against ``model`` (None: the defaults) and a ``roster`` (None:
/// every owner, serving the tier most of their accounts are in), then the assignment plan.
/// Returns a ``csops.Segmentation``.
///
/// ``data`` (a pandas or polars DataFrame, or a dict of columns) needs ``id`` (or
/// ``account_id``: account ids), ``arr`` (ARR on the day, a number; accounts with none are
/// former customers, tiered but not covered) and ``owner_csm`` (text, None when unowned)
/// columns, an optional ``band`` (health band: ``red`` accounts are counted per CSM), and any
/// fields the rules read. Every column is read, so ``what_if`` can try rules on any of them.
/// ConfigError for an unknown field, a type mismatch or an invalid model or roster; the
/// work runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (data, rules = None, *, model = None, roster = None, frame = None))]
pub fn segment_table(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    rules: Option<&Bound<'_, PyAny>>,
    model: Option<&Bound<'_, PyAny>>,
    roster: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
) -> PyResult<PySegmentation> {
    // The tables of the result: as asked, else the kind of `data` (a pandas, polars or pyarrow
    // table), else pandas.
    let kind = match frame {
        Some(_) => FrameKind::parse(py, frame)?,
        None if data.cast::<PyFeatureFrame>().is_ok() => FrameKind::Pandas,
        None => match FrameKind::of_input(py, kind_of(py, data, "data")?) {
            FrameKind::Dict => FrameKind::Pandas,
            k => k,
        },
    };
    let rules = rules_arg(py, rules)?;
    let model = model_arg(py, model)?;
    let roster = roster_arg(py, roster)?;
    let d = read_data(py, data, None, true)?;
    let (table, p) = call(py, || plan_given(&d, &rules, &model, roster))?;
    // The segmentation keeps the table its plan was made on (empty columns typed), for
    // `what_if` to try other rules on.
    let data = GivenTable {
        missing: d
            .missing
            .iter()
            .filter(|m| !table.columns.contains_key(*m))
            .cloned()
            .collect(),
        table,
        ..d
    };
    Ok(PySegmentation {
        data,
        rules,
        model,
        plan: p,
        as_of: None,
        frame: kind,
    })
}

/// The `Book` methods of segmentation (the rest of `Book` is `book.rs`'s).
#[pymethods]
impl PyBook {
    /// Every account as the condition language sees it on ``as_of`` (by default the book's
    /// latest date): a DataFrame, one row per account in book order, with one column per
    /// field a condition may name. Account fields (``id``, ``name``, ``owner_csm``,
    /// ``segment``, ``tier`` as recorded in the CRM, ``region``, ``industry``, ``plan``,
    /// ``currency``: text), ``arr`` (ARR on the day, reporting currency), ``seats``,
    /// ``term_months``, ``start_date`` and ``renewal_date`` (the next one on or after
    /// ``as_of``; text ``YYYY-MM-DD``, as conditions compare dates), ``days_to_renewal``,
    /// custom attributes (``attr.<name>``, text), every feature of that day
    /// (``feature_config`` as for ``features_as_of``) and, with a ``scorecard``, ``score``,
    /// ``band`` and ``coverage``. Numbers are float64 with NaN, text None where missing.
    #[pyo3(signature = (as_of = None, *, scorecard = None, feature_config = None, frame = None))]
    fn account_table<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'py, PyAny>>,
        scorecard: Option<&Bound<'py, PyScorecard>>,
        feature_config: Option<&Bound<'py, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        book_account_table(py, self, as_of, scorecard, feature_config, frame)
    }

    /// Segment the book on ``as_of`` (by default its latest date): tier every account by
    /// ``rules`` (a ``csops.TierRules`` or a dict; None: the defaults) on the fields of
    /// ``account_table`` (with ``scorecard``, also ``score``, ``band`` and ``coverage``), then
    /// each tier's coverage against ``model`` (targets per tier, e.g. ``{"high_touch":
    /// {"accounts_per_csm": 15}, "digital": "pooled"}``; None: the defaults), every CSM's
    /// load on ``roster`` (dicts ``{"name", "tier", "fte"}``; None: every owner, serving the
    /// tier most of their accounts are in), and the assignment plan. Returns a
    /// ``csops.Segmentation``. ConfigError naming the rule for an unknown field or a type
    /// mismatch, or for an invalid model or roster. Runs with the GIL released.
    #[pyo3(signature = (
        rules = None,
        *,
        model = None,
        roster = None,
        scorecard = None,
        as_of = None,
        feature_config = None,
        frame = None
    ))]
    #[allow(clippy::too_many_arguments)] // the keyword arguments of the Python method
    fn segment(
        &self,
        py: Python<'_>,
        rules: Option<&Bound<'_, PyAny>>,
        model: Option<&Bound<'_, PyAny>>,
        roster: Option<&Bound<'_, PyAny>>,
        scorecard: Option<&Bound<'_, PyScorecard>>,
        as_of: Option<&Bound<'_, PyAny>>,
        feature_config: Option<&Bound<'_, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<PySegmentation> {
        book_segment(
            py,
            self,
            rules,
            model,
            roster,
            scorecard,
            as_of,
            feature_config,
            frame,
        )
    }
}

/// `Book.account_table`.
pub(crate) fn book_account_table<'py>(
    py: Python<'py>,
    book: &PyBook,
    as_of: Option<&Bound<'py, PyAny>>,
    scorecard: Option<&Bound<'py, PyScorecard>>,
    feature_config: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let as_of = as_of_or_latest(py, book, as_of)?;
    let cfg = features(py, feature_config)?;
    let kind = FrameKind::parse(py, frame)?;
    let card = scorecard.map(|c| &c.get().0);
    let inner = book.inner();
    let (table, feature_names) = call(py, || {
        let frame = features_as_of(inner, as_of, &cfg)?;
        let scores = card.map(|c| c.score_frame(&frame, None)).transpose()?;
        let table = account_table(inner, as_of, Some(&frame), scores.as_ref())?;
        Ok((
            table,
            frame
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<String>>(),
        ))
    })?;
    table_out(
        py,
        tables::account_table(&table, &feature_names),
        kind,
        "Book.account_table",
    )
}

/// `Book.segment`.
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python method
pub(crate) fn book_segment(
    py: Python<'_>,
    book: &PyBook,
    rules: Option<&Bound<'_, PyAny>>,
    model: Option<&Bound<'_, PyAny>>,
    roster: Option<&Bound<'_, PyAny>>,
    scorecard: Option<&Bound<'_, PyScorecard>>,
    as_of: Option<&Bound<'_, PyAny>>,
    feature_config: Option<&Bound<'_, PyAny>>,
    frame: Option<&str>,
) -> PyResult<PySegmentation> {
    let kind = FrameKind::parse(py, frame)?;
    let rules = rules_arg(py, rules)?;
    let model = model_arg(py, model)?;
    let roster = roster_arg(py, roster)?;
    let as_of = as_of_or_latest(py, book, as_of)?;
    let cfg = features(py, feature_config)?;
    let card = scorecard.map(|c| &c.get().0);
    let inner = book.inner();
    let (table, p) = call(py, || {
        let table = book_table(inner, as_of, Some(&cfg), card)?;
        let p = plan(&table, &rules, &model, roster)?;
        Ok((table, p))
    })?;
    Ok(PySegmentation {
        data: GivenTable::from(table),
        rules,
        model,
        plan: p,
        as_of: Some(as_of),
        frame: kind,
    })
}
/// Add the classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTierRules>()?;
    m.add_class::<PySegmentation>()?;
    m.add_class::<PyWhatIf>()?;
    m.add_function(wrap_pyfunction!(segment_table, m)?)?;
    m.add_function(wrap_pyfunction!(default_coverage_model, m)?)?;
    Ok(())
}
