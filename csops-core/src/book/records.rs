//! Records as lists and as stored in a book: [`Records`] (plain lists, what a book is built
//! from and turned back into), [`Grouped`] and [`Collected`] (one record type grouped by
//! account, and before grouping), and the [`Interner`] that numbers repeated strings.

use serde::{Deserialize, Serialize};

use crate::money::FxTable;
use crate::record::*;
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
    pub(super) items: Vec<T>,
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
    pub(super) fn build(c: Collected<T>, n_accounts: usize) -> Self {
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
    pub(super) fn of(&self, account: usize) -> &[T] {
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
    pub(super) fn push(&mut self, account: usize, item: T) {
        self.owners.push(account as u32);
        self.items.push(item);
    }
}

/// A string interner: each distinct string gets a dense `u32` id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    ids: super::Map<String, u32>,
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
