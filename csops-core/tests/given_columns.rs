//! Columns as users give them (`tests/conformance/given_columns/cases.json`), read by the
//! core's rules ([`GivenTable`], [`CellColumn`]) as the Python and Node suites read a dict of
//! lists and an object of arrays: the same rows match and the same errors are raised.

use csops_core::Error;
use csops_core::condition::{Cell, CellColumn, Condition, GivenTable};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/given_columns/cases.json"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

/// The table a binding reads from the case's columns: every column value by value.
fn given(columns: &serde_json::Map<String, Value>) -> csops_core::Result<GivenTable> {
    let mut t = GivenTable::default();
    for (name, values) in columns {
        let mut c = CellColumn::new(name, None);
        for v in values.as_array().unwrap() {
            match v {
                Value::Null => c.push(Cell::Missing),
                Value::Number(x) => c.push(Cell::Number(x.as_f64().unwrap())),
                Value::String(s) => c.push(Cell::Text(s.clone())),
                Value::Bool(b) => c.push(Cell::Bool(*b)),
                other => c.push_unreadable(format!("{other} is not a number, text or yes/no")),
            }
        }
        t.add_read(name, c.finish())?;
    }
    Ok(t)
}

#[test]
fn columns_as_given_are_read_alike() {
    let cases = cases();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let condition: Condition = case["condition"].as_str().unwrap().parse().unwrap();
        let got = given(case["columns"].as_object().unwrap()).and_then(|t| t.filter(&condition));
        match (&case["expect"], got) {
            (Value::Array(want), Ok(rows)) => {
                let want: Vec<bool> = want.iter().map(|b| b.as_bool().unwrap()).collect();
                assert_eq!(rows, want, "{name}");
            }
            (Value::Null, Err(Error::Config(problems))) => {
                assert_eq!(case["expect_error"], "config", "{name}");
                for text in case["error_contains"].as_array().unwrap() {
                    let text = text.as_str().unwrap();
                    assert!(
                        problems.iter().any(|p| p.contains(text)),
                        "{name}: no problem contains {text:?}: {problems:?}"
                    );
                }
            }
            (want, got) => panic!("{name}: expected {want}, got {got:?}"),
        }
    }
}

/// A table whose ids are in `account_id` (as a scored frame's are) segments as one with `id`,
/// and a coverage column given with no value takes the kind coverage reads.
#[test]
fn account_ids_may_be_named_account_id() {
    use csops_core::condition::{Column, Given};
    use csops_core::segment::{CoverageModel, TierRules, plan_given};
    let mut t = GivenTable::default();
    let ids = vec![Some("A1".to_string()), Some("A2".to_string())];
    t.add("account_id", Given::Column(Column::Text(ids)))
        .unwrap();
    t.add(
        "arr",
        Given::Column(Column::Number(vec![200_000.0, 5_000.0])),
    )
    .unwrap();
    t.add("owner_csm", Given::Missing(2)).unwrap();
    let rules = TierRules::default_rules();
    let (table, plan) = plan_given(&t, &rules, &CoverageModel::default(), None).unwrap();
    assert_eq!(table.columns["id"], table.columns["account_id"]);
    assert_eq!(table.columns["owner_csm"], Column::Text(vec![None, None]));
    assert_eq!(plan.tiers.len(), 2);
    assert_eq!(plan.coverage.unowned, 2);
}
