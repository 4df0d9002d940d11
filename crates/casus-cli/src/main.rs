//! The `casus` command: wires the core, rules and report crates together and does all I/O.

mod cli;
mod commands;
mod error;
mod input;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Exit codes are part of the contract: 0 ok, 1 findings or failed tests, 2 usage or I/O.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Nothing to report.
    Ok,
    /// Errors in a scenario, failed tests, or warnings under `--deny warnings`.
    Findings,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Eval(args) => commands::eval::run(&args),
        Command::Explain(args) => commands::explain::run(&args),
        Command::Test(args) => commands::test::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::New(args) => commands::new::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Schema(args) => commands::schema::run(&args),
        Command::Fmt(args) => commands::fmt::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Import(args) => commands::import::run(&args),
    };
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Findings) => ExitCode::from(1),
        Err(error) => {
            output::eprint(&format!("error: {error}\n"));
            ExitCode::from(2)
        }
    }
}
