//! Limits that keep a hostile or runaway scenario from exhausting memory or time.
//!
//! Every limit ends a run with an `E0003` diagnostic that names the limit and the flag that
//! raises it, never with a crash. The defaults are far above any real scenario. The CLI sets
//! them from its `LimitArgs` flags; the evaluation's own limits (`--max-paths`, `--timeout`) are
//! `casus_rules::EvalLimits`, since core knows nothing of evaluation. `tests/hostile.rs` checks
//! each limit in every command that loads scenarios.

use crate::expr::ExprLimits;

/// The limits in force for one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest scenario file read, in bytes (`--max-file-size`).
    pub max_file_bytes: usize,
    /// Deepest nesting and longest text of one expression (`--max-expr-depth`,
    /// `--max-expr-length`).
    pub expr: ExprLimits,
    /// Most decisions in one scenario (`--max-decisions`).
    pub max_decisions: usize,
    /// Most options of one decision, or symbols of one fact type (`--max-options`).
    pub max_options: usize,
    /// Most rules in one scenario (`--max-rules`).
    pub max_rules: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 16 * 1024 * 1024,
            expr: ExprLimits::default(),
            max_decisions: 1_000,
            max_options: 1_000,
            max_rules: 100_000,
        }
    }
}
