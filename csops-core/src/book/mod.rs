//! The book of business: every record of every account, validated and indexed per account.
//!
//! A [`Book`] is what a CS Ops team means by "the book": the accounts a CS org manages and
//! everything known about them. It is built from [`Records`] (or loaded from files by
//! [`crate::interchange`]) through validation that reports **every** problem at once, each with
//! the file, row, record id, field and reason, in a [`ValidationReport`]:
//!
//! - missing required fields, malformed values, unknown enumeration values (found while
//!   reading files);
//! - negative amounts, out-of-range scores and probabilities, non-finite metrics;
//! - dates out of order (a ticket closed before it opened, a role removed before it was added,
//!   a renewal before the contract started);
//! - inconsistent records (a churned renewal with ARR left, a contraction that grew);
//! - duplicate ids (the first occurrence is kept; later ones are rejected and point at it);
//! - references to unknown accounts or contacts (including ones whose own row was rejected).
//!
//! Valid rows are kept and rejected rows are listed with their raw fields, so nothing is
//! silently dropped. [`LoadMode::Strict`] turns any problem into an error; [`LoadMode::Lenient`]
//! keeps what is valid and hands back the report.
//!
//! Records are grouped per account (the `*_of` accessors take the account's index from
//! [`Book::account_index`]); within an account they keep their input order.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{FxTable, Money};
use crate::record::*;

/// How to treat problems when building a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// Any problem fails the load with [`Error::Validation`] carrying every problem found.
    #[default]
    Strict,
    /// Keep valid rows, reject bad ones, and return the report beside the book.
    Lenient,
}

/// What kind of problem a row has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A required field is empty or absent.
    Missing,
    /// A value cannot be read as its type (a date, a number, a currency).
    Malformed,
    /// A value is not one of the allowed values of an enumeration.
    UnknownValue,
    /// An amount or count is negative.
    Negative,
    /// A value is outside its allowed range.
    OutOfRange,
    /// Two dates of one record are in the wrong order.
    DatesOutOfOrder,
    /// The fields of one record contradict each other.
    Inconsistent,
    /// The id was already used by an earlier row.
    Duplicate,
    /// The record refers to an account or contact that does not exist (or was rejected).
    UnknownReference,
}

impl ProblemKind {
    /// The wire name (`unknown_value`, …), as in JSON and the bindings.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::Malformed => "malformed",
            ProblemKind::UnknownValue => "unknown_value",
            ProblemKind::Negative => "negative",
            ProblemKind::OutOfRange => "out_of_range",
            ProblemKind::DatesOutOfOrder => "dates_out_of_order",
            ProblemKind::Inconsistent => "inconsistent",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::UnknownReference => "unknown_reference",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for LoadMode {
    type Err = Error;
    /// `strict` or `lenient`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "strict" => Ok(LoadMode::Strict),
            "lenient" => Ok(LoadMode::Lenient),
            other => Err(Error::Config(vec![format!(
                "mode must be `strict` or `lenient`, got `{other}`"
            )])),
        }
    }
}

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file (or document section) the row came from, e.g. `accounts.csv`.
    pub file: String,
    /// The row: the line number in a CSV file (the header is line 1), or the 1-based position
    /// in a JSON array or in-memory list. `None` for problems with a whole file.
    pub row: Option<u64>,
    /// The id of the record, when it has one and it could be read.
    pub record_id: Option<String>,
    /// The field (column), when the problem is with one field.
    pub field: Option<String>,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// A human explanation, including the offending value.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(id) = &self.record_id {
            write!(f, " ({id})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A row that was not loaded, with its raw fields so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// The file.
    pub file: String,
    /// The row (see [`Problem::row`]).
    pub row: u64,
    /// The record id, when readable.
    pub record_id: Option<String>,
    /// The raw fields as read (column → text).
    pub fields: RawFields,
}

/// The raw fields of a rejected row as read: column → text. Serialized as an object with the
/// columns in name order, as a map. Kept compact, since a bad export can reject millions of
/// rows: the rejected rows of a file share its column names, and a row's texts are one string.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawFields {
    /// Column names, sorted.
    names: std::sync::Arc<[String]>,
    /// The texts, one after another, in `names` order.
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
}

impl RawFields {
    /// Fields from (column, text) pairs; a later pair of a column replaces an earlier one.
    pub fn new<K: Into<String>, V: AsRef<str>>(fields: impl IntoIterator<Item = (K, V)>) -> Self {
        let map: BTreeMap<String, String> = fields
            .into_iter()
            .map(|(k, v)| (k.into(), v.as_ref().to_string()))
            .collect();
        Self::from_sorted(map.keys().cloned().collect::<Vec<_>>().into(), map.values())
    }

    /// Fields under sorted, distinct `names` (shared), with one text per name in that order.
    fn from_sorted<'a>(
        names: std::sync::Arc<[String]>,
        texts: impl IntoIterator<Item = &'a String>,
    ) -> Self {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(names.len());
        for t in texts {
            text.push_str(t);
            ends.push(text.len());
        }
        debug_assert_eq!(ends.len(), names.len());
        RawFields { names, text, ends }
    }

    /// The text of a column, if the row has it.
    pub fn get(&self, column: &str) -> Option<&str> {
        let i = self
            .names
            .binary_search_by(|n| n.as_str().cmp(column))
            .ok()?;
        Some(self.text_at(i))
    }

    fn text_at(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// (column, text) pairs in column-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), self.text_at(i)))
    }

    /// How many columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// No columns at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The fields as a map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

impl std::ops::Index<&str> for RawFields {
    type Output = str;
    /// The text of a column; panics when the row has no such column (as a map's index does).
    fn index(&self, column: &str) -> &str {
        self.get(column)
            .unwrap_or_else(|| panic!("the rejected row has no column `{column}`"))
    }
}

impl fmt::Debug for RawFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for RawFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for RawFields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(RawFields::new)
    }
}

/// Row counts for one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCounts {
    /// Data rows read.
    pub read: u64,
    /// Rows loaded into the book.
    pub loaded: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// Something the loader did that is not a problem but changes what a reader of the export
/// would see: a source-map transform applied to a file, or a documented rule applied to one
/// row (a role removed with no earlier addition). Strict loads keep notes; nothing the loader
/// assumes goes unlisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The file.
    pub file: String,
    /// The row (see [`Problem::row`]); `None` for a note about the whole file.
    pub row: Option<u64>,
    /// The field, when the note is about one.
    pub field: Option<String>,
    /// What was done, and why.
    pub note: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.note)
    }
}

/// Everything validation found, and what was kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Every problem, in file and row order.
    pub problems: Vec<Problem>,
    /// Every rejected row, with its raw fields.
    pub rejected: Vec<RejectedRow>,
    /// Row counts per file.
    pub files: BTreeMap<String, FileCounts>,
    /// What the loader did by the source map's rules (file, then row order).
    #[serde(default)]
    pub notes: Vec<Note>,
}

impl ValidationReport {
    /// No problems at all.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// One line: problem and row counts.
    pub fn summary(&self) -> String {
        let read: u64 = self.files.values().map(|c| c.read).sum();
        let rejected: u64 = self.files.values().map(|c| c.rejected).sum();
        let mut s = format!(
            "{} problem(s); {rejected} of {read} row(s) rejected",
            self.problems.len()
        );
        if let Some(p) = self.problems.first() {
            s.push_str(&format!("; first: {p}"));
        }
        s
    }

    /// A readable multi-line report: counts per file, then every problem.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{:<24} {:>10} {:>10} {:>10}\n",
            "file", "read", "loaded", "rejected"
        ));
        for (file, c) in &self.files {
            s.push_str(&format!(
                "{:<24} {:>10} {:>10} {:>10}\n",
                file, c.read, c.loaded, c.rejected
            ));
        }
        if self.problems.is_empty() {
            s.push_str("no problems\n");
        } else {
            s.push_str(&format!("{} problem(s):\n", self.problems.len()));
            for p in &self.problems {
                s.push_str(&format!("  - [{}] {p}\n", p.kind));
            }
        }
        if !self.notes.is_empty() {
            s.push_str(&format!(
                "{} note(s) on what the loader did:\n",
                self.notes.len()
            ));
            for n in &self.notes {
                s.push_str(&format!("  - {n}\n"));
            }
        }
        s
    }

    fn sort(&mut self) {
        self.problems
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
        self.rejected
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
        self.notes
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
    }
}

/// Where a record came from: file and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Position {
    /// Shared so that making a position per row costs no allocation.
    pub file: std::sync::Arc<str>,
    pub row: u64,
}

/// A problem with one field of one record, before it is placed in a file and row.
pub(crate) type FieldProblem = (&'static str, ProblemKind, String);

/// Plain lists of records: what a book is built from and what it can be turned back into.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Records {
    /// Accounts.
    pub accounts: Vec<Account>,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// Contact role spells.
    pub contact_roles: Vec<ContactRole>,
    /// Raw usage events.
    pub usage_events: Vec<UsageEvent>,
    /// Periodic usage metrics.
    pub usage_snapshots: Vec<UsageSnapshot>,
    /// Support tickets.
    pub tickets: Vec<Ticket>,
    /// NPS / CSAT responses.
    pub surveys: Vec<SurveyResponse>,
    /// Meetings.
    pub meetings: Vec<Meeting>,
    /// Success-plan milestones.
    pub milestones: Vec<Milestone>,
    /// CRM opportunities.
    pub opportunities: Vec<Opportunity>,
    /// ARR history.
    pub arr_snapshots: Vec<ArrSnapshot>,
    /// Renewal outcomes.
    pub renewal_outcomes: Vec<RenewalOutcome>,
    /// Exchange rates into a reporting currency, if the book has them.
    pub fx: Option<FxTable>,
}

/// Records of one type grouped by account: `items[offsets[a]..offsets[a + 1]]` belong to
/// account `a`, in input order.
#[derive(Debug, Clone)]
pub(crate) struct Grouped<T> {
    items: Vec<T>,
    offsets: Vec<usize>,
}

impl<T> Default for Grouped<T> {
    fn default() -> Self {
        Grouped {
            items: Vec::new(),
            offsets: Vec::new(),
        }
    }
}

impl<T> Grouped<T> {
    /// Group by account with a counting sort applied as an in-place permutation, so the
    /// records are never held twice (a million-account book has over a hundred million).
    /// Stable: input order within an account.
    fn build(c: Collected<T>, n_accounts: usize) -> Self {
        let Collected { owners, mut items } = c;
        let mut offsets = vec![0usize; n_accounts + 1];
        for &a in &owners {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..n_accounts {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut dest: Vec<usize> = owners
            .iter()
            .map(|&a| {
                let d = next[a as usize];
                next[a as usize] += 1;
                d
            })
            .collect();
        drop(owners);
        for i in 0..items.len() {
            while dest[i] != i {
                let j = dest[i];
                items.swap(i, j);
                dest.swap(i, j);
            }
        }
        Grouped { items, offsets }
    }
    fn of(&self, account: usize) -> &[T] {
        match (self.offsets.get(account), self.offsets.get(account + 1)) {
            (Some(&s), Some(&e)) => &self.items[s..e],
            _ => &[],
        }
    }
}

/// Records of one type with the index of the account each belongs to, in input order.
#[derive(Debug)]
pub(crate) struct Collected<T> {
    owners: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Collected<T> {
    fn default() -> Self {
        Collected {
            owners: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Collected<T> {
    fn push(&mut self, account: usize, item: T) {
        self.owners.push(account as u32);
        self.items.push(item);
    }
}

/// A string interner: each distinct string gets a dense `u32` id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// Raw usage events stored by column: 16 bytes an event, grouped by account, so tens of
/// millions of events fit in memory and derive features in one pass.
///
/// Users are numbered per account (`member`), so distinct-user counts never mix two accounts
/// that happen to use the same user id.
#[derive(Debug, Clone, Default)]
pub struct UsageLog {
    /// Per event: the member (account-scoped user) id.
    member: Vec<u32>,
    /// Per event: the feature id.
    feature: Vec<u32>,
    /// Per event: UTC timestamp, milliseconds since the epoch.
    ts: Vec<i64>,
    /// Per event-group: offsets by account.
    offsets: Vec<usize>,
    /// Per member: its user id string id.
    member_user: Vec<u32>,
    /// Per member: its account index.
    member_account: Vec<u32>,
    users: Interner,
    features: Interner,
}

/// One account's usage events, by column.
#[derive(Debug, Clone, Copy)]
pub struct AccountUsage<'a> {
    /// Member ids (dense per book; see [`UsageLog::member_count`]).
    pub member: &'a [u32],
    /// Feature ids (see [`UsageLog::feature_id`]).
    pub feature: &'a [u32],
    /// UTC timestamps in milliseconds since the epoch.
    pub ts: &'a [i64],
}

impl UsageLog {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.ts.len()
    }
    /// No events at all.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }
    /// Number of distinct (account, user) members.
    pub fn member_count(&self) -> usize {
        self.member_user.len()
    }
    /// Number of distinct feature names.
    pub fn feature_count(&self) -> usize {
        self.features.len()
    }
    /// The id of a feature name, if any event used it.
    pub fn feature_id(&self, name: &str) -> Option<u32> {
        self.features.get(name)
    }
    /// The user id of a member.
    pub fn user_name(&self, member: u32) -> &str {
        self.users.name(self.member_user[member as usize])
    }
    /// The name of a feature id.
    pub fn feature_name(&self, feature: u32) -> &str {
        self.features.name(feature)
    }
    /// The events of the account with index `account`.
    pub fn of(&self, account: usize) -> AccountUsage<'_> {
        let (s, e) = match (self.offsets.get(account), self.offsets.get(account + 1)) {
            (Some(&s), Some(&e)) => (s, e),
            _ => (0, 0),
        };
        AccountUsage {
            member: &self.member[s..e],
            feature: &self.feature[s..e],
            ts: &self.ts[s..e],
        }
    }
    /// Every event as a record (allocates; for export and inspection).
    pub fn events<'a>(&'a self, accounts: &'a [Account]) -> impl Iterator<Item = UsageEvent> + 'a {
        (0..self.ts.len()).map(move |i| {
            let m = self.member[i] as usize;
            UsageEvent {
                account_id: accounts[self.member_account[m] as usize].id.clone(),
                user_id: self.users.name(self.member_user[m]).to_string(),
                feature: self.features.name(self.feature[i]).to_string(),
                timestamp: DateTime::<Utc>::from_timestamp_millis(self.ts[i]).unwrap_or_default(),
            }
        })
    }
}

/// Builds a [`UsageLog`] one event at a time without allocating per event.
#[derive(Debug, Default)]
pub(crate) struct UsageLogBuilder {
    account: Vec<u32>,
    member: Vec<u32>,
    feature: Vec<u32>,
    ts: Vec<i64>,
    members: HashMap<(u32, u32), u32>,
    member_user: Vec<u32>,
    member_account: Vec<u32>,
    users: Interner,
    features: Interner,
}

impl UsageLogBuilder {
    pub(crate) fn push(&mut self, account: usize, user: &str, feature: &str, ts: i64) {
        let a = account as u32;
        let u = self.users.intern(user);
        let next = self.member_user.len() as u32;
        let m = *self.members.entry((a, u)).or_insert(next);
        if m == next {
            self.member_user.push(u);
            self.member_account.push(a);
        }
        self.account.push(a);
        self.member.push(m);
        self.feature.push(self.features.intern(feature));
        self.ts.push(ts);
    }

    /// Group by account with a counting sort (stable, O(n)).
    pub(crate) fn finish(self, n_accounts: usize) -> UsageLog {
        let n = self.ts.len();
        let mut offsets = vec![0usize; n_accounts + 1];
        for &a in &self.account {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..n_accounts {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut member = vec![0u32; n];
        let mut feature = vec![0u32; n];
        let mut ts = vec![0i64; n];
        for i in 0..n {
            let a = self.account[i] as usize;
            let j = next[a];
            next[a] += 1;
            member[j] = self.member[i];
            feature[j] = self.feature[i];
            ts[j] = self.ts[i];
        }
        UsageLog {
            member,
            feature,
            ts,
            offsets,
            member_user: self.member_user,
            member_account: self.member_account,
            users: self.users,
            features: self.features,
        }
    }
}

/// Record counts of a book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookCounts {
    /// Accounts.
    pub accounts: usize,
    /// Contacts.
    pub contacts: usize,
    /// Contact role spells.
    pub contact_roles: usize,
    /// Usage events.
    pub usage_events: usize,
    /// Usage snapshots.
    pub usage_snapshots: usize,
    /// Tickets.
    pub tickets: usize,
    /// Survey responses.
    pub surveys: usize,
    /// Meetings.
    pub meetings: usize,
    /// Milestones.
    pub milestones: usize,
    /// Opportunities.
    pub opportunities: usize,
    /// ARR snapshots.
    pub arr_snapshots: usize,
    /// Renewal outcomes.
    pub renewal_outcomes: usize,
}

/// A validated book of business, indexed per account. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct Book {
    accounts: Vec<Account>,
    account_index: HashMap<String, usize>,
    contacts: Grouped<Contact>,
    contact_index: HashMap<String, (usize, usize)>,
    roles: Grouped<ContactRole>,
    usage: UsageLog,
    snapshots: Grouped<UsageSnapshot>,
    tickets: Grouped<Ticket>,
    surveys: Grouped<SurveyResponse>,
    meetings: Grouped<Meeting>,
    milestones: Grouped<Milestone>,
    opportunities: Grouped<Opportunity>,
    arr_snapshots: Grouped<ArrSnapshot>,
    outcomes: Grouped<RenewalOutcome>,
    fx: Option<FxTable>,
}

impl Book {
    /// Validate records and build a book. In [`LoadMode::Lenient`] bad records are rejected and
    /// listed in the report; in [`LoadMode::Strict`] any problem is an [`Error::Validation`].
    ///
    /// ```
    /// use csops_core::book::{Book, LoadMode, Records};
    /// let (book, report) = Book::from_records(Records::default(), LoadMode::Strict)?;
    /// assert_eq!(book.accounts().len(), 0);
    /// assert!(report.is_clean());
    /// # Ok::<(), csops_core::Error>(())
    /// ```
    pub fn from_records(records: Records, mode: LoadMode) -> Result<(Book, ValidationReport)> {
        let mut asm = Assembler::default();
        let pos = |file: &str, i: usize| Position {
            file: file.into(),
            row: i as u64 + 1,
        };
        asm.add_accounts(
            records
                .accounts
                .into_iter()
                .enumerate()
                .map(|(i, r)| (pos("accounts", i), r, Origin::Memory)),
        );
        asm.add_contacts(
            records
                .contacts
                .into_iter()
                .enumerate()
                .map(|(i, r)| (pos("contacts", i), r, Origin::Memory)),
        );
        macro_rules! add {
            ($field:ident, $name:literal) => {
                for (i, r) in records.$field.into_iter().enumerate() {
                    asm.add(pos($name, i), r, Origin::Memory);
                }
            };
        }
        add!(contact_roles, "contact_roles");
        for (i, e) in records.usage_events.iter().enumerate() {
            let p = pos("usage_events", i);
            let ts = e.timestamp.timestamp_millis();
            if !asm.add_usage_event(&p, &e.account_id, &e.user_id, &e.feature, ts, false) {
                asm.reject(&p, None, flatten_json(e));
            }
        }
        add!(usage_snapshots, "usage_snapshots");
        add!(tickets, "tickets");
        add!(surveys, "surveys");
        add!(meetings, "meetings");
        add!(milestones, "milestones");
        add!(opportunities, "opportunities");
        add!(arr_snapshots, "arr_snapshots");
        add!(renewal_outcomes, "renewal_outcomes");
        asm.fx = records.fx;
        asm.finish(mode)
    }

    /// This book with more records: what a CRM webhook or a nightly delta brings. A record that
    /// restates one the book has replaces it (the newer state wins): accounts, contacts,
    /// tickets, surveys, meetings, milestones, opportunities and renewal outcomes by `id`;
    /// a contact-role spell by contact, role and the day it was added (so ending a spell is
    /// sending it again with `removed` set); ARR snapshots by account and day; usage
    /// snapshots by account, metric and period. Anything else is added. An FX table in
    /// `extra` replaces the book's. The result is validated as a whole, as
    /// [`Book::from_records`] does; the report's rows count in the merged lists.
    ///
    /// ```
    /// use csops_core::book::{Book, LoadMode, Records};
    /// use csops_core::record::{ContactRole, Role};
    /// # let text = r#"{"accounts": [{"id": "A1", "name": "Acme", "currency": "USD",
    /// #   "arr": "1000", "start_date": "2025-01-01"}],
    /// #   "contacts": [{"id": "C1", "account_id": "A1", "name": "Jane"}],
    /// #   "contact_roles": [{"contact_id": "C1", "role": "executive_sponsor",
    /// #   "added": "2025-01-01"}]}"#;
    /// # let book = csops_core::interchange::load_json_str(text, &Default::default())?.book;
    /// // Jane's sponsorship ended on 2026-09-20: the CRM sends the spell with its end.
    /// let ended = ContactRole {
    ///     contact_id: "C1".into(),
    ///     role: Role::ExecutiveSponsor,
    ///     added: "2025-01-01".parse().unwrap(),
    ///     removed: Some("2026-09-20".parse().unwrap()),
    /// };
    /// let extra = Records { contact_roles: vec![ended], ..Default::default() };
    /// let (book, _) = book.with_records(extra, LoadMode::Strict)?;
    /// assert_eq!(book.roles_of(0).len(), 1);
    /// assert!(book.roles_of(0)[0].removed.is_some());
    /// # Ok::<(), csops_core::Error>(())
    /// ```
    pub fn with_records(&self, extra: Records, mode: LoadMode) -> Result<(Book, ValidationReport)> {
        use std::hash::Hash;
        /// Replace the items whose key an extra item has; add the rest (in their order).
        fn upsert<T, K: Hash + Eq>(items: &mut Vec<T>, extra: Vec<T>, key: impl Fn(&T) -> K) {
            let mut at: HashMap<K, usize> =
                items.iter().enumerate().map(|(i, x)| (key(x), i)).collect();
            for x in extra {
                match at.get(&key(&x)) {
                    Some(&i) => items[i] = x,
                    None => {
                        at.insert(key(&x), items.len());
                        items.push(x);
                    }
                }
            }
        }
        let mut r = self.to_records();
        upsert(&mut r.accounts, extra.accounts, |a| a.id.clone());
        upsert(&mut r.contacts, extra.contacts, |c| c.id.clone());
        upsert(&mut r.contact_roles, extra.contact_roles, |s| {
            (s.contact_id.clone(), s.role, s.added)
        });
        r.usage_events.extend(extra.usage_events);
        upsert(&mut r.usage_snapshots, extra.usage_snapshots, |s| {
            (
                s.account_id.clone(),
                s.metric.clone(),
                s.period_start,
                s.period_end,
            )
        });
        upsert(&mut r.tickets, extra.tickets, |t| t.id.clone());
        upsert(&mut r.surveys, extra.surveys, |s| s.id.clone());
        upsert(&mut r.meetings, extra.meetings, |m| m.id.clone());
        upsert(&mut r.milestones, extra.milestones, |m| m.id.clone());
        upsert(&mut r.opportunities, extra.opportunities, |o| o.id.clone());
        upsert(&mut r.arr_snapshots, extra.arr_snapshots, |s| {
            (s.account_id.clone(), s.date)
        });
        upsert(&mut r.renewal_outcomes, extra.renewal_outcomes, |o| {
            o.id.clone()
        });
        if extra.fx.is_some() {
            r.fx = extra.fx;
        }
        Book::from_records(r, mode)
    }

    /// All records as plain lists (usage events are expanded back to records).
    pub fn to_records(&self) -> Records {
        Records {
            accounts: self.accounts.clone(),
            contacts: self.contacts.items.clone(),
            contact_roles: self.roles.items.clone(),
            usage_events: self.usage.events(&self.accounts).collect(),
            usage_snapshots: self.snapshots.items.clone(),
            tickets: self.tickets.items.clone(),
            surveys: self.surveys.items.clone(),
            meetings: self.meetings.items.clone(),
            milestones: self.milestones.items.clone(),
            opportunities: self.opportunities.items.clone(),
            arr_snapshots: self.arr_snapshots.items.clone(),
            renewal_outcomes: self.outcomes.items.clone(),
            fx: self.fx.clone(),
        }
    }

    /// How many records of each type.
    pub fn counts(&self) -> BookCounts {
        BookCounts {
            accounts: self.accounts.len(),
            contacts: self.contacts.items.len(),
            contact_roles: self.roles.items.len(),
            usage_events: self.usage.len(),
            usage_snapshots: self.snapshots.items.len(),
            tickets: self.tickets.items.len(),
            surveys: self.surveys.items.len(),
            meetings: self.meetings.items.len(),
            milestones: self.milestones.items.len(),
            opportunities: self.opportunities.items.len(),
            arr_snapshots: self.arr_snapshots.items.len(),
            renewal_outcomes: self.outcomes.items.len(),
        }
    }

    /// All accounts, in input order; an account's index is its position here.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }
    /// The index of an account id.
    pub fn account_index(&self, id: &str) -> Option<usize> {
        self.account_index.get(id).copied()
    }
    /// An account by id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.account_index(id).map(|i| &self.accounts[i])
    }
    /// A contact by id.
    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contact_index
            .get(id)
            .map(|&(a, k)| &self.contacts.of(a)[k])
    }
    /// The contacts of account `account` (an index).
    pub fn contacts_of(&self, account: usize) -> &[Contact] {
        self.contacts.of(account)
    }
    /// The role spells of the contacts of account `account`.
    pub fn roles_of(&self, account: usize) -> &[ContactRole] {
        self.roles.of(account)
    }
    /// All usage events, by column.
    pub fn usage(&self) -> &UsageLog {
        &self.usage
    }
    /// The usage snapshots of account `account`.
    pub fn usage_snapshots_of(&self, account: usize) -> &[UsageSnapshot] {
        self.snapshots.of(account)
    }
    /// The tickets of account `account`.
    pub fn tickets_of(&self, account: usize) -> &[Ticket] {
        self.tickets.of(account)
    }
    /// The survey responses of account `account`.
    pub fn surveys_of(&self, account: usize) -> &[SurveyResponse] {
        self.surveys.of(account)
    }
    /// The meetings of account `account`.
    pub fn meetings_of(&self, account: usize) -> &[Meeting] {
        self.meetings.of(account)
    }
    /// The milestones of account `account`.
    pub fn milestones_of(&self, account: usize) -> &[Milestone] {
        self.milestones.of(account)
    }
    /// The CRM opportunities of account `account`.
    pub fn opportunities_of(&self, account: usize) -> &[Opportunity] {
        self.opportunities.of(account)
    }
    /// The ARR history of account `account`.
    pub fn arr_snapshots_of(&self, account: usize) -> &[ArrSnapshot] {
        self.arr_snapshots.of(account)
    }
    /// The renewal outcomes of account `account`.
    pub fn renewal_outcomes_of(&self, account: usize) -> &[RenewalOutcome] {
        self.outcomes.of(account)
    }
    /// The FX table, if the book has one.
    pub fn fx(&self) -> Option<&FxTable> {
        self.fx.as_ref()
    }
    /// The latest date of any record in the book (the natural "as of" for current features).
    pub fn latest_date(&self) -> Option<NaiveDate> {
        let mut best: Option<NaiveDate> = None;
        let mut see = |d: NaiveDate| best = Some(best.map_or(d, |b: NaiveDate| b.max(d)));
        self.usage
            .ts
            .iter()
            .filter_map(|&t| DateTime::<Utc>::from_timestamp_millis(t))
            .for_each(|t| see(t.date_naive()));
        self.tickets.items.iter().for_each(|t| {
            see(t.opened);
            t.closed.map(&mut see);
        });
        self.surveys.items.iter().for_each(|s| see(s.date));
        self.meetings.items.iter().for_each(|m| see(m.date));
        self.snapshots.items.iter().for_each(|s| see(s.period_end));
        self.arr_snapshots.items.iter().for_each(|s| see(s.date));
        self.outcomes.items.iter().for_each(|o| see(o.renewal_date));
        best
    }
}

impl Account {
    /// The contract term in months (12 unless `term_months` says otherwise).
    pub fn term(&self) -> u32 {
        self.term_months.filter(|&t| t > 0).unwrap_or(12)
    }

    /// The first renewal date on or after `date`, from the renewal date and the term alone
    /// (so it needs no record dated after `date`): renewals recur every term from
    /// `renewal_date`, and none falls before `start_date`. `None` without a renewal date.
    pub fn next_renewal_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        let anchor = self.renewal_date?;
        let term = i64::from(self.term());
        // The k-th renewal from the anchor (k < 0 before it), counted from the anchor itself
        // so a renewal on the 31st stays on the 31st where the month has one. Found by
        // arithmetic, not by stepping a term at a time (a 1-month term over centuries).
        let renewal = |k: i64| -> Option<NaiveDate> {
            let months = u32::try_from((k * term).unsigned_abs()).ok()?;
            if k >= 0 {
                anchor.checked_add_months(Months::new(months))
            } else {
                anchor.checked_sub_months(Months::new(months))
            }
        };
        let month = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        // The first renewal on or after `date` (a guess one term early, then corrected).
        let mut k = (month(date) - month(anchor)).div_euclid(term) - 1;
        while renewal(k).is_some_and(|r| r < date) {
            k += 1;
        }
        while renewal(k - 1).is_some_and(|r| r >= date) {
            k -= 1;
        }
        // Before the anchor, renewals fall after the start date only.
        while k < 0 && renewal(k).is_some_and(|r| r <= self.start_date) {
            k += 1;
        }
        renewal(k)
    }
}

/// Record-level checks that need no other record.
pub(crate) trait Check {
    /// The record's own id, for messages and duplicate detection.
    fn id(&self) -> Option<&str> {
        None
    }
    /// The account it belongs to, if it refers to one directly.
    fn account_ref(&self) -> Option<&str> {
        None
    }
    /// Problems with the record's own fields.
    fn check(&self, _out: &mut Vec<FieldProblem>) {}
}

/// An amount must be ≥ 0 and within [`crate::money::MAX_AMOUNT`].
fn non_negative(field: &'static str, m: &Money, out: &mut Vec<FieldProblem>) {
    if m.amount < Decimal::ZERO {
        out.push((field, ProblemKind::Negative, format!("negative amount {m}")));
    } else if m.amount > crate::money::MAX_AMOUNT {
        out.push((
            field,
            ProblemKind::OutOfRange,
            format!("amount {m} is above the limit of 10^15 per record"),
        ));
    }
}

fn ordered(
    first: (&'static str, NaiveDate),
    second: (&'static str, Option<NaiveDate>),
    out: &mut Vec<FieldProblem>,
) {
    if let Some(d2) = second.1
        && d2 < first.1
    {
        out.push((
            second.0,
            ProblemKind::DatesOutOfOrder,
            format!("{} {d2} is before {} {}", second.0, first.0, first.1),
        ));
    }
}

impl Check for Account {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("arr", &self.arr, out);
        ordered(
            ("start_date", self.start_date),
            ("renewal_date", self.renewal_date),
            out,
        );
        if self.term_months == Some(0) {
            out.push((
                "term_months",
                ProblemKind::OutOfRange,
                "term must be at least one month".into(),
            ));
        }
    }
}
impl Check for Contact {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
}
impl Check for ContactRole {
    fn check(&self, out: &mut Vec<FieldProblem>) {
        ordered(("added", self.added), ("removed", self.removed), out);
    }
}
impl Check for UsageSnapshot {
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        ordered(
            ("period_start", self.period_start),
            ("period_end", Some(self.period_end)),
            out,
        );
        if let Some(v) = self.value
            && !v.is_finite()
        {
            out.push((
                "value",
                ProblemKind::Malformed,
                format!("value {v} is not finite"),
            ));
        }
    }
}
impl Check for Ticket {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        ordered(("opened", self.opened), ("closed", self.closed), out);
        if let Some(c) = self.csat
            && !(1..=5).contains(&c)
        {
            out.push((
                "csat",
                ProblemKind::OutOfRange,
                format!("CSAT {c} is outside 1–5"),
            ));
        }
        if self.status.is_resolved() && self.closed.is_none() {
            out.push((
                "closed",
                ProblemKind::Inconsistent,
                format!("status is {} but no closed date is given", self.status),
            ));
        }
    }
}
impl Check for SurveyResponse {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        let (lo, hi) = self.kind.range();
        if !(lo..=hi).contains(&self.score) {
            out.push((
                "score",
                ProblemKind::OutOfRange,
                format!("{} score {} is outside {lo}–{hi}", self.kind, self.score),
            ));
        }
    }
}
impl Check for Meeting {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
}
impl Check for Milestone {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
}
impl Check for Opportunity {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("amount", &self.amount, out);
        if !(0.0..=1.0).contains(&self.probability) {
            out.push((
                "probability",
                ProblemKind::OutOfRange,
                format!("probability {} is outside 0–1", self.probability),
            ));
        }
        ordered(
            ("created", self.created.unwrap_or(NaiveDate::MIN)),
            ("close_date", Some(self.close_date)),
            out,
        );
    }
}
impl Check for ArrSnapshot {
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("arr", &self.arr, out);
    }
}
impl Check for RenewalOutcome {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("arr_before", &self.arr_before, out);
        non_negative("arr_after", &self.arr_after, out);
        if self.arr_before.currency != self.arr_after.currency {
            out.push((
                "arr_after",
                ProblemKind::Inconsistent,
                "ARR before and after are in different currencies".into(),
            ));
            return;
        }
        let (b, a) = (self.arr_before.amount, self.arr_after.amount);
        let ok = match self.outcome {
            Outcome::Churned => a.is_zero(),
            Outcome::Renewed => a == b,
            Outcome::Contracted => a < b && !a.is_zero(),
            Outcome::Expanded => a > b,
        };
        if !ok {
            out.push((
                "outcome",
                ProblemKind::Inconsistent,
                format!(
                    "outcome `{}` does not match ARR {} → {}",
                    self.outcome, self.arr_before, self.arr_after
                ),
            ));
        }
    }
}

/// Which account a record belongs to, resolved against the book being built.
pub(crate) enum Owner {
    Account(usize),
    Unknown(String, &'static str),
}

/// Builds a book record by record, collecting every problem. Accounts first, then contacts,
/// then anything else (references are resolved against what was accepted before).
#[derive(Debug, Default)]
pub(crate) struct Assembler {
    accounts: Vec<Account>,
    account_index: HashMap<String, usize>,
    account_rows: HashMap<String, u64>,
    contacts: Collected<Contact>,
    contact_index: HashMap<String, usize>,
    contact_rows: HashMap<String, u64>,
    roles: Collected<ContactRole>,
    usage: UsageLogBuilder,
    snapshots: Collected<UsageSnapshot>,
    snapshot_keys: HashMap<(u32, u32, NaiveDate), u64>,
    metrics: Interner,
    tickets: Collected<Ticket>,
    surveys: Collected<SurveyResponse>,
    meetings: Collected<Meeting>,
    milestones: Collected<Milestone>,
    opportunities: Collected<Opportunity>,
    arr_snapshots: Collected<ArrSnapshot>,
    arr_keys: HashMap<(usize, NaiveDate), u64>,
    /// Files whose header-less column with values was reported (once per file).
    pub(crate) unheaded_reported: std::collections::HashSet<String>,
    /// First row of each contact-role spell: (contact, role, first day).
    role_keys: HashMap<(String, crate::record::Role, NaiveDate), u64>,
    outcomes: Collected<RenewalOutcome>,
    /// First row of each id, per record kind (looked up by `&str`, no allocation).
    ids: HashMap<&'static str, HashMap<String, u64>>,
    pub(crate) fx: Option<FxTable>,
    pub(crate) report: ValidationReport,
    /// The column names of the last rejected row, shared with the next ones that have them.
    rejected_names: Option<std::sync::Arc<[String]>>,
    /// Per file: usage timestamps with digits below the millisecond (how many, first row).
    finer_than_ms: BTreeMap<String, (u64, u64)>,
}

/// Where a record handed to the assembler comes from: rows from files were counted as read
/// by their reader; records built in memory are counted here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Built in memory ([`Book::from_records`]).
    Memory,
    /// Parsed from a file row.
    File,
}

/// A record as column → text, the way its file would hold it; used to list a rejected record
/// (computed only for rejected ones).
pub(crate) trait RowFields {
    fn row_fields(&self) -> BTreeMap<String, String>;
}

impl Assembler {
    fn first_row(&self, kind: &str, id: &str) -> Option<u64> {
        self.ids.get(kind).and_then(|m| m.get(id)).copied()
    }

    fn remember(&mut self, kind: &'static str, id: &str, row: u64) {
        self.ids
            .entry(kind)
            .or_default()
            .insert(id.to_string(), row);
    }

    /// Record a problem that has no record (a whole-file problem or a parse failure).
    pub(crate) fn problem(&mut self, pos: &Position, record_id: Option<&str>, p: FieldProblem) {
        self.report.problems.push(Problem {
            file: pos.file.to_string(),
            row: Some(pos.row),
            record_id: record_id.map(str::to_string),
            field: Some(p.0.to_string()),
            kind: p.1,
            reason: p.2,
        });
    }

    /// Record a problem with a field whose name is not a documented column (a wide table's
    /// metric column, an event log's date column).
    pub(crate) fn problem_named(
        &mut self,
        pos: &Position,
        record_id: Option<&str>,
        field: &str,
        kind: ProblemKind,
        reason: String,
    ) {
        self.report.problems.push(Problem {
            file: pos.file.to_string(),
            row: Some(pos.row),
            record_id: record_id.map(str::to_string),
            field: Some(field.to_string()),
            kind,
            reason,
        });
    }

    /// The row of the usage snapshot already loaded for this account, metric and period start.
    pub(crate) fn snapshot_row(
        &mut self,
        account_id: &str,
        metric: &str,
        period_start: NaiveDate,
    ) -> Option<u64> {
        let a = *self.account_index.get(account_id)?;
        let key = (a as u32, self.metrics.intern(metric), period_start);
        self.snapshot_keys.get(&key).copied()
    }

    /// A usage event's timestamp had digits below the millisecond, which usage events do not
    /// keep: counted per file, and noted once per file when the load finishes.
    pub(crate) fn finer_than_ms(&mut self, pos: &Position) {
        let e = self
            .finer_than_ms
            .entry(pos.file.to_string())
            .or_insert((0, pos.row));
        e.0 += 1;
    }

    /// Record a note on what the loader did (see [`Note`]).
    pub(crate) fn note(&mut self, file: &str, row: Option<u64>, field: Option<&str>, note: String) {
        self.report.notes.push(Note {
            file: file.to_string(),
            row,
            field: field.map(str::to_string),
            note,
        });
    }

    /// Count a row read from a file.
    pub(crate) fn read(&mut self, file: &str) {
        self.bump(file, |c| c.read += 1);
    }

    /// Update a file's counts, allocating its name only the first time it is seen.
    fn bump(&mut self, file: &str, f: impl FnOnce(&mut FileCounts)) {
        if let Some(c) = self.report.files.get_mut(file) {
            f(c);
            return;
        }
        let mut c = FileCounts::default();
        f(&mut c);
        self.report.files.insert(file.to_string(), c);
    }

    /// Reject a row: list it with its raw fields.
    pub(crate) fn reject(
        &mut self,
        pos: &Position,
        record_id: Option<&str>,
        fields: BTreeMap<String, String>,
    ) {
        self.bump(&pos.file, |c| c.rejected += 1);
        // Rows of one file share its column names (a million rejected rows must not hold a
        // million copies of them).
        let same = self.rejected_names.as_ref().is_some_and(|n| {
            n.len() == fields.len() && n.iter().zip(fields.keys()).all(|(a, b)| a == b)
        });
        if !same {
            self.rejected_names = Some(fields.keys().cloned().collect::<Vec<_>>().into());
        }
        let names = self.rejected_names.clone().unwrap_or_default();
        self.report.rejected.push(RejectedRow {
            file: pos.file.to_string(),
            row: pos.row,
            record_id: record_id.map(str::to_string),
            fields: RawFields::from_sorted(names, fields.values()),
        });
    }

    fn loaded(&mut self, file: &str) {
        self.bump(file, |c| c.loaded += 1);
    }

    /// Run the record's checks and its duplicate-id check; returns true when it is acceptable.
    fn vet<T: Check>(&mut self, kind: &'static str, pos: &Position, r: &T) -> bool {
        let mut out = Vec::new();
        r.check(&mut out);
        if let Some(id) = r.id() {
            if id.trim().is_empty() {
                out.push(("id", ProblemKind::Missing, "id is empty".into()));
            } else if let Some(first) = self.first_row(kind, id) {
                out.push((
                    "id",
                    ProblemKind::Duplicate,
                    format!("duplicate id `{id}`; first seen at row {first}"),
                ));
            }
        }
        let ok = out.is_empty();
        for p in out {
            self.problem(pos, r.id(), p);
        }
        ok
    }

    fn owner<T: Check>(&self, r: &T) -> Option<Owner> {
        let id = r.account_ref()?;
        Some(match self.account_index.get(id) {
            Some(&i) => Owner::Account(i),
            None => Owner::Unknown(id.to_string(), "account_id"),
        })
    }

    fn unknown_ref(
        &mut self,
        pos: &Position,
        record_id: Option<&str>,
        field: &'static str,
        id: &str,
        what: &str,
    ) {
        let reason = match (what, self.account_rows.get(id), self.contact_rows.get(id)) {
            ("account", Some(row), _) => format!("account `{id}` was rejected (row {row})"),
            ("contact", _, Some(row)) => format!("contact `{id}` was rejected (row {row})"),
            _ => format!("unknown {what} `{id}`"),
        };
        self.problem(
            pos,
            record_id,
            (field, ProblemKind::UnknownReference, reason),
        );
    }

    pub(crate) fn add_accounts(
        &mut self,
        rows: impl IntoIterator<Item = (Position, Account, Origin)>,
    ) {
        for (pos, a, origin) in rows {
            self.read_if_memory(&pos, origin);
            if self.vet("account", &pos, &a) {
                self.remember("account", &a.id, pos.row);
                self.account_index.insert(a.id.clone(), self.accounts.len());
                self.accounts.push(a);
                self.loaded(&pos.file);
            } else {
                if self.first_row("account", &a.id).is_none() {
                    self.account_rows.insert(a.id.clone(), pos.row);
                }
                self.reject_record(&pos, Some(&a.id), &a);
            }
        }
    }

    pub(crate) fn add_contacts(
        &mut self,
        rows: impl IntoIterator<Item = (Position, Contact, Origin)>,
    ) {
        for (pos, c, origin) in rows {
            self.read_if_memory(&pos, origin);
            let mut ok = self.vet("contact", &pos, &c);
            let acct = self.account_index.get(&c.account_id).copied();
            if acct.is_none() {
                self.unknown_ref(
                    &pos,
                    Some(&c.id),
                    "account_id",
                    &c.account_id.clone(),
                    "account",
                );
                ok = false;
            }
            match (ok, acct) {
                (true, Some(a)) => {
                    self.remember("contact", &c.id, pos.row);
                    self.contact_index.insert(c.id.clone(), a);
                    self.contacts.push(a, c);
                    self.loaded(&pos.file);
                }
                _ => {
                    if self.first_row("contact", &c.id).is_none() {
                        self.contact_rows.insert(c.id.clone(), pos.row);
                    }
                    self.reject_record(&pos, Some(&c.id), &c);
                }
            }
        }
    }

    /// Rows built in memory are counted here; rows from files are counted by the reader.
    fn read_if_memory(&mut self, pos: &Position, origin: Origin) {
        if origin == Origin::Memory {
            self.read(&pos.file);
        }
    }

    fn reject_record<T: RowFields>(&mut self, pos: &Position, id: Option<&str>, r: &T) {
        self.reject(pos, id, r.row_fields());
    }

    /// Add a record made from several rows (a role spell from its added and removed events):
    /// its checks and problems as [`Assembler::add`], but no counting and no listing of a
    /// rejected row; the caller counts each row and lists the rejected ones. Returns whether
    /// the record was kept.
    pub(crate) fn add_uncounted<T: Placed>(&mut self, pos: &Position, r: T) -> bool {
        let mut ok = self.vet(T::KIND, pos, &r);
        let account = match r.owner(self) {
            Some(Owner::Account(a)) => Some(a),
            Some(Owner::Unknown(id, field)) => {
                let what = if field == "contact_id" {
                    "contact"
                } else {
                    "account"
                };
                self.unknown_ref(pos, r.id(), field, &id, what);
                None
            }
            None => None,
        };
        if let (true, Some(a)) = (ok, account) {
            ok = r.extra_checks(self, a, pos);
        }
        match (ok, account) {
            (true, Some(a)) => {
                if let Some(id) = r.id() {
                    self.remember(T::KIND, id, pos.row);
                }
                r.store(self, a);
                true
            }
            _ => false,
        }
    }

    /// The start date of the account a contact belongs to, if both are known.
    pub(crate) fn contact_account_start(&self, contact_id: &str) -> Option<NaiveDate> {
        let a = *self.contact_index.get(contact_id)?;
        Some(self.accounts[a].start_date)
    }

    /// Count a row as loaded (for rows whose records were added uncounted).
    pub(crate) fn count_loaded(&mut self, file: &str) {
        self.loaded(file);
    }

    /// Add any record other than an account or contact.
    pub(crate) fn add<T: Placed>(&mut self, pos: Position, r: T, origin: Origin) {
        self.read_if_memory(&pos, origin);
        let mut ok = self.vet(T::KIND, &pos, &r);
        let account = match r.owner(self) {
            Some(Owner::Account(a)) => Some(a),
            Some(Owner::Unknown(id, field)) => {
                let what = if field == "contact_id" {
                    "contact"
                } else {
                    "account"
                };
                self.unknown_ref(&pos, r.id(), field, &id, what);
                None
            }
            None => None,
        };
        if account.is_none() {
            ok = false;
        }
        if let (true, Some(a)) = (ok, account) {
            ok = r.extra_checks(self, a, &pos);
        }
        match (ok, account) {
            (true, Some(a)) => {
                if let Some(id) = r.id() {
                    self.remember(T::KIND, id, pos.row);
                }
                self.loaded(&pos.file);
                r.store(self, a);
            }
            _ => {
                let id = r.id().map(str::to_string);
                self.reject_record(&pos, id.as_deref(), &r);
            }
        }
    }

    /// Add one usage event without allocating (the hot path of loading telemetry). Records
    /// any problem and returns false when the event is not kept; the caller then lists the row
    /// with [`Assembler::reject`]. `from_file` says the reader already counted the row.
    pub(crate) fn add_usage_event(
        &mut self,
        pos: &Position,
        account_id: &str,
        user_id: &str,
        feature: &str,
        ts_ms: i64,
        from_file: bool,
    ) -> bool {
        if !from_file {
            self.read(&pos.file);
        }
        let mut bad = Vec::new();
        if user_id.trim().is_empty() {
            bad.push((
                "user_id",
                ProblemKind::Missing,
                "user_id is empty".to_string(),
            ));
        }
        if feature.trim().is_empty() {
            bad.push((
                "feature",
                ProblemKind::Missing,
                "feature is empty".to_string(),
            ));
        }
        match self.account_index.get(account_id).copied() {
            Some(a) if bad.is_empty() => {
                self.usage.push(a, user_id, feature, ts_ms);
                self.loaded(&pos.file);
                return true;
            }
            Some(_) => {}
            None => self.unknown_ref(pos, None, "account_id", account_id, "account"),
        }
        for p in bad {
            self.problem(pos, None, p);
        }
        false
    }

    pub(crate) fn finish(self, mode: LoadMode) -> Result<(Book, ValidationReport)> {
        let Assembler {
            accounts,
            account_index,
            contacts,
            roles,
            usage,
            snapshots,
            tickets,
            surveys,
            meetings,
            milestones,
            opportunities,
            arr_snapshots,
            outcomes,
            fx,
            mut report,
            // Lookup tables of the validation pass, freed before the records are grouped.
            account_rows: _,
            contact_index: _,
            contact_rows: _,
            snapshot_keys: _,
            metrics: _,
            arr_keys: _,
            role_keys: _,
            unheaded_reported: _,
            ids: _,
            rejected_names: _,
            finer_than_ms,
        } = self;
        for (file, (n, first)) in finer_than_ms {
            report.notes.push(Note {
                file,
                row: Some(first),
                field: Some("timestamp".into()),
                note: format!(
                    "{n} timestamp(s) have digits below the millisecond (the first on this row); \
                     usage events keep time to the millisecond, so those digits are dropped"
                ),
            });
        }
        report.sort();
        if mode == LoadMode::Strict && !report.is_clean() {
            return Err(Error::Validation(Box::new(report)));
        }
        let n = accounts.len();
        let contacts = Grouped::build(contacts, n);
        let mut contact_index = HashMap::with_capacity(contacts.items.len());
        for a in 0..n {
            for (k, c) in contacts.of(a).iter().enumerate() {
                contact_index.insert(c.id.clone(), (a, k));
            }
        }
        let book = Book {
            account_index,
            contacts,
            contact_index,
            roles: Grouped::build(roles, n),
            usage: usage.finish(n),
            snapshots: Grouped::build(snapshots, n),
            tickets: Grouped::build(tickets, n),
            surveys: Grouped::build(surveys, n),
            meetings: Grouped::build(meetings, n),
            milestones: Grouped::build(milestones, n),
            opportunities: Grouped::build(opportunities, n),
            arr_snapshots: Grouped::build(arr_snapshots, n),
            outcomes: Grouped::build(outcomes, n),
            fx,
            accounts,
        };
        Ok((book, report))
    }
}

/// A serialised record as column → text, for listing a rejected in-memory record.
fn flatten_json<T: Serialize>(r: &T) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(r) {
        for (k, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            out.insert(k, text);
        }
    }
    out
}

/// A record type that belongs to an account (directly or through its contact).
pub(crate) trait Placed: Check + RowFields + Sized {
    /// Kind name, for duplicate-id scoping.
    const KIND: &'static str;
    /// Resolve the owning account.
    fn owner(&self, asm: &Assembler) -> Option<Owner> {
        asm.owner(self)
    }
    /// Checks that need the book (duplicate natural keys, contact references).
    fn extra_checks(&self, _asm: &mut Assembler, _account: usize, _pos: &Position) -> bool {
        true
    }
    /// Keep the record.
    fn store(self, asm: &mut Assembler, account: usize);
}

impl Placed for ContactRole {
    const KIND: &'static str = "contact_role";
    fn owner(&self, asm: &Assembler) -> Option<Owner> {
        Some(match asm.contact_index.get(&self.contact_id) {
            Some(&a) => Owner::Account(a),
            None => Owner::Unknown(self.contact_id.clone(), "contact_id"),
        })
    }
    fn extra_checks(&self, asm: &mut Assembler, _a: usize, pos: &Position) -> bool {
        let key = (self.contact_id.clone(), self.role, self.added);
        if let Some(first) = asm.role_keys.get(&key) {
            let reason = format!(
                "duplicate `{}` spell of contact {} from {}; first seen at row {first}",
                self.role, self.contact_id, self.added
            );
            asm.problem(pos, None, ("added", ProblemKind::Duplicate, reason));
            return false;
        }
        asm.role_keys.insert(key, pos.row);
        true
    }
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.roles.push(a, self);
    }
}
impl Placed for UsageSnapshot {
    const KIND: &'static str = "usage_snapshot";
    fn extra_checks(&self, asm: &mut Assembler, a: usize, pos: &Position) -> bool {
        let key = (
            a as u32,
            asm.metrics.intern(&self.metric),
            self.period_start,
        );
        if let Some(first) = asm.snapshot_keys.get(&key) {
            let reason = format!(
                "duplicate `{}` snapshot for period starting {}; first seen at row {first}",
                self.metric, self.period_start
            );
            asm.problem(pos, None, ("period_start", ProblemKind::Duplicate, reason));
            return false;
        }
        asm.snapshot_keys.insert(key, pos.row);
        true
    }
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.snapshots.push(a, self);
    }
}
impl Placed for Ticket {
    const KIND: &'static str = "ticket";
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.tickets.push(a, self);
    }
}
impl Placed for SurveyResponse {
    const KIND: &'static str = "survey";
    fn extra_checks(&self, asm: &mut Assembler, a: usize, pos: &Position) -> bool {
        let Some(c) = &self.contact_id else {
            return true;
        };
        match asm.contact_index.get(c) {
            Some(&ca) if ca == a => true,
            Some(_) => {
                let reason = format!("contact `{c}` belongs to another account");
                asm.problem(
                    pos,
                    Some(&self.id),
                    ("contact_id", ProblemKind::Inconsistent, reason),
                );
                false
            }
            None => {
                asm.unknown_ref(pos, Some(&self.id), "contact_id", c, "contact");
                false
            }
        }
    }
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.surveys.push(a, self);
    }
}
impl Placed for Meeting {
    const KIND: &'static str = "meeting";
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.meetings.push(a, self);
    }
}
impl Placed for Milestone {
    const KIND: &'static str = "milestone";
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.milestones.push(a, self);
    }
}
impl Placed for Opportunity {
    const KIND: &'static str = "opportunity";
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.opportunities.push(a, self);
    }
}
impl Placed for ArrSnapshot {
    const KIND: &'static str = "arr_snapshot";
    fn extra_checks(&self, asm: &mut Assembler, a: usize, pos: &Position) -> bool {
        if let Some(first) = asm.arr_keys.get(&(a, self.date)) {
            let reason = format!(
                "duplicate ARR snapshot for {}; first seen at row {first}",
                self.date
            );
            asm.problem(pos, None, ("date", ProblemKind::Duplicate, reason));
            return false;
        }
        asm.arr_keys.insert((a, self.date), pos.row);
        true
    }
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.arr_snapshots.push(a, self);
    }
}
impl Placed for RenewalOutcome {
    const KIND: &'static str = "renewal_outcome";
    fn store(self, asm: &mut Assembler, a: usize) {
        asm.outcomes.push(a, self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn account(id: &str) -> Account {
        Account {
            id: id.into(),
            name: format!("{id} Inc"),
            owner_csm: None,
            segment: None,
            tier: None,
            region: None,
            industry: None,
            plan: None,
            arr: Money::new(Decimal::new(1000, 0), Currency::new("USD").unwrap()),
            seats: None,
            start_date: d("2024-01-01"),
            renewal_date: Some(d("2025-01-01")),
            term_months: None,
            attributes: BTreeMap::new(),
        }
    }

    #[test]
    fn grouping_is_stable_and_in_place() {
        let mut c = Collected::default();
        for (a, x) in [(2, "a"), (0, "b"), (1, "c"), (0, "d"), (2, "e"), (3, "f")] {
            c.push(a, x);
        }
        let g = Grouped::build(c, 5);
        assert_eq!(g.items, ["b", "d", "c", "a", "e", "f"]);
        assert_eq!(g.of(0), ["b", "d"]);
        assert_eq!(g.of(2), ["a", "e"]);
        assert!(g.of(4).is_empty() && g.of(99).is_empty());
    }

    #[test]
    fn next_renewal_recurs_by_term_without_future_records() {
        let a = account("A");
        assert_eq!(
            a.next_renewal_on_or_after(d("2024-06-01")),
            Some(d("2025-01-01"))
        );
        assert_eq!(
            a.next_renewal_on_or_after(d("2025-01-01")),
            Some(d("2025-01-01"))
        );
        assert_eq!(
            a.next_renewal_on_or_after(d("2025-01-02")),
            Some(d("2026-01-01"))
        );
        let mut later = a.clone();
        later.renewal_date = Some(d("2027-01-01"));
        assert_eq!(
            later.next_renewal_on_or_after(d("2024-03-01")),
            Some(d("2025-01-01"))
        );
    }

    #[test]
    fn duplicates_and_unknown_references_are_reported_together() {
        let r = Records {
            accounts: vec![account("A"), account("A"), account("B")],
            contacts: vec![Contact {
                id: "c1".into(),
                account_id: "Z".into(),
                name: "Zed".into(),
                email: None,
                title: None,
            }],
            ..Default::default()
        };
        let err = Book::from_records(r.clone(), LoadMode::Strict).unwrap_err();
        let Error::Validation(report) = err else {
            panic!("expected validation error")
        };
        assert_eq!(report.problems.len(), 2);
        assert_eq!(report.problems[0].kind, ProblemKind::Duplicate);
        assert_eq!(report.problems[0].row, Some(2));
        assert_eq!(report.problems[1].kind, ProblemKind::UnknownReference);
        assert_eq!(report.problems[1].field.as_deref(), Some("account_id"));

        let (book, report) = Book::from_records(r, LoadMode::Lenient).unwrap();
        assert_eq!(book.accounts().len(), 2);
        assert_eq!(report.rejected.len(), 2);
        assert_eq!(&report.rejected[0].fields["id"], "A");
    }
}
