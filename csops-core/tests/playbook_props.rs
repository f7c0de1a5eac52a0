//! Playbook engine properties, checked against a small independent model of the rules.
//!
//! Random plays (level, crossing, change, renewal triggers and their `all`/`any`, a filter,
//! a cooldown, task or tag actions, either mode) run over a random sequence of days, each with
//! its own random account table (rows shuffled, missing values included), with random tasks
//! closed between runs. At every run:
//! - the engine fires exactly what the model says (same plays, accounts and order);
//! - the new history's open tasks and last-fired days are the model's;
//! - re-running the day with the new history fires nothing and changes nothing;
//! - consecutive firings of a play for an account are at least its cooldown apart (one day
//!   when it has none) and never while its task is open;
//! - forcing every play live, or every play log-only, changes only the mode of what fires;
//! - a run for some accounts (as a webhook makes) followed by the full run fires what the full
//!   run alone fires and leaves the same history.
//!
//! A second property replays generated books and compares with running day by day.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use csops_core::book::{Book, LoadMode, Records};
use csops_core::condition::{Column, Table};
use csops_core::playbook::*;
use csops_core::synth::{SynthConfig, generate};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const WINDOW: u32 = 7;

/// A leaf trigger of the model: what it tests on a row.
#[derive(Debug, Clone)]
enum Leaf {
    Level(f64),
    Crossing(f64),
    Drop(f64),
    Rise(f64),
    Renewal(u32),
}

#[derive(Debug, Clone)]
enum Shape {
    Leaf(Leaf),
    All(Vec<Leaf>),
    Any(Vec<Leaf>),
}

#[derive(Debug, Clone)]
struct PlaySpec {
    shape: Shape,
    min_arr: Option<f64>,
    cooldown: u32,
    task: bool,
    live: bool,
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        (10u32..90).prop_map(|t| Leaf::Level(t.into())),
        (10u32..90).prop_map(|t| Leaf::Crossing(t.into())),
        (1u32..6).prop_map(|k| Leaf::Drop(f64::from(k) / 10.0)),
        (1u32..6).prop_map(|k| Leaf::Rise(f64::from(k) / 10.0)),
        (0u32..120).prop_map(Leaf::Renewal),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        3 => leaf().prop_map(Shape::Leaf),
        1 => prop::collection::vec(leaf(), 1..4).prop_map(Shape::All),
        1 => prop::collection::vec(leaf(), 1..4).prop_map(Shape::Any),
    ]
}

fn play_spec() -> impl Strategy<Value = PlaySpec> {
    (
        shape(),
        prop::option::of(0u32..100_000),
        0u32..10,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(shape, min_arr, cooldown, task, live)| PlaySpec {
            shape,
            min_arr: min_arr.map(f64::from),
            cooldown,
            task,
            live,
        })
}

fn leaf_trigger(l: &Leaf) -> Trigger {
    match l {
        Leaf::Level(t) => Trigger::Level {
            when: format!("score < {t}").parse().unwrap(),
        },
        Leaf::Crossing(t) => Trigger::Crossing {
            when: format!("score < {t}").parse().unwrap(),
        },
        Leaf::Drop(s) => Trigger::Change {
            field: "score".into(),
            window_days: WINDOW,
            drop: Some(*s),
            rise: None,
        },
        Leaf::Rise(s) => Trigger::Change {
            field: "score".into(),
            window_days: WINDOW,
            drop: None,
            rise: Some(*s),
        },
        Leaf::Renewal(d) => Trigger::Renewal { within_days: *d },
    }
}

fn playbook(specs: &[PlaySpec]) -> Playbook {
    let plays = specs
        .iter()
        .enumerate()
        .map(|(k, s)| Play {
            name: format!("p{k}"),
            description: String::new(),
            owner: "ops".into(),
            trigger: match &s.shape {
                Shape::Leaf(l) => leaf_trigger(l),
                Shape::All(v) => Trigger::All {
                    of: v.iter().map(leaf_trigger).collect(),
                },
                Shape::Any(v) => Trigger::Any {
                    of: v.iter().map(leaf_trigger).collect(),
                },
            },
            filter: s.min_arr.map(|m| format!("arr >= {m}").parse().unwrap()),
            actions: if s.task {
                vec![Action::Task {
                    assign: Assignee::Owner,
                    title: "{id} at {score} ({play})".into(),
                    body: "{reason}".into(),
                    due_in_days: 3,
                    priority: "high".into(),
                }]
            } else {
                vec![Action::Tag {
                    tag: "watch".into(),
                }]
            },
            mode: if s.live { Mode::Live } else { Mode::LogOnly },
            cooldown_days: s.cooldown,
        })
        .collect();
    Playbook {
        schema_version: 1,
        plays,
    }
}

/// One day's inputs, by account index (rows of the tables are shuffled).
#[derive(Debug, Clone)]
struct Day {
    day: NaiveDate,
    score: Vec<f64>,
    past_score: Vec<f64>,
    arr: Vec<f64>,
    renewal: Vec<f64>,
    order: Vec<usize>,
    close_mask: u64,
}

/// `step` times a whole number below `steps`, or missing (15%).
fn maybe(rng: &mut ChaCha8Rng, steps: u32, step: f64) -> f64 {
    let x = f64::from(rng.random_range(0..steps)) * step;
    if rng.random_bool(0.15) { f64::NAN } else { x }
}

fn days(seed: u64, n: usize, runs: usize) -> Vec<Day> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut day: NaiveDate = "2026-03-01".parse().unwrap();
    (0..runs)
        .map(|_| {
            // Same-day re-runs (gap 0) are part of the sequence.
            day = day + Days::new(rng.random_range(0..6));
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut rng);
            // Coarse values so that ties and exact thresholds happen.
            let score = (0..n).map(|_| maybe(&mut rng, 10, 10.0)).collect();
            let past_score = (0..n).map(|_| maybe(&mut rng, 10, 10.0)).collect();
            let arr = (0..n).map(|_| maybe(&mut rng, 10, 10_000.0)).collect();
            let renewal = (0..n).map(|_| maybe(&mut rng, 200, 1.0)).collect();
            Day {
                day,
                score,
                past_score,
                arr,
                renewal,
                order,
                close_mask: rng.random(),
            }
        })
        .collect()
}

fn id(a: usize) -> String {
    format!("A{a}")
}

fn tables(d: &Day) -> (Table, BTreeMap<u32, Table>) {
    let pick = |v: &[f64]| Column::Number(d.order.iter().map(|&a| v[a]).collect());
    let mut now = Table::default();
    now.insert(
        "id",
        Column::Text(d.order.iter().map(|&a| Some(id(a))).collect()),
    )
    .unwrap();
    now.insert(
        "owner_csm",
        Column::Text(
            d.order
                .iter()
                .map(|&a| (a % 3 != 0).then(|| format!("csm{}", a % 3)))
                .collect(),
        ),
    )
    .unwrap();
    now.insert("score", pick(&d.score)).unwrap();
    now.insert("arr", pick(&d.arr)).unwrap();
    now.insert("days_to_renewal", pick(&d.renewal)).unwrap();
    // The earlier table in natural order: rows are matched by id, not position.
    let n = d.order.len();
    let mut past = Table::default();
    past.insert("id", Column::Text((0..n).map(|a| Some(id(a))).collect()))
        .unwrap();
    past.insert("score", Column::Number(d.past_score.clone()))
        .unwrap();
    (now, BTreeMap::from([(WINDOW, past)]))
}

/// The model's state between runs.
#[derive(Debug, Default, Clone)]
struct Model {
    last: BTreeMap<(usize, usize), NaiveDate>,
    open: BTreeSet<(usize, usize)>,
    /// Per play: per crossing leaf (in order), the accounts holding at its last run.
    holding: BTreeMap<usize, Vec<BTreeSet<usize>>>,
}

fn lt(x: f64, t: f64) -> bool {
    !x.is_nan() && x < t
}

/// The leaf's verdict for account `a`; crossings read and record their state.
fn model_leaf(
    l: &Leaf,
    d: &Day,
    a: usize,
    before: Option<&BTreeSet<usize>>,
    now: &mut BTreeSet<usize>,
) -> bool {
    let change = || {
        let (x, then) = (d.score[a], d.past_score[a]);
        if x.is_nan() || then.is_nan() || then == 0.0 {
            None
        } else {
            Some((x - then) / then.abs())
        }
    };
    match l {
        Leaf::Level(t) => lt(d.score[a], *t),
        Leaf::Crossing(t) => {
            let holds = lt(d.score[a], *t);
            if holds {
                now.insert(a);
            }
            holds && before.is_some_and(|b| !b.contains(&a))
        }
        Leaf::Drop(s) => change().is_some_and(|c| c <= -s),
        Leaf::Rise(s) => change().is_some_and(|c| c >= *s),
        Leaf::Renewal(w) => !d.renewal[a].is_nan() && d.renewal[a] <= f64::from(*w),
    }
}

/// What the model fires on `d`, in the engine's order (play, then row), updating its state.
fn model_run(specs: &[PlaySpec], d: &Day, m: &mut Model) -> Vec<(String, String)> {
    let mut fired = Vec::new();
    let mut next = m.clone();
    for (p, s) in specs.iter().enumerate() {
        let leaves: Vec<&Leaf> = match &s.shape {
            Shape::Leaf(l) => vec![l],
            Shape::All(v) | Shape::Any(v) => v.iter().collect(),
        };
        let crossings = leaves
            .iter()
            .filter(|l| matches!(l, Leaf::Crossing(_)))
            .count();
        let before = m.holding.get(&p);
        let mut now_sets = vec![BTreeSet::new(); crossings];
        let mut hits = vec![false; d.order.len()];
        for (row, &a) in d.order.iter().enumerate() {
            let mut k = 0;
            let verdicts: Vec<bool> = leaves
                .iter()
                .map(|l| {
                    let is_crossing = matches!(l, Leaf::Crossing(_));
                    let v = if is_crossing {
                        let b = before.and_then(|b| b.get(k));
                        model_leaf(l, d, a, b, &mut now_sets[k])
                    } else {
                        model_leaf(l, d, a, None, &mut BTreeSet::new())
                    };
                    k += usize::from(is_crossing);
                    v
                })
                .collect();
            hits[row] = match &s.shape {
                Shape::Leaf(_) | Shape::All(_) => verdicts.iter().all(|v| *v),
                Shape::Any(_) => verdicts.iter().any(|v| *v),
            };
        }
        if crossings > 0 {
            next.holding.insert(p, now_sets);
        }
        for (row, &a) in d.order.iter().enumerate() {
            if !hits[row] || s.min_arr.is_some_and(|f| d.arr[a].is_nan() || d.arr[a] < f) {
                continue;
            }
            let gap = i64::from(s.cooldown.max(1));
            if m.last
                .get(&(p, a))
                .is_some_and(|l| (d.day - *l).num_days() < gap)
            {
                continue;
            }
            if m.open.contains(&(p, a)) {
                continue;
            }
            next.last.insert((p, a), d.day);
            if s.task {
                next.open.insert((p, a));
            }
            fired.push((format!("p{p}"), id(a)));
        }
    }
    *m = next;
    fired
}

/// Close the open tasks the day's mask picks, in the engine's history and the model alike.
fn close(h: &mut FireHistory, m: &mut Model, mask: u64) {
    let open: Vec<(usize, usize)> = m.open.iter().copied().collect();
    for (k, (p, a)) in open.into_iter().enumerate() {
        if mask >> (k % 64) & 1 == 1 {
            assert!(h.close_task(&format!("p{p}"), &id(a)));
            m.open.remove(&(p, a));
        }
    }
}

fn run_all(pb: &Playbook, seq: &[Day]) -> Vec<Run> {
    let book = Book::from_records(Records::default(), LoadMode::Strict)
        .unwrap()
        .0;
    let ctx = RunContext::default();
    let mut h = FireHistory::default();
    let mut m = Model::default();
    let mut out = Vec::new();
    for d in seq {
        close(&mut h, &mut m, d.close_mask);
        let (now, past) = tables(d);
        let r = run_on_tables(&book, pb, d.day, &now, &past, &h, &ctx).unwrap();
        h = r.history.clone();
        out.push(r);
    }
    out
}

fn decisions(r: &Run) -> Vec<(String, String, String, Vec<FiredAction>)> {
    r.fired
        .iter()
        .map(|f| {
            (
                f.play.clone(),
                f.account_id.clone(),
                f.reason.clone(),
                f.actions.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_engine_fires_what_the_rules_say(
        specs in prop::collection::vec(play_spec(), 1..5),
        n in 1usize..12,
        runs in 1usize..14,
        seed in any::<u64>(),
    ) {
        let pb = playbook(&specs);
        let seq = days(seed, n, runs);
        let book = Book::from_records(Records::default(), LoadMode::Strict).unwrap().0;
        let ctx = RunContext::default();
        let mut h = FireHistory::default();
        let mut m = Model::default();
        let mut fires: BTreeMap<(String, String), Vec<(NaiveDate, bool)>> = BTreeMap::new();
        for d in &seq {
            close(&mut h, &mut m, d.close_mask);
            let (now, past) = tables(d);
            let full = run_on_tables(&book, &pb, d.day, &now, &past, &h, &ctx).unwrap();
            // A run for some accounts first (a webhook), then the full run: together they fire
            // what the full run alone does, and leave the same history.
            let some: Vec<String> =
                (0..n).filter(|a| d.close_mask.rotate_left(7) >> (a % 64) & 1 == 1).map(id).collect();
            let scoped_ctx = RunContext { accounts: Some(&some), ..RunContext::default() };
            let scoped = run_on_tables(&book, &pb, d.day, &now, &past, &h, &scoped_ctx).unwrap();
            prop_assert!(scoped.fired.iter().all(|f| some.contains(&f.account_id)));
            let r = run_on_tables(&book, &pb, d.day, &now, &past, &scoped.history, &ctx).unwrap();
            prop_assert_eq!(&r.history, &full.history);
            let mut both: Vec<(String, String)> = scoped.fired.iter().chain(&r.fired)
                .map(|f| (f.play.clone(), f.account_id.clone())).collect();
            both.sort();
            let r = full;
            let expected = model_run(&specs, d, &mut m);
            let got: Vec<(String, String)> =
                r.fired.iter().map(|f| (f.play.clone(), f.account_id.clone())).collect();
            prop_assert_eq!(&got, &expected, "on {}", d.day);
            let mut sorted = expected.clone();
            sorted.sort();
            prop_assert_eq!(&both, &sorted, "scoped, then full, on {}", d.day);
            for f in &r.fired {
                let p: usize = f.play[1..].parse().unwrap();
                prop_assert_eq!(f.mode, pb.plays[p].mode);
                prop_assert_eq!(f.date, d.day);
                for a in &f.actions {
                    if let FiredAction::Task { title, .. } = a {
                        prop_assert!(title.starts_with(&f.account_id), "{}", title);
                        prop_assert!(!title.contains('{'), "{}", title);
                    }
                }
            }
            // The history is the model's.
            let open: BTreeSet<(String, String)> =
                m.open.iter().map(|(p, a)| (format!("p{p}"), id(*a))).collect();
            prop_assert_eq!(&r.history.open_tasks, &open);
            let last: BTreeMap<String, BTreeMap<String, NaiveDate>> =
                m.last.iter().fold(BTreeMap::new(), |mut acc, ((p, a), dd)| {
                    acc.entry(format!("p{p}")).or_default().insert(id(*a), *dd);
                    acc
                });
            prop_assert_eq!(&r.history.last_fired, &last);
            prop_assert_eq!(r.history.last_run, Some(d.day));
            // Idempotent: the same day again with the new history fires nothing, changes
            // nothing.
            let again = run_on_tables(&book, &pb, d.day, &now, &past, &r.history, &ctx).unwrap();
            prop_assert!(again.fired.is_empty(), "{:?}", again.fired);
            prop_assert_eq!(&again.history, &r.history);
            for f in &r.fired {
                let task = f.actions.iter().any(|a| matches!(a, FiredAction::Task { .. }));
                fires.entry((f.play.clone(), f.account_id.clone())).or_default().push((d.day, task));
            }
            h = r.history;
        }
        // Cooldowns hold, and nothing fires twice a day.
        for ((play, _), dates) in &fires {
            let p: usize = play[1..].parse().unwrap();
            for w in dates.windows(2) {
                prop_assert!(
                    (w[1].0 - w[0].0).num_days() >= i64::from(specs[p].cooldown.max(1)),
                    "{play} fired on {} and {} with a cooldown of {}", w[0].0, w[1].0, specs[p].cooldown
                );
            }
        }
    }

    #[test]
    fn log_only_and_live_make_the_same_decisions(
        specs in prop::collection::vec(play_spec(), 1..5),
        n in 1usize..10,
        runs in 1usize..10,
        seed in any::<u64>(),
    ) {
        let seq = days(seed, n, runs);
        let mut live = playbook(&specs);
        let mut quiet = live.clone();
        for p in &mut live.plays {
            p.mode = Mode::Live;
        }
        for p in &mut quiet.plays {
            p.mode = Mode::LogOnly;
        }
        let (a, b, c) = (run_all(&live, &seq), run_all(&quiet, &seq), run_all(&playbook(&specs), &seq));
        for ((x, y), z) in a.iter().zip(&b).zip(&c) {
            prop_assert_eq!(decisions(x), decisions(y));
            prop_assert_eq!(decisions(x), decisions(z));
            prop_assert_eq!(&x.history, &y.history);
            prop_assert_eq!(&x.history, &z.history);
            prop_assert!(x.fired.iter().all(|f| f.mode == Mode::Live));
            prop_assert!(y.fired.iter().all(|f| f.mode == Mode::LogOnly));
        }
    }
}

fn sample_playbook() -> Playbook {
    let mut pb = Playbook::from_toml(
        r#"
[[plays]]
name = "red"
owner = "cs-ops"
mode = "live"
cooldown_days = 5
trigger = { kind = "crossing", when = 'band == "red"' }
actions = [{ action = "task", assign = { to = "owner" }, title = "{name} turned red", due_in_days = 3 }]

[[plays]]
name = "usage-drop"
owner = "cs-ops"
cooldown_days = 3
trigger = { kind = "change", field = "logins_per_user_week", window_days = 14, drop = 0.25 }
actions = [{ action = "tag", tag = "usage-drop" }]

[[plays]]
name = "escalated"
owner = "support"
trigger = { kind = "any", of = [{ kind = "event", event = "ticket_escalated" }, { kind = "event", event = "nps_detractor" }] }
actions = [{ action = "task", assign = { to = "queue", queue = "escalations" }, title = "{name}: {reason}", due_in_days = 2 }]
"#,
    )
    .unwrap();
    pb.plays.push(sponsor_left_play());
    pb
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn replay_equals_running_day_by_day(
        seed in any::<u64>(),
        accounts in 20usize..50,
        back in 0u64..200,
        len in 0u64..20,
    ) {
        let (b, _) = Book::from_records(
            generate(&SynthConfig { accounts, seed, ..Default::default() }),
            LoadMode::Strict,
        )
        .unwrap();
        let card = csops_core::health::Scorecard::default_heuristic();
        let ctx = RunContext { scorecard: Some(&card), ..Default::default() };
        let pb = sample_playbook();
        let to = b.latest_date().unwrap() - Days::new(back);
        let from = to - Days::new(len);
        let start = FireHistory { last_run: Some(from - Days::new(1)), ..Default::default() };
        let r = replay(&b, &pb, from, to, &start, &ctx).unwrap();
        // Day by day: every play log-only, tasks closed on their due day, as replay documents.
        let mut quiet = pb.clone();
        for p in &mut quiet.plays {
            p.mode = Mode::LogOnly;
        }
        let mut h = start;
        let mut all = Vec::new();
        let mut due: BTreeMap<NaiveDate, Vec<(String, String)>> = BTreeMap::new();
        let mut day = from;
        while day <= to {
            for (p, a) in due.remove(&day).unwrap_or_default() {
                h.close_task(&p, &a);
            }
            let out = run(&b, &quiet, day, &h, &ctx).unwrap();
            for f in &out.fired {
                for a in &f.actions {
                    if let FiredAction::Task { due: dd, .. } = a {
                        due.entry(*dd).or_default().push((f.play.clone(), f.account_id.clone()));
                    }
                }
            }
            all.extend(out.fired);
            h = out.history;
            day = day + Days::new(1);
        }
        prop_assert_eq!(&r.fired, &all);
        prop_assert_eq!(&r.history, &h);
        prop_assert_eq!(r.per_play.values().sum::<u64>() as usize, r.fired.len());
        prop_assert!(r.fired.iter().all(|f| f.mode == Mode::LogOnly && f.date >= from && f.date <= to));
        // The counts per CSM are the tasks' assignees.
        let mut per_csm: BTreeMap<String, u64> = BTreeMap::new();
        for f in &r.fired {
            for a in &f.actions {
                if let FiredAction::Task { assignee, .. } = a {
                    *per_csm.entry(assignee.clone()).or_default() += 1;
                }
            }
        }
        prop_assert_eq!(&r.per_csm, &per_csm);
    }
}

#[test]
fn account_tables_need_unique_ids() {
    let book = Book::from_records(Records::default(), LoadMode::Strict)
        .unwrap()
        .0;
    let pb = playbook(&[PlaySpec {
        shape: Shape::Leaf(Leaf::Level(50.0)),
        min_arr: None,
        cooldown: 0,
        task: true,
        live: true,
    }]);
    let mut t = Table::default();
    t.insert(
        "id",
        Column::Text(vec![Some("A".into()), None, Some("A".into())]),
    )
    .unwrap();
    t.insert("score", Column::Number(vec![1.0, 2.0, 3.0]))
        .unwrap();
    let day: NaiveDate = "2026-01-01".parse().unwrap();
    let ctx = RunContext::default();
    let err = run_on_tables(
        &book,
        &pb,
        day,
        &t,
        &BTreeMap::new(),
        &FireHistory::default(),
        &ctx,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("row 1: no account id") && err.contains("row 2: account `A` again"),
        "{err}"
    );
}
