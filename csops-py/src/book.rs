//! `Book` and the functions that load one: `load_book`, `load_book_json`, `load_book_csv`,
//! `load_book_tables`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use csops_core::book::{Book, LoadMode};
use csops_core::features::features_as_of;
use csops_core::interchange::{
    LoadOptions, LoadSettings, Loaded, WithRecordsSettings, load_csv_texts, load_json_str,
    write_csv_dir, write_json,
};
use csops_core::retention::ArrHistory;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString};

use crate::convert::{py_date, py_date_opt, to_python};
use crate::errors::{call, call_with_gil};
use crate::features::PyFeatureFrame;
use crate::options::{as_of_date, feature_config, mapping_to_json};
use crate::progress::Progress;
use crate::validation::PyValidationReport;

/// A validated book of business: every valid record of every account, indexed per account.
///
/// Immutable, and safe to share between threads (methods that do real work release the GIL).
#[pyclass(name = "Book", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyBook {
    book: Arc<Book>,
    report: Py<PyValidationReport>,
    /// Each account's ARR over time (for retention), built on first use.
    history: OnceLock<Arc<ArrHistory>>,
}

impl PyBook {
    /// What validation found while loading it.
    pub(crate) fn validation(&self, py: Python<'_>) -> Py<PyValidationReport> {
        self.report.clone_ref(py)
    }

    /// The core book (shared, immutable).
    pub(crate) fn inner(&self) -> &Arc<Book> {
        &self.book
    }

    /// The book's ARR history (built once, the GIL released, then shared).
    pub(crate) fn arr_history(&self, py: Python<'_>) -> PyResult<Arc<ArrHistory>> {
        if let Some(h) = self.history.get() {
            return Ok(h.clone());
        }
        let book = &self.book;
        let built = Arc::new(call(py, || ArrHistory::from_book(book))?);
        Ok(self.history.get_or_init(|| built).clone())
    }

    fn from_loaded(py: Python<'_>, loaded: Loaded) -> PyResult<Self> {
        Ok(PyBook {
            book: Arc::new(loaded.book),
            report: Py::new(py, PyValidationReport::new(loaded.report))?,
            history: OnceLock::new(),
        })
    }
}

/// The load options from the Python keyword arguments.
fn options(
    py: Python<'_>,
    mode: Option<&Bound<'_, PyAny>>,
    header_map: Option<&Bound<'_, PyAny>>,
    source_map: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<LoadOptions> {
    // The core's load settings, read, defaulted and checked by the core (the same rules as
    // Node's).
    let settings: LoadSettings = crate::options::from_kwargs(
        py,
        &[
            ("mode", mode),
            ("header_map", header_map),
            ("source_map", source_map),
            ("threads", threads),
        ],
    )?;
    call_with_gil(py, || settings.options())
}

/// Load a book from a directory of CSV files, or from a `.json` file.
///
/// ``source_map`` (a dict, TOML text, or the path of a ``.toml``/``.json`` file) says which
/// of a team's own export files holds which record type and how their columns, values and
/// shapes map onto csops' (see ``docs/importing.md``).
///
/// ``threads`` (default: every core) is how many threads the load may use: with two or more,
/// rows are read on one while the book vets them on another; the book and its report are the
/// same whatever the number.
///
/// ``progress=True`` draws a progress bar (tqdm when installed), a callable is called with
/// ``(stage, done, total, unit)``; either way Ctrl-C stops a long load within a second with
/// ``KeyboardInterrupt`` and nothing half-loaded.
///
/// >>> book = csops.load_book("data/sample-book", mode="lenient")
/// >>> len(book), len(book.report.problems)
/// (300, 9)
/// >>> book.report.problems[0].kind
/// 'duplicate'
#[pyfunction]
#[pyo3(signature = (source, *, mode = None, header_map = None, source_map = None, threads = None, progress = None))]
pub fn load_book(
    py: Python<'_>,
    source: PathBuf,
    mode: Option<&Bound<'_, PyAny>>,
    header_map: Option<&Bound<'_, PyAny>>,
    source_map: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBook> {
    let progress = Progress::new(py, progress)?;
    let mut opts = options(py, mode, header_map, source_map, threads)?;
    opts.progress = progress.hook();
    let loaded = progress.finish(call(py, || csops_core::interchange::load(&source, &opts)))?;
    PyBook::from_loaded(py, loaded)
}

/// Load a book from the text of a JSON document.
///
/// ``allow_empty=True`` accepts a document whose account rows are all rejected (a part of a
/// book, as ``csops.spark`` loads one account at a time); by default that is an error.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the keyword arguments of the Python call
#[pyo3(signature = (text, *, mode = None, header_map = None, source_map = None, allow_empty = false, threads = None, progress = None))]
pub fn load_book_json(
    py: Python<'_>,
    text: &str,
    mode: Option<&Bound<'_, PyAny>>,
    header_map: Option<&Bound<'_, PyAny>>,
    source_map: Option<&Bound<'_, PyAny>>,
    allow_empty: bool,
    threads: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBook> {
    let progress = Progress::new(py, progress)?;
    let mut opts = options(py, mode, header_map, source_map, threads)?;
    opts.allow_empty = allow_empty;
    opts.progress = progress.hook();
    let loaded = progress.finish(call(py, || load_json_str(text, &opts)))?;
    PyBook::from_loaded(py, loaded)
}

/// A synthetic book: accounts, contacts, usage, tickets, surveys, meetings, milestones,
/// opportunities, ARR snapshots and renewal outcomes, generated from a seed (the same options
/// always give the same book). Every option is the core's ``SynthConfig`` (None: its default:
/// seed 42, 300 accounts from 2024-10-01 over 8 quarters, 5% of optional values missing, 5
/// usage events per account-week over the last 540 days, 60% existing customers); an
/// out-of-range value is a ``ConfigError`` naming it.
///
/// >>> book = csops.generate_book(accounts=50, seed=7)
/// >>> len(book), book.report.is_clean
/// (50, True)
#[pyfunction]
#[pyo3(signature = (*, seed = None, accounts = None, start = None, quarters = None, missing_rate = None, events_per_account_week = None, usage_days = None, existing_share = None))]
#[allow(clippy::too_many_arguments)]
pub fn generate_book(
    py: Python<'_>,
    seed: Option<&Bound<'_, PyAny>>,
    accounts: Option<&Bound<'_, PyAny>>,
    start: Option<&Bound<'_, PyAny>>,
    quarters: Option<&Bound<'_, PyAny>>,
    missing_rate: Option<&Bound<'_, PyAny>>,
    events_per_account_week: Option<&Bound<'_, PyAny>>,
    usage_days: Option<&Bound<'_, PyAny>>,
    existing_share: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBook> {
    let cfg: csops_core::synth::SynthConfig = crate::options::from_kwargs(
        py,
        &[
            ("seed", seed),
            ("accounts", accounts),
            ("start", start),
            ("quarters", quarters),
            ("missing_rate", missing_rate),
            ("events_per_account_week", events_per_account_week),
            ("usage_days", usage_days),
            ("existing_share", existing_share),
        ],
    )?;
    let loaded = call(py, || csops_core::synth::book(&cfg))?;
    PyBook::from_loaded(py, loaded)
}

/// Load a book from CSV texts keyed by file stem (`"accounts"`, `"tickets"`, ...).
#[pyfunction]
#[pyo3(signature = (texts, *, mode = None, header_map = None, source_map = None, threads = None, progress = None))]
pub fn load_book_csv(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    mode: Option<&Bound<'_, PyAny>>,
    header_map: Option<&Bound<'_, PyAny>>,
    source_map: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBook> {
    // Any mapping (a dict, MappingProxyType, ...): copy it into a dict first.
    if !texts.is_instance_of::<PyDict>() && texts.cast::<PyMapping>().is_err() {
        return Err(crate::errors::argument_error(format!(
            "texts must be a mapping of file stem to CSV text, got {}",
            texts.get_type().name()?
        )));
    }
    let texts: BTreeMap<String, String> = py.get_type::<PyDict>().call1((texts,))?.extract()?;
    let progress = Progress::new(py, progress)?;
    let mut opts = options(py, mode, header_map, source_map, threads)?;
    opts.progress = progress.hook();
    let loaded = progress.finish(call(py, || load_csv_texts(&texts, &opts)))?;
    PyBook::from_loaded(py, loaded)
}

/// Load a book from tables: a mapping of record type (``"accounts"``, ``"tickets"``, ...) or,
/// with a source map, file name, to a pandas, polars or pyarrow table (anything with
/// ``__arrow_c_stream__`` or ``__arrow_c_array__``).
///
/// Each cell is read as the CSV reader reads its text, so the same validation, source map and
/// report apply: whole numbers stored as floats (``202.0``) are whole numbers, a fractional one
/// where a whole number belongs is a problem with its table, row (1-based) and column; dates
/// stored as midnight timestamps are days; nulls and NaN are empty cells.
///
/// For example ``csops.load_book_tables({"accounts": accounts_df, "tickets": tickets_df})``.
#[pyfunction]
#[pyo3(signature = (tables, *, mode = None, header_map = None, source_map = None, threads = None, progress = None))]
pub fn load_book_tables(
    py: Python<'_>,
    tables: &Bound<'_, PyAny>,
    mode: Option<&Bound<'_, PyAny>>,
    header_map: Option<&Bound<'_, PyAny>>,
    source_map: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBook> {
    let items = tables
        .cast::<PyMapping>()
        .map_err(|_| {
            crate::errors::argument_error(format!(
                "tables must be a mapping of record type to a table (a pandas, polars or \
                 pyarrow frame), got {}",
                tables
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        })?
        .items()?;
    let mut batches: BTreeMap<String, Vec<arrow_array::RecordBatch>> = BTreeMap::new();
    for item in items.iter() {
        let (name, table): (String, Bound<'_, PyAny>) = item.extract()?;
        if !crate::arrow::speaks_arrow(&table) {
            return Err(crate::errors::argument_error(format!(
                "tables['{name}'] must be a pandas, polars or pyarrow table (an object with \
                 __arrow_c_stream__), got {}",
                table.get_type().name()?
            )));
        }
        let t = crate::arrow::import(py, &table)?;
        batches.insert(name, t.record_batches(py)?);
    }
    let progress = Progress::new(py, progress)?;
    let mut opts = options(py, mode, header_map, source_map, threads)?;
    opts.progress = progress.hook();
    let loaded = progress.finish(call(py, || {
        csops_core::interchange::load_arrow_tables(&batches, &opts)
    }))?;
    PyBook::from_loaded(py, loaded)
}

/// `Book.with_records`: the core's `interchange::with_json`.
fn merge_records(book: &Book, text: &str, mode: LoadMode) -> csops_core::Result<Loaded> {
    csops_core::interchange::with_json(book, text, mode)
}

#[pymethods]
impl PyBook {
    /// Pickling: the book as its JSON document (every record, exact amounts) and its
    /// validation report, so an unpickled book is the same book with the same report.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let book = &self.book;
        let text = call(py, || write_json(book))?;
        let report = serde_json::to_string(self.report.get().inner()).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("the report as JSON: {e}"))
        })?;
        let restore = py.get_type::<PyBook>().getattr("_from_pickle")?;
        let args = pyo3::types::PyTuple::new(py, [text, report])?;
        pyo3::types::PyTuple::new(py, [restore, args.into_any()])
    }

    /// The book from its pickled JSON document and report.
    #[staticmethod]
    fn _from_pickle(py: Python<'_>, text: &str, report: &str) -> PyResult<Self> {
        let report = serde_json::from_str(report).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("not a pickled Book: {e}"))
        })?;
        // A book with no records pickles too.
        let opts = LoadOptions {
            allow_empty: true,
            ..LoadOptions::default()
        };
        let loaded = call(py, || load_json_str(text, &opts))?;
        PyBook::from_loaded(
            py,
            Loaded {
                book: loaded.book,
                report,
            },
        )
    }

    /// What validation found while loading (clean unless the load was lenient).
    #[getter]
    fn report(&self, py: Python<'_>) -> Py<PyValidationReport> {
        self.report.clone_ref(py)
    }

    /// A new book: this one with ``records`` added, as a CRM webhook or a nightly delta brings
    /// them. ``records`` is a dict of record type (``"accounts"``, ``"contacts"``,
    /// ``"contact_roles"``, ``"tickets"``, ...) to a list of records, each a dict in the JSON
    /// interchange shape (what ``load_book_json`` reads: ``"arr": "1000.00"``, dates
    /// ``"YYYY-MM-DD"``, ``"attributes": {...}``), or the JSON text of such a document.
    ///
    /// A record that restates one the book has replaces it (accounts, contacts, tickets,
    /// surveys, meetings, milestones, opportunities and renewal outcomes by ``id``; a contact
    /// role by contact, role and the day it was added, so ending a spell is sending it again
    /// with ``removed`` set; ARR snapshots by account and day; usage snapshots by account,
    /// metric and period); anything else is added. Each extra record is checked as loading
    /// checks it (problems name ``records#<type>`` and the record's position in its list), then
    /// the merged book as a whole (problems name the record type and the position in the
    /// merged list). ``mode="strict"`` raises ``ValidationError`` on any problem;
    /// ``"lenient"`` keeps the valid records and lists the rest in the new book's ``report``.
    /// This book is not changed. Runs with the GIL released.
    #[pyo3(signature = (records, *, mode = None))]
    fn with_records(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        mode: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyBook> {
        let WithRecordsSettings { mode } = crate::options::from_kwargs(py, &[("mode", mode)])?;
        let text = if let Ok(s) = records.cast::<PyString>() {
            s.to_cow()?.into_owned()
        } else if records.cast::<PyMapping>().is_ok() {
            mapping_to_json(py, "records", records)?
        } else {
            return Err(crate::errors::argument_error(format!(
                "records must be a dict of record type to a list of records, or JSON text; \
                 got {}",
                records.get_type().name()?
            )));
        };
        let book = &self.book;
        let loaded = call(py, || merge_records(book, &text, mode))?;
        PyBook::from_loaded(py, loaded)
    }

    /// How many records of each type: ``{"accounts": n, "contacts": n, ...}``.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.book.counts())
    }

    /// Every contact, as a dict in the core's form (``id``, ``account_id``, ``name``,
    /// ``email``, ``title``), account by account in the accounts' order, each account's in
    /// input order (as Node's ``book.contacts()``).
    fn contacts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let book = &self.book;
        let contacts: Vec<_> = (0..book.accounts().len())
            .flat_map(|a| book.contacts_of(a))
            .collect();
        to_python(py, &contacts)
    }

    /// The account ids, in input order.
    #[getter]
    fn account_ids(&self) -> Vec<&str> {
        self.book.accounts().iter().map(|a| a.id.as_str()).collect()
    }

    /// The latest date of any record (the natural as-of day for current features), or None
    /// for a book without dated records.
    fn latest_date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let latest = call(py, || Ok(self.book.latest_date()))?;
        py_date_opt(py, latest, || "latest_date".to_string())
    }

    /// Every account as a dict, in input order: ``arr`` is a ``decimal.Decimal`` in
    /// ``currency``; dates are ``datetime.date``; ``attributes`` holds custom columns.
    fn accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for a in self.book.accounts() {
            let d = PyDict::new(py);
            d.set_item("id", &a.id)?;
            d.set_item("name", &a.name)?;
            d.set_item("owner_csm", &a.owner_csm)?;
            d.set_item("segment", &a.segment)?;
            d.set_item("tier", &a.tier)?;
            d.set_item("region", &a.region)?;
            d.set_item("industry", &a.industry)?;
            d.set_item("plan", &a.plan)?;
            d.set_item("currency", a.arr.currency.code())?;
            d.set_item("arr", a.arr.amount)?;
            d.set_item("seats", a.seats)?;
            let field = |name: &str| format!("account `{}`, field `{name}`", a.id);
            d.set_item(
                "start_date",
                py_date(py, a.start_date, || field("start_date"))?,
            )?;
            d.set_item(
                "renewal_date",
                py_date_opt(py, a.renewal_date, || field("renewal_date"))?,
            )?;
            d.set_item("term_months", a.term_months)?;
            d.set_item("attributes", &a.attributes)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Derive every feature of every account as of a day (inclusive): only records dated on
    /// or before it are seen.
    ///
    /// ``as_of`` is a ``datetime.date`` or a ``"YYYY-MM-DD"`` string; ``config`` (optional)
    /// is a dict, TOML text or JSON text of feature settings (windows, key features, ...).
    /// ``progress`` as for ``load_book``; Ctrl-C stops the call within a second.
    #[pyo3(signature = (as_of, *, config = None, progress = None))]
    fn features_as_of(
        &self,
        py: Python<'_>,
        as_of: &Bound<'_, PyAny>,
        config: Option<&Bound<'_, PyAny>>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyFeatureFrame> {
        let as_of = as_of_date(py, as_of)?;
        let mut config = feature_config(py, config)?;
        let progress = Progress::new(py, progress)?;
        config.progress = progress.hook();
        let frame = progress.finish(call(py, || features_as_of(&self.book, as_of, &config)))?;
        Ok(PyFeatureFrame::new(frame))
    }

    /// Write the book as a directory of CSV files (created if needed); returns the paths
    /// written. Loading that directory gives the same book back.
    fn write_csv(&self, py: Python<'_>, directory: PathBuf) -> PyResult<Vec<PathBuf>> {
        call(py, || write_csv_dir(&self.book, &directory))
    }

    /// The book as one JSON document (what `load_book_json` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || write_json(&self.book))
    }

    fn __len__(&self) -> usize {
        self.book.accounts().len()
    }

    fn __repr__(&self) -> String {
        format!("<Book {}>", self.book.counts().summary())
    }
}

/// Add the functions and classes to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBook>()?;
    m.add_function(wrap_pyfunction!(load_book, m)?)?;
    m.add_function(wrap_pyfunction!(load_book_tables, m)?)?;
    m.add_function(wrap_pyfunction!(load_book_json, m)?)?;
    m.add_function(wrap_pyfunction!(generate_book, m)?)?;
    m.add_function(wrap_pyfunction!(load_book_csv, m)?)?;
    Ok(())
}
