//! The weekly report: each chart kind's SVG structure against a golden file (element names,
//! roles and text; not pixels), no panic on any numbers, and the sample book's report with
//! every section, chart and text alternative, and nothing that reaches outside the file.
//!
//! `UPDATE_REPORT=1 cargo test -p csops-core --test report` rewrites the golden files under
//! `tests/conformance/report/`; review their diff as you would code.

use std::path::PathBuf;

use csops_core::book::LoadMode;
use csops_core::interchange::{LoadOptions, load_csv_dir};
use csops_core::report::chart::{self, Axes, Bar, BarScale, FanPoint, Pair, Series, Step};
use csops_core::report::{WeekOptions, week};
use proptest::prelude::*;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/report")
}

/// The SVG's structure: one line per element (its name, role and class) and per text.
fn skeleton(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("the chart is well-formed XML");
    let mut out = String::new();
    for node in doc.root().descendants() {
        let depth = node.ancestors().count().saturating_sub(2);
        if node.is_element() {
            out.push_str(&"  ".repeat(depth));
            out.push_str(node.tag_name().name());
            for a in ["role", "class"] {
                if let Some(v) = node.attribute(a) {
                    out.push_str(&format!(" {a}={v}"));
                }
            }
            out.push('\n');
        } else if let Some(t) = node.text().map(str::trim).filter(|t| !t.is_empty()) {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&format!("\"{t}\"\n"));
        }
    }
    out
}

fn check_golden(name: &str, svg: &str) {
    let path = golden_dir().join(format!("{name}.skeleton.txt"));
    let got = skeleton(svg);
    if std::env::var_os("UPDATE_REPORT").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_REPORT=1 writes it)", path.display()));
    assert_eq!(
        got, want,
        "{name}: the SVG structure changed (UPDATE_REPORT=1 rewrites)"
    );
}

/// Every chart names itself for a screen reader.
fn assert_accessible(c: &chart::Chart) {
    let doc = roxmltree::Document::parse(&c.svg).unwrap();
    let svg = doc.root_element();
    assert_eq!(svg.attribute("role"), Some("img"));
    let kids: Vec<_> = svg.children().filter(|n| n.is_element()).collect();
    assert_eq!(kids[0].tag_name().name(), "title");
    assert_eq!(kids[0].text(), Some(c.title.as_str()));
    assert_eq!(kids[1].tag_name().name(), "desc");
    assert_eq!(kids[1].text(), Some(c.alt.as_str()));
}

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

fn rects(svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants().filter(|n| n.has_tag_name("rect")).count()
}

#[test]
fn bars_show_n_intervals_and_small_samples() {
    let bars = [
        Bar {
            label: "red".into(),
            value: Some(0.6),
            interval: Some((0.45, 0.73)),
            n: 35,
            small: false,
        },
        Bar {
            label: "yellow".into(),
            value: Some(0.82),
            interval: Some((0.75, 0.87)),
            n: 151,
            small: false,
        },
        Bar {
            label: "green".into(),
            value: Some(0.95),
            interval: Some((0.75, 0.99)),
            n: 12,
            small: true,
        },
    ];
    let c = chart::bars(
        "Renewal rate by band",
        "red 60%, yellow 82%, green 95%",
        "renewed",
        &bars,
        BarScale::Share(1.0),
    )
    .unwrap();
    assert_accessible(&c);
    let t = texts(&c.svg);
    for want in [
        "red",
        "yellow",
        "green",
        "60% · n = 35",
        "82% · n = 151",
        "95% · n = 12 · too few",
    ] {
        assert!(t.iter().any(|x| x == want), "{want:?} not in {t:?}");
    }
    // The background, the plot area's frame and one bar each.
    let plain = chart::bars("AUC", "alt", "AUC", &bars[..1], BarScale::Number(1.0)).unwrap();
    assert!(texts(&plain.svg).iter().any(|x| x == "0.60 · n = 35"));
    assert_eq!(
        rects(&c.svg) - rects(&plain.svg),
        2,
        "one rectangle per bar"
    );
    check_golden("bars", &c.svg);
}

#[test]
fn lines_name_every_series_and_step_curves_hold() {
    let axes = Axes {
        x: "days after scoring".into(),
        y: "still a customer".into(),
        x_range: (0.0, 365.0),
        y_range: (0.5, 1.0),
        y_share: true,
        x_share: false,
        diagonal: false,
        x_names: Vec::new(),
    };
    let series = [
        Series {
            name: "red".into(),
            points: vec![(0.0, 1.0), (90.0, 0.8), (200.0, 0.7)],
            step: true,
            labels: Vec::new(),
        },
        Series {
            name: "green".into(),
            points: vec![(0.0, 1.0), (90.0, 0.97)],
            step: true,
            labels: Vec::new(),
        },
    ];
    let c = chart::lines(
        "Kaplan–Meier by band",
        "red ends at 70%, green at 97%",
        &axes,
        &series,
    )
    .unwrap();
    assert_accessible(&c);
    let t = texts(&c.svg);
    assert!(t.iter().any(|x| x == "red") && t.iter().any(|x| x == "green"));
    assert!(t.iter().any(|x| x == "days after scoring"));
    check_golden("lines", &c.svg);

    let quarters = Axes {
        x_names: vec!["2026-Q1".into(), "2026-Q2".into()],
        x_range: (0.5, 2.5),
        ..axes
    };
    let q = chart::lines(
        "GRR by quarter",
        "alt",
        &quarters,
        &[Series {
            name: "GRR".into(),
            points: vec![(1.0, 0.9), (2.0, 0.95)],
            step: false,
            labels: Vec::new(),
        }],
    )
    .unwrap();
    let t = texts(&q.svg);
    assert!(
        t.iter().any(|x| x == "2026-Q1") && t.iter().any(|x| x == "2026-Q2"),
        "{t:?}"
    );
    let doc = roxmltree::Document::parse(&q.svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        2,
        "a marker on each measured point"
    );
}

#[test]
fn waterfall_labels_every_step_by_sign() {
    let steps: Vec<Step> = [
        ("start", 100_000.0, true),
        ("new", 20_000.0, false),
        ("expansion", 10_000.0, false),
        ("contraction", -5_000.0, false),
        ("churn", -15_000.0, false),
        ("end", 110_000.0, true),
    ]
    .into_iter()
    .map(|(l, a, t)| Step {
        label: l.into(),
        amount: a,
        total: t,
    })
    .collect();
    let c = chart::waterfall("ARR bridge", "from 100k to 110k", "ARR (USD)", &steps).unwrap();
    assert_accessible(&c);
    let t = texts(&c.svg);
    for want in ["100k", "+20k", "+10k", "-5k", "-15k", "110k", "churn"] {
        assert!(t.iter().any(|x| x == want), "{want:?} not in {t:?}");
    }
    check_golden("waterfall", &c.svg);
}

#[test]
fn fan_has_its_band_median_and_stake() {
    let points = [
        ("2026-10", 300_000.0, 350_000.0, 390_000.0, 400_000.0),
        ("2026-11", 900_000.0, 1_000_000.0, 1_080_000.0, 1_150_000.0),
        (
            "2026-12",
            1_500_000.0,
            1_640_000.0,
            1_760_000.0,
            1_900_000.0,
        ),
    ]
    .map(|(label, p10, p50, p90, at_stake)| FanPoint {
        label: label.into(),
        p10,
        p50,
        p90,
        at_stake,
    });
    let c = chart::fan(
        "Renewed ARR by month",
        "P50 1.64M by December",
        "renewed ARR",
        &points,
    )
    .unwrap();
    assert_accessible(&c);
    let t = texts(&c.svg);
    for want in ["2026-10", "2026-12", "P50", "P10", "P90", "at stake"] {
        assert!(t.iter().any(|x| x == want), "{want:?} not in {t:?}");
    }
    let doc = roxmltree::Document::parse(&c.svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("polygon"))
            .count(),
        1,
        "one P10–P90 band"
    );
    check_golden("fan", &c.svg);
}

#[test]
fn pairs_tell_the_two_apart_without_colour() {
    let rows = [
        Pair {
            label: "logins".into(),
            first: 0.25,
            second: 0.06,
        },
        Pair {
            label: "open_escalations".into(),
            first: 0.09,
            second: f64::NAN,
        },
    ];
    let c = chart::pairs(
        "Weight against power",
        "logins 25% and 6%",
        ("weight", "predictive power"),
        &rows,
    )
    .unwrap();
    assert_accessible(&c);
    let t = texts(&c.svg);
    for want in [
        "logins",
        "open_escalations",
        "25%",
        "6%",
        "9%",
        "-",
        "weight",
        "predictive power",
    ] {
        assert!(t.iter().any(|x| x == want), "{want:?} not in {t:?}");
    }
    // Solid and outlined: the second of each pair (and of the key) has no fill.
    let doc = roxmltree::Document::parse(&c.svg).unwrap();
    let outlined = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("none"))
        .count();
    assert_eq!(
        outlined,
        rows.len() + 1,
        "one outline per pair and one in the key"
    );
    check_golden("pairs", &c.svg);
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e9..1e9_f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any numbers, however wrong (NaN, infinite, far outside the axes), draw a well-formed
    /// chart; never a panic.
    #[test]
    fn charts_never_panic(values in proptest::collection::vec((number(), number(), number()), 0..8)) {
        let bars: Vec<Bar> = values.iter().enumerate().map(|(i, &(v, lo, hi))| Bar {
            label: format!("b{i}"), value: Some(v), interval: Some((lo, hi)), n: i as u64, small: i % 2 == 0,
        }).collect();
        let steps: Vec<Step> = values.iter().enumerate().map(|(i, &(v, _, _))| Step {
            label: format!("s{i}"), amount: v, total: i == 0,
        }).collect();
        let fan: Vec<FanPoint> = values.iter().enumerate().map(|(i, &(a, b, c))| FanPoint {
            label: format!("m{i}"), p10: a, p50: b, p90: c, at_stake: a.max(c),
        }).collect();
        let axes = Axes { x: "x".into(), y: "y".into(), x_range: (values.first().map_or(0.0, |v| v.0), 1.0),
            y_range: (0.0, values.first().map_or(1.0, |v| v.1)), y_share: true, x_share: false, diagonal: true, x_names: Vec::new() };
        let series = [Series { name: "s".into(), points: values.iter().map(|&(a, b, _)| (a, b)).collect(), step: true, labels: vec!["a".into(); values.len()] }];
        let pairs: Vec<Pair> = values.iter().enumerate().map(|(i, &(a, b, _))| Pair {
            label: format!("p{i}"), first: a, second: b,
        }).collect();
        for c in [
            chart::pairs("t", "a", ("x", "y"), &pairs),
            chart::bars("t", "a", "y", &bars, BarScale::Share(values.first().map_or(1.0, |v| v.2))),
            chart::waterfall("t", "a", "y", &steps),
            chart::fan("t", "a", "y", &fan),
            chart::lines("t", "a", &axes, &series),
        ] {
            let c = c.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(roxmltree::Document::parse(&c.svg).is_ok());
        }
    }
}

#[test]
fn the_sample_books_week_has_every_section_and_stays_inside_the_file() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sample-book");
    let loaded = load_csv_dir(
        &dir,
        &LoadOptions {
            mode: LoadMode::Lenient,
            ..Default::default()
        },
    )
    .unwrap();
    let report = week(&loaded.book, Some(&loaded.report), &WeekOptions::default()).unwrap();
    let ids: Vec<&str> = report.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "quality",
            "health",
            "backtest",
            "recalibration",
            "forecast",
            "retention",
            "segmentation",
            "playbooks"
        ]
    );
    for s in &report.sections {
        assert!(!s.answer.is_empty(), "{}: an answer first", s.id);
        assert!(!s.tables.is_empty(), "{}: the tables behind it", s.id);
        for t in &s.tables {
            for r in &t.rows {
                assert_eq!(r.len(), t.headers.len(), "{}: {}", s.id, t.caption);
            }
        }
        for c in &s.charts {
            assert_accessible(c);
            assert!(!c.alt.is_empty() && !c.title.is_empty());
        }
    }
    let charts: usize = report.sections.iter().map(|s| s.charts.len()).sum();
    assert!(charts >= 10, "{charts} charts");
    // The sample book's green band has fewer than 20 renewals: the chart says so.
    let bt = &report.sections[2];
    assert!(
        bt.charts[0].svg.contains("too few"),
        "small samples are marked"
    );

    let html = report.render_html().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // The page itself is a conformance vector: Python's and Node's must be the same bytes.
    let vector = golden_dir().join("sample_week.html");
    if std::env::var_os("UPDATE_REPORT").is_some() {
        std::fs::write(&vector, &html).unwrap();
    }
    let want = std::fs::read_to_string(&vector).unwrap();
    assert!(
        html == want,
        "the sample week's page changed (UPDATE_REPORT=1 rewrites it)"
    );
    assert!(html.contains("Content-Security-Policy"));
    for s in &report.sections {
        assert!(html.contains(&format!("<section id=\"{}\"", s.id)));
    }
    // Nothing is fetched: no script, no external stylesheet, image or font.
    for banned in ["<script", "<link", "src=", "url(", "@import", "href=\"http"] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    // Text from the data is escaped (an account name with `&` stays text).
    assert!(!html.contains(" & "), "a raw ampersand in the page");
    let text = report.render();
    assert!(
        report.sections.iter().all(|s| text.contains(&s.answer)),
        "the text form has every answer"
    );
}

#[test]
fn stale_feeds_are_named_with_their_age() {
    use csops_core::report::quality;
    use csops_core::synth::{self, SynthConfig};
    let loaded = synth::book(&SynthConfig {
        accounts: 40,
        ..SynthConfig::default()
    })
    .unwrap();
    let book = &loaded.book;
    let latest = book.latest_dates();
    let usage = latest["usage_events"];
    assert_eq!(book.latest_date(), latest.values().max().copied());
    // On the day of the last usage event, usage is current; 30 days on, it is 30 days stale.
    assert!(
        !quality::stale_feeds(book, usage)
            .iter()
            .any(|(f, _)| *f == "usage_events")
    );
    let later = usage + chrono::Days::new(30);
    let stale = quality::stale_feeds(book, later);
    assert!(stale.contains(&("usage_events", 30)), "{stale:?}");
    let s = quality::section(None, book, later).unwrap();
    assert!(
        s.answer.starts_with("No load report was given"),
        "{}",
        s.answer
    );
    assert!(
        s.answer.contains("usage_events (last 30 days before)"),
        "{}",
        s.answer
    );
    let fresh = &s.tables[0];
    assert!(fresh.caption.starts_with("Freshness"));
    assert_eq!(
        fresh.rows.len(),
        latest.len(),
        "one row per feed with records"
    );
}

#[test]
fn a_book_without_history_still_gets_its_week() {
    use csops_core::interchange::load_csv_texts;
    // Accounts and one usage event: no renewal outcomes to back-test, nothing to re-fit.
    let texts = [
        (
            "accounts",
            "id,name,currency,arr,start_date,renewal_date\n\
             A1,Acme,USD,1000.00,2024-01-01,2026-06-30\n\
             A2,Beta,USD,2000.00,2024-02-01,\n",
        ),
        (
            "usage_events",
            "account_id,user_id,feature,timestamp\nA1,u1,login,2026-05-01T10:00:00Z\n",
        ),
    ];
    let texts = texts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let loaded = load_csv_texts(&texts, &LoadOptions::default()).unwrap();
    let report = week(&loaded.book, Some(&loaded.report), &WeekOptions::default()).unwrap();
    assert_eq!(report.sections.len(), 8);
    let by_id = |id: &str| report.sections.iter().find(|s| s.id == id).unwrap();
    let bt = by_id("backtest");
    assert!(
        bt.answer.starts_with("Not available for this book:")
            && bt.answer.contains("renewal outcomes"),
        "{}",
        bt.answer
    );
    assert!(bt.charts.is_empty() && bt.tables.is_empty());
    assert!(
        by_id("recalibration")
            .answer
            .contains("there is no back-test")
    );
    // The forecast still stands, on the default priors, and says so.
    let f = by_id("forecast");
    assert!(!f.answer.starts_with("Not available"), "{}", f.answer);
    assert!(f.notes.iter().any(|n| n.contains("default band priors")));
    report.render_html().unwrap();

    // A wrong option is still an error, not a section.
    let bad = WeekOptions {
        replay_days: 0,
        effect_days: 100_000,
        ..WeekOptions::default()
    };
    assert!(week(&loaded.book, None, &bad).is_err());
}
