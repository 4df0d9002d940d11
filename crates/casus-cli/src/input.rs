//! Everything the CLI reads: scenario files and folders. The only module that touches the
//! file system for input.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use casus_core::limits::Limits;
use casus_core::{Diagnostic, SourceFile};

use crate::cli::{GlobalArgs, InputLimitArgs, LimitArgs};
use crate::error::CliError;
use crate::output::eprint;

/// The name standard input goes by in diagnostics and reports, read when a path is `-`.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// Whether a path argument means standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Every scenario file named: files as given, folders searched for `*.toml`, sorted.
///
/// A folder that holds no `*.toml` is a usage error unless `--allow-empty` is given: a run
/// that checks nothing must not pass, or a mistyped path in CI would go unnoticed.
pub(crate) fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    collect_with(paths, GlobalArgs::get().allow_empty)
}

/// Like [`collect`], but an empty folder is no error; for callers that judge emptiness
/// themselves (`diff`, where one side may rightly be empty).
pub(crate) fn collect_lenient(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    collect_with(paths, true)
}

fn collect_with(paths: &[PathBuf], allow_empty: bool) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        if is_stdin(path) {
            files.push(path.clone());
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| CliError::io(path, &e))?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files)?;
            files[before..].sort();
            let found = &files[before..];
            if found.is_empty() && !allow_empty {
                return Err(CliError::Empty(display_name(path)));
            }
            if GlobalArgs::get().verbose {
                let mut text = format!(
                    "note: `{}` holds {} scenario file{}\n",
                    display_name(path),
                    found.len(),
                    if found.len() == 1 { "" } else { "s" }
                );
                for file in found {
                    text.push_str(&format!("  {}\n", display_name(file)));
                }
                note(&text);
            }
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
/// A path of `-` reads standard input, named `<stdin>`.
pub(crate) fn read(
    path: &Path,
    limits: &Limits,
) -> Result<(SourceFile, Option<Diagnostic>), CliError> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let name = if is_stdin(path) {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::io(Path::new(STDIN_NAME), &e))?;
        STDIN_NAME.to_owned()
    } else {
        let file = std::fs::File::open(path).map_err(|e| CliError::io(path, &e))?;
        file.take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::io(path, &e))?;
        display_name(path)
    };
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

impl InputLimitArgs {
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
}

impl LimitArgs {
    /// The core limits these flags set.
    pub(crate) fn core(&self) -> Limits {
        self.input.core()
    }

    /// The evaluation limits these flags set.
    pub(crate) fn eval(&self) -> casus_rules::EvalLimits {
        casus_rules::EvalLimits {
            threads: GlobalArgs::get().threads.map_or(0, usize::from),
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
            record: false,
            record_drops: false,
            errors_only: false,
        }
    }

    /// One budget for the whole command: `--timeout` from now.
    pub(crate) fn budget(&self) -> casus_rules::session::Budget {
        casus_rules::session::Budget {
            deadline: std::time::Instant::now()
                .checked_add(std::time::Duration::from_secs(self.timeout)),
            cancel: None,
            progress: None,
        }
    }
}

/// Whether to colour output: as `--color` says; with `auto` (the default), never when
/// `NO_COLOR` is set, always when `CLICOLOR_FORCE` is (and not `0`), else only on a terminal —
/// the conventions of <https://no-color.org> and <https://bixense.com/clicolors/>, in the order
/// clap's own `anstream` applies them.
pub(crate) fn color(stream_is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    decide_color(
        GlobalArgs::get().color,
        stream_is_terminal,
        set("NO_COLOR"),
        set("CLICOLOR_FORCE") && std::env::var_os("CLICOLOR_FORCE").is_none_or(|v| v != "0"),
    )
}

/// The decision of [`color`], apart from the environment so it can be tested.
fn decide_color(
    choice: clap::ColorChoice,
    stream_is_terminal: bool,
    no_color: bool,
    force: bool,
) -> bool {
    match choice {
        clap::ColorChoice::Always => true,
        clap::ColorChoice::Never => false,
        clap::ColorChoice::Auto => !no_color && (force || stream_is_terminal),
    }
}

/// Set to `fixed` (as the snapshot tests do), durations in the output are all zero, so the
/// output is the same byte for byte on every run.
pub(crate) const FIXED_TIME_VAR: &str = "CASUS_TEST_TIME";

/// The time since `started`, or zero under `CASUS_TEST_TIME=fixed`.
pub(crate) fn elapsed(started: std::time::Instant) -> std::time::Duration {
    fixed_or(started.elapsed())
}

/// `measured`, or zero when `CASUS_TEST_TIME=fixed` asks for reproducible output.
pub(crate) fn fixed_or(measured: std::time::Duration) -> std::time::Duration {
    if std::env::var_os(FIXED_TIME_VAR).is_some_and(|v| v == "fixed") {
        std::time::Duration::ZERO
    } else {
        measured
    }
}

/// Prints a note on standard error, unless `--quiet`.
pub(crate) fn note(text: &str) {
    if !GlobalArgs::get().quiet {
        eprint(text);
    }
}

/// Whether standard output is a terminal.
pub(crate) fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ColorChoice::{Always, Auto, Never};

    #[test]
    fn color_follows_the_flag_then_the_environment_then_the_terminal() {
        // (choice, terminal, NO_COLOR, CLICOLOR_FORCE) → colour?
        let cases = [
            (Always, false, true, false, true),
            (Never, true, false, true, false),
            (Auto, true, false, false, true),
            (Auto, false, false, false, false),
            (Auto, true, true, false, false),
            (Auto, false, false, true, true),
            (Auto, false, true, true, false),
        ];
        for (choice, terminal, no_color, force, expected) in cases {
            assert_eq!(
                decide_color(choice, terminal, no_color, force),
                expected,
                "{choice:?} terminal={terminal} NO_COLOR={no_color} CLICOLOR_FORCE={force}"
            );
        }
    }
}
