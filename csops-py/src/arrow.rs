//! Arrow data in and out, through the [Arrow PyCapsule interface]: any object with
//! `__arrow_c_stream__` (a pyarrow `Table`, a polars `DataFrame`, a duckdb result, ...) or
//! `__arrow_c_array__` (a pyarrow `RecordBatch`, ...) is read without pyarrow, and polars and
//! pyarrow results are handed over as Arrow data ([`PyArrowStream`]), without a copy.
//!
//! Reading keeps every column as the chunks it came in. What a column means (which types are
//! numbers, text, days, account ids) is the core's one columnar boundary
//! (`csops_core::columnar`), re-exported here; this file only moves the arrays across the C
//! interface. A float64 column of one chunk without nulls is borrowed where it lies
//! ([`Floats::Borrowed`]); any other numeric column is converted by the core into one float64
//! vector from the pool, nulls as NaN.
//!
//! [Arrow PyCapsule interface]: https://arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface.html

use std::ffi::CStr;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::types::Float64Type;
use arrow_array::{
    Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader, StructArray,
};
use arrow_schema::DataType;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use csops_core::columnar;

use crate::errors::config;

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
                crate::convert::type_name(&capsule)
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

/// A column as float64: borrowed when it is one float64 chunk without nulls, else converted
/// by the core (`columnar::floats_into`: nulls as NaN) into memory from the pool. `Err` names
/// the Arrow type of a column that is not numeric or boolean.
pub fn floats(chunks: &[ArrayRef]) -> Result<Floats, String> {
    if let Some(one) = columnar::single_float64(chunks) {
        return Ok(Floats::Borrowed(one.clone()));
    }
    let pool = &crate::pool::F64;
    let mut out = pool.take(chunks.iter().map(|c| c.len()).sum());
    columnar::floats_into(chunks, &mut out)?;
    Ok(Floats::Owned(crate::pool::Recycled::new(out, pool)))
}

pub use csops_core::columnar::{all_null, bools, ids, is_number, texts};

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
