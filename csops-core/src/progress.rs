//! Progress and cancellation of long calls.
//!
//! Loading a multi-gigabyte book, deriving features for a million accounts, back-testing four
//! quarters or replaying a month of plays takes seconds to minutes. Each of these calls takes a
//! [`ProgressHook`] in its options: a function called now and then with where the call is
//! ([`Progress`]: the stage, how much is done, of how much), which answers whether to go on.
//! Answering [`Flow::Stop`] ends the call with [`Error::Cancelled`] at the next check, without a
//! partial result: the caller's data is untouched (calls are pure) and nothing half-built is
//! returned.
//!
//! The hook is called at least at the start and end of each stage and every few thousand rows
//! or accounts in between (about every few milliseconds of work), so a stop is honoured well
//! within a second. The Python binding checks for Ctrl-C in its hook; the Node binding checks
//! an `AbortSignal`.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use std::sync::Arc;
//! use csops_core::interchange::{load_csv_dir, LoadOptions};
//! use csops_core::progress::{Flow, ProgressHook};
//! use csops_core::book::LoadMode;
//!
//! let calls = Arc::new(AtomicU64::new(0));
//! let seen = calls.clone();
//! let opts = LoadOptions {
//!     mode: LoadMode::Lenient,
//!     progress: ProgressHook::new(move |p| {
//!         seen.fetch_add(1, Ordering::Relaxed);
//!         assert!(p.total.is_none_or(|t| p.done <= t));
//!         Flow::Continue
//!     }),
//!     ..Default::default()
//! };
//! load_csv_dir("../data/sample-book", &opts)?;
//! assert!(calls.load(Ordering::Relaxed) > 10);
//!
//! // Stopping ends the call with a Cancelled error.
//! let stop = LoadOptions { progress: ProgressHook::new(|_| Flow::Stop), ..Default::default() };
//! assert!(matches!(load_csv_dir("../data/sample-book", &stop), Err(csops_core::Error::Cancelled { .. })));
//! # Ok::<(), csops_core::Error>(())
//! ```

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Where a long call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// What is being done: `reading accounts.csv`, `features`, `back-test`, `replay`.
    pub stage: &'a str,
    /// How much of the stage is done, in `unit`s.
    pub done: u64,
    /// The stage's size, when known.
    pub total: Option<u64>,
    /// What `done` counts: `bytes`, `rows`, `accounts`, `days`.
    pub unit: &'a str,
}

/// A hook's answer: go on, or stop the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Stop: the call ends with [`Error::Cancelled`].
    Stop,
}

type HookFn = dyn Fn(&Progress<'_>) -> Flow + Send + Sync;

/// An optional progress and cancellation hook (none by default). It never changes a result:
/// two options that differ only in their hooks are equal.
#[derive(Clone, Default)]
pub struct ProgressHook(Option<Arc<HookFn>>);

impl ProgressHook {
    /// A hook calling `f`.
    pub fn new(f: impl Fn(&Progress<'_>) -> Flow + Send + Sync + 'static) -> Self {
        ProgressHook(Some(Arc::new(f)))
    }

    /// A hook calling `f` at each stage's start and end and at most once per `every` in
    /// between: for a hook that crosses into another language (a Python callback, a
    /// JavaScript event), where each call costs more than the work between two reports.
    pub fn throttled(
        every: Duration,
        f: impl Fn(&Progress<'_>) -> Flow + Send + Sync + 'static,
    ) -> Self {
        let last = Mutex::new(None::<Instant>);
        ProgressHook::new(move |p| {
            let boundary = p.done == 0 || Some(p.done) == p.total;
            {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if !boundary && last.is_some_and(|t| t.elapsed() < every) {
                    return Flow::Continue;
                }
                *last = Some(Instant::now());
            }
            f(p)
        })
    }

    /// No hook.
    pub fn none() -> Self {
        ProgressHook(None)
    }

    /// Whether a hook is set.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// Report progress; `Err(Cancelled)` when the hook says stop.
    pub(crate) fn report(
        &self,
        stage: &str,
        done: u64,
        total: Option<u64>,
        unit: &str,
    ) -> Result<()> {
        let Some(f) = &self.0 else {
            return Ok(());
        };
        let p = Progress {
            stage,
            done,
            total,
            unit,
        };
        match f(&p) {
            Flow::Continue => Ok(()),
            Flow::Stop => Err(Error::Cancelled {
                stage: stage.to_string(),
            }),
        }
    }
}

impl fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressHook(set)"
        } else {
            "ProgressHook(none)"
        })
    }
}

impl PartialEq for ProgressHook {
    /// Hooks never change a result, so options that differ only in them are equal.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ProgressHook {}

/// How many rows (or accounts) pass between two reports inside a stage.
pub(crate) const EVERY: u64 = 8192;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn a_throttled_hook_passes_stage_ends_and_reports_spaced_by_its_interval() {
        let calls = Arc::new(AtomicU64::new(0));
        let c = calls.clone();
        let hook = ProgressHook::throttled(Duration::from_secs(3600), move |_| {
            c.fetch_add(1, Ordering::SeqCst);
            Flow::Continue
        });
        for done in 0..=100 {
            hook.report("s", done, Some(100), "rows").unwrap();
        }
        // Within the interval only the stage's start and end pass.
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let every = Arc::new(AtomicU64::new(0));
        let e = every.clone();
        let hook = ProgressHook::throttled(Duration::ZERO, move |_| {
            e.fetch_add(1, Ordering::SeqCst);
            Flow::Continue
        });
        for done in 0..=100 {
            hook.report("s", done, Some(100), "rows").unwrap();
        }
        assert_eq!(every.load(Ordering::SeqCst), 101);
        let stop = ProgressHook::throttled(Duration::ZERO, |_| Flow::Stop);
        assert!(matches!(
            stop.report("s", 5, None, "rows"),
            Err(Error::Cancelled { .. })
        ));
    }
}
