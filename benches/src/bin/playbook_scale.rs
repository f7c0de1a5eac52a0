//! Playbooks at scale, on one core: 20 plays over 1M accounts.
//!
//! ```text
//! cargo build --release -p csops-benches --bin playbook_scale
//! target/release/playbook_scale [--accounts 1000000] [--book-accounts 30000] \
//!     [--events-per-week 0.5] [--runs 5] [--budget-s 30] [--only a|b] [--repeat-run 0]
//! ```
//!
//! Two measurements, because the engine's public entry [`playbook::run`] derives the account
//! table from a [`Book`] on every call, and a generated book of a million accounts (about
//! 200M records, 22.7 GiB; see the README) does not fit the point of the exercise.
//!
//! **(a) Condition evaluation over a prebuilt 1M-row table** (`--accounts`). The engine's
//! table-taking entry (`run_on`) is private, so this part times what a run does with the
//! table for the condition side of 20 plays: [`Table::filter`] of each play's filter and of
//! its trigger condition (the [`PLAYS_A`] list: numbers, text, dates as text, yes/no columns,
//! `in`, `between`, `is null`, `not` and three-valued missing values), then
//! [`TierRules::assign`] with five ordered rules. The [`Table`] is generated directly (seeded
//! ChaCha8: the same on every platform) with the columns a play table has (account fields,
//! features, `score`, `band`, `coverage`; yes/no features as yes/no columns), a few percent
//! missing in each, each text column's strings allocated together as [`account_table`]
//! does; generating it is not timed. Not included: triggers without a condition (change,
//! event, renewal), reasons, the fire history, templates; part (b) measures those.
//!
//! **(b) [`playbook::run`] end to end** on a generated book ([`csops_core::synth::generate`],
//! `--book-accounts` accounts, `--events-per-week` usage events per account-week; generating
//! and loading it is not timed) with the 20 plays of [`PLAYBOOK_B`]: level, crossing, change
//! over two windows (30 and 7 days, so every run derives three account tables), event (all
//! four kinds), renewal, `all` and `any`. It times a first run (empty history: crossings only
//! record who holds) and the next day's run with that history; and, to show what dominates,
//! [`play_table`] on its own (features as of the day, scores, account table) and its parts.
//! `--repeat-run k` runs the next-day run `k` more times untimed, for `perf record`.
//!
//! Every step is run up to `--runs` times (fewer once one step has used `--budget-s`
//! seconds) and prints one `key value…` line: the best wall time (`ms`), the mean on-CPU time
//! of the thread per run (`cpu_ms`, from `/proc/thread-self/schedstat`, which moves at
//! scheduler ticks: the steadier figure when other processes share the cores, but only for
//! steps of many milliseconds), the run count and the peak RSS
//! during the step (`peak_mib`, `VmHWM` after resetting it); plus matched and fired counts
//! and a hash of each run's whole result (`b_fingerprint`) to check that two builds of the
//! engine agree.

use csops_benches::{peak_rss_mib, reset_peak_rss};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use csops_core::book::{Book, LoadMode};
use csops_core::condition::{Column, Condition, Table};
use csops_core::features::features_as_of;
use csops_core::health::Scorecard;
use csops_core::playbook::{self, FireHistory, Playbook, RunContext, play_table};
use csops_core::segment::{TierRule, TierRules, account_table};
use csops_core::synth::{SynthConfig, generate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Part (a): each play's trigger condition and filter (`None`: every account).
pub const PLAYS_A: [(&str, &str, Option<&str>); 20] = [
    ("red-large", r#"band == "red""#, Some("arr >= 20000")),
    (
        "usage-drop",
        "usage_change_pct <= -30 and logins_per_user_week < 1",
        Some(r#"segment != "smb""#),
    ),
    (
        "no-sponsor",
        "not exec_sponsor_present",
        Some("arr >= 50000"),
    ),
    (
        "no-champion",
        r#"champion_present == false and segment in ["enterprise", "mid_market"]"#,
        None,
    ),
    (
        "renewal-risk",
        r#"days_to_renewal <= 90 and band != "green""#,
        Some("arr > 0"),
    ),
    (
        "low-breadth",
        "feature_breadth < 0.25 and seat_utilisation < 0.3",
        None,
    ),
    (
        "inactive",
        "days_since_last_activity >= 21 or days_since_last_activity is null",
        Some("arr > 0"),
    ),
    (
        "ticket-load",
        "tickets_opened >= 5 or open_high_priority_tickets >= 2",
        None,
    ),
    ("detractor", "nps < 0 and avg_csat < 3.5", None),
    (
        "ebr-overdue",
        r#"days_since_last_ebr > 180 and segment == "enterprise""#,
        None,
    ),
    (
        "onboarding-stuck",
        "milestones_achieved_share < 0.5",
        Some(r#"start_date >= "2025-06-01""#),
    ),
    (
        "emea-apac-yellow",
        r#"region in ["EMEA", "APAC"] and band == "yellow" and score between 40 and 55"#,
        None,
    ),
    ("unowned-large", "owner_csm is null and arr >= 10000", None),
    (
        "expansion",
        r#"seat_utilisation >= 0.9 and band == "green""#,
        Some(r#"plan in ["growth", "enterprise"]"#),
    ),
    (
        "churn-signal",
        r#"(score < 30 or coverage < 0.5) and not (region == "LATAM")"#,
        None,
    ),
    (
        "low-stickiness",
        "dau_mau < 0.05 and logins_per_user_week between 0 and 0.5",
        None,
    ),
    (
        "partner-at-risk",
        r#"attr.source == "partner" and band in ["red", "yellow"]"#,
        None,
    ),
    (
        "renews-q1",
        r#"renewal_date >= "2026-01-01" and renewal_date <= "2026-03-31""#,
        Some(r#"band != "green""#),
    ),
    (
        "no-relationship",
        "not (exec_sponsor_present or champion_present)",
        Some(r#"segment != "smb""#),
    ),
    (
        "big-and-slipping",
        r#"(band == "red" and arr >= 100000) or (band == "yellow" and arr >= 250000 and days_to_renewal <= 180)"#,
        None,
    ),
];

/// Part (a): tier rules, first match wins; the rest are `digital`.
pub const RULES_A: [(&str, &str); 5] = [
    ("strategic", r#"segment == "enterprise" and arr >= 250000"#),
    (
        "high_touch",
        r#"arr >= 100000 or (arr >= 60000 and band == "red")"#,
    ),
    (
        "mid_touch",
        r#"arr >= 25000 and not (segment == "smb" and band == "green")"#,
    ),
    (
        "tech_touch",
        "arr >= 5000 or (logins_per_user_week >= 2 and days_to_renewal <= 90)",
    ),
    ("tech_touch", "exec_sponsor_present and seats >= 50"),
];

/// Part (b): the playbook (TOML), 20 plays mixing every trigger kind.
pub const PLAYBOOK_B: &str = r#"
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
name = "usage-drop-30d"
owner = "cs-ops"
trigger = { kind = "change", field = "logins_per_user_week", window_days = 30, drop = 0.3 }
actions = [{ action = "task", assign = { to = "queue", queue = "scaled-cs" }, title = "Usage fell at {name}: {reason}", due_in_days = 5 }]

[[plays]]
name = "breadth-drop-7d"
owner = "cs-ops"
filter = 'segment != "smb"'
trigger = { kind = "change", field = "feature_breadth", window_days = 7, drop = 0.25 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Breadth fell at {name}", body = "{reason}", due_in_days = 7 }]

[[plays]]
name = "score-drop-30d"
owner = "cs-ops"
cooldown_days = 30
trigger = { kind = "change", field = "score", window_days = 30, drop = 0.2 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Health fell at {name}: {reason}", due_in_days = 5, priority = "high" }]

[[plays]]
name = "arr-rise-30d"
owner = "growth"
trigger = { kind = "change", field = "arr", window_days = 30, rise = 0.2 }
actions = [{ action = "tag", tag = "expanded" }]

[[plays]]
name = "sponsor-left"
owner = "cs-ops"
cooldown_days = 30
filter = "arr > 0"
trigger = { kind = "event", event = "sponsor_removed" }
actions = [{ action = "task", assign = { to = "owner" }, title = "Re-engage {name}: executive sponsor left", body = "{reason}. ARR {arr}, renewal {renewal_date}.", due_in_days = 7, priority = "high" }]

[[plays]]
name = "champion-left"
owner = "cs-ops"
cooldown_days = 30
trigger = { kind = "event", event = "champion_removed" }
actions = [{ action = "task", assign = { to = "owner" }, title = "Find a new champion at {name}", body = "{reason}", due_in_days = 14 }]

[[plays]]
name = "escalation"
owner = "support"
trigger = { kind = "event", event = "ticket_escalated" }
actions = [{ action = "task", assign = { to = "role", role = "support_lead" }, title = "Escalation at {name}", body = "{reason}", due_in_days = 1, priority = "urgent" }]

[[plays]]
name = "detractor"
owner = "cs-ops"
trigger = { kind = "event", event = "nps_detractor" }
actions = [{ action = "task", assign = { to = "owner" }, title = "Close the loop with {name}", body = "{reason}", due_in_days = 5 }]

[[plays]]
name = "renewal-watch"
owner = "renewals"
cooldown_days = 30
trigger = { kind = "all", of = [{ kind = "renewal", within_days = 120 }, { kind = "level", when = 'band != "green"' }] }
actions = [{ action = "route", to = "renewals-desk" }]

[[plays]]
name = "renewal-30d"
owner = "renewals"
cooldown_days = 30
filter = "arr >= 50000"
trigger = { kind = "renewal", within_days = 30 }
actions = [{ action = "task", assign = { to = "role", role = "renewals_manager" }, title = "{name} renews {renewal_date}", body = "ARR {arr}, band {band}", due_in_days = 3 }]

[[plays]]
name = "no-sponsor"
owner = "cs-ops"
cooldown_days = 60
trigger = { kind = "level", when = 'not exec_sponsor_present and segment in ["enterprise", "mid_market"]' }
actions = [{ action = "task", assign = { to = "owner" }, title = "{name} has no executive sponsor", due_in_days = 14 }]

[[plays]]
name = "inactive"
owner = "scaled-cs"
cooldown_days = 14
trigger = { kind = "level", when = "days_since_last_activity >= 21" }
actions = [{ action = "task", assign = { to = "queue", queue = "scaled-cs" }, title = "{name} inactive for {days_since_last_activity} days", due_in_days = 7 }]

[[plays]]
name = "low-breadth"
owner = "cs-ops"
trigger = { kind = "crossing", when = "feature_breadth < 0.25" }
actions = [{ action = "tag", tag = "low-breadth" }]

[[plays]]
name = "ticket-load"
owner = "support"
cooldown_days = 7
trigger = { kind = "level", when = "tickets_opened >= 5 or open_high_priority_tickets >= 2" }
actions = [{ action = "task", assign = { to = "owner" }, title = "Ticket load at {name}: {tickets_opened} opened", due_in_days = 3 }]

[[plays]]
name = "ebr-overdue"
owner = "cs-ops"
cooldown_days = 30
trigger = { kind = "level", when = 'days_since_last_ebr > 180 and segment == "enterprise"' }
actions = [{ action = "task", assign = { to = "owner" }, title = "Book an EBR with {name}", due_in_days = 21 }]

[[plays]]
name = "expansion"
owner = "growth"
cooldown_days = 90
trigger = { kind = "level", when = 'seat_utilisation >= 0.9 and band == "green"' }
actions = [{ action = "route", to = "account-executives" }]

[[plays]]
name = "any-risk"
owner = "cs-ops"
cooldown_days = 30
filter = 'segment == "enterprise"'
trigger = { kind = "any", of = [{ kind = "crossing", when = 'band == "red"' }, { kind = "event", event = "nps_detractor" }, { kind = "change", field = "logins_per_user_week", window_days = 30, drop = 0.5 }] }
actions = [{ action = "task", assign = { to = "owner" }, title = "Risk at {name}", body = "{reason}", due_in_days = 2, priority = "urgent" }]

[[plays]]
name = "unowned-large"
owner = "cs-ops"
cooldown_days = 30
trigger = { kind = "level", when = "owner_csm is null and arr >= 10000" }
actions = [{ action = "route", to = "cs-managers" }]

[[plays]]
name = "onboarding-stuck"
owner = "onboarding"
cooldown_days = 30
trigger = { kind = "level", when = 'milestones_achieved_share < 0.5 and start_date >= "2025-06-01"' }
actions = [{ action = "task", assign = { to = "owner" }, title = "Onboarding stuck at {name}", due_in_days = 7 }]
"#;

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.windows(2)
        .find(|w| w[0] == name)
        .and_then(|w| w[1].parse().ok())
}

/// On-CPU time of this thread so far, in seconds (Linux `schedstat`), if readable. Unlike
/// wall time it leaves out time spent waiting for a core while other processes run, so it is
/// the steadier figure on a shared machine.
fn cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// One step's figures.
#[derive(Debug, Clone, Copy)]
struct Timing {
    /// Best wall time of the runs (s).
    wall: f64,
    /// Mean on-CPU time per run (s; `NaN` where not readable). The counter only moves at
    /// scheduler ticks, so a mean over the runs rather than a best.
    cpu: f64,
    /// Runs made.
    runs: usize,
    /// Peak RSS during the runs (MiB).
    peak: f64,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ms {:.3} cpu_ms {:.3} runs {} peak_mib {:.0}",
            self.wall * 1e3,
            self.cpu * 1e3,
            self.runs,
            self.peak
        )
    }
}

/// Up to `runs` runs of `f`, stopping early once `budget` seconds are spent: the best wall
/// time, the mean CPU time, the run count and the peak RSS during the runs; and the last
/// result (the previous one is dropped before each run, outside the timing).
fn best_of<T>(runs: usize, budget: f64, mut f: impl FnMut() -> T) -> (Timing, T) {
    reset_peak_rss();
    let (mut wall, mut cpu, mut spent, mut done) = (f64::INFINITY, 0.0, 0.0, 0);
    let mut out = None;
    while done < runs && (done == 0 || spent < budget) {
        drop(out.take());
        let c = cpu_s();
        let t = Instant::now();
        let r = black_box(f());
        let s = t.elapsed().as_secs_f64();
        cpu += cpu_s().zip(c).map_or(f64::NAN, |(b, a)| b - a);
        wall = wall.min(s);
        spent += s;
        done += 1;
        out = Some(r);
    }
    let timing = Timing {
        wall,
        cpu: cpu / done as f64,
        runs: done,
        peak: peak_rss_mib().unwrap_or(f64::NAN),
    };
    (timing, out.expect("at least one run"))
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller (rand_distr is not a dependency of this crate).
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[(&'a str, f64)]) -> Option<&'a str> {
    let mut x: f64 = rng.random();
    for (s, p) in items {
        if x < *p {
            return Some(s);
        }
        x -= p;
    }
    None
}

/// A number, missing with probability `missing`.
fn num(rng: &mut ChaCha8Rng, missing: f64, f: impl FnOnce(&mut ChaCha8Rng) -> f64) -> f64 {
    if rng.random_bool(missing) {
        f64::NAN
    } else {
        f(rng)
    }
}

/// Part (a)'s table: the columns of a play table, `n` rows, seeded. Values are drawn row by
/// row, then each text column's strings are allocated together, column by column, as
/// [`account_table`] does (text comparisons read every row's string, so where the strings
/// sit in memory matters).
fn generate_table(n: usize, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut codes: BTreeMap<&str, Vec<Option<&'static str>>> = BTreeMap::new();
    let mut numbers: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut bools: BTreeMap<&str, Vec<Option<bool>>> = BTreeMap::new();
    let mut owner: Vec<Option<usize>> = Vec::with_capacity(n);
    let mut start: Vec<NaiveDate> = Vec::with_capacity(n);
    let mut renewal: Vec<Option<NaiveDate>> = Vec::with_capacity(n);
    let day0 = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date");
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 1).expect("date");
    for _ in 0..n {
        let base = (8000f64.ln() + 1.5 * normal(&mut rng))
            .exp()
            .round()
            .max(1.0);
        let segment = if rng.random_bool(0.03) {
            None
        } else if base >= 50_000.0 {
            Some("enterprise")
        } else if base >= 10_000.0 {
            Some("mid_market")
        } else {
            Some("smb")
        };
        let mut c = |k: &'static str, v: Option<&'static str>| codes.entry(k).or_default().push(v);
        c("segment", segment);
        c(
            "region",
            pick(
                &mut rng,
                &[
                    ("NA", 0.45),
                    ("EMEA", 0.30),
                    ("APAC", 0.15),
                    ("LATAM", 0.08),
                ],
            ),
        );
        c(
            "plan",
            pick(
                &mut rng,
                &[("starter", 0.4), ("growth", 0.4), ("enterprise", 0.18)],
            ),
        );
        c(
            "attr.source",
            pick(
                &mut rng,
                &[
                    ("inbound", 0.45),
                    ("outbound", 0.3),
                    ("partner", 0.15),
                    ("event", 0.07),
                ],
            ),
        );
        owner.push(
            (!rng.random_bool(if segment == Some("smb") { 0.3 } else { 0.04 }))
                .then(|| rng.random_range(0..(n / 60).max(1))),
        );
        start.push(day0 + Days::new(rng.random_range(0..1400)));
        let to_renewal = rng.random_range(0u64..366);
        let r = (!rng.random_bool(0.01)).then(|| as_of + Days::new(to_renewal));
        renewal.push(r);
        let score = num(&mut rng, 0.05, |r| {
            ((r.random::<f64>() + r.random::<f64>()) * 500.0).round() / 10.0
        });
        let band = if score.is_nan() {
            None
        } else if score < 40.0 {
            Some("red")
        } else if score < 70.0 {
            Some("yellow")
        } else {
            Some("green")
        };
        codes.entry("band").or_default().push(band);
        let mut x = |k: &'static str, v: f64| numbers.entry(k).or_default().push(v);
        x(
            "arr",
            if rng.random_bool(0.03) {
                f64::NAN
            } else if rng.random_bool(0.04) {
                0.0
            } else {
                base
            },
        );
        x("score", score);
        x(
            "coverage",
            num(&mut rng, 0.02, |r| r.random_range(0.3..1.0)),
        );
        x("days_to_renewal", r.map_or(f64::NAN, |_| to_renewal as f64));
        x(
            "seats",
            num(&mut rng, 0.02, |r| {
                (base / 1000.0 * (0.5 * normal(r)).exp()).round().max(1.0)
            }),
        );
        x(
            "logins_per_user_week",
            num(&mut rng, 0.05, |r| {
                (-1.5 * (1.0 - r.random::<f64>()).ln() * 100.0).round() / 100.0
            }),
        );
        x("dau_mau", num(&mut rng, 0.05, |r| r.random_range(0.0..0.4)));
        x(
            "feature_breadth",
            num(&mut rng, 0.05, |r| f64::from(r.random_range(0u8..9)) / 8.0),
        );
        x(
            "seat_utilisation",
            num(&mut rng, 0.05, |r| r.random_range(0.0..1.2)),
        );
        x(
            "days_since_last_activity",
            num(&mut rng, 0.04, |r| {
                (-7.0 * (1.0 - r.random::<f64>()).ln()).floor()
            }),
        );
        x(
            "usage_change_pct",
            num(&mut rng, 0.08, |r| (40.0 * normal(r)).round()),
        );
        x(
            "tickets_opened",
            num(&mut rng, 0.0, |r| f64::from(r.random_range(0u8..8))),
        );
        x(
            "open_high_priority_tickets",
            num(&mut rng, 0.0, |r| f64::from(r.random_range(0u8..3))),
        );
        x("avg_csat", num(&mut rng, 0.4, |r| r.random_range(1.0..5.0)));
        x(
            "nps",
            num(&mut rng, 0.3, |r| {
                (r.random_range(-100.0f64..100.0)).round()
            }),
        );
        x(
            "days_since_last_ebr",
            num(&mut rng, 0.2, |r| f64::from(r.random_range(0u16..400))),
        );
        x(
            "milestones_achieved_share",
            num(&mut rng, 0.1, |r| r.random::<f64>()),
        );
        let mut b = |k: &'static str, p: f64, missing: f64| {
            let v = (!rng.random_bool(missing)).then(|| rng.random_bool(p));
            bools.entry(k).or_default().push(v);
        };
        b("exec_sponsor_present", 0.75, 0.03);
        b("champion_present", 0.6, 0.03);
    }
    let mut t = Table::default();
    let mut put = |k: &str, c: Column| t.insert(k, c).expect("column");
    put(
        "id",
        Column::Text((0..n).map(|i| Some(format!("A{i:07}"))).collect()),
    );
    put(
        "name",
        Column::Text((0..n).map(|i| Some(format!("Account {i}"))).collect()),
    );
    put(
        "owner_csm",
        Column::Text(
            owner
                .iter()
                .map(|o| o.map(|o| format!("CSM{o:05}")))
                .collect(),
        ),
    );
    put(
        "start_date",
        Column::Text(start.iter().map(|d| Some(d.to_string())).collect()),
    );
    put(
        "renewal_date",
        Column::Text(renewal.iter().map(|d| d.map(|d| d.to_string())).collect()),
    );
    for (k, v) in codes {
        put(
            k,
            Column::Text(v.into_iter().map(|s| s.map(str::to_string)).collect()),
        );
    }
    for (k, v) in numbers {
        put(k, Column::Number(v));
    }
    for (k, v) in bools {
        put(k, Column::Bool(v));
    }
    t
}

fn part_a(n: usize, runs: usize, budget: f64) {
    let t0 = Instant::now();
    let table = generate_table(n, 7);
    println!(
        "a_table rows {n} columns {} generate_s {:.1} peak_mib {:.0}",
        table.columns.len(),
        t0.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let plays: Vec<(&str, Condition, Option<Condition>)> = PLAYS_A
        .iter()
        .map(|(name, when, filter)| {
            (
                *name,
                when.parse().expect("the benchmark conditions parse"),
                filter.map(|f| f.parse().expect("the benchmark filters parse")),
            )
        })
        .collect();
    // One play at a time: its filter, then its trigger condition, as the engine does.
    let (mut sum, mut sum_cpu) = (0.0, 0.0);
    let mut evaluations = 0usize;
    let mut peak: f64 = 0.0;
    for (name, when, filter) in &plays {
        let (tm, (allowed, hit)) = best_of(runs, budget, || {
            let allowed = match filter {
                Some(f) => table.filter(f).expect("filter"),
                None => vec![true; table.rows],
            };
            (allowed, table.filter(when).expect("condition"))
        });
        let both = allowed.iter().zip(&hit).filter(|(a, h)| **a && **h).count();
        evaluations += 1 + usize::from(filter.is_some());
        sum += tm.wall;
        sum_cpu += tm.cpu;
        peak = peak.max(tm.peak);
        println!(
            "a_play {name} {tm} rows_per_s {:.0} hit {} allowed {} both {both}",
            n as f64 / tm.wall,
            hit.iter().filter(|h| **h).count(),
            allowed.iter().filter(|a| **a).count(),
        );
    }
    println!(
        "a_plays_sum ms {:.3} cpu_ms {:.3} conditions {evaluations} per_play_ms {:.3} rows_per_s_per_play {:.0}",
        sum * 1e3,
        sum_cpu * 1e3,
        sum * 1e3 / plays.len() as f64,
        n as f64 * plays.len() as f64 / sum
    );
    // All 20 in one go (what one run pays for its conditions).
    let (tm, total) = best_of(runs, budget, || {
        let mut total = 0usize;
        for (_, when, filter) in &plays {
            let allowed = match filter {
                Some(f) => table.filter(f).expect("filter"),
                None => vec![true; table.rows],
            };
            let hit = table.filter(when).expect("condition");
            total += allowed.iter().zip(&hit).filter(|(a, h)| **a && **h).count();
        }
        total
    });
    peak = peak.max(tm.peak);
    println!(
        "a_plays_all {tm} account_plays_per_s {:.0} matched {total}",
        n as f64 * plays.len() as f64 / tm.wall
    );
    let rules = TierRules {
        schema_version: 1,
        rules: RULES_A
            .iter()
            .map(|(tier, when)| TierRule {
                tier: (*tier).into(),
                when: when.parse().expect("the benchmark rules parse"),
            })
            .collect(),
        default_tier: "digital".into(),
    };
    let (tm, tiers) = best_of(runs, budget, || rules.assign(&table).expect("tiers"));
    peak = peak.max(tm.peak);
    let names = rules.tiers();
    let mut counts = vec![0usize; names.len()];
    for &t in &tiers {
        counts[t] += 1;
    }
    let counts: Vec<String> = names
        .iter()
        .zip(&counts)
        .map(|(t, c)| format!("{t}={c}"))
        .collect();
    println!(
        "a_tier_assign {tm} rows_per_s {:.0} tiers {}",
        n as f64 / tm.wall,
        counts.join(" ")
    );
    println!("a_peak_mib {peak:.0}");
}

/// A hash of everything a run returns (what fired, why, and the new history), to check that
/// two builds of the engine agree.
fn fingerprint(run: &playbook::Run) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    format!("{run:?}").hash(&mut h);
    h.finish()
}

fn part_b(accounts: usize, events_per_week: f64, runs: usize, budget: f64, repeat: usize) {
    let cfg = SynthConfig {
        accounts,
        seed: 11,
        events_per_account_week: events_per_week,
        ..Default::default()
    };
    let t0 = Instant::now();
    let records = generate(&cfg);
    let gen_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let (book, report) = Book::from_records(records, LoadMode::Strict).expect("the book loads");
    assert!(report.is_clean(), "{}", report.summary());
    let counts = book.counts();
    println!(
        "b_book accounts {accounts} events_per_week {events_per_week} generate_s {gen_s:.1} load_s {:.1} peak_mib {:.0} counts {counts:?}",
        t0.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let day = book.latest_date().expect("a dated book");
    let card = Scorecard::default_heuristic();
    let ctx = RunContext {
        scorecard: Some(&card),
        ..Default::default()
    };
    let pb = Playbook::from_toml(PLAYBOOK_B).expect("the playbook parses");
    assert_eq!(pb.plays.len(), 20);

    let us = |t: f64| t * 1e6 / accounts as f64;
    // The parts of one account table.
    let (tm, frame) = best_of(runs, budget, || {
        features_as_of(&book, day, &ctx.features).expect("features")
    });
    println!("b_features_as_of {tm} per_account_us {:.2}", us(tm.wall));
    let (tm, scores) = best_of(runs, budget, || {
        card.score_frame(&frame, None).expect("scores")
    });
    println!("b_score_frame {tm} per_account_us {:.2}", us(tm.wall));
    let (tm, _) = best_of(runs, budget, || {
        account_table(&book, day, Some(&frame), Some(&scores)).expect("table")
    });
    println!("b_account_table {tm} per_account_us {:.2}", us(tm.wall));
    let (table_t, table) = best_of(runs, budget, || {
        play_table(&book, day, &ctx).expect("play table")
    });
    println!(
        "b_play_table {table_t} per_account_us {:.2} rows {} columns {}",
        us(table_t.wall),
        table.rows,
        table.columns.len()
    );
    drop(table);

    // The engine, end to end: a first run, then the next day with its history.
    let (tm, first) = best_of(runs, budget, || {
        playbook::run(&book, &pb, day, &FireHistory::default(), &ctx).expect("run")
    });
    println!(
        "b_run_first {tm} per_account_us {:.2} fired {}",
        us(tm.wall),
        first.fired.len()
    );
    let next_day = day + Days::new(1);
    let (run_next, next) = best_of(runs, budget, || {
        playbook::run(&book, &pb, next_day, &first.history, &ctx).expect("run")
    });
    println!(
        "b_run_next {run_next} per_account_us {:.2} fired {}",
        us(run_next.wall),
        next.fired.len()
    );
    for _ in 0..repeat {
        black_box(playbook::run(&book, &pb, next_day, &first.history, &ctx).expect("run"));
    }
    // Three account tables per run: the day's, and 30 and 7 days before for the change plays.
    let (tables, tables_cpu) = (3.0 * table_t.wall, 3.0 * table_t.cpu);
    println!(
        "b_breakdown tables_ms {:.3} tables_cpu_ms {:.3} ({:.0}% of the next-day run's CPU) rest_cpu_ms {:.3} rest_per_account_us {:.2}",
        tables * 1e3,
        tables_cpu * 1e3,
        100.0 * tables_cpu / run_next.cpu,
        (run_next.cpu - tables_cpu) * 1e3,
        us(run_next.cpu - tables_cpu)
    );
    let per_play = |fired: &[playbook::Fired]| {
        let mut m: BTreeMap<&str, usize> = BTreeMap::new();
        for f in fired {
            *m.entry(f.play.as_str()).or_default() += 1;
        }
        m.iter()
            .map(|(p, c)| format!("{p}={c}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "b_fingerprint first {:016x} next {:016x}",
        fingerprint(&first),
        fingerprint(&next)
    );
    println!("b_fired_first {}", per_play(&first.fired));
    println!("b_fired_next {}", per_play(&next.fired));
    println!(
        "b_history open_tasks {} holding {} last_fired {}",
        next.history.open_tasks.len(),
        next.history
            .holding
            .values()
            .map(|h| h.len())
            .sum::<usize>(),
        next.history
            .last_fired
            .values()
            .map(|m| m.len())
            .sum::<usize>()
    );
    println!(
        "b_extrapolated_1m next_run_s {:.1} cpu_s {:.1} (linear in accounts)",
        us(run_next.wall),
        us(run_next.cpu)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--accounts").unwrap_or(1_000_000);
    let book_accounts: usize = arg(&args, "--book-accounts").unwrap_or(30_000);
    let events: f64 = arg(&args, "--events-per-week").unwrap_or(0.5);
    let runs: usize = arg(&args, "--runs").unwrap_or(5).max(1);
    let budget: f64 = arg(&args, "--budget-s").unwrap_or(30.0);
    let repeat: usize = arg(&args, "--repeat-run").unwrap_or(0);
    let only: Option<String> = arg(&args, "--only");
    let want = |part: &str| only.as_deref().is_none_or(|o| o == part);
    if want("a") {
        part_a(n, runs, budget);
    }
    if want("b") {
        part_b(book_accounts, events, runs, budget, repeat);
    }
    println!("process peak_mib {:.0}", peak_rss_mib().unwrap_or(f64::NAN));
}
