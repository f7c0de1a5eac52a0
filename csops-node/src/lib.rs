use napi_derive::napi;
/// The csops version.
#[napi]
pub fn version() -> String { csops_core::VERSION.to_string() }
