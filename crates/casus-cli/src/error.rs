//! Operational errors of the CLI: usage and I/O. Findings about scenarios are diagnostics, not
//! errors.

use std::path::Path;

/// What can stop a command before it has anything to report (exit code 2).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A file or folder could not be read or written.
    #[error("cannot {action} `{path}`: {reason}")]
    Io {
        /// read, write, …
        action: &'static str,
        /// The path as given.
        path: String,
        /// The system's words.
        reason: String,
    },
    /// A folder argument holds no scenario file.
    #[error(
        "no scenario file (`*.toml`) in `{0}`; check the path, or pass `--allow-empty` to accept a run that checks nothing"
    )]
    Empty(String),
    /// The arguments do not make sense for this scenario.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// A read error on `path`.
    pub(crate) fn io(path: &Path, error: &std::io::Error) -> Self {
        Self::Io {
            action: "read",
            path: crate::input::shown(path),
            reason: plain(error),
        }
    }

    /// A write error on `path`.
    pub(crate) fn write(path: &Path, error: &std::io::Error) -> Self {
        Self::Io {
            action: "write",
            path: crate::input::shown(path),
            reason: plain(error),
        }
    }
}

impl From<crate::write::WriteError> for CliError {
    fn from(error: crate::write::WriteError) -> Self {
        Self::Io {
            action: "write",
            path: error.path,
            reason: error.reason,
        }
    }
}

/// The system's error message without the "(os error 2)" suffix.
fn plain(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text.to_lowercase(),
    }
}
