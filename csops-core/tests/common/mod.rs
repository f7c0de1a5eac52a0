//! Random valid books for property tests. Text fields include commas, quotes, newlines and
//! non-ASCII so the CSV and JSON writers' quoting is exercised.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use csops_core::book::Records;
use csops_core::money::{Currency, FxTable, Money};
use csops_core::record::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

pub fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

fn date(rng: &mut ChaCha8Rng, from: NaiveDate, span: u64) -> NaiveDate {
    from + Days::new(rng.random_range(0..span.max(1)))
}

fn text(rng: &mut ChaCha8Rng) -> String {
    const PARTS: &[&str] = &[
        "Acme",
        "Beta, Inc",
        "Zoë",
        "\"Quoted\"",
        "multi\nline",
        "O'Neil",
        "東京",
        "x;y",
    ];
    let mut s = PARTS[rng.random_range(0..PARTS.len())].to_string();
    if rng.random_bool(0.5) {
        s.push(' ');
        s.push_str(PARTS[rng.random_range(0..PARTS.len())]);
    }
    s
}

fn maybe<T>(rng: &mut ChaCha8Rng, p: f64, f: impl FnOnce(&mut ChaCha8Rng) -> T) -> Option<T> {
    if rng.random_bool(p) {
        Some(f(rng))
    } else {
        None
    }
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

fn amount(rng: &mut ChaCha8Rng) -> Decimal {
    Decimal::new(
        rng.random_range(0..10_000_000_000i64),
        rng.random_range(0..4),
    )
}

const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY"];
const FEATURES: &[&str] = &[
    "login",
    "reports",
    "dashboards",
    "api",
    "settings",
    "sharing",
];

/// A random valid book with `n` accounts, dated from 2024-01-01 over about two years.
pub fn random_records(seed: u64, n: usize) -> Records {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let r = &mut rng;
    let base = base_date();
    let mut rec = Records::default();
    for i in 0..n {
        let cur = Currency::new(pick(r, CURRENCIES)).unwrap();
        let start = date(r, base, 300);
        let mut attributes = BTreeMap::new();
        for _ in 0..r.random_range(0..3) {
            attributes.insert(
                pick(r, &["source", "csm_notes", "plan_family"]).to_string(),
                text(r),
            );
        }
        let id = format!("A{i}");
        rec.accounts.push(Account {
            id: id.clone(),
            name: text(r),
            owner_csm: maybe(r, 0.8, text),
            segment: maybe(r, 0.8, |r| pick(r, &["enterprise", "smb"]).to_string()),
            tier: maybe(r, 0.5, |r| {
                pick(r, &["high_touch", "tech_touch"]).to_string()
            }),
            region: maybe(r, 0.7, |r| pick(r, &["EMEA", "NA"]).to_string()),
            industry: maybe(r, 0.5, text),
            plan: maybe(r, 0.5, |r| pick(r, &["pro", "team"]).to_string()),
            arr: Money::new(amount(r), cur),
            seats: maybe(r, 0.7, |r| r.random_range(0..500)),
            start_date: start,
            renewal_date: maybe(r, 0.8, |r| date(r, start, 900)),
            term_months: maybe(r, 0.3, |r| pick(r, &[6, 12, 24])),
            attributes,
        });
        let mut contacts = Vec::new();
        for k in 0..r.random_range(0..4) {
            let cid = format!("{id}-C{k}");
            contacts.push(cid.clone());
            rec.contacts.push(Contact {
                id: cid.clone(),
                account_id: id.clone(),
                name: text(r),
                email: maybe(r, 0.5, |_| format!("c{k}@example.com")),
                title: maybe(r, 0.5, text),
            });
            for _ in 0..r.random_range(0..3) {
                let added = date(r, base, 700);
                let role = pick(r, Role::ALL);
                // One spell per contact, role and first day (a repeat is a duplicate).
                if rec
                    .contact_roles
                    .iter()
                    .any(|x| x.contact_id == cid && x.role == role && x.added == added)
                {
                    continue;
                }
                rec.contact_roles.push(ContactRole {
                    contact_id: cid.clone(),
                    role,
                    added,
                    removed: maybe(r, 0.4, |r| date(r, added, 300)),
                });
            }
        }
        let t0 = base
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        for _ in 0..r.random_range(0..40) {
            let ms = t0 + r.random_range(0..(730i64 * 86_400_000));
            rec.usage_events.push(UsageEvent {
                account_id: id.clone(),
                user_id: format!("u{}", r.random_range(0..5)),
                feature: pick(r, FEATURES).to_string(),
                timestamp: DateTime::<Utc>::from_timestamp_millis(ms).unwrap(),
            });
        }
        for m in 0..r.random_range(0..6u64) {
            let ps = base + Days::new(30 * m);
            rec.usage_snapshots.push(UsageSnapshot {
                account_id: id.clone(),
                period_start: ps,
                period_end: ps + Days::new(29),
                metric: pick(r, &["active_users", "api_calls"]).to_string() + &m.to_string(),
                value: Some(r.random_range(-1e6..1e6)),
            });
        }
        for k in 0..r.random_range(0..6) {
            let opened = date(r, base, 700);
            let closed = maybe(r, 0.7, |r| date(r, opened, 30));
            let status = match closed {
                Some(_) => pick(r, TicketStatus::ALL),
                None => pick(r, &[TicketStatus::Open, TicketStatus::Pending]),
            };
            rec.tickets.push(Ticket {
                id: format!("{id}-T{k}"),
                account_id: id.clone(),
                opened,
                closed,
                priority: pick(r, Priority::ALL),
                status,
                escalated: r.random_bool(0.2),
                csat: maybe(r, 0.4, |r| r.random_range(1..=5)),
            });
        }
        for k in 0..r.random_range(0..5) {
            let kind = pick(r, SurveyKind::ALL);
            let (lo, hi) = kind.range();
            rec.surveys.push(SurveyResponse {
                id: format!("{id}-S{k}"),
                account_id: id.clone(),
                contact_id: if contacts.is_empty() {
                    None
                } else {
                    maybe(r, 0.5, |r| {
                        contacts[r.random_range(0..contacts.len())].clone()
                    })
                },
                date: date(r, base, 700),
                kind,
                score: r.random_range(lo..=hi),
                comment: maybe(r, 0.3, text),
            });
        }
        for k in 0..r.random_range(0..4) {
            let roles = (0..r.random_range(0..3))
                .map(|_| pick(r, Role::ALL))
                .collect();
            rec.meetings.push(Meeting {
                id: format!("{id}-M{k}"),
                account_id: id.clone(),
                kind: pick(r, MeetingKind::ALL),
                date: date(r, base, 700),
                attendee_roles: roles,
            });
        }
        for k in 0..r.random_range(0..4) {
            let due = date(r, base, 700);
            rec.milestones.push(Milestone {
                id: format!("{id}-MS{k}"),
                account_id: id.clone(),
                name: text(r),
                due,
                achieved: maybe(r, 0.5, |r| date(r, due - Days::new(60), 120)),
            });
        }
        for k in 0..r.random_range(0..3) {
            let created = maybe(r, 0.6, |r| date(r, base, 500));
            rec.opportunities.push(Opportunity {
                id: format!("{id}-O{k}"),
                account_id: id.clone(),
                kind: pick(r, OpportunityKind::ALL),
                amount: Money::new(amount(r), cur),
                close_date: date(r, created.unwrap_or(base), 300),
                stage: text(r),
                status: pick(r, OpportunityStatus::ALL),
                probability: r.random_range(0.0..=1.0),
                forecast_category: pick(r, ForecastCategory::ALL),
                created,
            });
        }
        for m in 0..r.random_range(0..5u64) {
            rec.arr_snapshots.push(ArrSnapshot {
                account_id: id.clone(),
                date: base + Days::new(91 * m),
                arr: Money::new(amount(r), cur),
            });
        }
        for k in 0..r.random_range(0..3) {
            let outcome = pick(r, Outcome::ALL);
            let before = Decimal::new(r.random_range(2..1_000_000), 2);
            let after = match outcome {
                Outcome::Churned => Decimal::ZERO,
                Outcome::Renewed => before,
                Outcome::Contracted => before / Decimal::TWO,
                Outcome::Expanded => before * Decimal::TWO,
            };
            rec.renewal_outcomes.push(RenewalOutcome {
                id: format!("{id}-R{k}"),
                account_id: id.clone(),
                renewal_date: date(r, base, 700),
                outcome,
                arr_before: Money::new(before, cur),
                arr_after: Money::new(after, cur),
            });
        }
    }
    if r.random_bool(0.5) {
        let mut fx = FxTable::new(Currency::new("USD").unwrap());
        fx.set_rate(Currency::new("EUR").unwrap(), "1.0831".parse().unwrap())
            .unwrap();
        fx.set_rate(Currency::new("GBP").unwrap(), "1.27".parse().unwrap())
            .unwrap();
        rec.fx = Some(fx);
    }
    rec
}

/// Records dated strictly after `as_of` for the accounts of `base` (plus a new account that
/// starts after `as_of`): adding them must not change any feature as of `as_of`.
pub fn future_records(seed: u64, base: &Records, as_of: NaiveDate) -> Records {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let r = &mut rng;
    let after = |r: &mut ChaCha8Rng| as_of + Days::new(r.random_range(1..400));
    let mut f = Records::default();
    let end_ms = (as_of + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let cur = Currency::new("USD").unwrap();
    f.accounts.push(Account {
        id: "LATE".into(),
        name: "Late Co".into(),
        owner_csm: None,
        segment: None,
        tier: None,
        region: None,
        industry: None,
        plan: None,
        arr: Money::new(Decimal::ONE, cur),
        seats: Some(3),
        start_date: after(r),
        renewal_date: None,
        term_months: None,
        attributes: BTreeMap::new(),
    });
    for (i, a) in base.accounts.iter().enumerate() {
        let id = &a.id;
        for _ in 0..r.random_range(0..10) {
            f.usage_events.push(UsageEvent {
                account_id: id.clone(),
                user_id: format!("u{}", r.random_range(0..8)),
                feature: pick(r, FEATURES).to_string(),
                timestamp: DateTime::<Utc>::from_timestamp_millis(
                    end_ms + r.random_range(0..(300i64 * 86_400_000)),
                )
                .unwrap(),
            });
        }
        let opened = after(r);
        f.tickets.push(Ticket {
            id: format!("F{i}-T"),
            account_id: id.clone(),
            opened,
            closed: None,
            priority: Priority::Urgent,
            status: TicketStatus::Open,
            escalated: true,
            csat: None,
        });
        f.surveys.push(SurveyResponse {
            id: format!("F{i}-S"),
            account_id: id.clone(),
            contact_id: None,
            date: after(r),
            kind: SurveyKind::Nps,
            score: 0,
            comment: None,
        });
        f.meetings.push(Meeting {
            id: format!("F{i}-M"),
            account_id: id.clone(),
            kind: MeetingKind::Ebr,
            date: after(r),
            attendee_roles: vec![],
        });
        let due = after(r);
        f.milestones.push(Milestone {
            id: format!("F{i}-MS"),
            account_id: id.clone(),
            name: "later".into(),
            due,
            achieved: Some(due),
        });
        f.contacts.push(Contact {
            id: format!("F{i}-C"),
            account_id: id.clone(),
            name: "New".into(),
            email: None,
            title: None,
        });
        f.contact_roles.push(ContactRole {
            contact_id: format!("F{i}-C"),
            role: Role::ExecutiveSponsor,
            added: after(r),
            removed: None,
        });
        let ps = after(r);
        f.usage_snapshots.push(UsageSnapshot {
            account_id: id.clone(),
            period_start: ps,
            period_end: ps,
            metric: "active_users0".into(),
            value: Some(1.0),
        });
        f.renewal_outcomes.push(RenewalOutcome {
            id: format!("F{i}-R"),
            account_id: id.clone(),
            renewal_date: after(r),
            outcome: Outcome::Churned,
            arr_before: Money::new(Decimal::ONE, a.arr.currency),
            arr_after: Money::new(Decimal::ZERO, a.arr.currency),
        });
        f.arr_snapshots.push(ArrSnapshot {
            account_id: id.clone(),
            date: after(r) + Days::new(900),
            arr: Money::new(Decimal::ONE, cur),
        });
    }
    f
}

/// Append `more` to `base`.
pub fn extend(mut base: Records, more: Records) -> Records {
    base.accounts.extend(more.accounts);
    base.contacts.extend(more.contacts);
    base.contact_roles.extend(more.contact_roles);
    base.usage_events.extend(more.usage_events);
    base.usage_snapshots.extend(more.usage_snapshots);
    base.tickets.extend(more.tickets);
    base.surveys.extend(more.surveys);
    base.meetings.extend(more.meetings);
    base.milestones.extend(more.milestones);
    base.opportunities.extend(more.opportunities);
    base.arr_snapshots.extend(more.arr_snapshots);
    base.renewal_outcomes.extend(more.renewal_outcomes);
    base
}
