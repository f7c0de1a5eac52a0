use pyo3::prelude::*;
/// csops native module.
#[pymodule]
fn _csops(m: &Bound<'_, PyModule>) -> PyResult<()> { m.add("__version__", csops_core::VERSION)?; Ok(()) }
