//! `casus score`: every resolved scenario's forecasts of record, from the repository's own
//! history, scored against what happened.
//!
//! The history is read with the `git` program, as `casus diff --rev` reads revisions
//! (`git log` for the commits that changed a file, `git cat-file` for its text at each); the
//! scoring itself is `casus_rules::workflow::score`, which reads text and never runs a
//! program. A file outside git has one version: itself.

use std::path::{Path, PathBuf};

use casus_report::output::score::ScoreOutput;
use casus_rules::LintLevels;
use casus_rules::workflow::score::record::{History, Snapshot, record};
use clap::{Args, ValueEnum};

use super::diff::{GitError, existing_folder, git, repo_relative};
use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};
use crate::write::{Inputs, write_file};

/// How `score` prints the track record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScoreFormat {
    /// Markdown: the tables, for a wiki or a pull request.
    Md,
    /// One JSON document (`casus schema --output score`).
    Json,
    /// One self-contained HTML page with the calibration chart.
    Html,
}

/// Arguments of `casus score`.
#[derive(Debug, Args)]
pub(crate) struct ScoreArgs {
    /// Scenario files, or folders to search for `*.toml`; files without a `[resolution]`
    /// outcome are listed as open.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Score only forecasts dated on or after this day (`YYYY-MM-DD`).
    #[arg(long, value_name = "DATE", value_parser = day)]
    pub(crate) since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub(crate) format: ScoreFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Reads `--since`: a calendar day written `YYYY-MM-DD`.
fn day(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let month = text.get(5..7).and_then(|m| m.parse::<u8>().ok());
    let day = text.get(8..10).and_then(|d| d.parse::<u8>().ok());
    if shape
        && month.is_some_and(|m| (1..=12).contains(&m))
        && day.is_some_and(|d| (1..=31).contains(&d))
    {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a day; write it `YYYY-MM-DD`, such as `2025-01-31`"
        ))
    }
}

/// Runs the command.
pub(crate) fn run(args: &ScoreArgs) -> Result<Status, CliError> {
    let files = input::collect(&args.paths)?;
    let options = args.limits.session(LintLevels::default());
    let budget = args.limits.budget();
    let mut records = Vec::new();
    let mut status = Status::Ok;
    for path in &files {
        let history = history(path, &args.limits)?;
        let spinner = crate::progress::Spinner::start(&format!("score {}", input::shown(path)));
        let mut budget = budget.clone();
        budget.progress = spinner.as_ref().map(crate::progress::Spinner::progress);
        let file = record(&history, &options, args.since.as_deref(), &budget);
        drop(spinner);
        if !file.findings.is_empty() {
            eprint(&casus_report::diagnostics::render_human(
                &file.source,
                &file.findings,
                input::color(std::io::IsTerminal::is_terminal(&std::io::stderr())),
            ));
        }
        if file.state == casus_rules::workflow::score::record::State::Invalid {
            let limited = file
                .findings
                .iter()
                .any(|d| d.code == casus_core::Code::LimitExceeded);
            input::note(&if limited {
                format!(
                    "note: {} could not be checked within the limits and is not scored; raise the limit named above (such as `--timeout`)\n",
                    input::shown(path)
                )
            } else {
                format!(
                    "note: {} has errors and is not scored; `casus check` shows them\n",
                    input::shown(path)
                )
            });
            status = Status::Findings;
        }
        records.push(file);
    }
    let out = ScoreOutput::new(&records);
    let text = match args.format {
        ScoreFormat::Md => casus_report::score::markdown(&out),
        ScoreFormat::Html => casus_report::score::html(&out),
        ScoreFormat::Json => {
            let mut json = serde_json::to_string_pretty(&out)
                .map_err(|e| CliError::Usage(format!("cannot write the record as JSON: {e}")))?;
            json.push('\n');
            json
        }
    };
    match &args.output {
        Some(path) => write_file(path, text.as_bytes(), &Inputs::new(&files))?,
        None => print(&text),
    }
    Ok(status)
}

/// The versions of `path`, oldest first: every commit that changed it, or, outside git or
/// for a file git does not track, the file as it is.
fn history(path: &Path, limits: &LimitArgs) -> Result<History, CliError> {
    let name = input::display_name(path);
    let on_disk = || -> Result<History, CliError> {
        let (source, _) = input::read(path, &limits.core())?;
        Ok(History {
            name: name.clone(),
            versions: vec![Snapshot {
                commit: None,
                day: None,
                text: source.text().to_owned(),
            }],
        })
    };
    let cwd = std::env::current_dir().map_err(|e| CliError::io(Path::new("."), &e))?;
    let absolute = cwd.join(path);
    let folder = existing_folder(&absolute);
    let top = match git(&folder, &["rev-parse", "--show-toplevel"]) {
        Ok(out) => PathBuf::from(String::from_utf8_lossy(&out).trim()),
        Err(GitError::NotRun(_) | GitError::Failed(_)) => return on_disk(),
    };
    let top = std::fs::canonicalize(&top).map_err(|e| CliError::io(&top, &e))?;
    let Some(relative) = repo_relative(&top, &absolute) else {
        return on_disk();
    };
    let log = match git(
        &top,
        &["log", "--format=%H %cs", "--no-renames", "--", &relative],
    ) {
        Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        Err(GitError::NotRun(reason) | GitError::Failed(reason)) => {
            return Err(CliError::Usage(format!(
                "cannot read the history of `{name}` with `git log`: {reason}"
            )));
        }
    };
    let mut versions = Vec::new();
    for line in log.lines().rev() {
        let Some((commit, day)) = line.split_once(' ') else {
            continue;
        };
        // A commit that deleted the file has no text at that commit; it is no version.
        let Ok(bytes) = git(&top, &["cat-file", "blob", &format!("{commit}:{relative}")]) else {
            continue;
        };
        versions.push(Snapshot {
            commit: Some(commit.to_owned()),
            day: Some(day.to_owned()),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    if versions.is_empty() {
        return on_disk();
    }
    let committed = versions.last().map(|v| v.text.as_str()).unwrap_or_default();
    let (source, _) = input::read(path, &limits.core())?;
    if source.text() != committed {
        input::note(&format!(
            "note: {} has changes that are not committed; the record holds only what is committed\n",
            input::shown(path)
        ));
    }
    Ok(History { name, versions })
}
