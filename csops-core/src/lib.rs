//! csops-core: the pure engine of csops.
#![forbid(unsafe_code)]

/// The version of this crate, shared by the Python and Node packages.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
