//! `WhatIf`: what other tier rules would do to the same accounts.

use csops_core::segment::WhatIf;
use pyo3::prelude::*;

use crate::convert::to_python;
use crate::table::Columns as Frame;
use crate::table::FrameKind;

// What-if ----------------------------------------------------------------------------------

/// What a change of tier rules does: the accounts that change tier, and per tier the
/// accounts and CSMs needed before and after. ``len()`` is the number of changes.
#[pyclass(name = "WhatIf", module = "csops", frozen)]
#[derive(Debug)]
pub struct PyWhatIf(pub(super) WhatIf, pub(super) FrameKind);

#[pymethods]
impl PyWhatIf {
    /// Pickling: its state as the core's serde value.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        crate::convert::pickle::<Self, _>(py, &(&self.0, self.1))
    }

    /// A pickled WhatIf.
    #[staticmethod]
    fn _from_pickle(state: &[u8]) -> PyResult<Self> {
        let (w, frame): (WhatIf, FrameKind) = crate::convert::unpickle::<Self, _>(state)?;
        Ok(PyWhatIf(w, frame))
    }

    /// The accounts changing tier: ``account_id``, ``before``, ``after``.
    #[getter]
    fn changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.1, "WhatIf.changes");
        let c = &self.0.changes;
        let mut f = Frame::new(py);
        f.list("account_id", c.iter().map(|c| c.account_id.as_str()))?;
        f.list("before", c.iter().map(|c| c.before.as_str()))?;
        f.list("after", c.iter().map(|c| c.after.as_str()))?;
        f.build(kind, what)
    }

    /// Per tier (of either set of rules): ``tier``, ``accounts_before``, ``accounts_after``,
    /// ``needed_before``, ``needed_after`` (CSMs at the target ratio).
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, what) = (self.1, "WhatIf.tiers");
        let t = &self.0.tiers;
        let mut f = Frame::new(py);
        f.list("tier", t.iter().map(|t| t.tier.as_str()))?;
        f.ints("accounts_before", t.iter().map(|t| t.accounts_before));
        f.ints("accounts_after", t.iter().map(|t| t.accounts_after));
        f.floats("needed_before", t.iter().map(|t| t.needed_before));
        f.floats("needed_after", t.iter().map(|t| t.needed_after));
        f.build(kind, what)
    }

    /// The comparison as plain data (the core's ``changes`` and ``tiers``, as lists).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    fn __len__(&self) -> usize {
        self.0.changes.len()
    }

    fn __repr__(&self) -> String {
        self.0.render()
    }

    /// An HTML rendering for Jupyter: the per-tier table.
    fn _repr_html_(&self) -> String {
        self.0.render_html()
    }
}
