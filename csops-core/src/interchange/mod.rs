//! Reading and writing books: a directory of CSV files, or one JSON document.
//!
//! CS data arrives as exports: a CRM report of accounts, a support-desk dump of tickets, a
//! telemetry extract of usage events. csops reads them as **one CSV file per record type** in a
//! directory (`accounts.csv`, `tickets.csv`, … — see [`FILES`] and `docs/schema.md`), or as
//! **one JSON document** whose top-level keys are the same names, each holding an array of
//! objects with the same columns. Every file except `accounts.csv` is optional.
//!
//! Loading validates everything (see [`crate::book`]) and reports each problem with its file,
//! line and column. Exports rarely use csops' column names, so a [`HeaderMap`] renames columns
//! on the way in ("Account ID" → `id`) without editing the file; columns that are neither known
//! nor mapped are reported, so no data disappears unnoticed (map a column to `""` to ignore it
//! on purpose, or to `attr.<name>` to keep it as a custom account attribute).
//!
//! **Threads.** Reading a file has two halves: reading each row into a record, and vetting the
//! record against the book built so far (ids, references, natural keys), which goes in file
//! order. With [`LoadOptions::threads`] above one (the default is every core), the first half
//! runs on a second thread a chunk of rows ahead of the second, so the two overlap; the book,
//! and its report problem for problem, are the same as with one thread.
//!
//! Writing produces the same layout, so a book round-trips: load → write → load gives the same
//! book.
//!
//! ```no_run
//! use csops_core::interchange::{load_csv_dir, LoadOptions};
//! use csops_core::book::LoadMode;
//!
//! let loaded = load_csv_dir("data/sample-book", &LoadOptions { mode: LoadMode::Lenient, ..Default::default() })?;
//! println!("{}", loaded.report.render());
//! println!("{} accounts", loaded.book.accounts().len());
//! # Ok::<(), csops_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::book::{Book, LoadMode, ValidationReport};
use crate::progress::ProgressHook;

#[cfg(feature = "arrow")]
pub mod arrow;
mod columns;
mod csv_file;
mod header_map;
mod json;
mod loader;
mod pipeline;
mod read;
mod rows;
mod schema;
mod shapes;
pub mod source_map;
mod tables;
mod tabular;
pub(crate) mod values;
mod write;

#[cfg(feature = "arrow")]
pub use arrow::load_arrow_tables;

pub use header_map::HeaderMap;
pub use json::{load_json, load_json_str, load_json_tables, with_json};
pub use loader::{load, load_csv_dir, load_csv_texts};
pub use schema::{ColumnDoc, ColumnType, FILES, FileDoc, schema_markdown};
pub use source_map::{
    ColumnSource, PeriodLength, RecordSource, RemovalWithoutAddition, RoleEvents, SourceMap,
    WideMetrics,
};
pub use values::parse_day;
pub use write::{write_csv_dir, write_csv_texts, write_json};

/// The version of the JSON document layout written by [`write_json`].
pub const SCHEMA_VERSION: u32 = 1;

/// Options for loading a book.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Strict (any problem fails) or lenient (load what is valid, report the rest).
    pub mode: LoadMode,
    /// Column renames for exports whose headers differ from csops' names (the simple case of
    /// a source map).
    pub header_map: HeaderMap,
    /// Which files hold which record type, and how their columns, values and shapes map onto
    /// csops' (see [`source_map`]).
    pub source_map: Option<SourceMap>,
    /// Accept a load that keeps no account. By default a load that reads account rows and
    /// keeps none fails: nothing else can be read without accounts. Set for loading a part of
    /// a book that may hold only rejected accounts (as `csops.spark` loads one account's
    /// records at a time).
    pub allow_empty: bool,
    /// Threads the load may use; `None` (the default) is every core the machine offers.
    /// With two or more, each file's rows are read into records on one thread while the book
    /// vets and keeps them on another (see the module's "Threads"); the book and its report
    /// are the same whatever the number. Zero is an error.
    pub threads: Option<usize>,
    /// Called as each file is read (bytes of a CSV file, rows of a table); answering stop
    /// ends the load with [`Error::Cancelled`] (see [`crate::progress`]).
    ///
    /// [`Error::Cancelled`]: crate::Error::Cancelled
    #[serde(skip)]
    pub progress: ProgressHook,
}

impl LoadOptions {
    /// The threads the load uses: [`LoadOptions::threads`], or every core the machine offers.
    pub fn threads(&self) -> crate::Result<usize> {
        match self.threads {
            Some(0) => Err(crate::Error::Config(vec![
                "threads must be at least 1 (or left out, for every core)".into(),
            ])),
            Some(n) => Ok(n),
            None => Ok(std::thread::available_parallelism().map_or(1, usize::from)),
        }
    }
}

/// Load options as a caller writes them (Python keyword arguments, a Node options object):
/// the maps may be objects, their text or their files' paths (the rule of
/// [`crate::options::Document`]). [`LoadSettings::options`] reads and validates them into
/// [`LoadOptions`]. The bindings read this type, so the two languages accept the same forms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadSettings {
    /// `strict` (the default) or `lenient`.
    pub mode: LoadMode,
    /// A header map: an object, TOML or JSON text, or a `.toml` / `.json` path.
    pub header_map: Option<crate::options::Document>,
    /// A source map: an object, TOML or JSON text, or a `.toml` / `.json` path.
    pub source_map: Option<crate::options::Document>,
    /// See [`LoadOptions::allow_empty`].
    pub allow_empty: bool,
    /// See [`LoadOptions::threads`] (default: every core).
    pub threads: Option<usize>,
}

impl LoadSettings {
    /// The load options: each map read and validated (its problems all at once, a missing file
    /// an [`Error::Io`](crate::Error::Io) naming it); no progress hook.
    pub fn options(&self) -> crate::Result<LoadOptions> {
        let header_map = match &self.header_map {
            Some(d) => d.read(HeaderMap::from_json, HeaderMap::from_toml)?,
            None => HeaderMap::default(),
        };
        let source_map = match &self.source_map {
            Some(d) => Some(d.read(SourceMap::from_json, SourceMap::from_toml)?),
            None => None,
        };
        Ok(LoadOptions {
            mode: self.mode,
            header_map,
            source_map,
            allow_empty: self.allow_empty,
            threads: self.threads,
            progress: ProgressHook::default(),
        })
    }
}

/// Options of adding records to a book (`book.with_records`, `book.withRecords`): the load
/// mode for the records given and the book they make.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WithRecordsSettings {
    /// `strict` (the default) or `lenient`.
    pub mode: LoadMode,
}

/// A loaded book and what validation found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The book: every valid record.
    pub book: Book,
    /// Every problem and every rejected row (empty when the input was clean).
    pub report: ValidationReport,
}
