//! `WhatIf`: what other tier rules would do to the same accounts.

use csops_core::segment::WhatIf;
use pyo3::prelude::*;

use crate::convert::to_python;
use crate::table::FrameKind;
use crate::table::table_out;
use csops_core::segment::tables;

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
        table_out(py, tables::changes(&self.0), self.1, "WhatIf.changes")
    }

    /// Per tier (of either set of rules): ``tier``, ``accounts_before``, ``accounts_after``,
    /// ``needed_before``, ``needed_after`` (CSMs at the target ratio).
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        table_out(py, tables::tier_shifts(&self.0), self.1, "WhatIf.tiers")
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
