//! Cohorts: retention cut by an account field, by start quarter or by labels the caller
//! gives (such as each account's health band at the start), and the options callers give a
//! retention call in.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ArrHistory, Period, Retention, Totals, check_days};
use crate::book::Book;
use crate::{Error, Result};

/// How to cut a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cut {
    /// By an account field: `segment`, `tier`, `region`, `industry`, `plan`, `owner_csm`
    /// (or `csm`), `currency`, or `attr.<name>` for a custom attribute.
    Field(String),
    /// By the calendar quarter the account started, e.g. `2025-Q3`.
    StartCohort,
    /// By a label per account id (e.g. its health band at the start); accounts without one
    /// are labelled `none`.
    Labels(BTreeMap<String, String>),
}

/// The options of a retention call as callers give them (Python's keywords, a Node options
/// object), read by [`crate::options::from_value`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionOptions {
    /// Cut the cohort: a cut's name (`segment`, `tier`, `region`, `industry`, `plan`,
    /// `owner_csm`, `currency`, `attr.<name>`, or `start_cohort`), or a label per account id
    /// (an account without one, or with a null label, is labelled `none`). Default: one
    /// cohort, `all`.
    #[serde(default, deserialize_with = "cut_by")]
    pub by: Option<Cut>,
}

/// The options of a retention series as callers give them.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSeriesOptions {
    /// The length of the periods (default: calendar quarters).
    #[serde(default = "quarters")]
    pub period: Period,
}

impl Default for RetentionSeriesOptions {
    fn default() -> Self {
        RetentionSeriesOptions { period: quarters() }
    }
}

fn quarters() -> Period {
    Period::Quarter
}

/// `by`: a cut's name, or labels keyed by account id.
fn cut_by<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Cut>, D::Error> {
    use serde::de::{MapAccess, Visitor};

    struct By;
    impl<'de> Visitor<'de> for By {
        type Value = Option<Cut>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a cut's name (\"segment\", \"attr.<name>\", \"start_cohort\", ...) or labels keyed by account id")
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_any(By)
        }
        fn visit_str<E>(self, name: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(if name == "start_cohort" {
                Cut::StartCohort
            } else {
                Cut::Field(name.to_string())
            }))
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut labels = BTreeMap::new();
            while let Some((id, label)) = map.next_entry::<String, Option<String>>()? {
                if let Some(label) = label {
                    labels.insert(id, label);
                }
            }
            Ok(Some(Cut::Labels(labels)))
        }
    }
    d.deserialize_option(By)
}

/// The label of account `a` under a cut (`none` where it has no value).
fn label_of<'a>(book: &'a Book, a: usize, cut: &'a Cut) -> Result<Cow<'a, str>> {
    let acc = &book.accounts()[a];
    let or_none = |v: &'a Option<String>| Cow::Borrowed(v.as_deref().unwrap_or("none"));
    Ok(match cut {
        Cut::StartCohort => Cow::Owned(format!(
            "{}-Q{}",
            acc.start_date.year(),
            (acc.start_date.month() - 1) / 3 + 1
        )),
        Cut::Labels(m) => Cow::Borrowed(m.get(&acc.id).map_or("none", String::as_str)),
        Cut::Field(f) => match f.as_str() {
            "segment" => or_none(&acc.segment),
            "tier" => or_none(&acc.tier),
            "region" => or_none(&acc.region),
            "industry" => or_none(&acc.industry),
            "plan" => or_none(&acc.plan),
            "owner_csm" | "csm" => or_none(&acc.owner_csm),
            "currency" => Cow::Borrowed(acc.arr.currency.code()),
            f => match f.strip_prefix("attr.") {
                Some(k) => Cow::Borrowed(acc.attributes.get(k).map_or("none", String::as_str)),
                None => {
                    return Err(Error::Config(vec![format!(
                        "unknown cut `{f}`; expected segment, tier, region, industry, plan, \
                         owner_csm, currency or attr.<name>"
                    )]));
                }
            },
        },
    })
}

/// Retention per value of a cut (labels in order), each over its own cohort.
pub fn retention_by(
    book: &Book,
    history: &ArrHistory,
    from: NaiveDate,
    to: NaiveDate,
    cut: &Cut,
) -> Result<Vec<Retention>> {
    check_days(from, to)?;
    if history.len() != book.accounts().len() {
        return Err(Error::Config(vec![
            "the ARR history was built from another book".into(),
        ]));
    }
    // Each account's group, then one pass over the accounts in book order.
    let mut groups: BTreeMap<Cow<'_, str>, usize> = BTreeMap::new();
    let mut group_of = Vec::with_capacity(history.len());
    for a in 0..book.accounts().len() {
        let next = groups.len();
        group_of.push(*groups.entry(label_of(book, a, cut)?).or_insert(next));
    }
    let mut totals = vec![Totals::default(); groups.len()];
    let mut v = [Decimal::ZERO; 2];
    for (a, g) in group_of.into_iter().enumerate() {
        history.arr_on_days(a, &[from, to], &mut v);
        totals[g].add(v[0], v[1]);
    }
    Ok(groups
        .into_iter()
        .map(|(label, g)| totals[g].rates(history.currency, label.into_owned(), from, to))
        .collect())
}
