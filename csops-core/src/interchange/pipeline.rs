//! Reading a file on one core while the book takes its rows on another.
//!
//! Loading a file has two halves. Reading each row into a record (splitting the CSV, reading
//! days, amounts and names) needs only the row. Vetting the record against the book being
//! built (duplicate ids, unknown accounts, natural keys) needs the book as it stands, so it
//! goes row after row in file order. With more than one thread ([`LoadOptions::threads`]), a
//! file's rows are read on a second thread and handed over in chunks, in order, so the two
//! halves overlap.
//!
//! What the reading half would have done to the book (count a row, report a problem, list a
//! rejected row, keep a record) it writes down as [`Step`]s in a [`Journal`], and the book
//! applies them in the order they were written. The report is therefore the same as with one
//! thread, problem for problem and row for row (a property test compares them); with one
//! thread the same journal is applied as it fills, on the calling thread.
//!
//! Progress is reported from the calling thread, after each chunk it applies: a hook that
//! crosses into another language (a Python callback that also watches for Ctrl-C) is called
//! where it would be without the second thread, and a stop ends the reading half too.
//!
//! [`LoadOptions::threads`]: super::LoadOptions::threads

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use crate::book::{Assembler, Position, Problem};
use crate::error::Result;
use crate::progress::{Flow, ProgressHook};

use super::rows::Table;

/// Rows written down before a chunk is handed over: large enough that handing over costs
/// nothing next to reading, small enough that a chunk stays in cache and memory stays flat.
const CHUNK_ROWS: usize = 4096;

/// Chunks the reading thread may run ahead of the book.
const QUEUE: usize = 8;

/// One thing the reading half does to the book, applied later in order by [`apply`].
pub(super) enum Step<T> {
    /// A row was read (counted against its file).
    Read,
    /// A problem with a row or a value.
    Problem(Problem),
    /// The first value of the file in a column without a header (reported once a file).
    Unheaded(Problem),
    /// A row is rejected: listed with its raw fields.
    Reject {
        /// Where the row is.
        pos: Position,
        /// The record's id, when it has one.
        id: Option<String>,
        /// The row's fields by header.
        fields: BTreeMap<String, String>,
    },
    /// A record read without a problem, on this row of the file, for the book to vet and keep.
    /// (The row alone: the file's name is shared by the reading thread only where it must be,
    /// as every clone of it would be counted on both threads.)
    Keep(u64, T),
}

/// What the reading half writes to: a problem, a rejected row. The [`Journal`] writes them
/// down; the [`Assembler`] (the sequential readers of the source map's shapes) does them.
pub(super) trait RowLog {
    /// Report a problem.
    fn problem(&mut self, p: Problem);
    /// List a rejected row.
    fn reject(&mut self, pos: &Position, id: Option<&str>, fields: BTreeMap<String, String>);
    /// Whether a value in a column without a header is still to be reported for `file` (once
    /// a file).
    fn wants_unheaded(&self, file: &str) -> bool;
    /// Report a value in a column without a header (see [`RowLog::wants_unheaded`]).
    fn unheaded(&mut self, p: Problem);
}

impl RowLog for Assembler {
    fn problem(&mut self, p: Problem) {
        self.report.problems.push(p);
    }
    fn reject(&mut self, pos: &Position, id: Option<&str>, fields: BTreeMap<String, String>) {
        Assembler::reject(self, pos, id, fields);
    }
    fn wants_unheaded(&self, file: &str) -> bool {
        !self.unheaded_reported.contains(file)
    }
    fn unheaded(&mut self, p: Problem) {
        if self.unheaded_reported.insert(p.file.clone()) {
            self.report.problems.push(p);
        }
    }
}

/// A chunk of steps, and the text arena the usage reader's steps point into.
pub(super) struct Chunk<T> {
    pub(super) steps: Vec<Step<T>>,
    pub(super) text: String,
}

/// The reading half's record of what to do to the book, handed over a chunk at a time.
pub(super) struct Journal<'e, T> {
    chunk: Chunk<T>,
    rows: usize,
    unheaded_done: bool,
    emit: &'e mut dyn FnMut(Chunk<T>),
}

impl<'e, T> Journal<'e, T> {
    fn new(unheaded_done: bool, emit: &'e mut dyn FnMut(Chunk<T>)) -> Self {
        Journal {
            chunk: Chunk {
                steps: Vec::with_capacity(CHUNK_ROWS + 16),
                text: String::new(),
            },
            rows: 0,
            unheaded_done,
            emit,
        }
    }
    /// A row was read.
    pub(super) fn read(&mut self) {
        self.chunk.steps.push(Step::Read);
    }
    /// Keep a record.
    pub(super) fn keep(&mut self, row: u64, rec: T) {
        self.chunk.steps.push(Step::Keep(row, rec));
    }
    /// The chunk's text arena (where the usage reader keeps an event's names).
    pub(super) fn text(&mut self) -> &mut String {
        &mut self.chunk.text
    }
    /// End of a row: hand the chunk over when it is full.
    pub(super) fn row_done(&mut self) {
        self.rows += 1;
        if self.rows >= CHUNK_ROWS {
            self.flush();
        }
    }
    fn flush(&mut self) {
        self.rows = 0;
        if self.chunk.steps.is_empty() {
            return;
        }
        let full = std::mem::replace(
            &mut self.chunk,
            Chunk {
                steps: Vec::with_capacity(CHUNK_ROWS + 16),
                text: String::new(),
            },
        );
        (self.emit)(full);
    }
}

impl<T> RowLog for Journal<'_, T> {
    fn problem(&mut self, p: Problem) {
        self.chunk.steps.push(Step::Problem(p));
    }
    fn reject(&mut self, pos: &Position, id: Option<&str>, fields: BTreeMap<String, String>) {
        self.chunk.steps.push(Step::Reject {
            pos: pos.clone(),
            id: id.map(str::to_string),
            fields,
        });
    }
    fn wants_unheaded(&self, _file: &str) -> bool {
        !self.unheaded_done
    }
    fn unheaded(&mut self, p: Problem) {
        if !self.unheaded_done {
            self.unheaded_done = true;
            self.chunk.steps.push(Step::Unheaded(p));
        }
    }
}

/// Read `table`'s rows with `read` and apply what it writes to the book, in order: `keep`
/// vets and stores each record (given the chunk's text). See [`run`] for the threads.
pub(super) fn read_into<T: Send>(
    asm: &mut Assembler,
    table: &mut dyn Table,
    file: &Arc<str>,
    threads: usize,
    progress: &ProgressHook,
    read: impl FnOnce(&mut dyn Table, &ProgressHook, &mut Journal<'_, T>) -> Result<()> + Send,
    mut keep: impl FnMut(&mut Assembler, Position, T, &str),
) -> Result<()> {
    let unheaded_done = !asm.wants_unheaded(file);
    run(table, threads, progress, unheaded_done, read, |chunk| {
        for step in chunk.steps {
            apply(asm, file, step, &chunk.text, &mut keep);
        }
    })
}

/// Apply one step to the book: `keep` vets and stores a record (with the chunk's text).
fn apply<T>(
    asm: &mut Assembler,
    file: &Arc<str>,
    step: Step<T>,
    text: &str,
    keep: &mut impl FnMut(&mut Assembler, Position, T, &str),
) {
    match step {
        Step::Read => asm.read(file),
        Step::Problem(p) => asm.report.problems.push(p),
        Step::Unheaded(p) => RowLog::unheaded(asm, p),
        Step::Reject { pos, id, fields } => asm.reject(&pos, id.as_deref(), fields),
        Step::Keep(row, rec) => {
            let pos = Position {
                file: file.clone(),
                row,
            };
            keep(asm, pos, rec, text);
        }
    }
}

/// A progress report written down by the reading thread, for the calling thread to pass on.
type Report = (String, u64, Option<u64>, String);

/// Read `table` with `read` (which writes to a [`Journal`]) and hand each chunk to `take`, in
/// order: on a second thread when `threads > 1`, else as the journal fills. Progress goes to
/// `progress` from the calling thread; its stop ends both halves with `Error::Cancelled`.
fn run<T: Send>(
    table: &mut dyn Table,
    threads: usize,
    progress: &ProgressHook,
    unheaded_done: bool,
    read: impl FnOnce(&mut dyn Table, &ProgressHook, &mut Journal<'_, T>) -> Result<()> + Send,
    mut take: impl FnMut(Chunk<T>),
) -> Result<()> {
    if threads <= 1 {
        let mut emit = |c: Chunk<T>| take(c);
        let mut j = Journal::new(unheaded_done, &mut emit);
        let result = read(table, progress, &mut j);
        j.flush();
        return result;
    }
    let cancelled = Arc::new(AtomicBool::new(false));
    let reports: Arc<Mutex<Vec<Report>>> = Arc::default();
    let hook = if progress.is_set() {
        let (cancelled, reports) = (cancelled.clone(), reports.clone());
        ProgressHook::new(move |p| {
            if cancelled.load(Ordering::Relaxed) {
                return Flow::Stop;
            }
            reports.lock().unwrap_or_else(|e| e.into_inner()).push((
                p.stage.to_string(),
                p.done,
                p.total,
                p.unit.to_string(),
            ));
            Flow::Continue
        })
    } else {
        ProgressHook::none()
    };
    let pass_on = || -> Result<()> {
        let pending = std::mem::take(&mut *reports.lock().unwrap_or_else(|e| e.into_inner()));
        for (stage, done, total, unit) in pending {
            progress.report(&stage, done, total, &unit)?;
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Chunk<T>>(QUEUE);
        let reader = scope.spawn(move || {
            // A chunk the book no longer takes (it stopped) is dropped; the reading ends at
            // its next progress report.
            let mut emit = |c: Chunk<T>| drop(tx.send(c));
            let mut j = Journal::new(unheaded_done, &mut emit);
            let result = read(table, &hook, &mut j);
            j.flush();
            result
        });
        let mut stopped = Ok(());
        for chunk in &rx {
            take(chunk);
            if let Err(e) = pass_on() {
                cancelled.store(true, Ordering::Relaxed);
                stopped = Err(e);
                break;
            }
        }
        drop(rx);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        stopped?;
        pass_on()?;
        read
    })
}
