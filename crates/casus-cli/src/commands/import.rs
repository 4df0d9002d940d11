//! `casus import`: a Gambit extensive-form game (`.efg`) as a format-v1 scenario.
//!
//! Games of perfect information only (every information set one node): the scenario has one
//! decision per move and one outcome per leaf (leaves with the same outcome and payoffs share
//! one), and evaluates to the same game. The result is checked before it is written, and
//! written atomically. Problems with the game file exit with 1, like errors in a scenario;
//! problems reading or writing files exit with 2. `--timeout` counts from the start: reading
//! the game and making its scenario are stages of their own, and a stop at the limit (exit 1,
//! `E0003`) says which stages finished.

use std::path::PathBuf;

use casus_core::diagnostic::plural;
use casus_core::efg::{EfgError, EfgLimits, Game, ImportOptions, NodeKind, parse, to_scenario};
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
    // Parsing a large game and checking the scenario made of it take a while; each stage
    // starts only while time is left, and a stop says which stages finished.
    let spinner = crate::progress::Spinner::start(&format!("import {}", input::shown(&args.game)));
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let stopped = |finished: &str| {
        let limit = Diagnostic::new(
            Code::LimitExceeded,
            "importing the game took longer than the time limit",
        )
        .help("raise the limit with `--timeout` to import this game");
        format!(
            "{}note: finished: {finished}\n",
            render_human(&source, &[limit], color)
        )
    };
    let game = match parse(source.text(), EfgLimits::default()) {
        Ok(game) => game,
        Err(error) => {
            drop(spinner);
            eprint(&describe(&source, &error));
            return Ok(Status::Findings);
        }
    };
    let read = read_game(&game);
    if eval_limits.expired() {
        drop(spinner);
        eprint(&stopped(&format!(
            "{read}; not finished: making its scenario"
        )));
        return Ok(Status::Findings);
    }
    let imported = to_scenario(
        &game,
        ImportOptions {
            source_name: source.name(),
            max_decisions: limits.max_decisions,
        },
    );
    let text = match imported {
        Ok(text) => text,
        Err(error) => {
            drop(spinner);
            eprint(&describe(&source, &error));
            return Ok(Status::Findings);
        }
    };
    if eval_limits.expired() {
        drop(spinner);
        eprint(&stopped(&format!(
            "{read}, and made its scenario; not done: checking it"
        )));
        return Ok(Status::Findings);
    }
    // The scenario is ours: it must check clean. If it does not, say so rather than write it.
    let name = args
        .output
        .as_ref()
        .map_or_else(|| "imported.toml".to_owned(), |p| input::display_name(p));
    let scenario = SourceFile::new(name, text.as_str());
    let checked = casus_rules::check_source(&scenario, &limits, &eval_limits);
    drop(spinner);
    if checked.has_errors() {
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
            eprint(&format!(
                "error: the imported scenario could not be checked within the limits, so it is not written\n  note: finished: {read}, and made its scenario; not finished: checking it\n  help: raise the limit named above (such as `--timeout`) to import this game\n",
            ));
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

/// What reading the game found, for the note of a stop: `read the game (3 moves, 4 terminal
/// nodes)`.
fn read_game(game: &Game) -> String {
    let terminal = game
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Terminal)
        .count();
    let moves = game.nodes.len() - terminal;
    format!(
        "read the game ({}, {})",
        plural(moves as u64, "move"),
        plural(terminal as u64, "terminal node")
    )
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
