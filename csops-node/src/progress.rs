//! `onProgress` and `signal` on the async variants: progress reports of a long call, and
//! stopping it with an `AbortSignal`.
//!
//! Both are taken out of a call's options object before the rest is read, and become the core
//! call's progress hook (`csops_core::progress`): `onProgress` is called (on the event loop,
//! about every 100 ms and at each stage's start and end) with `{ stage, done, total, unit }`;
//! an aborted `signal` stops the call at its next check (well within a second) and rejects
//! the promise with a `CSOPS_CANCELLED` error named `AbortError`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use csops_core::progress::{Flow, ProgressHook};
use napi::bindgen_prelude::{FnArgs, FromNapiValue, Function, JsObjectValue, Object, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;

use crate::args::{napi_failure, present, type_name};
use crate::error::{Failure, invalid};

/// Where a long call is: what `onProgress` receives.
#[napi(object, object_from_js = false)]
#[derive(Debug, Clone)]
pub struct ProgressEvent {
    /// What is being done: `reading accounts.csv`, `deriving features`, `back-testing`,
    /// `replaying plays`.
    pub stage: String,
    /// How much of the stage is done, in `unit`s.
    pub done: f64,
    /// The stage's size, when known.
    pub total: Option<f64>,
    /// What `done` counts: `bytes`, `rows`, `accounts`, `scoring days`, `days`.
    pub unit: String,
}

/// `onProgress` and `signal` of an async call's options.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct AsyncOptions {
    /// Called with the call's progress, on the event loop.
    #[napi(ts_type = "(progress: ProgressEvent) => void")]
    pub on_progress: Option<String>,
    /// Aborting it stops the call; the promise rejects with a `CSOPS_CANCELLED` `AbortError`.
    #[napi(
        ts_type = "{ readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void }"
    )]
    pub signal: Option<String>,
}

type Reporter =
    ThreadsafeFunction<ProgressEvent, Unknown<'static>, ProgressEvent, napi::Status, false, true>;

/// `signal.addEventListener(type, listener)`.
type AddEventListener<'env> =
    Function<'env, FnArgs<(String, Function<'env, (), ()>)>, Unknown<'env>>;

/// How often progress is sent to JavaScript (and the signal checked).
const EVERY: Duration = Duration::from_millis(100);

/// Take `onProgress` and `signal` out of `options` (an object, or absent). Returns the other
/// options (a copy without those keys, or the object as it was when it has neither) and the
/// hook they make (none when neither is given). `allowed` is false for a synchronous call,
/// where either is an invalid argument.
pub(crate) fn take<'env>(
    env: &'env Env,
    name: &str,
    options: Option<Unknown<'env>>,
    allowed: bool,
) -> Result<(Option<Unknown<'env>>, ProgressHook), Failure> {
    let Some(v) = present(options) else {
        return Ok((None, ProgressHook::none()));
    };
    if !matches!(v.get_type(), Ok(ValueType::Object)) || v.is_array().unwrap_or(true) {
        return Ok((Some(v), ProgressHook::none()));
    }
    let fail = |e| napi_failure(name, e);
    let object = Object::from_unknown(v).map_err(fail)?;
    let on_progress: Option<Unknown> = object
        .get_named_property::<Unknown>("onProgress")
        .ok()
        .and_then(|u| present(Some(u)));
    let signal: Option<Unknown> = object
        .get_named_property::<Unknown>("signal")
        .ok()
        .and_then(|u| present(Some(u)));
    if on_progress.is_none() && signal.is_none() {
        return Ok((Some(v), ProgressHook::none()));
    }
    if !allowed {
        return Err(invalid(format!(
            "`{name}.onProgress` and `{name}.signal` are for the async variant of this call \
             (a synchronous call blocks the event loop, so it can neither report nor be aborted)"
        )));
    }
    // The other options, as a new object.
    let mut rest = Object::new(env).map_err(fail)?;
    for key in Object::keys(&object).map_err(fail)? {
        if key != "onProgress" && key != "signal" {
            let value: Unknown = object.get_named_property(&key).map_err(fail)?;
            rest.set_named_property(&key, value).map_err(fail)?;
        }
    }
    let aborted = Arc::new(AtomicBool::new(false));
    if let Some(s) = signal {
        let bad = || {
            invalid(format!(
                "`{name}.signal` must be an AbortSignal, got {}",
                type_name(&s)
            ))
        };
        let sig = Object::from_unknown(s).map_err(|_| bad())?;
        if sig
            .get_named_property::<bool>("aborted")
            .map_err(|_| bad())?
        {
            aborted.store(true, Ordering::SeqCst);
        }
        let flag = aborted.clone();
        let listener = env
            .create_function_from_closure::<(), (), _>("csopsAbort", move |_| {
                flag.store(true, Ordering::SeqCst);
                Ok(())
            })
            .map_err(fail)?;
        let add: AddEventListener<'_> = sig
            .get_named_property("addEventListener")
            .map_err(|_| bad())?;
        add.apply(sig, FnArgs::from(("abort".to_string(), listener)))
            .map_err(fail)?;
    }
    let reporter: Option<Reporter> = match on_progress {
        None => None,
        Some(f) if matches!(f.get_type(), Ok(ValueType::Function)) => {
            let f: Function<'_, ProgressEvent, Unknown> =
                Function::from_unknown(f).map_err(fail)?;
            Some(
                f.build_threadsafe_function::<ProgressEvent>()
                    .weak::<true>()
                    .build()
                    .map_err(fail)?,
            )
        }
        Some(f) => {
            return Err(invalid(format!(
                "`{name}.onProgress` must be a function, got {}",
                type_name(&f)
            )));
        }
    };
    let hook = ProgressHook::throttled(EVERY, move |p| {
        if aborted.load(Ordering::SeqCst) {
            return Flow::Stop;
        }
        if let Some(r) = &reporter {
            r.call(
                ProgressEvent {
                    stage: p.stage.to_string(),
                    done: p.done as f64,
                    total: p.total.map(|t| t as f64),
                    unit: p.unit.to_string(),
                },
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
        Flow::Continue
    });
    Ok((Some(rest.to_unknown()), hook))
}
