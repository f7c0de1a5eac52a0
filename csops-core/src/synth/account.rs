//! The generator of one account: every record of it ([`gen_account`]), drawn from its own
//! random streams so it does not depend on the rest of the book.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rand::SeedableRng;

use crate::record::*;

use super::context::{AccountData, Ctx, Ev, Ids, next_id};
use super::helpers::{
    R, chance, currency, day_secs, days, int, money, month_end, months, normal, pick, poisson,
    sigmoid, stream_seed, unif, weighted,
};
use super::model::{
    ADOPTION_WEIGHT, CHURN_NOISE_SD, EVENT_STREAM, F_API, F_LOGIN, F_SEARCH, F_SETTINGS,
    REGION_UTC_HOUR, REGIONS, SEGMENTS, SPONSOR_LOST_DAYS, Traits, View, churn_logit, sponsor_lost,
};
use super::people::{Person, Spell, departures, holds};
use super::vocabulary::{
    ADMIN_TITLES, CHAMPION_TITLES, DETRACTOR_COMMENTS, FIRST_NAMES, INDUSTRIES, LAST_NAMES,
    LEGAL_SUFFIX, NAME_NOUNS, NAME_PREFIXES, ONBOARDING_MILESTONES, OTHER_TITLES, PASSIVE_COMMENTS,
    PROMOTER_COMMENTS, SPONSOR_TITLES, SUCCESS_MILESTONES,
};

pub(super) fn gen_account(ctx: &Ctx, idx: usize, ids: &mut Ids) -> AccountData {
    let mut rng = R::seed_from_u64(stream_seed(ctx.seed, idx as u64));
    let r = &mut rng;
    let miss = ctx.missing;
    let end = ctx.end;
    let last_day = days(end, -1);
    let id = format!("A-{:0w$}", idx + 1, w = ctx.id_width);

    // --- Firmographics -------------------------------------------------------------------
    let seg = weighted(r, &[0.55, 0.33, 0.12]);
    let region = weighted(r, &[0.45, 0.30, 0.15, 0.10]);
    let cur = if region == 1 {
        ["EUR", "GBP", "USD"][weighted(r, &[0.45, 0.30, 0.25])]
    } else {
        "USD"
    };
    let price_factor = match cur {
        "EUR" => 0.92,
        "GBP" => 0.79,
        _ => 1.0,
    };
    let currency = currency(cur);
    let existing = chance(r, ctx.existing_share);
    let window_days = (end - ctx.start).num_days().max(1);
    let drawn = if existing {
        days(ctx.start, -int(r, 30, 3 * 365))
    } else {
        days(ctx.start, int(r, 0, window_days - 1))
    };
    let dom = match weighted(r, &[0.4, 0.15, 0.45]) {
        0 => 1,
        1 => 15,
        _ => int(r, 2, 28) as u32,
    };
    let mut start_date = drawn.with_day(dom).unwrap_or(drawn);
    if !existing {
        start_date = start_date.clamp(ctx.start, last_day);
    }
    let prefix = pick(r, NAME_PREFIXES);
    let noun = pick(r, NAME_NOUNS);
    let name = format!("{prefix} {noun} {}", pick(r, LEGAL_SUFFIX[region]));
    let domain = format!("{}{}.example", prefix, noun)
        .to_lowercase()
        .replace(' ', "");
    let industry = pick(r, INDUSTRIES);
    let plan = match seg {
        0 => ["starter", "pro"][weighted(r, &[0.65, 0.35])],
        1 => ["pro", "business"][weighted(r, &[0.6, 0.4])],
        _ => ["enterprise", "business"][weighted(r, &[0.75, 0.25])],
    };
    let u = unif(r);
    let mut seats: i64 = match seg {
        0 => 3 + (37.0 * u * u) as i64,
        1 => 25 + (225.0 * u * u) as i64,
        _ => 150 + (1050.0 * u * u) as i64,
    };
    let list_price: f64 = match plan {
        "starter" => 300.0,
        "pro" => 480.0,
        "business" => 720.0,
        _ => 960.0,
    };
    let unit = (list_price * price_factor).round() as i64;
    let discount = int(r, 0, if seg == 2 { 35 } else { 25 });
    let mut arr_cents = seats * unit * (100 - discount);
    let owner = if seg == 0 && chance(r, 0.25) {
        None
    } else {
        Some(ctx.csms[seg][int(r, 0, ctx.csms[seg].len() as i64 - 1) as usize].clone())
    };
    let source = match seg {
        0 => ["self_serve", "inbound", "partner", "outbound"][weighted(r, &[0.4, 0.35, 0.15, 0.1])],
        _ => ["inbound", "outbound", "partner"][weighted(r, &[0.35, 0.45, 0.2])],
    };
    let employees = match seg {
        0 => ["1-10", "11-50", "51-200"][weighted(r, &[0.3, 0.5, 0.2])],
        1 => ["51-200", "201-1000"][weighted(r, &[0.4, 0.6])],
        _ => ["1001-5000", "5000+"][weighted(r, &[0.55, 0.45])],
    };
    let mut attributes = BTreeMap::new();
    for (k, v) in [("source", source), ("employees", employees)] {
        if !chance(r, miss) {
            attributes.insert(k.to_string(), v.to_string());
        }
    }
    let has_industry = !chance(r, miss);
    let has_region = !chance(r, miss / 2.0);

    // --- Hidden traits ---------------------------------------------------------------------
    let traits = Traits::new(r, ctx.grid_months);
    let mut order: Vec<u8> = Vec::with_capacity(8);
    let mut w = ADOPTION_WEIGHT;
    for _ in 0..8 {
        let k = weighted(r, &w);
        order.push(k as u8);
        w[k] = 0.0;
    }
    let view = View {
        ctx,
        traits: &traits,
        start_date,
        pool_max: (1.0 + 1.4 * (seats as f64).ln()).round().clamp(2.0, 14.0),
    };

    // --- People and roles ------------------------------------------------------------------
    let has_sponsor = seg > 0 || chance(r, 0.6);
    let n_people = match seg {
        0 => int(r, 3, 4),
        1 => int(r, 4, 6),
        _ => int(r, 5, 8),
    } as usize;
    let mut plan_roles: Vec<Role> = Vec::new();
    if has_sponsor {
        plan_roles.push(Role::ExecutiveSponsor);
    }
    plan_roles.extend([Role::Champion, Role::Admin]);
    let others = [
        Role::EconomicBuyer,
        Role::User,
        Role::Technical,
        Role::DecisionMaker,
        Role::Billing,
        Role::User,
    ];
    let mut people: Vec<Person> = Vec::new();
    let mut spells: Vec<Spell> = Vec::new();
    for k in 0..n_people {
        let role = plan_roles
            .get(k)
            .copied()
            .unwrap_or_else(|| others[(k - plan_roles.len()) % others.len()]);
        let title = match role {
            Role::ExecutiveSponsor => pick(r, SPONSOR_TITLES),
            Role::Champion => pick(r, CHAMPION_TITLES),
            Role::Admin => pick(r, ADMIN_TITLES),
            _ => pick(r, OTHER_TITLES),
        };
        let added = if k < 3 {
            start_date
        } else {
            days(start_date, int(r, 0, 60))
                .min(last_day)
                .max(start_date)
        };
        people.push(Person {
            first: pick(r, FIRST_NAMES),
            last: pick(r, LAST_NAMES),
            title,
            created: added,
            left: None,
        });
        spells.push(Spell {
            person: k,
            role,
            added,
            removed: None,
        });
        if role == Role::ExecutiveSponsor && seg < 2 && chance(r, 0.5) {
            spells.push(Spell {
                person: k,
                role: Role::EconomicBuyer,
                added,
                removed: None,
            });
        }
    }
    let churn_from = start_date.max(days(ctx.start, -SPONSOR_LOST_DAYS));
    departures(
        r,
        &mut people,
        &mut spells,
        Role::ExecutiveSponsor,
        0.28,
        0.5,
        (30, 180),
        SPONSOR_TITLES,
        churn_from,
        end,
    );
    departures(
        r,
        &mut people,
        &mut spells,
        Role::Champion,
        0.2,
        0.7,
        (10, 90),
        CHAMPION_TITLES,
        churn_from,
        end,
    );

    // --- Renewals --------------------------------------------------------------------------
    let mut arr_history: Vec<(NaiveDate, i64)> = vec![(start_date, arr_cents)];
    let mut seat_history: Vec<(NaiveDate, i64)> = vec![(start_date, seats)];
    let mut outcomes = Vec::new();
    let mut churn_date: Option<NaiveDate> = None;
    let mut past_renewals: Vec<(NaiveDate, Outcome, i64, i64)> = Vec::new();
    let mut k = 1;
    loop {
        let rdate = months(start_date, 12 * k);
        if rdate >= end {
            break;
        }
        k += 1;
        if rdate < ctx.start {
            continue;
        }
        let (b, l, s) = view.recent(rdate);
        let lost = sponsor_lost(&spells, rdate);
        let z = churn_logit(seg, b, l, s, lost) + CHURN_NOISE_SD * normal(r);
        let before = arr_cents;
        let (outcome, after) = if chance(r, sigmoid(z)) {
            (Outcome::Churned, 0)
        } else {
            let ue = 0.7 * view.engagement(rdate) + 0.3 * view.logins(rdate);
            let p_exp = sigmoid(-1.5 + 0.9 * ue);
            let p_con = sigmoid(-2.4 - 0.7 * ue);
            let x = unif(r);
            if x < p_exp {
                let f = 1.0 + 0.05 + 0.35 * unif(r);
                seats = ((seats as f64 * f).round() as i64).max(seats + 1);
                let a = ((before as f64 * f).round() as i64).max(before + 100);
                (Outcome::Expanded, a)
            } else if x < p_exp + p_con {
                let f = 1.0 - 0.05 - 0.30 * unif(r);
                seats = ((seats as f64 * f).round() as i64).clamp(1, seats);
                let a = ((before as f64 * f).round() as i64).clamp(1, (before - 100).max(1));
                if a >= before {
                    (Outcome::Renewed, before)
                } else {
                    (Outcome::Contracted, a)
                }
            } else {
                (Outcome::Renewed, before)
            }
        };
        outcomes.push(RenewalOutcome {
            id: next_id(&mut ids.outcome, "R"),
            account_id: id.clone(),
            renewal_date: rdate,
            outcome,
            arr_before: money(before, currency),
            arr_after: money(after, currency),
        });
        past_renewals.push((rdate, outcome, before, after));
        arr_cents = after;
        arr_history.push((rdate, after));
        seat_history.push((rdate, seats));
        if outcome == Outcome::Churned {
            churn_date = Some(rdate);
            break;
        }
    }
    let active_until = churn_date.unwrap_or(end); // exclusive
    let renewal_date = churn_date.unwrap_or_else(|| {
        let mut k = 1;
        loop {
            let d = months(start_date, 12 * k);
            if d >= end {
                break d;
            }
            k += 1;
        }
    });

    // A churned customer's CRM contacts stop changing when it leaves.
    if let Some(c) = churn_date {
        spells.retain(|s| s.added < c);
        for s in &mut spells {
            if s.removed.is_some_and(|x| x >= c) {
                s.removed = None;
            }
        }
        for p in &mut people {
            if p.left.is_some_and(|x| x >= c) {
                p.left = None;
            }
        }
    }
    let keep: Vec<bool> = people
        .iter()
        .map(|p| p.created < active_until.max(days(start_date, 1)))
        .collect();
    let mut contact_ids: Vec<Option<String>> = vec![None; people.len()];
    let mut contacts = Vec::new();
    for (k, p) in people.iter().enumerate() {
        if !keep[k] {
            continue;
        }
        let cid = next_id(&mut ids.contact, "C");
        contact_ids[k] = Some(cid.clone());
        contacts.push(Contact {
            id: cid,
            account_id: id.clone(),
            name: format!("{} {}", p.first, p.last),
            email: (!chance(r, miss)).then(|| {
                format!("{}.{}@{}", p.first, p.last, domain)
                    .to_lowercase()
                    .replace(' ', "")
            }),
            title: (!chance(r, miss)).then(|| p.title.to_string()),
        });
    }
    let mut ordered: Vec<Spell> = spells.clone();
    ordered.sort_by_key(|s| (s.person, s.added));
    let roles: Vec<ContactRole> = ordered
        .iter()
        .filter_map(|s| {
            Some(ContactRole {
                contact_id: contact_ids[s.person].clone()?,
                role: s.role,
                added: s.added,
                removed: s.removed,
            })
        })
        .collect();

    // --- Usage events ----------------------------------------------------------------------
    let mut events: Vec<Ev> = Vec::new();
    let ev_from = ctx.usage_from.max(start_date);
    if ctx.session_rate > 0.0 && ev_from < active_until {
        // Events draw from their own stream, so the density knob changes nothing else.
        let mut ev_rng = R::seed_from_u64(stream_seed(ctx.seed ^ EVENT_STREAM, idx as u64));
        let r = &mut ev_rng;
        let limit = day_secs(active_until);
        let pool_max = view.pool_max as usize;
        let zipf: Vec<f64> = (0..pool_max)
            .map(|i| 1.0 / ((i + 1) as f64).powf(0.9))
            .collect();
        let mut week = ev_from;
        let mut week_events: Vec<Ev> = Vec::new();
        while week < active_until {
            let mid = days(week, 3);
            let pool = view.pool(mid).min(pool_max);
            let lambda = ctx.session_rate * pool as f64 * (0.45 * view.logins(mid) - 0.1).exp();
            let k = view.adopted(mid);
            let feat_lambda = 0.6 + 1.4 * k as f64 / 8.0;
            week_events.clear();
            let mut wd = [1.0; 7];
            for (i, x) in wd.iter_mut().enumerate() {
                if days(week, i as i64).weekday().num_days_from_monday() >= 5 {
                    *x = 0.15;
                }
            }
            for _ in 0..poisson(r, lambda) {
                let day = days(week, weighted(r, &wd) as i64);
                let mut ts =
                    day_secs(day) + REGION_UTC_HOUR[region] * 3600 + int(r, 0, 9 * 3600 - 1);
                let user = weighted(r, &zipf[..pool]) as u16;
                week_events.push(Ev {
                    ts,
                    user,
                    feature: F_LOGIN,
                });
                for _ in 0..1 + poisson(r, feat_lambda) {
                    ts += int(r, 20, 900);
                    let feature = if chance(r, 0.88) {
                        order[int(r, 0, k as i64 - 1) as usize]
                    } else if chance(r, 0.6) {
                        F_SEARCH
                    } else {
                        F_SETTINGS
                    };
                    week_events.push(Ev { ts, user, feature });
                }
            }
            week_events.sort_by_key(|e| e.ts);
            events.extend(week_events.iter().filter(|e| e.ts < limit));
            week = days(week, 7);
        }
    }

    // --- Usage snapshots (warehouse metrics, monthly) --------------------------------------
    let mut snapshots = Vec::new();
    let mut m = ctx.start.with_day(1).unwrap_or(ctx.start);
    while month_end(m) < end {
        let me = month_end(m);
        if start_date <= me && active_until > m {
            let seats_then = arr_at(&seat_history, me).max(1);
            let active = (seats_then as f64 * view.adoption(me) * (0.92 + 0.16 * unif(r)))
                .round()
                .max(1.0);
            let api = if order[..view.adopted(me)].contains(&F_API) {
                (60.0
                    * (seats_then as f64).powf(0.9)
                    * (0.4 * view.logins(me) + 0.3 * normal(r)).exp())
                .round()
            } else {
                0.0
            };
            for (metric, value) in [("active_users", active), ("api_calls", api)] {
                if !chance(r, miss) {
                    snapshots.push(UsageSnapshot {
                        account_id: id.clone(),
                        period_start: m,
                        period_end: me,
                        metric: metric.to_string(),
                        value: Some(value),
                    });
                }
            }
        }
        m = months(m, 1);
    }

    // --- Tickets ---------------------------------------------------------------------------
    let mut tickets = Vec::new();
    let ticket_rate = [0.35, 1.0, 2.5][seg];
    let mut m = ctx.start.with_day(1).unwrap_or(ctx.start);
    while m < end {
        let lo = m.max(start_date).max(ctx.start);
        let hi = month_end(m).min(days(active_until, -1));
        if lo <= hi {
            let lambda = ticket_rate
                * (-0.25 * view.engagement(lo) - 0.2 * view.sentiment(lo)).exp()
                * ((hi - lo).num_days() + 1) as f64
                / 30.0;
            for _ in 0..poisson(r, lambda) {
                let opened = days(lo, int(r, 0, (hi - lo).num_days()));
                let priority = [
                    Priority::Low,
                    Priority::Normal,
                    Priority::High,
                    Priority::Urgent,
                ][weighted(r, &[0.25, 0.5, 0.18, 0.07])];
                let mean_days = match priority {
                    Priority::Urgent => 1.5,
                    Priority::High => 3.0,
                    Priority::Normal => 5.0,
                    Priority::Low => 8.0,
                };
                let closed = days(opened, (-(1.0 - unif(r)).ln() * mean_days).round() as i64);
                let (closed, status) = if closed < end {
                    let s = if chance(r, 0.85) {
                        TicketStatus::Closed
                    } else {
                        TicketStatus::Solved
                    };
                    (Some(closed), s)
                } else if chance(r, 0.7) {
                    (None, TicketStatus::Open)
                } else {
                    (None, TicketStatus::Pending)
                };
                let escalated = chance(
                    r,
                    match priority {
                        Priority::Urgent => 0.35,
                        Priority::High => 0.1,
                        _ => 0.02,
                    },
                );
                let csat = (closed.is_some() && chance(r, 0.4 * (1.0 - miss))).then(|| {
                    let x = 4.1 + 0.5 * view.sentiment(opened) + 0.9 * normal(r)
                        - if priority == Priority::Urgent {
                            0.4
                        } else {
                            0.0
                        };
                    x.round().clamp(1.0, 5.0) as u8
                });
                tickets.push(Ticket {
                    id: next_id(&mut ids.ticket, "T"),
                    account_id: id.clone(),
                    opened,
                    closed,
                    priority,
                    status,
                    escalated,
                    csat,
                });
            }
        }
        m = months(m, 1);
    }

    // --- Meetings (and CSAT surveys after some) --------------------------------------------
    let mut meetings: Vec<Meeting> = Vec::new();
    let present = |role: Role, d: NaiveDate| holds(&spells, role, d);
    let active_on = |d: NaiveDate| d >= start_date && d < active_until && d >= ctx.start;
    if start_date >= ctx.start {
        let d = days(start_date, int(r, 3, 14));
        if active_on(d) {
            let mut roles = vec![Role::Champion, Role::Admin];
            if seg == 2 && present(Role::ExecutiveSponsor, d) {
                roles.insert(0, Role::ExecutiveSponsor);
            }
            meetings.push(Meeting {
                id: String::new(),
                account_id: id.clone(),
                kind: MeetingKind::Onboarding,
                date: d,
                attendee_roles: roles,
            });
        }
    }
    let qbr_p = [0.05, 0.45, 0.85][seg];
    let mut q = ctx.start;
    while q < end {
        let d = days(q, int(r, 10, 80));
        if active_on(d) && chance(r, qbr_p * sigmoid(1.5 + view.engagement(d)) / 0.82) {
            let mut roles = Vec::new();
            if present(Role::ExecutiveSponsor, d) && chance(r, 0.35) {
                roles.push(Role::ExecutiveSponsor);
            }
            if present(Role::Champion, d) {
                roles.push(Role::Champion);
            }
            if chance(r, 0.5) {
                roles.push(Role::Admin);
            }
            if chance(r, 0.3) {
                roles.push(Role::User);
            }
            meetings.push(Meeting {
                id: String::new(),
                account_id: id.clone(),
                kind: MeetingKind::Qbr,
                date: d,
                attendee_roles: roles,
            });
        }
        q = months(q, 3);
    }
    let ebr_p = [0.0, 0.35, 0.75][seg];
    let mut k = 1;
    loop {
        let rdate = months(start_date, 12 * k);
        k += 1;
        let d = days(rdate, -int(r, 45, 100));
        if d >= end {
            break;
        }
        if active_on(d) && rdate <= active_until && chance(r, ebr_p) {
            let mut roles = Vec::new();
            if present(Role::ExecutiveSponsor, d) {
                roles.push(Role::ExecutiveSponsor);
            }
            if present(Role::EconomicBuyer, d) {
                roles.push(Role::EconomicBuyer);
            }
            if present(Role::Champion, d) || roles.is_empty() {
                roles.push(Role::Champion);
            }
            meetings.push(Meeting {
                id: String::new(),
                account_id: id.clone(),
                kind: MeetingKind::Ebr,
                date: d,
                attendee_roles: roles,
            });
        }
    }
    let checkin_rate = [0.15, 0.3, 0.5][seg];
    let mut m = ctx.start.with_day(1).unwrap_or(ctx.start);
    while m < end {
        for _ in 0..poisson(r, checkin_rate) {
            let d = days(m, int(r, 0, 27));
            if active_on(d) && d < end {
                let role = if chance(r, 0.6) {
                    Role::Champion
                } else {
                    Role::Admin
                };
                meetings.push(Meeting {
                    id: String::new(),
                    account_id: id.clone(),
                    kind: MeetingKind::CheckIn,
                    date: d,
                    attendee_roles: vec![role],
                });
            }
        }
        m = months(m, 1);
    }
    meetings.sort_by_key(|m| m.date);
    for m in &mut meetings {
        m.id = next_id(&mut ids.meeting, "M");
    }

    // --- Surveys: quarterly NPS waves, CSAT after onboarding and QBRs ----------------------
    let mut surveys = Vec::new();
    let in_program = chance(r, 0.88);
    let mut wave = days(ctx.start, 14);
    while wave < end {
        if in_program && wave >= start_date && wave < active_until {
            for (k, p) in people.iter().enumerate() {
                let Some(cid) = &contact_ids[k] else { continue };
                if p.created > wave || p.left.is_some_and(|x| x <= wave) {
                    continue;
                }
                if !chance(r, 0.35 * (1.0 - miss)) {
                    continue;
                }
                let date = days(wave, int(r, 0, 21));
                if date >= active_until {
                    continue;
                }
                let x = 7.2 + 1.5 * view.sentiment(date) + 1.2 * normal(r);
                let score = x.round().clamp(0.0, 10.0) as u8;
                let comment = chance(r, 0.25).then(|| {
                    let pool = match score {
                        9..=10 => PROMOTER_COMMENTS,
                        7..=8 => PASSIVE_COMMENTS,
                        _ => DETRACTOR_COMMENTS,
                    };
                    pick(r, pool).to_string()
                });
                surveys.push(SurveyResponse {
                    id: next_id(&mut ids.survey, "S"),
                    account_id: id.clone(),
                    contact_id: Some(cid.clone()),
                    date,
                    kind: SurveyKind::Nps,
                    score,
                    comment,
                });
            }
        }
        wave = months(wave, 3);
    }
    for mt in &meetings {
        if !matches!(mt.kind, MeetingKind::Onboarding | MeetingKind::Qbr) || !chance(r, 0.3) {
            continue;
        }
        let date = days(mt.date, int(r, 1, 5));
        if date >= active_until {
            continue;
        }
        let x = 4.0 + 0.6 * view.sentiment(date) + 0.8 * normal(r);
        let champion = people.iter().enumerate().find(|(k, _)| {
            contact_ids[*k].is_some()
                && spells.iter().any(|s| {
                    s.person == *k
                        && s.role == Role::Champion
                        && s.added <= date
                        && s.removed.is_none_or(|x| x > date)
                })
        });
        surveys.push(SurveyResponse {
            id: next_id(&mut ids.survey, "S"),
            account_id: id.clone(),
            contact_id: champion.and_then(|(k, _)| contact_ids[k].clone()),
            date,
            kind: SurveyKind::Csat,
            score: x.round().clamp(1.0, 5.0) as u8,
            comment: None,
        });
    }

    // --- Milestones ------------------------------------------------------------------------
    let mut milestones = Vec::new();
    let mut plan_ms: Vec<(&str, NaiveDate)> = Vec::new();
    if start_date >= ctx.start {
        let n = int(r, 2, 4) as usize;
        for (k, name) in ONBOARDING_MILESTONES.iter().take(n).enumerate() {
            plan_ms.push((name, days(start_date, 30 * (k as i64 + 1) + int(r, -5, 5))));
        }
    }
    let mut y = 0;
    loop {
        let year_start = months(start_date.max(ctx.start), 12 * y);
        if year_start >= end {
            break;
        }
        if start_date < ctx.start || y > 0 {
            for _ in 0..int(r, 1, 2) {
                plan_ms.push((
                    pick(r, SUCCESS_MILESTONES),
                    days(year_start, int(r, 60, 330)),
                ));
            }
        }
        y += 1;
    }
    let horizon = if churn_date.is_some() {
        active_until
    } else {
        days(end, 120)
    };
    for (name, due) in plan_ms {
        if due >= horizon {
            continue;
        }
        let p = sigmoid(0.6 + 1.2 * view.engagement(due.min(last_day)));
        let achieved = if chance(r, p) {
            let d = days(due, int(r, -20, 30));
            (d < end && d < active_until && d >= start_date).then_some(d)
        } else {
            None
        };
        milestones.push(Milestone {
            id: next_id(&mut ids.milestone, "MS"),
            account_id: id.clone(),
            name: name.to_string(),
            due,
            achieved,
        });
    }

    // --- Opportunities ---------------------------------------------------------------------
    let mut opps = Vec::new();
    let opp = |ids: &mut Ids,
               kind: OpportunityKind,
               cents: i64,
               close: NaiveDate,
               stage: &str,
               status: OpportunityStatus,
               probability: f64,
               fc: ForecastCategory,
               created: Option<NaiveDate>| Opportunity {
        id: next_id(&mut ids.opportunity, "O"),
        account_id: id.clone(),
        kind,
        amount: money(cents, currency),
        close_date: close,
        stage: stage.to_string(),
        status,
        probability,
        forecast_category: fc,
        created,
    };
    let created = |r: &mut R, close: NaiveDate, lo: i64, hi: i64| {
        (!chance(r, miss)).then(|| days(close, -int(r, lo, hi)))
    };
    if start_date >= ctx.start {
        let close = days(start_date, -int(r, 0, 20));
        let c = created(r, close, 30, 120);
        opps.push(opp(
            ids,
            OpportunityKind::NewBusiness,
            arr_history[0].1,
            close,
            "Closed Won",
            OpportunityStatus::Won,
            1.0,
            ForecastCategory::Closed,
            c,
        ));
    }
    for &(rdate, outcome, before, after) in &past_renewals {
        let won = outcome != Outcome::Churned;
        let close = days(rdate, -int(r, 0, if won { 25 } else { 10 }));
        let c = created(r, close, 90, 150);
        let amount = match outcome {
            Outcome::Renewed | Outcome::Contracted => after,
            _ => before,
        };
        opps.push(if won {
            opp(
                ids,
                OpportunityKind::Renewal,
                amount,
                close,
                "Closed Won",
                OpportunityStatus::Won,
                1.0,
                ForecastCategory::Closed,
                c,
            )
        } else {
            opp(
                ids,
                OpportunityKind::Renewal,
                amount,
                close,
                "Closed Lost",
                OpportunityStatus::Lost,
                0.0,
                ForecastCategory::Omitted,
                c,
            )
        });
        if outcome == Outcome::Expanded {
            let c = created(r, close, 30, 90);
            opps.push(opp(
                ids,
                OpportunityKind::Expansion,
                after - before,
                close,
                "Closed Won",
                OpportunityStatus::Won,
                1.0,
                ForecastCategory::Closed,
                c,
            ));
        }
    }
    // Expansion attempts that were lost, mid-term.
    let mut y = ctx.start;
    while y < end {
        let d = days(y, int(r, 30, 330));
        if d >= start_date && d < active_until && d < end && chance(r, 0.08) {
            let cents = (arr_at(&arr_history, d) as f64 * (0.1 + 0.2 * unif(r))).round() as i64;
            let c = created(r, d, 30, 90);
            opps.push(opp(
                ids,
                OpportunityKind::Expansion,
                cents.max(100),
                d,
                "Closed Lost",
                OpportunityStatus::Lost,
                0.0,
                ForecastCategory::Omitted,
                c,
            ));
        }
        y = months(y, 12);
    }
    if churn_date.is_none() {
        // The next renewal, if it falls in the next two quarters, as the rep sees it.
        let to_close = (renewal_date - end).num_days();
        if to_close < 183 && !chance(r, miss) {
            let (b, l, s) = view.recent(end);
            let seen =
                sigmoid(churn_logit(seg, b, l, s, sponsor_lost(&spells, end)) + 0.6 * normal(r));
            let (stage, fc, p) = if to_close > 120 {
                ("Qualification", ForecastCategory::Pipeline, 0.5)
            } else if seen < 0.1 {
                ("Negotiation", ForecastCategory::Commit, 0.9)
            } else if seen < 0.25 {
                ("Proposal", ForecastCategory::BestCase, 0.7)
            } else {
                ("Qualification", ForecastCategory::Pipeline, 0.4)
            };
            let amount = if chance(r, 0.05) {
                (arr_cents as f64 * 1.07).round() as i64 // an uplift typed in by the rep
            } else {
                arr_cents
            };
            let created = (!chance(r, miss))
                .then(|| days(renewal_date, -int(r, 120, 180)).min(days(end, -int(r, 1, 30))));
            opps.push(opp(
                ids,
                OpportunityKind::Renewal,
                amount,
                renewal_date,
                stage,
                OpportunityStatus::Open,
                p,
                fc,
                created,
            ));
        }
        let ue = 0.7 * view.engagement(last_day) + 0.3 * view.logins(last_day);
        if chance(r, sigmoid(-2.2 + ue)) {
            let close = days(end, int(r, 20, 180));
            let cents = (arr_cents as f64 * (0.1 + 0.25 * unif(r))).round() as i64;
            let (stage, fc, p) = if chance(r, 0.5) {
                ("Discovery", ForecastCategory::Pipeline, 0.2)
            } else {
                ("Proposal", ForecastCategory::BestCase, 0.5)
            };
            let c = (!chance(r, miss)).then(|| days(end, -int(r, 5, 90)));
            opps.push(opp(
                ids,
                OpportunityKind::Expansion,
                cents.max(100),
                close,
                stage,
                OpportunityStatus::Open,
                p,
                fc,
                c,
            ));
        }
    }

    // --- ARR snapshots (month ends) --------------------------------------------------------
    let mut arr_snapshots = Vec::new();
    let mut me = month_end(days(ctx.start, -1));
    while me < end {
        if me >= start_date {
            arr_snapshots.push(ArrSnapshot {
                account_id: id.clone(),
                date: me,
                arr: money(arr_at(&arr_history, me), currency),
            });
        }
        me = month_end(days(me, 1));
    }

    let account = Account {
        id: id.clone(),
        name,
        owner_csm: owner,
        segment: Some(SEGMENTS[seg].to_string()),
        tier: None,
        region: has_region.then(|| REGIONS[region].to_string()),
        industry: has_industry.then(|| industry.to_string()),
        plan: Some(plan.to_string()),
        arr: money(arr_cents, currency),
        seats: (!chance(r, miss)).then_some(seats as u32),
        start_date,
        renewal_date: Some(renewal_date),
        term_months: Some(12),
        attributes,
    };
    AccountData {
        account,
        contacts,
        roles,
        events,
        snapshots,
        tickets,
        surveys,
        meetings,
        milestones,
        opportunities: opps,
        arr_snapshots,
        outcomes,
    }
}

/// The value of a step history (ARR or seats, changing at renewals) on a day.
fn arr_at(history: &[(NaiveDate, i64)], d: NaiveDate) -> i64 {
    history
        .iter()
        .rev()
        .find(|(from, _)| *from <= d)
        .map_or(0, |(_, a)| *a)
}
