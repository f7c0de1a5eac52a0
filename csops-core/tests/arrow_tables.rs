//! Records from typed Arrow tables and Parquet files load as the same text would: whole
//! numbers stored as floats are whole numbers, decimals stay exact, dates stored as midnight
//! timestamps are days, list columns are lists, nulls are empty cells, and a fractional value
//! where a whole number belongs is a problem with its table, row and column.

#![cfg(feature = "parquet")]

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, TimestampMicrosecondArray,
    TimestampMillisecondArray,
};
use csops_core::book::{LoadMode, ProblemKind};
use csops_core::interchange::{
    LoadOptions, SourceMap, load_arrow_tables, load_csv_dir, write_csv_texts,
};

fn day(s: &str) -> i32 {
    let d: chrono::NaiveDate = s.parse().unwrap();
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

fn accounts() -> RecordBatch {
    RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from(vec!["A1", "A2", "A3"])) as ArrayRef,
        ),
        (
            "name",
            Arc::new(LargeStringArray::from(vec!["Acme", "Beta", "Gamma"])),
        ),
        (
            "currency",
            Arc::new(DictionaryArray::<Int32Type>::from_iter([
                "USD", "EUR", "USD",
            ])),
        ),
        (
            "arr",
            Arc::new(
                Decimal128Array::from(vec![120050, 99, 1])
                    .with_precision_and_scale(12, 2)
                    .unwrap(),
            ),
        ),
        (
            "seats",
            Arc::new(Float64Array::from(vec![Some(202.0), None, Some(12.5)])),
        ),
        (
            "start_date",
            Arc::new(Date32Array::from(vec![
                day("2024-01-01"),
                day("2024-02-01"),
                day("2024-03-01"),
            ])),
        ),
        (
            "renewal_date",
            Arc::new(TimestampMillisecondArray::from(vec![
                Some(day("2025-01-01") as i64 * 86_400_000),
                None,
                None,
            ])),
        ),
        (
            "term_months",
            Arc::new(Int64Array::from(vec![Some(12), None, None])),
        ),
    ])
    .unwrap()
}

fn meetings() -> RecordBatch {
    let mut roles = ListBuilder::new(StringBuilder::new());
    roles.values().append_value("executive_sponsor");
    roles.values().append_value("champion");
    roles.append(true);
    roles.append(false);
    RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from(vec!["M1", "M2"])) as ArrayRef,
        ),
        ("account_id", Arc::new(StringArray::from(vec!["A1", "A1"]))),
        ("kind", Arc::new(StringArray::from(vec!["ebr", "qbr"]))),
        (
            "date",
            Arc::new(Date32Array::from(vec![
                day("2024-05-01"),
                day("2024-06-01"),
            ])),
        ),
        ("attendee_roles", Arc::new(roles.finish())),
    ])
    .unwrap()
}

fn usage_events() -> RecordBatch {
    let t = day("2024-05-01") as i64 * 86_400_000_000 + 9 * 3_600_000_000 + 1_000;
    RecordBatch::try_from_iter([
        (
            "account_id",
            Arc::new(StringArray::from(vec!["A1"])) as ArrayRef,
        ),
        ("user_id", Arc::new(StringArray::from(vec!["u1"]))),
        ("feature", Arc::new(StringArray::from(vec!["login"]))),
        (
            "timestamp",
            Arc::new(TimestampMicrosecondArray::from(vec![t]).with_timezone("UTC")),
        ),
    ])
    .unwrap()
}

fn tables() -> BTreeMap<String, Vec<RecordBatch>> {
    BTreeMap::from([
        ("accounts".to_string(), vec![accounts()]),
        ("meetings".to_string(), vec![meetings()]),
        ("usage_events".to_string(), vec![usage_events()]),
    ])
}

fn lenient() -> LoadOptions {
    LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    }
}

#[test]
fn typed_columns_load_as_their_values() {
    let loaded = load_arrow_tables(&tables(), &lenient()).unwrap();
    let book = &loaded.book;
    let a = &book.accounts()[0];
    assert_eq!(a.seats, Some(202));
    assert_eq!(a.arr.amount.to_string(), "1200.50");
    assert_eq!(a.arr.currency.code(), "USD");
    assert_eq!(a.start_date.to_string(), "2024-01-01");
    assert_eq!(
        a.renewal_date.map(|d| d.to_string()).as_deref(),
        Some("2025-01-01")
    );
    assert_eq!(a.term_months, Some(12));
    let b = &book.accounts()[1];
    assert_eq!((b.seats, b.renewal_date, b.term_months), (None, None, None));
    assert_eq!(b.arr.to_string(), "0.99 EUR");
    // A fractional seat count is a problem of its table, row and column; the row is listed.
    let p = &loaded.report.problems;
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(
        (
            p[0].file.as_str(),
            p[0].row,
            p[0].field.as_deref(),
            p[0].kind
        ),
        ("accounts", Some(3), Some("seats"), ProblemKind::Malformed)
    );
    assert_eq!(&loaded.report.rejected[0].fields["seats"], "12.5");
    let m = book.meetings_of(0);
    assert_eq!(m[0].attendee_roles.len(), 2);
    assert!(m[1].attendee_roles.is_empty());
    let events: Vec<_> = book.usage().events(book.accounts()).collect();
    assert_eq!(
        events[0].timestamp.to_rfc3339(),
        "2024-05-01T09:00:00.001+00:00"
    );
    for (file, c) in &loaded.report.files {
        assert_eq!(c.read, c.loaded + c.rejected, "{file}");
    }
}

#[test]
fn arrow_tables_go_through_the_source_map() {
    let mut t = tables();
    let acc = t.remove("accounts").unwrap();
    t.insert("crm".into(), acc);
    let map = SourceMap::from_toml("[accounts]\nfiles = [\"crm\"]\n").unwrap();
    let loaded = load_arrow_tables(
        &t,
        &LoadOptions {
            source_map: Some(map),
            ..lenient()
        },
    )
    .unwrap();
    assert_eq!(loaded.book.accounts().len(), 2);
    assert!(loaded.report.files.contains_key("crm"));
}

#[test]
fn a_directory_of_parquet_files_loads_as_its_tables() {
    let dir = std::env::temp_dir().join(format!("csops-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, batches) in tables() {
        let file = std::fs::File::create(dir.join(format!("{name}.parquet"))).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batches[0].schema(), None).unwrap();
        for b in &batches {
            w.write(b).unwrap();
        }
        w.close().unwrap();
    }
    let from_parquet = load_csv_dir(&dir, &lenient()).unwrap();
    let from_arrow = load_arrow_tables(&tables(), &lenient()).unwrap();
    assert_eq!(
        write_csv_texts(&from_parquet.book).unwrap(),
        write_csv_texts(&from_arrow.book).unwrap()
    );
    let p = &from_parquet.report.problems[0];
    assert_eq!((p.file.as_str(), p.row), ("accounts.parquet", Some(3)));
    // A file that is not Parquet is a format error naming it.
    std::fs::write(dir.join("tickets.parquet"), b"not parquet").unwrap();
    let err = load_csv_dir(&dir, &lenient()).unwrap_err();
    assert!(err.to_string().contains("tickets.parquet"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_all_null_column_is_a_column_of_empty_cells() {
    // A frame column with no value at all has Arrow's Null type (polars, pyarrow).
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from(vec!["A1", "A2"])) as ArrayRef,
        ),
        ("name", Arc::new(StringArray::from(vec!["Acme", "Beta"]))),
        ("currency", Arc::new(StringArray::from(vec!["USD", "USD"]))),
        ("arr", Arc::new(Float64Array::from(vec![10.0, 20.0]))),
        (
            "start_date",
            Arc::new(StringArray::from(vec!["2024-01-01", "2024-01-01"])),
        ),
        ("segment", Arc::new(arrow_array::NullArray::new(2))),
    ])
    .unwrap();
    let tables = BTreeMap::from([("accounts".to_string(), vec![batch.clone()])]);
    let loaded = load_arrow_tables(&tables, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.book.accounts().len(), 2);
    assert_eq!(loaded.book.accounts()[0].segment, None);
    // A required column that is all null: each row reports its missing value.
    let no_names = RecordBatch::try_from_iter([
        ("id", Arc::new(StringArray::from(vec!["A1"])) as ArrayRef),
        ("name", Arc::new(arrow_array::NullArray::new(1))),
        ("currency", Arc::new(StringArray::from(vec!["USD"]))),
        ("arr", Arc::new(Float64Array::from(vec![10.0]))),
        (
            "start_date",
            Arc::new(StringArray::from(vec!["2024-01-01"])),
        ),
    ])
    .unwrap();
    let tables = BTreeMap::from([("accounts".to_string(), vec![no_names])]);
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        allow_empty: true,
        ..Default::default()
    };
    let loaded = load_arrow_tables(&tables, &opts).unwrap();
    let p = &loaded.report.problems[0];
    assert_eq!(
        (p.row, p.field.as_deref(), p.kind),
        (Some(1), Some("name"), ProblemKind::Missing)
    );
}
