//! The people at a customer and their role spells, before ids are assigned: who holds a role
//! on a day, and how sponsors and champions leave and are replaced.

use chrono::NaiveDate;

use crate::record::*;

use super::helpers::{R, chance, days, exp_days, int, pick};
use super::vocabulary::{FIRST_NAMES, LAST_NAMES};

/// A person at the customer, before ids are assigned.
pub(super) struct Person {
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) title: &'static str,
    pub(super) created: NaiveDate,
    pub(super) left: Option<NaiveDate>,
}

/// A role spell, before ids are assigned.
#[derive(Clone, Copy)]
pub(super) struct Spell {
    pub(super) person: usize,
    pub(super) role: Role,
    pub(super) added: NaiveDate,
    pub(super) removed: Option<NaiveDate>,
}

pub(super) fn holds(spells: &[Spell], role: Role, d: NaiveDate) -> bool {
    spells
        .iter()
        .any(|s| s.role == role && s.added <= d && s.removed.is_none_or(|x| x > d))
}

/// Leavers of one role: a Poisson process of departures from `from` to `until`; each leaver's
/// open spells end, and with probability `replace` someone takes the role over after a gap.
#[allow(clippy::too_many_arguments)]
pub(super) fn departures(
    r: &mut R,
    people: &mut Vec<Person>,
    spells: &mut Vec<Spell>,
    role: Role,
    per_year: f64,
    replace: f64,
    gap: (i64, i64),
    titles: &[&'static str],
    from: NaiveDate,
    until: NaiveDate,
) {
    let mut t = from;
    loop {
        t = days(t, exp_days(r, per_year));
        if t >= until {
            break;
        }
        let Some(holder) = spells
            .iter()
            .find(|s| s.role == role && s.removed.is_none() && s.added < t)
            .map(|s| s.person)
        else {
            continue;
        };
        spells.retain(|s| !(s.person == holder && s.added >= t));
        for s in spells
            .iter_mut()
            .filter(|s| s.person == holder && s.removed.is_none())
        {
            s.removed = Some(t);
        }
        people[holder].left = Some(t);
        if !chance(r, replace) {
            continue;
        }
        let t2 = days(t, int(r, gap.0, gap.1));
        if t2 >= until {
            continue;
        }
        let candidates: Vec<usize> = (0..people.len())
            .filter(|&p| people[p].left.is_none() && people[p].created <= t2)
            .collect();
        let person = if people.len() < 8 && (candidates.is_empty() || chance(r, 0.5)) {
            people.push(Person {
                first: pick(r, FIRST_NAMES),
                last: pick(r, LAST_NAMES),
                title: pick(r, titles),
                created: t2,
                left: None,
            });
            people.len() - 1
        } else if candidates.is_empty() {
            continue;
        } else {
            pick(r, &candidates)
        };
        spells.push(Spell {
            person,
            role,
            added: t2,
            removed: None,
        });
    }
}
