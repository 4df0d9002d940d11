//! `casus export`: a scenario's game tree for game-theory tools: Gambit's `.efg`, or a
//! SilverDecisions file.
//!
//! The tree is the scenario's: one node per decision actually taken (skipped decisions do not
//! appear), nature's moves as chance nodes, one outcome per leaf. For `.efg`, a player without
//! a payoff in an outcome the tree reaches is an error naming both, unless
//! `--missing-payoff 0` says to write 0, which is what the engine itself counts.

use std::path::PathBuf;

use casus_core::SourceFile;
use casus_report::diagnostics::render_human;
use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};
use crate::write::{Inputs, write_file};

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// Gambit extensive-form game (`.efg`).
    Efg,
    /// SilverDecisions decision tree (JSON).
    Silverdecisions,
}

/// Arguments of `casus export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The scenario file (`-` reads standard input).
    pub(crate) file: PathBuf,
    /// The format to write (default: from the extension of `-o`, `.efg` or `.json`; else
    /// `efg`).
    #[arg(long, value_enum)]
    pub(crate) format: Option<ExportFormat>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    pub(crate) output: Option<PathBuf>,
    /// Write missing payoffs as this value instead of failing; only 0 is accepted, which is
    /// what casus itself counts.
    #[arg(long, value_name = "VALUE")]
    pub(crate) missing_payoff: Option<f64>,
    /// For SilverDecisions: whose payoffs to write (default: the actor at the root, or the
    /// first actor with payoffs).
    #[arg(long, value_name = "ACTOR")]
    pub(crate) actor: Option<String>,
    /// Most nodes in the exported tree.
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    pub(crate) max_nodes: usize,
    /// Largest file written, in bytes. A SilverDecisions file writes every subtree out in
    /// full, so a tree whose paths merge can still make an enormous file.
    #[arg(long, default_value_t = 64 * 1024 * 1024, value_name = "BYTES")]
    pub(crate) max_output_size: usize,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &ExportArgs) -> Result<Status, CliError> {
    if let Some(value) = args.missing_payoff
        && value != 0.0
    {
        return Err(CliError::Usage(format!(
            "`--missing-payoff {value}` is not supported: casus counts a missing payoff as 0, so only `--missing-payoff 0` exports the game casus solves"
        )));
    }
    let format = format(args)?;
    if args.actor.is_some() && format != ExportFormat::Silverdecisions {
        return Err(CliError::Usage(
            "`--actor` chooses whose payoffs a SilverDecisions file carries; a `.efg` file carries every player's".into(),
        ));
    }
    let limits = args.limits.core();
    let (source, decode_error) = input::read(&args.file, &limits)?;
    if let Some(d) = decode_error {
        return Ok(findings(&source, &[d]));
    }
    // Checking evaluates, and the game tree is built node by node: both take a while on a
    // large scenario. The spinner is gone before anything is printed.
    let spinner = crate::progress::Spinner::start(&format!("export {}", input::shown(&args.file)));
    let checked = casus_rules::check_source(&source, &limits, &args.limits.eval());
    let (Some(scenario), Some(program), false) =
        (&checked.scenario, &checked.program, checked.has_errors())
    else {
        drop(spinner);
        return Ok(findings(&source, &checked.diagnostics));
    };
    let game = casus_rules::graphs::game_tree::build(scenario, program, args.max_nodes);
    drop(spinner);
    let game =
        game.map_err(|e| CliError::Usage(format!("{e}; raise the limit with `--max-nodes`")))?;
    let text = match format {
        ExportFormat::Efg => {
            if game.players.is_empty() {
                eprint(&format!(
                    "error: `{}` has no actor that decides or has a payoff, so it is not a game\n",
                    source.name()
                ));
                return Ok(Status::Findings);
            }
            let missing = game.missing_payoffs(scenario);
            if args.missing_payoff.is_none()
                && let Some(&(actor, outcome)) = missing.first()
            {
                eprint(&format!(
                    "error: outcome `{}` has no payoff for `{}`{}\n  help: give every actor a payoff in every outcome, or pass `--missing-payoff 0` to write 0, as casus counts it\n",
                    scenario.outcomes[outcome].id.name,
                    scenario.actors[actor].id.name,
                    match missing.len() {
                        1 => String::new(),
                        n => format!(" (and {} more missing payoffs)", n - 1),
                    }
                ));
                return Ok(Status::Findings);
            }
            casus_report::efg::render(scenario, &game)
        }
        ExportFormat::Silverdecisions => {
            let actor = match &args.actor {
                Some(name) => scenario
                    .actors
                    .iter()
                    .position(|a| a.id.name == *name)
                    .ok_or_else(|| {
                        let ids = scenario.actors.iter().map(|a| a.id.name.as_str());
                        let hint = casus_core::diagnostic::did_you_mean(name, ids)
                            .map(|h| format!("; {h}"))
                            .unwrap_or_default();
                        CliError::Usage(format!(
                            "`--actor {name}` is not an actor of the scenario{hint}"
                        ))
                    })?,
                None => default_actor(&game).ok_or_else(|| {
                    CliError::Usage(
                        "the scenario has no actor with payoffs; name one with `--actor`".into(),
                    )
                })?,
            };
            let deadline = args.limits.eval().deadline;
            match casus_report::silverdecisions::render_bounded(
                scenario,
                &game,
                actor,
                args.max_output_size,
                deadline,
            ) {
                Ok(text) => text,
                Err(refused) => return Ok(too_large(&source, &refused.to_string(), &refused)),
            }
        }
    };
    if text.len() > args.max_output_size {
        let why = format!(
            "the exported file would be {} bytes, more than the limit of {}",
            text.len(),
            args.max_output_size
        );
        return Ok(too_large(
            &source,
            &why,
            &casus_report::silverdecisions::Refused::TooLarge {
                limit: args.max_output_size,
                nodes: game.nodes.len(),
            },
        ));
    }
    match &args.output {
        Some(path) => write_file(path, text.as_bytes(), &Inputs::new(&[&args.file]))?,
        None => print(&text),
    }
    Ok(Status::Ok)
}

/// The format: as given, else from the extension of `-o`, else `efg`.
fn format(args: &ExportArgs) -> Result<ExportFormat, CliError> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    let Some(path) = &args.output else {
        return Ok(ExportFormat::Efg);
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("efg") => Ok(ExportFormat::Efg),
        Some("json") => Ok(ExportFormat::Silverdecisions),
        _ => Err(CliError::Usage(format!(
            "cannot tell the format from the name `{}`; name it `.efg` or `.json`, or give `--format efg` or `--format silverdecisions`",
            input::display_name(path)
        ))),
    }
}

/// The actor who moves at the root, else the first player.
fn default_actor(game: &casus_rules::graphs::game_tree::Game) -> Option<usize> {
    match game.nodes.first().map(|n| &n.kind) {
        Some(casus_rules::graphs::game_tree::NodeKind::Choice { actor, .. }) => Some(*actor),
        _ => game.players.first().copied(),
    }
}

/// An export refused for its size or time: an `E0003` naming the flag that raises the limit.
fn too_large(
    source: &SourceFile,
    message: &str,
    why: &casus_report::silverdecisions::Refused,
) -> Status {
    use casus_report::silverdecisions::Refused;
    let help = match why {
        Refused::TooLarge { .. } => {
            "fix some decisions, export Gambit's `.efg` (one line per node), or raise the limit with `--max-output-size`"
        }
        Refused::Timeout => "raise the limit with `--timeout`",
    };
    let diagnostic =
        casus_core::Diagnostic::new(casus_core::Code::LimitExceeded, message.to_owned()).help(help);
    findings(source, &[diagnostic])
}

fn findings(source: &SourceFile, diagnostics: &[casus_core::Diagnostic]) -> Status {
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    eprint(&render_human(source, diagnostics, color));
    if diagnostics.iter().any(casus_core::Diagnostic::is_error) {
        Status::Findings
    } else {
        Status::Ok
    }
}
