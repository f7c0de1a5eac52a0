//! Errors. Every failure reaches JavaScript as an `Error` with a stable `code`; this module is
//! the one place that maps [`csops_core::Error`] variants to codes. The failures themselves,
//! and the panic guard, are [`crate::failure`]'s.

use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, ToNapiValue, Unknown};
use napi::{Env, JsError, JsValue, Status};
use napi_derive::napi;

pub(crate) use crate::failure::{Failure, guard, invalid};
use crate::results::{Js, to_js, validation_report};

/// The constructor of a class JavaScript cannot make (`new Book()`): a coded error naming the
/// functions that make one. Declared as `#[napi(constructor, ts_args_type = "notCallable:
/// never")]`, so that `index.d.ts` says `constructor(notCallable: never)` and TypeScript
/// refuses `new Book()`, where a class without a constructor would get an implicit public
/// one. (`index.d.ts` cannot say `private constructor()`: napi-rs writes constructors as
/// public.)
pub(crate) fn no_constructor<T>(env: &Env, class: &str, made_by: &str) -> napi::Result<T> {
    js(env, || {
        Err(invalid(format!(
            "`{class}` has no public constructor: {made_by}"
        )))
    })
}

/// Run a binding body and throw its failure as a csops JavaScript error.
pub(crate) fn js<T>(env: &Env, f: impl FnOnce() -> Result<T, Failure>) -> napi::Result<T> {
    f().map_err(|failure| failure.into_js(env))
}

/// Every error csops throws is a JavaScript `Error` (`err instanceof Error` holds) with a
/// stable `code`, plus details for the codes that have them. Narrow on `code`:
///
/// ```ts
/// try {
///   loadBook('exports/')
/// } catch (e) {
///   const err = e as CsopsError
///   if (err.code === 'CSOPS_VALIDATION') console.log(err.report.summary, err.problems.length)
/// }
/// ```
#[napi(
    discriminant = "code",
    discriminant_case = "UPPER_SNAKE",
    object_from_js = false
)]
#[derive(Debug)]
pub enum CsopsError {
    /// The input failed validation: a strict load found problems. `problems` lists every
    /// problem (file, row, record id, field, kind, reason); `report` is the whole report.
    CsopsValidation {
        message: String,
        #[napi(ts_type = "Array<Problem>")]
        problems: Js,
        #[napi(ts_type = "ValidationReport & ReportVerdict")]
        report: Js,
    },
    /// A configuration (header map, feature configuration, scorecard) is invalid, or a
    /// scorecard does not fit the features it is given; `problems` lists every problem found.
    CsopsConfig {
        message: String,
        problems: Vec<String>,
    },
    /// A file or document is not well-formed CSV or JSON, or is not part of the book layout.
    CsopsFormat { message: String },
    /// A file or directory could not be read or written.
    CsopsIo { message: String },
    /// Money could not be combined or converted (different currencies, no FX rate, overflow).
    CsopsMoney { message: String },
    /// Something asked for by its key is not there: an account id not in the data given.
    CsopsNotFound { message: String },
    /// An argument has the wrong type or shape (not a string, an unknown mode, an unknown
    /// option). `path` says where in an options object the core found it
    /// (`probability.fallback`); absent when the message names the argument itself.
    CsopsInvalidArgument {
        message: String,
        path: Option<String>,
    },
    /// A bug in csops (a panic in the engine, or a failed Node-API call); the process keeps
    /// running.
    CsopsInternal { message: String },
    /// An async call was stopped by its `signal` (the error's `name` is `AbortError`);
    /// `stage` says where it was.
    CsopsCancelled { message: String, stage: String },
}

impl Failure {
    /// The details of this failure, with its `code`: the one mapping of core errors to codes.
    fn details(self) -> CsopsError {
        use csops_core::Error;
        match self {
            Failure::Core(e) => {
                let message = e.to_string();
                match e {
                    Error::Validation(report) => {
                        match (to_js(&report.problems), validation_report(&report)) {
                            (Ok(problems), Ok(report)) => CsopsError::CsopsValidation {
                                message,
                                problems,
                                report,
                            },
                            (Err(f), _) | (_, Err(f)) => f.details(),
                        }
                    }
                    Error::Config(problems) => CsopsError::CsopsConfig { message, problems },
                    Error::Format { .. } => CsopsError::CsopsFormat { message },
                    Error::Io { .. } => CsopsError::CsopsIo { message },
                    Error::Money(_) => CsopsError::CsopsMoney { message },
                    Error::NotFound { .. } => CsopsError::CsopsNotFound { message },
                    Error::InvalidArgument { path, .. } => CsopsError::CsopsInvalidArgument {
                        message,
                        path: Some(path),
                    },
                    Error::Cancelled { stage } => CsopsError::CsopsCancelled { message, stage },
                    // A kind of error the core has and this binding does not map yet: a gap
                    // in the binding, reported as such rather than guessed at.
                    _ => CsopsError::CsopsInternal { message },
                }
            }
            Failure::InvalidArgument(message) => CsopsError::CsopsInvalidArgument {
                message,
                path: None,
            },
            Failure::Internal(message) => CsopsError::CsopsInternal { message },
        }
    }

    /// The JavaScript error: an `Error` carrying every field of its [`CsopsError`] details.
    pub(crate) fn into_js(self, env: &Env) -> napi::Error {
        match self.details().into_js_error(env) {
            Ok(e) | Err(e) => e,
        }
    }
}

impl CsopsError {
    fn message(&self) -> &str {
        match self {
            CsopsError::CsopsValidation { message, .. }
            | CsopsError::CsopsConfig { message, .. }
            | CsopsError::CsopsFormat { message }
            | CsopsError::CsopsIo { message }
            | CsopsError::CsopsMoney { message }
            | CsopsError::CsopsNotFound { message }
            | CsopsError::CsopsInvalidArgument { message, .. }
            | CsopsError::CsopsInternal { message }
            | CsopsError::CsopsCancelled { message, .. } => message,
        }
    }

    /// Create the `Error` and copy the details (`code`, `problems`, `report`) onto it, so the
    /// generated `CsopsError` type and the thrown object cannot disagree.
    fn into_js_error(self, env: &Env) -> napi::Result<napi::Error> {
        let message = self.message().to_string();
        let cancelled = matches!(self, CsopsError::CsopsCancelled { .. });
        let error =
            JsError::from(napi::Error::new(Status::GenericFailure, message)).into_unknown(*env);
        let mut error = Object::from_unknown(error)?;
        let details = Object::from_unknown(self.into_unknown(env)?)?;
        for key in Object::keys(&details)? {
            if key != "message" {
                let value: Unknown = details.get_named_property(&key)?;
                error.set_named_property(&key, value)?;
            }
        }
        if cancelled {
            // What `signal` users test for, as Node's own aborted calls are named.
            error.set_named_property("name", "AbortError")?;
        }
        Ok(napi::Error::from(error.to_unknown()))
    }
}
