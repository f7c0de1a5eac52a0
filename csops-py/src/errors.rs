//! The one exception hierarchy of the Python package, and the one place where a
//! `csops_core::Error` (or a panic) becomes a Python exception:
//!
//! ```text
//! Exception
//! └── CsopsError                   every error raised by csops
//!     ├── ValidationError          (+ ValueError) `Error::Validation`: the input failed
//!     │                            validation; `.problems` (list of Problem), `.report`
//!     ├── ConfigError              (+ ValueError) `Error::Config`: an option or configuration
//!     │                            is invalid; `.problems` (list of str)
//!     ├── FormatError              (+ ValueError) `Error::Format`: not well-formed CSV/JSON
//!     ├── NotFoundError            (+ KeyError) `Error::NotFound`: an account id (or other
//!     │                            key) is not in the data given
//!     ├── ArgumentError            (+ TypeError) `Error::InvalidArgument`: an argument or
//!     │                            option of the wrong shape or type; `.path`
//!     ├── MoneyError               (+ ValueError) `Error::Money`: amounts that cannot be
//!     │                            combined (currencies without FX, overflow)
//!     └── CsopsIOError             (+ OSError) `Error::Io`: a file could not be read/written;
//!                                  `.filename`, `.errno`, `.strerror` as on any OSError
//! ```
//!
//! The classes are defined by a few lines of Python (below) because two of them have two
//! bases and an `__init__` taking keyword arguments, which `create_exception!` cannot
//! express. They report `__module__ == "csops"`, since that is where users import them from.
//!
//! Core calls go through [`call`] (GIL released) or [`call_with_gil`]: both catch a panic
//! and turn it into `CsopsError("internal error: ...")`, so no panic ever reaches Python.

use std::panic::{AssertUnwindSafe, catch_unwind};

use csops_core::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

use crate::validation::{PyProblem, PyValidationReport};

/// The exception classes, as Python source (executed once, on import).
const EXCEPTIONS_SOURCE: &std::ffi::CStr = cr#"
class CsopsError(Exception):
    """Base class of every error raised by csops."""

    __module__ = "csops"


class ValidationError(CsopsError, ValueError):
    """The input failed validation (also a ValueError).

    ``problems`` lists every problem found (``csops.Problem`` objects, each with file,
    row, record id, field, kind and reason); ``report`` is the full
    ``csops.ValidationReport`` (with the rejected rows), or None when the error was
    raised by hand.
    """

    __module__ = "csops"

    def __init__(self, *args, problems=(), report=None):
        super().__init__(*args)
        self.problems = list(problems)
        self.report = report


class ConfigError(CsopsError, ValueError):
    """An option or a configuration is invalid (also a ValueError).

    ``problems`` lists every problem found, as strings.
    """

    __module__ = "csops"

    def __init__(self, *args, problems=()):
        super().__init__(*args)
        self.problems = list(problems)


class FormatError(CsopsError, ValueError):
    """A file or document is not well-formed CSV or JSON (also a ValueError)."""

    __module__ = "csops"


class NotFoundError(CsopsError, KeyError):
    """Something asked for by its key is not there, such as an account id not in the data
    given (also a KeyError)."""

    __module__ = "csops"

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class ArgumentError(CsopsError, TypeError):
    """An argument or option has the wrong shape or type: an unknown key, text where a
    number belongs (also a TypeError). ``path`` says where in the argument
    (``"probability.fallback"``; empty for the whole argument)."""

    __module__ = "csops"

    def __init__(self, *args, path=""):
        super().__init__(*args)
        self.path = path


class MoneyError(CsopsError, ValueError):
    """Amounts could not be combined or converted: different currencies without an FX rate,
    an amount past the exact range (also a ValueError)."""

    __module__ = "csops"


class CsopsIOError(CsopsError, OSError):
    """A file or directory could not be read or written (also an OSError).

    ``filename`` is the path involved; ``errno`` and ``strerror`` are set when the
    operating system reported an error number.
    """

    __module__ = "csops"

    def __init__(self, message="", *, filename=None, errno=None, strerror=None):
        super().__init__(message)
        self.filename = filename
        self.errno = errno
        self.strerror = strerror

    def __str__(self):
        return str(self.args[0]) if self.args else ""
"#;

/// The Python module holding the exception classes, created on first use.
static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn exceptions(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    EXCEPTIONS
        .get_or_try_init(py, || {
            PyModule::from_code(py, EXCEPTIONS_SOURCE, c"csops/_errors.py", c"csops._errors")
                .map(Bound::unbind)
        })
        .map(|m| m.bind(py))
}

/// The names of the exception classes, in the order they are defined.
pub const EXCEPTION_NAMES: [&str; 8] = [
    "CsopsError",
    "ValidationError",
    "ConfigError",
    "FormatError",
    "NotFoundError",
    "ArgumentError",
    "MoneyError",
    "CsopsIOError",
];

/// One of the exception classes by name.
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    Ok(exceptions(py)?.getattr(name)?.cast_into::<PyType>()?)
}

/// Make an exception: `class(*args, **kwargs)`. If that itself fails (it should not), the
/// failure is what gets raised, so an error is never lost.
fn make(
    py: Python<'_>,
    name: &str,
    message: &str,
    kwargs: impl FnOnce(&Bound<'_, PyDict>) -> PyResult<()>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kw = PyDict::new(py);
        kwargs(&kw)?;
        let error = class(py, name)?.call((message,), Some(&kw))?;
        Ok(PyErr::from_value(error))
    };
    build().unwrap_or_else(|failure| failure)
}

/// A `CsopsError` with a message.
pub fn csops_error(py: Python<'_>, message: &str) -> PyErr {
    make(py, "CsopsError", message, |_| Ok(()))
}

/// The Python exception for a core error: one class per variant, in this one place.
pub fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::Validation(report) => make(py, "ValidationError", &message, |kw| {
            let problems: Vec<PyProblem> = report.problems.iter().cloned().map(PyProblem).collect();
            kw.set_item("problems", PyList::new(py, problems)?)?;
            kw.set_item("report", PyValidationReport::new(*report))?;
            Ok(())
        }),
        Error::Config(problems) => make(py, "ConfigError", &message, |kw| {
            kw.set_item("problems", problems)
        }),
        Error::Format { .. } => make(py, "FormatError", &message, |_| Ok(())),
        Error::Io { path, source } => make(py, "CsopsIOError", &message, |kw| {
            kw.set_item("filename", path.to_string_lossy())?;
            if let Some(errno) = source.raw_os_error() {
                kw.set_item("errno", errno)?;
                kw.set_item("strerror", source.to_string())?;
            }
            Ok(())
        }),
        Error::Money(_) => make(py, "MoneyError", &message, |_| Ok(())),
        Error::InvalidArgument { path, .. } => make(py, "ArgumentError", &message, |kw| {
            kw.set_item("path", path)
        }),
        Error::NotFound { .. } => make(py, "NotFoundError", &message, |_| Ok(())),
        // A stop the progress hook asked for: raised as what stopped it when known (see
        // `progress.rs`); otherwise as an interrupt.
        Error::Cancelled { .. } => PyErr::new::<pyo3::exceptions::PyKeyboardInterrupt, _>(message),
        // A kind this binding does not know yet (the core's errors may grow): the base class.
        _ => make(py, "CsopsError", &message, |_| Ok(())),
    }
}

/// What went wrong in a core call: the core's error, or a panic (a bug in csops).
#[derive(Debug)]
pub enum Failure {
    /// The core returned an error.
    Core(Error),
    /// The core panicked; the panic message.
    Panic(String),
}

impl Failure {
    /// The Python exception for this failure.
    pub fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Core(e) => to_py_err(py, e),
            Failure::Panic(message) => csops_error(py, &format!("internal error: {message}")),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

/// Run a core call, catching a panic.
fn guarded<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    // The closures only read shared, immutable data (the core's `Book` is never mutated after
    // it is built), so nothing can be observed half-updated after a panic.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic with a non-text payload".to_string());
        Err(Failure::Panic(message))
    })
}

/// Run a core call with the GIL released (other Python threads run meanwhile), catching a
/// panic, and convert its error.
pub fn call<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> csops_core::Result<T> + Send,
{
    py.detach(|| guarded(|| f().map_err(Failure::Core)))
        .map_err(|e| e.into_py(py))
}

/// Run a quick core call holding the GIL, catching a panic, and convert its error.
pub fn call_with_gil<T>(py: Python<'_>, f: impl FnOnce() -> csops_core::Result<T>) -> PyResult<T> {
    guarded(|| f().map_err(Failure::Core)).map_err(|e| e.into_py(py))
}

/// An argument of the wrong type or shape, found by the binding itself (a pandas object where
/// a dict belongs, text where a number belongs): `csops.ArgumentError`, a `TypeError`, as the
/// core's `Error::InvalidArgument` is, so every error csops raises is a `CsopsError`.
pub fn argument_error(message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| make(py, "ArgumentError", &message, |_| Ok(())))
}

/// A `csops_core::Error::Config` for an invalid argument (raised as `ConfigError`).
pub fn config_error(py: Python<'_>, problem: String) -> PyErr {
    to_py_err(py, Error::Config(vec![problem]))
}

/// Add the exception classes to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    for name in EXCEPTION_NAMES {
        m.add(name, class(py, name)?)?;
    }
    Ok(())
}

/// How many problems of one kind an error describes (the rest are counted).
const MAX_PROBLEMS: usize = 10;

/// A `ConfigError` with a list of problems.
pub(crate) fn config_problems(py: Python<'_>, problems: Vec<String>) -> PyErr {
    to_py_err(py, csops_core::Error::Config(problems))
}

/// A `ConfigError` with one problem.
pub(crate) fn config(py: Python<'_>, problem: String) -> PyErr {
    config_problems(py, vec![problem])
}

/// Cap a list of problems at [`MAX_PROBLEMS`], saying how many were left out.
pub(crate) fn capped(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("… and {more} more"));
    }
    problems
}
