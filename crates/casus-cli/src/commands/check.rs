//! `casus check`: parse, type-check and lint scenario files.

use casus_core::{Diagnostic, Severity, SourceFile};
use casus_report::diagnostics::{
    render_github, render_human, render_json, render_sarif, summary_line,
};

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::print;

/// How `check` prints findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Like a compiler, for people.
    Human,
    /// One JSON array of findings.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Arguments of `casus check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Scenario files, or folders to search for `*.toml`.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: CheckFormat,
    /// Fail on warnings too (`--deny warnings`).
    #[arg(long, value_name = "warnings")]
    pub(crate) deny: Vec<String>,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &CheckArgs) -> Result<Status, CliError> {
    let deny_warnings = args.deny.iter().any(|d| d == "warnings");
    if let Some(other) = args.deny.iter().find(|d| *d != "warnings") {
        return Err(CliError::Usage(format!(
            "`--deny {other}` is not supported; use `--deny warnings`"
        )));
    }
    let files = input::collect(&args.paths)?;
    let limits = args.limits.core();
    let mut results: Vec<(SourceFile, Vec<Diagnostic>)> = Vec::new();
    for path in &files {
        let (source, decode_error) = input::read(path, &limits)?;
        let diagnostics = match decode_error {
            Some(d) => vec![d],
            None => casus_rules::check_source(&source, &limits, &args.limits.eval()).diagnostics,
        };
        results.push((source, diagnostics));
    }
    let pairs: Vec<(&SourceFile, &[Diagnostic])> =
        results.iter().map(|(s, d)| (s, d.as_slice())).collect();
    match args.format {
        CheckFormat::Human => {
            let color = input::color(input::stdout_is_terminal());
            let mut out = String::new();
            for (source, diagnostics) in &pairs {
                if !diagnostics.is_empty() {
                    out.push_str(&render_human(source, diagnostics, color));
                }
            }
            out.push_str(&summary_line(&pairs, color));
            out.push('\n');
            print(&out);
        }
        CheckFormat::Json => print(&format!("{}\n", render_json(&pairs))),
        CheckFormat::Github => print(&render_github(&pairs)),
        CheckFormat::Sarif => print(&format!("{}\n", render_sarif(&pairs))),
    }
    let fails = |d: &Diagnostic| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    };
    let failed = results.iter().any(|(_, ds)| ds.iter().any(fails));
    Ok(if failed { Status::Findings } else { Status::Ok })
}
