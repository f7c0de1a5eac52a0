//! What went wrong, as plain Rust data ([`Failure`]), and the one place that stops a panic in
//! the core from unwinding into Node, which would abort the process ([`guard`]). `error`
//! turns a failure into a JavaScript error with its `code`.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What went wrong, as plain Rust data: `Send`, so an async task can carry it back to the
/// main thread, where [`Failure::into_js`] turns it into a JavaScript error.
#[derive(Debug)]
pub enum Failure {
    /// An error returned by csops-core.
    Core(csops_core::Error),
    /// A JavaScript argument of the wrong type or shape.
    InvalidArgument(String),
    /// A bug: a panic in the core, or a Node-API call that failed.
    Internal(String),
}

impl From<csops_core::Error> for Failure {
    fn from(e: csops_core::Error) -> Self {
        Failure::Core(e)
    }
}

/// Shorthand for [`Failure::InvalidArgument`].
pub(crate) fn invalid(message: impl Into<String>) -> Failure {
    Failure::InvalidArgument(message.into())
}

/// Run core code, turning a panic into [`Failure::Internal`] instead of letting it unwind into
/// Node. Every call into csops-core goes through here.
pub(crate) fn guard<T>(f: impl FnOnce() -> csops_core::Result<T>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Failure::Core),
        Err(payload) => Err(Failure::Internal(format!(
            "csops panicked (a bug; please report it): {}",
            panic_message(payload.as_ref())
        ))),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic payload"
    }
}
