//! The `Book` and `FeatureFrame` classes, the loaders, and their async tasks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use csops_core::book::LoadMode;
use csops_core::features::{FeatureConfig, features_as_of};
use std::collections::{BTreeMap, HashMap};

use csops_core::interchange::{self, LoadOptions as CoreLoadOptions, LoadSettings, Loaded};
use napi::bindgen_prelude::{
    AsyncTask, ClassInstance, Float64Array, FromNapiValue, JavaScriptClassExt, JsObjectValue, This,
    ToNapiValue, Unknown,
};
use napi::{Env, Property, PropertyAttributes, Task};
use napi_derive::napi;

use crate::args::{self, napi_failure, require_object, type_name};
use crate::error::{Failure, guard, invalid, js, no_constructor};
use crate::records;
use crate::results::{Js, to_js, validation_report};

/// What `withRecordsAsync` adds: the book, the records as JSON text, and the mode.
type WithRecordsInput = (Arc<Loaded>, String, LoadMode);

/// Adds records to a book on a worker thread (`book.withRecordsAsync`).
#[derive(Debug)]
pub struct WithRecordsTask {
    input: Option<Result<WithRecordsInput, Failure>>,
}

/// Load a book from `path`: a directory of CSV files or a `.json` document.
fn load_path(path: &Path, opts: &CoreLoadOptions) -> Result<Loaded, Failure> {
    guard(|| interchange::load(path, opts))
}

// The task types come before the functions returning them: the TypeScript generator reads
// a task's output type (`Promise<Book>`) from its `impl Task`, in source order.

/// What `loadBookAsync` loads: a path and options.
type LoadInput = (PathBuf, CoreLoadOptions);

/// Loads a book on a worker thread (`loadBookAsync`).
#[derive(Debug)]
pub struct LoadTask {
    input: Option<Result<LoadInput, Failure>>,
}

#[napi]
impl Task for LoadTask {
    type Output = Result<Loaded, Failure>;
    type JsValue = Book;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok((path, opts))) => load_path(&path, &opts),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the load task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Book> {
        output.map(Book::new).map_err(|f| f.into_js(&env))
    }
}

/// What `featuresAsOfAsync` derives from: the book, the day and the configuration.
type FeaturesInput = (Arc<Loaded>, NaiveDate, FeatureConfig);

#[napi]
impl Task for WithRecordsTask {
    type Output = Result<Loaded, Failure>;
    type JsValue = Book;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok((loaded, text, mode))) => records::with_records(&loaded, &text, mode),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the records task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Book> {
        output.map(Book::new).map_err(|f| f.into_js(&env))
    }
}

/// Derives features on a worker thread (`book.featuresAsOfAsync`); shares the book through
/// an `Arc`.
#[derive(Debug)]
pub struct FeaturesTask {
    input: Option<Result<FeaturesInput, Failure>>,
}

#[napi]
impl Task for FeaturesTask {
    type Output = Result<FeatureFrame, Failure>;
    type JsValue = FeatureFrame;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok((loaded, as_of, cfg))) => compute_features(&loaded, as_of, &cfg),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the features task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<FeatureFrame> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// Load a book from a directory of CSV files (`accounts.csv` required; see the schema
/// reference) or from a `.json` book document.
///
/// Strict mode (the default) throws a `CSOPS_VALIDATION` error listing every problem; lenient
/// mode loads the valid rows and lists the rest in `book.report`. Throws `CSOPS_IO` when the
/// path cannot be read, `CSOPS_FORMAT` for malformed CSV or JSON, `CSOPS_CONFIG` for a bad
/// header map.
#[napi(ts_args_type = "path: string, options?: LoadOptions | null")]
pub fn load_book(env: Env, path: Unknown, options: Option<Unknown>) -> napi::Result<Book> {
    js(&env, || {
        let path = PathBuf::from(args::string("path", path)?);
        let opts = load_options(&env, options)?;
        load_path(&path, &opts).map(Book::new)
    })
}

/// `loadBook` off the event loop: the files are read and validated on a worker thread. Every
/// error (including a bad argument) rejects the promise; nothing is thrown synchronously.
#[napi(ts_args_type = "path: string, options?: LoadOptions | null")]
pub fn load_book_async(env: Env, path: Unknown, options: Option<Unknown>) -> AsyncTask<LoadTask> {
    let input = args::string("path", path).and_then(|path| {
        let opts = load_options_async(&env, options)?;
        Ok((PathBuf::from(path), opts))
    });
    AsyncTask::new(LoadTask { input: Some(input) })
}

/// Load a book from the text of a JSON book document (`{"schema_version": 1, "accounts":
/// [...], ...}`). Throws `CSOPS_FORMAT` when the text is not such a document.
#[napi(ts_args_type = "text: string, options?: LoadOptions | null")]
pub fn load_book_json(env: Env, text: Unknown, options: Option<Unknown>) -> napi::Result<Book> {
    js(&env, || {
        let text = args::string("text", text)?;
        let opts = load_options(&env, options)?;
        guard(|| interchange::load_json_str(&text, &opts)).map(Book::new)
    })
}

/// A synthetic book: accounts, contacts, usage, tickets, surveys, meetings, milestones,
/// opportunities, ARR snapshots and renewal outcomes, generated from a seed (the same options
/// always give the same book). The options are the core's `SynthConfig`, each optional (seed
/// 42, 300 accounts from 2024-10-01 over 8 quarters, ...); an out-of-range value is a
/// `CSOPS_CONFIG` error naming it, an unknown key `CSOPS_INVALID_ARGUMENT`.
#[napi(ts_args_type = "options?: SynthOptions | null")]
pub fn generate_book(env: Env, options: Option<Unknown>) -> napi::Result<Book> {
    js(&env, || {
        let (cfg, _) = crate::options::read(&env, "options", options, &[])?;
        guard(|| csops_core::synth::book(&cfg)).map(Book::new)
    })
}

/// Load a book from CSV texts keyed by file stem (`{ accounts: '<csv text>', tickets: '<csv
/// text>' }`). A key that is not a file of the book layout is a `CSOPS_FORMAT` error.
#[napi(ts_args_type = "texts: Record<string, string>, options?: LoadOptions | null")]
pub fn load_book_csv(env: Env, texts: Unknown, options: Option<Unknown>) -> napi::Result<Book> {
    js(&env, || {
        let texts = csv_texts(&env, texts)?;
        let opts = load_options(&env, options)?;
        guard(|| interchange::load_csv_texts(&texts, &opts)).map(Book::new)
    })
}

/// Load a book from tables keyed by record type (or, with a source map, file name): each an
/// array of row objects (`[{ id: 'A1', seats: 202 }, ...]`) or an object of column arrays
/// (`{ id: ['A1', ...], seats: Float64Array.of(202, NaN) }`; `NaN`, `null` and `undefined`
/// are empty cells, a `Date` its UTC instant). Cells are read as a CSV's text is, with the same
/// validation, source map and report; problems name the table, its 1-based row and column.
#[napi(
    ts_args_type = "tables: Record<string, Array<Record<string, string | number | boolean | Date | null | undefined>> | Record<string, ArrayLike<string | number | boolean | Date | null | undefined>>>, options?: LoadOptions | null"
)]
pub fn load_book_tables(env: Env, tables: Unknown, options: Option<Unknown>) -> napi::Result<Book> {
    js(&env, || {
        let text = records::json_text(
            &env,
            "tables",
            "an object of tables { accounts: [...rows] or { column: [...values] }, ... }",
            tables,
        )?;
        let opts = load_options(&env, options)?;
        guard(|| interchange::load_json_tables(&text, &opts)).map(Book::new)
    })
}

/// The default feature configuration, with every key (snake_case, as in configuration files).
#[napi(ts_return_type = "Required<FeatureConfig>")]
pub fn default_feature_config(env: Env) -> napi::Result<Js> {
    js(&env, || to_js(&FeatureConfig::default()))
}

/// A validated book of business: every valid record of every account, and the report of what
/// validation found. Immutable; made by the `loadBook*` functions.
#[napi]
#[derive(Debug)]
pub struct Book {
    inner: Arc<Loaded>,
}

impl Book {
    fn new(loaded: Loaded) -> Self {
        Book {
            inner: Arc::new(loaded),
        }
    }

    /// The loaded book, shared (a back-test reads it on a worker thread without copying it).
    pub(crate) fn shared(&self) -> Arc<Loaded> {
        Arc::clone(&self.inner)
    }
}

#[napi]
impl Book {
    /// Not callable: a book is made by `loadBook`, `loadBookAsync`, `loadBookJson`,
    /// `loadBookCsv` or `book.withRecords`.
    #[napi(constructor, ts_args_type = "notCallable: never")]
    pub fn no_constructor(env: Env) -> napi::Result<Book> {
        no_constructor(
            &env,
            "Book",
            "load one with loadBook, loadBookAsync, loadBookJson or loadBookCsv",
        )
    }

    /// What validation found: every problem, every rejected row with its raw fields, row
    /// counts per file. Empty of problems for a clean load. Built on first access and kept on
    /// the book (as a read-only property of this object), so a loop over
    /// `book.report.problems[i]` costs one build, not one per step.
    #[napi(getter, ts_return_type = "ValidationReport & ReportVerdict")]
    pub fn report<'env>(
        &self,
        env: &'env Env,
        mut this: This<'env>,
    ) -> napi::Result<Unknown<'env>> {
        let report = js(env, || validation_report(&self.inner.report))?;
        // SAFETY: napi's own conversion of the report, in this call's env and thread; the raw
        // value it returns is a live value of that env.
        let raw = unsafe { ToNapiValue::to_napi_value(env.raw(), report) }?;
        let value = unsafe { Unknown::from_raw_unchecked(env.raw(), raw) };
        this.define_properties(&[Property::new()
            .with_utf8_name("report")?
            .with_value(&value)
            .with_property_attributes(PropertyAttributes::Default)])?;
        Ok(value)
    }

    /// How many records of each type the book holds.
    #[napi(ts_return_type = "BookCounts")]
    pub fn counts(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(&self.inner.book.counts()))
    }

    /// The book in one line, as the core writes it (`Book(300 accounts, 1364 contacts, ...)`;
    /// Python's `repr` shows the same counts).
    #[napi(js_name = "toString")]
    pub fn text(&self) -> String {
        format!("Book({})", self.inner.book.counts().summary())
    }

    /// The account ids, in input order.
    #[napi]
    pub fn account_ids(&self, env: Env) -> napi::Result<Vec<String>> {
        js(&env, || {
            guard(|| {
                Ok(self
                    .inner
                    .book
                    .accounts()
                    .iter()
                    .map(|a| a.id.clone())
                    .collect())
            })
        })
    }

    /// Every account, in input order, as a plain object (money as decimal strings, dates as
    /// `YYYY-MM-DD`).
    #[napi(ts_return_type = "Array<Account>")]
    pub fn accounts(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(self.inner.book.accounts()))
    }

    /// Every contact, as a plain object, account by account (in the accounts' order), each
    /// account's in input order.
    #[napi(ts_return_type = "Array<Contact>")]
    pub fn contacts(&self, env: Env) -> napi::Result<Js> {
        js(&env, || {
            let book = &self.inner.book;
            let contacts: Vec<_> = (0..book.accounts().len())
                .flat_map(|a| book.contacts_of(a))
                .collect();
            to_js(&contacts)
        })
    }

    /// The latest date of any record (`YYYY-MM-DD`), the natural "as of" for current
    /// features; `null` for a book without dated records.
    #[napi]
    pub fn latest_date(&self, env: Env) -> napi::Result<Option<String>> {
        js(&env, || {
            guard(|| Ok(self.inner.book.latest_date().map(|d| d.to_string())))
        })
    }

    /// Derive every feature for every account as of a day (inclusive): only records dated on
    /// or before it are seen. `asOf` is `YYYY-MM-DD` or a `Date` (its UTC day). `config`
    /// (optional) is a `FeatureConfig` object with snake_case keys, or its JSON or TOML text;
    /// an invalid one is a `CSOPS_CONFIG` error listing every problem.
    #[napi(ts_args_type = "asOf: string | Date, config?: FeatureConfig | string | null")]
    pub fn features_as_of(
        &self,
        env: Env,
        as_of: Unknown,
        config: Option<Unknown>,
    ) -> napi::Result<FeatureFrame> {
        js(&env, || {
            let as_of = args::date("asOf", as_of)?;
            let cfg = crate::options::feature_config(&env, config)?;
            compute_features(&self.inner, as_of, &cfg)
        })
    }

    /// `featuresAsOf` on a worker thread. Every error (including a bad argument) rejects the
    /// promise; nothing is thrown synchronously. `options.onProgress` is called with the
    /// call's progress; aborting `options.signal` stops it (a `CSOPS_CANCELLED` `AbortError`).
    #[napi(
        ts_args_type = "asOf: string | Date, config?: FeatureConfig | string | null, options?: AsyncOptions | null"
    )]
    pub fn features_as_of_async(
        &self,
        env: Env,
        as_of: Unknown,
        config: Option<Unknown>,
        options: Option<Unknown>,
    ) -> AsyncTask<FeaturesTask> {
        let input = args::date("asOf", as_of).and_then(|as_of| {
            let mut cfg = crate::options::feature_config(&env, config)?;
            let (rest, hook) = crate::progress::take(&env, "options", options, true)?;
            if let Some(rest) = rest {
                let keys =
                    args::entries(&env, "options", rest, "an object { onProgress, signal }")?;
                if let Some((k, _)) = keys.first() {
                    return Err(invalid(format!(
                        "`options` has an unknown key `{k}`; expected onProgress or signal"
                    )));
                }
            }
            cfg.progress = hook;
            Ok((Arc::clone(&self.inner), as_of, cfg))
        });
        AsyncTask::new(FeaturesTask { input: Some(input) })
    }

    /// This book with more records — what a CRM webhook or a nightly delta brings — as a new
    /// `Book` (this one is not changed). `records` are in the JSON interchange layout (the
    /// same arrays as a JSON book document, every key optional), as an object or its JSON
    /// text. A record that restates one the book has replaces it (the newer state wins):
    /// accounts, contacts, tickets, surveys, meetings, milestones, opportunities and renewal
    /// outcomes by `id`; a contact-role spell by contact, role and `added` day (so a spell
    /// sent again with `removed` set ends it); ARR snapshots by account and day; usage
    /// snapshots by account, metric and period. Anything else is added; `fx_rates` replace
    /// the book's.
    ///
    /// Every record is read and checked as loading reads a JSON document (references resolve
    /// against the book), then the whole book is validated again. Strict mode (the default)
    /// throws a `CSOPS_VALIDATION` error listing every problem, each with its place
    /// (`records#contact_roles`, row 1 for the first spell given); lenient mode takes the
    /// valid records and lists the rest in the new book's `report`. Text that is not a JSON
    /// object of known arrays is a `CSOPS_FORMAT` error.
    #[napi(ts_args_type = "records: RecordsJson | string, options?: WithRecordsOptions | null")]
    pub fn with_records(
        &self,
        env: Env,
        records: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Book> {
        js(&env, || {
            let text = records::records_text(&env, records)?;
            let mode = records::with_records_options(&env, options)?;
            records::with_records(&self.inner, &text, mode).map(Book::new)
        })
    }

    /// `withRecords` on a worker thread (the records are written as JSON on the calling
    /// thread, read and validated off the event loop). Every error (including a bad argument)
    /// rejects the promise; nothing is thrown synchronously.
    #[napi(ts_args_type = "records: RecordsJson | string, options?: WithRecordsOptions | null")]
    pub fn with_records_async(
        &self,
        env: Env,
        records: Unknown,
        options: Option<Unknown>,
    ) -> AsyncTask<WithRecordsTask> {
        let input = records::records_text(&env, records).and_then(|text| {
            let mode = records::with_records_options(&env, options)?;
            Ok((Arc::clone(&self.inner), text, mode))
        });
        AsyncTask::new(WithRecordsTask { input: Some(input) })
    }

    /// Write the book as a directory of CSV files (created if needed); returns the paths
    /// written. Loading that directory gives the same book back.
    #[napi(ts_args_type = "dir: string")]
    pub fn write_csv(&self, env: Env, dir: Unknown) -> napi::Result<Vec<String>> {
        js(&env, || {
            let dir = PathBuf::from(args::string("dir", dir)?);
            let written = guard(|| interchange::write_csv_dir(&self.inner.book, &dir))?;
            Ok(written
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect())
        })
    }

    /// The book as one JSON document (`schema_version` 1; amounts as decimal strings);
    /// `loadBookJson` reads it back.
    #[napi]
    pub fn to_json(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| interchange::write_json(&self.inner.book)))
    }

    /// The report as readable text: counts per file, then every problem.
    #[napi]
    pub fn render_report(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| Ok(self.inner.report.render())))
    }
}

fn compute_features(
    loaded: &Loaded,
    as_of: NaiveDate,
    cfg: &FeatureConfig,
) -> Result<FeatureFrame, Failure> {
    guard(|| features_as_of(&loaded.book, as_of, cfg)).map(|frame| FeatureFrame {
        frame: Arc::new(frame),
    })
}

/// Features of every account as of one day: account ids (rows) and one numeric column per
/// feature, `NaN` where a value is missing.
#[napi]
#[derive(Debug)]
pub struct FeatureFrame {
    frame: Arc<csops_core::features::FeatureFrame>,
}

impl FeatureFrame {
    /// The core frame, shared (scoring reads it on a worker thread without copying it).
    pub(crate) fn shared(&self) -> Arc<csops_core::features::FeatureFrame> {
        Arc::clone(&self.frame)
    }
}

#[napi]
impl FeatureFrame {
    /// Not callable: a frame is made by `book.featuresAsOf` and `book.featuresAsOfAsync`.
    #[napi(constructor, ts_args_type = "notCallable: never")]
    pub fn no_constructor(env: Env) -> napi::Result<FeatureFrame> {
        no_constructor(
            &env,
            "FeatureFrame",
            "derive one with book.featuresAsOf or book.featuresAsOfAsync (a scorecard scores \
             plain columns { accountIds, columns } as well)",
        )
    }

    /// The frame in one line, as the core writes it (`FeatureFrame(as of 2026-09-30: 300
    /// accounts × 24 features)`).
    #[napi(js_name = "toString")]
    pub fn text(&self) -> String {
        format!("FeatureFrame({})", self.frame.headline())
    }

    /// The frame as data: `asOf`, `accountIds`, `columns` (`{ name, values }`, `null` where
    /// a value is missing) and `missingNotes` (why a value is stale or blank), the core's serde
    /// form; `JSON.stringify` of the frame gives it.
    #[napi(ts_return_type = "FeatureFrameJson")]
    pub fn to_json(&self, env: Env) -> napi::Result<crate::results::Js> {
        js(&env, || crate::results::to_js(self.frame.as_ref()))
    }

    /// The as-of day, `YYYY-MM-DD`.
    #[napi(getter)]
    pub fn as_of(&self) -> String {
        self.frame.as_of.to_string()
    }

    /// Account ids, one per row.
    #[napi(getter)]
    pub fn account_ids(&self) -> Vec<String> {
        self.frame.account_ids.clone()
    }

    /// Feature column names, in order.
    #[napi(getter)]
    pub fn columns(&self) -> Vec<String> {
        self.frame.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Values missing for a reason worth telling: stale (older than their maximum age) or
    /// blank in the export for their latest period. Other missing values had no data at all.
    #[napi(getter, ts_return_type = "Array<MissingNote>")]
    pub fn missing_notes(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(&self.frame.missing_notes))
    }

    /// Number of rows (accounts).
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        u32::try_from(self.frame.len()).unwrap_or(u32::MAX)
    }

    /// One feature column, aligned with `accountIds`; `NaN` where missing. An unknown name is a
    /// `CSOPS_INVALID_ARGUMENT` error.
    #[napi(ts_args_type = "name: string")]
    pub fn column(&self, env: Env, name: Unknown) -> napi::Result<Float64Array> {
        js(&env, || {
            let name = args::string("name", name)?;
            match self.frame.column(&name) {
                Some(c) => Ok(Float64Array::new(c.values.clone())),
                None => Err(invalid(format!(
                    "no feature column `{name}`; columns: {}",
                    self.columns().join(", ")
                ))),
            }
        })
    }

    /// The value of a feature for an account; `null` when missing, or when the account or
    /// feature is not in the frame.
    #[napi(ts_args_type = "accountId: string, feature: string")]
    pub fn value(
        &self,
        env: Env,
        account_id: Unknown,
        feature: Unknown,
    ) -> napi::Result<Option<f64>> {
        js(&env, || {
            let account_id = args::string("accountId", account_id)?;
            let feature = args::string("feature", feature)?;
            guard(|| Ok(self.frame.value(&account_id, &feature)))
        })
    }

    /// Summary statistics of every column (present and missing counts, mean, min, median,
    /// max over present values).
    #[napi(ts_return_type = "Array<ColumnSummary>")]
    pub fn summary(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(&guard(|| Ok(self.frame.summary()))?))
    }

    /// The summary as a text table.
    #[napi]
    pub fn render_summary(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| Ok(self.frame.render_summary())))
    }
}

// ---------------------------------------------------------------------------------------------
// Load options, and the book argument.
// ---------------------------------------------------------------------------------------------

/// Options of `loadBook`, `loadBookAsync`, `loadBookJson` and `loadBookCsv`. An unknown key is
/// a `CSOPS_INVALID_ARGUMENT` error (so a misspelt option is never silently ignored).
/// Declared for TypeScript only: the options are read by the core (`LoadSettings`), so both
/// languages accept the same forms (a map as an object, its TOML or JSON text, or the path of
/// a `.toml` / `.json` file).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct LoadOptions {
    /// `'strict'` (the default): any problem fails the load with a `CSOPS_VALIDATION` error
    /// listing every problem. `'lenient'`: valid rows load, and `book.report` lists the
    /// problems and the rejected rows.
    #[napi(ts_type = "'strict' | 'lenient'")]
    pub mode: Option<String>,
    /// Column renames for exports whose headers differ from csops' names: file stem (or
    /// `'*'`) → export header → csops column (`''` ignores a column, `'attr.<name>'` keeps it
    /// as an account attribute). Either that object, or the same map as TOML text
    /// (`[accounts]` then `"Account ID" = "id"` on the next line), or the path of a `.toml` or
    /// `.json` file. Bad targets are a `CSOPS_CONFIG` error.
    #[napi(ts_type = "Record<string, Record<string, string>> | string")]
    pub header_map: Option<String>,
    /// Threads the load may use (default: every core). With two or more, rows are read on
    /// one thread while the book vets them on another; the book and its report are the same.
    pub threads: Option<u32>,
    /// Async variants only: called with the load's progress (`{ stage, done, total, unit }`).
    #[napi(ts_type = "(progress: ProgressEvent) => void")]
    pub on_progress: Option<String>,
    /// Async variants only: aborting it stops the load (a `CSOPS_CANCELLED` `AbortError`).
    #[napi(
        ts_type = "{ readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void }"
    )]
    pub signal: Option<String>,
    /// Which of a team's own export files holds which record type, and how their columns,
    /// values and shapes map onto csops' (`docs/importing.md`): the source map as an object
    /// (the same keys as its TOML form: `{ accounts: { files: ['crm.csv'], columns: {...} } }`)
    /// or as TOML text, or the path of a `.toml` or `.json` file. Every problem in it is one
    /// `CSOPS_CONFIG` error.
    #[napi(
        ts_type = "{ missing_values?: string[] } & { [recordType: string]: string[] | { files?: string[]; ignore?: string[]; columns?: Record<string, string | SourceColumn>; wide?: { metrics?: Record<string, string>; period?: 'week' | 'month' | 'quarter' | 'year' }; events?: { action?: string | SourceColumn; date?: string | SourceColumn; added?: string[]; removed?: string[]; removal_without_addition?: 'account_start' | 'reject' } } } | string"
    )]
    pub source_map: Option<String>,
}

/// Where one column of a source map comes from (the table form; a string is a header).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct SourceColumn {
    /// The export's header.
    pub from: Option<String>,
    /// A constant for an empty cell or an absent column.
    #[napi(ts_type = "string | number | boolean")]
    pub default: Option<String>,
    /// A multiplier, applied exactly in decimal.
    pub scale: Option<f64>,
    /// A date or timestamp format, in strftime notation.
    pub format: Option<String>,
    /// The export's words → csops' values.
    pub values: Option<HashMap<String, String>>,
    /// `id` only: the key columns it is derived from.
    pub derive: Option<Vec<String>>,
}

/// Load options (`undefined` or `null`: the defaults) of a synchronous call (`onProgress`
/// and `signal` are an error there).
pub(crate) fn load_options(env: &Env, v: Option<Unknown>) -> Result<CoreLoadOptions, Failure> {
    let (v, _) = crate::progress::take(env, "options", v, false)?;
    read_load_options(env, v)
}

/// Load options of an async call: with `onProgress` and `signal` as its progress hook.
pub(crate) fn load_options_async(
    env: &Env,
    v: Option<Unknown>,
) -> Result<CoreLoadOptions, Failure> {
    let (v, hook) = crate::progress::take(env, "options", v, true)?;
    let mut opts = read_load_options(env, v)?;
    opts.progress = hook;
    Ok(opts)
}

fn read_load_options(env: &Env, v: Option<Unknown>) -> Result<CoreLoadOptions, Failure> {
    let (settings, _): (LoadSettings, _) = crate::options::read(env, "options", v, &[])?;
    guard(|| settings.options())
}

/// CSV texts keyed by file stem.
pub(crate) fn csv_texts(env: &Env, v: Unknown) -> Result<BTreeMap<String, String>, Failure> {
    require_object(
        "texts",
        &v,
        "an object of CSV texts keyed by file stem, such as { accounts: '...' }",
    )?;
    env.from_js_value(v).map_err(|e| napi_failure("texts", e))
}

/// A `Book` argument (shared, not copied).
pub(crate) fn book(env: &Env, v: Unknown) -> Result<Arc<csops_core::interchange::Loaded>, Failure> {
    if crate::book::Book::instance_of(env, &v).unwrap_or(false) {
        let book = ClassInstance::<crate::book::Book>::from_unknown(v)
            .map_err(|e| napi_failure("book", e))?;
        return Ok(book.shared());
    }
    Err(invalid(format!(
        "`book` must be a Book (from loadBook), got {}",
        type_name(&v)
    )))
}

/// The day given, or the book's latest date (a `CSOPS_CONFIG` error for a book without
/// dated records).
pub(crate) fn day_or_latest(
    loaded: &csops_core::interchange::Loaded,
    day: Option<NaiveDate>,
) -> Result<NaiveDate, Failure> {
    match day {
        Some(d) => Ok(d),
        None => loaded.book.latest_date().ok_or_else(|| {
            Failure::Core(csops_core::Error::Config(vec![
                "the book has no dated records; give `asOf`".into(),
            ]))
        }),
    }
}
