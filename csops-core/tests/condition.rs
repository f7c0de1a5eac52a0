//! The condition language: parsing, printing, the JSON form, three-valued evaluation, schema
//! checks, and hostile input.

use csops_core::Error;
use csops_core::condition::*;
use proptest::prelude::*;

fn parse(s: &str) -> Condition {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str) -> String {
    match s.parse::<Condition>() {
        Err(Error::Config(p)) => p.join("; "),
        other => panic!("{s}: expected an error, got {other:?}"),
    }
}

#[test]
fn the_issue_example_parses_with_the_right_precedence() {
    let c = parse(r#"arr >= 100000 and region in ["EMEA", "NA"] and band != "green""#);
    let Condition::And(items) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[1],
        Condition::In {
            field: "region".into(),
            values: vec![Value::Text("EMEA".into()), Value::Text("NA".into())],
            negated: false
        }
    );
    // `and` binds tighter than `or`; `not` tighter than both.
    let c = parse("a = 1 or b = 2 and not c");
    let Condition::Or(items) = &c else {
        panic!("{c:?}")
    };
    assert!(matches!(items[1], Condition::And(_)));
    assert_eq!(c.to_string(), "a == 1 or b == 2 and not c");
    assert_eq!(
        parse("(a = 1 or b = 2) and c").to_string(),
        "(a == 1 or b == 2) and c"
    );
    // Keywords are case-insensitive; other forms.
    assert_eq!(
        parse("seats BETWEEN 10 AND 50 AND csm IS NOT NULL AND tier NOT IN ['x']").to_string(),
        r#"seats between 10 and 50 and csm is not null and tier not in ["x"]"#
    );
    assert_eq!(parse("attr.source = 'web'").fields(), ["attr.source"]);
}

#[test]
fn parse_errors_point_at_line_and_column() {
    assert!(
        err("arr >= ").contains("line 1, column 8"),
        "{}",
        err("arr >= ")
    );
    let e = err("arr >= 5 and\n  region in [\"EMEA\" \"NA\"]");
    assert!(
        e.contains("line 2, column 21") && e.contains("`,` or `]`"),
        "{e}"
    );
    assert!(err("(a = 1").contains("expected `)`"));
    assert!(err("a = 'open").contains("not closed"));
    assert!(err("a == null").contains("is null"));
    assert!(err("").contains("empty"));
    assert!(err("a = 1 b = 2").contains("unexpected `b`"));
    assert!(err("a ~ 1").contains("unexpected `~`"));
}

#[test]
fn hostile_input_is_bounded() {
    let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
    assert!(err(&deep).contains("deep"));
    let nots = format!("{}a", "not ".repeat(5000));
    assert!(err(&nots).contains("deep"));
    let wide = (0..20_000)
        .map(|i| format!("f{i} = 1"))
        .collect::<Vec<_>>()
        .join(" or ");
    let e = err(&wide);
    assert!(e.contains("longer than") || e.contains("more than"), "{e}");
    let list = format!("a in [{}]", vec!["1"; 12_000].join(","));
    assert!(err(&list).contains("more than"));
    // The JSON form is bounded too.
    let mut v = serde_json::json!({"field": "a"});
    for _ in 0..200 {
        v = serde_json::json!({ "not": v });
    }
    assert!(Condition::from_json_value(&v).is_err());
}

#[test]
fn the_json_form_is_the_text_form() {
    let text = r#"arr >= 100000 and region in ["EMEA", "NA"] and band != "green""#;
    let json = serde_json::json!({"and": [
        {"field": "arr", "op": ">=", "value": 100000},
        {"field": "region", "in": ["EMEA", "NA"]},
        {"field": "band", "op": "!=", "value": "green"}]});
    assert_eq!(Condition::from_json_value(&json).unwrap(), parse(text));
    assert_eq!(parse(text).to_json_value(), json);
    // In configuration either form deserialises; it serialises as text.
    let from_text: Condition = serde_json::from_str(&format!("{:?}", text)).unwrap();
    let from_obj: Condition = serde_json::from_value(json).unwrap();
    assert_eq!(from_text, from_obj);
    assert_eq!(
        serde_json::to_string(&from_obj).unwrap(),
        format!("{:?}", text)
    );
    // Structured errors name the path.
    let bad = serde_json::json!({"and": [{"field": "a", "op": "~", "value": 1}]});
    let Err(Error::Config(p)) = Condition::from_json_value(&bad) else {
        panic!()
    };
    assert!(
        p[0].contains("$.and[0]") && p[0].contains("operator"),
        "{p:?}"
    );
    let extra = serde_json::json!({"field": "a", "op": "==", "value": 1, "colour": 2});
    assert!(Condition::from_json_value(&extra).is_err());
}

fn table() -> Table {
    let mut t = Table::default();
    t.insert(
        "arr",
        Column::Number(vec![150_000.0, 50_000.0, f64::NAN, 200_000.0]),
    )
    .unwrap();
    t.insert(
        "region",
        Column::Text(vec![
            Some("EMEA".into()),
            Some("NA".into()),
            Some("APAC".into()),
            None,
        ]),
    )
    .unwrap();
    t.insert(
        "sponsor",
        Column::Bool(vec![Some(true), Some(false), None, Some(true)]),
    )
    .unwrap();
    t
}

#[test]
fn missing_values_follow_three_valued_logic() {
    let t = table();
    let f = |s: &str| t.filter(&parse(s)).unwrap();
    assert_eq!(f("arr >= 100000"), [true, false, false, true]);
    // Unknown is not true, and not unknown is still unknown.
    assert_eq!(f("not (arr >= 100000)"), [false, true, false, false]);
    assert_eq!(f("region != 'EMEA'"), [false, true, true, false]);
    assert_eq!(f("not (region == 'EMEA')"), f("region != 'EMEA'"));
    assert_eq!(f("region is null"), [false, false, false, true]);
    // false and unknown = false; true or unknown = true.
    assert_eq!(f("arr > 1 or region == 'NA'"), [true, true, false, true]);
    assert_eq!(f("sponsor"), [true, false, false, true]);
    assert_eq!(f("not sponsor"), [false, true, false, false]);
    assert_eq!(
        f("arr between 50000 and 150000"),
        [true, true, false, false]
    );
    assert_eq!(
        f("region not in ['EMEA', 'APAC']"),
        [false, true, false, false]
    );
}

#[test]
fn schema_checks_report_every_problem_at_load() {
    let s = table().schema();
    let Err(Error::Config(p)) = s.check(&parse(
        "arr > 'big' and regoin = 'EMEA' and sponsor < true and region",
    )) else {
        panic!()
    };
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(
        p.iter()
            .any(|m| m.contains("unknown field `regoin` (did you mean `region`?)"))
    );
    assert!(p.iter().any(|m| m.contains("`arr` is a number")));
    assert!(p.iter().any(|m| m.contains("no order")));
    assert!(p.iter().any(|m| m.contains("`region` is text")));
    assert!(table().filter(&parse("colour = 1")).is_err());
}

fn field() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.]{0,6}".prop_filter("not a keyword", |s| {
        ![
            "and", "or", "not", "in", "between", "is", "null", "true", "false",
        ]
        .contains(&s.as_str())
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1e9f64..1e9).prop_map(Value::Number),
        any::<i32>().prop_map(|i| Value::Number(f64::from(i))),
        "[ -~\\n]{0,8}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Eq),
        Just(Op::Ne),
        Just(Op::Lt),
        Just(Op::Le),
        Just(Op::Gt),
        Just(Op::Ge)
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    let leaf = prop_oneof![
        (field(), op(), value()).prop_map(|(field, op, value)| Condition::Compare {
            field,
            op,
            value
        }),
        (field(), prop::collection::vec(value(), 0..4), any::<bool>()).prop_map(
            |(field, values, negated)| Condition::In {
                field,
                values,
                negated
            }
        ),
        (field(), value(), value()).prop_map(|(field, low, high)| Condition::Between {
            field,
            low,
            high
        }),
        (field(), any::<bool>()).prop_map(|(field, negated)| Condition::IsNull { field, negated }),
        field().prop_map(|field| Condition::Truthy { field }),
    ];
    leaf.prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Condition::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Condition::Or),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

/// The kind each field is used with (the first use decides; `None` when uses conflict).
fn kinds(c: &Condition, out: &mut std::collections::BTreeMap<String, Option<Kind>>) {
    let mut note = |f: &str, k: Kind| {
        let e = out.entry(f.to_string()).or_insert(Some(k));
        if *e != Some(k) {
            *e = None;
        }
    };
    let kind_of = |v: &Value| match v {
        Value::Number(_) => Kind::Number,
        Value::Text(_) => Kind::Text,
        Value::Bool(_) => Kind::Bool,
    };
    match c {
        Condition::And(items) | Condition::Or(items) => items.iter().for_each(|c| kinds(c, out)),
        Condition::Not(c) => kinds(c, out),
        Condition::Compare { field, op, value } => {
            note(field, kind_of(value));
            if !matches!(op, Op::Eq | Op::Ne) && kind_of(value) == Kind::Bool {
                note(field, Kind::Number); // bools have no order: make it conflict
            }
        }
        Condition::In { field, values, .. } => {
            values.iter().for_each(|v| note(field, kind_of(v)));
            out.entry(field.clone()).or_insert(Some(Kind::Text));
        }
        Condition::Between { field, low, high } => {
            note(field, kind_of(low));
            note(field, kind_of(high));
            if kind_of(low) == Kind::Bool {
                note(field, Kind::Number);
            }
        }
        Condition::IsNull { field, .. } => {
            out.entry(field.clone()).or_insert(Some(Kind::Number));
        }
        Condition::Truthy { field } => note(field, Kind::Bool),
    }
}

/// Random columns of the kinds the condition uses, with missing values.
fn random_table(seed: u64, c: &Condition) -> Option<Table> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut ks = std::collections::BTreeMap::new();
    kinds(c, &mut ks);
    let n = 12;
    let mut t = Table::default();
    for (f, k) in ks {
        let col = match k? {
            Kind::Number => Column::Number(
                (0..n)
                    .map(|_| {
                        if rng.random_bool(0.2) {
                            f64::NAN
                        } else {
                            f64::from(rng.random_range(-5..5))
                        }
                    })
                    .collect(),
            ),
            Kind::Text => Column::Text(
                (0..n)
                    .map(|_| {
                        rng.random_bool(0.8)
                            .then(|| ["a", "b", " "][rng.random_range(0..3)].to_string())
                    })
                    .collect(),
            ),
            Kind::Bool => Column::Bool(
                (0..n)
                    .map(|_| rng.random_bool(0.8).then(|| rng.random_bool(0.5)))
                    .collect(),
            ),
        };
        t.insert(&f, col).ok()?;
    }
    Some(t)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printing_then_parsing_gives_the_same_condition(c in condition()) {
        let text = c.to_string();
        let back: Condition = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &c, "{}", text);
        prop_assert_eq!(Condition::from_json_value(&c.to_json_value()).unwrap(), c);
    }

    #[test]
    fn any_text_gives_a_condition_or_an_error_never_a_panic(s in "\\PC{0,80}") {
        let _ = s.parse::<Condition>();
    }

    #[test]
    fn near_miss_text_never_panics(s in "[a-z ()\\[\\],'\"=<>!0-9.-]{0,60}") {
        let _ = s.parse::<Condition>();
    }

    #[test]
    fn text_and_json_forms_evaluate_identically(c in condition(), seed in any::<u64>()) {
        let via_json = Condition::from_json_value(&c.to_json_value()).unwrap();
        let via_text: Condition = c.to_string().parse().unwrap();
        if let Some(t) = random_table(seed, &c) {
            let a = t.filter(&via_json).unwrap();
            prop_assert_eq!(&a, &t.filter(&via_text).unwrap());
            // Three-valued logic: a condition and its negation never both match.
            let not = t.filter(&Condition::Not(Box::new(c.clone()))).unwrap();
            prop_assert!(a.iter().zip(&not).all(|(x, y)| !(*x && *y)));
        }
    }
}

fn number_cell() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(0.0),
        Just(-0.0),
        (-3i32..4).prop_map(f64::from),
    ]
}

proptest! {
    /// `in [..]` (evaluated with a hash set) selects exactly the rows `or` of `=` selects, with
    /// the same three-valued logic, for numbers (NaN missing, -0 = 0), text and negation.
    #[test]
    fn in_a_list_is_the_or_of_equalities(
        numbers in prop::collection::vec(number_cell(), 1..30),
        list in prop::collection::vec(number_cell(), 0..6),
        words in prop::collection::vec(prop::option::of("[ab]{0,2}"), 30),
        wlist in prop::collection::vec("[ab]{0,2}", 0..5),
        negated in any::<bool>(),
    ) {
        let n = numbers.len();
        let mut t = Table::default();
        t.insert("x", Column::Number(numbers)).unwrap();
        t.insert("w", Column::Text(words[..n].to_vec())).unwrap();
        for (field, values) in [
            ("x", list.iter().map(|v| Value::Number(*v)).collect::<Vec<_>>()),
            ("w", wlist.iter().map(|v| Value::Text(v.clone())).collect()),
        ] {
            let listed = Condition::In { field: field.into(), values: values.clone(), negated };
            // Each equality wrapped in a one-item `and`, so the `or` is evaluated item by
            // item (an `or` of bare equalities on one field is itself read as a list).
            let or = Condition::Or(values.iter().map(|v| Condition::And(vec![Condition::Compare {
                field: field.into(), op: Op::Eq, value: v.clone(),
            }])).collect());
            let bare = Condition::Or(values.iter().map(|v| Condition::Compare {
                field: field.into(), op: Op::Eq, value: v.clone(),
            }).collect());
            let bare = if negated { Condition::Not(Box::new(bare)) } else { bare };
            let or = if negated { Condition::Not(Box::new(or)) } else { or };
            let slow = t.filter(&or).unwrap();
            prop_assert_eq!(&t.filter(&listed).unwrap(), &slow, "{} in {:?}", field, values);
            prop_assert_eq!(&t.filter(&bare).unwrap(), &slow, "{} = any of {:?}", field, values);
        }
    }
}
