//! Records as data: `book.withRecords` — the book with records a CRM webhook or a nightly
//! delta brings.
//!
//! Records are read by the core's JSON loader, as `loadBookJson` reads a document (every value
//! checked, every problem with its place), never converted here. Their TypeScript types
//! (`RecordsJson`, `AccountJson`, ...) are generated from the core's schema catalogue
//! (`csops_core::typescript`), like every other shape of the package.

use csops_core::book::LoadMode;
use csops_core::interchange::WithRecordsSettings;
use csops_core::interchange::{self, Loaded};
use napi::bindgen_prelude::Unknown;
use napi::{Env, ValueType};
use napi_derive::napi;

use crate::args;
use crate::error::{Failure, guard, invalid};

/// Options of `book.withRecords` and `book.withRecordsAsync`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct WithRecordsOptions {
    /// `'strict'` (the default): any problem — in a record given, or in the book they make —
    /// fails with a `CSOPS_VALIDATION` error listing every problem. `'lenient'`: the valid
    /// records are taken and the new book's `report` lists the rest.
    #[napi(ts_type = "'strict' | 'lenient'")]
    pub mode: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Reading the arguments.
// ---------------------------------------------------------------------------------------------

/// The `records` argument as JSON text: a string as given, an object as `JSON.stringify` writes
/// it (a `Date` becomes its ISO timestamp, which a date column reads as its UTC day).
pub(crate) fn records_text(env: &Env, v: Unknown) -> Result<String, Failure> {
    json_text(
        env,
        "records",
        "records in the JSON interchange layout { contact_roles: [...], tickets: [...], ... } \
         or their JSON text",
        v,
    )
}

/// An object argument as JSON text (a string is taken as the text itself), as `JSON.stringify`
/// writes it; `name` and `expected` are for messages.
pub(crate) fn json_text(
    env: &Env,
    name: &str,
    expected: &str,
    v: Unknown,
) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        return args::string(name, v);
    }
    args::require_object(name, &v, expected)?;
    let text = args::global(env, "JSON", "stringify")?
        .call(v)
        .map_err(|e| invalid(format!("`{name}` cannot be written as JSON: {}", e.reason)))?;
    args::string(name, text)
}

/// `withRecords` options: the core's `WithRecordsSettings` (the load mode).
pub(crate) fn with_records_options(env: &Env, v: Option<Unknown>) -> Result<LoadMode, Failure> {
    let (settings, _): (WithRecordsSettings, _) = crate::options::read(env, "options", v, &[])?;
    Ok(settings.mode)
}

// ---------------------------------------------------------------------------------------------
// Adding records.
// ---------------------------------------------------------------------------------------------

/// `loaded.book` with the records of the JSON document `text`: the core's
/// `interchange::with_json` (records read as loading reads them, problems named
/// `records#<type>`, then `Book::with_records`).
pub(crate) fn with_records(loaded: &Loaded, text: &str, mode: LoadMode) -> Result<Loaded, Failure> {
    guard(|| interchange::with_json(&loaded.book, text, mode))
}
