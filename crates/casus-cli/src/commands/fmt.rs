//! `casus fmt`: one canonical layout for scenario files, so a diff in review shows meaning,
//! not whitespace.
//!
//! The layout itself is [`casus_core::layout::canonical`]; this command reads files, checks
//! or writes them through the CLI's one writer.
//!
//! Formatting never changes what a file means; a test loads every scenario before and after and
//! compares the models and results. Files with TOML syntax errors are left alone.

use std::path::PathBuf;

use casus_core::layout::canonical;
use clap::Args;

use crate::Status;
use crate::cli::InputLimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};
use crate::write::{Inputs, write_file};

/// Arguments of `casus fmt`.
#[derive(Debug, Args)]
pub(crate) struct FmtArgs {
    /// Scenario files, or folders to search for `*.toml`.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit with 1 if there are any.
    #[arg(long)]
    pub(crate) check: bool,
    #[command(flatten)]
    pub(crate) limits: InputLimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &FmtArgs) -> Result<Status, CliError> {
    let files = input::collect(&args.paths)?;
    let limits = args.limits.core();
    let mut would_change = Vec::new();
    let mut skipped = 0usize;
    let mut formatted = 0usize;
    for path in &files {
        let (source, decode_error) = input::read(path, &limits)?;
        let name = casus_report::text::visible(source.name());
        if decode_error.is_some() {
            eprint(&format!(
                "error: `{name}` cannot be formatted: it is not a readable UTF-8 file within the size limit\n"
            ));
            skipped += 1;
            continue;
        }
        let loaded = casus_core::load::load(&source, &limits);
        if loaded
            .diagnostics
            .iter()
            .any(|d| d.code == casus_core::Code::TomlSyntax)
        {
            eprint(&format!(
                "error: `{name}` cannot be formatted: it has TOML syntax errors; run `casus check {name}` to see them\n"
            ));
            skipped += 1;
            continue;
        }
        let text = source.text();
        let canonical = match canonical(text) {
            Ok(c) => c,
            Err(message) => {
                eprint(&format!("error: `{name}` cannot be formatted: {message}\n"));
                skipped += 1;
                continue;
            }
        };
        if canonical == text {
            continue;
        }
        if args.check {
            would_change.push(name);
        } else {
            write_file(path, canonical.as_bytes(), &Inputs::default())?;
            formatted += 1;
        }
    }
    // A file that cannot be formatted fails the run in both modes: `fmt --check` in CI must not
    // pass a file it could not even parse.
    let unformattable = if skipped == 0 {
        String::new()
    } else {
        format!(
            "; {skipped} file{} could not be formatted",
            if skipped == 1 { "" } else { "s" }
        )
    };
    let plural = |n: usize| if n == 1 { "file" } else { "files" };
    let checked = files.len() - skipped;
    if args.check {
        for name in &would_change {
            print(&format!("would reformat {name}\n"));
        }
        let summary = if would_change.is_empty() {
            format!(
                "{checked} {} already formatted{unformattable}\n",
                plural(checked)
            )
        } else {
            format!(
                "{} of {checked} files would be reformatted; run `casus fmt` on them{unformattable}\n",
                would_change.len(),
            )
        };
        print(&summary);
        return Ok(if would_change.is_empty() && skipped == 0 {
            Status::Ok
        } else {
            Status::Findings
        });
    }
    print(&format!(
        "{formatted} reformatted, {} unchanged{unformattable}\n",
        checked - formatted
    ));
    Ok(if skipped == 0 {
        Status::Ok
    } else {
        Status::Findings
    })
}
