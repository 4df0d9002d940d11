//! The command-line interface, declared with clap. `docs/cli.md` is generated from it.

use casus_core::limits::Limits;
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};

use crate::commands;

/// casus — a rules engine for scenario analysis.
///
/// Check scenario files like a compiler, evaluate every path, forecast outcomes, find what each
/// actor would rationally choose, and write reports.
#[derive(Debug, Parser)]
#[command(name = "casus", version, max_term_width = 100)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes, written before or after the command's name.
#[derive(Debug, Args, Clone, Copy)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// When to colour output: `auto` colours a terminal, never when `NO_COLOR` is set, and
    /// always when `CLICOLOR_FORCE` is.
    #[arg(long, value_enum, global = true, default_value_t = clap::ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: clap::ColorChoice,
    /// Print only results and errors: no notes or progress lines on standard error.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Also say on standard error which files each folder argument found, and how `eval`'s
    /// analyses ran (on the merged decision graph, or by evaluating again).
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// Accept a folder argument that holds no scenario file (by default an error, so that a
    /// wrong path in CI cannot pass by checking nothing).
    #[arg(long, global = true)]
    pub(crate) allow_empty: bool,
    /// Worker threads for evaluation (default: one per core). Results are the same, byte for
    /// byte, for every number of threads.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
}

/// The global options of this run, set once by `main` before the command runs.
static GLOBAL: std::sync::OnceLock<GlobalArgs> = std::sync::OnceLock::new();

impl GlobalArgs {
    /// What a run without global options gets (and unit tests, which never set them).
    const DEFAULT: GlobalArgs = GlobalArgs {
        color: clap::ColorChoice::Auto,
        quiet: false,
        verbose: false,
        allow_empty: false,
        threads: None,
    };

    /// Records the options of this run; only the first call counts.
    pub(crate) fn install(self) {
        let _ = GLOBAL.set(self);
    }

    /// The options of this run. They are process-wide (like `NO_COLOR`), so the helpers that
    /// read input and decide on colour need not thread them through every command.
    pub(crate) fn get() -> GlobalArgs {
        GLOBAL.get().copied().unwrap_or(Self::DEFAULT)
    }
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
    /// Score the forecasts of resolved scenarios, from their git history.
    Score(commands::score::ScoreArgs),
    /// Print the JSON Schema of scenario files, for editor validation and completion.
    Schema(commands::schema::SchemaArgs),
    /// Rewrite scenario files in one canonical layout, keeping comments.
    Fmt(commands::fmt::FmtArgs),
    /// Write the game tree for Gambit (`.efg`) or SilverDecisions.
    Export(commands::export::ExportArgs),
    /// Turn a Gambit game of perfect information (`.efg`) into a scenario.
    Import(commands::import::ImportArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page (roff) of casus or of one command.
    Man(commands::man::ManArgs),
    /// Run the language server on standard input and output, for editors.
    Lsp(commands::lsp::LspArgs),
}

/// Limits that keep a hostile file from exhausting the machine.
///
/// Each one ends a run with an `E0003` diagnostic that names the limit and this flag; the
/// defaults (those of `casus_core::limits::Limits` and `casus_rules::EvalLimits`) are far
/// above any real scenario.
#[derive(Debug, Args, Clone, Copy)]
#[command(next_help_heading = "Limits")]
pub(crate) struct LimitArgs {
    #[command(flatten)]
    pub(crate) input: InputLimitArgs,
    /// Most complete paths walked (after merging equal states).
    #[arg(long, hide_short_help = true, default_value_t = casus_rules::EvalLimits::default().max_paths, value_name = "N")]
    pub(crate) max_paths: u64,
    /// Most draws of `eval --samples`: each one is a full evaluation, and the draws are kept
    /// in memory.
    #[arg(long, default_value_t = MAX_SAMPLES, value_name = "N")]
    pub(crate) max_samples: usize,
    /// Longest evaluation, in seconds.
    #[arg(
        long,
        hide_short_help = true,
        default_value_t = 60,
        value_name = "SECONDS"
    )]
    pub(crate) timeout: u64,
}

/// The limits on what one file may be and hold, apart from those on evaluating it: commands
/// that only read and rewrite files (`casus fmt`, whose work is linear in the file) take
/// these alone, so they offer no `--timeout` that would bound nothing.
#[derive(Debug, Args, Clone, Copy)]
#[command(next_help_heading = "Limits")]
pub(crate) struct InputLimitArgs {
    /// Largest scenario file read, in bytes.
    #[arg(long, hide_short_help = true, default_value_t = Limits::default().max_file_bytes, value_name = "BYTES")]
    pub(crate) max_file_size: usize,
    /// Most decisions in one scenario.
    #[arg(long, hide_short_help = true, default_value_t = Limits::default().max_decisions, value_name = "N")]
    pub(crate) max_decisions: usize,
    /// Most options of one decision.
    #[arg(long, hide_short_help = true, default_value_t = Limits::default().max_options, value_name = "N")]
    pub(crate) max_options: usize,
    /// Most rules in one scenario.
    #[arg(long, hide_short_help = true, default_value_t = Limits::default().max_rules, value_name = "N")]
    pub(crate) max_rules: usize,
    /// Deepest nesting of one expression (parentheses, `not`, operator chains).
    #[arg(
        long,
        hide_short_help = true,
        default_value_t = Limits::default().expr.max_depth,
        value_name = "LEVELS",
        value_parser = clap::value_parser!(u16).range(1..=MAX_EXPR_DEPTH).map(usize::from),
    )]
    pub(crate) max_expr_depth: usize,
    /// Longest expression, in bytes.
    #[arg(long, hide_short_help = true, default_value_t = Limits::default().expr.max_len, value_name = "BYTES")]
    pub(crate) max_expr_length: usize,
}

/// The default of `--max-samples`: a million draws take minutes on a real scenario and keep
/// the spread of every outcome to a few parts in ten thousand; more is a typo or an attack
/// (`--samples 18446744073709551615` used to abort on allocation).
const MAX_SAMPLES: usize = 1_000_000;

/// The deepest `--max-expr-depth` accepted: the expression parser, checker and compiler recurse
/// once per level, and this many levels stay far inside the stack of the main thread (the
/// hostile-input tests parse, check and evaluate an expression this deep).
const MAX_EXPR_DEPTH: i64 = 256;
