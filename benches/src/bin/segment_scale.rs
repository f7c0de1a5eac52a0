//! Segmentation at scale, on one core: tier 1M accounts (configurable) with five ordered rules
//! in the condition language, work out coverage against a roster of ~1 CSM per 60 accounts,
//! assign accounts to CSMs within capacity, and run a what-if on two thresholds.
//!
//! ```text
//! cargo build --release -p csops-benches --bin segment_scale
//! target/release/segment_scale [--accounts 1000000] [--runs 5] [--budget-s 30] [--write /tmp/segment1m]
//! ```
//!
//! The account [`Table`] is generated directly (seeded ChaCha8, so the same on every
//! platform): `id`, `arr` (lognormal around $8k, whole dollars; 3% missing, 4% zero = former
//! customers), `region`, `segment`, `owner_csm` (`CSM00000`…, ~1 CSM per 60 accounts, drawn
//! from the pool serving the account's CRM tier, which follows a noisy ARR; most digital
//! accounts and 4% of the rest have none), `score` and `band` (red < 40 ≤ yellow < 70 ≤
//! green; 5% missing), `seats`, `logins_per_week`, `days_to_renewal` (a few percent missing
//! each). None of this is timed.
//!
//! Timed, best of `--runs` (fewer when one step's runs use up `--budget-s` seconds; the count
//! is printed): [`TierRules::assign`] with the rules in [`RULES`], [`roster_from_owners`],
//! [`coverage`] (with the roster: every ~97th owner is left off it, as if they had left),
//! [`assign`], and [`what_if`] (high-touch from $75k instead of $100k, tech-touch from $7.5k
//! instead of $5k).
//!
//! Prints one `key value…` line per figure (times in ms) and fingerprints of each result
//! (tier counts, coverage totals, move counts), which `benches/peers/segment_pandas.py` parses.
//! `--write <dir>` writes, outside any timing, `accounts.csv` (the table; missing = empty
//! field), `roster.csv` (name, tier, fte) and `tiers_csops.csv` (csops' tier of every row) so
//! the peer can tier and aggregate the same data and check row by row.

use csops_benches::{peak_rss_mib, reset_peak_rss};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use csops_core::condition::{Column, Table};
use csops_core::segment::{
    Capacity, Coverage, CoverageModel, Csm, TierRule, TierRules, assign, coverage,
    roster_from_owners, what_if,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The tier rules, first match wins; accounts matching none are `digital`.
/// `benches/peers/segment_pandas.py` implements exactly these.
pub const RULES: [(&str, &str); 5] = [
    (
        "strategic",
        r#"segment == "strategic" or (arr >= 250000 and region in ["NA", "EMEA"])"#,
    ),
    (
        "high_touch",
        r#"arr >= 100000 or (arr >= 60000 and band == "red" and not (region == "LATAM"))"#,
    ),
    (
        "mid_touch",
        r#"arr >= 25000 and not (segment == "smb" and band == "green")"#,
    ),
    (
        "mid_touch",
        r#"arr >= 15000 and seats >= 100 and band != "green""#,
    ),
    (
        "tech_touch",
        "arr >= 5000 or (logins_per_week >= 10 and days_to_renewal <= 90)",
    ),
];

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.windows(2)
        .find(|w| w[0] == name)
        .and_then(|w| w[1].parse().ok())
}

fn rules(high_from: f64, tech_from: f64) -> TierRules {
    TierRules {
        schema_version: 1,
        rules: RULES
            .iter()
            .map(|(tier, when)| {
                let when = when
                    .replace("arr >= 100000", &format!("arr >= {high_from}"))
                    .replace("arr >= 5000", &format!("arr >= {tech_from}"));
                TierRule {
                    tier: (*tier).into(),
                    when: when.parse().expect("the benchmark rules parse"),
                }
            })
            .collect(),
        default_tier: "digital".into(),
    }
}

/// Target ratios: accounts per CSM for strategic, high-touch and tech-touch, ARR per CSM for
/// mid-touch; digital is pooled. Chosen so that the ~1 CSM per 60 accounts of the generated
/// roster runs at about 90% of capacity overall.
const STRATEGIC_PER_CSM: f64 = 4.0;
const HIGH_PER_CSM: f64 = 12.0;
const MID_ARR_PER_CSM: f64 = 1_600_000.0;
const TECH_PER_CSM: f64 = 110.0;

fn model() -> CoverageModel {
    CoverageModel {
        tiers: [
            ("strategic", Capacity::AccountsPerCsm(STRATEGIC_PER_CSM)),
            ("high_touch", Capacity::AccountsPerCsm(HIGH_PER_CSM)),
            ("mid_touch", Capacity::ArrPerCsm(MID_ARR_PER_CSM)),
            ("tech_touch", Capacity::AccountsPerCsm(TECH_PER_CSM)),
            ("digital", Capacity::Pooled),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    }
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

/// The generated account table and the number of CSM names it uses.
fn generate(n: usize, seed: u64) -> (Table, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut arr = Vec::with_capacity(n);
    let mut region = Vec::with_capacity(n);
    let mut segment = Vec::with_capacity(n);
    let mut score = Vec::with_capacity(n);
    let mut band = Vec::with_capacity(n);
    let mut seats = Vec::with_capacity(n);
    let mut logins = Vec::with_capacity(n);
    let mut renewal = Vec::with_capacity(n);
    // The tier the CRM has the account in (0 strategic … 4 digital), from a noisy ARR: what
    // decides who owns it today.
    let mut crm = Vec::with_capacity(n);
    for _ in 0..n {
        let base = (8000f64.ln() + 1.5 * normal(&mut rng))
            .exp()
            .round()
            .max(1.0);
        let a = if rng.random_bool(0.03) {
            f64::NAN
        } else if rng.random_bool(0.04) {
            0.0
        } else {
            base
        };
        arr.push(a);
        region.push(
            pick(
                &mut rng,
                &[
                    ("NA", 0.45),
                    ("EMEA", 0.30),
                    ("APAC", 0.15),
                    ("LATAM", 0.08),
                ],
            )
            .map(str::to_string),
        );
        let seg = if rng.random_bool(0.03) {
            None
        } else if rng.random_bool(0.1) {
            pick(
                &mut rng,
                &[("enterprise", 0.3), ("mid_market", 0.35), ("smb", 0.35)],
            )
        } else if base >= 150_000.0 && rng.random_bool(0.3) {
            Some("strategic")
        } else if base >= 50_000.0 {
            Some("enterprise")
        } else if base >= 10_000.0 {
            Some("mid_market")
        } else {
            Some("smb")
        };
        segment.push(seg.map(str::to_string));
        let s = if rng.random_bool(0.05) {
            f64::NAN
        } else {
            ((rng.random::<f64>() + rng.random::<f64>()) * 500.0).round() / 10.0
        };
        score.push(s);
        band.push(if s.is_nan() {
            None
        } else if s < 40.0 {
            Some("red".to_string())
        } else if s < 70.0 {
            Some("yellow".to_string())
        } else {
            Some("green".to_string())
        });
        seats.push(if rng.random_bool(0.02) {
            f64::NAN
        } else {
            (base / 1000.0 * (0.5 * normal(&mut rng)).exp())
                .round()
                .max(1.0)
        });
        logins.push(if rng.random_bool(0.05) {
            f64::NAN
        } else {
            (-3.0 * (1.0 - rng.random::<f64>()).ln() * 100.0).round() / 100.0
        });
        renewal.push(if rng.random_bool(0.01) {
            f64::NAN
        } else {
            f64::from(rng.random_range(0u32..366))
        });
        let noisy = if a.is_nan() { 0.0 } else { a } * (0.35 * normal(&mut rng)).exp();
        crm.push(if seg == Some("strategic") || noisy >= 250_000.0 {
            0
        } else if noisy >= 100_000.0 {
            1
        } else if noisy >= 25_000.0 {
            2
        } else if noisy >= 5_000.0 {
            3
        } else {
            4
        });
    }
    // Owned: 96% of named-tier accounts, 20% of digital ones (legacy owners).
    let owned: Vec<bool> = crm
        .iter()
        .map(|&t| rng.random_bool(if t == 4 { 0.2 } else { 0.96 }))
        .collect();
    // The CSMs (n / 60 of them) split between the CRM tiers in proportion to the headcount
    // each needs at the model's ratios (digital's legacy owners as tech-touch).
    let mut need = [0.0f64; 5];
    for i in 0..n {
        if owned[i] {
            let a = if arr[i].is_nan() { 0.0 } else { arr[i] };
            need[crm[i]] += match crm[i] {
                0 => 1.0 / STRATEGIC_PER_CSM,
                1 => 1.0 / HIGH_PER_CSM,
                2 => a / MID_ARR_PER_CSM,
                _ => 1.0 / TECH_PER_CSM,
            };
        }
    }
    let csms = (n / 60).max(5);
    let total: f64 = need.iter().sum();
    let mut size: Vec<usize> = need
        .iter()
        .map(|x| ((x / total * csms as f64).round() as usize).max(1))
        .collect();
    let extra = csms as isize - size.iter().sum::<usize>() as isize;
    size[3] = (size[3] as isize + extra).max(1) as usize;
    let start: Vec<usize> = size
        .iter()
        .scan(0, |s, &k| {
            let at = *s;
            *s += k;
            Some(at)
        })
        .collect();
    let csms: usize = size.iter().sum();
    let owner: Vec<Option<String>> = (0..n)
        .map(|i| {
            owned[i].then(|| {
                let t = crm[i];
                format!("CSM{:05}", start[t] + rng.random_range(0..size[t]))
            })
        })
        .collect();
    let mut t = Table::default();
    let put = |t: &mut Table, name: &str, c: Column| t.insert(name, c).expect("column");
    put(
        &mut t,
        "id",
        Column::Text((0..n).map(|i| Some(format!("A{i:07}"))).collect()),
    );
    put(&mut t, "arr", Column::Number(arr));
    put(&mut t, "region", Column::Text(region));
    put(&mut t, "segment", Column::Text(segment));
    put(&mut t, "owner_csm", Column::Text(owner));
    put(&mut t, "score", Column::Number(score));
    put(&mut t, "band", Column::Text(band));
    put(&mut t, "seats", Column::Number(seats));
    put(&mut t, "logins_per_week", Column::Number(logins));
    put(&mut t, "days_to_renewal", Column::Number(renewal));
    (t, csms)
}

const CSV_COLUMNS: [&str; 10] = [
    "id",
    "arr",
    "region",
    "segment",
    "owner_csm",
    "band",
    "score",
    "seats",
    "logins_per_week",
    "days_to_renewal",
];

fn write_csv(
    dir: &Path,
    t: &Table,
    roster: &[Csm],
    tiers: &[usize],
    names: &[&str],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("accounts.csv"))?);
    writeln!(w, "{}", CSV_COLUMNS.join(","))?;
    let cols: Vec<&Column> = CSV_COLUMNS.iter().map(|c| &t.columns[*c]).collect();
    let mut line = String::new();
    for i in 0..t.rows {
        line.clear();
        for (k, c) in cols.iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            match c {
                Column::Number(v) if !v[i].is_nan() => line.push_str(&v[i].to_string()),
                Column::Text(v) => line.push_str(v[i].as_deref().unwrap_or("")),
                _ => {}
            }
        }
        writeln!(w, "{line}")?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("roster.csv"))?);
    writeln!(w, "name,tier,fte")?;
    for c in roster {
        writeln!(w, "{},{},{}", c.name, c.tier, c.fte)?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("tiers_csops.csv"))?);
    writeln!(w, "tier")?;
    for &ti in tiers {
        writeln!(w, "{}", names[ti])?;
    }
    w.flush()
}

/// Best wall time (seconds) of up to `runs` runs, stopping early once `budget` seconds are
/// spent; the run count; the last result; and the peak RSS during the runs (MiB).
fn best_of<T>(runs: usize, budget: f64, mut f: impl FnMut() -> T) -> (f64, usize, T, f64) {
    reset_peak_rss();
    let (mut best, mut spent, mut done) = (f64::INFINITY, 0.0, 0);
    let mut out = None;
    while done < runs && (done == 0 || spent < budget) {
        drop(out.take());
        let t = Instant::now();
        let r = black_box(f());
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        spent += s;
        done += 1;
        out = Some(r);
    }
    (
        best,
        done,
        out.expect("at least one run"),
        peak_rss_mib().unwrap_or(f64::NAN),
    )
}

fn report(step: &str, n: usize, (secs, runs, mem): (f64, usize, f64), peak: &mut f64) {
    *peak = peak.max(mem);
    println!(
        "time {step} ms {:.3} runs {runs} rows_per_s {:.0} peak_mib {mem:.0}",
        secs * 1e3,
        n as f64 / secs
    );
}

fn coverage_fingerprint(c: &Coverage) {
    for t in &c.tiers {
        println!(
            "coverage_tier {} accounts {} arr {} csms {} needed {}",
            t.tier, t.accounts, t.arr, t.csms, t.needed
        );
    }
    let status = |s: &str| c.csms.iter().filter(|l| l.status == s).count();
    println!(
        "coverage csms {} over {} under {} ok {} owned {} owned_arr {} red {} off_tier {} \
         utilisation_sum {:?} unknown_owners {} unknown_accounts {} unowned {}",
        c.csms.len(),
        status("over"),
        status("under"),
        status("ok"),
        c.csms.iter().map(|l| l.accounts).sum::<u64>(),
        c.csms.iter().map(|l| l.arr).sum::<f64>(),
        c.csms.iter().map(|l| l.red_accounts).sum::<u64>(),
        c.csms.iter().map(|l| l.off_tier).sum::<u64>(),
        c.csms.iter().map(|l| l.utilisation).sum::<f64>(),
        c.unknown_owners.len(),
        c.unknown_owners.iter().map(|u| u.accounts).sum::<u64>(),
        c.unowned
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--accounts").unwrap_or(1_000_000);
    let runs: usize = arg(&args, "--runs").unwrap_or(5).max(1);
    let budget: f64 = arg(&args, "--budget-s").unwrap_or(30.0);
    let only: Option<String> = arg(&args, "--only");
    let want = |step: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|s| s == step))
    };

    let t0 = Instant::now();
    let (table, csm_names) = generate(n, 7);
    // The highest of the per-step peaks (each step resets the counter first).
    let mut peak = peak_rss_mib().unwrap_or(f64::NAN);
    println!(
        "accounts {n} csm_names {csm_names} generate_s {:.1} peak_mib {:.0}",
        t0.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let rules_now = rules(100_000.0, 5_000.0);
    let model = model();
    let names = rules_now.tiers();

    let (s, k, tiers, mem) = best_of(runs, budget, || rules_now.assign(&table).expect("tiers"));
    report("tier_assign", n, (s, k, mem), &mut peak);
    let mut counts = vec![0u64; names.len()];
    for &t in &tiers {
        counts[t] += 1;
    }
    let counts_text: Vec<String> = names
        .iter()
        .zip(&counts)
        .map(|(t, c)| format!("{t}={c}"))
        .collect();
    println!("tiers {}", counts_text.join(" "));

    let (s, k, full_roster, mem) = best_of(runs, budget, || {
        roster_from_owners(&table, &tiers, &rules_now)
    });
    report("roster_from_owners", n, (s, k, mem), &mut peak);
    // Every ~97th owner has left: their accounts have an owner not on the roster.
    let roster: Vec<Csm> = full_roster
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 97 != 96)
        .map(|(_, c)| c.clone())
        .collect();
    let mut per_tier: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &roster {
        *per_tier.entry(c.tier.as_str()).or_default() += 1;
    }
    println!(
        "roster owners {} on_roster {} by_tier {per_tier:?}",
        full_roster.len(),
        roster.len()
    );

    if let Some(dir) = arg::<String>(&args, "--write") {
        let t = Instant::now();
        write_csv(Path::new(&dir), &table, &roster, &tiers, &names).expect("write the CSV files");
        println!("wrote {dir} in {:.1} s", t.elapsed().as_secs_f64());
    }

    if want("coverage") {
        let (s, k, cov, mem) = best_of(runs, budget, || {
            coverage(&table, &tiers, &rules_now, &model, &roster).expect("coverage")
        });
        report("coverage", n, (s, k, mem), &mut peak);
        coverage_fingerprint(&cov);
    }

    if want("assign") {
        let (s, k, a, mem) = best_of(runs, budget, || {
            assign(&table, &tiers, &rules_now, &model, &roster).expect("assignment")
        });
        report("assign", n, (s, k, mem), &mut peak);
        let to_pool = a
            .moves
            .iter()
            .filter(|m| m.to.is_none() && m.reason.contains("pooled"))
            .count();
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &a.moves {
            let r = if m.reason.contains("no ") && m.reason.contains("has capacity") {
                "unplaced"
            } else if m.reason.contains("pooled") {
                "to_pool"
            } else if m.reason.contains("over capacity") {
                "over_capacity"
            } else if m.reason.contains("serves") {
                "off_tier_owner"
            } else if m.reason.contains("not on the roster") {
                "owner_left"
            } else {
                "no_owner"
            };
            *reasons.entry(r).or_default() += 1;
        }
        println!(
            "assign moves {} unplaced {} to_pool {to_pool} owned_after {} reasons {reasons:?}",
            a.moves.len(),
            a.unplaced,
            a.owners.iter().filter(|o| o.is_some()).count()
        );
    }

    if want("what_if") {
        let after = rules(75_000.0, 7_500.0);
        let (s, k, w, mem) = best_of(runs, budget, || {
            what_if(&table, &rules_now, &after, &model).expect("what-if")
        });
        report("what_if", n, (s, k, mem), &mut peak);
        let tiers_text: Vec<String> = w
            .tiers
            .iter()
            .map(|t| {
                format!(
                    "{}={}->{}({}->{})",
                    t.tier, t.accounts_before, t.accounts_after, t.needed_before, t.needed_after
                )
            })
            .collect();
        println!(
            "what_if changes {} tiers {}",
            w.changes.len(),
            tiers_text.join(" ")
        );
    }
    println!("process peak_mib {peak:.0}");
}
