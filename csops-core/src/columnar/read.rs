//! Arrow columns into the core's column views: numbers as `f64` (NaN = missing), text,
//! yes/no, account ids, and the columns the condition language reads.
//!
//! Every reader takes a column as its chunks (one per record batch), as an Arrow table or a
//! Python `__arrow_c_stream__` hands it over, and keeps the order of the rows.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, TimeUnit};
use chrono::NaiveDate;

use crate::condition::Column;

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
fn nan_where_null(values: &mut [f64], nulls: Option<&NullBuffer>) {
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

/// The column itself when it is one float64 chunk without nulls: read in place, no copy.
pub fn single_float64(chunks: &[ArrayRef]) -> Option<&ArrayRef> {
    match chunks {
        [one] if one.data_type() == &DataType::Float64 && one.null_count() == 0 => Some(one),
        _ => None,
    }
}

/// Append a column's values as float64 to `out` (nulls as NaN; booleans as 1 and 0;
/// decimals divided by their scale). `Err` names the Arrow type of a column that is not
/// numeric or boolean.
pub fn floats_into(chunks: &[ArrayRef], out: &mut Vec<f64>) -> Result<(), String> {
    out.reserve(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        push_floats(c.as_ref(), out).map_err(|t| t.to_string())?;
    }
    Ok(())
}

/// A column as float64 values (see [`floats_into`]).
pub fn floats(chunks: &[ArrayRef]) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    floats_into(chunks, &mut out)?;
    Ok(out)
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

/// One column for the condition language: numbers, yes/no, or text (dates as `YYYY-MM-DD`);
/// `Ok(None)` when it holds no value at all (every chunk of the null type), so the caller can
/// treat it as an absent column; `Err` with the problem for another type.
pub fn condition_column(name: &str, chunks: &[ArrayRef]) -> Result<Option<Column>, String> {
    if all_null(chunks) {
        return Ok(None);
    }
    let t = chunks
        .iter()
        .map(|c| c.data_type())
        .find(|t| **t != DataType::Null)
        .cloned()
        .unwrap_or(DataType::Null);
    if is_number(&t) {
        return floats(chunks).map(|f| Some(Column::Number(f)));
    }
    if let Some(b) = bools(chunks) {
        return Ok(Some(Column::Bool(b)));
    }
    if let Some(t) = texts(chunks) {
        return Ok(Some(Column::Text(t)));
    }
    Err(format!(
        "column `{name}` has Arrow type {t}, which conditions cannot read (numbers, yes/no, \
         text and dates can be)"
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
        NullArray, StringArray, TimestampMillisecondArray, types::Int8Type,
    };

    use super::*;

    fn chunk(a: impl Array + 'static) -> ArrayRef {
        Arc::new(a)
    }

    #[test]
    fn numbers_of_any_width_and_chunking_read_as_f64_with_nan_for_null() {
        let chunks = [
            chunk(Int32Array::from(vec![Some(1), None, Some(3)])),
            chunk(Float64Array::from(vec![Some(0.5), None])),
            chunk(BooleanArray::from(vec![Some(true), Some(false)])),
        ];
        let got = floats(&chunks).unwrap();
        assert_eq!(got.len(), 7);
        assert_eq!(
            (got[0], got[2], got[3], got[5], got[6]),
            (1.0, 3.0, 0.5, 1.0, 0.0)
        );
        assert!(got[1].is_nan() && got[4].is_nan());
        assert!(single_float64(&chunks).is_none());
        let one = [chunk(Float64Array::from(vec![1.0, 2.0]))];
        assert!(single_float64(&one).is_some());
        let err = floats(&[chunk(StringArray::from(vec!["a"]))]).unwrap_err();
        assert_eq!(err, "Utf8");
    }

    #[test]
    fn text_reads_dictionaries_and_days() {
        let dict: DictionaryArray<Int8Type> =
            vec![Some("gold"), None, Some("gold")].into_iter().collect();
        let chunks = [
            chunk(dict),
            chunk(Date32Array::from(vec![Some(19_723)])),
            chunk(TimestampMillisecondArray::from(vec![Some(
                1_704_067_200_000 + 3_600_000,
            )])),
        ];
        assert_eq!(
            texts(&chunks).unwrap(),
            vec![
                Some("gold".to_string()),
                None,
                Some("gold".to_string()),
                Some("2024-01-01".to_string()),
                Some("2024-01-01".to_string()),
            ]
        );
        assert!(texts(&[chunk(Int32Array::from(vec![1]))]).is_none());
    }

    #[test]
    fn account_ids_are_text_or_exact_integers_and_never_missing() {
        let big = 9_007_199_254_740_993_i64; // 2^53 + 1: not a float
        assert_eq!(
            ids(&[chunk(Int64Array::from(vec![big, 7]))]).unwrap(),
            vec![big.to_string(), "7".to_string()]
        );
        assert_eq!(
            ids(&[chunk(StringArray::from(vec![Some("A-1"), None]))]).unwrap_err(),
            "position 1: the account id is missing"
        );
        assert!(
            ids(&[chunk(Date32Array::from(vec![1]))])
                .unwrap_err()
                .contains("must be text or integers")
        );
    }

    #[test]
    fn condition_columns_are_numbers_yes_no_or_text_and_a_null_column_is_absent() {
        assert_eq!(condition_column("x", &[chunk(NullArray::new(3))]), Ok(None));
        assert!(matches!(
            condition_column("x", &[chunk(Int32Array::from(vec![1]))]),
            Ok(Some(Column::Number(_)))
        ));
        assert!(matches!(
            condition_column("x", &[chunk(BooleanArray::from(vec![true]))]),
            Ok(Some(Column::Bool(_)))
        ));
        assert!(matches!(
            condition_column("x", &[chunk(StringArray::from(vec!["a"]))]),
            Ok(Some(Column::Text(_)))
        ));
        let list = arrow_array::ListArray::from_iter_primitive::<arrow_array::types::Int32Type, _, _>(
            vec![Some(vec![Some(1)])],
        );
        assert!(
            condition_column("tags", &[chunk(list)])
                .unwrap_err()
                .starts_with("column `tags` has Arrow type List")
        );
    }
}
