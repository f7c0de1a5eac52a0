//! Category columns (bands, tiers) out: pandas categoricals built from their codes, and the
//! way the installed polars best takes one, probed once.

use csops_core::health::NOT_SCORED;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::*;
use crate::arrow::PyArrowStream;
use crate::pool;

/// Category codes as bytes, [`NOT_SCORED`] (255) where missing (or too large for a byte
/// code; callers keep byte codes for at most 127 categories).
pub(super) fn byte_codes(codes: &[Option<u16>]) -> Vec<u8> {
    let mut out = pool::U8.take(codes.len());
    out.extend(codes.iter().map(|c| {
        c.and_then(|c| u8::try_from(c).ok().filter(|&c| c < 128))
            .unwrap_or(NOT_SCORED)
    }));
    out
}

/// A pandas `Categorical` of `codes` (a numpy array of the smallest integer type pandas keeps
/// as it is; -1 for missing) over `names`.
pub(super) fn categorical<'py>(
    pd: &Bound<'py, PyModule>,
    codes: Bound<'py, PyAny>,
    names: &[String],
    ordered: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = pd.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", categorical_dtype(pd, names, ordered)?)?;
    kwargs.set_item("validate", false)?;
    pd.getattr("Categorical")?
        .call_method("from_codes", (codes,), Some(&kwargs))
}

/// pandas' `CategoricalDtype` of `names`, made once and kept: pandas validates the categories
/// each time one is made, which costs as much as the rest of a million-row result together.
/// The last few are kept (the bands of the scorecards in use, tiers, ...).
pub(super) fn categorical_dtype<'py>(
    pd: &Bound<'py, PyModule>,
    names: &[String],
    ordered: bool,
) -> PyResult<Bound<'py, PyAny>> {
    type Kept = Vec<(Vec<String>, bool, Py<PyAny>)>;
    static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Vec::new());
    let py = pd.py();
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, _, dtype)) = kept.iter().find(|(n, o, _)| n == names && *o == ordered) {
        return Ok(dtype.bind(py).clone());
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("categories", names)?;
    kwargs.set_item("ordered", ordered)?;
    let dtype = pd.call_method("CategoricalDtype", (), Some(&kwargs))?;
    if kept.len() >= 16 {
        kept.remove(0);
    }
    kept.push((names.to_vec(), ordered, dtype.clone().unbind()));
    Ok(dtype)
}

/// Categories as a list of str (None where missing): one str object per category, shared by
/// the rows (not one per row).
pub(super) fn category_list<'py>(
    py: Python<'py>,
    names: &[String],
    codes: impl ExactSizeIterator<Item = Option<usize>>,
) -> PyResult<Bound<'py, PyAny>> {
    let objects: Vec<Bound<'py, PyAny>> = names
        .iter()
        .map(|n| PyString::new(py, n).into_any())
        .collect();
    let none = py.None().into_bound(py);
    Ok(PyList::new(
        py,
        codes.map(|c| c.and_then(|c| objects.get(c)).unwrap_or(&none).clone()),
    )?
    .into_any())
}

pub(crate) use csops_core::columnar::validity;

/// The field metadata polars gives an Enum column when it exports one (and reads back).
pub(super) const POLARS_ENUM_KEY: &str = "_PL_ENUM_VALUES2";

/// How category columns (bands, tiers) are handed to Arrow consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PolarsCategories {
    /// Arrow dictionaries (pyarrow; and polars that takes neither way below: it reads them as
    /// categoricals, then they are cast to Enum through their text).
    Dictionary,
    /// Dictionaries with [`POLARS_ENUM_KEY`] metadata, which polars reads as an Enum of these
    /// categories (what it writes itself).
    EnumMetadata,
    /// The byte codes as a UInt8 column, polars' own Enum codes, made an Enum afterwards by
    /// `cat.to` (polars 2): a third cheaper than polars' import of a dictionary, which maps
    /// each key through the dictionary (measured on a million bands: ~2.2 ms against ~3 ms).
    Physical,
}

/// The way chosen by [`polars_categories`]: 0 until it is probed, else the way's number.
static POLARS_MODE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

impl PolarsCategories {
    const ALL: [PolarsCategories; 3] = [
        PolarsCategories::Dictionary,
        PolarsCategories::EnumMetadata,
        PolarsCategories::Physical,
    ];

    fn name(self) -> &'static str {
        match self {
            PolarsCategories::Dictionary => "dictionary",
            PolarsCategories::EnumMetadata => "enum-metadata",
            PolarsCategories::Physical => "physical",
        }
    }

    fn number(self) -> u8 {
        match self {
            PolarsCategories::Dictionary => 1,
            PolarsCategories::EnumMetadata => 2,
            PolarsCategories::Physical => 3,
        }
    }
}

/// How the installed polars best takes a category column: tried once on a one-row table,
/// the cheapest way first (any failure of a way: the next one).
pub(super) fn polars_categories(py: Python<'_>) -> PolarsCategories {
    use std::sync::atomic::Ordering;
    let known = POLARS_MODE.load(Ordering::Relaxed);
    if let Some(mode) = PolarsCategories::ALL
        .into_iter()
        .find(|m| m.number() == known)
    {
        return mode;
    }
    let probe = |mode: PolarsCategories| -> PyResult<bool> {
        let pl = py.import("polars")?;
        let mut c = Columns::new(py);
        c.category("x", &["a", "bc"], [Some(1), None], true);
        let (_, batch, _, _) = c.split_arrow(mode)?;
        let mut df = pl.call_method1("DataFrame", (Bound::new(py, PyArrowStream(batch))?,))?;
        let want = pl.call_method1("Enum", (vec!["a", "bc"],))?;
        if mode == PolarsCategories::Physical {
            let to = pl
                .call_method1("col", ("x",))?
                .getattr("cat")?
                .call_method1("to", (&want,))?;
            df = df.call_method1("with_columns", (to,))?;
        }
        let dtype = df.getattr("schema")?.get_item("x")?;
        let value: Vec<Option<String>> = df
            .call_method1("get_column", ("x",))?
            .call_method0("to_list")?
            .extract()?;
        Ok(dtype.eq(want)? && value == vec![Some("bc".to_string()), None])
    };
    let mode = [PolarsCategories::Physical, PolarsCategories::EnumMetadata]
        .into_iter()
        .find(|&mode| probe(mode).unwrap_or(false))
        .unwrap_or(PolarsCategories::Dictionary);
    POLARS_MODE.store(mode.number(), Ordering::Relaxed);
    mode
}

/// For the tests: the way category columns are handed to polars (`"physical"`,
/// `"enum-metadata"` or `"dictionary"`, probed on first use), after setting it to `mode`
/// when given, so that every way is tested whichever polars is installed.
#[pyfunction]
#[pyo3(signature = (mode = None))]
pub fn _polars_categories(py: Python<'_>, mode: Option<&str>) -> PyResult<&'static str> {
    if let Some(mode) = mode {
        let Some(m) = PolarsCategories::ALL.into_iter().find(|m| m.name() == mode) else {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown way {mode:?}"
            )));
        };
        POLARS_MODE.store(m.number(), std::sync::atomic::Ordering::Relaxed);
    }
    Ok(polars_categories(py).name())
}
