//! Retention: `Book.arr_bridge`, `Book.retention`, `Book.retention_series`,
//! `Book.trailing_twelve_months` and `Book.health_as_of` (declared in `book`, implemented
//! here), and the class `ArrBridge`. Every number comes from `csops_core::retention`; this
//! module converts arguments and turns results into `Decimal` amounts, days, DataFrames, dicts,
//! text and HTML. Every core call runs with the GIL released.

use chrono::NaiveDate;
use csops_core::retention::{
    ArrBridge, Cut, Retention, RetentionOptions, RetentionSeriesOptions, arr_bridge, retention,
    retention_by, retention_series, trailing_twelve_months,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyString};
use rust_decimal::Decimal;

use crate::book::PyBook;
use crate::convert::{py_date, to_python};
use crate::errors::{call, config_error};
use crate::options::day;
use crate::options::from_kwargs;
use crate::table::table_out;
use crate::table::{FrameKind, type_name};
use csops_core::retention::tables;

// Arguments --------------------------------------------------------------------------------

/// An optional day argument (None: not given).
fn opt_day(
    py: Python<'_>,
    what: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<NaiveDate>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| day(py, what, v))
        .transpose()
}

/// `as_of=`, defaulting to the book's latest date.
pub(crate) fn as_of_or_latest(
    py: Python<'_>,
    book: &PyBook,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<NaiveDate> {
    if let Some(d) = opt_day(py, "as_of", value)? {
        return Ok(d);
    }
    let inner = book.inner();
    call(py, || Ok(inner.latest_date()))?
        .ok_or_else(|| config_error(py, "the book has no dated records; give as_of".to_string()))
}

/// Whether a table cell or dict value means "no value": None, NaN, or pandas' NA.
pub(crate) fn is_missing(v: &Bound<'_, PyAny>) -> bool {
    v.is_none() || v.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan()) || type_name(v) == "NAType"
}

/// Whether `value` is a table (a pandas or polars DataFrame): it has `columns`. A pandas
/// Series is not asked: it answers an unknown attribute by searching (so hashing) its index.
pub(crate) fn is_table(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if crate::table::is_instance_of(value.py(), value, "pandas", "Series") {
        return Ok(false);
    }
    value.hasattr("columns")
}

/// The (key, value) pairs of a dict, another mapping, or anything with `.items()` (a pandas
/// Series); TypeError otherwise.
pub(crate) fn items<'py>(
    what: &str,
    value: &Bound<'py, PyAny>,
) -> PyResult<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    if value.is_instance_of::<PyString>() || !value.hasattr("items")? || is_table(value)? {
        return Err(crate::errors::argument_error(format!(
            "{what} must be a dict (or a pandas Series) keyed by account id; got {}",
            type_name(value)
        )));
    }
    let mut out = Vec::new();
    for item in value.call_method0("items")?.try_iter()? {
        out.push(item?.extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()?);
    }
    Ok(out)
}

/// A key that must be text.
pub(crate) fn text_key(what: &str, key: &Bound<'_, PyAny>) -> PyResult<String> {
    key.cast::<PyString>()
        .map_err(|_| {
            crate::errors::argument_error(format!(
                "{what}: keys must be str; got {}",
                type_name(key)
            ))
        })?
        .to_str()
        .map(str::to_string)
}

/// `by=` of `Book.retention` as the core reads it (`RetentionOptions`): None, a cut's name,
/// or labels per account id. The binding only translates: a dict or Series of labels becomes
/// an object, a missing label (None, NaN, pandas' NA) a null, which the core labels `none`.
fn cut(py: Python<'_>, by: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Cut>> {
    let Some(by) = by.filter(|b| !b.is_none()) else {
        return Ok(None);
    };
    let value = if is_table(by)? {
        return Err(crate::errors::argument_error(format!(
            "by must be None, a field name (\"segment\", \"attr.<name>\", \"start_cohort\", ...) \
             or a dict of labels keyed by account id; got {}",
            type_name(by)
        )));
    } else if by.cast::<PyString>().is_err() && by.hasattr("items")? {
        // Labels (a dict, a pandas Series): a missing label is null, which the core labels
        // `none`; every other value goes to the core as it is.
        let mut labels = serde_json::Map::new();
        for (k, v) in items("by", by)? {
            let id = text_key("by", &k)?;
            let label = if is_missing(&v) {
                serde_json::Value::Null
            } else {
                crate::options::value_of(py, &format!("by.{id}"), &v, 1)?
            };
            labels.insert(id, label);
        }
        serde_json::Value::Object(labels)
    } else {
        crate::options::value_of(py, "by", by, 0)?
    };
    let options: RetentionOptions = csops_core::options::from_value(
        serde_json::json!({ "by": value }),
        csops_core::options::Casing::Snake,
    )
    .map_err(|e| crate::errors::to_py_err(py, e))?;
    Ok(options.by)
}

// Book methods -----------------------------------------------------------------------------

/// The `Book` methods of retention (the rest of `Book` is `book.rs`'s).
#[pymethods]
impl PyBook {
    /// The ARR bridge from the end of ``start`` to the end of ``end`` (each a
    /// ``datetime.date``, a ``datetime`` or a ``"YYYY-MM-DD"`` string): ``start + new +
    /// expansion − contraction − churn + reactivation = end``, exactly, in ``Decimal``, with
    /// every account's movement. Returns a ``csops.ArrBridge``; ConfigError unless ``start``
    /// is before ``end``.
    #[pyo3(signature = (start, end, *, frame = None))]
    fn arr_bridge(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        frame: Option<&str>,
    ) -> PyResult<PyArrBridge> {
        book_arr_bridge(py, self, start, end, frame)
    }

    /// Gross, net and logo retention from the end of ``start`` to the end of ``end``, over the
    /// cohort of accounts with ARR at the start: a DataFrame with one row per cohort,
    /// ``label``, ``from`` and ``to`` (the days), ``logos``, ``logos_retained``,
    /// ``start_arr``, ``retained_arr`` and ``end_arr``
    /// (amounts), ``currency``, ``grr``, ``nrr`` and ``logo_retention`` (NaN for an empty
    /// cohort).
    ///
    /// ``by`` cuts the cohort: None (one row, ``all``), an account field (``"segment"``,
    /// ``"tier"``, ``"region"``, ``"industry"``, ``"plan"``, ``"owner_csm"``,
    /// ``"currency"``, ``"attr.<name>"``), ``"start_cohort"`` (the quarter the account
    /// started, ``2025-Q3``), or labels per account id (a dict or a pandas Series, e.g. the
    /// health band at the start); accounts without a value are labelled ``none``. Rows are in
    /// label order.
    #[pyo3(signature = (start, end, *, by = None, frame = None))]
    fn retention<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        by: Option<&Bound<'py, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        book_retention(py, self, start, end, by, frame)
    }

    /// Retention of each complete calendar ``period`` (``"month"``, ``"quarter"`` or
    /// ``"year"``) ending between ``start`` and ``end``, each from the last day of the
    /// previous period: a DataFrame with ``label`` (``2026-03``, ``2026-Q1``, ``2026``),
    /// ``from`` and ``to`` (dates), then the columns of ``retention``.
    #[pyo3(signature = (start, end, *, period = None, frame = None))]
    fn retention_series<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        period: Option<&Bound<'py, PyAny>>,
        frame: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        book_retention_series(py, self, start, end, period, frame)
    }

    /// Trailing-twelve-months retention to the end of ``as_of`` (by default the book's latest
    /// date), from the same day a year earlier, as a dict: ``label`` (``"ttm"``), ``from``,
    /// ``to``, then the columns of ``retention`` (amounts ``Decimal``, rates None for an empty
    /// cohort).
    #[pyo3(signature = (as_of = None))]
    fn trailing_twelve_months<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        book_trailing_twelve_months(py, self, as_of)
    }
}

// Retention --------------------------------------------------------------------------------

/// Retention rows as a table (the core's columns, `from` and `to` included).
fn retention_frame<'py>(
    py: Python<'py>,
    kind: FrameKind,
    what: &str,
    rows: &[Retention],
) -> PyResult<Bound<'py, PyAny>> {
    table_out(py, tables::retention(rows), kind, what)
}

/// `Book.arr_bridge`.
pub(crate) fn book_arr_bridge(
    py: Python<'_>,
    book: &PyBook,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    frame: Option<&str>,
) -> PyResult<PyArrBridge> {
    let (from, to) = (day(py, "start", start)?, day(py, "end", end)?);
    let kind = FrameKind::parse(py, frame)?;
    let history = book.arr_history(py)?;
    call(py, || arr_bridge(&history, from, to)).map(|b| PyArrBridge(b, kind))
}

/// `Book.retention`.
pub(crate) fn book_retention<'py>(
    py: Python<'py>,
    book: &PyBook,
    start: &Bound<'py, PyAny>,
    end: &Bound<'py, PyAny>,
    by: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let (from, to) = (day(py, "start", start)?, day(py, "end", end)?);
    let cut = cut(py, by)?;
    let kind = FrameKind::parse(py, frame)?;
    let history = book.arr_history(py)?;
    let inner = book.inner();
    let rows = call(py, || match &cut {
        None => retention(&history, from, to).map(|r| vec![r]),
        Some(c) => retention_by(inner, &history, from, to, c),
    })?;
    retention_frame(py, kind, "Book.retention", &rows)
}

/// `Book.retention_series`.
pub(crate) fn book_retention_series<'py>(
    py: Python<'py>,
    book: &PyBook,
    start: &Bound<'py, PyAny>,
    end: &Bound<'py, PyAny>,
    period: Option<&Bound<'py, PyAny>>,
    frame: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let (from, to) = (day(py, "start", start)?, day(py, "end", end)?);
    let RetentionSeriesOptions { period } = from_kwargs(py, &[("period", period)])?;
    let kind = FrameKind::parse(py, frame)?;
    let history = book.arr_history(py)?;
    let rows = call(py, || retention_series(&history, from, to, period))?;
    retention_frame(py, kind, "Book.retention_series", &rows)
}

/// `Book.trailing_twelve_months`: one retention row as a dict.
pub(crate) fn book_trailing_twelve_months<'py>(
    py: Python<'py>,
    book: &PyBook,
    as_of: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let as_of = as_of_or_latest(py, book, as_of)?;
    let history = book.arr_history(py)?;
    let r = call(py, || trailing_twelve_months(&history, as_of))?;
    let d = PyDict::new(py);
    d.set_item("label", &r.label)?;
    d.set_item("from", py_date(py, r.from, || "from".to_string())?)?;
    d.set_item("to", py_date(py, r.to, || "to".to_string())?)?;
    d.set_item("logos", r.logos)?;
    d.set_item("logos_retained", r.logos_retained)?;
    d.set_item("start_arr", r.start_arr)?;
    d.set_item("retained_arr", r.retained_arr)?;
    d.set_item("end_arr", r.end_arr)?;
    d.set_item("currency", r.currency.code())?;
    d.set_item("grr", r.grr)?;
    d.set_item("nrr", r.nrr)?;
    d.set_item("logo_retention", r.logo_retention)?;
    Ok(d)
}

/// The ARR bridge between two days: ``start + new + expansion − contraction − churn +
/// reactivation = end``, to the cent, with every account's movement.
#[pyclass(name = "ArrBridge", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyArrBridge(ArrBridge, FrameKind);

#[pymethods]
impl PyArrBridge {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.0, self.1))
    }

    /// A pickled ArrBridge.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (b, frame): (ArrBridge, FrameKind) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyArrBridge(b, frame))
    }

    /// The start day (ARR at its end).
    #[getter]
    fn start_date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.0.from, || "start_date".to_string())
    }

    /// The end day (ARR at its end).
    #[getter]
    fn end_date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.0.to, || "end_date".to_string())
    }

    /// The FX rates behind its amounts, each once: a list of ``{"currency", "rate"
    /// (Decimal), "from" (date or None)}`` (empty when the book has no FX table or nothing
    /// was converted).
    #[getter]
    fn rates_used<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        crate::convert::rates_used(py, Some(&self.0.rates_used))
    }

    /// The reporting currency of every amount.
    #[getter]
    fn currency(&self) -> &str {
        self.0.currency.code()
    }

    /// ARR at the start (``Decimal``).
    #[getter]
    fn start(&self) -> Decimal {
        self.0.start
    }

    /// New logos' ARR at the end (``Decimal``).
    #[getter(new)]
    fn new_arr(&self) -> Decimal {
        self.0.new
    }

    /// Expansion of accounts with ARR at both ends (``Decimal``).
    #[getter]
    fn expansion(&self) -> Decimal {
        self.0.expansion
    }

    /// Contraction, a positive amount (``Decimal``).
    #[getter]
    fn contraction(&self) -> Decimal {
        self.0.contraction
    }

    /// Churned ARR, a positive amount (``Decimal``).
    #[getter]
    fn churn(&self) -> Decimal {
        self.0.churn
    }

    /// Reactivated (won-back) ARR (``Decimal``).
    #[getter]
    fn reactivation(&self) -> Decimal {
        self.0.reactivation
    }

    /// ARR at the end (``Decimal``).
    #[getter]
    fn end(&self) -> Decimal {
        self.0.end
    }

    /// Accounts with ARR at the start.
    #[getter]
    fn logos_start(&self) -> u64 {
        self.0.logos_start
    }

    /// New logos.
    #[getter]
    fn logos_new(&self) -> u64 {
        self.0.logos_new
    }

    /// Logos churned.
    #[getter]
    fn logos_churned(&self) -> u64 {
        self.0.logos_churned
    }

    /// Logos reactivated.
    #[getter]
    fn logos_reactivated(&self) -> u64 {
        self.0.logos_reactivated
    }

    /// Accounts with ARR at the end.
    #[getter]
    fn logos_end(&self) -> u64 {
        self.0.logos_end
    }

    /// Every account with ARR at either end, in book order: ``account_id``, ``start`` and
    /// ``end`` (amounts), ``movement`` (``new``, ``expansion``, ``contraction``,
    /// ``churn``, ``reactivation`` or ``flat``).
    #[getter]
    fn accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(py, tables::movements(&self.0), self.1, "ArrBridge.accounts")
    }

    /// The bridge as plain data (the core's fields: ``from``, ``to``, ``currency``, the
    /// amounts as decimal text, the logo counts and ``accounts``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the identity, line by line.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

/// Add the class to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyArrBridge>()
}
