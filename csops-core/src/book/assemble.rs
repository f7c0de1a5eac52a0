//! Building a book record by record: the [`Assembler`] that vets each record, resolves its
//! account, collects every problem and rejected row, and finally groups what was kept into a
//! [`Book`]; and [`Placed`], what each record type adds to the book-level checks and where it
//! is stored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::checks::Check;
use super::records::{Collected, Grouped, Interner};
use super::report::{
    FieldProblem, FileCounts, LoadMode, Note, Position, Problem, ProblemKind, RawFields,
    RejectedRow, ValidationReport,
};
use super::usage::UsageLogBuilder;
use super::{Book, Map};
use crate::error::{Error, Result};
use crate::money::FxTable;
use crate::record::*;
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
    account_index: Map<String, usize>,
    account_rows: Map<String, u64>,
    contacts: Collected<Contact>,
    contact_index: Map<String, usize>,
    contact_rows: Map<String, u64>,
    roles: Collected<ContactRole>,
    usage: UsageLogBuilder,
    snapshots: Collected<UsageSnapshot>,
    snapshot_keys: Map<(u32, u32, NaiveDate), u64>,
    metrics: Interner,
    tickets: Collected<Ticket>,
    surveys: Collected<SurveyResponse>,
    meetings: Collected<Meeting>,
    milestones: Collected<Milestone>,
    opportunities: Collected<Opportunity>,
    arr_snapshots: Collected<ArrSnapshot>,
    arr_keys: Map<(usize, NaiveDate), u64>,
    /// Files whose header-less column with values was reported (once per file).
    pub(crate) unheaded_reported: std::collections::HashSet<String>,
    /// First row of each contact-role spell: (contact, role, first day).
    role_keys: Map<(String, crate::record::Role, NaiveDate), u64>,
    outcomes: Collected<RenewalOutcome>,
    /// First row of each id, per record kind (looked up by `&str`, no allocation).
    ids: Map<&'static str, Map<String, u64>>,
    pub(crate) fx: Option<FxTable>,
    pub(crate) report: ValidationReport,
    /// The column names of the last rejected row, shared with the next ones that have them.
    rejected_names: Option<std::sync::Arc<[String]>>,
    /// Per file: usage timestamps with digits below the millisecond (how many, first row).
    finer_than_ms: BTreeMap<String, (u64, u64)>,
    /// The counts of the file being read, out of `report.files` until another file is counted
    /// or the book is finished.
    hot: Option<(String, FileCounts)>,
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
        self.report.problems.push(Problem::at(pos, record_id, p));
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

    /// Update a file's counts. Rows come a file at a time, so the counts of the file being
    /// read are kept at hand ([`Assembler::hot`]) rather than looked up by name for every row
    /// (twice a row: read, then loaded or rejected).
    fn bump(&mut self, file: &str, f: impl FnOnce(&mut FileCounts)) {
        if let Some((name, c)) = &mut self.hot
            && name == file
        {
            f(c);
            return;
        }
        self.put_back_hot();
        let mut c = self.report.files.remove(file).unwrap_or_default();
        f(&mut c);
        self.hot = Some((file.to_string(), c));
    }

    /// Return the counts at hand to the report.
    fn put_back_hot(&mut self) {
        if let Some((name, c)) = self.hot.take() {
            self.report.files.insert(name, c);
        }
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

    /// The index of an accepted account.
    pub(crate) fn account_of(&self, id: &str) -> Option<usize> {
        self.account_index.get(id).copied()
    }

    /// The account index, lent out while a usage file's rows are read on another thread
    /// (which resolves each event's account); give it back with
    /// [`Assembler::return_account_index`] before anything else is added.
    pub(crate) fn lend_account_index(&mut self) -> Map<String, usize> {
        std::mem::take(&mut self.account_index)
    }

    /// Give back the index [`Assembler::lend_account_index`] lent.
    pub(crate) fn return_account_index(&mut self, index: Map<String, usize>) {
        self.account_index = index;
    }

    /// Add one usage event without allocating (the hot path of loading telemetry), its account
    /// already resolved (`None`: unknown, `account_id` says which). Records any problem and
    /// returns false when the event is not kept; the caller then lists the row with
    /// [`Assembler::reject`]. The reader has counted the row.
    pub(crate) fn add_usage_event(
        &mut self,
        pos: &Position,
        account: Option<usize>,
        account_id: &str,
        user_id: &str,
        feature: &str,
        ts_ms: i64,
    ) -> bool {
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
        match account {
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

    /// The book and its report. With `threads` above one, the usage log (the largest part)
    /// is grouped on a second thread while the other records are grouped on this one.
    pub(crate) fn finish(
        mut self,
        mode: LoadMode,
        threads: usize,
    ) -> Result<(Book, ValidationReport)> {
        self.put_back_hot();
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
            hot: _,
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
        let group_the_rest = move || {
            let contacts = Grouped::build(contacts, n);
            let mut contact_index =
                Map::with_capacity_and_hasher(contacts.items.len(), Default::default());
            for a in 0..n {
                for (k, c) in contacts.of(a).iter().enumerate() {
                    contact_index.insert(c.id.clone(), (a, k));
                }
            }
            (
                contacts,
                contact_index,
                Grouped::build(roles, n),
                Grouped::build(snapshots, n),
                Grouped::build(tickets, n),
                Grouped::build(surveys, n),
                Grouped::build(meetings, n),
                Grouped::build(milestones, n),
                Grouped::build(opportunities, n),
                Grouped::build(arr_snapshots, n),
                Grouped::build(outcomes, n),
            )
        };
        let (usage, rest) = if threads > 1 {
            std::thread::scope(|scope| {
                let usage = scope.spawn(move || usage.finish(n));
                let rest = group_the_rest();
                let usage = usage
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (usage, rest)
            })
        } else {
            (usage.finish(n), group_the_rest())
        };
        let (
            contacts,
            contact_index,
            roles,
            snapshots,
            tickets,
            surveys,
            meetings,
            milestones,
            opportunities,
            arr_snapshots,
            outcomes,
        ) = rest;
        let book = Book {
            account_index,
            contacts,
            contact_index,
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
            accounts,
        };
        Ok((book, report))
    }
}

/// A serialised record as column → text, for listing a rejected in-memory record.
pub(super) fn flatten_json<T: Serialize>(r: &T) -> BTreeMap<String, String> {
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
