//! csops-core: the pure engine of csops.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The version of this crate, shared by the Python and Node packages.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod backtest;
pub mod book;
#[cfg(feature = "arrow")]
pub mod columnar;
pub mod condition;
pub mod error;
pub mod fault;
pub mod features;
pub mod forecast;
pub mod health;
pub mod missing;
pub mod money;
pub mod options;
pub mod playbook;
pub mod progress;
pub mod record;
pub mod render;
pub mod retention;
pub mod segment;
#[cfg(feature = "typescript")]
pub mod typescript;

pub use error::{Error, Result};
pub mod interchange;
pub mod synth;
