//! The back-test statistics against independent implementations: the values in
//! `tests/vectors/stats.json` were computed by scikit-learn, statsmodels, scipy, lifelines and
//! pandas (`scripts/reference/stats_vectors.py`, versions recorded in the file).
//!
//! Tolerance: 1e-9 relative where the mathematics is exact (with an absolute floor of 1e-14
//! for values that are zero up to the reference's rounding, e.g. a Wilson bound of 8.7e-19);
//! logistic coefficients within 1e-6 of scikit-learn's at the same penalty.

use csops_core::backtest::fit::{IsotonicMap, ProbabilityMap, ProbabilityMethod, logistic};
use csops_core::backtest::stats::*;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/stats.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::String(s) if s == "nan" => f64::NAN,
        v => v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn labels(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() == 1)
        .collect()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

#[track_caller]
fn close(what: &str, got: f64, want: f64, rel: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{what}: {got}, want NaN");
    } else if want.is_infinite() {
        assert_eq!(got, want, "{what}");
    } else {
        let tol = rel * want.abs() + 1e-14;
        assert!(
            (got - want).abs() <= tol,
            "{what}: {got}, want {want} (diff {:e})",
            (got - want).abs()
        );
    }
}

fn cases<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    let c = v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` vectors"));
    assert!(!c.is_empty(), "no `{key}` vectors");
    c
}

#[test]
fn wilson_matches_statsmodels() {
    let v = vectors();
    for c in cases(&v, "wilson") {
        let i = wilson(u(&c["k"]), u(&c["n"]), Z95).unwrap();
        let what = format!("wilson {}/{}", c["k"], c["n"]);
        close(&what, i.lo, num(&c["lo"]), 1e-9);
        close(&what, i.hi, num(&c["hi"]), 1e-9);
    }
    assert!(wilson(0, 0, Z95).is_none());
}

#[test]
fn two_proportion_z_matches_statsmodels() {
    let v = vectors();
    for c in cases(&v, "two_proportion_z") {
        let t = two_proportion_z(u(&c["k1"]), u(&c["n1"]), u(&c["k2"]), u(&c["n2"])).unwrap();
        let what = format!("z {c}");
        close(&what, t.statistic, num(&c["z"]), 1e-9);
        close(&what, t.p_value, num(&c["p"]), 1e-9);
    }
}

#[test]
fn fisher_matches_scipy() {
    let v = vectors();
    for c in cases(&v, "fisher") {
        let t = fisher_exact(u(&c["a"]), u(&c["b"]), u(&c["c"]), u(&c["d"]));
        let what = format!("fisher {c}");
        close(&what, t.statistic, num(&c["odds_ratio"]), 1e-9);
        close(&what, t.p_value, num(&c["p"]), 1e-9);
    }
}

#[test]
fn normal_and_chi2_tails_match_scipy() {
    let v = vectors();
    for c in cases(&v, "normal_sf") {
        close(
            &format!("normal_sf {c}"),
            normal_sf(num(&c["x"])),
            num(&c["sf"]),
            1e-9,
        );
    }
    for c in cases(&v, "chi2_sf") {
        close(
            &format!("chi2_sf {c}"),
            chi2_sf(num(&c["x"]), num(&c["df"])),
            num(&c["sf"]),
            1e-9,
        );
    }
}

#[test]
fn auc_roc_and_youden_match_scikit_learn_and_delong() {
    let v = vectors();
    for (i, c) in cases(&v, "auc").iter().enumerate() {
        let (s, y) = (nums(&c["scores"]), labels(&c["labels"]));
        let a = roc_auc(&s, &y).unwrap();
        let what = format!("auc case {i}");
        close(&what, a.auc, num(&c["auc"]), 1e-9);
        close(&what, a.se_delong, num(&c["delong_se"]), 1e-9);
        close(&what, a.se_hanley_mcneil, num(&c["hanley_mcneil_se"]), 1e-9);
        let curve = roc_curve(&s, &y).unwrap();
        let (fpr, tpr, th) = (
            nums(&c["roc"]["fpr"]),
            nums(&c["roc"]["tpr"]),
            nums(&c["roc"]["thresholds"]),
        );
        assert_eq!(curve.len(), th.len(), "{what}: ROC points");
        for (p, ((f, t), h)) in curve.iter().zip(fpr.iter().zip(&tpr).zip(&th)) {
            close(&what, p.fpr, *f, 1e-12);
            close(&what, p.tpr, *t, 1e-12);
            close(&what, p.threshold, *h, 0.0);
        }
        let (t, _) = youden(&s, &y).unwrap();
        close(
            &format!("{what} youden"),
            t,
            num(&c["youden_threshold"]),
            0.0,
        );
    }
}

#[test]
fn brier_matches_scikit_learn() {
    let v = vectors();
    for c in cases(&v, "brier") {
        let b = brier(&nums(&c["p"]), &labels(&c["y"])).unwrap();
        close("brier", b, num(&c["brier"]), 1e-9);
    }
}

#[test]
fn l2_logistic_matches_scikit_learn() {
    let v = vectors();
    for (i, c) in cases(&v, "logistic_l2").iter().enumerate() {
        let rows: Vec<Vec<f64>> = c["X"].as_array().unwrap().iter().map(nums).collect();
        let k = rows[0].len();
        let cols: Vec<Vec<f64>> = (0..k)
            .map(|j| rows.iter().map(|r| r[j]).collect())
            .collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let fit = logistic(&refs, &labels(&c["y"]), Some(num(&c["C"]))).unwrap();
        let what = format!("logistic case {i} (C = {})", c["C"]);
        for (got, want) in fit.coef.iter().zip(nums(&c["coef"])) {
            assert!((got - want).abs() <= 1e-6, "{what}: coef {got} vs {want}");
        }
        assert!(
            (fit.intercept - num(&c["intercept"])).abs() <= 1e-6,
            "{what}: intercept {} vs {}",
            fit.intercept,
            c["intercept"]
        );
    }
}

#[test]
fn platt_scaling_matches_statsmodels_logit() {
    let v = vectors();
    for c in cases(&v, "logistic_unpenalised_1d") {
        let (x, y) = (nums(&c["x"]), labels(&c["y"]));
        let fit = logistic(&[&x], &y, None).unwrap();
        close("logit coef", fit.coef[0], num(&c["coef"]), 1e-6);
        close("logit intercept", fit.intercept, num(&c["intercept"]), 1e-6);
        let ProbabilityMap::Platt { intercept, slope } =
            ProbabilityMap::fit(&x, &y, ProbabilityMethod::Platt).unwrap()
        else {
            panic!()
        };
        assert_eq!((intercept, slope), (fit.intercept, fit.coef[0]));
    }
}

#[test]
fn isotonic_matches_scikit_learn() {
    let v = vectors();
    for c in cases(&v, "isotonic") {
        let (x, y) = (nums(&c["x"]), nums(&c["y"]));
        let inc = c["increasing"].as_bool().unwrap();
        let map = IsotonicMap::fit(&x, &y, inc).unwrap();
        for (i, want) in nums(&c["fitted"]).iter().enumerate() {
            close(&format!("isotonic row {i}"), map.predict(x[i]), *want, 1e-9);
        }
    }
}

#[test]
fn kaplan_meier_matches_lifelines() {
    let v = vectors();
    for (i, c) in cases(&v, "kaplan_meier").iter().enumerate() {
        let km = kaplan_meier(&nums(&c["durations"]), &labels(&c["events"])).unwrap();
        let (t, s) = (nums(&c["timeline"]), nums(&c["survival"]));
        let (r, o) = (
            c["at_risk"].as_array().unwrap(),
            c["observed"].as_array().unwrap(),
        );
        assert_eq!(km.len(), t.len(), "km case {i}: timeline");
        for (j, p) in km.iter().enumerate() {
            let what = format!("km case {i} t = {}", t[j]);
            close(&what, p.time, t[j], 0.0);
            close(&what, p.survival, s[j], 1e-9);
            assert_eq!(p.at_risk, u(&r[j]), "{what}: at risk");
            assert_eq!(p.observed, u(&o[j]), "{what}: observed");
        }
    }
}

#[test]
fn logrank_matches_lifelines() {
    let v = vectors();
    for (i, c) in cases(&v, "logrank").iter().enumerate() {
        let groups: Vec<String> = c["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_string())
            .collect();
        let (t, df) = logrank(&nums(&c["durations"]), &labels(&c["events"]), &groups).unwrap();
        let what = format!("logrank case {i}");
        close(&what, t.statistic, num(&c["chi2"]), 1e-9);
        close(&what, t.p_value, num(&c["p"]), 1e-9);
        assert_eq!(u64::from(df), u(&c["df"]), "{what}: df");
    }
}

#[test]
fn deciles_and_lift_match_pandas() {
    let v = vectors();
    for (i, c) in cases(&v, "deciles").iter().enumerate() {
        let table = deciles(&nums(&c["risk"]), &labels(&c["y"])).unwrap();
        let want = c["table"].as_array().unwrap();
        assert_eq!(table.len(), want.len(), "deciles case {i}");
        for (row, w) in table.iter().zip(want) {
            let what = format!("deciles case {i} decile {}", row.decile);
            assert_eq!(u64::from(row.decile), u(&w["decile"]), "{what}");
            assert_eq!(row.n, u(&w["n"]), "{what}");
            close(&what, row.mean_risk, num(&w["mean_risk"]), 1e-9);
            close(&what, row.observed, num(&w["observed"]), 1e-9);
        }
    }
    for (i, c) in cases(&v, "lift").iter().enumerate() {
        let l = lift(&nums(&c["risk"]), &labels(&c["y"]), num(&c["fraction"])).unwrap();
        let what = format!("lift case {i}");
        assert_eq!(l.k, u(&c["k"]), "{what}: k");
        assert_eq!(l.captured, u(&c["captured"]), "{what}: captured");
        close(&what, l.capture, num(&c["capture"]), 1e-9);
        close(&what, l.lift, num(&c["lift"]), 1e-9);
    }
}

#[test]
fn separated_outcomes_without_a_penalty_say_so() {
    let x: Vec<f64> = (0..40).map(f64::from).collect();
    let y: Vec<bool> = x.iter().map(|v| *v >= 20.0).collect();
    let Err(csops_core::Error::Config(p)) = logistic(&[&x], &y, None) else {
        panic!("a separable fit without penalty must fail")
    };
    assert!(p[0].contains("perfectly separated"), "{p:?}");
    // With a penalty it has an answer, and Platt scaling falls back to one.
    assert!(logistic(&[&x], &y, Some(1.0)).is_ok());
    assert!(ProbabilityMap::fit(&x, &y, ProbabilityMethod::Platt).is_ok());
    // A column equal to the intercept's, without a penalty, has no unique answer.
    let constant = vec![1.0; 40];
    let mixed: Vec<bool> = (0..40).map(|i| i % 3 == 0).collect();
    let Err(csops_core::Error::Config(p)) = logistic(&[&x, &constant], &mixed, None) else {
        panic!("a duplicated intercept column must fail")
    };
    assert!(p[0].contains("singular"), "{p:?}");
}

#[test]
fn labels_are_true_false_or_one_zero_and_nothing_else() {
    assert_eq!(
        csops_core::backtest::stats::labels("y", &[1.0, 0.0, 1.0]).unwrap(),
        vec![true, false, true]
    );
    for bad in [0.5, f64::NAN, 2.0, -1.0] {
        let Err(csops_core::Error::Config(p)) =
            csops_core::backtest::stats::labels("y", &[0.0, bad])
        else {
            panic!("{bad} must be refused")
        };
        assert_eq!(
            p,
            vec![format!("y[1] is {bad}; labels are true/false or 1/0")]
        );
    }
}

#[test]
fn tails_that_do_not_exist_are_nan_not_a_panic() {
    assert!(chi2_sf(3.84, 0.0).is_nan());
    assert!(chi2_sf(3.84, -1.0).is_nan());
    assert!(chi2_sf(f64::NAN, 1.0).is_nan());
    assert!(chi2_sf(3.84, f64::INFINITY).is_nan());
    assert_eq!(chi2_sf(f64::INFINITY, 1.0), 0.0);
    assert_eq!(chi2_sf(-1.0, 1.0), 1.0);
    assert!(normal_sf(f64::NAN).is_nan());
    assert_eq!(normal_sf(f64::INFINITY), 0.0);
}
