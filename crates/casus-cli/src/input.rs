//! Everything the CLI reads: scenario files and folders. The only module that touches the
//! file system for input.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use casus_core::limits::Limits;
use casus_core::{Diagnostic, SourceFile};

use crate::cli::LimitArgs;
use crate::error::CliError;

/// Every scenario file named: files as given, folders searched for `*.toml`, sorted.
pub(crate) fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| CliError::io(path, &e))?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files)?;
            files[before..].sort();
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| CliError::io(dir, &e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        // Follow no links: a scenario folder from a pull request must not lead elsewhere.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, files)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads one scenario file, refusing to read more than the size limit.
pub(crate) fn read(
    path: &Path,
    limits: &Limits,
) -> Result<(SourceFile, Option<Diagnostic>), CliError> {
    let file = std::fs::File::open(path).map_err(|e| CliError::io(path, &e))?;
    let mut bytes = Vec::new();
    let cap = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(path, &e))?;
    let name = display_name(path);
    if bytes.len() > limits.max_file_bytes {
        let diagnostic = Diagnostic::new(
            casus_core::Code::LimitExceeded,
            format!(
                "the file is larger than the limit of {} bytes",
                limits.max_file_bytes
            ),
        )
        .help("split the scenario into smaller files, or raise the limit with `--max-file-size`");
        return Ok((SourceFile::new(name, ""), Some(diagnostic)));
    }
    Ok(SourceFile::from_bytes(name, &bytes))
}

/// The path as a person reads it in a message: [`display_name`] through the one sanitiser, so a
/// line break or an invisible character in a file name is shown escaped, never printed raw.
pub(crate) fn shown(path: &Path) -> String {
    casus_report::text::visible(&display_name(path))
}

/// The path as the user wrote it, with `/` separators on every system.
pub(crate) fn display_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

impl LimitArgs {
    /// The core limits these flags set.
    pub(crate) fn core(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            expr: casus_core::expr::ExprLimits {
                max_depth: self.max_expr_depth,
                max_len: self.max_expr_length,
            },
            max_decisions: self.max_decisions,
            max_options: self.max_options,
            max_rules: self.max_rules,
        }
    }

    /// The evaluation limits these flags set.
    pub(crate) fn eval(&self) -> casus_rules::EvalLimits {
        casus_rules::EvalLimits {
            max_paths: self.max_paths,
            deadline: std::time::Instant::now()
                .checked_add(std::time::Duration::from_secs(self.timeout)),
            ..casus_rules::EvalLimits::default()
        }
    }
}

impl LimitArgs {
    /// The session options these flags set, with lint levels `lints`.
    pub(crate) fn session(&self, lints: casus_rules::LintLevels) -> casus_rules::session::Options {
        casus_rules::session::Options {
            limits: self.core(),
            eval: self.eval(),
            lints,
        }
    }

    /// One budget for the whole command: `--timeout` from now.
    pub(crate) fn budget(&self) -> casus_rules::session::Budget {
        casus_rules::session::Budget {
            deadline: std::time::Instant::now()
                .checked_add(std::time::Duration::from_secs(self.timeout)),
            cancel: None,
        }
    }
}

/// Whether to colour output: only on a terminal, and never when `NO_COLOR` is set.
pub(crate) fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether standard output is a terminal.
pub(crate) fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}
