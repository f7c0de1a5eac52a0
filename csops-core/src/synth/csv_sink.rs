//! Streaming CSV output: each account's records written as they are generated, so memory
//! stays flat however large the book.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::book::BookCounts;
use crate::error::{Error, Result};
use crate::interchange::FILES;

use super::context::{AccountData, Ev};
use super::helpers::fx_table;
use super::model::FEATURES;
use super::vocabulary::ATTRIBUTES;

pub(super) struct CsvSink {
    dir: PathBuf,
    writers: Vec<(PathBuf, csv::Writer<BufWriter<fs::File>>)>,
    events: (PathBuf, BufWriter<fs::File>),
    day_cache: (i64, [u8; 10]),
}

/// Writer slots, in [`FILES`] order (usage events are written separately).
const W_ACCOUNTS: usize = 0;
const W_CONTACTS: usize = 1;
const W_ROLES: usize = 2;
const W_SNAPSHOTS: usize = 3;
const W_TICKETS: usize = 4;
const W_SURVEYS: usize = 5;
const W_MEETINGS: usize = 6;
const W_MILESTONES: usize = 7;
const W_OPPS: usize = 8;
const W_ARR: usize = 9;
const W_OUTCOMES: usize = 10;
const W_FX: usize = 11;

pub(super) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

fn o<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

impl CsvSink {
    pub(super) fn create(dir: &Path) -> Result<CsvSink> {
        let mut writers = Vec::new();
        let mut events = None;
        for f in FILES {
            let path = dir.join(format!("{}.csv", f.stem));
            let file = fs::File::create(&path).map_err(io_err(&path))?;
            let buf = BufWriter::with_capacity(1 << 20, file);
            let mut header: Vec<String> = f.columns.iter().map(|c| c.name.to_string()).collect();
            if f.stem == "accounts" {
                header.extend(ATTRIBUTES.iter().map(|a| format!("attr.{a}")));
            }
            if f.stem == "usage_events" {
                let mut buf = buf;
                writeln!(buf, "{}", header.join(",")).map_err(io_err(&path))?;
                events = Some((path, buf));
                continue;
            }
            let mut w = csv::Writer::from_writer(buf);
            w.write_record(&header).map_err(csv_err(&path))?;
            writers.push((path, w));
        }
        let events = events.ok_or_else(|| Error::Format {
            file: "usage_events.csv".into(),
            reason: "the layout has no usage_events file".into(),
        })?;
        Ok(CsvSink {
            dir: dir.to_path_buf(),
            writers,
            events,
            day_cache: (i64::MIN, [b'0'; 10]),
        })
    }

    fn row(&mut self, slot: usize, fields: &[String]) -> Result<()> {
        let (path, w) = &mut self.writers[slot];
        w.write_record(fields).map_err(csv_err(path))
    }

    pub(super) fn write_account(&mut self, d: &AccountData, counts: &mut BookCounts) -> Result<()> {
        let a = &d.account;
        let mut row = vec![
            a.id.clone(),
            a.name.clone(),
            o(&a.owner_csm),
            o(&a.segment),
            o(&a.tier),
            o(&a.region),
            o(&a.industry),
            o(&a.plan),
            a.arr.currency.to_string(),
            a.arr.amount.to_string(),
            o(&a.seats),
            a.start_date.to_string(),
            o(&a.renewal_date),
            o(&a.term_months),
        ];
        row.extend(
            ATTRIBUTES
                .iter()
                .map(|k| a.attributes.get(*k).cloned().unwrap_or_default()),
        );
        self.row(W_ACCOUNTS, &row)?;
        counts.accounts += 1;
        for c in &d.contacts {
            let row = [
                c.id.clone(),
                c.account_id.clone(),
                c.name.clone(),
                o(&c.email),
                o(&c.title),
            ];
            self.row(W_CONTACTS, &row)?;
        }
        counts.contacts += d.contacts.len();
        for c in &d.roles {
            let row = [
                c.contact_id.clone(),
                c.role.to_string(),
                c.added.to_string(),
                o(&c.removed),
            ];
            self.row(W_ROLES, &row)?;
        }
        counts.contact_roles += d.roles.len();
        self.write_events(&a.id, &d.events)?;
        counts.usage_events += d.events.len();
        for s in &d.snapshots {
            let row = [
                s.account_id.clone(),
                s.period_start.to_string(),
                s.period_end.to_string(),
                s.metric.clone(),
                s.value.map(|v| v.to_string()).unwrap_or_default(),
            ];
            self.row(W_SNAPSHOTS, &row)?;
        }
        counts.usage_snapshots += d.snapshots.len();
        for t in &d.tickets {
            let row = [
                t.id.clone(),
                t.account_id.clone(),
                t.opened.to_string(),
                o(&t.closed),
                t.priority.to_string(),
                t.status.to_string(),
                t.escalated.to_string(),
                o(&t.csat),
            ];
            self.row(W_TICKETS, &row)?;
        }
        counts.tickets += d.tickets.len();
        for s in &d.surveys {
            let row = [
                s.id.clone(),
                s.account_id.clone(),
                o(&s.contact_id),
                s.date.to_string(),
                s.kind.to_string(),
                s.score.to_string(),
                o(&s.comment),
            ];
            self.row(W_SURVEYS, &row)?;
        }
        counts.surveys += d.surveys.len();
        for m in &d.meetings {
            let roles: Vec<&str> = m.attendee_roles.iter().map(|r| r.as_str()).collect();
            let row = [
                m.id.clone(),
                m.account_id.clone(),
                m.kind.to_string(),
                m.date.to_string(),
                roles.join(";"),
            ];
            self.row(W_MEETINGS, &row)?;
        }
        counts.meetings += d.meetings.len();
        for m in &d.milestones {
            let row = [
                m.id.clone(),
                m.account_id.clone(),
                m.name.clone(),
                m.due.to_string(),
                o(&m.achieved),
            ];
            self.row(W_MILESTONES, &row)?;
        }
        counts.milestones += d.milestones.len();
        for p in &d.opportunities {
            let row = [
                p.id.clone(),
                p.account_id.clone(),
                p.kind.to_string(),
                p.amount.currency.to_string(),
                p.amount.amount.to_string(),
                p.close_date.to_string(),
                p.stage.clone(),
                p.status.to_string(),
                p.probability.to_string(),
                p.forecast_category.to_string(),
                o(&p.created),
            ];
            self.row(W_OPPS, &row)?;
        }
        counts.opportunities += d.opportunities.len();
        for s in &d.arr_snapshots {
            let row = [
                s.account_id.clone(),
                s.date.to_string(),
                s.arr.currency.to_string(),
                s.arr.amount.to_string(),
            ];
            self.row(W_ARR, &row)?;
        }
        counts.arr_snapshots += d.arr_snapshots.len();
        for x in &d.outcomes {
            let row = [
                x.id.clone(),
                x.account_id.clone(),
                x.renewal_date.to_string(),
                x.outcome.to_string(),
                x.arr_before.currency.to_string(),
                x.arr_before.amount.to_string(),
                x.arr_after.amount.to_string(),
            ];
            self.row(W_OUTCOMES, &row)?;
        }
        counts.renewal_outcomes += d.outcomes.len();
        Ok(())
    }

    /// Usage events, the bulk of the book: formatted by hand (no field ever needs quoting).
    fn write_events(&mut self, account: &str, events: &[Ev]) -> Result<()> {
        let mut line: Vec<u8> = Vec::with_capacity(64);
        let (path, w) = &mut self.events;
        for e in events {
            let day = e.ts.div_euclid(86_400);
            if day != self.day_cache.0 {
                let date = DateTime::<Utc>::from_timestamp(day * 86_400, 0)
                    .unwrap_or_default()
                    .date_naive()
                    .format("%Y-%m-%d")
                    .to_string();
                let mut b = [b'0'; 10];
                b.copy_from_slice(&date.as_bytes()[..10]);
                self.day_cache = (day, b);
            }
            let secs = e.ts.rem_euclid(86_400);
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            line.clear();
            line.extend_from_slice(account.as_bytes());
            line.extend_from_slice(b",u");
            push_uint(&mut line, e.user as u64 + 1);
            line.push(b',');
            line.extend_from_slice(FEATURES[e.feature as usize].as_bytes());
            line.push(b',');
            line.extend_from_slice(&self.day_cache.1);
            line.extend_from_slice(&[
                b'T',
                b'0' + (h / 10) as u8,
                b'0' + (h % 10) as u8,
                b':',
                b'0' + (m / 10) as u8,
                b'0' + (m % 10) as u8,
                b':',
                b'0' + (s / 10) as u8,
                b'0' + (s % 10) as u8,
                b'Z',
                b'\n',
            ]);
            w.write_all(&line).map_err(io_err(path))?;
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<Vec<PathBuf>> {
        let fx = fx_table();
        for (c, rate) in fx.rates() {
            let row = [
                c.to_string(),
                fx.reporting().to_string(),
                rate.to_string(),
                String::new(),
            ];
            self.row(W_FX, &row)?;
        }
        let CsvSink {
            dir,
            writers,
            events,
            ..
        } = self;
        let (path, mut w) = events;
        w.flush().map_err(io_err(&path))?;
        for (path, mut w) in writers {
            w.flush().map_err(io_err(&path))?;
        }
        Ok(FILES
            .iter()
            .map(|f| dir.join(format!("{}.csv", f.stem)))
            .collect())
    }
}

fn push_uint(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}
