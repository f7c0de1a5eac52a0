//! Injected panics, for testing the bindings' guards (the `panic-injection` feature only).
//!
//! A panic in csops is a bug; the Python and Node bindings catch one at their boundary and
//! raise it as an internal error instead of letting it take the interpreter down. To test that
//! every entry point is guarded, a build with the `panic-injection` feature panics at the
//! checkpoints below while armed (`fault::arm(true)`). Without the feature, a checkpoint is nothing at all.

#[cfg(feature = "panic-injection")]
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(feature = "panic-injection")]
static ARMED: AtomicBool = AtomicBool::new(false);

/// Make every checkpoint panic (`true`) or not (`false`), in every thread.
#[cfg(feature = "panic-injection")]
pub fn arm(on: bool) {
    ARMED.store(on, Ordering::SeqCst);
}

/// A place where an armed build panics: the entry of a core call the bindings make.
#[cfg(feature = "panic-injection")]
#[track_caller]
pub(crate) fn checkpoint(what: &str) {
    if ARMED.load(Ordering::SeqCst) {
        panic!("injected panic in {what}");
    }
}

#[cfg(not(feature = "panic-injection"))]
#[inline(always)]
pub(crate) fn checkpoint(_what: &str) {}
