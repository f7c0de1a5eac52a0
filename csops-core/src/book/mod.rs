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

mod assemble;
mod checks;
mod records;
pub(crate) mod report;
#[cfg(test)]
mod tests;
mod usage;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::FxTable;
use crate::record::*;

use assemble::flatten_json;
pub(crate) use assemble::{Assembler, Origin, RowFields};
use records::Grouped;

/// The book's lookup maps (ids, natural keys). Their keys are the loaded data itself, not
/// keys a remote party picks to collide, so a fast hash (foldhash) serves them: with the
/// standard library's SipHash, hashing was a tenth of a load.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub use records::Records;
pub(crate) use report::{FieldProblem, Position};
pub use report::{
    FileCounts, LoadMode, Note, Problem, ProblemKind, RawFields, RejectedRow, ValidationReport,
};
pub use usage::{AccountUsage, UsageLog};
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

/// Record counts of a book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
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

impl BookCounts {
    /// The counts in one line, record types with none left out (accounts always shown):
    /// `300 accounts, 1364 contacts, 412 tickets`. Python's `repr` of a book shows it.
    pub fn summary(&self) -> String {
        let all = [
            ("accounts", self.accounts),
            ("contacts", self.contacts),
            ("contact roles", self.contact_roles),
            ("usage events", self.usage_events),
            ("usage snapshots", self.usage_snapshots),
            ("tickets", self.tickets),
            ("surveys", self.surveys),
            ("meetings", self.meetings),
            ("milestones", self.milestones),
            ("opportunities", self.opportunities),
            ("arr snapshots", self.arr_snapshots),
            ("renewal outcomes", self.renewal_outcomes),
        ];
        all.iter()
            .filter(|(name, n)| *n > 0 || *name == "accounts")
            .map(|(name, n)| format!("{n} {name}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A validated book of business, indexed per account. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct Book {
    accounts: Vec<Account>,
    account_index: Map<String, usize>,
    contacts: Grouped<Contact>,
    contact_index: Map<String, (usize, usize)>,
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
            asm.read(&p.file);
            let account = asm.account_of(&e.account_id);
            if !asm.add_usage_event(&p, account, &e.account_id, &e.user_id, &e.feature, ts) {
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
        asm.finish(mode, 1)
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
        self.latest_dates().into_values().max()
    }

    /// The latest date of each dated feed that has records, by its file's name
    /// (`usage_events`, `usage_snapshots`, `tickets`, `surveys`, `meetings`, `arr_snapshots`,
    /// `renewal_outcomes`): how fresh each input is. A ticket counts by the later of its
    /// opening and closing; a usage snapshot by its period's end.
    pub fn latest_dates(&self) -> BTreeMap<&'static str, NaiveDate> {
        let mut out = BTreeMap::new();
        let mut see = |feed: &'static str, d: NaiveDate| {
            let e = out.entry(feed).or_insert(d);
            *e = (*e).max(d);
        };
        self.usage
            .ts
            .iter()
            .filter_map(|&t| DateTime::<Utc>::from_timestamp_millis(t))
            .for_each(|t| see("usage_events", t.date_naive()));
        self.tickets.items.iter().for_each(|t| {
            see("tickets", t.opened);
            if let Some(c) = t.closed {
                see("tickets", c);
            }
        });
        self.surveys
            .items
            .iter()
            .for_each(|s| see("surveys", s.date));
        self.meetings
            .items
            .iter()
            .for_each(|m| see("meetings", m.date));
        self.snapshots
            .items
            .iter()
            .for_each(|s| see("usage_snapshots", s.period_end));
        self.arr_snapshots
            .items
            .iter()
            .for_each(|s| see("arr_snapshots", s.date));
        self.outcomes
            .items
            .iter()
            .for_each(|o| see("renewal_outcomes", o.renewal_date));
        out
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
