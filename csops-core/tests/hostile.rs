//! The hostile-input suite (`tests/conformance/hostile/`, made by
//! `scripts/make_hostile_suite.py`): inputs a careless or hostile user could give, each with
//! what must happen. Python (`test_hostile_suite.py`) and Node (`hostile-suite.test.mjs`) run the same
//! cases through their APIs and must give the same outcome and, for configuration errors, the
//! same problems word for word. `UPDATE_HOSTILE=1` records the core's exact problems into the
//! cases, after checking each error's kind and words.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csops_core::Error;
use csops_core::condition::Condition;
use csops_core::features::{FeatureColumn, FeatureConfig, FeatureFrame, features_as_of};
use csops_core::health::{ModelSet, Scorecard};
use csops_core::interchange::{LoadOptions, load_csv_texts, parse_day};
use csops_core::playbook::{FireHistory, Playbook};
use csops_core::segment::TierRules;
use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/hostile")
}

/// A case's input as text: a string, or pieces repeated and joined.
fn text(input: &Value) -> String {
    match input {
        Value::String(s) => s.clone(),
        Value::Object(o) => o["repeat"]
            .as_array()
            .expect("repeat")
            .iter()
            .map(|p| {
                p[0].as_str()
                    .unwrap()
                    .repeat(p[1].as_u64().unwrap() as usize)
            })
            .collect(),
        other => panic!("not a text input: {other}"),
    }
}

/// What an operation gave: a summary, or an error's kind and problems.
enum Outcome {
    Ok(Value),
    Err(&'static str, Vec<String>),
    /// The case cannot be expressed in Rust (a value of the wrong type for a typed argument).
    NotExpressible,
}

fn from_error(e: Error) -> Outcome {
    match e {
        Error::Config(p) => Outcome::Err("config", p),
        Error::NotFound { what } => Outcome::Err("not_found", vec![what]),
        Error::Format { .. } => Outcome::Err("format", vec![e.to_string()]),
        Error::Validation(_) => Outcome::Err("validation", vec![e.to_string()]),
        Error::Money(_) => Outcome::Err("money", vec![e.to_string()]),
        other => Outcome::Err("other", vec![other.to_string()]),
    }
}

fn outcome<T>(r: csops_core::Result<T>, summary: impl FnOnce(T) -> Value) -> Outcome {
    match r {
        Ok(x) => Outcome::Ok(summary(x)),
        Err(e) => from_error(e),
    }
}

struct Context {
    book: Option<csops_core::book::Book>,
    frame: Option<FeatureFrame>,
    card: Option<Scorecard>,
}

fn context(doc: &Value) -> Context {
    let book = doc.get("book").map(|rel| {
        let v: Value = serde_json::from_str(
            &std::fs::read_to_string(dir().join(rel.as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let texts: BTreeMap<String, String> = serde_json::from_value(v["csv"].clone()).unwrap();
        load_csv_texts(&texts, &LoadOptions::default())
            .unwrap()
            .book
    });
    let frame = doc.get("frame").map(|f| FeatureFrame {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        account_ids: serde_json::from_value(f["account_ids"].clone()).unwrap(),
        columns: f["columns"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, values)| FeatureColumn {
                name: name.clone(),
                values: serde_json::from_value(values.clone()).unwrap(),
            })
            .collect(),
        missing_notes: Vec::new(),
    });
    let card = doc
        .get("scorecard")
        .map(|t| Scorecard::from_toml(t.as_str().unwrap()).unwrap());
    Context { book, frame, card }
}

fn run(target: &str, input: &Value, cx: &Context) -> Outcome {
    match target {
        "condition" => outcome(text(input).parse::<Condition>(), condition_summary),
        "condition_json" => outcome(Condition::from_json(&text(input)), condition_summary),
        "scorecard_toml" => outcome(Scorecard::from_toml(&text(input)), |_| json!({})),
        "scorecard_json" => outcome(Scorecard::from_json(&text(input)), |_| json!({})),
        "tier_rules_toml" => outcome(TierRules::from_toml(&text(input)), rules_summary),
        "tier_rules_json" => outcome(TierRules::from_json(&text(input)), rules_summary),
        "playbook_toml" => outcome(Playbook::from_toml(&text(input)), plays_summary),
        "playbook_json" => outcome(Playbook::from_json(&text(input)), plays_summary),
        "model_set_json" => outcome(ModelSet::from_json(&text(input)), |_| json!({})),
        "fire_history_json" => outcome(FireHistory::from_json(&text(input)), |_| json!({})),
        "day" => {
            let Value::String(s) = input else {
                return Outcome::NotExpressible;
            };
            match parse_day(s) {
                Err(e) => Outcome::Err("invalid_value", vec![e]),
                Ok(day) => outcome(
                    features_as_of(cx.book.as_ref().unwrap(), day, &FeatureConfig::default()),
                    |f| json!({ "day": f.as_of.to_string() }),
                ),
            }
        }
        "account_id" => {
            // Python and Node take an integer id as its decimal text.
            let id = match input {
                Value::String(s) => s.clone(),
                Value::Number(n) if n.is_i64() => n.to_string(),
                _ => return Outcome::NotExpressible,
            };
            let card = cx.card.as_ref().unwrap();
            outcome(
                card.explain_account(cx.frame.as_ref().unwrap(), None, &id),
                |_| json!({ "account_id": id }),
            )
        }
        other => panic!("unknown target {other}"),
    }
}

fn condition_summary(c: Condition) -> Value {
    let mut fields: Vec<&str> = c.fields();
    fields.sort_unstable();
    fields.dedup();
    json!({ "fields": fields, "text": c.to_string() })
}

fn rules_summary(r: TierRules) -> Value {
    json!({ "tiers": r.tiers() })
}

fn plays_summary(p: Playbook) -> Value {
    json!({ "plays": p.plays.iter().map(|p| p.name.as_str()).collect::<Vec<_>>() })
}

#[test]
fn hostile_inputs() {
    let update = std::env::var_os("UPDATE_HOSTILE").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("the hostile-input suite")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in files {
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let target = doc["target"].as_str().unwrap().to_string();
        let cx = context(&doc);
        let mut changed = false;
        for case in doc["cases"].as_array_mut().unwrap() {
            total += 1;
            let name = format!(
                "{}: {}",
                path.file_name().unwrap().to_string_lossy(),
                case["name"]
            );
            let got = run(&target, &case["input"], &cx);
            let expect = case["expect"].as_object_mut().unwrap();
            match (got, expect.get("ok").cloned(), expect.get("error").cloned()) {
                (Outcome::NotExpressible, _, Some(Value::String(k))) if k == "invalid_type" => {}
                (Outcome::Ok(summary), Some(want), None) => {
                    for (k, v) in want.as_object().unwrap() {
                        if summary.get(k) != Some(v) {
                            failures
                                .push(format!("{name}: `{k}` is {:?}, not {v}", summary.get(k)));
                        }
                    }
                }
                (Outcome::Err(kind, problems), None, Some(Value::String(want))) if kind == want => {
                    let message = problems.join("; ");
                    for c in expect["contains"].as_array().unwrap() {
                        if !message.contains(c.as_str().unwrap()) {
                            failures.push(format!("{name}: {message:?} lacks {c}"));
                        }
                    }
                    // Argument messages are worded by each binding around the core's words.
                    if kind != "invalid_value" {
                        match expect.get("problems") {
                            Some(p) if *p == json!(problems) => {}
                            _ if update => {
                                expect.insert("problems".into(), json!(problems));
                                changed = true;
                            }
                            Some(p) => failures
                                .push(format!("{name}: problems {problems:?}, recorded {p}")),
                            None => failures
                                .push(format!("{name}: no problems recorded (UPDATE_HOSTILE=1)")),
                        }
                    }
                }
                (Outcome::Ok(s), _, want) => {
                    failures.push(format!("{name}: loaded ({s}), expected {want:?}"))
                }
                (Outcome::Err(kind, p), _, want) => failures.push(format!(
                    "{name}: {kind} error {p:?}, expected {want:?} / {:?}",
                    expect.get("ok")
                )),
                (Outcome::NotExpressible, _, want) => {
                    failures.push(format!("{name}: not expressible, expected {want:?}"))
                }
            }
        }
        if changed {
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
        }
    }
    assert!(total >= 250, "only {total} hostile inputs");
    let shown: Vec<String> = failures.iter().map(|f| short(f)).collect();
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        shown.join("\n")
    );
}

/// A failure's text cut to a readable length (inputs run to megabytes).
fn short(s: &str) -> String {
    if s.chars().count() <= 400 {
        return s.to_string();
    }
    let head: String = s.chars().take(300).collect();
    let tail: String = s
        .chars()
        .rev()
        .take(100)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head} … {tail}")
}
