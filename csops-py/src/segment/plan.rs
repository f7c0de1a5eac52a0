//! `Segmentation`: the tiers, coverage, CSM load and assignment plan of a book or table.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use csops_core::condition::{Column, GivenTable};
use csops_core::segment::{
    Assignment, Coverage, CoverageModel, Csm, Plan, TierRules, what_if_given,
};
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{py_date_opt, to_python};
use crate::errors::call;
use crate::table::FrameKind;
use crate::table::table_out;
use csops_core::segment::tables;

use super::*;

/// A segmentation as plain data.
#[derive(Serialize)]
struct SegmentationView<'a> {
    as_of: Option<String>,
    rules: &'a TierRules,
    model: &'a CoverageModel,
    roster: &'a [Csm],
    roster_inferred: bool,
    account_ids: Vec<Option<&'a str>>,
    tiers: Vec<&'a str>,
    coverage: &'a Coverage,
    assignment: &'a Assignment,
}

/// Accounts tiered by rules, coverage of each tier against its target ratio, every CSM's
/// load, and the assignment plan that puts accounts with CSMs of their tier within
/// capacity. ``what_if`` tries other rules on the same accounts. Immutable.
#[pyclass(name = "Segmentation", module = "csops", frozen)]
#[derive(Debug)]
pub struct PySegmentation {
    pub(super) data: GivenTable,
    pub(super) rules: TierRules,
    pub(super) model: CoverageModel,
    pub(super) plan: Plan,
    pub(super) as_of: Option<NaiveDate>,
    pub(super) frame: FrameKind,
}

impl PySegmentation {
    fn ids(&self) -> Vec<Option<&str>> {
        match self.data.table.columns.get("id") {
            Some(Column::Text(v)) => v.iter().map(Option::as_deref).collect(),
            _ => vec![None; self.data.table.rows],
        }
    }

    fn tier_names(&self) -> Vec<&str> {
        let names = self.rules.tiers();
        self.plan.tiers.iter().map(|&t| names[t]).collect()
    }
}

#[pymethods]
impl PySegmentation {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(
            py,
            &(
                &self.data,
                &self.rules,
                &self.model,
                &self.plan,
                self.as_of,
                self.frame,
            ),
        )
    }

    /// A pickled Segmentation.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (data, rules, model, plan, as_of, frame): (
            GivenTable,
            TierRules,
            CoverageModel,
            Plan,
            Option<NaiveDate>,
            FrameKind,
        ) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PySegmentation {
            data,
            rules,
            model,
            plan,
            as_of,
            frame,
        })
    }

    /// The day of the book's figures (None for ``segment_table``).
    #[getter]
    fn as_of<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date_opt(py, self.as_of, || "as_of".to_string())
    }

    /// The tier rules applied.
    #[getter]
    fn rules(&self) -> PyTierRules {
        PyTierRules(self.rules.clone())
    }

    /// The coverage model, in the core's form: ``{"tiers": {tier: {"accounts_per_csm": n} |
    /// {"arr_per_csm": x} | "pooled"}}``.
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.model)
    }

    /// The roster used (given, or the one implied by the owners): dicts ``{"name", "tier",
    /// "fte"}``, what ``roster=`` reads.
    #[getter]
    fn roster<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.plan.roster)
    }

    /// Every account (row), in order: ``account_id``, ``arr`` (former customers have none and
    /// are tiered but not covered or assigned) and ``tier`` (categorical, in rule order).
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::tiers(&self.data.table, &self.rules, &self.plan),
            self.frame,
            "Segmentation.tiers",
        )
    }

    /// One row per tier (rule order, then the default): ``tier``, ``accounts`` and ``arr``
    /// (customers in it), ``target`` (``accounts_per_csm``, ``arr_per_csm`` or ``pooled``),
    /// ``ratio`` (NaN when pooled), ``csms`` (FTE on the roster for it) and ``needed`` (CSMs
    /// it needs at the target, whole people).
    #[getter]
    fn coverage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::coverage(&self.plan.coverage),
            self.frame,
            "Segmentation.coverage",
        )
    }

    /// One row per CSM on the roster, by name: ``csm``, ``tier`` (served), ``accounts`` and
    /// ``arr`` (owned customers), ``red_accounts`` (in the ``red`` band, when scored),
    /// ``off_tier`` (owned accounts of another tier), ``utilisation`` (load against capacity,
    /// 1.0 = at the target) and ``status`` (``over``, ``under`` below 80%, or ``ok``).
    #[getter]
    fn csms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::csms(&self.plan.coverage),
            self.frame,
            "Segmentation.csms",
        )
    }

    /// Customers without an owner, in tiers that are not pooled.
    #[getter]
    fn unowned(&self) -> u64 {
        self.plan.coverage.unowned
    }

    /// Owners not on the roster, with their customer counts.
    #[getter]
    fn unknown_owners(&self) -> BTreeMap<&str, u64> {
        self.plan
            .coverage
            .unknown_owners
            .iter()
            .map(|u| (u.owner.as_str(), u.accounts))
            .collect()
    }

    /// Every move of the assignment plan, largest ARR first: ``account_id``, ``tier``,
    /// ``from`` and ``to`` (owners before and after; ``to`` None when released to the pool or
    /// not placed) and ``reason``.
    #[getter]
    fn assignment<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::assignment(&self.plan.coverage, &self.plan.assignment),
            self.frame,
            "Segmentation.assignment",
        )
    }

    /// Accounts that could not be placed (no CSM of their tier has room); they are also in
    /// ``assignment``.
    #[getter]
    fn unplaced(&self) -> u64 {
        self.plan.assignment.unplaced
    }

    /// Every account (row), in order, after the plan: ``account_id``, ``tier``,
    /// ``owner_csm`` (before) and ``owner`` (after; None when pooled or not placed).
    #[getter]
    fn owners<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(
            py,
            tables::owners(&self.data.table, &self.rules, &self.plan),
            self.frame,
            "Segmentation.owners",
        )
    }

    /// What other tier rules would do to the same accounts: which change tier, and the
    /// accounts and CSMs each tier would need (at this segmentation's coverage model, or
    /// ``model``). ``rules`` is a ``csops.TierRules`` or a dict. Returns a ``csops.WhatIf``.
    #[pyo3(signature = (rules, *, model = None))]
    fn what_if(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        model: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyWhatIf> {
        if rules.is_none() {
            return Err(crate::errors::argument_error(
                "rules must be a csops.TierRules or a dict; got None",
            ));
        }
        let after = rules_arg(py, Some(rules))?;
        let model = match model.filter(|m| !m.is_none()) {
            Some(m) => model_arg(py, Some(m))?,
            None => self.model.clone(),
        };
        let (data, before) = (&self.data, &self.rules);
        let w = call(py, || what_if_given(data, before, &after, &model))?;
        Ok(PyWhatIf(w, self.frame))
    }

    /// The segmentation as plain data: ``as_of``, ``rules``, ``model``, ``roster``,
    /// ``roster_inferred``, ``account_ids`` and ``tiers`` (one per row), and the core's
    /// ``coverage`` and ``assignment``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(
            py,
            &SegmentationView {
                as_of: self.as_of.map(|d| d.to_string()),
                rules: &self.rules,
                model: &self.model,
                roster: &self.plan.roster,
                roster_inferred: self.plan.roster_inferred,
                account_ids: self.ids(),
                tiers: self.tier_names(),
                coverage: &self.plan.coverage,
                assignment: &self.plan.assignment,
            },
        )
    }

    fn __repr__(&self) -> String {
        self.plan.render(&self.rules, self.as_of)
    }

    /// An HTML rendering for Jupyter: tiers, CSMs and the first moves.
    fn _repr_html_(&self) -> String {
        self.plan.render_html(&self.rules, self.as_of)
    }
}
