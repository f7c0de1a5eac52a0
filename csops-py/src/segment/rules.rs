//! `TierRules`: which tier each account is in, rule by rule (the first that matches), and
//! the tiers of a table they assign.

use std::path::PathBuf;

use csops_core::condition::Condition;
use csops_core::segment::TierRules;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};

use crate::condition::{PyCondition, condition_arg, fields_of, read_data};
use crate::convert::to_python;
use crate::errors::call;
use crate::features::PyFeatureFrame;
use crate::options::mapping_to_json;
use crate::table::{Columns, FrameKind, Kind as DataKind, config, kind_of, require, type_name};

/// One tier per row, as the input: a pandas Series (categorical, the input's index, named
/// `tier`), a polars Series (an Enum), a pyarrow ChunkedArray (a dictionary), or a list of
/// str.
fn tiers_out<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    names: &[&str],
    tiers: &[usize],
) -> PyResult<Bound<'py, PyAny>> {
    let kind = if data.cast::<PyFeatureFrame>().is_ok() {
        DataKind::Dict
    } else {
        kind_of(py, data, "data")?
    };
    let mut c = Columns::new(py);
    c.category("tier", names, tiers.iter().map(|&t| Some(t)), false);
    match kind {
        DataKind::Pandas => {
            let pd = require(py, "pandas", "a pandas result")?;
            let df = c.build(FrameKind::Pandas, "a pandas result")?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("index", data.getattr("index")?)?;
            kwargs.set_item("name", "tier")?;
            pd.call_method(
                "Series",
                (df.get_item("tier")?.getattr("array")?,),
                Some(&kwargs),
            )
        }
        DataKind::Polars => c
            .build(FrameKind::Polars, "a polars result")?
            .call_method1("get_column", ("tier",)),
        DataKind::Arrow(_) if py.import("pyarrow").is_ok() => c
            .build(FrameKind::Arrow, "a pyarrow result")?
            .call_method1("column", ("tier",)),
        _ => Ok(PyList::new(py, tiers.iter().map(|&t| names[t]))?.into_any()),
    }
}

// Tier rules -------------------------------------------------------------------------------

/// A tier-rules argument: None (the defaults), a `TierRules`, or a dict (as `to_dict`).
pub(super) fn rules_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<TierRules> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(TierRules::default_rules());
    };
    if let Ok(r) = value.cast::<PyTierRules>() {
        return Ok(r.get().0.clone());
    }
    if value.cast::<PyMapping>().is_ok() && !value.is_instance_of::<PyString>() {
        let text = mapping_to_json(py, "tier rules", value)?;
        return call(py, || TierRules::from_json(&text));
    }
    Err(crate::errors::argument_error(format!(
        "rules must be None (the defaults), a csops.TierRules or a dict; got {}",
        type_name(value)
    )))
}

/// One `(tier, when)` pair of `TierRules(rules, ...)`: a tuple or a dict `{tier, when}`.
fn rule_item(py: Python<'_>, i: usize, item: &Bound<'_, PyAny>) -> PyResult<(String, Condition)> {
    let what = format!("rule {}", i + 1);
    let (tier, when) = if let Ok(m) = item.cast::<PyMapping>() {
        let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
            if m.contains(k)? {
                m.get_item(k)
            } else {
                Err(config(py, format!("{what}: the dict has no `{k}`")))
            }
        };
        (get("tier")?, get("when")?)
    } else if let Ok(pair) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>() {
        pair
    } else {
        return Err(crate::errors::argument_error(format!(
            "{what} must be a (tier, condition) pair or a dict {{\"tier\": .., \"when\": ..}}; \
             got {}",
            type_name(item)
        )));
    };
    let tier = tier
        .cast::<PyString>()
        .map_err(|_| {
            crate::errors::argument_error(format!(
                "{what}: the tier must be str; got {}",
                type_name(&tier)
            ))
        })?
        .to_cow()?
        .into_owned();
    let when = condition_arg(py, &format!("{what} ({tier})"), &when)?;
    Ok((tier, when))
}

/// Ordered tier rules: the first rule an account matches gives its tier; accounts matching
/// none get the default tier. Immutable; every constructor checks the rules (each condition
/// parses, tiers are named, a field is compared with one kind of value). The fields
/// themselves are checked against the data when the rules are applied.
#[pyclass(name = "TierRules", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyTierRules(pub(crate) TierRules);

#[pymethods]
impl PyTierRules {
    /// Rules from ``(tier, condition)`` pairs (or dicts ``{"tier", "when"}``), in order; each
    /// condition a ``Condition``, its text or its dict form.
    #[new]
    fn new(py: Python<'_>, rules: &Bound<'_, PyAny>, default_tier: String) -> PyResult<Self> {
        if rules.is_instance_of::<PyString>() || rules.cast::<PyMapping>().is_ok() {
            return Err(crate::errors::argument_error(
                "rules must be a list of (tier, condition) pairs; use TierRules.from_dict for a \
                 dict",
            ));
        }
        let mut out = Vec::new();
        for (i, item) in rules.try_iter()?.enumerate() {
            let (tier, when) = rule_item(py, i, &item?)?;
            out.push(csops_core::segment::TierRule { tier, when });
        }
        let rules = TierRules {
            schema_version: 1,
            rules: out,
            default_tier,
        };
        call(py, || rules.check().map(|()| rules)).map(PyTierRules)
    }

    /// The defaults: high-touch from 100,000 ARR, mid-touch from 25,000, tech-touch from
    /// 5,000, digital (pooled) below.
    #[staticmethod]
    #[pyo3(name = "default")]
    fn default_rules() -> Self {
        PyTierRules(TierRules::default_rules())
    }

    /// Rules from a dict (the layout of ``to_dict``: ``{"rules": [{"tier", "when"}],
    /// "default_tier"}``; ``when`` the text or the structured form).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if data.cast::<PyMapping>().is_err() {
            return Err(crate::errors::argument_error(format!(
                "tier rules must be a dict, got {}",
                type_name(data)
            )));
        }
        rules_arg(py, Some(data)).map(PyTierRules)
    }

    /// Rules from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || TierRules::from_json(text)).map(PyTierRules)
    }

    /// Rules from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || TierRules::from_toml(text)).map(PyTierRules)
    }

    /// Rules from a ``.toml`` or ``.json`` file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        call(py, || TierRules::load(&path)).map(PyTierRules)
    }

    /// The rules as plain data (what ``from_dict`` reads; conditions in the text form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    /// The rules as JSON text (what ``from_json`` reads).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_json())
    }

    /// The rules as TOML text (what ``from_toml`` reads).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        call(py, || self.0.to_toml())
    }

    /// The tiers, in rule order, then the default (each once).
    #[getter]
    fn tiers(&self) -> Vec<&str> {
        self.0.tiers()
    }

    /// The rules, in order: dicts ``{"tier": str, "when": Condition}``.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for r in &self.0.rules {
            let d = PyDict::new(py);
            d.set_item("tier", &r.tier)?;
            d.set_item("when", PyCondition(r.when.clone()))?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The tier of accounts no rule matches.
    #[getter]
    fn default_tier(&self) -> &str {
        &self.0.default_tier
    }

    /// The tier of every row of ``data`` (as for ``Condition.filter``): a pandas Series
    /// (categorical, the data's index) for a pandas DataFrame, a polars Series for a polars
    /// one, else a list of str. ConfigError naming the rule for an unknown field or a type
    /// mismatch. Evaluated with the GIL released.
    fn assign<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = &self.0;
        let conditions: Vec<&Condition> = rules.rules.iter().map(|r| &r.when).collect();
        let fields = fields_of(conditions.iter().copied());
        let d = read_data(py, data, Some(&fields), false)?;
        let tiers = call(py, || rules.assign_given(&d))?;
        let names = rules.tiers();
        tiers_out(py, data, &names, &tiers)
    }

    fn __eq__(&self, other: &Bound<'_, PyTierRules>) -> bool {
        self.0 == other.get().0
    }

    /// Pickle support: rebuilt from its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = py.get_type::<PyTierRules>().getattr("from_json")?;
        PyTuple::new(
            py,
            [from_json, PyTuple::new(py, [self.to_json(py)?])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the rules in order, then the default tier.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}
