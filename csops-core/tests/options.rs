//! The option vectors (`tests/conformance/options/`): options as a user writes them, read by
//! the core in every language. Python (`test_options_vectors.py`) and Node
//! (`options-vectors.test.mjs`) run the same cases and must give the same forecast, or the
//! same error kind and message. `UPDATE_OPTIONS=1` records the core's outcome into each case,
//! after checking its `kind` and `contains`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csops_core::Error;
use csops_core::backtest::{BacktestConfig, RecalibrationConfig, backtest, observe, recalibrate};
use csops_core::book::LoadMode;
use csops_core::forecast::{
    ForecastOptions, ReconcileConfig, RenewalForecast, forecast, reconcile,
};
use csops_core::health::Scorecard;
use csops_core::interchange::{LoadOptions, LoadSettings, Loaded, load, load_csv_texts};
use csops_core::options::{Casing, from_value};
use csops_core::retention::{
    ArrHistory, Retention, RetentionOptions, RetentionSeriesOptions, retention, retention_by,
    retention_series,
};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A forecast as the vectors compare it.
fn summary(f: &RenewalForecast) -> Value {
    let mut p: Vec<f64> = f.lines.iter().map(|l| l.p_renew).collect();
    p.sort_by(f64::total_cmp);
    p.dedup();
    json!({
        "as_of": f.as_of.to_string(),
        "start": f.from.to_string(),
        "end": f.to.to_string(),
        "lines": f.lines.len(),
        "expected_renewal": f.expected_renewal.to_string(),
        "expected_expansion": f.expected_expansion.to_string(),
        "commit": f.commit.to_string(),
        "best_case": f.best_case.to_string(),
        "p_renew_values": p,
        "p50": f.distribution.as_ref().map(|d| d.p50),
        "text": f.render(),
    })
}

/// Retention rows as the vectors compare them: each cohort's label, GRR and NRR.
fn cohorts(rows: &[Retention]) -> Value {
    rows.iter()
        .map(|r| json!({"label": r.label, "grr": r.grr, "nrr": r.nrr}))
        .collect()
}

/// A loaded book as the vectors compare it: each account's id, name and ARR, and how many
/// problems the report holds.
fn accounts(l: &Loaded) -> Value {
    let accounts: Vec<Value> = l
        .book
        .accounts()
        .iter()
        .map(|a| json!({"id": a.id, "name": a.name, "arr": a.arr.amount.to_string()}))
        .collect();
    json!({"accounts": accounts, "problems": l.report.problems.len()})
}

fn outcome(r: csops_core::Result<Value>) -> Value {
    match r {
        Ok(v) => json!({"ok": v}),
        Err(Error::Config(p)) => json!({"kind": "config", "problems": p}),
        Err(e @ Error::InvalidArgument { .. }) => {
            json!({"kind": "invalid_argument", "message": e.to_string()})
        }
        Err(e) => json!({"kind": "other", "message": e.to_string()}),
    }
}

#[test]
fn option_vectors() {
    let file = root().join("tests/conformance/options/forecast.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let options = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let loaded = load(root().join(doc["book"].as_str().unwrap()), &options).unwrap();
    let book = &loaded.book;
    let none = BTreeMap::new();
    let base = forecast(book, &none, &Default::default()).unwrap();
    let card = Scorecard::default_heuristic();
    let observations = observe(book, &card, &BacktestConfig::default()).unwrap();
    let history = ArrHistory::from_book(book).unwrap();
    let (from, to) = ("2025-09-30".parse().unwrap(), "2026-09-30".parse().unwrap());
    let texts: BTreeMap<String, String> =
        serde_json::from_value(doc["load_texts"].clone()).unwrap();
    let update = std::env::var_os("UPDATE_OPTIONS").is_some();
    let mut failures = Vec::new();
    for case in doc["cases"].as_array_mut().unwrap() {
        let name = case["name"].as_str().unwrap().to_string();
        let given = case["options"].clone();
        let got = outcome(match case["call"].as_str().unwrap() {
            "forecast" => from_value::<ForecastOptions>(given, Casing::Camel)
                .and_then(|o| o.config())
                .and_then(|cfg| forecast(book, &none, &cfg))
                .map(|f| summary(&f)),
            "reconcile" => from_value::<ReconcileConfig>(given, Casing::Camel)
                .and_then(|cfg| reconcile(book, &base, &cfg))
                .map(|r| {
                    json!({"gap": r.gap, "passes": r.passes, "issues": r.issues.len(),
                           "text": r.render(base.currency)})
                }),
            "backtest" => from_value::<BacktestConfig>(given, Casing::Camel)
                .and_then(|cfg| backtest(book, &card, &cfg))
                .map(|r| json!({"text": r.render()})),
            "recalibrate" => from_value::<RecalibrationConfig>(given, Casing::Camel)
                .and_then(|cfg| recalibrate(&observations, &card, &cfg))
                .map(|r| json!({"text": r.render()})),
            "retention" => from_value::<RetentionOptions>(given, Casing::Camel)
                .and_then(|o| match o.by {
                    None => retention(&history, from, to).map(|r| vec![r]),
                    Some(cut) => retention_by(book, &history, from, to, &cut),
                })
                .map(|rows| cohorts(&rows)),
            "retention_series" => from_value::<RetentionSeriesOptions>(given, Casing::Camel)
                .and_then(|o| retention_series(&history, from, to, o.period))
                .map(|rows| cohorts(&rows)),
            "load" => from_value::<LoadSettings>(given, Casing::Camel)
                .and_then(|s| s.options())
                .and_then(|o| load_csv_texts(&texts, &o))
                .map(|l| accounts(&l)),
            other => panic!("{name}: unknown call {other}"),
        });
        // The kind and words the case asks for.
        let kind = case.get("kind").and_then(Value::as_str);
        let got_kind = got.get("kind").and_then(Value::as_str);
        if kind != got_kind {
            failures.push(format!("{name}: expected {kind:?}, got {got}"));
            continue;
        }
        let text = got.to_string();
        for w in case
            .get("contains")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let w = w.as_str().unwrap();
            let escaped = serde_json::to_string(w).unwrap();
            if !text.contains(&escaped[1..escaped.len() - 1]) {
                failures.push(format!("{name}: {got} does not say {w:?}"));
            }
        }
        if update {
            case["expect"] = got;
        } else if case.get("expect") != Some(&got) {
            failures.push(format!(
                "{name}: recorded {:?}, got {got} (UPDATE_OPTIONS=1 records)",
                case.get("expect")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if update {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        std::fs::write(&file, text + "\n").unwrap();
    }
}
