//! The `casus` command: wires the core, rules and report crates together and does all I/O.

mod cli;
mod commands;
mod error;
mod input;
mod output;
mod progress;
mod write;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, ValueEnum};

use crate::cli::{Cli, Command};

/// Exit codes are part of the contract: 0 ok, 1 findings or failed tests, 2 usage or I/O.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Nothing to report.
    Ok,
    /// Errors in a scenario, failed tests, or warnings under `--deny warnings`.
    Findings,
}

/// Stack of the thread that runs the command, and of each worker thread of the search. The
/// search, the path walk and the renderers recurse once per decision, and `--max-decisions`
/// allows a thousand and more: the platform's defaults (8 MiB for the main thread, 2 MiB for
/// the others) overflow on such scenarios in a debug build. Only what is used gets memory.
const STACK_BYTES: usize = 256 * 1024 * 1024;
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    // The global pool may only be set up once; nothing has used it before this line.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
    let command = std::thread::Builder::new()
        .name("casus".to_owned())
        .stack_size(STACK_BYTES)
        .spawn(run);
    match command.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        // The panic has been printed by the panic hook already.
        Ok(Err(_)) => ExitCode::from(101),
        Err(error) => {
            output::eprint(&format!("error: cannot start the command: {error}\n"));
            ExitCode::from(2)
        }
    }
}

/// The value of `--color` on the command line (`auto` when absent or not valid: clap then
/// reports the invalid value itself).
fn requested_color(args: impl Iterator<Item = std::ffi::OsString>) -> clap::ColorChoice {
    let mut args = args.skip(1);
    let mut found = None;
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        }
        if arg == "--color" {
            found = args.next().map(|v| v.to_string_lossy().into_owned());
        } else if let Some(value) = arg.strip_prefix("--color=") {
            found = Some(value.to_owned());
        }
    }
    found
        .and_then(|v| clap::ColorChoice::from_str(&v, false).ok())
        .unwrap_or(clap::ColorChoice::Auto)
}

fn run() -> ExitCode {
    // clap prints help and usage errors before `--color` is parsed; give it the choice first.
    let color = requested_color(std::env::args_os());
    let parsed = Cli::command()
        .color(color)
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    cli.global.install();
    if let Some(code) = preflight(&cli.command) {
        return code;
    }
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Eval(args) => commands::eval::run(&args),
        Command::Explain(args) => commands::explain::run(&args),
        Command::Test(args) => commands::test::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::New(args) => commands::new::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Schema(args) => commands::schema::run(&args),
        Command::Score(args) => commands::score::run(&args),
        // `-` reads standard input, and there is no file to write the layout back to.
        Command::Fmt(args) if !args.check && args.paths.iter().any(|p| input::is_stdin(p)) => {
            Err(error::CliError::Usage(
                "`casus fmt -` has no file to write back to; use `casus fmt --check -` to check standard input, or name the file".to_owned(),
            ))
        }
        Command::Fmt(args) => commands::fmt::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Import(args) => commands::import::run(&args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man(args) => commands::man::run(&args),
        Command::Lsp(args) => commands::lsp::run(&args),
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

/// Limits on the flags themselves, checked before a command starts: `--samples` above
/// `--max-samples` ends the run with an `E0003` naming both flags, as every limit does, before
/// a single draw is allocated.
fn preflight(command: &Command) -> Option<ExitCode> {
    let Command::Eval(args) = command else {
        return None;
    };
    let samples = args.samples?;
    let max = args.limits.max_samples;
    if samples <= max {
        return None;
    }
    let diagnostic = casus_core::Diagnostic::new(
        casus_core::Code::LimitExceeded,
        format!("`--samples {samples}` asks for more draws than the limit of {max}"),
    )
    .help("ask for fewer samples, or raise the limit with `--max-samples`");
    let file = casus_core::SourceFile::new(input::display_name(&args.file), "");
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    output::eprint(&casus_report::diagnostics::render_human(
        &file,
        &[diagnostic],
        color,
    ));
    Some(ExitCode::from(1))
}
