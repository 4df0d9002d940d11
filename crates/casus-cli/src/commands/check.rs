//! `casus check`: parse, type-check and lint scenario files.

use casus_core::{Diagnostic, Severity, SourceFile};
use casus_report::diagnostics::{
    render_github, render_human, render_json, render_sarif, summary_line,
};

use crate::Status;
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::CliError;
use crate::input;
use crate::output::print;

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
