//! Arrow data in and out, through the [Arrow PyCapsule interface]: any object with
//! `__arrow_c_stream__` (a pyarrow `Table`, a polars `DataFrame`, a duckdb result, ...) or
//! `__arrow_c_array__` (a pyarrow `RecordBatch`, ...) is read without pyarrow, and polars and
//! pyarrow results are handed over as Arrow data ([`PyArrowStream`]), without a copy.
//!
//! Reading keeps every column as the chunks it came in. A float64 column of one chunk without
//! nulls is borrowed where it lies ([`Floats::Borrowed`]); any other numeric column (nulls,
//! several chunks, another type) is converted into one float64 vector, nulls as NaN.
//!
//! [Arrow PyCapsule interface]: https://arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface.html

use std::ffi::CStr;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader, StructArray,
};
use arrow_schema::{DataType, TimeUnit};
use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::table::config;

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// A table read through the Arrow PyCapsule interface: its columns, each as its chunks.
#[derive(Debug, Default)]
pub struct ArrowTable {
    /// Column names, in order.
    pub names: Vec<String>,
    /// Each column's chunks (one per record batch).
    pub columns: Vec<Vec<ArrayRef>>,
    /// The number of rows.
    pub rows: usize,
}

impl ArrowTable {
    /// A column's chunks by name.
    pub fn column(&self, name: &str) -> Option<&[ArrayRef]> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.columns[i].as_slice())
    }

    /// The table as record batches, one per chunk (every column has one chunk per batch).
    pub fn record_batches(&self, py: Python<'_>) -> PyResult<Vec<RecordBatch>> {
        let batches = self.columns.first().map_or(0, Vec::len);
        (0..batches)
            .map(|b| {
                RecordBatch::try_from_iter(
                    self.names
                        .iter()
                        .zip(&self.columns)
                        .map(|(n, chunks)| (n.clone(), chunks[b].clone())),
                )
                .map_err(|e| arrow_error(py, e))
            })
            .collect()
    }

    fn push_batch(&mut self, names: Vec<String>, columns: Vec<ArrayRef>, rows: usize) {
        if self.names.is_empty() && self.columns.is_empty() {
            self.names = names;
            self.columns = vec![Vec::new(); columns.len()];
        }
        for (chunks, c) in self.columns.iter_mut().zip(columns) {
            chunks.push(c);
        }
        self.rows += rows;
    }
}

/// Whether a value speaks the Arrow PyCapsule interface (a stream or an array of rows).
pub fn speaks_arrow(value: &Bound<'_, PyAny>) -> bool {
    value.hasattr("__arrow_c_stream__").unwrap_or(false)
        || value.hasattr("__arrow_c_array__").unwrap_or(false)
}

fn arrow_error(py: Python<'_>, e: impl std::fmt::Display) -> PyErr {
    config(py, format!("data: the Arrow data cannot be read ({e})"))
}

/// Read a table through the Arrow PyCapsule interface: a stream of record batches
/// (`__arrow_c_stream__`), or one struct array (`__arrow_c_array__`). The buffers are not
/// copied: the chunks hold them (the exporter's release callback runs when they are dropped).
pub fn import(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<ArrowTable> {
    let mut table = ArrowTable::default();
    if value.hasattr("__arrow_c_stream__")? {
        let capsule = value.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
            crate::errors::argument_error(format!(
                "data: __arrow_c_stream__() must return an \"arrow_array_stream\" PyCapsule; \
                 got {}",
                crate::table::type_name(&capsule)
            ))
        })?;
        let ptr = capsule.pointer_checked(Some(STREAM))?;
        // SAFETY: the capsule holds a valid `ArrowArrayStream` (the interface's contract, its
        // name checked above); `from_raw` moves it out, leaving a released one behind, so the
        // capsule's destructor does not release it again.
        let reader = unsafe { ArrowArrayStreamReader::from_raw(ptr.as_ptr().cast()) }
            .map_err(|e| arrow_error(py, e))?;
        let names: Vec<String> = reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        table.names = names.clone();
        table.columns = vec![Vec::new(); names.len()];
        for batch in reader {
            let batch = batch.map_err(|e| arrow_error(py, e))?;
            let rows = batch.num_rows();
            table.push_batch(names.clone(), batch.columns().to_vec(), rows);
        }
        return Ok(table);
    }
    let pair = value.call_method0("__arrow_c_array__")?;
    let (schema, array): (Bound<'_, PyCapsule>, Bound<'_, PyCapsule>) =
        pair.extract().map_err(|_| {
            crate::errors::argument_error(
                "data: __arrow_c_array__() must return a pair of PyCapsules (schema, array)",
            )
        })?;
    let schema_ptr = schema.pointer_checked(Some(SCHEMA))?;
    let array_ptr = array.pointer_checked(Some(ARRAY))?;
    // SAFETY: the capsules hold a valid `ArrowSchema` and `ArrowArray` (the interface's
    // contract, names checked); the array is moved out (its capsule then holds a released one)
    // and the schema only borrowed while `from_ffi` reads it.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast());
        let schema = &*(schema_ptr.as_ptr() as *const FFI_ArrowSchema);
        from_ffi(array, schema)
    }
    .map_err(|e| arrow_error(py, e))?;
    if !matches!(data.data_type(), DataType::Struct(_)) {
        return Err(config(
            py,
            format!(
                "data: an Arrow array of {} is not a table (a struct array of columns)",
                data.data_type()
            ),
        ));
    }
    let rows = data.len();
    let s = StructArray::from(data);
    let names = s.column_names().iter().map(|n| n.to_string()).collect();
    table.push_batch(names, s.columns().to_vec(), rows);
    Ok(table)
}

/// A float64 column read from Arrow data.
#[derive(Debug)]
pub enum Floats {
    /// One float64 chunk without nulls, read in place.
    Borrowed(ArrayRef),
    /// Converted (nulls as NaN), in memory that goes back to the pool afterwards.
    Owned(crate::pool::Recycled<f64>),
}

impl Floats {
    /// The values.
    pub fn as_slice(&self) -> &[f64] {
        match self {
            Floats::Borrowed(a) => a.as_primitive::<Float64Type>().values(),
            Floats::Owned(v) => v,
        }
    }
}

/// Whether an Arrow type is numeric for features and conditions (booleans are not: conditions
/// read them as yes/no).
pub fn is_number(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Decimal128(_, _)
    )
}

/// Write NaN over the values that `nulls` marks null: a word of the validity bitmap at a time,
/// visiting only the nulls (a column is mostly valid).
fn nan_where_null(values: &mut [f64], nulls: Option<&arrow_buffer::NullBuffer>) {
    let Some(nulls) = nulls.filter(|n| n.null_count() > 0) else {
        return;
    };
    let chunks = nulls.inner().bit_chunks();
    let mut mark = |base: usize, valid: u64, len: u32| {
        // The unset bits among the first `len`, lowest first.
        let live = if len >= 64 { u64::MAX } else { (1 << len) - 1 };
        let mut null = !valid & live;
        while null != 0 {
            if let Some(v) = values.get_mut(base + null.trailing_zeros() as usize) {
                *v = f64::NAN;
            }
            null &= null - 1;
        }
    };
    let mut base = 0;
    for word in chunks.iter() {
        mark(base, word, 64);
        base += 64;
    }
    mark(base, chunks.remainder_bits(), chunks.remainder_len() as u32);
}

/// Append one chunk's values as float64 (nulls as NaN); `Err` with the type when it is not
/// numeric or boolean.
fn push_floats(a: &dyn Array, out: &mut Vec<f64>) -> Result<(), DataType> {
    // The values (whatever sits under a null included), then NaN written over the nulls.
    macro_rules! prim {
        ($t:ty) => {{
            let p = a.as_primitive::<$t>();
            let start = out.len();
            out.extend(p.values().iter().map(|&v| v as f64));
            nan_where_null(&mut out[start..], p.nulls());
        }};
    }
    match a.data_type() {
        DataType::Float64 => {
            let p = a.as_primitive::<Float64Type>();
            let start = out.len();
            out.extend_from_slice(p.values());
            nan_where_null(&mut out[start..], p.nulls());
        }
        DataType::Float32 => prim!(Float32Type),
        DataType::Float16 => {
            let p = a.as_primitive::<Float16Type>();
            out.extend(p.iter().map(|v| v.map_or(f64::NAN, f64::from)));
        }
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Decimal128(_, scale) => {
            let p = a.as_primitive::<arrow_array::types::Decimal128Type>();
            let div = 10f64.powi(i32::from(*scale));
            out.extend(p.iter().map(|v| v.map_or(f64::NAN, |v| v as f64 / div)));
        }
        DataType::Boolean => {
            let b = a.as_boolean();
            out.extend(
                b.iter()
                    .map(|v| v.map_or(f64::NAN, |v| if v { 1.0 } else { 0.0 })),
            );
        }
        DataType::Null => out.extend(std::iter::repeat_n(f64::NAN, a.len())),
        t => return Err(t.clone()),
    }
    Ok(())
}

/// A column as float64: borrowed when it is one float64 chunk without nulls, else converted
/// (nulls as NaN). `Err` names the Arrow type of a column that is not numeric or boolean.
pub fn floats(chunks: &[ArrayRef]) -> Result<Floats, String> {
    if let [one] = chunks
        && one.data_type() == &DataType::Float64
        && one.null_count() == 0
    {
        return Ok(Floats::Borrowed(one.clone()));
    }
    let pool = &crate::pool::F64;
    let mut out = pool.take(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        push_floats(c.as_ref(), &mut out).map_err(|t| t.to_string())?;
    }
    Ok(Floats::Owned(crate::pool::Recycled::new(out, pool)))
}

/// A day number of the Unix epoch as a date.
fn epoch_day(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days + 719_163).ok()?)
}

/// Append one chunk as text (a date as `YYYY-MM-DD`, UTC for timestamps); `None` when it is
/// not text, a dictionary of text, or a date.
fn push_texts(a: &dyn Array, out: &mut Vec<Option<String>>) -> Option<()> {
    fn strings<'a>(it: impl Iterator<Item = Option<&'a str>>, out: &mut Vec<Option<String>>) {
        out.extend(it.map(|s| s.map(str::to_string)));
    }
    match a.data_type() {
        DataType::Utf8 => strings(a.as_string::<i32>().iter(), out),
        DataType::LargeUtf8 => strings(a.as_string::<i64>().iter(), out),
        DataType::Utf8View => strings(a.as_string_view().iter(), out),
        DataType::Dictionary(_, _) => {
            let d = a.as_any_dictionary();
            let mut values = Vec::with_capacity(d.values().len());
            push_texts(d.values().as_ref(), &mut values)?;
            let keys = d.normalized_keys();
            for (i, k) in keys.into_iter().enumerate() {
                out.push(if d.is_valid(i) {
                    values.get(k).cloned().flatten()
                } else {
                    None
                });
            }
        }
        DataType::Date32 => out.extend(a.as_primitive::<Date32Type>().iter().map(|d| {
            d.and_then(|d| epoch_day(i64::from(d)))
                .map(|d| d.to_string())
        })),
        DataType::Date64 => out.extend(a.as_primitive::<Date64Type>().iter().map(|d| {
            d.and_then(|ms| epoch_day(ms.div_euclid(86_400_000)))
                .map(|d| d.to_string())
        })),
        DataType::Timestamp(unit, _) => {
            use arrow_array::types::{
                TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
                TimestampSecondType,
            };
            macro_rules! ts {
                ($t:ty, $per_day:expr) => {
                    out.extend(a.as_primitive::<$t>().iter().map(|v| {
                        v.and_then(|v| epoch_day(v.div_euclid($per_day)))
                            .map(|d| d.to_string())
                    }))
                };
            }
            match unit {
                TimeUnit::Second => ts!(TimestampSecondType, 86_400),
                TimeUnit::Millisecond => ts!(TimestampMillisecondType, 86_400_000),
                TimeUnit::Microsecond => ts!(TimestampMicrosecondType, 86_400_000_000),
                TimeUnit::Nanosecond => ts!(TimestampNanosecondType, 86_400_000_000_000),
            }
        }
        DataType::Null => out.extend(std::iter::repeat_n(None, a.len())),
        _ => return None,
    }
    Some(())
}

/// A column as text (text, a dictionary of text, or dates as `YYYY-MM-DD`); `None` for other
/// types.
pub fn texts(chunks: &[ArrayRef]) -> Option<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        push_texts(c.as_ref(), &mut out)?;
    }
    Some(out)
}

/// A boolean column; `None` for another type.
pub fn bools(chunks: &[ArrayRef]) -> Option<Vec<Option<bool>>> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        match c.data_type() {
            DataType::Boolean => out.extend(c.as_boolean().iter()),
            DataType::Null => out.extend(std::iter::repeat_n(None, c.len())),
            _ => return None,
        }
    }
    Some(out)
}

/// Whether every chunk is of the null type (a column with no value at all).
pub fn all_null(chunks: &[ArrayRef]) -> bool {
    chunks.iter().all(|c| c.data_type() == &DataType::Null)
}

/// Account ids: text, or integers as their decimal text; the problem of a missing or
/// unreadable one (by position).
pub fn ids(chunks: &[ArrayRef]) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        if c.data_type().is_integer() {
            for i in 0..c.len() {
                if c.is_null(i) {
                    return Err(format!("position {}: the account id is missing", out.len()));
                }
                out.push(integer_text(c.as_ref(), i));
            }
            continue;
        }
        let dated = matches!(
            c.data_type(),
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
        );
        let mut t = Vec::new();
        if dated || push_texts(c.as_ref(), &mut t).is_none() {
            return Err(format!(
                "account ids must be text or integers, not Arrow {}",
                c.data_type()
            ));
        }
        for v in t {
            match v {
                Some(s) => out.push(s),
                None => return Err(format!("position {}: the account id is missing", out.len())),
            }
        }
    }
    Ok(out)
}

/// One integer of an integer array as text (exact, also beyond 2^53).
fn integer_text(a: &dyn Array, i: usize) -> String {
    macro_rules! at {
        ($t:ty) => {
            a.as_primitive::<$t>().value(i).to_string()
        };
    }
    match a.data_type() {
        DataType::Int8 => at!(Int8Type),
        DataType::Int16 => at!(Int16Type),
        DataType::Int32 => at!(Int32Type),
        DataType::Int64 => at!(Int64Type),
        DataType::UInt8 => at!(UInt8Type),
        DataType::UInt16 => at!(UInt16Type),
        DataType::UInt32 => at!(UInt32Type),
        DataType::UInt64 => at!(UInt64Type),
        _ => String::new(),
    }
}

/// A record batch handed to Python as Arrow data: `__arrow_c_stream__` exports it (without a
/// copy) to whoever asks, e.g. `polars.DataFrame(x)` or `pyarrow.table(x)`. Internal: csops
/// returns the polars or pyarrow table built from it.
#[pyclass(name = "_ArrowStream", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyArrowStream(pub RecordBatch);

#[pymethods]
impl PyArrowStream {
    /// The batch as an `ArrowArrayStream` capsule (``requested_schema`` is not supported and
    /// ignored, as the interface allows).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batch = self.0.clone();
        let schema = batch.schema();
        let reader = RecordBatchIterator::new(vec![Ok(batch)], schema);
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM)
    }

    fn __len__(&self) -> usize {
        self.0.num_rows()
    }
}

/// An array (for building batches): shared.
pub fn shared(a: impl Array + 'static) -> ArrayRef {
    Arc::new(a)
}
