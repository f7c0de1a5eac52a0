//! Reading a CSV file: every row with its exact line number, whatever the line endings, and
//! the rows a careless export breaks reported instead of silently reshaped.
//!
//! Exports from Windows tools end lines with CRLF, old Mac tools with CR alone; all three
//! endings (and mixtures) number rows alike: a row's number is the line of the file it starts
//! on, the header being line 1. A row with fewer or more fields than the header is rejected
//! with both counts (it is never padded with empty fields or cut). A quoted field that is
//! never closed would make the rest of the file one value: that row is rejected, naming the
//! line the quote opens on, and reading goes on from the next line, so the rows after it
//! still load.
//!
//! The values themselves are read by the `csv` crate. Next to it, a scan of the bytes as they
//! stream past (memchr for `"`, CR and LF) keeps the line count and whether a quote is open at
//! the end of the file, which the `csv` crate does not report.

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::rows::{Fields, RowFault, Table};
use crate::error::{Error, Result};
use crate::progress::{EVERY, ProgressHook};

/// Where a CSV table's bytes come from; a reader can start at any byte (to resume after an
/// open quote).
#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Bytes(Arc<[u8]>),
}

impl Source {
    fn open_at(&self, offset: u64) -> Result<Box<dyn Read + Send>> {
        match self {
            Source::File(path) => {
                use std::io::{Seek, SeekFrom};
                let io = |source| Error::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = std::fs::File::open(path).map_err(io)?;
                file.seek(SeekFrom::Start(offset)).map_err(io)?;
                Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
            }
            Source::Bytes(bytes) => {
                let mut c = std::io::Cursor::new(bytes.clone());
                c.set_position(offset);
                Ok(Box::new(c))
            }
        }
    }
}

/// The bytes on their way to the `csv` reader, with the line starts and quote state seen so
/// far.
struct Tracked {
    inner: Box<dyn Read + Send>,
    /// The file offset of the first byte of `inner` (row positions count from it).
    base: u64,
    /// Absolute offset of the next byte.
    at: u64,
    /// Line starts (absolute offsets) not yet taken by [`Tracked::line_of`], each with the
    /// length of the line break before it (2 for CRLF) and that break's last byte.
    starts: VecDeque<(u64, u8, u8)>,
    /// Lines that start at or before the last row taken (its line number).
    line: u64,
    /// The byte before `at` (for a CRLF split across reads, and whether a `"` opens a field).
    prev: Option<u8>,
    /// The offset of the `"` that opened the quoted field we are in, if any.
    open_quote: Option<u64>,
    /// A `"` just closed a quoted field at this offset (a `"` right after it is an escaped
    /// quote: the field is open again).
    closed_at: Option<u64>,
    /// A quote closed at the last byte of the previous read: the next byte is checked.
    check_first: bool,
    /// Offsets of text right after a closing quote (`"rep"orts`), which the csv reader would
    /// join into the value (`reports`): the rows holding them are rejected.
    after_quote: VecDeque<u64>,
    /// The end of the bytes was reached.
    eof: bool,
}

impl Tracked {
    /// `inner` starts at `offset` of the file, which is the start of line `line`, after the
    /// line-break byte `after` (None at the file's start).
    fn new(inner: Box<dyn Read + Send>, offset: u64, line: u64, after: Option<u8>) -> Self {
        Tracked {
            inner,
            base: offset,
            at: offset,
            starts: VecDeque::new(),
            line: line.saturating_sub(1),
            prev: after,
            open_quote: None,
            closed_at: None,
            check_first: false,
            after_quote: VecDeque::new(),
            eof: false,
        }
    }

    fn scan(&mut self, buf: &[u8]) {
        let base = self.at;
        if std::mem::take(&mut self.check_first)
            && let Some(&b) = buf.first()
            && stray_after_quote(b)
        {
            self.after_quote.push_back(base);
        }
        for i in memchr::memchr3_iter(b'"', b'\r', b'\n', buf) {
            let o = base + i as u64;
            let before = if i > 0 { Some(buf[i - 1]) } else { self.prev };
            match buf[i] {
                b'\n' => {
                    if before == Some(b'\r') && self.starts.back().is_some_and(|l| l.0 == o) {
                        // The LF of a CRLF: one line break, the line starts after it.
                        if let Some(last) = self.starts.back_mut() {
                            *last = (o + 1, 2, b'\n');
                        }
                    } else {
                        self.starts.push_back((o + 1, 1, b'\n'));
                    }
                }
                b'\r' => self.starts.push_back((o + 1, 1, b'\r')),
                _ => {
                    if self.open_quote.is_some() {
                        self.open_quote = None;
                        self.closed_at = Some(o);
                        match buf.get(i + 1) {
                            Some(&b) if stray_after_quote(b) => self.after_quote.push_back(o + 1),
                            Some(_) => {}
                            None => self.check_first = true,
                        }
                    } else if self.closed_at.is_some_and(|c| c + 1 == o) {
                        // `""` inside a quoted field: an escaped quote, still inside.
                        self.open_quote = Some(o);
                        self.closed_at = None;
                    } else if matches!(before, None | Some(b',' | b'\r' | b'\n')) {
                        self.open_quote = Some(o);
                    }
                    // Otherwise a quote inside an unquoted value: a literal character, as the
                    // csv reader takes it.
                }
            }
        }
        if let Some(&b) = buf.last() {
            self.prev = Some(b);
        }
        self.at += buf.len() as u64;
    }

    /// The line on which the row starting at byte `offset` starts (rows come in order).
    fn line_of(&mut self, offset: u64) -> u64 {
        while self.starts.front().is_some_and(|s| s.0 <= offset) {
            self.starts.pop_front();
            self.line += 1;
        }
        // The csv reader may start a row on the line break that ends the line before (the
        // LF of a CRLF) or on blank lines, which it skips: the row is on the next line that
        // has something on it.
        let mut first = offset;
        while let Some(&(s, len, _)) = self.starts.front()
            && s - u64::from(len) <= first
        {
            self.starts.pop_front();
            self.line += 1;
            first = s;
        }
        self.line + 1
    }

    /// The first text after a closing quote in the bytes `start..end` (a row), forgetting
    /// those before it.
    fn text_after_quote(&mut self, start: u64, end: u64) -> Option<u64> {
        while self.after_quote.front().is_some_and(|&o| o < start) {
            self.after_quote.pop_front();
        }
        self.after_quote.front().copied().filter(|&o| o < end)
    }

    /// The quote left open at the end of the file, if the end was reached inside one.
    fn open_at_end(&self) -> Option<u64> {
        self.eof.then_some(self.open_quote).flatten()
    }

    /// The first line start after `offset` not yet taken: its offset, line number and the
    /// line-break byte before it.
    fn next_line_after(&self, offset: u64) -> Option<(u64, u64, u8)> {
        let k = self.starts.iter().position(|s| s.0 > offset)?;
        let (start, _, after) = self.starts[k];
        Some((start, self.line + 2 + k as u64, after))
    }
}

impl Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.eof = true;
        }
        self.scan(&buf[..n]);
        Ok(n)
    }
}

/// A CSV file (or text) read row by row.
pub(super) struct CsvTable {
    name: String,
    headers: Vec<String>,
    source: Source,
    reader: csv::Reader<Tracked>,
    /// The size in bytes, for progress.
    size: Option<u64>,
}

impl CsvTable {
    /// The CSV file at `path`, named `name` in messages.
    pub(super) fn open(path: &Path, name: String) -> Result<Self> {
        let source = Source::File(path.to_path_buf());
        let size = std::fs::metadata(path).ok().map(|m| m.len());
        let mut t = Self::from_source(source, name)?;
        t.size = size;
        Ok(t)
    }

    /// CSV text, named `name` in messages.
    pub(super) fn from_bytes(bytes: Vec<u8>, name: String) -> Result<Self> {
        let size = Some(bytes.len() as u64);
        let mut t = Self::from_source(Source::Bytes(bytes.into()), name)?;
        t.size = size;
        Ok(t)
    }

    fn from_source(source: Source, name: String) -> Result<Self> {
        let tracked = Tracked::new(source.open_at(0)?, 0, 1, None);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(tracked);
        let headers = reader
            .headers()
            .map_err(|e| Error::Format {
                file: name.clone(),
                reason: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        Ok(CsvTable {
            name,
            headers,
            source,
            reader,
            size: None,
        })
    }
}

/// A row with something wrong in its shape: the fields as read, and what is wrong.
struct FaultyRow<'a> {
    fields: &'a dyn Fields,
    fault: RowFault,
}

impl Fields for FaultyRow<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        self.fields.get(i)
    }
    fn fault(&self) -> Option<RowFault> {
        Some(self.fault.clone())
    }
    fn width(&self) -> usize {
        self.fields.width()
    }
}

impl Table for CsvTable {
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
        progress.report(&stage, 0, self.size, "bytes")?;
        let width = self.headers.len();
        let mut bytes = csv::ByteRecord::new();
        let mut rows = 0u64;
        let format_error = |name: &str, e: csv::Error| Error::Format {
            file: name.to_string(),
            reason: e.to_string(),
        };
        loop {
            if !self
                .reader
                .read_byte_record(&mut bytes)
                .map_err(|e| format_error(&self.name, e))?
            {
                let end = self.size.unwrap_or_else(|| self.reader.get_ref().at);
                return progress.report(&stage, end, self.size.or(Some(end)), "bytes");
            }
            rows += 1;
            let start = self.reader.get_ref().base + bytes.position().map_or(0, |p| p.byte());
            if rows.is_multiple_of(EVERY) {
                progress.report(&stage, start, self.size, "bytes")?;
            }
            let end = self.reader.get_ref().base + self.reader.position().byte();
            let tracked = self.reader.get_mut();
            let line = tracked.line_of(start);
            // A quote opened in this row and still open at the end of the file: the row is
            // the rest of the file. Or a quoted value that runs over line breaks and leaves
            // the row with the wrong number of fields: a quote closed lines later than it
            // should (by the next stray quote). Either way the lines after the row's first
            // line would be lost inside it: reject the row, and read on from its next line.
            let open = tracked.open_at_end().filter(|q| *q >= start);
            let runs_on = bytes.len() != width
                && bytes
                    .iter()
                    .any(|f| memchr::memchr2(b'\r', b'\n', f).is_some());
            if open.is_some() || runs_on {
                let from = open.unwrap_or(start);
                let quote_line =
                    line + tracked.starts.iter().filter(|s| s.0 <= from).count() as u64;
                let resume = tracked.next_line_after(from);
                // Not counting the line start at the very end of the file (after its last break).
                let last = if open.is_some() { tracked.at } else { end };
                let lines_after = tracked
                    .starts
                    .iter()
                    .filter(|s| s.0 > from && s.0 < last)
                    .count() as u64;
                let fault = match open {
                    Some(_) => RowFault::OpenQuote {
                        quote_line,
                        lines_after,
                    },
                    None => RowFault::QuoteRunsOn {
                        got: bytes.len(),
                        want: width,
                        lines_after,
                    },
                };
                let text = first_line_fields(&bytes);
                f(
                    line,
                    &FaultyRow {
                        fields: &text,
                        fault,
                    },
                );
                let Some((offset, next_line, after)) = resume else {
                    continue;
                };
                let tracked =
                    Tracked::new(self.source.open_at(offset)?, offset, next_line, Some(after));
                self.reader = csv::ReaderBuilder::new()
                    .flexible(true)
                    .has_headers(false)
                    .from_reader(tracked);
                continue;
            }
            let stray = tracked.text_after_quote(start, end);
            // Decode per row so one bad byte rejects one row, not the whole file.
            bytes = match csv::StringRecord::from_byte_record(std::mem::take(&mut bytes)) {
                Ok(rec) => {
                    if rec.len() == width
                        && let Some(at) = stray
                    {
                        let column = self.column_at(start, at)?;
                        f(
                            line,
                            &FaultyRow {
                                fields: &rec,
                                fault: RowFault::TextAfterQuote(column),
                            },
                        );
                    } else if rec.len() == width {
                        f(line, &rec);
                    } else {
                        f(
                            line,
                            &FaultyRow {
                                fields: &rec,
                                fault: RowFault::Width {
                                    got: rec.len(),
                                    want: width,
                                },
                            },
                        );
                    }
                    rec.into_byte_record()
                }
                Err(e) => {
                    let bad = e.utf8_error().field();
                    let raw = e.into_byte_record();
                    let lossy: Vec<Option<String>> = raw
                        .iter()
                        .map(|b| Some(String::from_utf8_lossy(b).into_owned()))
                        .collect();
                    f(
                        line,
                        &FaultyRow {
                            fields: &lossy,
                            fault: RowFault::InvalidUtf8(bad),
                        },
                    );
                    raw
                }
            };
        }
    }
}

/// Whether a byte right after a closing quote is text the csv reader would join to the
/// value: anything but another quote (an escaped one), a separator, a line break or a space.
fn stray_after_quote(b: u8) -> bool {
    !matches!(b, b'"' | b',' | b'\r' | b'\n' | b' ' | b'\t')
}

impl CsvTable {
    /// The column (0-based) holding byte `at` of the row starting at byte `start`: the row's
    /// bytes read again (only for a faulty row) and their separators outside quotes counted.
    fn column_at(&self, start: u64, at: u64) -> Result<usize> {
        let mut raw = Vec::new();
        self.source
            .open_at(start)?
            .take(at - start)
            .read_to_end(&mut raw)
            .map_err(|e| Error::Format {
                file: self.name.clone(),
                reason: e.to_string(),
            })?;
        let (mut column, mut quoted, mut field_start) = (0, false, true);
        for &b in &raw {
            match b {
                b'"' if quoted || field_start => quoted = !quoted,
                b',' if !quoted => {
                    column += 1;
                    field_start = true;
                    continue;
                }
                _ => {}
            }
            field_start = false;
        }
        Ok(column)
    }
}

/// The fields of a row swallowed by an open quote, cut at the first line break (what the row
/// says on its own line), lossily decoded.
fn first_line_fields(bytes: &csv::ByteRecord) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for field in bytes.iter() {
        match memchr::memchr2(b'\r', b'\n', field) {
            Some(k) => {
                out.push(Some(String::from_utf8_lossy(&field[..k]).into_owned()));
                break;
            }
            None => out.push(Some(String::from_utf8_lossy(field).into_owned())),
        }
    }
    out
}
