//! Runs the cross-language conformance vectors of `tests/conformance/data_layer/` (the Python
//! and Node suites run the same files).

use std::collections::BTreeMap;
use std::path::PathBuf;

use csops_core::Error;
use csops_core::book::{LoadMode, Problem, ValidationReport};
use csops_core::features::{FeatureConfig, features_as_of};
use csops_core::interchange::{HeaderMap, LoadOptions, SourceMap, load_csv_texts, load_json_str};
use serde_json::Value;

/// The vectors of one set (`tests/conformance/<set>/*.json`), by file name: (path, file name,
/// parsed JSON). Fails when fewer than `min` are found, so a moved directory cannot pass
/// vacuously.
fn vector_set(set: &str, min: usize) -> Vec<(PathBuf, String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance")
        .join(set);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let v = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, name, v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= min, "{set} conformance vectors are missing");
    out
}

/// The data-layer vectors, then the one-fault books of the bad-input suite
/// (`tests/conformance/bad_input/`, made by `scripts/make_bad_input_suite.py`) and the hostile
/// CSV texts of the hostile-input suite (`tests/conformance/hostile_books/`, made by
/// `scripts/make_hostile_suite.py`), which use the same format.
fn vectors() -> Vec<(PathBuf, Value)> {
    vector_set("data_layer", 8)
        .into_iter()
        .chain(vector_set("bad_input", 200))
        .chain(vector_set("hostile_books", 40))
        .map(|(p, _, v)| (p, v))
        .collect()
}

fn kind_name<T: serde::Serialize>(k: &T) -> String {
    serde_json::to_value(k)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

fn check_problems(name: &str, actual: &[Problem], expected: &Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(actual.len(), expected.len(), "{name}: problems {actual:#?}");
    for (a, e) in actual.iter().zip(expected) {
        let e = e.as_object().unwrap();
        let a_json = serde_json::json!({
            "file": a.file, "row": a.row, "record_id": a.record_id, "field": a.field, "kind": kind_name(&a.kind),
        });
        for (k, v) in e {
            assert_eq!(&a_json[k], v, "{name}: problem field `{k}` of {a:?}");
        }
    }
}

#[test]
fn data_layer_vectors() {
    for (path, v) in vectors() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mode = match v["mode"].as_str().unwrap() {
            "strict" => LoadMode::Strict,
            _ => LoadMode::Lenient,
        };
        let header_map = match v.get("header_map") {
            Some(m) => serde_json::from_value::<HeaderMap>(m.clone()).unwrap(),
            None => HeaderMap::default(),
        };
        // A source map is given as its JSON form; the core parses and validates it, so a bad
        // one is a configuration error like any other.
        let source_map = match v.get("source_map") {
            Some(m) => match SourceMap::from_json(&m.to_string()) {
                Ok(m) => Some(m),
                Err(e) => {
                    assert_eq!(v["expect"]["error"].as_str(), Some("config"), "{name}: {e}");
                    check_config_messages(&name, &e, &v["expect"]);
                    continue;
                }
            },
            None => None,
        };
        let opts = LoadOptions {
            mode,
            header_map,
            source_map,
            allow_empty: false,
            threads: None,
            progress: Default::default(),
        };
        let result = if let Some(csv) = v.get("csv") {
            let texts: BTreeMap<String, String> = serde_json::from_value(csv.clone()).unwrap();
            load_csv_texts(&texts, &opts)
        } else {
            let text = match &v["json"] {
                Value::String(s) => s.clone(),
                doc => doc.to_string(),
            };
            load_json_str(&text, &opts)
        };
        let expect = &v["expect"];
        let expected_error = expect["error"].as_str();
        let loaded = match (result, expected_error) {
            (Ok(l), None) => l,
            (Err(Error::Validation(report)), Some("validation")) => {
                check_report(&name, &report, expect);
                continue;
            }
            (Err(Error::Format { .. }), Some("format"))
            | (Err(Error::Config(_)), Some("config")) => continue,
            (other, want) => panic!("{name}: expected error {want:?}, got {other:?}"),
        };
        check_report(&name, &loaded.report, expect);
        if let Some(want) = expect.get("records") {
            let doc: Value =
                serde_json::from_str(&csops_core::interchange::write_json(&loaded.book).unwrap())
                    .unwrap();
            check_records(&name, &doc, want);
        }
        if let Some(counts) = expect.get("counts") {
            let actual = serde_json::to_value(loaded.book.counts()).unwrap();
            for (k, n) in counts.as_object().unwrap() {
                assert_eq!(&actual[k], n, "{name}: count of {k}");
            }
        }
        if let Some(f) = expect.get("features") {
            let as_of = f["as_of"].as_str().unwrap().parse().unwrap();
            let cfg: FeatureConfig = match v.get("feature_config") {
                Some(c) => FeatureConfig::from_json(&c.to_string()).unwrap(),
                None => FeatureConfig::default(),
            };
            let frame = features_as_of(&loaded.book, as_of, &cfg).unwrap();
            if let Some(want) = f.get("missing_notes") {
                assert_eq!(
                    &serde_json::to_value(&frame.missing_notes).unwrap(),
                    want,
                    "{name}: missing notes"
                );
            }
            for (account, values) in f["values"].as_object().unwrap() {
                for (feature, want) in values.as_object().unwrap() {
                    let got = frame.value(account, feature);
                    match want.as_f64() {
                        None => assert_eq!(got, None, "{name}: {account}.{feature}"),
                        Some(w) => {
                            let g = got
                                .unwrap_or_else(|| panic!("{name}: {account}.{feature} missing"));
                            assert!(
                                (g - w).abs() < 1e-9,
                                "{name}: {account}.{feature} = {g}, want {w}"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// `expect.records`: per record type, the records of the book's JSON document in order, each
/// compared on the keys given (`null` = absent or null).
fn check_records(name: &str, doc: &Value, want: &Value) {
    for (kind, records) in want.as_object().unwrap() {
        let got = doc[kind].as_array().cloned().unwrap_or_default();
        let records = records.as_array().unwrap();
        assert_eq!(got.len(), records.len(), "{name}: {kind} {got:#?}");
        for (i, (g, w)) in got.iter().zip(records).enumerate() {
            for (k, v) in w.as_object().unwrap() {
                let gv = g.get(k).unwrap_or(&Value::Null);
                assert_eq!(gv, v, "{name}: {kind}[{i}].{k} of {g}");
            }
        }
    }
}

/// `expect.config_messages`: texts each configuration problem must contain, in order.
fn check_config_messages(name: &str, e: &Error, expect: &Value) {
    let Error::Config(problems) = e else {
        panic!("{name}: expected a configuration error, got {e:?}")
    };
    if let Some(want) = expect.get("config_messages") {
        let want = want.as_array().unwrap();
        assert_eq!(problems.len(), want.len(), "{name}: {problems:#?}");
        for (p, w) in problems.iter().zip(want) {
            assert!(p.contains(w.as_str().unwrap()), "{name}: `{p}` lacks {w}");
        }
    }
}

fn check_report(name: &str, report: &ValidationReport, expect: &Value) {
    if let Some(n) = expect.get("notes") {
        let want = n.as_array().unwrap();
        assert_eq!(
            report.notes.len(),
            want.len(),
            "{name}: notes {:#?}",
            report.notes
        );
        for (a, e) in report.notes.iter().zip(want) {
            let a_json =
                serde_json::json!({"file": a.file, "row": a.row, "field": a.field, "note": a.note});
            for (k, v) in e.as_object().unwrap() {
                if k == "note" {
                    assert!(
                        a.note.contains(v.as_str().unwrap()),
                        "{name}: note `{}` lacks {v}",
                        a.note
                    );
                } else {
                    assert_eq!(&a_json[k], v, "{name}: note field {k} of {a:?}");
                }
            }
        }
    }
    if let Some(p) = expect.get("problems") {
        check_problems(name, &report.problems, p);
    }
    if let Some(r) = expect.get("rejected") {
        assert_eq!(
            report.rejected.len() as u64,
            r.as_u64().unwrap(),
            "{name}: rejected rows"
        );
    }
}

fn health_vectors() -> Vec<(String, Value)> {
    vector_set("health", 6)
        .into_iter()
        .map(|(_, n, v)| (n, v))
        .collect()
}

fn close(name: &str, what: &str, got: f64, want: &Value) {
    match want.as_f64() {
        None => assert!(got.is_nan(), "{name}: {what} = {got}, want missing"),
        Some(w) => assert!((got - w).abs() < 1e-9, "{name}: {what} = {got}, want {w}"),
    }
}

#[test]
fn health_scoring_vectors() {
    use csops_core::features::{FeatureColumn, FeatureFrame};
    use csops_core::health::Scorecard;
    for (name, v) in health_vectors() {
        let expect = &v["expect"];
        let card = Scorecard::from_json(&v["scorecard"].to_string());
        let f = &v["frame"];
        let frame = FeatureFrame {
            as_of: "2025-01-01".parse().unwrap(),
            account_ids: serde_json::from_value(f["account_ids"].clone()).unwrap(),
            columns: f["columns"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, col)| FeatureColumn {
                    name: k.clone(),
                    values: col
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap_or(f64::NAN))
                        .collect(),
                })
                .collect(),
            missing_notes: Vec::new(),
        };
        let segments: Option<Vec<String>> = v
            .get("segments")
            .map(|s| serde_json::from_value(s.clone()).unwrap());
        let result = card.and_then(|c| c.score_frame(&frame, segments.as_deref()).map(|s| (c, s)));
        let (card, scores) = match (result, expect["error"].as_str()) {
            (Ok(r), None) => r,
            (Err(Error::Config(_)), Some("config")) => continue,
            (other, want) => panic!(
                "{name}: expected error {want:?}, got {:?}",
                other.map(|r| r.1)
            ),
        };
        for (i, want) in expect["scores"].as_array().unwrap().iter().enumerate() {
            close(&name, &format!("score[{i}]"), scores.scores[i], want);
        }
        for (i, want) in expect["bands"].as_array().unwrap().iter().enumerate() {
            assert_eq!(scores.band(i), want.as_str(), "{name}: band[{i}]");
        }
        if let Some(cov) = expect.get("coverage") {
            for (i, want) in cov.as_array().unwrap().iter().enumerate() {
                close(&name, &format!("coverage[{i}]"), scores.coverage[i], want);
            }
        }
        if let Some(c) = expect.get("contributions") {
            for (m, col) in c.as_object().unwrap() {
                let k = scores.measure_names.iter().position(|n| n == m).unwrap();
                for (i, want) in col.as_array().unwrap().iter().enumerate() {
                    close(
                        &name,
                        &format!("{m}[{i}]"),
                        scores.contributions[k][i],
                        want,
                    );
                }
            }
        }
        if let Some(e) = expect.get("explain") {
            let row = e["row"].as_u64().unwrap() as usize;
            let x = card.explain(&frame, segments.as_deref(), row).unwrap();
            let drivers: Vec<&str> = x
                .top_negative_drivers(10)
                .iter()
                .map(|d| d.name.as_str())
                .collect();
            let want: Vec<&str> = e["top_drivers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
                .collect();
            assert_eq!(drivers, want, "{name}: drivers");
        }
    }
}

/// The back-test conformance vectors (`tests/conformance/backtest/`): a book (inline JSON or
/// a CSV directory of the repository), a scorecard (inline or `"default"`), a back-test
/// configuration and optionally a re-calibration, and the expected figures.
fn backtest_vectors() -> Vec<(PathBuf, Value)> {
    vector_set("backtest", 3)
        .into_iter()
        .map(|(p, _, v)| (p, v))
        .collect()
}

/// What a vector's `expect` holds, computed by the core.
fn backtest_actual(v: &Value) -> Value {
    use csops_core::backtest::{BacktestConfig, RecalibrationConfig, observe, recalibrate, report};
    use csops_core::health::Scorecard;
    use serde_json::json;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let opts = LoadOptions {
        mode: LoadMode::Lenient,
        ..Default::default()
    };
    let book = if let Some(dir) = v["book_dir"].as_str() {
        csops_core::interchange::load_csv_dir(root.join(dir), &opts)
            .unwrap()
            .book
    } else {
        load_json_str(&v["book_json"].to_string(), &opts)
            .unwrap()
            .book
    };
    let card = match &v["scorecard"] {
        Value::String(s) if s == "default" => Scorecard::default_heuristic(),
        c => Scorecard::from_json(&c.to_string()).unwrap(),
    };
    let cfg: BacktestConfig = match serde_json::from_value(v["config"].clone()) {
        Ok(c) => c,
        Err(_) => return json!({ "error": "config" }),
    };
    let run = || -> csops_core::Result<Value> {
        let obs = observe(&book, &card, &cfg)?;
        let r = report(&obs, &card, &cfg)?;
        let all = &r.overall;
        let comparison = all.comparison.as_ref();
        let mut out = json!({
            "error": null,
            "window": [r.window_start.to_string(), r.window_end.to_string()],
            "renewals": all.renewals,
            "churned": all.churned,
            "unscored": all.unscored,
            "bands": all.bands.iter().map(|b| json!({
                "band": b.band, "renewals": b.renewals, "renewed": b.renewed,
                "ci95": b.ci95.map(|i| vec![i.lo, i.hi]),
                "arr_up": b.arr_up.amount.to_string(), "arr_renewed": b.arr_renewed.amount.to_string(),
            })).collect::<Vec<_>>(),
            "test_used": comparison.map(|c| c.test_used.clone()),
            "fisher_p": comparison.map(|c| c.fisher.p_value),
            "separates": comparison.map(|c| c.separates),
            "auc": all.auc.map(|a| a.auc),
            "auc_se_delong": all.auc.map(|a| a.se_delong),
            "brier": all.brier,
            "quarters": r.quarters.iter().map(|q| json!({
                "quarter": q.label, "renewals": q.renewals, "churned": q.churned,
            })).collect::<Vec<_>>(),
            "lift": all.lift.iter().map(|l| json!({
                "fraction": l.fraction, "k": l.k, "captured": l.captured,
            })).collect::<Vec<_>>(),
            "measures": r.measures.iter().map(|m| json!({
                "measure": m.measure, "auc": m.auc, "flag": m.flag,
            })).collect::<Vec<_>>(),
            "logrank": r.logrank.map(|(t, df)| json!({ "chi2": t.statistic, "df": df })),
        });
        if !v["recalibration"].is_null() {
            let rc: RecalibrationConfig = serde_json::from_value(v["recalibration"].clone())
                .map_err(|e| Error::Config(vec![e.to_string()]))?;
            let rc = recalibrate(&obs, &card, &rc)?;
            out["recalibration"] = json!({
                "train_renewals": rc.train.renewals,
                "test_renewals": rc.test.renewals,
                "dropped": rc.dropped,
                "before_auc": rc.before.auc.map(|a| a.auc),
                "after_auc": rc.after.auc.map(|a| a.auc),
                "after_brier": rc.after.brier,
                "share_after": rc.weights.iter().map(|w| (w.measure.clone(), json!(w.share_after))).collect::<serde_json::Map<_, _>>(),
            });
        }
        Ok(out)
    };
    match run() {
        Ok(v) => v,
        Err(Error::Config(_)) => json!({ "error": "config" }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// `expected` ⊆ `actual`: every key of the expectation present and equal, numbers within
/// 1e-9 (relative for large values).
fn subset(name: &str, path: &str, expected: &Value, actual: &Value) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).unwrap_or(&Value::Null);
                subset(name, &format!("{path}.{k}"), ev, av);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(
                e.len(),
                a.len(),
                "{name}: {path} has {} items, want {}",
                a.len(),
                e.len()
            );
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(name, &format!("{path}[{i}]"), ev, av);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            assert!(
                (e - a).abs() <= 1e-9 * e.abs().max(1.0),
                "{name}: {path} = {a}, want {e}"
            );
        }
        (e, a) => assert_eq!(e, a, "{name}: {path}"),
    }
}

#[test]
fn backtest_vectors_agree() {
    // `UPDATE_BACKTEST_VECTORS=1` rewrites the expectations of vectors marked
    // `"generated": true` (those too big to work by hand) from the core; the statistics
    // behind them are checked against scikit-learn, statsmodels, scipy and lifelines in
    // `tests/stats_vectors.rs`.
    let update = std::env::var_os("UPDATE_BACKTEST_VECTORS").is_some();
    for (path, mut v) in backtest_vectors() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let actual = backtest_actual(&v);
        if update && v["generated"].as_bool() == Some(true) {
            v["expect"] = actual;
            std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
            continue;
        }
        subset(&name, "expect", &v["expect"], &actual);
    }
}

/// The revenue vectors (`tests/conformance/revenue/`): ARR bridges, retention (optionally
/// cut), a forecast and its reconciliation, on an inline JSON book.
#[test]
fn revenue_vectors_agree() {
    use csops_core::forecast::{ForecastConfig, Health, ReconcileConfig, forecast, reconcile};
    use csops_core::retention::{ArrHistory, Cut, arr_bridge, retention, retention_by};
    use rust_decimal::Decimal;
    use serde_json::json;
    let dec = |v: &Value| -> Decimal { v.as_str().unwrap().parse().unwrap() };
    for (_, name, v) in vector_set("revenue", 3) {
        let opts = LoadOptions {
            mode: LoadMode::Lenient,
            ..Default::default()
        };
        let book = load_json_str(&v["book_json"].to_string(), &opts)
            .unwrap()
            .book;
        let history = ArrHistory::from_book(&book).unwrap();
        let day = |x: &Value| x.as_str().unwrap().parse::<chrono::NaiveDate>().unwrap();
        for case in v["bridge"].as_array().into_iter().flatten() {
            let e = &case["expect"];
            match arr_bridge(&history, day(&case["from"]), day(&case["to"])) {
                Err(Error::Config(_)) => assert_eq!(e["error"], "config", "{name}"),
                Err(err) => panic!("{name}: {err}"),
                Ok(b) => {
                    assert!(e["error"].is_null(), "{name}: expected an error");
                    for (k, got) in [
                        ("start", b.start),
                        ("new", b.new),
                        ("expansion", b.expansion),
                        ("contraction", b.contraction),
                        ("churn", b.churn),
                        ("reactivation", b.reactivation),
                        ("end", b.end),
                    ] {
                        assert_eq!(got, dec(&e[k]), "{name}: bridge {k}");
                    }
                    let actual = json!({
                        "logos_start": b.logos_start, "logos_new": b.logos_new,
                        "logos_churned": b.logos_churned, "logos_reactivated": b.logos_reactivated,
                        "logos_end": b.logos_end,
                        "movements": b.accounts.iter().map(|m| (m.account_id.clone(), serde_json::to_value(m.movement).unwrap())).collect::<serde_json::Map<_, _>>(),
                        "rates_used": b.rates_used.rates,
                    });
                    let mut expected = e.clone();
                    for k in [
                        "start",
                        "new",
                        "expansion",
                        "contraction",
                        "churn",
                        "reactivation",
                        "end",
                        "error",
                    ] {
                        expected.as_object_mut().unwrap().remove(k);
                    }
                    subset(&name, "bridge", &expected, &actual);
                }
            }
        }
        for case in v["retention"].as_array().into_iter().flatten() {
            let (from, to) = (day(&case["from"]), day(&case["to"]));
            let got = match case["cut"].as_str() {
                None => vec![retention(&history, from, to).unwrap()],
                Some("start_cohort") => {
                    retention_by(&book, &history, from, to, &Cut::StartCohort).unwrap()
                }
                Some(f) => retention_by(&book, &history, from, to, &Cut::Field(f.into())).unwrap(),
            };
            let want = case["expect"].as_array().unwrap();
            assert_eq!(got.len(), want.len(), "{name}: cohorts");
            for (g, w) in got.iter().zip(want) {
                for (k, x) in [
                    ("start_arr", g.start_arr),
                    ("retained_arr", g.retained_arr),
                    ("end_arr", g.end_arr),
                ] {
                    assert_eq!(x, dec(&w[k]), "{name}: {} {k}", g.label);
                }
                let actual = json!({
                    "label": g.label, "logos": g.logos, "logos_retained": g.logos_retained,
                    "grr": g.grr, "nrr": g.nrr, "logo_retention": g.logo_retention,
                });
                let mut expected = w.clone();
                for k in ["start_arr", "retained_arr", "end_arr"] {
                    expected.as_object_mut().unwrap().remove(k);
                }
                subset(&name, "retention", &expected, &actual);
            }
        }
        if let Some(fc) = v.get("forecast") {
            let cfg: ForecastConfig = serde_json::from_value(fc["config"].clone()).unwrap();
            let health: BTreeMap<String, Health> =
                serde_json::from_value(fc["health"].clone()).unwrap_or_default();
            let f = forecast(&book, &health, &cfg).unwrap();
            let e = &fc["expect"];
            for (k, x) in [
                ("arr", f.arr),
                ("expected_renewal", f.expected_renewal),
                ("expected_expansion", f.expected_expansion),
                ("commit", f.commit),
                ("best_case", f.best_case),
                ("pipeline", f.pipeline),
            ] {
                assert_eq!(x, dec(&e[k]), "{name}: forecast {k}");
            }
            let d = f.distribution.as_ref().unwrap();
            let actual = json!({
                "from": f.from.to_string(), "to": f.to.to_string(),
                "accounts": f.lines.iter().map(|l| l.account_id.clone()).collect::<Vec<_>>(),
                "distribution": { "method": d.method, "p10": d.p10, "p50": d.p50, "p90": d.p90, "mean": d.mean },
                "rates_used": f.rates_used.as_ref().map(|r| r.rates.clone()).unwrap_or_default(),
            });
            let mut expected = json!({
                "from": e["from"], "to": e["to"], "accounts": e["accounts"], "distribution": e["distribution"],
            });
            if let Some(r) = e.get("rates_used") {
                expected["rates_used"] = r.clone();
            }
            subset(&name, "forecast", &expected, &actual);
            if let Some(rc) = v.get("reconcile") {
                let cfg: ReconcileConfig = serde_json::from_value(rc["config"].clone()).unwrap();
                let r = reconcile(&book, &f, &cfg).unwrap();
                let e = &rc["expect"];
                assert_eq!(r.forecast_arr, dec(&e["forecast_arr"]), "{name}");
                assert_eq!(r.crm_arr, dec(&e["crm_arr"]), "{name}");
                let actual = json!({
                    "gap": r.gap, "passes": r.passes,
                    "issues": r.issues.iter().map(|i| json!([serde_json::to_value(i.kind).unwrap(), i.account_id])).collect::<Vec<_>>(),
                    "rates_used": r.rates_used.as_ref().map(|r| r.rates.clone()).unwrap_or_default(),
                });
                let mut expected =
                    json!({ "gap": e["gap"], "passes": e["passes"], "issues": e["issues"] });
                if let Some(r) = e.get("rates_used") {
                    expected["rates_used"] = r.clone();
                }
                subset(&name, "reconcile", &expected, &actual);
            }
        }
    }
}

/// A `Table` from a vector's `{"rows": n, "columns": {"name": {"number" | "text" | "bool": [..]}}}`.
fn vector_table(v: &Value) -> csops_core::condition::Table {
    use csops_core::condition::{Column, Table};
    let mut t = Table {
        rows: v["rows"].as_u64().unwrap() as usize,
        ..Default::default()
    };
    for (name, col) in v["columns"].as_object().unwrap() {
        let (kind, vals) = col.as_object().unwrap().iter().next().unwrap();
        let vals = vals.as_array().unwrap();
        let c = match kind.as_str() {
            "number" => Column::Number(
                vals.iter()
                    .map(|x| x.as_f64().unwrap_or(f64::NAN))
                    .collect(),
            ),
            "text" => Column::Text(
                vals.iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ),
            "bool" => Column::Bool(vals.iter().map(Value::as_bool).collect()),
            k => panic!("unknown column kind {k}"),
        };
        t.insert(name, c).unwrap();
    }
    t
}

/// The segmentation vectors (`tests/conformance/segmentation/`).
#[test]
fn segmentation_vectors_agree() {
    use csops_core::condition::Condition;
    use csops_core::segment::{CoverageModel, Csm, TierRules, assign, coverage, plan};
    use serde_json::json;
    for (_, name, v) in vector_set("segmentation", 3) {
        let table = vector_table(&v["table"]);
        // Rules that do not fit the table: the whole segmentation refuses them, with exactly
        // these problems (the Python and Node runners check the same words).
        for (i, case) in v["segment_errors"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let rules: TierRules = serde_json::from_value(case["rules"].clone()).unwrap();
            let model: CoverageModel = serde_json::from_value(v["model"].clone()).unwrap();
            let roster: Vec<Csm> = serde_json::from_value(v["roster"].clone()).unwrap();
            match plan(&table, &rules, &model, Some(roster)) {
                Err(Error::Config(p)) => assert_eq!(json!(p), case["problems"], "{name} #{i}"),
                other => panic!("{name} #{i}: expected the rules' problems, got {other:?}"),
            }
        }
        for (i, case) in v["conditions"].as_array().into_iter().flatten().enumerate() {
            let text = case["text"].as_str().unwrap();
            let parsed = text.parse::<Condition>().and_then(|c| table.filter(&c));
            match case.get("expect_error") {
                Some(_) => {
                    let Err(Error::Config(p)) = parsed else {
                        panic!("{name} #{i}: expected an error for {text}")
                    };
                    let want = case["error_contains"].as_str().unwrap();
                    assert!(
                        p.join("; ").contains(want),
                        "{name} #{i}: {p:?} lacks {want}"
                    );
                }
                None => {
                    let got = parsed.unwrap_or_else(|e| panic!("{name} #{i}: {e}"));
                    assert_eq!(json!(got), case["expect"], "{name} #{i}: {text}");
                    let from_json = Condition::from_json_value(&case["json"]).unwrap();
                    assert_eq!(
                        json!(table.filter(&from_json).unwrap()),
                        case["expect"],
                        "{name} #{i} (JSON)"
                    );
                    assert_eq!(
                        from_json,
                        text.parse::<Condition>().unwrap(),
                        "{name} #{i}: forms differ"
                    );
                }
            }
        }
        if let Some(rules) = v.get("rules") {
            let rules: TierRules = serde_json::from_value(rules.clone()).unwrap();
            let tiers = rules.assign(&table).unwrap();
            let names = rules.tiers();
            let got: Vec<&str> = tiers.iter().map(|&t| names[t]).collect();
            assert_eq!(json!(got), v["expect_tiers"], "{name}: tiers");
            let model: CoverageModel = serde_json::from_value(v["model"].clone()).unwrap();
            let roster: Vec<Csm> = serde_json::from_value(v["roster"].clone()).unwrap();
            let c = coverage(&table, &tiers, &rules, &model, &roster).unwrap();
            let actual = json!({
                "tiers": c.tiers.iter().map(|t| json!({"tier": t.tier, "accounts": t.accounts, "needed": t.needed})).collect::<Vec<_>>(),
                "csms": c.csms.iter().map(|x| json!({"csm": x.csm, "accounts": x.accounts, "utilisation": x.utilisation, "status": x.status, "off_tier": x.off_tier})).collect::<Vec<_>>(),
                "unowned": c.unowned,
            });
            subset(&name, "coverage", &v["expect_coverage"], &actual);
            let a = assign(&table, &tiers, &rules, &model, &roster).unwrap();
            let actual = json!({
                "moves": a.moves.iter().map(|m| json!([m.account_id, m.from, m.to])).collect::<Vec<_>>(),
                "unplaced": a.unplaced,
                "owners": a.owners,
            });
            subset(&name, "assignment", &v["expect_assignment"], &actual);
            // The text of the whole segmentation, as every language shows it.
            if let Some(want) = v.get("expect_summary") {
                let got = plan(&table, &rules, &model, Some(roster))
                    .unwrap()
                    .render(&rules, None);
                assert_eq!(json!(got), *want, "{name}: summary");
            }
        }
    }
}

/// The playbook vectors (`tests/conformance/playbook/`): a book, a playbook, runs on given
/// days with a given (or the previous run's) history, and what fires.
#[test]
fn playbook_vectors_agree() {
    use csops_core::playbook::{FireHistory, Playbook, RunContext, run};
    use serde_json::json;
    for (_, name, v) in vector_set("playbook", 3) {
        let opts = LoadOptions {
            mode: LoadMode::Lenient,
            ..Default::default()
        };
        let book = load_json_str(&v["book_json"].to_string(), &opts)
            .unwrap()
            .book;
        let pb: Playbook = serde_json::from_value(v["playbook"].clone()).unwrap();
        let ctx = RunContext::default();
        let mut previous = FireHistory::default();
        for (k, r) in v["runs"].as_array().unwrap().iter().enumerate() {
            let day: chrono::NaiveDate = r["day"].as_str().unwrap().parse().unwrap();
            let mut history: FireHistory = if r["history"] == "previous" {
                previous.clone()
            } else {
                serde_json::from_value(r["history"].clone()).unwrap()
            };
            for pair in r["close_tasks"].as_array().into_iter().flatten() {
                let (p, a) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
                assert!(
                    history.close_task(p, a),
                    "{name} run {k}: no open task {p} {a}"
                );
            }
            let out = run(&book, &pb, day, &history, &ctx);
            if let Some(want) = r["error_contains"].as_str() {
                let Err(Error::Config(p)) = out else {
                    panic!("{name} run {k}: expected a configuration error")
                };
                assert!(p.join("; ").contains(want), "{name} run {k}: {p:?}");
                continue;
            }
            let out = out.unwrap_or_else(|e| panic!("{name} run {k}: {e}"));
            let expect = r["expect"].as_array().unwrap();
            assert_eq!(
                out.fired.len(),
                expect.len(),
                "{name} run {k}: {:#?}",
                out.fired
            );
            for (f, e) in out.fired.iter().zip(expect) {
                let actual = json!({
                    "play": f.play, "account_id": f.account_id, "mode": f.mode,
                    "actions": serde_json::to_value(&f.actions).unwrap(),
                });
                let mut expected = e.clone();
                let reason = expected.as_object_mut().unwrap().remove("reason_contains");
                subset(&name, "fired", &expected, &actual);
                if let Some(want) = reason.as_ref().and_then(Value::as_str) {
                    assert!(
                        f.reason.contains(want),
                        "{name}: reason {:?} lacks {want}",
                        f.reason
                    );
                }
            }
            previous = out.history;
        }
    }
}
