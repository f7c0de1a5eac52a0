//! The one error type of csops-core.
//!
//! Every fallible public function returns [`Error`]. Its variants say what kind of thing went
//! wrong (the input failed validation, a file could not be read, a configuration is wrong,
//! money did not add up); each carries enough context to find the offending file, row and field
//! without a debugger. The Python and Node bindings map each variant to one exception class or
//! one error `code`.

use std::path::PathBuf;

use crate::book::report::ValidationReport;
use crate::money::MoneyError;

/// Anything that can go wrong in csops-core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input had problems and the load was strict (or nothing valid was left). The report
    /// lists every problem, each with file, row, record, field and reason.
    #[error("validation failed: {}", .0.summary())]
    Validation(Box<ValidationReport>),
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not well-formed CSV or JSON (as opposed to well-formed with bad values, which
    /// is a [`Error::Validation`]).
    #[error("{file}: {reason}")]
    Format {
        /// The file (or document) name.
        file: String,
        /// What is wrong, with the position where the parser knows it.
        reason: String,
    },
    /// A configuration (feature definitions, header mapping, …) is invalid. All problems are
    /// listed.
    #[error("invalid configuration: {}", .0.join("; "))]
    Config(Vec<String>),
    /// A long call was stopped by its progress hook ([`crate::progress`]): a user's Ctrl-C,
    /// an aborted request. Nothing was returned; the inputs are untouched.
    #[error("stopped while {stage} (the call's progress hook asked to stop)")]
    Cancelled {
        /// The stage the call was in.
        stage: String,
    },
    /// Money could not be combined or converted.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// An argument or option has the wrong shape or type: an unknown key, text where a
    /// number belongs (see [`crate::options`]). A right shape with a wrong value is
    /// [`Error::Config`].
    #[error("{}{reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    InvalidArgument {
        /// Where in the argument: `probability.fallback`, `priors.red`; empty for the whole.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Something asked for by its key is not there: an account id not in the data given.
    #[error("{what}")]
    NotFound {
        /// What was asked for and where it was looked for.
        what: String,
    },
}

/// `Result` with csops' [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
