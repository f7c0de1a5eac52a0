//! `progress=`: a long call's progress, and Ctrl-C.
//!
//! Every long call (loading, features, back-tests, replays) hands the core a progress hook
//! that checks for Ctrl-C (about every 100 ms of work, so an interrupt stops the call within a
//! second with `KeyboardInterrupt`, the inputs untouched) and, when the caller asked, reports
//! progress: `progress=True` draws a bar (tqdm when it is installed, a line on stderr when it
//! is not), a callable is called with `(stage, done, total, unit)`. An exception raised by the
//! callable stops the call and is raised from it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use csops_core::progress::{Flow, ProgressHook};
use pyo3::prelude::*;
use pyo3::types::PyBool;

/// The hook of one Python call, and what stopped it.
#[derive(Debug)]
pub struct Progress {
    hook: ProgressHook,
    stopped_by: Arc<Mutex<Option<PyErr>>>,
}

/// How often a hook goes back to Python (checking signals, calling the callback).
const EVERY: Duration = Duration::from_millis(100);

impl Progress {
    /// From `progress=`: None or False (Ctrl-C only), True (a bar), or a callable.
    pub fn new(py: Python<'_>, arg: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let callback: Option<Py<PyAny>> = match arg {
            None => None,
            Some(v) if v.is_none() => None,
            Some(v) if v.is_instance_of::<PyBool>() => {
                if v.extract::<bool>()? {
                    Some(py.import("csops._progress")?.call_method0("bar")?.unbind())
                } else {
                    None
                }
            }
            Some(v) if v.is_callable() => Some(v.clone().unbind()),
            Some(v) => {
                return Err(crate::errors::argument_error(format!(
                    "progress must be True, False, None or a callable (stage, done, total, \
                     unit); got {}",
                    v.get_type().name()?
                )));
            }
        };
        let stopped_by: Arc<Mutex<Option<PyErr>>> = Arc::new(Mutex::new(None));
        let store = stopped_by.clone();
        let hook = ProgressHook::throttled(EVERY, move |p| {
            Python::attach(|py| {
                let result = py.check_signals().and_then(|()| match &callback {
                    Some(cb) => cb.call1(py, (p.stage, p.done, p.total, p.unit)).map(drop),
                    None => Ok(()),
                });
                match result {
                    Ok(()) => Flow::Continue,
                    Err(e) => {
                        *store.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        Flow::Stop
                    }
                }
            })
        });
        Ok(Progress { hook, stopped_by })
    }

    /// The hook to put in the core call's options.
    pub fn hook(&self) -> ProgressHook {
        self.hook.clone()
    }

    /// The call's result; a call the hook stopped raises what stopped it (`KeyboardInterrupt`,
    /// the callback's exception).
    pub fn finish<T>(&self, result: PyResult<T>) -> PyResult<T> {
        result.map_err(|e| {
            self.stopped_by
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or(e)
        })
    }
}
