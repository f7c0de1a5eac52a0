//! Tables out: [`Columns`], a result built column by column as the kind of table asked
//! for (pandas, polars, pyarrow or a dict).

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array,
    Int8Array, Int64Array, RecordBatch, StringArray, UInt8Array,
};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};
use chrono::{NaiveDate, NaiveTime};
use csops_core::health::NOT_SCORED;
use csops_core::table::{Table, TableColumn, Values};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;

use super::*;
use crate::arrow::{self, PyArrowStream};
use crate::pool;

/// One column of a result.
#[derive(Debug)]
pub enum Col<'py> {
    /// Numbers. `nan_is_null`: NaN means missing (null in polars and pyarrow); otherwise the
    /// values are kept as they are (no scan for NaN).
    Floats {
        /// The values.
        values: Vec<f64>,
        /// Whether NaN stands for missing.
        nan_is_null: bool,
    },
    /// Numbers whose missing values are already known (`None`: none missing), NaN where
    /// missing: scores, missing exactly where the band code is, so the bitmap is made from
    /// the band's bytes rather than by a scan of the numbers.
    Masked {
        /// The values.
        values: Vec<f64>,
        /// Which are present (for Arrow; pandas and dicts read the NaN).
        nulls: Option<NullBuffer>,
    },
    /// Counts (int64).
    Ints(Vec<i64>),
    /// Text, None where missing.
    Texts(Vec<Option<String>>),
    /// Categories by code (`None`: missing): pandas `Categorical`, polars `Enum`, Arrow
    /// dictionary.
    Category {
        /// Each row's category.
        codes: Vec<Option<u16>>,
        /// The categories, in order.
        names: Vec<String>,
        /// Whether the order means something (bands: red < yellow < green).
        ordered: bool,
    },
    /// Categories by a byte code ([`NOT_SCORED`], 255: missing; at most 127 categories, so
    /// that the codes read as signed bytes are pandas' and Arrow's, -1 missing): as
    /// `Category`, the codes handed over without a copy.
    Codes {
        /// Each row's category.
        codes: Vec<u8>,
        /// The categories, in order.
        names: Vec<String>,
        /// Whether the order means something.
        ordered: bool,
    },
    /// Yes/no, None where missing (pandas `boolean`).
    Bools(Vec<Option<bool>>),
    /// Days, None where missing.
    Dates(Vec<Option<NaiveDate>>),
    /// Exact amounts (`Decimal`; polars and pyarrow decimals).
    Decimals(Vec<Option<Decimal>>),
    /// Python values as they are (a list of dicts, an index or Series given by the caller).
    Python(Bound<'py, PyAny>),
    /// An Arrow column as read (handed back without a copy).
    Arrow(ArrayRef),
}

impl Col<'_> {
    /// Numbers, NaN where missing.
    pub fn floats(values: Vec<f64>) -> Self {
        Col::Floats {
            values,
            nan_is_null: true,
        }
    }
}

/// The columns of a result being built, in order, with an optional index (the row names:
/// pandas' index, the first column elsewhere).
pub struct Columns<'py> {
    py: Python<'py>,
    index: Option<(String, Col<'py>)>,
    columns: Vec<(String, Col<'py>)>,
}

impl std::fmt::Debug for Columns<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Columns")
            .field("index", &self.index)
            .field("columns", &self.columns)
            .finish()
    }
}

impl<'py> Columns<'py> {
    /// No columns yet.
    pub fn new(py: Python<'py>) -> Self {
        Columns {
            py,
            index: None,
            columns: Vec::new(),
        }
    }

    /// Name the rows: pandas' index; the first column of any other kind.
    pub fn index(&mut self, name: impl Into<String>, col: Col<'py>) {
        self.index = Some((name.into(), col));
    }

    /// A column.
    pub fn col(&mut self, name: impl Into<String>, col: Col<'py>) {
        self.columns.push((name.into(), col));
    }

    /// Categories: each row's category by name (`names` in their order).
    pub fn category<S: AsRef<str>>(
        &mut self,
        name: impl Into<String>,
        names: &[S],
        values: impl IntoIterator<Item = Option<usize>>,
        ordered: bool,
    ) {
        let codes = values
            .into_iter()
            .map(|v| v.and_then(|v| u16::try_from(v).ok()))
            .collect();
        self.col(
            name,
            Col::Category {
                codes,
                names: names.iter().map(|n| n.as_ref().to_string()).collect(),
                ordered,
            },
        );
    }

    /// The table, as `kind`; `what` names it in an ImportError when its package is missing.
    pub fn build(self, kind: FrameKind, what: &str) -> PyResult<Bound<'py, PyAny>> {
        match kind {
            FrameKind::Pandas => self.pandas(what),
            FrameKind::Polars => self.polars(what),
            FrameKind::Arrow => self.pyarrow(what, false),
            FrameKind::ArrowBatch => self.pyarrow(what, true),
            FrameKind::Dict => self.dict(),
        }
    }

    /// A column as a Python value for pandas or a dict.
    fn python_value(
        py: Python<'py>,
        pd: Option<&Bound<'py, PyModule>>,
        col: Col<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let with_numpy = pd.is_some() || numpy(py).is_some();
        Ok(match col {
            Col::Floats { values, .. } | Col::Masked { values, .. } if with_numpy => {
                pool::numpy(py, values, &pool::F64)?
            }
            Col::Floats { values, .. } | Col::Masked { values, .. } => {
                PyList::new(py, values)?.into_any()
            }
            Col::Ints(v) if with_numpy => PyArray1::from_vec(py, v).into_any(),
            Col::Ints(v) => PyList::new(py, v)?.into_any(),
            Col::Texts(v) => PyList::new(py, v)?.into_any(),
            Col::Category {
                codes,
                names,
                ordered,
            } if names.len() <= 127 => {
                let c = byte_codes(&codes);
                Self::python_value(
                    py,
                    pd,
                    Col::Codes {
                        codes: c,
                        names,
                        ordered,
                    },
                )?
            }
            Col::Category {
                codes,
                names,
                ordered,
            } => match pd {
                Some(pd) => {
                    let codes: Vec<i16> = codes
                        .iter()
                        .map(|c| c.map_or(-1, |c| i16::try_from(c).unwrap_or(-1)))
                        .collect();
                    categorical(
                        pd,
                        PyArray1::from_vec(py, codes).into_any(),
                        &names,
                        ordered,
                    )?
                }
                None => category_list(py, &names, codes.iter().map(|c| c.map(usize::from)))?,
            },
            Col::Codes {
                codes,
                names,
                ordered,
            } => match pd {
                Some(pd) => {
                    // The same bytes as signed codes: 255 reads as pandas' -1 (missing).
                    let signed =
                        pool::numpy(py, codes, &pool::U8)?.call_method1("view", ("int8",))?;
                    categorical(pd, signed, &names, ordered)?
                }
                None => {
                    let list = category_list(
                        py,
                        &names,
                        codes
                            .iter()
                            .map(|&c| (c != NOT_SCORED).then_some(usize::from(c))),
                    )?;
                    pool::U8.give(codes);
                    list
                }
            },
            Col::Bools(v) => match pd {
                Some(pd) => {
                    let kwargs = PyDict::new(py);
                    kwargs.set_item("dtype", "boolean")?;
                    pd.call_method("array", (PyList::new(py, v)?,), Some(&kwargs))?
                }
                _ if with_numpy && v.iter().all(Option::is_some) => {
                    PyArray1::from_vec(py, v.into_iter().map(|b| b == Some(true)).collect())
                        .into_any()
                }
                _ => PyList::new(py, v)?.into_any(),
            },
            // pandas: datetime64[s] (NaT where missing), so dates resample, group by month
            // and compare with strings as pandas users expect.
            Col::Dates(v) if pd.is_some() => {
                let seconds: Vec<i64> = v
                    .iter()
                    .map(|d| {
                        d.map_or(i64::MIN, |d| {
                            d.and_time(NaiveTime::MIN).and_utc().timestamp()
                        })
                    })
                    .collect();
                PyArray1::from_vec(py, seconds).call_method1("view", ("datetime64[s]",))?
            }
            Col::Dates(v) => {
                let mut out = Vec::with_capacity(v.len());
                for d in v {
                    out.push(crate::convert::py_date_opt(py, d, || "a date".to_string())?);
                }
                PyList::new(py, out)?.into_any()
            }
            // pandas: float64 (NaN where missing), so amounts sum, plot and chart; the exact
            // amounts are what `frame="pyarrow"` (decimal128) or `"polars"` (Decimal) give.
            Col::Decimals(v) if pd.is_some() => {
                let floats: Vec<f64> = v.iter().map(|d| d.map_or(f64::NAN, amount_f64)).collect();
                PyArray1::from_vec(py, floats).into_any()
            }
            Col::Decimals(v) => PyList::new(py, v)?.into_any(),
            Col::Python(v) => v,
            Col::Arrow(a) => PyList::new(
                py,
                arrow::texts(std::slice::from_ref(&a)).unwrap_or_default(),
            )?
            .into_any(),
        })
    }

    fn pandas(self, what: &str) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let pd = require(py, "pandas", what)?;
        let data = PyDict::new(py);
        for (name, col) in self.columns {
            data.set_item(name, Self::python_value(py, Some(&pd), col)?)?;
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("copy", false)?;
        if let Some((name, col)) = self.index {
            let values = Self::python_value(py, Some(&pd), col)?;
            let named = is_instance_of(py, &values, "pandas", "Index")
                && values.getattr("name")?.eq(&name)?;
            let index = if named {
                // The input's own index, already named: as it is (pandas shares it).
                values
            } else {
                let index_kwargs = PyDict::new(py);
                index_kwargs.set_item("name", name)?;
                pd.call_method("Index", (values,), Some(&index_kwargs))?
            };
            kwargs.set_item("index", index)?;
        }
        pd.call_method("DataFrame", (data,), Some(&kwargs))
    }

    fn dict(self) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let data = PyDict::new(py);
        for (name, col) in self.index.into_iter().chain(self.columns) {
            data.set_item(name, Self::python_value(py, None, col)?)?;
        }
        Ok(data.into_any())
    }

    /// The columns Arrow can take from Rust as a record batch (without a copy of the
    /// numbers), and the rest (Python values) by name, in the output's order.
    #[allow(clippy::type_complexity)]
    pub(super) fn split_arrow(
        self,
        polars: PolarsCategories,
    ) -> PyResult<(
        Vec<String>,
        RecordBatch,
        Vec<(String, Bound<'py, PyAny>)>,
        Vec<(String, Vec<String>)>,
    )> {
        let mut order = Vec::new();
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        let mut python = Vec::new();
        let mut categories = Vec::new();
        let mut rows: Option<usize> = None;
        for (name, col) in self.index.into_iter().chain(self.columns) {
            order.push(name.clone());
            // Categories that fit a byte code are dictionary columns (below); more are text.
            let col = match col {
                Col::Category {
                    codes,
                    names,
                    ordered,
                } if names.len() <= 127 => Col::Codes {
                    codes: byte_codes(&codes),
                    names,
                    ordered,
                },
                other => other,
            };
            let array: ArrayRef = match col {
                Col::Python(v) => {
                    python.push((name, v));
                    continue;
                }
                Col::Floats {
                    values,
                    nan_is_null,
                } => {
                    let nulls = if nan_is_null {
                        validity(&values, |v| !v.is_nan())
                    } else {
                        None
                    };
                    Arc::new(Float64Array::new(pool::arrow(values, &pool::F64), nulls))
                }
                Col::Masked { values, nulls } => {
                    Arc::new(Float64Array::new(pool::arrow(values, &pool::F64), nulls))
                }
                Col::Ints(v) => Arc::new(Int64Array::from(v)),
                Col::Texts(v) => Arc::new(StringArray::from(v)),
                Col::Category { codes, names, .. } => {
                    // More categories than byte codes hold: as text.
                    let v: Vec<Option<&str>> = codes
                        .iter()
                        .map(|c| c.and_then(|c| names.get(usize::from(c)).map(String::as_str)))
                        .collect();
                    Arc::new(StringArray::from(v))
                }
                Col::Codes { codes, names, .. } => {
                    let nulls = validity(&codes, |&c| c != NOT_SCORED);
                    // Every code names a category or is missing: checked here in one pass,
                    // where Arrow's own check goes key by key.
                    // (Missing codes count as 0 here: a select, so the pass vectorises.)
                    let top = codes
                        .iter()
                        .map(|&c| if c == NOT_SCORED { 0 } else { c })
                        .max()
                        .unwrap_or(0);
                    let bad = if names.is_empty() {
                        codes.iter().any(|&c| c != NOT_SCORED)
                    } else {
                        usize::from(top) >= names.len().min(128)
                    };
                    if bad {
                        return Err(crate::errors::csops_error(
                            self.py,
                            &format!("internal error: category code {top} of {}", names.len()),
                        ));
                    }
                    let len = codes.len();
                    if polars == PolarsCategories::Physical {
                        // The bytes as they are, under the nulls: polars' own Enum codes.
                        let keys = ScalarBuffer::<u8>::new(
                            pool::arrow(codes, &pool::U8).into_inner(),
                            0,
                            len,
                        );
                        categories.push((name.clone(), names));
                        rows.get_or_insert(len);
                        fields.push(Field::new(name.as_str(), DataType::UInt8, true));
                        arrays.push(Arc::new(UInt8Array::new(keys, nulls)));
                        continue;
                    }
                    // The bytes as signed keys (255, under a null, reads as -1).
                    let keys =
                        ScalarBuffer::<i8>::new(pool::arrow(codes, &pool::U8).into_inner(), 0, len);
                    let keys = Int8Array::new(keys, nulls);
                    let values = StringArray::from(names.clone());
                    // SAFETY: `try_new`'s only check is that each non-null key indexes
                    // `values`: the non-null keys are at most `top` < `names.len()` and below
                    // 128 (checked above; with no names, every key is null), so they read as
                    // the same non-negative i8.
                    let d = unsafe { DictionaryArray::new_unchecked(keys, Arc::new(values)) };
                    let field = Field::new(name.as_str(), d.data_type().clone(), true);
                    let field = if polars == PolarsCategories::EnumMetadata {
                        // polars reads a dictionary with this metadata as an Enum of these
                        // categories (what it writes itself), without a cast through text.
                        let values: String =
                            names.iter().map(|n| format!("{};{n}", n.len())).collect();
                        field.with_metadata(
                            [(POLARS_ENUM_KEY.to_string(), values)]
                                .into_iter()
                                .collect(),
                        )
                    } else {
                        field
                    };
                    categories.push((name.clone(), names));
                    rows.get_or_insert(d.len());
                    fields.push(field);
                    arrays.push(Arc::new(d));
                    continue;
                }
                Col::Bools(v) => Arc::new(BooleanArray::from(v)),
                Col::Dates(v) => Arc::new(Date32Array::from(
                    v.into_iter()
                        .map(|d| {
                            d.map(|d| {
                                (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
                                    .num_days() as i32
                            })
                        })
                        .collect::<Vec<_>>(),
                )),
                Col::Decimals(v) => {
                    let scale = v
                        .iter()
                        .flatten()
                        .map(|d| d.scale())
                        .max()
                        .unwrap_or(0)
                        .min(28);
                    let raw: Vec<Option<i128>> = v
                        .iter()
                        .map(|d| {
                            d.map(|d| {
                                let mut d = d;
                                d.rescale(scale);
                                d.mantissa()
                            })
                        })
                        .collect();
                    let scale = i8::try_from(scale).unwrap_or(28);
                    Arc::new(
                        Decimal128Array::from(raw)
                            .with_precision_and_scale(38, scale)
                            .map_err(|e| {
                                crate::errors::csops_error(self.py, &format!("internal error: {e}"))
                            })?,
                    )
                }
                Col::Arrow(a) => a,
            };
            rows.get_or_insert(array.len());
            fields.push(Field::new(name.as_str(), array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(rows.or(Some(0)));
        let batch = RecordBatch::try_new_with_options(schema, arrays, &options)
            .map_err(|e| crate::errors::csops_error(self.py, &format!("internal error: {e}")))?;
        Ok((order, batch, python, categories))
    }

    fn polars(self, what: &str) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let pl = require(py, "polars", what)?;
        let mode = polars_categories(py);
        let (order, batch, python, categories) = self.split_arrow(mode)?;
        let empty = batch.num_columns() == 0;
        let mut extra = Vec::new();
        for (name, v) in python {
            extra.push(if is_instance_of(py, &v, "polars", "Series") {
                v.call_method1("alias", (name,))?
            } else {
                let kwargs = PyDict::new(py);
                kwargs.set_item("strict", false)?;
                pl.call_method("Series", (name, v), Some(&kwargs))?
            });
        }
        let mut df = if empty {
            // Only Python columns: a frame of them (an empty frame has no rows to add them to).
            pl.call_method1("DataFrame", (extra,))?
        } else {
            let df = pl.call_method1("DataFrame", (Bound::new(py, PyArrowStream(batch))?,))?;
            if extra.is_empty() {
                df
            } else {
                df.call_method1("with_columns", (extra,))?
            }
        };
        let schema = df.getattr("schema")?;
        let mut to_cast = Vec::new();
        for (name, names) in categories {
            let dtype = schema.get_item(&name)?.str()?.to_string();
            if !dtype.starts_with("Enum") {
                to_cast.push((name, names));
            }
        }
        if !to_cast.is_empty() {
            let casts = PyList::empty(py);
            for (name, names) in to_cast {
                let e = pl.call_method1("Enum", (names,))?;
                let col = pl.call_method1("col", (name,))?;
                casts.append(if mode == PolarsCategories::Physical {
                    col.getattr("cat")?.call_method1("to", (e,))?
                } else {
                    col.call_method1("cast", (e,))?
                })?;
            }
            df = df.call_method1("with_columns", (casts,))?;
        }
        let current: Vec<String> = df.getattr("columns")?.extract()?;
        if current != order {
            df = df.call_method1("select", (order,))?;
        }
        Ok(df)
    }

    fn pyarrow(self, what: &str, batch_out: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let pa = require(py, "pyarrow", what)?;
        let (order, batch, python, _) = self.split_arrow(PolarsCategories::Dictionary)?;
        let rows = batch.num_rows();
        let table = pa.call_method1("table", (Bound::new(py, PyArrowStream(batch))?,))?;
        let table = if python.is_empty() {
            table
        } else {
            let data = PyDict::new(py);
            let have: Vec<String> = table.getattr("column_names")?.extract()?;
            for name in &order {
                if let Some((_, v)) = python.iter().find(|(n, _)| n == name) {
                    let is_arrow = is_instance_of(py, v, "pyarrow", "Array")
                        || is_instance_of(py, v, "pyarrow", "ChunkedArray");
                    let v = if is_arrow {
                        v.clone()
                    } else {
                        let kwargs = PyDict::new(py);
                        kwargs.set_item("from_pandas", true)?;
                        pa.call_method("array", (v,), Some(&kwargs))?
                    };
                    data.set_item(name, v)?;
                } else if have.contains(name) {
                    data.set_item(name, table.call_method1("column", (name,))?)?;
                }
            }
            if data.is_empty() && rows > 0 {
                table
            } else {
                pa.call_method1("table", (data,))?
            }
        };
        if !batch_out {
            return Ok(table);
        }
        let batches = table
            .call_method0("combine_chunks")?
            .call_method0("to_batches")?;
        let batches = batches.cast_into::<PyList>()?;
        if batches.len() == 1 {
            return batches.get_item(0);
        }
        let schema = table.getattr("schema")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("schema", schema)?;
        if batches.is_empty() {
            pa.getattr("RecordBatch")?.call_method(
                "from_pylist",
                (PyList::empty(py),),
                Some(&kwargs),
            )
        } else {
            // Several batches (a long table): one, concatenated.
            pa.getattr("RecordBatch")?.call_method(
                "from_pylist",
                (table.call_method0("to_pylist")?,),
                Some(&kwargs),
            )
        }
    }
}

/// An amount as the float64 nearest to it, as Python's `float(Decimal)` gives: exact division
/// where both parts are exact in a float64 (a mantissa below 2^53, at most 22 decimals: the
/// one rounding of the division is the correct one), else through its text (Rust's parser
/// rounds correctly). `rust_decimal`'s own `to_f64` can be one unit off in the last place.
fn amount_f64(d: Decimal) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = d.mantissa();
    match POW10.get(d.scale() as usize) {
        #[allow(clippy::cast_precision_loss)] // below 2^53: exact
        Some(p) if m.unsigned_abs() < 1 << 53 => m as f64 / p,
        _ => d.to_string().parse().unwrap_or(f64::NAN),
    }
}

/// A core result table ([`csops_core::table`]) as `kind`: which columns, their names, order
/// and kinds are the core's; this only hands each kind of values over.
pub fn table_out<'py>(
    py: Python<'py>,
    table: Table,
    kind: FrameKind,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let mut out = Columns::new(py);
    for TableColumn { name, values } in table.columns {
        let col = match values {
            Values::Numbers(v) => Col::floats(v),
            Values::Counts(v) => Col::Ints(
                v.into_iter()
                    .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
                    .collect(),
            ),
            Values::Text(v) => Col::Texts(v),
            // Every value present: a plain bool column (pandas `bool`, not `boolean`).
            Values::Flags(v) => Col::Python(PyList::new(py, v)?.into_any()),
            Values::MaybeFlags(v) => Col::Bools(v),
            Values::Dates(v) => Col::Dates(v),
            Values::Amounts(v) => Col::Decimals(v),
            Values::Categories(c) => Col::Category {
                codes: c.codes,
                names: c.names,
                ordered: c.ordered,
            },
            Values::Lists(v) => Col::Python(PyList::new(py, v)?.into_any()),
            Values::Data(v) => Col::Python(crate::convert::to_python(py, &v)?),
        };
        out.col(name, col);
    }
    out.build(kind, what)
}
