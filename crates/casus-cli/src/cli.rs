//! The command-line interface, declared with clap. `docs/cli.md` is generated from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    Check(CheckArgs),
    /// Evaluate a scenario: outcome forecast, strategy and paths.
    Eval(EvalArgs),
}

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

/// How `eval` prints results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum EvalFormat {
    /// Tables for people.
    Human,
    /// The JSON contract of docs/cli.md.
    Json,
}

/// Arguments of `casus eval`.
#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// The scenario file.
    pub(crate) file: PathBuf,
    /// Fix a decision or override an input fact: `decision=option` or `fact=value`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) given: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: EvalFormat,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
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
