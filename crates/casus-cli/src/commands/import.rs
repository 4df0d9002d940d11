//! `casus import`: a Gambit extensive-form game (`.efg`) as a format-v1 scenario.
//!
//! Games of perfect information only (every information set one node): the scenario has one
//! decision per move and one outcome per leaf (leaves with the same outcome and payoffs share
//! one), and evaluates to the same game. The result is checked before it is written, and
//! written atomically. Problems with the game file exit with 1, like errors in a scenario;
//! problems reading or writing files exit with 2.

use std::path::PathBuf;

use casus_core::efg::{EfgError, EfgLimits, ImportOptions, parse, to_scenario};
use casus_core::{Code, Diagnostic, SourceFile};
use casus_report::diagnostics::render_human;
use clap::Args;

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};
use crate::write::{Inputs, write_file};

/// Arguments of `casus import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The game file (`.efg`).
    pub(crate) game: PathBuf,
    /// Write the scenario to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE.toml")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &ImportArgs) -> Result<Status, CliError> {
    let limits = args.limits.core();
    // The deadline counts from the start of the command, not from the check at its end.
    let eval_limits = args.limits.eval();
    let (source, decode_error) = input::read(&args.game, &limits)?;
    if let Some(d) = decode_error {
        eprint(&render_human(&source, &[d], false));
        return Ok(Status::Findings);
    }
    // Parsing a large game and checking the scenario made of it take a while.
    let spinner = crate::progress::Spinner::start(&format!("import {}", input::shown(&args.game)));
    let imported = parse(source.text(), EfgLimits::default()).and_then(|game| {
        to_scenario(
            &game,
            ImportOptions {
                source_name: source.name(),
                max_decisions: limits.max_decisions,
            },
        )
    });
    let text = match imported {
        Ok(text) => text,
        Err(error) => {
            drop(spinner);
            eprint(&describe(&source, &error));
            return Ok(Status::Findings);
        }
    };
    // The scenario is ours: it must check clean. If it does not, say so rather than write it.
    let name = args
        .output
        .as_ref()
        .map_or_else(|| "imported.toml".to_owned(), |p| input::display_name(p));
    let scenario = SourceFile::new(name, text.as_str());
    let checked = casus_rules::check_source(&scenario, &limits, &eval_limits);
    drop(spinner);
    if checked.has_errors() {
        let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let errors: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        // A limit (`--timeout`, `--max-paths`) stopped the check: that is no bug, and the
        // notes of a check that did not finish would only bury the error.
        if errors.iter().all(|d| d.code == Code::LimitExceeded) {
            eprint(&render_human(&scenario, &errors, color));
            eprint(
                "error: the imported scenario could not be checked within the limits, so it is not written\n  help: raise the limit named above (such as `--timeout`) to import this game\n",
            );
            return Ok(Status::Findings);
        }
        eprint(&render_human(&scenario, &checked.diagnostics, color));
        eprint(
            "error: the imported scenario does not check; this is a bug in `casus import`, please report it with the game file\n",
        );
        return Ok(Status::Findings);
    }
    match &args.output {
        Some(path) => write_file(path, text.as_bytes(), &Inputs::new(&[&args.game]))?,
        None => print(&text),
    }
    Ok(Status::Ok)
}

/// `error: GAME.efg:3:5: message` and the help, like a compiler.
fn describe(source: &SourceFile, error: &EfgError) -> String {
    let at = source.line_col(error.span.start);
    let mut text = format!(
        "error: {}:{}:{}: {}\n",
        source.name(),
        at.line,
        at.column,
        error.message
    );
    if let Some(help) = &error.help {
        text.push_str(&format!("  help: {help}\n"));
    }
    text
}
