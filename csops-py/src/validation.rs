//! `Problem` and `ValidationReport`: what validation found while loading a book.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use csops_core::book::{Problem, ValidationReport};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::{enum_name, to_python};

/// Python's `repr()` of a string (quoted and escaped as Python would).
pub fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned())
}

/// `repr()` of an optional string: the quoted string or `None`.
fn py_repr_opt(py: Python<'_>, s: Option<&str>) -> PyResult<String> {
    s.map_or_else(|| Ok("None".to_string()), |s| py_repr(py, s))
}

/// One problem with one row (or one file) of the input.
#[pyclass(name = "Problem", module = "csops", frozen)]
#[derive(Debug, Clone)]
pub struct PyProblem(pub Problem);

#[pymethods]
impl PyProblem {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &&self.0)
    }

    /// A pickled Problem.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let p: Problem = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyProblem(p))
    }

    /// The file (or JSON document section) the row came from, e.g. ``"accounts.csv"``.
    #[getter]
    fn file(&self) -> &str {
        &self.0.file
    }

    /// The row: the line in a CSV file (the header is line 1), or the 1-based position in a
    /// JSON array. None for a problem with a whole file.
    #[getter]
    fn row(&self) -> Option<u64> {
        self.0.row
    }

    /// The id of the record, when it has one and it could be read.
    #[getter]
    fn record_id(&self) -> Option<&str> {
        self.0.record_id.as_deref()
    }

    /// The field (column), when the problem is with one field.
    #[getter]
    fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// The kind of problem: ``"missing"``, ``"malformed"``, ``"unknown_value"``,
    /// ``"negative"``, ``"out_of_range"``, ``"dates_out_of_order"``, ``"inconsistent"``,
    /// ``"duplicate"`` or ``"unknown_reference"``.
    #[getter]
    fn kind(&self) -> String {
        enum_name(&self.0.kind)
    }

    /// A human explanation, including the offending value.
    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The problem as a plain dict (file, row, record_id, field, kind, reason).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.0;
        Ok(format!(
            "Problem(file={}, row={}, record_id={}, field={}, kind={}, reason={})",
            py_repr(py, &p.file)?,
            p.row.map_or_else(|| "None".to_string(), |r| r.to_string()),
            py_repr_opt(py, p.record_id.as_deref())?,
            py_repr_opt(py, p.field.as_deref())?,
            py_repr(py, &self.kind())?,
            py_repr(py, &p.reason)?,
        ))
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    /// Equal when every field is equal (a non-Problem gives NotImplemented, as pyo3 does for
    /// an argument of another type).
    fn __eq__(&self, other: &Bound<'_, PyProblem>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        let p = &self.0;
        let mut h = DefaultHasher::new();
        (&p.file, p.row, &p.record_id, &p.field, p.kind, &p.reason).hash(&mut h);
        h.finish()
    }
}

/// Everything validation found while loading a book, and what was kept.
#[pyclass(name = "ValidationReport", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyValidationReport(ValidationReport, Lists);

/// The report's lists as Python objects, built on first access and then shared, so a loop
/// over ``report.problems[i]`` costs one conversion, not one per step.
struct Lists {
    problems: pyo3::sync::PyOnceLock<Py<PyAny>>,
    rejected: pyo3::sync::PyOnceLock<Py<PyAny>>,
    files: pyo3::sync::PyOnceLock<Py<PyAny>>,
    notes: pyo3::sync::PyOnceLock<Py<PyAny>>,
}

impl Lists {
    fn new() -> Self {
        Lists {
            problems: pyo3::sync::PyOnceLock::new(),
            rejected: pyo3::sync::PyOnceLock::new(),
            files: pyo3::sync::PyOnceLock::new(),
            notes: pyo3::sync::PyOnceLock::new(),
        }
    }
}

impl std::fmt::Debug for Lists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lists")
    }
}

impl PyValidationReport {
    /// Wrap a core report.
    pub fn new(report: ValidationReport) -> Self {
        PyValidationReport(report, Lists::new())
    }

    /// The core report.
    pub fn inner(&self) -> &ValidationReport {
        &self.0
    }
}

#[pymethods]
impl PyValidationReport {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &&self.0)
    }

    /// A pickled ValidationReport.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let r: ValidationReport = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyValidationReport::new(r))
    }

    /// Every problem, in file and row order (the same list on every access).
    #[getter]
    fn problems(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.1
            .problems
            .get_or_try_init(py, || {
                let items: Vec<PyProblem> =
                    self.0.problems.iter().cloned().map(PyProblem).collect();
                Ok::<_, PyErr>(pyo3::types::PyList::new(py, items)?.into_any().unbind())
            })
            .map(|l| l.clone_ref(py))
    }

    /// Every rejected row: dicts with ``file``, ``row``, ``record_id`` and ``fields`` (the
    /// raw fields as read, column → text), so nothing is silently dropped.
    #[getter]
    fn rejected<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.1
            .rejected
            .get_or_try_init(py, || to_python(py, &self.0.rejected).map(Bound::unbind))
            .map(|l| l.bind(py).clone())
    }

    /// Row counts per file: ``{file: {"read": n, "loaded": n, "rejected": n}}``.
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.1
            .files
            .get_or_try_init(py, || to_python(py, &self.0.files).map(Bound::unbind))
            .map(|l| l.bind(py).clone())
    }

    /// What the loader did by the source map's rules (a value map, a default, a scale, a
    /// role removed with no earlier addition): dicts with ``file``, ``row``, ``field`` and
    /// ``note``. Notes are not problems; a strict load keeps them.
    #[getter]
    fn notes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.1
            .notes
            .get_or_try_init(py, || to_python(py, &self.0.notes).map(Bound::unbind))
            .map(|l| l.bind(py).clone())
    }

    /// True when there were no problems at all.
    #[getter]
    fn is_clean(&self) -> bool {
        self.0.is_clean()
    }

    /// One line: problem and row counts, and the first problem.
    fn summary(&self) -> String {
        self.0.summary()
    }

    /// A readable multi-line report: counts per file, then every problem.
    fn render(&self) -> String {
        self.0.render()
    }

    /// The report as plain data: ``{"problems": [...], "rejected": [...], "files": {...}}``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!("<ValidationReport: {}>", self.0.summary())
    }

    /// An HTML rendering for Jupyter: counts per file, then the problems.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}

/// Add the classes to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProblem>()?;
    m.add_class::<PyValidationReport>()?;
    Ok(())
}
