//! The core's values as Python values: results through their serde form ([`to_python`]),
//! days, and the FX rates behind a figure. Python values read into the core's types are
//! `options`'s.

use chrono::NaiveDate;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDate, PyDict, PyList, PyString, PyTuple};
use pyo3::{PyClass, PyTypeInfo};

use csops_core::options::{Casing, Tree, to_tree};

/// A serialisable core value as plain Python data (dicts, lists, str, int, float, bool,
/// None), through its serde form, so the Python shape follows the core's own field names
/// and order. Numbers that are not finite stay `inf` or `nan` (JSON would lose them).
pub fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    // A value that cannot be written as data is a bug of the core (its types serialise), not
    // the caller's error, so it is no csops error class.
    let tree = to_tree(value, Casing::Snake).map_err(|e| PyValueError::new_err(e.to_string()))?;
    tree_to_python(py, tree)
}

/// One [`Tree`] as Python data.
fn tree_to_python(py: Python<'_>, tree: Tree) -> PyResult<Bound<'_, PyAny>> {
    Ok(match tree {
        Tree::Null => py.None().into_bound(py),
        Tree::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        Tree::Int(i) => i.into_pyobject(py)?.into_any(),
        Tree::UInt(u) => u.into_pyobject(py)?.into_any(),
        Tree::Float(x) => x.into_pyobject(py)?.into_any(),
        Tree::Text(s) => PyString::new(py, &s).into_any(),
        Tree::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(tree_to_python(py, item)?)?;
            }
            list.into_any()
        }
        Tree::Map(fields) => {
            let dict = PyDict::new(py);
            for (k, v) in fields {
                dict.set_item(k, tree_to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// The serde name of a unit enum value (the core's own).
pub use csops_core::table::serde_name as enum_name;

/// A core date as a `datetime.date`. The core's dates span far more years than Python's
/// (1 to 9999); a date outside them is a `ValueError` saying which value it was.
pub fn py_date<'py>(
    py: Python<'py>,
    date: NaiveDate,
    what: impl FnOnce() -> String,
) -> PyResult<Bound<'py, PyAny>> {
    date.into_pyobject(py).map(Bound::into_any).map_err(|e| {
        PyValueError::new_err(format!(
            "{}: {date} cannot be a Python date ({e}); Python dates span years 1 to 9999",
            what()
        ))
    })
}

/// An optional core date as a `datetime.date` or None (see [`py_date`]).
pub fn py_date_opt<'py>(
    py: Python<'py>,
    date: Option<NaiveDate>,
    what: impl FnOnce() -> String,
) -> PyResult<Bound<'py, PyAny>> {
    match date {
        Some(d) => py_date(py, d, what),
        None => Ok(py.None().into_bound(py)),
    }
}

/// A day argument named `what`: a `datetime.date` (a `datetime` counts as its date) or an ISO
/// `YYYY-MM-DD` string; the error is the problem's text.
pub fn date_value(what: &str, value: &Bound<'_, PyAny>) -> Result<NaiveDate, String> {
    if let Ok(s) = value.cast::<PyString>() {
        let s = s.to_cow().map_err(|e| format!("{what}: {e}"))?;
        return csops_core::interchange::parse_day(&s).map_err(|e| format!("{what}: {e}"));
    }
    if value.is_instance_of::<PyDate>() {
        return value
            .extract::<NaiveDate>()
            .map_err(|e| format!("{what}: {e}"));
    }
    Err(format!(
        "{what} must be a datetime.date or a YYYY-MM-DD string; got {}",
        type_name(value)
    ))
}

/// The FX rates behind a figure as a list of dicts: ``currency`` (str), ``rate``
/// (``Decimal``, reporting-currency units per unit) and ``from`` (the ``datetime.date`` a dated
/// rate took effect, or None). Empty when the book has no FX table or nothing was converted.
pub fn rates_used<'py>(
    py: Python<'py>,
    rates: Option<&csops_core::money::RatesUsed>,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let out = pyo3::types::PyList::empty(py);
    for r in rates.map(|r| r.rates.as_slice()).unwrap_or_default() {
        let d = PyDict::new(py);
        d.set_item("currency", r.currency.code())?;
        d.set_item("rate", r.rate)?;
        d.set_item("from", py_date_opt(py, r.from, || "from".into())?)?;
        out.append(d)?;
    }
    Ok(out)
}

/// The type name of a Python value, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// `repr(value)`, for messages.
pub(crate) fn repr(value: &Bound<'_, PyAny>) -> String {
    value
        .repr()
        .map_or_else(|_| format!("<{}>", type_name(value)), |r| r.to_string())
}

/// A module the caller needs (pandas, polars), with an `ImportError` saying what for.
pub fn require<'py>(py: Python<'py>, module: &str, what: &str) -> PyResult<Bound<'py, PyModule>> {
    py.import(module).map_err(|cause| {
        let err = pyo3::exceptions::PyImportError::new_err(format!(
            "{what} needs {module}, which is not installed (pip install {module})"
        ));
        err.set_cause(py, Some(cause));
        err
    })
}

/// Pickling a result class `C` whose state is a core serde value: `(C._from_pickle,
/// (bytes,))`, the state written as CBOR (which, unlike JSON, keeps NaN and every number as
/// it is).
pub fn pickle<'py, C: PyClass + PyTypeInfo, T: serde::Serialize>(
    py: Python<'py>,
    state: &T,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut bytes = Vec::new();
    ciborium::into_writer(state, &mut bytes)
        .map_err(|e| PyValueError::new_err(format!("pickling a {}: {e}", <C as PyClass>::NAME)))?;
    let restore = py.get_type::<C>().getattr("_from_pickle")?;
    PyTuple::new(
        py,
        [
            restore,
            PyTuple::new(py, [PyBytes::new(py, &bytes)])?.into_any(),
        ],
    )
}

/// The state of a pickled `C` (see [`pickle`]); a ValueError if the bytes are not one.
pub fn unpickle<C: PyClass, T: serde::de::DeserializeOwned>(bytes: &[u8]) -> PyResult<T> {
    ciborium::from_reader(bytes)
        .map_err(|e| PyValueError::new_err(format!("not a pickled {}: {e}", <C as PyClass>::NAME)))
}
