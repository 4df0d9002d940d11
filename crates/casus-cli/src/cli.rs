//! The command-line interface, declared with clap. `docs/cli.md` is generated from it.

use clap::{Args, Parser, Subcommand};

use crate::commands;

/// casus — a rules engine for scenario analysis.
///
/// Check scenario files like a compiler, evaluate every path, forecast outcomes, find what each
/// actor would rationally choose, and write reports.
#[derive(Debug, Parser)]
#[command(name = "casus", version, about, long_about = None, max_term_width = 100)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse, type-check and lint scenario files.
    Check(commands::check::CheckArgs),
    /// Evaluate a scenario: outcome forecast, strategy and paths.
    Eval(commands::eval::EvalArgs),
    /// Explain a path step by step, the paths to an outcome, or why not another outcome.
    Explain(commands::explain::ExplainArgs),
    /// Run the `[tests.*]` of scenario files.
    Test(commands::test::TestArgs),
    /// Compare two versions of scenario files: what changed, and how the results moved.
    Diff(commands::diff::DiffArgs),
    /// Write a commented starter scenario, with tests, that checks clean.
    New(commands::new::NewArgs),
    /// Write reports (Markdown, JSON, DOT, Mermaid, HTML), or check committed ones are fresh.
    Report(commands::report::ReportArgs),
    /// Print the JSON Schema of scenario files, for editor validation and completion.
    Schema(commands::schema::SchemaArgs),
    /// Rewrite scenario files in one canonical layout, keeping comments.
    Fmt(commands::fmt::FmtArgs),
    /// Write the game tree for Gambit (`.efg`) or SilverDecisions.
    Export(commands::export::ExportArgs),
    /// Turn a Gambit game of perfect information (`.efg`) into a scenario.
    Import(commands::import::ImportArgs),
}

/// Limits that keep a hostile file from exhausting the machine.
#[derive(Debug, Args, Clone, Copy)]
pub(crate) struct LimitArgs {
    /// Largest scenario file read, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub(crate) max_file_size: usize,
    /// Most complete paths walked (after merging equal states).
    #[arg(long, default_value_t = 10_000_000, value_name = "N")]
    pub(crate) max_paths: u64,
    /// Longest evaluation, in seconds.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub(crate) timeout: u64,
}
