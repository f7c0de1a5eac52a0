//! The forecast's options as a caller writes them, in any language: every key optional, its
//! default stated here once (see [`crate::options`] for how Python and Node hand them over).

use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{DistributionMethod, ExpansionSource, ForecastConfig, RenewalProbability};
use crate::backtest::ProbabilityMap;
use crate::interchange::parse_day;
use crate::{Error, Result};

/// How to forecast, as a caller gives it. Every field is optional; absent (or null) means the
/// default of [`ForecastConfig::default`]:
/// the calendar quarter after `as_of`, `as_of` the book's latest date, the default band priors,
/// expansion from open opportunities, the `auto` distribution with 20,000 draws and seed 42
/// when it is a Monte Carlo, commit from 0.9 and best case from 0.6.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastOptions {
    /// First day of the window (inclusive), `YYYY-MM-DD`. Give both `start` and `end`, or
    /// neither (the calendar quarter after `as_of`).
    pub start: Option<String>,
    /// Last day of the window (inclusive), `YYYY-MM-DD`.
    pub end: Option<String>,
    /// The day the forecast is made, `YYYY-MM-DD`: ARR as of its end.
    pub as_of: Option<String>,
    /// Where each renewal's probability comes from.
    pub probability: Option<ProbabilityOptions>,
    /// Expected expansion: `opportunities`, `history` or `none`.
    pub expansion: Option<ExpansionSource>,
    /// The renewed-ARR distribution: `auto`, `exact`, `grid` or `monte_carlo`.
    pub distribution: Option<DistributionMethod>,
    /// Monte Carlo draws.
    pub draws: Option<u32>,
    /// Monte Carlo seed.
    pub seed: Option<u64>,
    /// P(renew) from which a renewal is "commit".
    pub commit_from: Option<f64>,
    /// P(renew) from which a renewal is "best case"; below it, "pipeline".
    pub best_case_from: Option<f64>,
}

impl ForecastOptions {
    /// The configuration these options mean: the defaults filled in, the days read (an
    /// [`Error::Config`] naming each one that is not a day). The probabilities and thresholds
    /// are checked by [`super::forecast`] itself.
    pub fn config(&self) -> Result<ForecastConfig> {
        let d = ForecastConfig::default();
        let mut problems = Vec::new();
        let mut day = |what: &str, text: &Option<String>| {
            text.as_deref().and_then(|t| {
                parse_day(t)
                    .map_err(|e| problems.push(format!("{what}: {e}")))
                    .ok()
            })
        };
        let (start, end, as_of) = (
            day("start", &self.start),
            day("end", &self.end),
            day("as_of", &self.as_of),
        );
        let probability = match &self.probability {
            None => Ok(d.probability),
            Some(p) => p.resolve(),
        };
        let probability = match probability {
            Ok(p) => Some(p),
            Err(Error::Config(e)) => {
                problems.extend(e);
                None
            }
            Err(e) => return Err(e),
        };
        match probability {
            Some(probability) if problems.is_empty() => Ok(ForecastConfig {
                start,
                end,
                as_of,
                probability,
                expansion: self.expansion.unwrap_or(d.expansion),
                distribution: self.distribution.unwrap_or(d.distribution),
                draws: self.draws.unwrap_or(d.draws),
                seed: self.seed.unwrap_or(d.seed),
                commit_from: self.commit_from.unwrap_or(d.commit_from),
                best_case_from: self.best_case_from.unwrap_or(d.best_case_from),
            }),
            _ => Err(Error::Config(problems)),
        }
    }
}

/// Where renewal probabilities come from, as a caller gives it: one of `calibrated` (a
/// score → P(churn) mapping, as a re-calibration fits it), `band_priors` (P(renew) per band)
/// or `supplied` (P(renew) per account id), with an optional `fallback` for the accounts it
/// does not cover; a mapping given alone (an object with `method`, which is what a
/// `Recalibration` stands for in Python and Node) means `calibrated`. With no source, the
/// default band priors ([`RenewalProbability::default_band_priors`]) with `fallback` as their
/// unscored prior. The fallback defaults to the default band priors' (0.85).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProbabilityOptions {
    /// The score → P(churn) mapping: P(renew) = 1 − P(churn | score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibrated: Option<ProbabilityMap>,
    /// P(renew) per band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band_priors: Option<BTreeMap<String, f64>>,
    /// P(renew) per account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplied: Option<BTreeMap<String, f64>>,
    /// P(renew) for the accounts the source does not cover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<f64>,
}

impl ProbabilityOptions {
    /// The probability source these options mean (an [`Error::Config`] when more than one
    /// source is given).
    pub fn resolve(&self) -> Result<RenewalProbability> {
        let RenewalProbability::BandPriors {
            priors: default_priors,
            fallback: default_fallback,
        } = RenewalProbability::default_band_priors()
        else {
            unreachable!("the default is band priors")
        };
        let fallback = self.fallback.unwrap_or(default_fallback);
        let given = [
            self.calibrated.is_some(),
            self.band_priors.is_some(),
            self.supplied.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(Error::Config(vec![
                "probability takes one of `calibrated`, `band_priors` and `supplied`, not several"
                    .into(),
            ]));
        }
        Ok(
            match (&self.calibrated, &self.band_priors, &self.supplied) {
                (Some(map), _, _) => RenewalProbability::Calibrated {
                    map: map.clone(),
                    fallback,
                },
                (_, Some(priors), _) => RenewalProbability::BandPriors {
                    priors: priors.clone(),
                    fallback,
                },
                (_, _, Some(p)) => RenewalProbability::Supplied {
                    probabilities: p.clone(),
                    fallback,
                },
                _ => RenewalProbability::BandPriors {
                    priors: default_priors,
                    fallback,
                },
            },
        )
    }
}

/// The grammar's own form, without the bare-mapping shorthand.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sources {
    calibrated: Option<ProbabilityMap>,
    band_priors: Option<BTreeMap<String, f64>>,
    supplied: Option<BTreeMap<String, f64>>,
    fallback: Option<f64>,
}

impl<'de> Deserialize<'de> for ProbabilityOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Map<String, Value>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "an object with one of `calibrated`, `band_priors` and `supplied`, and \
                     optionally `fallback` (or a probability mapping)",
                )
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Map::new();
                // Keys are read as field names, so a camelCase caller's `bandPriors` arrives
                // as `band_priors`; the values (band names, account ids) as they are.
                while let Some(FieldName(k)) = m.next_key()? {
                    out.insert(k, m.next_value()?);
                }
                Ok(out)
            }
        }
        // Read again from the entries, the path inside kept in the message
        // (`band_priors.red: invalid type …`).
        fn read<'de, T: Deserialize<'de>, E: de::Error>(
            entries: Map<String, Value>,
        ) -> std::result::Result<T, E> {
            serde_path_to_error::deserialize(Value::Object(entries)).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if path == "." {
                    E::custom(inner)
                } else {
                    E::custom(format!("{path}: {inner}"))
                }
            })
        }
        let entries = d.deserialize_map(Entries)?;
        if entries.contains_key("method") {
            return Ok(ProbabilityOptions {
                calibrated: Some(read(entries)?),
                ..Default::default()
            });
        }
        let s: Sources = read(entries)?;
        Ok(ProbabilityOptions {
            calibrated: s.calibrated,
            band_priors: s.band_priors,
            supplied: s.supplied,
            fallback: s.fallback,
        })
    }
}

/// A key read as a field name.
struct FieldName(String);

impl<'de> Deserialize<'de> for FieldName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<String, E> {
                Ok(v.to_string())
            }
        }
        d.deserialize_identifier(Name).map(FieldName)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::options::{Casing, from_value};

    fn read(v: Value, casing: Casing) -> Result<ForecastConfig> {
        from_value::<ForecastOptions>(v, casing)?.config()
    }

    #[test]
    fn absent_options_are_the_defaults() {
        assert_eq!(
            read(json!({}), Casing::Snake).unwrap(),
            ForecastConfig::default()
        );
        assert_eq!(
            read(json!({"probability": null, "draws": null}), Casing::Camel).unwrap(),
            ForecastConfig::default()
        );
    }

    #[test]
    fn one_grammar_in_both_casings() {
        let camel = read(
            json!({"start": "2026-10-01", "end": "2026-12-31", "commitFrom": 0.8,
                   "probability": {"bandPriors": {"atRisk": 0.4}, "fallback": 0.5},
                   "distribution": "monte_carlo"}),
            Casing::Camel,
        )
        .unwrap();
        let snake = read(
            json!({"start": "2026-10-01", "end": "2026-12-31", "commit_from": 0.8,
                   "probability": {"band_priors": {"atRisk": 0.4}, "fallback": 0.5},
                   "distribution": "monte_carlo"}),
            Casing::Snake,
        )
        .unwrap();
        assert_eq!(camel, snake);
        assert_eq!(camel.commit_from, 0.8);
        assert_eq!(
            camel.probability,
            RenewalProbability::BandPriors {
                priors: [("atRisk".to_string(), 0.4)].into(),
                fallback: 0.5
            }
        );
    }

    #[test]
    fn a_bare_mapping_is_calibrated_with_the_default_fallback() {
        let c = read(
            json!({"probability": {"method": "platt", "intercept": 1.0, "slope": -0.05}}),
            Casing::Snake,
        )
        .unwrap();
        assert!(matches!(
            c.probability,
            RenewalProbability::Calibrated { fallback, .. } if fallback == 0.85
        ));
        // A fallback alone keeps the default priors and changes their fallback.
        let f = read(json!({"probability": {"fallback": 0.25}}), Casing::Snake).unwrap();
        assert!(matches!(
            f.probability,
            RenewalProbability::BandPriors { fallback, ref priors } if fallback == 0.25 && priors.len() == 3
        ));
    }

    #[test]
    fn a_mapping_with_a_stray_key_is_refused() {
        for v in [
            json!({"method": "platt", "intercept": 0, "slope": 1, "x": []}),
            json!({"method": "isotonic", "x": [1, 2], "y": [0.5, 0.4], "slope": 1}),
        ] {
            let e = read(json!({"probability": {"calibrated": v}}), Casing::Snake).unwrap_err();
            assert!(e.to_string().contains("unknown field"), "{e}");
        }
        // Both kinds still read without a stray key.
        for v in [
            json!({"method": "platt", "intercept": 0, "slope": -0.1}),
            json!({"method": "isotonic", "x": [1, 2], "y": [0.5, 0.4]}),
        ] {
            read(json!({"probability": {"calibrated": v}}), Casing::Snake).unwrap();
        }
    }

    #[test]
    fn values_are_config_errors_and_shapes_invalid_arguments() {
        let e = read(
            json!({"start": "2026-13-01", "probability": {"supplied": {}, "band_priors": {}}}),
            Casing::Snake,
        )
        .unwrap_err();
        let Error::Config(p) = &e else { panic!("{e}") };
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("start: "), "{p:?}");
        assert!(p[1].contains("not several"), "{p:?}");
        let e = read(json!({"probability": {"calibrate": {}}}), Casing::Snake).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
        assert!(e.to_string().contains("unknown field `calibrate`"), "{e}");
        let e = read(json!({"seed": -1}), Casing::Snake).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: seed: invalid value: integer `-1`, expected u64"
        );
    }
}
