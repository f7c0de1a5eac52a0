//! Usage events stored by column: [`UsageLog`] (a book's events, grouped by account),
//! [`AccountUsage`] (one account's slice of it) and the builder that fills it one event at a
//! time.

use chrono::{DateTime, Utc};

use super::records::Interner;
use crate::record::{Account, UsageEvent};
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
    pub(super) ts: Vec<i64>,
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
    members: super::Map<(u32, u32), u32>,
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
