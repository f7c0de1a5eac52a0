//! Deriving features from a book as of a day ([`features_as_of`]): one pass over each
//! account's records, seeing only what was known on that day.

use chrono::{NaiveDate, NaiveTime};

use super::config::FeatureConfig;
use super::frame::{FeatureColumn, FeatureFrame, MissingNote, MissingWhy};
use super::names;
use crate::book::Book;
use crate::error::{Error, Result};
use crate::record::{Outcome, Role, SurveyKind};

const DAY_MS: i64 = 86_400_000;

fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

fn days_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64
}

/// Derive every feature for every account as of `as_of` (inclusive). See the [module
/// docs](super) for the definitions.
///
/// ```
/// use csops_core::book::{Book, LoadMode, Records};
/// use csops_core::features::{features_as_of, FeatureConfig};
/// let (book, _) = Book::from_records(Records::default(), LoadMode::Strict)?;
/// let frame = features_as_of(&book, "2025-03-31".parse().unwrap(), &FeatureConfig::default())?;
/// assert!(frame.is_empty());
/// # Ok::<(), csops_core::Error>(())
/// ```
pub fn features_as_of(book: &Book, as_of: NaiveDate, cfg: &FeatureConfig) -> Result<FeatureFrame> {
    crate::fault::checkpoint("features_as_of");
    features_of(book, as_of, cfg, None)
}

/// [`features_as_of`] for the accounts whose index is flagged in `only` (all when `None`):
/// a back-test scoring a few renewing accounts per day need not derive the whole book.
pub(crate) fn features_of(
    book: &Book,
    as_of: NaiveDate,
    cfg: &FeatureConfig,
    only: Option<&[bool]>,
) -> Result<FeatureFrame> {
    cfg.validate()?;
    let usage = book.usage();
    let end_ms = day_start_ms(as_of) + DAY_MS; // exclusive
    let uw = cfg.usage_window_days as i64;
    let start_ms = end_ms - uw * DAY_MS;
    let prev_start_ms = start_ms - uw * DAY_MS;
    let dw = cfg.dau_mau_window_days as i64;
    let dau_start_ms = end_ms - dw * DAY_MS;
    // The earliest day each window reaches back to; an as-of day so early that a window would
    // leave the calendar is an error, not a panic.
    let from = |n: u32, what: &str| {
        as_of
            .checked_sub_days(chrono::Days::new(2 * n as u64))
            .map(|_| as_of - chrono::Days::new(n as u64 - 1))
            .ok_or_else(|| {
                Error::Config(vec![format!(
                    "as-of day {as_of} is too early for the {what} window"
                )])
            })
    };
    let ticket_from = from(cfg.ticket_window_days, "ticket")?;
    let csat_from = from(cfg.csat_window_days, "CSAT")?;
    let nps_from = from(cfg.nps_window_days, "NPS")?;
    from(cfg.usage_window_days, "usage")?;
    from(cfg.dau_mau_window_days, "DAU/MAU")?;

    // Feature id → bit of the key-feature mask.
    let mut key_bit: Vec<u64> = vec![0; usage.feature_count()];
    for (i, f) in cfg.key_features.iter().enumerate() {
        if let Some(id) = usage.feature_id(f) {
            key_bit[id as usize] = 1u64 << i;
        }
    }
    let login = usage.feature_id(&cfg.login_feature);
    let n_keys = cfg.key_features.len() as f64;

    // Per-member scratch, reset after each account through `touched`.
    let mut dau_mask = vec![0u64; usage.member_count()];
    let mut active = vec![false; usage.member_count()];
    let mut touched: Vec<u32> = Vec::new();

    let names = cfg.column_names();
    let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(book.accounts().len()); names.len()];
    let mut notes: Vec<MissingNote> = Vec::new();
    let mut ids = Vec::with_capacity(book.accounts().len());

    let n_accounts = book.accounts().len() as u64;
    cfg.progress
        .report("deriving features", 0, Some(n_accounts), "accounts")?;
    for (a, account) in book.accounts().iter().enumerate() {
        if (a as u64 + 1).is_multiple_of(crate::progress::EVERY) {
            cfg.progress
                .report("deriving features", a as u64, Some(n_accounts), "accounts")?;
        }
        if account.start_date > as_of || only.is_some_and(|o| !o[a]) {
            continue;
        }
        if !cfg.include_churned
            && book
                .renewal_outcomes_of(a)
                .iter()
                .any(|o| o.outcome == Outcome::Churned && o.renewal_date <= as_of)
        {
            continue;
        }
        ids.push(account.id.clone());
        let mut row = [f64::NAN; 15];

        // Usage: one pass over this account's events.
        let u = usage.of(a);
        let (mut any, mut last, mut logins, mut cur, mut prev, mut keys) =
            (false, i64::MIN, 0u64, 0u64, 0u64, 0u64);
        for i in 0..u.ts.len() {
            let t = u.ts[i];
            if t >= end_ms {
                continue;
            }
            any = true;
            last = last.max(t);
            if t >= start_ms {
                cur += 1;
                let m = u.member[i] as usize;
                if !active[m] && dau_mask[m] == 0 {
                    touched.push(m as u32);
                }
                active[m] = true;
                keys |= key_bit[u.feature[i] as usize];
                if Some(u.feature[i]) == login {
                    logins += 1;
                }
            } else if t >= prev_start_ms {
                prev += 1;
            }
            if t >= dau_start_ms {
                let m = u.member[i] as usize;
                if !active[m] && dau_mask[m] == 0 {
                    touched.push(m as u32);
                }
                dau_mask[m] |= 1u64 << ((end_ms - 1 - t) / DAY_MS);
            }
        }
        let (mut active_users, mut mau, mut user_days) = (0u64, 0u64, 0u64);
        for &m in &touched {
            let m = m as usize;
            active_users += active[m] as u64;
            if dau_mask[m] != 0 {
                mau += 1;
                user_days += dau_mask[m].count_ones() as u64;
            }
            active[m] = false;
            dau_mask[m] = 0;
        }
        touched.clear();
        if any {
            row[0] = if active_users == 0 {
                0.0
            } else {
                logins as f64 / active_users as f64 / (uw as f64 / 7.0)
            };
            row[1] = if mau == 0 {
                0.0
            } else {
                user_days as f64 / (dw as f64 * mau as f64)
            };
            row[2] = keys.count_ones() as f64 / n_keys;
            if let Some(seats) = account.seats.filter(|&s| s > 0) {
                row[3] = active_users as f64 / seats as f64;
            }
            row[4] = ((end_ms - 1 - last) / DAY_MS) as f64;
            row[5] = match (prev, cur) {
                (0, 0) => 0.0,
                (0, _) => f64::NAN,
                (p, c) => (c as f64 - p as f64) / p as f64 * 100.0,
            };
        }

        // Support.
        let tickets = book.tickets_of(a);
        let (mut opened, mut open_high, mut csat_sum, mut csat_n) = (0u32, 0u32, 0u32, 0u32);
        for t in tickets.iter().filter(|t| t.opened <= as_of) {
            if t.opened >= ticket_from {
                opened += 1;
            }
            let still_open = t.closed.is_none_or(|c| c > as_of);
            if still_open && t.priority.is_high() {
                open_high += 1;
            }
            if let (Some(c), Some(score)) = (t.closed, t.csat)
                && c <= as_of
                && c >= csat_from
            {
                csat_sum += score as u32;
                csat_n += 1;
            }
        }
        row[6] = opened as f64;
        row[7] = open_high as f64;
        let (mut promoters, mut detractors, mut nps_n) = (0u32, 0u32, 0u32);
        for s in book.surveys_of(a).iter().filter(|s| s.date <= as_of) {
            match s.kind {
                SurveyKind::Csat if s.date >= csat_from => {
                    csat_sum += s.score as u32;
                    csat_n += 1;
                }
                SurveyKind::Nps if s.date >= nps_from => {
                    nps_n += 1;
                    if s.score >= 9 {
                        promoters += 1;
                    } else if s.score <= 6 {
                        detractors += 1;
                    }
                }
                _ => {}
            }
        }
        if csat_n > 0 {
            row[8] = csat_sum as f64 / csat_n as f64;
        } else if let Some(last) = last_csat(tickets, book.surveys_of(a), as_of) {
            stale(
                &mut notes,
                &account.id,
                names::AVG_CSAT,
                last,
                cfg.csat_window_days,
            );
        }
        if nps_n > 0 {
            row[9] = (promoters as f64 - detractors as f64) / nps_n as f64 * 100.0;
        } else if let Some(last) = book
            .surveys_of(a)
            .iter()
            .filter(|s| s.kind == SurveyKind::Nps && s.date <= as_of)
            .map(|s| s.date)
            .max()
        {
            stale(
                &mut notes,
                &account.id,
                names::NPS,
                last,
                cfg.nps_window_days,
            );
        }

        // Relationship.
        let roles = book.roles_of(a);
        let holds = |r: Role| roles.iter().any(|c| c.role == r && c.active_on(as_of));
        row[10] = holds(Role::ExecutiveSponsor) as u8 as f64;
        row[11] = holds(Role::Champion) as u8 as f64;
        if let Some(last_ebr) = book
            .meetings_of(a)
            .iter()
            .filter(|m| m.kind.is_business_review() && m.date <= as_of)
            .map(|m| m.date)
            .max()
        {
            row[12] = days_between(last_ebr, as_of);
        }

        // Outcomes and contract.
        let due: Vec<_> = book
            .milestones_of(a)
            .iter()
            .filter(|m| m.due <= as_of)
            .collect();
        if !due.is_empty() {
            let achieved = due
                .iter()
                .filter(|m| m.achieved.is_some_and(|d| d <= as_of))
                .count();
            row[13] = achieved as f64 / due.len() as f64;
        }
        if let Some(r) = account.next_renewal_on_or_after(as_of) {
            row[14] = days_between(as_of, r);
        }

        for (c, v) in row.iter().enumerate() {
            cols[c].push(*v);
        }
        for (k, metric) in cfg.snapshot_metrics.iter().enumerate() {
            // The latest period that ended by the day, with or without a value: a blank last
            // quarter is missing, never the quarter before.
            let latest = book
                .usage_snapshots_of(a)
                .iter()
                .filter(|s| &s.metric == metric && s.period_end <= as_of)
                .max_by_key(|s| s.period_end);
            let max_age = cfg
                .max_age_days
                .get(metric)
                .copied()
                .unwrap_or(cfg.snapshot_max_age_days);
            let v = match latest {
                None => f64::NAN,
                Some(s) if (as_of - s.period_end).num_days() > max_age as i64 => {
                    stale(
                        &mut notes,
                        &account.id,
                        &names[names::ALL.len() + k],
                        s.period_end,
                        max_age,
                    );
                    f64::NAN
                }
                Some(s) => match s.value {
                    Some(v) => v,
                    None => {
                        notes.push(MissingNote {
                            account_id: account.id.clone(),
                            feature: names[names::ALL.len() + k].clone(),
                            why: MissingWhy::NoValueForPeriod {
                                period_end: s.period_end,
                            },
                        });
                        f64::NAN
                    }
                },
            };
            cols[names::ALL.len() + k].push(v);
        }
    }

    cfg.progress.report(
        "deriving features",
        n_accounts,
        Some(n_accounts),
        "accounts",
    )?;
    Ok(FeatureFrame {
        as_of,
        account_ids: ids,
        columns: names
            .into_iter()
            .zip(cols)
            .map(|(name, values)| FeatureColumn { name, values })
            .collect(),
        missing_notes: notes,
    })
}

/// Note that `feature` of an account is missing because its last value, from `last`, is older
/// than `max_age` days.
fn stale(
    notes: &mut Vec<MissingNote>,
    account_id: &str,
    feature: &str,
    last: NaiveDate,
    max_age: u32,
) {
    let stale_since = last
        .checked_add_days(chrono::Days::new(max_age as u64 + 1))
        .unwrap_or(NaiveDate::MAX);
    notes.push(MissingNote {
        account_id: account_id.to_string(),
        feature: feature.to_string(),
        why: MissingWhy::Stale {
            last_value_on: last,
            stale_since,
        },
    });
}

/// The day of the latest CSAT (a closed ticket's or a survey's) on or before the day.
fn last_csat(
    tickets: &[crate::record::Ticket],
    surveys: &[crate::record::SurveyResponse],
    as_of: NaiveDate,
) -> Option<NaiveDate> {
    let t = tickets
        .iter()
        .filter(|t| t.csat.is_some())
        .filter_map(|t| t.closed)
        .filter(|c| *c <= as_of)
        .max();
    let s = surveys
        .iter()
        .filter(|s| s.kind == SurveyKind::Csat && s.date <= as_of)
        .map(|s| s.date)
        .max();
    t.max(s)
}
