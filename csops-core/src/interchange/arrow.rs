//! Records from Arrow tables and Parquet files: the same reader as CSV, one cell at a time.
//!
//! A data scientist's records are already typed tables: a pandas, polars or pyarrow frame, a
//! Parquet file a warehouse wrote. They load here exactly as a CSV of the same content would,
//! through the same header and source maps, validation and report: each cell is written as
//! the text csops reads (numbers in their shortest exact form, so `202.0` seats is 202 and
//! `0.1` is 0.1; decimals exactly; dates as `YYYY-MM-DD`, a timestamp at midnight UTC as its
//! day; a list column as `;`-separated values), and a null is an empty cell. A genuinely
//! fractional value where a whole number belongs is still a problem with its row and column.
//!
//! Row numbers are 1-based positions in the table (a Parquet file's rows in file order).

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};

use super::rows::{Fields, Table};
use super::tables::{assign, load_tables};
use super::{LoadOptions, Loaded};
use crate::error::{Error, Result};
use crate::progress::{EVERY, ProgressHook};

/// Where a table's record batches come from.
enum Batches {
    /// Held in memory.
    Memory(Vec<RecordBatch>),
    /// Read from a Parquet file one batch at a time (only one is in memory at once).
    #[cfg(feature = "parquet")]
    Parquet(parquet::arrow::arrow_reader::ParquetRecordBatchReader, u64),
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batches")
    }
}

/// The next record batch of a table (`None` at its end).
type NextBatch<'a> = Box<dyn FnMut() -> Result<Option<RecordBatch>> + 'a>;

/// A table of Arrow record batches, read as rows of text.
#[derive(Debug)]
pub(super) struct ArrowTable {
    name: String,
    headers: Vec<String>,
    batches: Batches,
}

impl ArrowTable {
    /// A table named `name` (for messages) of `batches`, which share one schema.
    pub(super) fn new(name: String, batches: Vec<RecordBatch>) -> Result<Self> {
        let headers: Vec<String> = match batches.first() {
            Some(b) => b
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            None => Vec::new(),
        };
        for b in &batches {
            let names: Vec<&String> = b.schema_ref().fields().iter().map(|f| f.name()).collect();
            if names.len() != headers.len() || names.iter().zip(&headers).any(|(a, b)| *a != b) {
                return Err(Error::Format {
                    file: name,
                    reason: "the record batches of one table have different columns".into(),
                });
            }
        }
        Ok(ArrowTable {
            name,
            headers,
            batches: Batches::Memory(batches),
        })
    }
}

/// How one column's cells become text.
enum Cells<'a> {
    /// Text, read in place (no copy).
    Utf8(&'a arrow_array::StringArray),
    /// Large text, read in place.
    LargeUtf8(&'a arrow_array::LargeStringArray),
    /// Text views, read in place.
    View(&'a arrow_array::StringViewArray),
    /// Any type Arrow can display.
    Plain(ArrayFormatter<'a>, &'a dyn Array),
    /// A timestamp: its instant (UTC when the column has a time zone, naive otherwise), a
    /// day alone at midnight. Read here so that a named zone (`America/New_York`) needs no
    /// time-zone database: Arrow stores the UTC instant whatever the zone.
    Timestamp(&'a dyn Array, TimeUnit, bool),
    /// A list: its items' text joined with `;`.
    List(&'a dyn Array),
    /// A column of Arrow's `Null` type (what a frame gives for a column with no value at
    /// all): every cell empty, as a CSV column with no values.
    Null,
}

const OPTIONS: FormatOptions<'static> = FormatOptions::new().with_display_error(true);

impl<'a> Cells<'a> {
    fn new(array: &'a ArrayRef, file: &str, column: &str) -> Result<Self> {
        let unsupported = |e: arrow_schema::ArrowError| Error::Format {
            file: file.to_string(),
            reason: format!("column `{column}` cannot be read as text: {e}"),
        };
        Ok(match array.data_type() {
            DataType::Utf8 => Cells::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Cells::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => Cells::View(array.as_string_view()),
            DataType::List(_) | DataType::LargeList(_) => Cells::List(array.as_ref()),
            DataType::Timestamp(unit, tz) => Cells::Timestamp(array.as_ref(), *unit, tz.is_some()),
            DataType::Null => Cells::Null,
            _ => Cells::Plain(
                ArrayFormatter::try_new(array.as_ref(), &OPTIONS).map_err(unsupported)?,
                array.as_ref(),
            ),
        })
    }

    /// The text of a cell of a text column, in place: `Some(None)` for a null; `None` for a
    /// column of another type (see [`Cells::write`]).
    fn borrowed(&self, i: usize) -> Option<Option<&'a str>> {
        match self {
            Cells::Utf8(a) => Some((!a.is_null(i)).then(|| a.value(i))),
            Cells::LargeUtf8(a) => Some((!a.is_null(i)).then(|| a.value(i))),
            Cells::View(a) => Some((!a.is_null(i)).then(|| a.value(i))),
            _ => None,
        }
    }

    /// Write a cell's text into `buf` (cleared first); false for a null.
    fn write(&self, i: usize, buf: &mut String) -> bool {
        buf.clear();
        if let Cells::Plain(f, a) = self {
            if a.is_null(i) {
                return false;
            }
            use std::fmt::Write;
            return write!(buf, "{}", f.value(i)).is_ok();
        }
        match self.text(i) {
            Some(t) => {
                buf.push_str(&t);
                true
            }
            None => false,
        }
    }

    fn text(&self, i: usize) -> Option<String> {
        match self {
            Cells::Null => None,
            Cells::Utf8(_) | Cells::LargeUtf8(_) | Cells::View(_) => {
                self.borrowed(i).flatten().map(str::to_string)
            }
            Cells::Plain(f, a) => (!a.is_null(i)).then(|| f.value(i).to_string()),
            Cells::Timestamp(a, unit, zoned) => {
                if a.is_null(i) {
                    return None;
                }
                let v = match unit {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(i),
                    TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(i),
                    TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(i),
                    TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(i),
                };
                let (secs, nanos) = match unit {
                    TimeUnit::Second => (v, 0),
                    TimeUnit::Millisecond => (v.div_euclid(1_000), v.rem_euclid(1_000) * 1_000_000),
                    TimeUnit::Microsecond => {
                        (v.div_euclid(1_000_000), v.rem_euclid(1_000_000) * 1_000)
                    }
                    TimeUnit::Nanosecond => {
                        (v.div_euclid(1_000_000_000), v.rem_euclid(1_000_000_000))
                    }
                };
                // Out of chrono's range: the raw number, which the reader then reports.
                let Some(t) = DateTime::<Utc>::from_timestamp(secs, nanos as u32) else {
                    return Some(v.to_string());
                };
                if t.time() == NaiveTime::MIN {
                    return Some(t.date_naive().to_string());
                }
                let text = t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
                Some(if *zoned {
                    text
                } else {
                    text.trim_end_matches('Z').to_string()
                })
            }
            Cells::List(a) => {
                if a.is_null(i) {
                    return None;
                }
                let items = match a.data_type() {
                    DataType::List(_) => a.as_list::<i32>().value(i),
                    _ => a.as_list::<i64>().value(i),
                };
                let f = ArrayFormatter::try_new(items.as_ref(), &OPTIONS).ok()?;
                let parts: Vec<String> = (0..items.len())
                    .filter(|&k| !items.is_null(k))
                    .map(|k| f.value(k).to_string())
                    .collect();
                Some(parts.join(";"))
            }
        }
    }
}

/// One row's cells.
struct ArrowRow<'a>(Vec<Option<&'a str>>);

impl Fields for ArrowRow<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).copied().flatten()
    }
    fn width(&self) -> usize {
        self.0.len()
    }
}

impl Table for ArrowTable {
    fn name(&self) -> &str {
        &self.name
    }
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn for_each_row(
        &mut self,
        progress: &ProgressHook,
        f: &mut dyn FnMut(u64, &dyn Fields),
    ) -> Result<()> {
        let stage = format!("reading {}", self.name);
        let (total, mut next): (u64, NextBatch<'_>) = match &mut self.batches {
            Batches::Memory(v) => {
                let total = v.iter().map(|b| b.num_rows() as u64).sum();
                let mut it = v.iter();
                (total, Box::new(move || Ok(it.next().cloned())))
            }
            #[cfg(feature = "parquet")]
            Batches::Parquet(reader, rows) => {
                let name = self.name.clone();
                let headers = self.headers.clone();
                (
                    *rows,
                    Box::new(move || match reader.next() {
                        None => Ok(None),
                        Some(Err(e)) => Err(Error::Format {
                            file: name.clone(),
                            reason: format!("not a readable Parquet file: {e}"),
                        }),
                        Some(Ok(b)) if b.schema_ref().fields().len() == headers.len() => {
                            Ok(Some(b))
                        }
                        Some(Ok(_)) => Err(Error::Format {
                            file: name.clone(),
                            reason: "a record batch has other columns than the file".into(),
                        }),
                    }),
                )
            }
        };
        let total = Some(total);
        progress.report(&stage, 0, total, "rows")?;
        let mut line = 0u64;
        while let Some(batch) = next()? {
            let batch = &batch;
            let cells: Vec<Cells<'_>> = batch
                .columns()
                .iter()
                .zip(&self.headers)
                .map(|(c, h)| Cells::new(c, &self.name, h))
                .collect::<Result<_>>()?;
            // Text columns are read in place; others are written into one buffer per column,
            // reused from row to row (no allocation per cell).
            let mut bufs: Vec<String> = vec![String::new(); cells.len()];
            let mut present: Vec<bool> = vec![false; cells.len()];
            for i in 0..batch.num_rows() {
                line += 1;
                if line.is_multiple_of(EVERY) {
                    progress.report(&stage, line, total, "rows")?;
                }
                for ((c, buf), p) in cells.iter().zip(&mut bufs).zip(&mut present) {
                    if c.borrowed(i).is_none() {
                        *p = c.write(i, buf);
                    }
                }
                let row = ArrowRow(
                    cells
                        .iter()
                        .zip(&bufs)
                        .zip(&present)
                        .map(|((c, b), p)| match c.borrowed(i) {
                            Some(v) => v,
                            None => p.then_some(b.as_str()),
                        })
                        .collect(),
                );
                f(line, &row);
            }
        }
        progress.report(&stage, line, total, "rows")
    }
}

/// Load a book from Arrow tables keyed by record type (`accounts`, `tickets`, …) or by the
/// file names of a [`LoadOptions::source_map`], each a list of record batches with one
/// schema. Cells are read as the CSV reader reads text (see the [module docs](self)); every
/// problem names the table, its 1-based row and the column.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
/// use csops_core::interchange::{load_arrow_tables, LoadOptions};
///
/// let accounts = RecordBatch::try_from_iter([
///     ("id", Arc::new(StringArray::from(vec!["A1"])) as ArrayRef),
///     ("name", Arc::new(StringArray::from(vec!["Acme"]))),
///     ("currency", Arc::new(StringArray::from(vec!["USD"]))),
///     ("arr", Arc::new(Float64Array::from(vec![1200.5]))),
///     ("start_date", Arc::new(StringArray::from(vec!["2025-01-01"]))),
///     ("seats", Arc::new(Float64Array::from(vec![202.0]))),
/// ])?;
/// let tables = BTreeMap::from([("accounts".to_string(), vec![accounts])]);
/// let loaded = load_arrow_tables(&tables, &LoadOptions::default())?;
/// assert_eq!(loaded.book.accounts()[0].seats, Some(202));
/// assert_eq!(loaded.book.accounts()[0].arr.amount.to_string(), "1200.5");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_arrow_tables(
    tables: &BTreeMap<String, Vec<RecordBatch>>,
    opts: &LoadOptions,
) -> Result<Loaded> {
    crate::fault::checkpoint("load_arrow_tables");
    let names: Vec<String> = tables.keys().cloned().collect();
    let assignment = assign(&names, opts.source_map.as_ref(), str::to_string)?;
    if let Some(unknown) = assignment.unclaimed.first() {
        return Err(Error::Format {
            file: unknown.clone(),
            reason: "not a record type of the book layout (nor a file of the source map)".into(),
        });
    }
    load_tables(
        &assignment,
        |_, name| {
            Ok(
                Box::new(ArrowTable::new(name.to_string(), tables[name].clone())?)
                    as Box<dyn Table>,
            )
        },
        &[],
        opts,
    )
}

/// Read a Parquet file into record batches.
#[cfg(feature = "parquet")]
pub(super) fn parquet_table(path: &Path, name: String) -> Result<ArrowTable> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |e: &dyn std::fmt::Display| Error::Format {
        file: name.clone(),
        reason: format!("not a readable Parquet file: {e}"),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
    let rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
    let headers = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let reader = builder
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| bad(&e))?;
    Ok(ArrowTable {
        name,
        headers,
        batches: Batches::Parquet(reader, rows),
    })
}
