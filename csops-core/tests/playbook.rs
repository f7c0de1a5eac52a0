//! Playbooks: validation, triggers, the engine's guarantees, log-only and replay.

use chrono::{Days, NaiveDate};
use csops_core::Error;
use csops_core::book::{Book, LoadMode};
use csops_core::health::Scorecard;
use csops_core::playbook::*;
use csops_core::synth::{SynthConfig, generate};

fn book() -> Book {
    Book::from_records(
        generate(&SynthConfig {
            accounts: 150,
            seed: 17,
            ..Default::default()
        }),
        LoadMode::Strict,
    )
    .unwrap()
    .0
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TOML: &str = r#"
[[plays]]
name = "red-large"
owner = "cs-ops"
mode = "live"
cooldown_days = 14
filter = "arr >= 20000"
trigger = { kind = "crossing", when = 'band == "red"' }
actions = [
  { action = "task", assign = { to = "owner" }, title = "{name} turned red ({score})", body = "{reason}", due_in_days = 3, priority = "high" },
  { action = "tag", tag = "at-risk" },
]

[[plays]]
name = "usage-drop"
owner = "cs-ops"
trigger = { kind = "change", field = "logins_per_user_week", window_days = 30, drop = 0.3 }
actions = [{ action = "task", assign = { to = "queue", queue = "scaled-cs" }, title = "Usage fell at {name}: {reason}", due_in_days = 5 }]

[[plays]]
name = "renewal-watch"
owner = "renewals"
cooldown_days = 30
trigger = { kind = "all", of = [{ kind = "renewal", within_days = 120 }, { kind = "level", when = 'band != "green"' }] }
actions = [{ action = "route", to = "renewals-desk" }]
"#;

#[test]
fn playbooks_are_data_validated_at_load() {
    let pb = Playbook::from_toml(TOML).unwrap();
    assert_eq!(pb.plays.len(), 3);
    assert_eq!(Playbook::from_json(&pb.to_json().unwrap()).unwrap(), pb);
    let b = book();
    let card = Scorecard::default_heuristic();
    let ctx = RunContext {
        scorecard: Some(&card),
        ..Default::default()
    };
    let table = play_table(&b, b.latest_date().unwrap(), &ctx).unwrap();
    pb.validate(&table.schema()).unwrap();
    // Loading lists every problem that needs no book, at once: a bad priority, a duplicate
    // name, a change without a threshold or window, no owner, no actions, a broken template.
    let bad = r#"
[[plays]]
name = "a"
owner = "x"
trigger = { kind = "change", field = "logins_per_user_week", window_days = 0 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Hi {nmae", due_in_days = 1, priority = "asap" }]

[[plays]]
name = "a"
owner = ""
trigger = { kind = "level", when = "regoin == 'EMEA'" }
actions = []
"#;
    let Err(Error::Config(p)) = Playbook::from_toml(bad) else {
        panic!("a malformed playbook loaded")
    };
    let wanted = [
        "priority `asap`",
        "used twice",
        "needs `drop` or `rise`",
        "window",
        "no owner",
        "no actions",
        "`{` without `}`",
    ];
    for want in wanted {
        assert!(p.iter().any(|m| m.contains(want)), "{want} not in {p:?}");
    }
    assert_eq!(p.len(), wanted.len(), "{p:?}");
    // The same text through JSON fails the same way.
    let value: toml::Value = toml::from_str(bad).unwrap();
    let Err(Error::Config(q)) = Playbook::from_json(&serde_json::to_string(&value).unwrap()) else {
        panic!("a malformed playbook loaded from JSON")
    };
    assert_eq!(p, q);
    // Fields depend on the book (and the scorecard, and the feature configuration): unknown
    // ones, in templates and conditions alike, are listed by `validate`, which every run calls.
    let unknown = r#"
[[plays]]
name = "a"
owner = "x"
trigger = { kind = "change", field = "name", window_days = 7, drop = 0.5 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Hi {nmae}", body = "{segment} {attr.nope}", due_in_days = 1 }]

[[plays]]
name = "b"
owner = "x"
trigger = { kind = "level", when = "regoin == 'EMEA'" }
actions = [{ action = "tag", tag = "t" }]
"#;
    let pb = Playbook::from_toml(unknown).unwrap();
    let Err(Error::Config(p)) = pb.validate(&table.schema()) else {
        panic!("unknown fields passed validation")
    };
    let wanted = ["`{nmae}`", "`{attr.nope}`", "regoin", "not `name`"];
    for want in wanted {
        assert!(p.iter().any(|m| m.contains(want)), "{want} not in {p:?}");
    }
    assert_eq!(p.len(), wanted.len(), "{p:?}");
    let Err(Error::Config(r)) = run(
        &b,
        &pb,
        b.latest_date().unwrap(),
        &FireHistory::default(),
        &ctx,
    ) else {
        panic!("a run fired plays with unknown fields")
    };
    assert_eq!(r, p);
    assert!(Playbook::from_toml("[[plays]]\nname = 1").is_err());
}

#[test]
fn the_engine_is_deterministic_idempotent_and_respects_cooldowns() {
    let b = book();
    let card = Scorecard::default_heuristic();
    let ctx = RunContext {
        scorecard: Some(&card),
        ..Default::default()
    };
    let pb = Playbook::from_toml(TOML).unwrap();
    let day = b.latest_date().unwrap();
    let first = run(&b, &pb, day, &FireHistory::default(), &ctx).unwrap();
    assert!(
        !first.fired.is_empty(),
        "something fires on a generated book"
    );
    assert_eq!(
        run(&b, &pb, day, &FireHistory::default(), &ctx).unwrap(),
        first
    );
    // Re-running the same day with the new history fires nothing new.
    let again = run(&b, &pb, day, &first.history, &ctx).unwrap();
    assert!(again.fired.is_empty(), "{:?}", again.fired);
    // The next day: crossings do not re-fire (still red is not a new crossing); open tasks and
    // cooldowns hold.
    let next = run(&b, &pb, day + Days::new(1), &first.history, &ctx).unwrap();
    for f in &next.fired {
        let before = first
            .fired
            .iter()
            .any(|g| g.play == f.play && g.account_id == f.account_id);
        assert!(!before, "{} fired again for {}", f.play, f.account_id);
    }
    // Closing a task lets a level play fire again only after its cooldown.
    let routed: Vec<&Fired> = first
        .fired
        .iter()
        .filter(|f| f.play == "renewal-watch")
        .collect();
    if let Some(f) = routed.first() {
        let mut h = first.history.clone();
        h.close_task(&f.play, &f.account_id);
        let soon = run(&b, &pb, day + Days::new(10), &h, &ctx).unwrap();
        assert!(
            !soon
                .fired
                .iter()
                .any(|g| g.play == f.play && g.account_id == f.account_id)
        );
    }
    // Templates are filled from the account.
    let task = first
        .fired
        .iter()
        .flat_map(|f| &f.actions)
        .find_map(|a| match a {
            FiredAction::Task { title, .. } => Some(title.clone()),
            _ => None,
        });
    if let Some(t) = task {
        assert!(!t.contains('{') && !t.contains("(none)"), "{t}");
    }
    // Runs go forwards.
    assert!(run(&b, &pb, day - Days::new(5), &first.history, &ctx).is_err());
}

#[test]
fn log_only_and_live_make_the_same_decisions() {
    let b = book();
    let card = Scorecard::default_heuristic();
    let ctx = RunContext {
        scorecard: Some(&card),
        ..Default::default()
    };
    let mut live = Playbook::from_toml(TOML).unwrap();
    let mut quiet = live.clone();
    for p in &mut live.plays {
        p.mode = Mode::Live;
    }
    for p in &mut quiet.plays {
        p.mode = Mode::LogOnly;
    }
    let day = b.latest_date().unwrap();
    let (mut h1, mut h2) = (FireHistory::default(), FireHistory::default());
    for k in 0..10u64 {
        let dd = day - Days::new(20) + Days::new(k * 2);
        let a = run(&b, &live, dd, &h1, &ctx).unwrap();
        let q = run(&b, &quiet, dd, &h2, &ctx).unwrap();
        let key = |f: &Fired| {
            (
                f.play.clone(),
                f.account_id.clone(),
                f.reason.clone(),
                f.actions.clone(),
            )
        };
        assert_eq!(
            a.fired.iter().map(key).collect::<Vec<_>>(),
            q.fired.iter().map(key).collect::<Vec<_>>()
        );
        assert!(a.fired.iter().all(|f| f.mode == Mode::Live));
        assert!(q.fired.iter().all(|f| f.mode == Mode::LogOnly));
        assert_eq!(a.history, q.history);
        (h1, h2) = (a.history, q.history);
    }
}

#[test]
fn replay_equals_running_day_by_day_and_finds_sponsor_changes() {
    let b = book();
    let pb = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    let ctx = RunContext::default();
    let to = b.latest_date().unwrap();
    let from = to - Days::new(90);
    let start = FireHistory {
        last_run: Some(from - Days::new(1)),
        ..Default::default()
    };
    let r = replay(&b, &pb, from, to, &start, &ctx).unwrap();
    // Day by day, closing tasks when due, as replay does.
    let mut h = start.clone();
    let mut all = Vec::new();
    let mut due: Vec<(NaiveDate, String, String)> = Vec::new();
    let mut day = from;
    while day <= to {
        for (_, p, a) in due.iter().filter(|(dd, _, _)| *dd == day) {
            h.close_task(p, a);
        }
        let out = run(&b, &pb, day, &h, &ctx).unwrap();
        for f in &out.fired {
            for a in &f.actions {
                if let FiredAction::Task { due: dd, .. } = a {
                    due.push((*dd, f.play.clone(), f.account_id.clone()));
                }
            }
        }
        all.extend(out.fired);
        h = out.history;
        day = day + Days::new(1);
    }
    assert_eq!(r.fired, all);
    assert_eq!(r.history, h);
    // Every sponsor who left in the window is found, on the day they left.
    let mut expected = Vec::new();
    for (a, acc) in b.accounts().iter().enumerate() {
        for role in b.roles_of(a) {
            if role.role == csops_core::record::Role::ExecutiveSponsor
                && role.removed.is_some_and(|x| x >= from && x <= to)
            {
                expected.push((role.removed.unwrap(), acc.id.clone()));
            }
        }
    }
    let mut got: Vec<(NaiveDate, String)> = r
        .fired
        .iter()
        .map(|f| (f.date, f.account_id.clone()))
        .collect();
    expected.sort();
    expected.dedup();
    got.sort();
    // Accounts that were no longer customers are filtered out (arr > 0); the rest must match.
    assert!(
        got.iter().all(|g| expected.contains(g)),
        "{got:?} vs {expected:?}"
    );
    assert!(
        !got.is_empty(),
        "the generator removes sponsors: {expected:?}"
    );
    assert!(replay(&b, &pb, to, from, &start, &ctx).is_err());
    assert_eq!(r.per_play.values().sum::<u64>() as usize, r.fired.len());
    let _ = d("2026-01-01");
}

#[test]
fn play_effects_count_renewals_after_firing() {
    let b = book();
    let pb = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    let ctx = RunContext::default();
    let to = b.latest_date().unwrap();
    let from = to - Days::new(540);
    let start = FireHistory {
        last_run: Some(from - Days::new(1)),
        ..Default::default()
    };
    let r = replay(&b, &pb, from, to, &start, &ctx).unwrap();
    let effects = play_effects(&b, &pb, &r.fired, 365, &ctx).unwrap();
    assert_eq!(effects.len(), 1);
    let e = &effects[0];
    assert!(e.fired_renewals > 0, "{e:?}");
    assert!(e.fired_renewed <= e.fired_renewals && e.other_renewed <= e.other_renewals);
    let fired_accounts: std::collections::BTreeSet<&str> =
        r.fired.iter().map(|f| f.account_id.as_str()).collect();
    assert!(e.fired_renewals as usize <= fired_accounts.len());
    assert!(e.verdict.contains("renewed at"), "{}", e.verdict);
}

#[test]
fn run_on_tables_equals_run() {
    let b = book();
    let card = Scorecard::default_heuristic();
    let ctx = RunContext {
        scorecard: Some(&card),
        ..Default::default()
    };
    let pb = Playbook::from_toml(TOML).unwrap();
    let day = b.latest_date().unwrap();
    let none = FireHistory::default();
    let first = run(&b, &pb, day, &none, &ctx).unwrap();
    let next_day = day + Days::new(1);
    let next = run(&b, &pb, next_day, &first.history, &ctx).unwrap();
    let now = play_table(&b, next_day, &ctx).unwrap();
    // Earlier tables not given are derived (only the columns the change plays read); given,
    // whole play tables are used: the same answer either way.
    let derived = std::collections::BTreeMap::new();
    let given = std::collections::BTreeMap::from([(
        30,
        play_table(&b, next_day - Days::new(30), &ctx).unwrap(),
    )]);
    for past in [&derived, &given] {
        let r = run_on_tables(&b, &pb, next_day, &now, past, &first.history, &ctx).unwrap();
        assert_eq!(r, next);
    }
}

#[test]
fn a_run_for_some_accounts_fires_only_theirs_and_leaves_the_rest_to_the_full_run() {
    let b = book();
    let card = Scorecard::default_heuristic();
    let ctx = RunContext {
        scorecard: Some(&card),
        ..Default::default()
    };
    let pb = Playbook::from_toml(TOML).unwrap();
    let day = b.latest_date().unwrap();
    // Yesterday's full run gives every play its state.
    let yesterday = run(&b, &pb, day - Days::new(1), &FireHistory::default(), &ctx).unwrap();
    let full = run(&b, &pb, day, &yesterday.history, &ctx).unwrap();
    assert!(!full.fired.is_empty());
    // The accounts the full run fires for, plus some it does not.
    let mut some: Vec<String> = full
        .fired
        .iter()
        .map(|f| f.account_id.clone())
        .step_by(2)
        .collect();
    some.extend(b.accounts().iter().take(5).map(|a| a.id.clone()));
    some.sort();
    some.dedup();
    let scoped_ctx = RunContext {
        accounts: Some(&some),
        ..ctx.clone()
    };
    let scoped = run(&b, &pb, day, &yesterday.history, &scoped_ctx).unwrap();
    let mine: Vec<&Fired> = full
        .fired
        .iter()
        .filter(|f| some.contains(&f.account_id))
        .collect();
    assert_eq!(scoped.fired.iter().collect::<Vec<_>>(), mine);
    assert_eq!(scoped.history.last_run, yesterday.history.last_run);
    // The full run afterwards fires the rest: together, what the full run alone fires.
    let after = run(&b, &pb, day, &scoped.history, &ctx).unwrap();
    let mut both: Vec<(String, String)> = scoped
        .fired
        .iter()
        .chain(&after.fired)
        .map(|f| (f.play.clone(), f.account_id.clone()))
        .collect();
    let mut alone: Vec<(String, String)> = full
        .fired
        .iter()
        .map(|f| (f.play.clone(), f.account_id.clone()))
        .collect();
    both.sort();
    alone.sort();
    assert_eq!(both, alone);
    assert_eq!(after.history, full.history);
    // A scoped first run starts no crossing state; unknown accounts are an error.
    let first = run(&b, &pb, day, &FireHistory::default(), &scoped_ctx).unwrap();
    assert!(first.history.holding.is_empty());
    assert_eq!(first.history.last_run, None);
    let nobody = ["no-such-account".to_string()];
    let err = run(
        &b,
        &pb,
        day,
        &FireHistory::default(),
        &RunContext {
            accounts: Some(&nobody),
            ..ctx.clone()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("no-such-account"), "{err}");
}

#[test]
fn a_webhook_event_added_to_the_book_fires_the_sponsor_play() {
    use csops_core::book::Records;
    use csops_core::record::{ContactRole, Role};
    let b = book();
    let day = b.latest_date().unwrap();
    // An account whose executive sponsor is still in the role.
    let (a, spell) = b
        .accounts()
        .iter()
        .enumerate()
        .find_map(|(a, _)| {
            b.roles_of(a)
                .iter()
                .find(|r| r.role == Role::ExecutiveSponsor && r.removed.is_none())
                .map(|r| (a, r.clone()))
        })
        .expect("a current sponsor");
    let id = b.accounts()[a].id.clone();
    let pb = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    let ctx = RunContext::default();
    let h = FireHistory {
        last_run: Some(day - Days::new(1)),
        ..Default::default()
    };
    let before = run(&b, &pb, day, &h, &ctx).unwrap();
    assert!(!before.fired.iter().any(|f| f.account_id == id));
    // The CRM says the spell ended today.
    let ended = ContactRole {
        removed: Some(day),
        ..spell.clone()
    };
    let (b2, report) = b
        .with_records(
            Records {
                contact_roles: vec![ended],
                ..Default::default()
            },
            LoadMode::Strict,
        )
        .unwrap();
    assert!(report.is_clean());
    assert_eq!(b2.counts(), b.counts(), "the spell was replaced, not added");
    assert_eq!(
        b2.roles_of(a)
            .iter()
            .filter(|r| r.contact_id == spell.contact_id && r.role == spell.role)
            .count(),
        1
    );
    let only = [id.clone()];
    let after = run(
        &b2,
        &pb,
        day,
        &h,
        &RunContext {
            accounts: Some(&only),
            ..ctx
        },
    )
    .unwrap();
    assert_eq!(after.fired.len(), 1, "{:?}", after.fired);
    assert_eq!(after.fired[0].account_id, id);
    assert!(after.fired[0].reason.contains("left the role"));
    // A new record is added; a bad one is an error naming it.
    let mut extra = b.to_records();
    extra.accounts.clear();
    extra.contacts.clear();
    extra.contact_roles.clear();
    extra.usage_events.clear();
    extra.usage_snapshots.clear();
    extra.surveys.clear();
    extra.meetings.clear();
    extra.milestones.clear();
    extra.opportunities.clear();
    extra.arr_snapshots.clear();
    extra.renewal_outcomes.clear();
    extra.tickets.truncate(1);
    extra.tickets[0].id = "T-new".into();
    let (b3, _) = b.with_records(extra.clone(), LoadMode::Strict).unwrap();
    assert_eq!(b3.counts().tickets, b.counts().tickets + 1);
    extra.tickets[0].account_id = "nobody".into();
    let err = b.with_records(extra, LoadMode::Strict).unwrap_err();
    assert!(err.to_string().contains("nobody"), "{err}");
}

#[test]
fn spans_stay_inside_the_calendar_and_histories_are_strict() {
    let b = book();
    let ctx = RunContext::default();
    let mut pb = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    pb.plays[0].cooldown_days = u32::MAX;
    if let Action::Task { due_in_days, .. } = &mut pb.plays[0].actions[0] {
        *due_in_days = u32::MAX;
    }
    pb.plays[0].trigger = Trigger::Any {
        of: vec![
            pb.plays[0].trigger.clone(),
            Trigger::Renewal {
                within_days: u32::MAX,
            },
            Trigger::Change {
                field: "arr".into(),
                window_days: u32::MAX,
                drop: Some(0.5),
                rise: None,
            },
        ],
    };
    let day = b.latest_date().unwrap();
    let Err(Error::Config(p)) = run(&b, &pb, day, &FireHistory::default(), &ctx) else {
        panic!("expected a configuration error")
    };
    for want in ["cooldown of", "due in", "renewal within", "window of"] {
        assert!(p.iter().any(|x| x.contains(want)), "{want}: {p:?}");
    }
    let ok = Playbook {
        schema_version: 1,
        plays: vec![sponsor_left_play()],
    };
    assert!(play_effects(&b, &ok, &[], u32::MAX, &ctx).is_err());
    // A misspelt key in a stored history is an error, not an empty history.
    assert!(serde_json::from_str::<FireHistory>(r#"{"lastRun": "2026-01-01"}"#).is_err());
    assert!(serde_json::from_str::<FireHistory>(r#"{"last_run": "2026-01-01"}"#).is_ok());
}
